"""`tsgen serve`: a live preview that follows each save in seconds, even at 10,000 tickets.

One process, one loop (MkDocs' own LiveReloadServer: it serves the site, watches tickets/, kb/,
templates/ and mkdocs.yml, waits until a burst of file events is over, calls `Preview.update`
once, then reloads the browsers). `update` does only what the change needs:

- it re-reads only the files whose size or modification time changed (the rest of the archive
  stays in memory, validated; links are resolved again over the whole archive), and does nothing
  at all when no file's content changed (an editor that writes a file twice gives one rebuild);
- it re-renders the changed documents' pages, the pages that show them (related and duplicate
  tickets, linked KB articles and their tickets) and the listings, statistics and home page, and
  writes only the pages whose text changed into .tsgen/docs;
- MkDocs then rebuilds only those pages (its dirty build: a page whose Markdown is older than its
  HTML is skipped).

A change of mkdocs.yml or of templates/, or of the navigation, rebuilds everything. The terminal
says what was rebuilt and how long it took. When the archive has errors, the last good pages stay;
the errors are printed, and each page whose file has an error gets a banner listing them.
"""

from __future__ import annotations

import hashlib
import html
import logging
import shutil
import time
from pathlib import Path
from typing import Any, Callable

from tsgen.archive.link import load_archive
from tsgen.archive.load import iter_files
from tsgen.archive.model import Archive, Problem
from tsgen.archive.problems import format_problems
from tsgen.config import Config, load_config
from tsgen.errors import TsgenError
from tsgen.repo.history import read_history
from tsgen.site.docs_writer import write_batch
from tsgen.site.build import InvalidArchive, generate
from tsgen.site.minify import dest_of
from tsgen.site.mkdocs import BUILD_DIR, build_paths, directory_urls, navigation, quiet_jieba, write_config
from tsgen.site.render import Page, SiteRenderer, article_page, ticket_page
from tsgen.templating import environment

WATCHED = ("tickets", "kb", "templates", "mkdocs.yml")
SERVE_SITE = "serve-site"


class _Partial(SiteRenderer):
    """The renderer, limited to some ticket and article pages (every other page is rendered)."""

    def __init__(self, *args: Any, tickets: set[str], articles: set[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.only_tickets, self.only_articles = tickets, articles

    def _ticket(self, ticket: Any) -> None:
        if ticket.id in self.only_tickets:
            super()._ticket(ticket)

    def _article(self, article: Any) -> None:
        if article.id in self.only_articles:
            super()._article(article)


def _sources(root: Path) -> dict[str, tuple[int, int]]:
    """(size, mtime) of mkdocs.yml and every file under templates/: a change there rebuilds everything."""
    found: dict[str, tuple[int, int]] = {}
    for path in [root / "mkdocs.yml", *sorted((root / "templates").rglob("*"))]:
        if path.is_file():
            st = path.stat()
            found[path.relative_to(root).as_posix()] = (st.st_size, st.st_mtime_ns)
    return found


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


class Preview:
    """The state of a running preview: the archive in memory, the pages as last written, MkDocs' config."""

    def __init__(self, root: Path, echo: Callable[[str], None], dev_addr: str) -> None:
        self.root, self.echo, self.dev_addr = root, echo, dev_addr
        self.build, self.docs = build_paths(root)
        self.site = self.build / SERVE_SITE
        self.cache: dict[str, Any] = {}     # load_archive's cache: path -> what reading it gave
        self.digests: dict[str, str] = {}   # source path -> sha1 of its bytes, as last built
        self.sources: dict[str, tuple[int, int]] = {}
        self.archive: Archive | None = None
        self.config: Config | None = None
        self.history: Any = None
        self.config_text = ""
        self.started = False
        self.builds = 0                     # MkDocs runs so far (tests count them)
        self.bannered: set[str] = set()

    # --- the two kinds of update ---

    def full(self) -> None:
        """Everything: the archive, every page, a clean MkDocs build."""
        start = time.perf_counter()
        self.config = load_config(self.root)
        self.cache = {}
        self.archive = load_archive(self.root, self.config, cache=self.cache)
        if self.archive.errors:
            raise InvalidArchive(self.archive.problems)
        gen = generate(self.root, self.config)
        self.history = read_history(self.root)
        self.archive = gen.archive
        self.sources = _sources(self.root)
        self.digests = {path: _digest(self.root, path) for path, _ in iter_files(self.root)}
        self.bannered = set()
        self._config_file(gen.nav)
        tsgen_s = time.perf_counter() - start
        self._mkdocs(dirty=False)
        self.echo(f"rebuilt everything ({len(gen.rendered.pages)} pages) in {time.perf_counter() - start:.1f} s "
                  f"(tsgen {tsgen_s:.1f} s, MkDocs {time.perf_counter() - start - tsgen_s:.1f} s)")

    def update(self) -> None:
        """Called by the server after a burst of changes: rebuild what they affect."""
        try:
            if not self.started or _sources(self.root) != self.sources:
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

    def _incremental(self) -> None:
        assert self.config is not None and self.archive is not None
        start = time.perf_counter()
        files = dict(iter_files(self.root))
        changed = {p for p in files if p not in self.digests or _digest(self.root, p) != self.digests[p]}
        removed = set(self.digests) - set(files)
        if not changed and not removed:
            return  # the second write of the same save, or a file touched without a change
        old = self.archive
        new = load_archive(self.root, self.config, cache=self.cache)
        if new.errors:
            raise InvalidArchive(new.problems)
        tickets, articles = self._affected(old, new, changed | removed)
        env = environment(self.root)
        written: list[Page] = []
        renderer = _Partial(new, env, history=self.history, directory_urls=directory_urls(self.root),
                            on_page=written.append, tickets=tickets, articles=articles)
        rendered = renderer.render()
        batch = [(p.path, p.text) for p in written]
        self.bannered = set()  # a page that showed errors differs on disk from its new text: rewritten
        n = write_batch(str(self.docs), batch, set())
        for src, dest in rendered.assets:  # screenshots of KB articles, tsgen's scripts (source, docs path)
            src, target = Path(src), self.docs / dest
            if not target.is_file() or target.read_bytes() != src.read_bytes():
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(src, target)
        gone = [ticket_page(t) for t in set(old.tickets) - set(new.tickets)] + \
               [article_page(a) for a in set(old.articles) - set(new.articles)]
        for path in gone:
            for target in (self.docs / path, self.site / dest_of(path, directory_urls(self.root))):
                if target.is_file():
                    target.unlink()
        nav = navigation(self.config.language, has_stats=bool(new.tickets), stats_nav=rendered.nav or None,
                         has_contributors=any(p.path == "contributors.md" for p in rendered.pages))
        nav_changed = self._config_file(nav)
        self.archive = new
        for path in changed:
            self.digests[path] = _digest(self.root, path)
        for path in removed:
            self.digests.pop(path, None)
        tsgen_s = time.perf_counter() - start
        self._mkdocs(dirty=not nav_changed)
        names = sorted(changed | removed)
        what = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
        self.echo(f"{what} changed: rendered {len(batch)} pages, {n} changed"
                  f"{' (navigation changed: MkDocs rebuilt every page)' if nav_changed else ''}; "
                  f"{time.perf_counter() - start:.1f} s (tsgen {tsgen_s:.1f} s, MkDocs "
                  f"{time.perf_counter() - start - tsgen_s:.1f} s)")

    @staticmethod
    def _affected(old: Archive, new: Archive, paths: set[str]) -> tuple[set[str], set[str]]:
        """Ticket and article ids whose pages may show something of the documents at `paths`."""
        tickets: set[str] = set()
        articles: set[str] = set()
        for arch in (old, new):
            for t in arch.tickets.values():
                if t.path in paths:
                    tickets.add(t.id)
            for a in arch.articles.values():
                if a.path in paths:
                    articles.add(a.id)
        for arch in (old, new):
            for tid in list(tickets):
                t = arch.tickets.get(tid)
                if t is None:
                    continue
                tickets.update(arch.related_back.get(tid, []))
                tickets.update(arch.duplicates.get(tid, []))
                if t.duplicate_of:
                    tickets.add(t.duplicate_of)
                articles.update(arch.ticket_kb.get(tid, []))
            for kid in list(articles):
                tickets.update(arch.kb_backlinks.get(kid, []))
        return tickets, articles

    def _show_errors(self, problems: list[Problem]) -> None:
        """Put a banner with its errors on the last good page of each file that has errors."""
        if self.archive is None:
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
            self._mkdocs(dirty=True)
            self.echo(f"the errors are shown on {len(batch)} page{'s' * (len(batch) != 1)} in the browser")
        for path in by_path:  # build again once the file is fixed
            self.digests.pop(path, None)

    # --- MkDocs ---

    def _config_file(self, nav: list[Any]) -> bool:
        """Write .tsgen/mkdocs.yml for the preview's site folder; whether its text changed."""
        assert self.config is not None
        path = write_config(self.root, nav, self.site, self.config.language)
        text = path.read_text(encoding="utf-8")
        changed, self.config_text = text != self.config_text, text
        return changed

    def _mkdocs(self, dirty: bool) -> None:
        from mkdocs.commands.build import build
        from mkdocs.config import load_config as mkdocs_config
        from mkdocs.exceptions import MkDocsException

        cfg = mkdocs_config(str(self.build / "mkdocs.yml"))
        cfg.site_url = f"http://{self.dev_addr}/"
        if self.builds == 0:
            cfg.plugins.on_startup(command="serve", dirty=True)  # Material's search then merges a dirty build
        logger = logging.getLogger("mkdocs.commands.build")  # where MkDocs warns about dirty builds
        drop = _DropDirtyWarning()
        logger.addFilter(drop)
        try:
            build(cfg, serve_url=cfg.site_url, dirty=dirty)
        except MkDocsException as exc:
            raise TsgenError(f"MkDocs failed: {exc}") from exc
        finally:
            logger.removeFilter(drop)
        self.builds += 1


class _DropDirtyWarning(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("A 'dirty' build is being performed")


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
            server.shutdown()
