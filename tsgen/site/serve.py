"""`tsgen serve`: a live preview that follows each save in about a second, even at 10,000 tickets.

One process, one loop (MkDocs' own LiveReloadServer: it serves the site, watches tickets/, kb/,
templates/ and mkdocs.yml with inotify where the system has it, waits until a burst of file events
is over, calls `Preview.update` once, then reloads the browsers). The first update builds
everything (as `tsgen build` does, plus the search index); after that, `update` does only what a
save needs, and says in the terminal what it rebuilt and how long each step took:

1. find the changed files by size and modification time (one walk of tickets/ and kb/); a file
   whose bytes are the same as at its last build (an editor that writes a file twice) is no change;
2. load again: only the changed files are read and validated (`load_archive`'s cache), the links
   are resolved over the whole archive; customer names and contacts are masked again only in the
   changed documents (and in every document when the set of names changed: then the documents
   whose masked text changed count as changed);
3. render only the pages whose inputs changed: the changed documents' pages; when what other pages
   show of a document changed (its row in a listing: title, type, priority, status, created,
   KB links; its relations), the pages that show it (related and duplicate tickets, linked KB
   articles, the pages that list it as a similar case) and the listing parts it is in (a listing
   whose set of tickets changed is rendered whole);
4. MkDocs builds only the pages whose Markdown text changed, with its configuration, files,
   navigation and theme kept in memory (its page build, not a whole `mkdocs build`); `update`
   returns and the server reloads the browsers;
5. then, in a thread, the statistics, home and index pages are rendered and the changed ones built;
   the next save does not wait for this step: it stops at its next page and the next update does it.

A change of mkdocs.yml or templates/, or of the navigation, rebuilds everything. When the archive
has errors, the last good pages stay; the errors are printed, and each page whose file has an error
gets a banner listing them. Search in the preview uses the index of the last full build (the
terminal says so after each save); `tsgen build` indexes anew. A page that mentions the id of a
ticket created or removed while serving links it (or not) after the next full build.
"""

from __future__ import annotations

import dataclasses
import hashlib
import html
import os
import shutil
import threading
import time
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from tsgen.archive.link import load_archive
from tsgen.archive.model import Archive, Article, Problem, Ticket
from tsgen.archive.privacy import Masker
from tsgen.archive.problems import format_problems
from tsgen.config import Config, load_config
from tsgen.errors import TsgenError
from tsgen.repo.history import read_history
from tsgen.search.similar import KEEP, Match, Neighbours, document_text, fill_page
from tsgen.site.build import InvalidArchive, generate, index_search
from tsgen.site.docs_writer import write_batch
from tsgen.site.minify import dest_of
from tsgen.site.mkdocs import build_paths, directory_urls, navigation, quiet_jieba, write_config
from tsgen.site.paginate import part_path, split
from tsgen.site.prose import Prose
from tsgen.site.render import Page, SiteRenderer, article_page, ticket_page
from tsgen.site.sanitize import PUBLISHED_SUFFIXES
from tsgen.templating import environment

WATCHED = ("tickets", "kb", "templates", "mkdocs.yml")
SERVE_SITE = "serve-site"


def _sources(root: Path) -> dict[str, tuple[int, int]]:
    """(size, mtime) of mkdocs.yml and every file under templates/: a change there rebuilds everything."""
    found: dict[str, tuple[int, int]] = {}
    for path in [root / "mkdocs.yml", *sorted((root / "templates").rglob("*"))]:
        if path.is_file():
            st = path.stat()
            found[path.relative_to(root).as_posix()] = (st.st_size, st.st_mtime_ns)
    return found


def _snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """(size, mtime) of every file under tickets/ and kb/ (documents and the files beside them): one walk, no reads."""
    found: dict[str, tuple[int, int]] = {}
    for top in ("tickets", "kb"):
        for folder, dirs, names in os.walk(root / top):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))  # hidden: never read (archive/files.py)
            rel = Path(folder).relative_to(root).as_posix()
            for name in names:
                if not _relevant(name):
                    continue
                try:
                    st = os.stat(os.path.join(folder, name))
                except OSError:
                    continue
                found[f"{rel}/{name}"] = (st.st_size, st.st_mtime_ns)
    return found


def _relevant(name: str) -> bool:
    """A document or a file the site may publish; not an editor's swap, backup or temporary file
    (vim writes its .swp every few seconds: that must not rebuild anything)."""
    if name.startswith(".") or name.endswith("~"):
        return False
    suffix = os.path.splitext(name)[1].lower()
    return suffix == ".md" or suffix in PUBLISHED_SUFFIXES


def _digest(root: Path, path: str) -> str:
    try:
        return hashlib.sha1((root / path).read_bytes()).hexdigest()
    except OSError:
        return ""


def banner(page_text: str, problems: list[Problem]) -> str:
    """A page's Markdown with the validation errors of its file on top (escaped: they quote the file)."""
    items = "".join(f"<li>{html.escape(p.format())}</li>" for p in problems)
    box = (f'<div class="admonition danger tsgen-errors"><p class="admonition-title">'
           f"{len(problems)} error{'s' * (len(problems) != 1)}: this page shows the last version without "
           f"errors</p><ul>{items}</ul></div>\n\n")
    if page_text.startswith("---\n") and "\n---\n" in page_text[4:]:
        end = page_text.index("\n---\n", 4) + 5
        return page_text[:end] + "\n" + box + page_text[end:]
    return box + page_text


# --- what a page shows of a document ---

def _ticket_sig(arch: Archive, t: Ticket | None) -> Any:
    """What other pages show of a ticket (its row in a listing, its links): when equal, only its own page changes."""
    if t is None:
        return None
    return (t.title, t.type, t.priority, t.status, t.created, tuple(arch.ticket_kb.get(t.id, [])),
            tuple(arch.related_back.get(t.id, [])), tuple(arch.duplicates.get(t.id, [])), t.duplicate_of,
            tuple(t.tags))


def _article_sig(a: Article | None) -> Any:
    """What other pages show of an article (its title on the ticket pages, whether it is suggested)."""
    return None if a is None else (a.title, a.status)


@dataclasses.dataclass
class _Plan:
    """The pages of one incremental update: ticket and article pages, and the tickets whose rows changed."""

    tickets: set[str]
    articles: set[str]
    rows: set[str]
    later: set[str] = dataclasses.field(default_factory=set)  # ticket pages for the second step


LATER = 30  # an article's new title on more ticket pages than this: those pages follow in the second step


class _MemoMasker(Masker):
    """A Masker that masks a document once and reuses the result while the document object is the same
    (the load cache keeps the object of an unchanged file) and the names and contacts are the same."""

    memo: dict[str, tuple[Any, Any]]

    def _memo(self, doc: Any, mask: Callable[[Any], Any]) -> Any:
        hit = self.memo.get(doc.path)
        if hit is not None and hit[0] is doc:
            return hit[1]
        masked = mask(doc)
        self.memo[doc.path] = (doc, masked)
        return masked

    def published(self, archive: Archive) -> Archive:
        return dataclasses.replace(archive, tickets={k: self._memo(t, self.ticket) for k, t in archive.tickets.items()},
                                   articles={k: self._memo(a, self.article) for k, a in archive.articles.items()})


def _secrets_key(archive: Archive) -> tuple[frozenset[str], frozenset[str]]:
    names = frozenset(n for t in archive.tickets.values() if isinstance(n := t.customer.get("name"), str))
    contacts = frozenset(c for t in archive.tickets.values() if isinstance(c := t.customer.get("contact"), str))
    return names, contacts


class _LiveNeighbours:
    """The similar cases of the last full build, kept while serving: the changed documents get theirs
    anew (one query each against the same index); documents removed since are never suggested."""

    def __init__(self, base: Neighbours | None) -> None:
        self.base = base
        self.fresh: dict[tuple[str, str], tuple[list[Match], list[Match]]] = {}
        self.archive: Archive | None = None
        # (kind, id) of a document -> the pages ((kind, id)) that keep it among their neighbours
        self.shown_on: dict[tuple[str, str], set[tuple[str, str]]] = {}
        if base is not None:
            docs, n_t = base.index.docs, base.index.n_tickets
            key = [("ticket" if i < n_t else "kb", d.id) for i, d in enumerate(docs)]
            for table in (base.t_idx, base.kb_idx):
                for row, cols in enumerate(table.tolist()):
                    for j in cols:
                        if j >= 0:
                            self.shown_on.setdefault(key[j], set()).add(key[row])

    def refresh(self, archive: Archive, docs: Iterable[Ticket | Article]) -> None:
        self.archive = archive
        if self.base is None or not self.base.index.fitted:
            return
        for doc in docs:
            kind = "ticket" if isinstance(doc, Ticket) else "kb"
            arts, tickets = self.base.index.query(document_text(doc), limit=KEEP + 1)
            self.fresh[(kind, doc.id)] = ([m for m in arts if not (kind == "kb" and m.id == doc.id)],
                                          [m for m in tickets if not (kind == "ticket" and m.id == doc.id)])

    def for_page(self, kind: str, doc_id: str, linked: Iterable[str] = (), limit: int = 5,
                 linked_limit: int = 2) -> tuple[list[Match], list[Match]]:
        if self.base is None:
            return [], []
        arts, tickets = self.fresh.get((kind, doc_id)) or self.base.ranked(kind, doc_id)
        if self.archive is not None:
            published = self.archive.articles
            arts = [m for m in arts if m.id in published and published[m.id].status == "published"]
            tickets = [m for m in tickets if m.id in self.archive.tickets]
        known = set(linked)
        return fill_page(arts, known, limit, linked_limit), fill_page(tickets, known, limit, linked_limit)


class _Live(SiteRenderer):
    """The renderer of the preview. Without a plan it renders every page (and remembers each listing's
    tickets); with one, only the planned ticket and article pages and the listing parts whose rows
    changed, in two steps (`render_first`, then `render_rest`)."""

    def __init__(self, *args: Any, memory: "_Memory", plan: _Plan | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # one process: the preview keeps what it renders (its masker, listings) from save to save, and a
        # save renders a page or two, which a fork would only slow down
        self.child_writer = None
        self.memory, self.plan = memory, plan
        self.listings: dict[str, Any] = {}   # listing (base path) -> the ids it holds, for the next update
        self.parts: dict[str, int] = {}      # paged listing base -> its number of parts
        self.only: set[str] | None = None    # while a listing is rendered in part: the paths to render
        self.first_done = False
        self.skipped = 0

    def _page(self, path: str, template: str, **ctx: Any) -> None:
        if self.only is not None and path not in self.only:
            return
        super()._page(path, template, **ctx)

    def _ticket(self, ticket: Any) -> None:
        if self.first_done:
            if self.plan is not None and ticket.id in self.plan.later:
                super()._ticket(ticket)
            return
        if self.plan is None or ticket.id in self.plan.tickets:
            super()._ticket(ticket)

    def _article(self, article: Any) -> None:
        if self.first_done:
            return
        if self.plan is None or article.id in self.plan.articles:
            super()._article(article)

    def _listings(self, newest: list[Ticket]) -> None:
        if not self.first_done:
            super()._listings(newest)

    def _listing(self, path: str, title: str, groups: list[tuple[str, list[Ticket]]], note: str = "",
                 limit: int | None = None, more: list[str] | None = None) -> None:
        ids = tuple(tuple(t.id for t in rows) for _, rows in groups)
        self.listings[path] = ids
        if self.plan is not None and self.memory.listings.get(path) == ids and \
                not any(t.id in self.plan.rows for _, rows in groups for t in rows[:limit]):
            self.skipped += 1
            return
        super()._listing(path, title, groups, note, limit, more)

    def _paged_listing(self, base: str, title: str, rows: list[Ticket], note: str = "") -> None:
        ids = (title, note, tuple(t.id for t in rows))  # a listing's title may name an article
        self.listings[base] = ids
        parts = split(base, rows)
        self.parts[base] = len(parts)
        if self.plan is None or self.memory.listings.get(base) != ids:
            return super()._paged_listing(base, title, rows, note)
        # only the parts holding a ticket whose row changed; the rows of the others are not even made
        # (a listing of 8,000 tickets has 80 parts)
        wanted = [part for part, chunk in parts if any(t.id in self.plan.rows for t in chunk)]
        self.skipped += len(parts) - len(wanted)
        if not wanted:
            return
        self.only = {part.path for part in wanted}
        try:
            super()._paged_listing(base, title, _OnlyParts(rows, {part.first - 1 for part in wanted}), note)
        finally:
            self.only = None

    def render_first(self) -> None:
        """The planned ticket and article pages and the listings (the pages a save is looked at on)."""
        tickets = self.archive.tickets_sorted()
        for ticket in tickets:
            self._ticket(ticket)
        for article in sorted(self.archive.articles.values(), key=lambda a: a.id):
            self._article(article)
        self._listings(list(reversed(tickets)))
        self.first_done = True

    def render_rest(self) -> Any:
        """Every other page (statistics, home, indexes, search): render() with the first step's pages left out.
        Called again after a try that a new save superseded (`_Superseded`): it renders them all again."""
        self.first_done = True
        return self.render()


class _OnlyParts(Sequence):  # type: ignore[type-arg]
    """A listing's rows as SiteRenderer._paged_listing splits them (paginate.split slices them part by
    part): the same length, so the same parts, counts and paths, but a part that does not start at one
    of `starts` comes out empty to iterate, so no rows are made for the parts not rendered."""

    def __init__(self, rows: Sequence[Ticket], starts: set[int]) -> None:
        self.rows, self.starts = rows, starts

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice) and (index.start or 0) not in self.starts:
            return _Sized(len(range(*index.indices(len(self.rows)))))
        return self.rows[index]


class _Sized(Sequence):  # type: ignore[type-arg]
    """A part not rendered: its length for the counts, no rows."""

    def __init__(self, n: int) -> None:
        self.n = n

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, index: Any) -> Any:
        raise IndexError(index)

    def __iter__(self) -> Any:
        return iter(())


class _Superseded(Exception):
    """The second step of an update stops: another update is waiting."""


class _Memory:
    """What the preview remembers between updates, besides the archive."""

    def __init__(self) -> None:
        self.listings: dict[str, Any] = {}
        self.parts: dict[str, int] = {}
        self.pages: set[str] = set()          # every page path in .tsgen/docs
        self.rest: set[str] = set()           # the pages of the second step (statistics, home, ...)


class _Site:
    """MkDocs for the preview: `everything` is MkDocs' own build; then `pages` builds only the given
    pages, with MkDocs' configuration, files, navigation and theme environment kept in memory.

    This uses MkDocs' page build (mkdocs.commands.build._populate_page and _build_page, the two steps
    its own build runs for each page); where they are missing (another MkDocs), `pages` runs MkDocs'
    dirty build instead.
    """

    def __init__(self, config_file: Path, site_url: str) -> None:
        self.config_file, self.site_url = config_file, site_url
        self.cfg: Any = None
        self.files: Any = None
        self.nav: Any = None
        self.env: Any = None

    def _config(self) -> Any:
        from mkdocs.config import load_config as mkdocs_config

        cfg = mkdocs_config(str(self.config_file))
        cfg.site_url = self.site_url
        cfg.plugins.on_startup(command="serve", dirty=True)
        return cfg

    def everything(self) -> None:
        from mkdocs.commands.build import build
        from mkdocs.exceptions import MkDocsException
        from mkdocs.structure.files import get_files, set_exclusions
        from mkdocs.structure.nav import get_navigation

        self.cfg = cfg = self._config()
        try:
            build(cfg, serve_url=self.site_url)
            files = get_files(cfg)
            env = cfg.theme.get_env()
            files.add_files_from_theme(env, cfg)
            files = cfg.plugins.on_files(files, config=cfg)
            set_exclusions(files, cfg)
            nav = cfg.plugins.on_nav(get_navigation(files, cfg), config=cfg, files=files)
            self.env = cfg.plugins.on_env(env, config=cfg, files=files)
        except MkDocsException as exc:
            raise TsgenError(f"MkDocs failed: {exc}") from exc
        self.files, self.nav = files, nav

    def pages(self, changed: Iterable[str], removed: Iterable[str] = ()) -> int:
        """Build the docs files `changed` (pages, or files copied as they are) and drop `removed`."""
        from mkdocs.exceptions import MkDocsException
        from mkdocs.structure.files import File, InclusionLevel, set_exclusions
        from mkdocs.structure.pages import Page

        try:
            from mkdocs.commands.build import _build_page, _populate_page
        except ImportError:  # pragma: no cover - another MkDocs: its dirty build does the same, slower
            return self._dirty(changed)
        cfg, files = self.cfg, self.files
        for path in removed:
            file = files.get_file_from_path(path)
            if file is not None:
                files.remove(file)
                try:
                    os.unlink(file.abs_dest_path)
                except OSError:
                    pass
        pages = []
        try:
            for path in changed:
                file = files.get_file_from_path(path)
                if file is None:
                    file = File(path, cfg.docs_dir, cfg.site_dir, cfg.use_directory_urls)
                    files.append(file)
                    set_exclusions([file], cfg)
                    if file.is_documentation_page():
                        Page(None, file, cfg)
                if not file.inclusion.is_in_serve():
                    continue
                if file.is_documentation_page():
                    pages.append(file.page)
                else:
                    file.copy_file()
            doc_files = files.documentation_pages(inclusion=InclusionLevel.is_in_serve)
            for page in pages:
                _populate_page(page, cfg, files)
            for page in pages:
                _build_page(page, cfg, doc_files, self.nav, self.env)
        except MkDocsException as exc:
            raise TsgenError(f"MkDocs failed: {exc}") from exc
        return len(pages)

    def _dirty(self, changed: Iterable[str]) -> int:  # pragma: no cover - see `pages`
        from mkdocs.commands.build import build

        build(self._config(), serve_url=self.site_url, dirty=True)
        return len(list(changed))


class Preview:
    """The state of a running preview: the archive in memory, the pages as last written, MkDocs' state."""

    def __init__(self, root: Path, echo: Callable[[str], None], dev_addr: str) -> None:
        self.root, self.echo, self.dev_addr = root, echo, dev_addr
        self.build, self.docs = build_paths(root)
        self.site = self.build / SERVE_SITE
        self.cache: dict[str, Any] = {}     # load_archive's cache: path -> what reading it gave
        self.stat: dict[str, tuple[int, int]] = {}   # file under tickets/, kb/ -> (size, mtime) as last built
        self.digests: dict[str, str] = {}   # file under tickets/, kb/ -> sha1 of its bytes, as last built
        self.sources: dict[str, tuple[int, int]] = {}
        self.archive: Archive | None = None
        self.config: Config | None = None
        self.history: Any = None
        self.config_text = ""
        self.started = False
        self.builds = 0                     # MkDocs runs so far
        self.bannered: set[str] = set()
        self.memory = _Memory()
        self.masker: _MemoMasker | None = None
        self.secrets: Any = None
        self.similar = _LiveNeighbours(None)
        self.prose: Prose | None = None
        self.env: Any = None
        self.mk: _Site | None = None
        self.lock = threading.Lock()          # one update (or second step) at a time
        self.cancel = threading.Event()       # set while an update waits: the second step gives way
        self.rest_wanted: tuple[_Live, list[Page], int] | None = None  # the second step still to run
        self.rest_thread: threading.Thread | None = None
        self.owed: set[str] = set()           # ticket pages of a second step that has not finished yet

    # --- the two kinds of update ---

    def full(self) -> None:
        """Everything: the archive, every page, a clean MkDocs build, the search index."""
        start = time.perf_counter()
        self.config = load_config(self.root)
        self.cache = {}
        self.stat = _snapshot(self.root)
        # the bytes as built (read before the load, so a write in between counts as a change): a
        # later save that writes the same bytes again rebuilds nothing
        self.digests = {path: _digest(self.root, path) for path in self.stat}
        archive = load_archive(self.root, self.config, cache=self.cache)
        if archive.errors:
            raise InvalidArchive(archive.problems)
        self.history = read_history(self.root)
        self.memory = memory = _Memory()
        self.masker = _MemoMasker.of(archive, self.config.language)
        self.masker.memo = {}
        self.secrets = _secrets_key(archive)
        self.prose = Prose.for_site(self.root / "mkdocs.yml")
        self.env = environment(self.root)  # compiled templates kept: a change in templates/ rebuilds everything
        made: list[_Live] = []

        def renderer(*args: Any, **kwargs: Any) -> _Live:
            made.append(_Live(*args, memory=memory, masker=self.masker, prose=self.prose, **kwargs))
            return made[-1]

        gen = generate(self.root, self.config, archive=archive, renderer_class=renderer)
        self.archive = gen.archive
        self.similar = _LiveNeighbours(gen.similar)
        self.similar.archive = gen.archive
        memory.listings, memory.parts = made[0].listings, made[0].parts
        memory.pages = {p.path for p in gen.rendered.pages}
        first = {ticket_page(t) for t in archive.tickets} | {article_page(a) for a in archive.articles}
        memory.rest = {p for p in memory.pages if p not in first and not p.startswith("lists/")}
        self.sources = _sources(self.root)
        self.bannered = set()
        self._config_file(gen.nav)
        tsgen_s = time.perf_counter() - start
        self.mk = _Site(self.build / "mkdocs.yml", f"http://{self.dev_addr}/")
        self.mk.everything()
        self.builds += 1
        mkdocs_s = time.perf_counter() - start - tsgen_s
        index_search(gen.archive, self.site, self.root)
        self.echo(f"rebuilt everything ({len(gen.rendered.pages)} pages) in {time.perf_counter() - start:.1f} s "
                  f"(tsgen {tsgen_s:.1f} s, MkDocs {mkdocs_s:.1f} s, search index "
                  f"{time.perf_counter() - start - tsgen_s - mkdocs_s:.1f} s)")

    def update(self) -> None:
        """Called by the server after a burst of changes: rebuild what they affect.

        Returns once the pages a save is looked at on are built (the server then reloads the browsers);
        the statistics, home and index pages follow in a thread (`_rest_later`), which gives way to
        the next save as soon as it comes."""
        self.cancel.set()  # a second step still rendering stops at its next page
        with self.lock:
            self.cancel.clear()
            try:
                if not self.started or _sources(self.root) != self.sources:
                    self.rest_wanted, self.owed = None, set()
                    self.full()
                    self.started = True
                    return
                self._incremental()
            except InvalidArchive as exc:
                self.echo(format_problems(exc.problems, "text"))
                self.echo(f"Error: {exc}; keeping the last good pages")
                self._show_errors(exc.problems)
            except TsgenError as exc:
                self.echo(f"Error: {exc}")
        if self.rest_wanted is not None:
            self.rest_thread = threading.Thread(target=self._rest_later, name="tsgen-serve-rest", daemon=True)
            self.rest_thread.start()

    def _rest_later(self) -> None:
        with self.lock:
            if self.rest_wanted is None or self.cancel.is_set():
                return  # the next update runs it
            renderer, written, skip = self.rest_wanted
            del written[skip:]

            def put(page: Page) -> None:
                if self.cancel.is_set():
                    raise _Superseded()
                written.append(page)

            renderer.on_page = put
            try:
                self._rest(renderer, written, skip)
            except _Superseded:
                return  # the next save came first: its update renders these pages (self.owed)
            except TsgenError as exc:
                self.echo(f"Error: {exc}")
            self.rest_wanted = None
            self.owed = set()

    def _changed(self) -> tuple[set[str], dict[str, tuple[int, int]]]:
        """The files under tickets/ and kb/ whose content changed since they were last built."""
        now = _snapshot(self.root)
        changed = set()
        for path in {p for p, st in now.items() if self.stat.get(p) != st} | (set(self.stat) - set(now)):
            digest = _digest(self.root, path) if path in now else ""
            if path not in self.digests or self.digests[path] != digest or path not in now:
                changed.add(path)
        return changed, now

    def _incremental(self) -> None:
        assert self.config is not None and self.archive is not None and self.masker is not None
        assert self.mk is not None
        t0 = time.perf_counter()
        changed, snapshot = self._changed()
        if not changed:
            self.stat = snapshot  # the second write of the same save, or a file touched without a change
            return
        t_found = time.perf_counter()
        old = self.archive
        new = load_archive(self.root, self.config, cache=self.cache)
        if new.errors:
            raise InvalidArchive(new.problems)
        t_loaded = time.perf_counter()
        secrets = _secrets_key(new)
        masked_changed: set[str] = set()
        if secrets != self.secrets:  # new names or contacts: every document masked anew, compared
            before = self.masker.memo
            self.masker = _MemoMasker.of(new, self.config.language)
            self.masker.memo = {}
            self.masker.published(new)
            masked_changed = {p for p, (_, m) in self.masker.memo.items() if p not in before or before[p][1] != m}
            self.secrets = secrets
        docs = {p for p in changed if p.endswith(".md")} | masked_changed
        plan = self._plan(old, new, docs, masked_changed)
        self.owed = set(plan.later)
        self.similar.refresh(new, [d for d in [*new.tickets.values(), *new.articles.values()] if d.path in docs])
        written: list[Page] = []
        renderer = _Live(new, self.env, history=self.history, directory_urls=directory_urls(self.root),
                         on_page=written.append, memory=self.memory, plan=plan, masker=self.masker,
                         prose=self.prose, similar=self.similar)
        t_ready = time.perf_counter()
        renderer.render_first()
        first = list(written)
        t_rendered = time.perf_counter()
        # the pages of removed documents and of listing parts that no longer exist
        gone = {ticket_page(t) for t in set(old.tickets) - set(new.tickets)} | \
               {article_page(a) for a in set(old.articles) - set(new.articles)}
        for base, n in self.memory.parts.items():
            if base in renderer.parts:
                have = renderer.parts[base]
            elif base.startswith("lists/kb/") and base[9:] in new.articles and base[9:] not in plan.articles:
                renderer.parts[base], renderer.listings[base] = n, self.memory.listings[base]
                continue  # an article page not rendered this time: its listing stays
            else:
                have = 0
            gone |= {part_path(base, k) for k in range(have + 1, n + 1)}
        batch_changed = self._write(first)
        copied = self._assets(renderer)  # screenshots of KB articles, tsgen's scripts
        gone -= {p.path for p in first}
        self._remove(gone)
        t_written = time.perf_counter()
        built = self.mk.pages(batch_changed + copied, gone)
        self.builds += 1
        t_built = time.perf_counter()
        self.memory.listings.update(renderer.listings)
        self.memory.parts = {**self.memory.parts, **renderer.parts}
        for base in [b for b in self.memory.parts if b not in renderer.parts]:
            del self.memory.parts[base]
            self.memory.listings.pop(base, None)
        self.memory.pages = (self.memory.pages - gone) | {p.path for p in first}
        self.archive = new
        self.stat = snapshot
        for path in changed:
            self.digests[path] = _digest(self.root, path)
        self.bannered -= {p.path for p in first}
        t_shown = time.perf_counter()
        names = sorted(changed)
        what = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
        self.echo(f"{what} changed: rendered {len(first)} pages ({len(plan.tickets & set(new.tickets))} tickets, "
                  f"{len(plan.articles & set(new.articles))} articles, the rest listing parts; "
                  f"{renderer.skipped} unchanged listing pages skipped), {len(batch_changed)} changed, "
                  f"MkDocs built {built}; shown after {t_shown - t0:.2f} s (found {t_found - t0:.2f} s, "
                  f"loaded {t_loaded - t_found:.2f} s, prepared {t_ready - t_loaded:.2f} s, "
                  f"rendered {t_rendered - t_ready:.2f} s, written {t_written - t_rendered:.2f} s, "
                  f"MkDocs {t_built - t_written:.2f} s)")
        self.rest_wanted = (renderer, written, len(first))

    def _rest(self, renderer: _Live, written: list[Page], skip: int) -> None:
        """The second step: statistics, home and index pages."""
        assert self.config is not None and self.mk is not None and self.archive is not None
        t0 = time.perf_counter()
        rendered = renderer.render_rest()
        rest = written[skip:]
        changed = self._write(rest)
        copied = self._assets(renderer)
        later = {ticket_page(t) for t in renderer.plan.later} if renderer.plan is not None else set()
        paths = {p.path for p in rest} - later
        gone = self.memory.rest - paths
        self._remove(gone)
        self.memory.rest = paths
        self.memory.pages = (self.memory.pages - gone) | paths
        nav = navigation(self.config.language, has_stats=bool(self.archive.tickets), stats_nav=rendered.nav or None,
                         has_contributors="contributors.md" in self.memory.pages)
        t_written = time.perf_counter()
        if self._config_file(nav):
            self.mk.everything()  # the navigation is on every page
            built = "every page (the navigation changed)"
        else:
            built = str(self.mk.pages(changed + copied, gone))
        self.builds += 1
        also = f" and {len(later)} ticket pages showing an article's new title" if later else ""
        self.echo(f"  then the statistics, home and index pages{also}: {len(rest)} rendered, {len(changed)} changed, "
                  f"MkDocs built {built}; {time.perf_counter() - t0:.2f} s (tsgen {t_written - t0:.2f} s). "
                  "Search in the preview is from the last full build.")

    def _write(self, pages: list[Page]) -> list[str]:
        """Write pages into .tsgen/docs; the paths whose text changed."""
        made: set[str] = set()
        return [p.path for p in pages if write_batch(str(self.docs), [(p.path, p.text)], made)]

    def _assets(self, renderer: _Live) -> list[str]:
        """Copy the files the pages use (if changed) into .tsgen/docs; the docs paths copied."""
        copied = []
        for src, dest in renderer.out.assets:
            src, target = Path(src), self.docs / dest
            if not target.is_file() or target.read_bytes() != src.read_bytes():
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(src, target)
                copied.append(dest)
        renderer.out.assets = []
        return copied

    def _remove(self, gone: Iterable[str]) -> None:
        for path in gone:
            for target in (self.docs / path, self.site / dest_of(path, directory_urls(self.root))):
                if target.is_file():
                    target.unlink()

    def _plan(self, old: Archive, new: Archive, paths: set[str], masked: set[str] = frozenset()) -> _Plan:
        """The pages that may show something of the documents at `paths` (which changed; at `masked`,
        their published text changed because the names or contacts to mask did)."""
        tickets = {t.id for arch in (old, new) for t in arch.tickets.values() if t.path in paths}
        articles = {a.id for arch in (old, new) for a in arch.articles.values() if a.path in paths}
        remasked = {t.id for t in new.tickets.values() if t.path in masked}
        rows: set[str] = set()
        later: set[str] = set()
        pages: set[tuple[str, str]] = set()
        for tid in list(tickets):
            if tid not in remasked and _ticket_sig(old, old.tickets.get(tid)) == _ticket_sig(new, new.tickets.get(tid)):
                continue  # its body, say: only its own page changes (and the statistics)
            rows.add(tid)
            pages |= self.similar.shown_on.get(("ticket", tid), set())
            for arch in (old, new):
                t = arch.tickets.get(tid)
                tickets.update(arch.related_back.get(tid, []))
                tickets.update(arch.duplicates.get(tid, []))
                if t is not None and t.duplicate_of:
                    tickets.add(t.duplicate_of)
                articles.update(arch.ticket_kb.get(tid, []))
        for kid in {a.id for arch in (old, new) for a in arch.articles.values() if a.path in paths}:
            if new.articles.get(kid) is not None and new.articles[kid].path not in masked and \
                    _article_sig(old.articles.get(kid)) == _article_sig(new.articles.get(kid)):
                continue
            pages |= self.similar.shown_on.get(("kb", kid), set())
            o, n = old.articles.get(kid), new.articles.get(kid)
            if o is None or n is None or o.title != n.title:  # its title is on the page of every ticket linking it
                linking = set(old.kb_backlinks.get(kid, [])) | set(new.kb_backlinks.get(kid, []))
                later |= linking
        # the pages that list a changed document as a similar case, and those showing an article's new
        # title, come first while they are few, else in the second step (a popular article is linked,
        # or suggested, on thousands of ticket pages)
        later |= {i for kind, i in pages if kind == "ticket"}
        articles |= {i for kind, i in pages if kind == "kb"}
        later = (later | self.owed) - tickets
        if len(later) <= LATER:
            tickets, later = tickets | later, set()
        return _Plan(tickets, articles, rows, later & set(new.tickets))

    def _show_errors(self, problems: list[Problem]) -> None:
        """Put a banner with its errors on the last good page of each file that has errors."""
        if self.archive is None or self.mk is None:
            return
        by_path: dict[str, list[Problem]] = {}
        for p in problems:
            if p.severity == "error":
                by_path.setdefault(p.path, []).append(p)
        pages = {t.path: ticket_page(t.id) for t in self.archive.tickets.values()}
        pages.update({a.path: article_page(a.id) for a in self.archive.articles.values()})
        batch = []
        for path, found in by_path.items():
            page = pages.get(path)
            if page and (self.docs / page).is_file():
                batch.append((page, banner((self.docs / page).read_text(encoding="utf-8"), found)))
                self.bannered.add(page)
        if batch:
            write_batch(str(self.docs), batch, set())
            self.mk.pages([page for page, _ in batch])
            self.builds += 1
            self.echo(f"the errors are shown on {len(batch)} page{'s' * (len(batch) != 1)} in the browser")
        for path in by_path:  # build again once the file is fixed, even back to its last good bytes
            self.digests.pop(path, None)
            self.stat.pop(path, None)

    # --- MkDocs ---

    def _config_file(self, nav: list[Any]) -> bool:
        """Write .tsgen/mkdocs.yml for the preview's site folder; whether its text changed."""
        assert self.config is not None
        path = write_config(self.root, nav, self.site, self.config.language)
        text = path.read_text(encoding="utf-8")
        changed, self.config_text = text != self.config_text, text
        return changed


def serve_archive(root: Path, dev_addr: str, echo: Callable[[str], None]) -> None:
    """Build once, then serve with live reload until interrupted (Ctrl+C)."""
    from mkdocs.livereload import LiveReloadServer

    import signal

    # Ctrl+C (and a plain `kill`) stop the server at once, even when this process was started with
    # SIGINT ignored (as a shell does for a background job): the build loop wakes every 0.25 s.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    quiet_jieba()
    preview = Preview(root, echo, dev_addr)
    server = None
    try:
        preview.update()
        if not preview.started:
            raise TsgenError("fix the errors above, then run `tsgen serve` again")
        host, _, port = dev_addr.rpartition(":")
        server = LiveReloadServer(builder=preview.update, host=host or "127.0.0.1", port=int(port),
                                  root=str(preview.site), polling_interval=0.25)
        server.build_delay = 0.25  # a burst of events (an editor writing twice) ends in one rebuild
        _use_inotify(server)

        def error_page(code: int) -> bytes | None:
            page = preview.site / "404.html"
            return page.read_bytes() if code == 404 and page.is_file() else None

        server.error_handler = error_page
        for name in WATCHED:
            if (root / name).exists():
                server.watch(str(root / name))
        echo(f"Serving on http://{dev_addr}/ ; watching {', '.join(WATCHED)} (Ctrl+C to stop)")
        try:
            server.serve()
        except OSError as exc:  # the port is taken, or the address is not this machine's
            raise TsgenError(f"cannot serve on {dev_addr}: {exc.strerror or exc}") from exc
    except KeyboardInterrupt:
        echo("Stopped.")
    finally:
        if server is not None:
            _stop(server)


def _use_inotify(server: Any) -> None:
    """Watch with the system's file events (inotify on Linux) instead of MkDocs' polling observer, which
    lists every file of tickets/ four times a second (10,000 stat calls each time, beside the builds)
    and notices a save only at its next round. Where the system has no such events, polling stays."""
    try:
        from watchdog.observers import Observer
        from watchdog.observers.polling import PollingObserver

        if Observer is not PollingObserver:
            server.observer = Observer(timeout=0.25)
            server.observer.daemon = True
    except Exception:  # pragma: no cover - watchdog without a native observer: MkDocs' polling stays
        pass


def _stop(server: Any) -> None:
    """Stop at once: the serving loop ends within its 0.25 s poll; no thread is joined (the observer and
    the request threads, a browser's held live-reload request among them, are daemons)."""
    try:
        server.shutdown()
    except Exception:  # pragma: no cover - the process is ending anyway
        pass
