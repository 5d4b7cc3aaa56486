"""The site's side of search: records from the archive, the index in the built site, opensearch.xml.

`index_site` runs after MkDocs has written the site folder (tsgen/site/build.py): it turns every
ticket and KB article into a search record (tsgen/search/records.py; the customer's name and contact
masked), has Pagefind write the index into `<site>/pagefind/`, and writes `<site>/opensearch.xml`.
The search page itself (`search/`) is an ordinary generated page (templates/site/search*.j2) whose
script, assets/tsgen-search.js, queries that index in the browser.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Callable, Iterator
from xml.sax.saxutils import escape, quoteattr

from tsgen.archive.model import Archive, Ticket
from tsgen.archive.schema import KB_SPEC, TICKET_SPEC
from tsgen.search.index import IndexResult, write_index
from tsgen.search.records import Record, article_record, ticket_record
from tsgen.site.i18n import translator
from tsgen.archive.privacy import Masker
from tsgen.site.render import article_page, page_url, ticket_page

SEARCH_PAGE = "search.md"
SCRIPT = "assets/tsgen-search.js"


def search_labels(language: str) -> dict[str, dict[str, str]]:
    """Labels of the filter values the search page shows (type, priority, status, kind), in `language`."""
    t = translator(language)
    out: dict[str, dict[str, str]] = {"kind": {"kb": t("kb"), "ticket": t("tickets")}}
    for key in ("type", "priority", "status"):
        spec = TICKET_SPEC[key]
        out[key] = {c.value: c.zh if language == "zh" else c.en for c in spec.choices}
    out["status"].update({c.value: c.zh if language == "zh" else c.en for c in KB_SPEC["status"].choices})
    out["words"] = {"results": t("search_results"), "none": t("search_none"), "partial": t("search_partial"),
                    "any": t("search_any")}
    return out


def records(archive: Archive, directory_urls: bool = True) -> Iterator[Record]:
    """Every KB article and ticket as a search record, URLs as MkDocs gives their pages; their text is
    the published text (customer names and contacts masked by archive/privacy.py, as on the pages)."""
    masker = Masker.of(archive, archive.config.language)  # one record at a time: no masked copy of it all
    for article in sorted(archive.articles.values(), key=lambda a: a.id):
        yield article_record(masker.article(article), page_url(article_page(article.id), directory_urls))
    for ticket in archive.tickets_sorted():
        yield ticket_record(searched(masker, ticket), page_url(ticket_page(ticket.id), directory_urls))


def searched(masker: Masker, t: Ticket) -> Ticket:
    """The ticket as its search record reads it: the texts ticket_record indexes masked as Masker.ticket
    masks them, every other text left out (empty). Masking the fields the record never reads was half
    the time of making the records; a field a record reads later is empty here until it is masked."""
    m = masker.text
    return dataclasses.replace(
        t, title=m(t.title), tags=[m(x) for x in t.tags], solution=None if t.solution is None else m(t.solution),
        environment={k: m(v) for k, v in t.environment.items()}, body=m(t.body),
        source=None, customer={}, assignee=None, escalated_to=None, feedback=None, log=[], backup=None,
        verification={}, extra={})


def index_site(archive: Archive, site: Path, directory_urls: bool = True, site_url: str = "",
               progress: Callable[[str], None] | None = None) -> IndexResult:
    """Write the search index and opensearch.xml into the freshly built `site` folder."""
    result = write_index(records(archive, directory_urls), site, progress,
                         total=len(archive.tickets) + len(archive.articles))
    write_opensearch(site, archive.config.site_name, site_url, page_url(SEARCH_PAGE, directory_urls))
    return result


def write_opensearch(site: Path, name: str, site_url: str, search_url: str) -> Path:
    """opensearch.xml: lets a browser's address bar search the knowledge base (search/?q=...).

    OpenSearch wants an absolute URL: with mkdocs.yml's site_url it is one; without, the template is
    relative to the site root, which browsers resolve against the description's own address.
    """
    base = site_url.rstrip("/") + "/" if site_url else "/"
    template = f"{base}{search_url}?q={{searchTerms}}"
    text = ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<OpenSearchDescription xmlns="http://a9.com/-/spec/opensearch/1.1/">\n'
            f"  <ShortName>{escape(name[:16])}</ShortName>\n"
            f"  <Description>{escape(name)}</Description>\n"
            "  <InputEncoding>UTF-8</InputEncoding>\n"
            f"  <Url type=\"text/html\" method=\"get\" template={quoteattr(template)}/>\n"
            "</OpenSearchDescription>\n")
    path = site / "opensearch.xml"
    path.write_text(text, encoding="utf-8")
    return path
