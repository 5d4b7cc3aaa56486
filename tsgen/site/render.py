"""Archive (+ history, + statistics) -> the Markdown pages and assets of the site, as plain data.

Nothing here touches the disk: `site/mkdocs.py` writes the pages and runs MkDocs. Page layout lives in
templates/site/*.md.j2; this module only prepares what the templates show.
"""

from __future__ import annotations

import posixpath
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from datetime import date, datetime
from pathlib import Path
from typing import Any, Callable
from urllib.parse import quote


from tsgen.stats import metrics
from tsgen.archive.body import IMAGE, chunks, drop_comments, is_local_file
from tsgen.archive.clock import period_key
from tsgen.site.paginate import split
from tsgen.site.i18n import format_date, format_datetime, format_minutes, translator
from tsgen.archive.model import Archive, Article, Ticket
from tsgen.archive.schema import TICKET_SPEC, choice_label, label

_TAG_OPEN = re.compile(r"<(?=[A-Za-z!/?])")
_HEADING = re.compile(r"^(#{1,5}[ \t])", re.MULTILINE)


LISTING_LIMIT = 100  # newest tickets per group on the type, priority and status pages (each links to the whole)


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


def tag_slug(tag: str) -> str:
    """A file name for a tag page: the tag itself where safe (Chinese is fine), else hex."""
    slug = re.sub(r"[\\/:*?\"<>|#%&{}\s]+", "-", tag).strip("-.")
    return slug or tag.encode().hex()


def safe_body(body: str, source: str, page: str, secrets: list[str], demote: bool = False) -> str:
    """A narrative made safe to publish: raw HTML escaped, image paths re-pointed, personal data masked.

    With `demote`, headings move one level down so the narrative nests under the page's own section.
    """
    src_dir = posixpath.dirname(source)
    page_dir = posixpath.dirname(page)

    def repoint(m: re.Match[str]) -> str:
        target = m.group(2)
        if not is_local_file(target):
            return m.group(0)
        return m.group(1) + posixpath.relpath(posixpath.normpath(posixpath.join(src_dir, target)), page_dir)

    def publish(text: str) -> str:
        text = _TAG_OPEN.sub("&lt;", text)
        text = IMAGE.sub(repoint, text)
        return _HEADING.sub(r"#\1", text) if demote else text

    text = "".join(piece if code else publish(piece) for piece, code in chunks(drop_comments(body)))
    for secret in secrets:
        text = text.replace(secret, "***")
    return text


def secrets_of(ticket: Ticket) -> list[str]:
    """The customer's name and contact as written: never published, masked wherever they appear."""
    values = [ticket.customer.get("name", ""), ticket.customer.get("contact", "")]
    return sorted({v for v in values if len(v.strip("*")) >= 1 and len(v) >= 2}, key=len, reverse=True)


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
                 on_page: Callable[[Page], None] | None = None) -> None:
        self.archive, self.env, self.history, self.stats = archive, env, history, stats or {}
        self.directory_urls = directory_urls  # mkdocs.yml's use_directory_urls: links in tsgen's own HTML
        self.on_page = on_page  # given each page as soon as it is rendered (site.DocsWriter.put); the
        # rendered result then keeps only the pages' paths
        self.config = archive.config
        self.lang = self.config.language
        self.tz = self.config.tz
        self.t = translator(self.lang)
        self.today = today or datetime.now(self.tz).date()
        self.facts = {f.ticket.id: f for f in metrics.ticket_facts(archive)}
        self.out = Rendered()
        # lb[key], ch[key][value], tr[key]: L(key), C(key, value), t(key) as lookups (see ticket-head.html.j2)
        self.tables = {"lb": Lookup(self._label), "tr": Lookup(self.t),
                       "ch": Lookup(lambda key: Lookup(lambda value: self._choice(key, value)))}

    # --- helpers shared by the templates ---

    def _page(self, path: str, template: str, **ctx: Any) -> None:
        page_dir = posixpath.dirname(path)

        def rel(target: str) -> str:
            return relative(target, page_dir)

        def url(target: str) -> str:
            return url_between(target, path, self.directory_urls)

        text = self.env.get_template(template).render(
            t=self.t, lang=self.lang, rel=rel, url=url, L=self._label, C=self._choice, dt=self._dt, dur=self._dur,
            page_path=path, site_name=self.config.site_name, **self.tables, **ctx)
        page = Page(path, text)
        if self.on_page is None:
            self.out.pages.append(page)
        else:  # the writer has the text now; keeping every page's text too cost ~100 MB at 10,000 tickets
            self.on_page(page)
            self.out.pages.append(Page(path, ""))

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
        f = self.facts[ticket.id]
        if f.sla_target is None:
            return {"state": "none", "text": self.t("sla_none"), "target": None}
        return {"state": "met" if f.sla_met else "breached",
                "text": self.t("sla_met") if f.sla_met else self.t("sla_breached"), "target": f.sla_target}

    # --- pages ---

    def render(self) -> Rendered:
        tickets = self.archive.tickets_sorted()
        newest = list(reversed(tickets))
        for ticket in tickets:
            self._ticket(ticket)
        for article in sorted(self.archive.articles.values(), key=lambda a: a.id):
            self._article(article)
        self._listings(newest)
        self._kb_indexes()
        if tickets:
            from tsgen.site.render_stats import StatsPages

            stats = StatsPages(self, self.archive)
            self.out.nav = stats.render()
            self.stats = {"total": stats.total}
        self._contributors()
        self._home(newest)
        self._assets()
        return self.out

    def _ticket(self, ticket: Ticket) -> None:
        path = ticket_page(ticket.id)
        f = self.facts[ticket.id]
        arch = self.archive
        self._page(path, "site/ticket.md.j2", tk=ticket, facts=f, sla=self.sla(ticket),
                   kb=[(k, arch.articles[k].title) for k in arch.ticket_kb.get(ticket.id, []) if k in arch.articles],
                   related=[self.row(arch.tickets[i]) for i in arch.related_back.get(ticket.id, [])],
                   duplicates=[self.row(arch.tickets[i]) for i in arch.duplicates.get(ticket.id, [])],
                   original=self.row(arch.tickets[ticket.duplicate_of]) if ticket.duplicate_of in arch.tickets else None,
                   body=safe_body(ticket.body, ticket.path, path, secrets_of(ticket), demote=True),
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
                   review_due=self._review_due(article),
                   body=safe_body(article.body, article.path, path, []), history=self._history(article.path))
        if more:
            self._paged_listing(f"lists/kb/{article.id}", f"{article.id} {article.title}{self.t('colon')}"
                                f"{self.t('linked_tickets')}", [self.archive.tickets[i] for i in back])

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

    def _home(self, newest: list[Ticket]) -> None:
        arch = self.archive
        uses = Counter({k: len(v) for k, v in arch.kb_backlinks.items() if v})
        self._page("index.md", "site/home.md.j2",
                   n_tickets=len(arch.tickets), n_articles=len(arch.articles),
                   recent=[self.row(t) for t in newest[:10]],
                   open=[self.row(t) for t in newest if t.status != "resolved"][:20],
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

    def _assets(self) -> None:
        root = self.archive.root
        for folder in ("kb", "tickets"):
            base = root / folder
            if not base.is_dir():
                continue
            for path in base.rglob("*"):
                if path.is_file() and path.suffix.lower() != ".md" and not path.name.startswith("."):
                    rel = path.relative_to(root).as_posix()
                    self.out.assets.append((path, rel))
