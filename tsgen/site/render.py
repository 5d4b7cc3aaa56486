"""Archive (+ history, + statistics) -> the Markdown pages and assets of the site, as plain data.

Nothing here touches the disk: `site/mkdocs.py` writes the pages and runs MkDocs. Page layout lives in
templates/site/*.md.j2; this module only prepares what the templates show.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from datetime import date, datetime
from pathlib import Path
from typing import Any, Callable, Sequence
from urllib.parse import quote, unquote, urlsplit

from tsgen.stats import metrics
from tsgen.archive.body import chunks, drop_comments, drop_empty_sections, separate_list_items
from tsgen.archive.clock import period_key
from tsgen.site import forked
from tsgen.site.iri import iri
from tsgen.site.paginate import split
from tsgen.site.i18n import format_date, format_datetime, format_minutes, translator
from tsgen.stats.queue import build_queue
from tsgen.site.prose import Prose, inline_parts
from tsgen.site.sanitize import PUBLISHED_SUFFIXES
from tsgen.archive.model import Archive, Article, Ticket
from tsgen.archive.privacy import Masker
from tsgen.archive.schema import TICKET_SPEC, choice_label, label
from tsgen.search.similar import Neighbours, SimilarIndex
from tsgen.site.mentions import html_links, id_pattern, markdown_links


LISTING_LIMIT = 100  # newest tickets per group on the type, priority and status pages (each links to the whole)
QUEUE_LIMIT = 50  # the home page's queue: the most urgent open tickets (all are on lists/status.md)


@dataclass
class Page:
    """One generated Markdown page, path relative to the docs folder."""

    path: str
    text: str


@dataclass
class Rendered:
    """Everything `site/mkdocs.py` needs to write: pages, files to copy, and the navigation."""

    pages: list[Page] = field(default_factory=list)
    assets: list[tuple[Path, str]] = field(default_factory=list)  # (source file, docs-relative destination)
    nav: list[Any] = field(default_factory=list)
    unpublished: list[str] = field(default_factory=list)  # files beside the documents not copied (sanitize.py)


def ticket_page(tid: str) -> str:
    return f"tickets/{tid}.md"


def article_page(kid: str) -> str:
    return f"kb/{kid}.md"


def relative(target: str, page_dir: str) -> str:
    """posixpath.relpath(target, page_dir or "."), for the docs-relative paths that pages link to.

    relpath makes both paths absolute (two getcwd calls); it ran for every link of every listing row
    and took a fifth of the rendering time. Plain paths are compared part by part instead; anything
    else (absolute, empty, "." or ".." parts) still goes to relpath, so the result is the same.
    """
    t_parts = target.split("/")
    d_parts = page_dir.split("/") if page_dir else []
    if target.startswith("/") or any(p in _SPECIAL_PARTS for p in t_parts) or \
            any(p in _SPECIAL_PARTS for p in d_parts):
        return posixpath.relpath(target, page_dir or ".")
    common = 0
    for a, b in zip(t_parts, d_parts):
        if a != b:
            break
        common += 1
    return "/".join([".."] * (len(d_parts) - common) + t_parts[common:]) or "."


_SPECIAL_PARTS = frozenset(("", ".", ".."))


@lru_cache(maxsize=65536)
def page_url(path: str, directory_urls: bool = True) -> str:
    """The URL MkDocs gives the page at docs-relative `path` (mkdocs.structure.files.File.url, unquoted)."""
    parent, _, filename = path.rpartition("/")
    name = filename[:-3] if filename.endswith(".md") else filename
    prefix = f"{parent}/" if parent else ""
    if name in ("index", "README"):
        return prefix or "./" if directory_urls else f"{prefix}index.html"
    return f"{prefix}{name}/" if directory_urls else f"{prefix}{name}.html"


def url_between(target: str, page: str, directory_urls: bool = True) -> str:
    """The link from page to target (docs-relative .md paths) as MkDocs writes it in the built HTML.

    mkdocs.utils.get_relative_url on the two page URLs, by way of `relative` (no normpath: it ran
    for every row of every listing). tests/test_page_html.py checks the result against MkDocs.
    """
    url, other = page_url(target, directory_urls), page_url(page, directory_urls)
    folder, _, name = other.rstrip("/").rpartition("/")
    base = other.rstrip("/") if other.endswith("/") or "." not in name else folder  # a file's folder
    rel = relative(url.strip("/") or ".", "" if base == "." else base)
    if url.endswith("/"):
        rel += "/"
    return rel if rel.isascii() else quote(rel)  # as File.url


_SLUG_UNSAFE = re.compile(r"[^\w.\-\u00a0-\U0010ffff]+|[\s\u0080-\u009f\u00ad\u200b-\u200f\u2028-\u202e"
                          r"\u2060-\u2064\ufeff\ufff0-\uffff]+")


def tag_page(tag: str) -> str:
    """The docs-relative page listing a tag's tickets."""
    return f"lists/tag/{tag_slug(tag)}.md"


def tag_slug(tag: str) -> str:
    """A file name for a tag page: the tag itself where safe (Chinese is fine), else hex."""
    # ASCII punctuation (Markdown syntax in the link that names the page, or a path character) and
    # spaces, control and invisible characters become "-"; letters, digits and Chinese stay
    slug = _SLUG_UNSAFE.sub("-", tag).strip("-.")
    if slug == tag:
        return slug
    # a lossy slug ("C++" and "C#" both give "C", "a b" and "a-b" both "a-b") carries a digest of the
    # tag itself, so two tags never share (and overwrite) one page, whatever other tags exist
    digest = hashlib.blake2s(tag.encode(), digest_size=4).hexdigest()
    return f"{slug}-{digest}" if slug else digest


def safe_body(body: str) -> str:
    """A narrative's Markdown ready to convert: authoring comments and a template's empty sections
    dropped, list items separated as GitHub reads them (customer data is masked before, in every text
    of the archive: archive/privacy.py).

    The conversion (raw HTML shown as text, links and images re-pointed, the sanitizer) is
    `site/prose.py`'s, on the whole text: nothing here guesses where Markdown's code begins.
    """
    return separate_list_items(drop_empty_sections(drop_comments(body)))


class Lookup(dict):  # type: ignore[type-arg]
    """A dict that computes a missing key once: labels for the templates rendered for every ticket."""

    def __init__(self, compute: Callable[[Any], Any]) -> None:
        super().__init__()
        self.compute = compute

    def __missing__(self, key: Any) -> Any:
        value = self[key] = self.compute(key)
        return value


class SiteRenderer:
    """Prepares the context of every page and renders it with the archive's templates."""

    def __init__(self, archive: Archive, env: Any, history: Any = None, stats: dict[str, Any] | None = None,
                 today: date | None = None, directory_urls: bool = True,
                 on_page: Callable[[Page], None] | None = None, now: datetime | None = None,
                 prose: Prose | None = None, similar: Neighbours | None = None,
                 masker: Masker | None = None, child_writer: Callable[[], Any] | None = None,
                 jobs: int | None = None) -> None:
        self.archive, self.env, self.history, self.stats = archive, env, history, stats or {}
        # document text -> sanitized HTML, with the Markdown extensions of the archive's mkdocs.yml
        self.prose = prose or Prose.for_site(archive.root / "mkdocs.yml")
        self.pages_of = {d.path: ticket_page(d.id) for d in archive.tickets.values()}
        self.pages_of.update({d.path: article_page(d.id) for d in archive.articles.values()})
        self.directory_urls = directory_urls  # mkdocs.yml's use_directory_urls: links in tsgen's own HTML
        self.on_page = on_page  # given each page as soon as it is rendered (site.DocsWriter.put); the
        # rendered result then keeps only the pages' paths
        self.config = archive.config
        self.lang = self.config.language
        # Customer names and contacts: masked once, here, in every text of every document (titles, tags and
        # so tag pages and their URLs, fields, log, bodies), before any escaping or Markdown (section 4)
        self.masker = masker if masker is not None else Masker.of(archive, self.lang)  # serve: one that remembers
        self.archive = archive = self.masker.published(archive)
        # the files beside the documents that the site publishes, by the (masked) path bodies link them
        self.published_files = {self.masker.path(rel) for rel, _ in archive.assets
                                if posixpath.splitext(rel)[1].lower() in PUBLISHED_SUFFIXES}
        self.tz = self.config.tz
        self.t = translator(self.lang)
        # "now" of the build: when an unanswered ticket's SLA target is judged (archive/sla.py)
        self.now = now or datetime.now(self.tz)
        self.today = today or self.now.astimezone(self.tz).date()
        self.facts = {f.ticket.id: f for f in metrics.ticket_facts(archive, self.now)}
        self.out = Rendered()
        # lb[key], ch[key][value], tr[key]: L(key), C(key, value), t(key) as lookups (see ticket-head.html.j2)
        self.tables = {"lb": Lookup(self._label), "tr": Lookup(self.t),
                       "ch": Lookup(lambda key: Lookup(lambda value: self._choice(key, value)))}
        self.ids = id_pattern(self.config.id_prefix)  # ids mentioned in text link to their pages
        self.tag_pages = {tag for t in archive.tickets.values() for tag in t.tags}  # tags with a listing page
        self.similar = similar  # similar cases of every page (search.similar); computed in render() if not given
        # with on_page: a writer for a forked child's pages (DocsWriter.direct), and how many processes
        # render the ticket pages (site/forked.py; default: the CPU cores, at most 4)
        self.child_writer, self.jobs = child_writer, jobs
        self._pending: Any = None  # the forked renderers' shares, until they are joined
        self._rest_done = False

    # --- helpers shared by the templates ---

    def _page(self, path: str, template: str, **ctx: Any) -> None:
        page_dir = posixpath.dirname(path)

        def rel(target: str) -> str:
            return relative(target, page_dir)

        def url(target: str) -> str:
            return url_between(target, path, self.directory_urls)

        def href(doc_id: str) -> str | None:
            target = self._doc_page(doc_id)
            return url(target) if target and target != path else None

        def links(value: object) -> Any:  # a front-matter value as escaped text, the ids it mentions as links
            return html_links(value, self.ids, href)

        def tag_url(tag: str) -> str | None:
            return iri(url(tag_page(tag))) if tag in self.tag_pages else None

        text = self.env.get_template(template).render(
            t=self.t, lang=self.lang, rel=rel, url=url, L=self._label, C=self._choice, dt=self._dt, dur=self._dur,
            page_path=path, site_name=self.config.site_name, links=links, tag_url=tag_url, **self.tables, **ctx)
        if ctx.get("parts") and "\ntsgen_parts:" not in text.split("\n---\n", 1)[0]:
            text = inline_parts(text, ctx["parts"])  # a page template of the archive's own, from before tsgen_parts
        page = Page(path, text)
        if self.on_page is None:
            self.out.pages.append(page)
        else:  # the writer has the text now; keeping every page's text too cost ~100 MB at 10,000 tickets
            self.on_page(page)
            self.out.pages.append(Page(path, ""))

    def _doc_page(self, doc_id: str) -> str | None:
        """The page of a ticket or article id, None when there is none."""
        if doc_id in self.archive.tickets:
            return ticket_page(doc_id)
        if doc_id in self.archive.articles:
            return article_page(doc_id)
        return None

    def _mentions(self, source: str) -> Callable[[str], str]:
        """The Markdown of the document at `source` -> the same with the ids it mentions linked, outside
        code: links to the other document's file, relative to `source`, as an author would write them
        (the conversion, `_prose`/`_link`, points them at the pages). The label is the id itself, so no
        text becomes markup; the sanitizer sees the result anyway."""
        src_dir = posixpath.dirname(source) or "."

        def target(doc_id: str) -> str | None:
            doc = self.archive.tickets.get(doc_id) or self.archive.articles.get(doc_id)
            if doc is None or doc.path == source:
                return None
            return quote(posixpath.relpath(doc.path, src_dir))

        def linked(text: str) -> str:
            return "".join(piece if code else markdown_links(piece, self.ids, target) for piece, code in chunks(text))

        return linked

    def _similar(self, kind: str, doc_id: str, linked: list[str]) -> dict[str, list[dict[str, Any]]]:
        """The similar articles and tickets a page lists (see search.similar.Neighbours.for_page)."""
        if self.similar is None:
            return {"kb": [], "tickets": [], "linked": []}
        arts, tickets = self.similar.for_page(kind, doc_id, linked)
        return {"kb": [{"id": m.id, "title": self.archive.articles[m.id].title, "page": article_page(m.id)} for m in arts],
                "tickets": [{**self.row(self.archive.tickets[m.id]), "status_value": self.archive.tickets[m.id].status}
                            for m in tickets], "linked": linked}

    def _label(self, key: str, kind: str = "ticket") -> str:
        return label(kind, key, self.lang)

    def _choice(self, key: str, value: str | None, kind: str = "ticket") -> str:
        return choice_label(kind, key, value, self.lang)

    def _dt(self, moment: datetime | date | None) -> str:
        if isinstance(moment, datetime):
            return format_datetime(moment, self.tz)
        return format_date(moment)

    def _dur(self, minutes: float | None) -> str:
        return format_minutes(minutes, self.lang)

    def row(self, ticket: Ticket) -> dict[str, Any]:
        """What a listing shows of a ticket."""
        return {"id": ticket.id, "title": ticket.title, "page": ticket_page(ticket.id),
                "type": self._choice("type", ticket.type), "priority": ticket.priority,
                "status": self._choice("status", ticket.status), "created": self._dt(ticket.created),
                "kb": self.archive.ticket_kb.get(ticket.id, [])}

    def sla(self, ticket: Ticket) -> dict[str, Any]:
        """The SLA badge: archive/sla.py's state (met, breached, waiting, none), told apart when unanswered."""
        s = self.facts[ticket.id].sla
        key = {"none": "sla_none", "met": "sla_met", "waiting": "sla_waiting",
               "breached": "sla_breached" if s.responded else "sla_unanswered"}[s.state]
        return {"state": s.state, "text": self.t(key), "target": s.target, "responded": s.responded}

    # --- pages ---

    def render(self) -> Rendered:
        tickets = self.archive.tickets_sorted()
        newest = list(reversed(tickets))
        rest: Any = None
        try:
            if hasattr(self.similar, "wait"):  # still being found (site/build.py): first the pages without them
                rest = self._rest_forked(tickets, newest)  # in a forked process, if there are cores for it
                if rest is None:
                    self._pages_without_similar(tickets, newest)
                self.similar = self.similar.wait()
            elif self.similar is None:
                self.similar = SimilarIndex(self.archive).all_pages()
            join = self._tickets(tickets)  # forked renderers may still be at it while the rest renders here
            for article in sorted(self.archive.articles.values(), key=lambda a: a.id):
                self._article(article)
            if not self._rest_done:
                self._pages_without_similar(tickets, newest)
            join()
            if rest is not None:
                self._rest_joined(rest.result())
        except BaseException:
            for pending in (self._pending, self.similar, rest):
                if hasattr(pending, "cancel"):
                    pending.cancel()
            raise
        return self.out

    def _rest_forked(self, tickets: list[Ticket], newest: list[Ticket]) -> Any:
        """`_pages_without_similar` in a forked process (site/forked.py) writing its pages itself, while this
        one waits for the similar cases and renders the ticket pages; None where nothing is forked."""
        if self.child_writer is None or self.on_page is None or forked.workers(self.jobs) < 2 or \
                len(tickets) < forked.MIN_PER_WORKER:
            return None
        self._rest_done = True

        def job() -> dict[str, Any]:
            writer = self.child_writer()
            self.on_page, self.prose.unformatted, self.out = writer.put, [], Rendered()
            self._pages_without_similar(tickets, newest)
            writer.close()
            return {"pages": [p.path for p in self.out.pages], "nav": self.out.nav, "stats": self.stats,
                    "assets": self.out.assets, "unpublished": self.out.unpublished,
                    "unformatted": self.prose.unformatted}

        return forked.Background(job, self.jobs)

    def _rest_joined(self, done: dict[str, Any]) -> None:
        """What the forked process of `_rest_forked` rendered, as if it had been rendered here."""
        self.out.pages += [Page(path, "") for path in done["pages"]]
        self.out.nav, self.stats = done["nav"], done["stats"]
        self.out.assets += done["assets"]
        self.out.unpublished += done["unpublished"]
        self.prose.unformatted += done["unformatted"]

    def _pages_without_similar(self, tickets: list[Ticket], newest: list[Ticket]) -> None:
        """Listings, KB indexes, statistics, contributors, home, the search page and the assets; done once
        they all are (a try stopped midway, as `tsgen serve` stops one for the next save, is not done)."""
        self._listings(newest)
        self._kb_indexes()
        if tickets:
            from tsgen.site.render_stats import StatsPages

            stats = StatsPages(self, self.archive)
            self.out.nav = stats.render()
            self.stats = {"total": stats.total}
        self._contributors()
        self._home(newest)
        self._search_page()
        self._assets()
        self._rest_done = True

    def _tickets(self, tickets: list[Ticket]) -> Callable[[], None]:
        """Every ticket's page; with `child_writer`, shared with forked copies of this process (site/forked.py),
        each writing its pages itself. Returns what completes it, to be called once the parent's other
        pages are rendered too: it waits for the children. The pages are listed in ticket order either way."""
        if self.child_writer is None or self.on_page is None:
            for ticket in tickets:
                self._ticket(ticket)
            return lambda: None
        start = len(self.out.pages)

        def share(part: Sequence[Ticket]) -> list[tuple[str, str]]:  # in a child: its pages go straight to files
            writer = self.child_writer()
            self.on_page, self.prose.unformatted = writer.put, []
            for ticket in part:
                self._ticket(ticket)
            writer.close()
            return self.prose.unformatted

        # this process renders the articles (and the listings and statistics, unless done) meanwhile: a smaller share
        shares = forked.Shares(tickets, share, self.jobs, mine=0.8 if not self._rest_done else 0.9)
        try:
            for ticket in shares.mine:
                self._ticket(ticket)
        except BaseException:
            shares.cancel()
            raise
        mine = len(self.out.pages) - start

        def join() -> None:
            try:
                for unformatted in shares.join():
                    self.prose.unformatted += unformatted or []
            finally:
                shares.cancel()
            self.out.pages[start:start + mine] = [Page(ticket_page(t.id), "") for t in tickets]

        self._pending = shares  # stopped by render() if anything fails before join
        return join

    def _ticket(self, ticket: Ticket) -> None:
        path = ticket_page(ticket.id)
        f = self.facts[ticket.id]
        arch = self.archive
        kb_ids = [k for k in arch.ticket_kb.get(ticket.id, []) if k in arch.articles]
        linked = [*kb_ids, *arch.related_back.get(ticket.id, []), *arch.duplicates.get(ticket.id, []),
                  *([ticket.duplicate_of] if ticket.duplicate_of else [])]
        self._page(path, "site/ticket.md.j2", tk=ticket, facts=f, sla=self.sla(ticket),
                   kb=[(k, arch.articles[k].title) for k in kb_ids], similar=self._similar("ticket", ticket.id, linked),
                   # a duplicate that also relates is listed once, under duplicates
                   related=[self.row(arch.tickets[i]) for i in arch.related_back.get(ticket.id, [])
                            if i not in arch.duplicates.get(ticket.id, ()) and i != ticket.duplicate_of],
                   duplicates=[self.row(arch.tickets[i]) for i in arch.duplicates.get(ticket.id, [])],
                   original=self.row(arch.tickets[ticket.duplicate_of]) if ticket.duplicate_of in arch.tickets else None,
                   body=self._prose(self._mentions(ticket.path)(safe_body(ticket.body)), ticket.path, path,
                                    demote=True, parts=(parts := [])), parts=parts,
                   environment=ticket.environment, department=ticket.customer.get("department", ""),
                   history=self._history(ticket.path), specs=TICKET_SPEC)

    def _article(self, article: Article) -> None:
        path = article_page(article.id)
        back = self.archive.kb_backlinks.get(article.id, [])
        # an article's page lists its newest LISTING_LIMIT tickets; all of them are a listing in parts
        # (lists/kb/<id>), so the article page does not grow with the archive
        linked = [self.row(self.archive.tickets[i]) for i in back[:LISTING_LIMIT]]
        more = f"lists/kb/{article.id}.md" if len(back) > LISTING_LIMIT else ""
        self._page(path, "site/article.md.j2", a=article, linked=linked, linked_total=len(back), linked_more=more,
                   review_due=self._review_due(article), similar=self._similar("kb", article.id, back),
                   body=self._prose(self._mentions(article.path)(safe_body(article.body)), article.path, path,
                                    parts=(parts := [])), parts=parts,
                   history=self._history(article.path))
        if more:
            self._paged_listing(f"lists/kb/{article.id}", f"{article.id} {article.title}{self.t('colon')}"
                                f"{self.t('linked_tickets')}", [self.archive.tickets[i] for i in back])

    def _prose(self, text: str, source: str, page: str, demote: bool = False, parts: list[str] | None = None) -> str:
        """A document's Markdown as sanitized page content, its relative links pointing from `page`; with
        `parts`, its HTML blocks go there (the page's front matter `tsgen_parts`) and the content holds
        the headings and a marker for each (site/prose.py `layout`)."""
        return self.prose.page(text, lambda url: self._link(url, source, page), demote=demote, parts=parts,
                               source=source)

    def _link(self, url: str, source: str, page: str) -> str:
        """A relative URL written in the document at `source` as it must read on `page` (as MkDocs would
        write it): a ticket or article by its page, any other file (an image) by its copied path."""
        parts = urlsplit(url)
        if parts.scheme or parts.netloc or not parts.path or parts.path.startswith("/"):
            return url
        target = posixpath.normpath(posixpath.join(posixpath.dirname(source), unquote(parts.path)))
        if target.startswith("../") or target == "..":
            return url  # outside the archive: not published (validate reports it)
        if target in self.pages_of:
            new = url_between(self.pages_of[target], page, self.directory_urls)
        elif target not in self.published_files:
            return url  # not a page or a published file: left as written (and to the sanitizer)
        else:
            own = page_url(page, self.directory_urls)
            folder = own.rstrip("/") if own.endswith("/") else posixpath.dirname(own)
            new = relative(target, "" if folder in (".", "") else folder)
            new = quote(new)  # a space or a Chinese file name, percent-encoded as MkDocs would
        return new + (f"?{parts.query}" if parts.query else "") + (f"#{parts.fragment}" if parts.fragment else "")

    def _review_due(self, article: Article) -> bool:
        return article.review_by is not None and article.review_by < self.today

    def _history(self, source: str) -> Any:
        if self.history is None:
            return None
        return self.history.files.get(source)

    def _listing(self, path: str, title: str, groups: list[tuple[str, list[Ticket]]], note: str = "",
                 limit: int | None = None, more: list[str] | None = None) -> None:
        """A page of ticket tables; with `limit`, each group shows only its newest tickets and links
        to `more[i]`, the group's whole (paginated) listing."""
        shown = [(name, rows if limit is None else rows[:limit], len(rows), more[i] if more else "")
                 for i, (name, rows) in enumerate(groups)]
        self._page(path, "site/listing.md.j2", title=title, note=note, part=None,
                   groups=[(name, [self.row(t) for t in rows], total, link) for name, rows, total, link in shown])

    def _paged_listing(self, base: str, title: str, rows: list[Ticket], note: str = "") -> None:
        """One listing of every ticket in `rows`, in parts of a fixed size (site/paginate.py): `base`.md,
        `base`/2.md, …, each with the count, its range and links to the other parts."""
        for part, chunk in split(base, rows):
            part_title = title if part.number == 1 else \
                f"{title}{self.t('lparen')}{self.t('part_title') % part.number}{self.t('rparen')}"
            self._page(part.path, "site/listing.md.j2", title=part_title, note=note, part=part,
                       groups=[("", [self.row(t) for t in chunk], part.total, "")])

    def _listings(self, newest: list[Ticket]) -> None:
        def by(key: str) -> list[tuple[str, list[Ticket]]]:
            spec = TICKET_SPEC[key]
            groups: dict[str, list[Ticket]] = {c.value: [] for c in spec.choices}
            for t in newest:
                groups[getattr(t, key)].append(t)
            return [(self._choice(key, value), rows) for value, rows in groups.items()]

        # Type, priority and status pages list every value's newest tickets (the month archive and
        # the tag pages hold every ticket): a table of every ticket, three times over, helps nobody
        # at 10,000 tickets and triples the site's build time. Open tickets are always listed whole.
        # Each page of every listing is bounded (issue 12): the type, priority and status pages show
        # every value's newest tickets and link to that value's whole listing; the whole listings, the
        # month archive, the tag pages and knowledge debt are split into parts of PART_ROWS tickets.
        for key, page, title in (("type", "lists/type.md", "by_type"), ("priority", "lists/priority.md", "by_priority"),
                                 ("status", "lists/status.md", "by_status")):
            values = [c.value for c in TICKET_SPEC[key].choices]
            groups = by(key)
            bases = [f"lists/{key}/{value}" for value in values]
            self._listing(page, self.t(title), groups, limit=LISTING_LIMIT, more=[f"{b}.md" for b in bases])
            for base, (name, rows) in zip(bases, groups):
                self._paged_listing(base, f"{self.t(title)}{self.t('colon')}{name}", rows)
        months: dict[str, list[Ticket]] = defaultdict(list)
        for t in newest:
            months[period_key(t.created, "month", self.tz)].append(t)
        for month, rows in months.items():
            self._paged_listing(f"lists/month/{month}", f"{self.t('by_month')}：{month}" if self.lang == "zh"
                                else f"{self.t('by_month')}: {month}", rows)
        tags: dict[str, list[Ticket]] = defaultdict(list)
        for t in newest:
            for tag in dict.fromkeys(t.tags):
                tags[tag].append(t)
        for tag, rows in tags.items():
            self._paged_listing(f"lists/tag/{tag_slug(tag)}", f"{self.t('by_tag')}：{tag}" if self.lang == "zh"
                                else f"{self.t('by_tag')}: {tag}", rows)
        debt = [t for t in newest if self.archive.in_knowledge_debt(t)]
        self._paged_listing("lists/debt", self.t("debt"), debt, note=self.t("debt_note"))
        self._page("lists/index.md", "site/lists-index.md.j2",
                   months=sorted(((m, len(r)) for m, r in months.items()), reverse=True),
                   tags=sorted(((tag, tag_slug(tag), len(r)) for tag, r in tags.items()), key=lambda x: (-x[2], x[0])),
                   debt=len(debt))

    def _kb_indexes(self) -> None:
        arts = sorted(self.archive.articles.values(), key=lambda a: a.id)
        uses = {a.id: len(self.archive.kb_backlinks.get(a.id, [])) for a in arts}
        tags: dict[str, list[Article]] = defaultdict(list)
        for a in arts:
            for tag in (a.tags or [self.t("unknown")]):
                tags[tag].append(a)
        due = [a for a in arts if self._review_due(a)]
        self._page("kb/index.md", "site/kb-index.md.j2", articles=arts, uses=uses,
                   tags=sorted(tags.items(), key=lambda x: (-len(x[1]), x[0])), due=due)
        self._page("kb/review.md", "site/kb-review.md.j2", due=due, today=self.today)

    def _queue(self) -> dict[str, Any]:
        """The queue of `tsgen queue`, as the home page shows it (the first QUEUE_LIMIT), stamped with the build time."""
        now = self.now  # the one moment of this build, as the SLA facts (a rebuild at the same `now` is identical)
        entries = build_queue(self.archive, now)
        rows = [{"id": e.id, "title": e.title, "page": ticket_page(e.id), "priority": e.priority,
                 "status": self._choice("status", e.status), "age": self._dur(e.age_minutes),
                 "assignee": e.assignee or "", "kb": e.kb,
                 "response": e.response, "response_in": self._dur(e.response_minutes),
                 "escalation": e.escalation, "escalation_in": self._dur(e.escalation_minutes)}
                for e in entries[:QUEUE_LIMIT]]
        return {"queue": rows, "queue_total": len(entries), "built": format_datetime(now, self.tz)}

    def _home(self, newest: list[Ticket]) -> None:
        arch = self.archive
        uses = Counter({k: len(v) for k, v in arch.kb_backlinks.items() if v})
        self._page("index.md", "site/home.md.j2", **self._queue(),
                   n_tickets=len(arch.tickets), n_articles=len(arch.articles),
                   recent=[self.row(t) for t in newest[:10]],
                   n_open=sum(t.status != "resolved" for t in newest),
                   top=[(k, arch.articles[k].title, n) for k, n in uses.most_common(10)],
                   total=self.stats.get("total"), has_stats=bool(self.stats))

    def _contributors(self) -> None:
        """Articles written and tickets closed per engineer, when git history is available."""
        if self.history is None or not self.history.files:
            return
        from tsgen.repo.history import contributors_summary

        people = contributors_summary(self.history, self.archive)
        self._page("contributors.md", "site/contributors.md.j2", people=people,
                   titles={a.id: a.title for a in self.archive.articles.values()})

    def _search_page(self) -> None:
        """search/?q=...: the form, filters and results list that assets/tsgen-search.js fills (tsgen/search/)."""
        from tsgen.site.search import SCRIPT, SEARCH_PAGE, search_labels
        from tsgen.templating import DEFAULTS

        filters = [("kind", self.t("search_kind")), ("type", self._label("type")),
                   ("priority", self._label("priority")), ("status", self._label("status")),
                   ("tag", self._label("tags")), ("version", self.t("search_version")),
                   ("year", self.t("search_year")), ("month", self.t("search_month"))]
        self._page(SEARCH_PAGE, "site/search.md.j2", filters=filters, labels=search_labels(self.lang))
        own = self.archive.root / "templates" / SCRIPT
        self.out.assets.append((own if own.is_file() else DEFAULTS / SCRIPT, SCRIPT))

    def _assets(self) -> None:
        # only the files the loader's scan found readable (archive/files.py): never a symlink that
        # leads outside the archive; named as the masked bodies link them; only inert file types
        for rel, real in self.archive.assets:
            if posixpath.splitext(rel)[1].lower() not in PUBLISHED_SUFFIXES:
                self.out.unpublished.append(rel)
                continue
            self.out.assets.append((real, self.masker.path(rel)))
