"""MkDocs' build, with each page outside the navigation read, written and let go one at a time.

`mkdocs build` first converts every page (keeping its Markdown, HTML, table of contents and front
matter in memory) and only then writes them all: at 100,000 tickets that is 2.5 GB held at once for
pages that no other page needs. tsgen's ticket and article pages are not in the navigation, so
nothing built before them reads their content. While `streamed()` is active, MkDocs' own
`build()` runs unchanged except that such a page is converted just before it is written, and its
Markdown, HTML, table of contents and front matter are dropped right after (its anchors stay, for
MkDocs' check of links to anchors at the end). The site is byte for byte the one `mkdocs build`
writes (a test compares them); only the order of work differs.

Plugins may rely on every page being converted before the `env` event (a search or tags plugin
reads them all there), so with any plugin configured MkDocs' build runs as it is.

With many such pages (SPLIT or more, and a second core), a forked copy of the build process writes a
share of them (`_Second`) while this one writes the rest and the pages in the navigation: MkDocs'
writing is single-threaded Python, about 2 ms a page. Measured at 10,000 tickets on 2 cores, MkDocs
alone took 18-22 s instead of 30-38 s; a whole build gained only 1-3 s in most pairs, since the
second core is also busy with the minifier and the search index there (more cores gain more). The
copy sends back what MkDocs' final steps need of its pages (their anchors, for the check of links to
anchors) and the warnings it logged, which are logged again here, so `--strict` counts them; what
else runs beside MkDocs (`Beside`: the minifier, the progress counter) is told.

Most of tsgen's pages hand MkDocs the same few lines of Markdown (a ticket page's section headings
and the markers of its HTML parts, site/prose.py): the conversion of such a text is done once and
reused (`_Conversions`), which is most of MkDocs' own time per page at 100,000 tickets.
"""

from __future__ import annotations

import copy
import logging
import os
import posixpath
import re
import threading
from contextlib import contextmanager
from typing import Any, Iterator, Protocol, Sequence

from tsgen.site import forked

SPLIT = 1_000        # pages outside the navigation from which a second process writes a share of them
# the second process's share of them: it also minifies its own pages (Beside.in_second), while this
# one hands its pages to the minifier process and writes the pages in the navigation
SECOND_SHARE = 0.4


class Beside(Protocol):
    """What runs beside MkDocs' build (site/minify.py's MinifyPages, site/build.py's progress counter),
    told when a second process writes a share of the pages."""

    def before_fork(self, theirs: int) -> None:
        """In this process, just before the fork: `theirs` pages go to the second process."""

    def in_second(self) -> None:
        """In the second process, right after the fork."""

    def second_done(self) -> Any:
        """In the second process, after its last page: what `second_joined` gets (picklable)."""

    def second_joined(self, value: Any) -> None:
        """In this process, once the second one has written its pages."""


def can_stream(cfg: Any) -> bool:
    """Whether the configuration has no plugin that could need every page before any is written."""
    try:
        return len(cfg["plugins"]) == 0
    except (KeyError, TypeError):
        return False


@contextmanager
def streamed(cfg: Any, beside: Sequence[Beside] = ()) -> Iterator["Reuse"]:
    """Within the block, `mkdocs.commands.build.build(cfg)` converts the pages outside the nav lazily
    (a share of them in a second process, told to `beside`); the block gets a Reuse, which counts the
    conversions and page blocks done once for many pages."""
    from mkdocs.commands import build as mk

    reuse = Reuse()
    if not can_stream(cfg):
        yield reuse
        return
    populate, build_page, navigation = mk._populate_page, mk._build_page, mk.get_navigation
    seen: dict[str, Any] = {}     # the build's Files and the ids of the pages in its navigation
    later: set[int] = set()       # id() of the pages whose conversion waits for their writing
    second: list[_Second] = []    # the second process, once the first page is built (if it is worth one)

    def _navigation(files: Any, config: Any) -> Any:
        nav = navigation(files, config)
        if config is cfg:
            seen["files"], seen["nav"] = files, {id(p) for p in nav.pages}
            chrome.linked = _nav_urls(nav.items)
        return nav

    def _populate(page: Any, config: Any, files: Any, dirty: bool = False) -> None:
        if config is cfg and "nav" in seen and id(page) not in seen["nav"]:
            later.add(id(page))
            return
        populate(page, config, files, dirty)

    def _build(page: Any, config: Any, doc_files: Any, nav: Any, env: Any, dirty: bool = False,
               excluded: bool = False) -> None:
        if config is cfg and not second:  # the first page: every page has been read
            second.append(_Second.start(later, doc_files, beside,
                                        lambda p: write_later(p, config, doc_files, nav, env, dirty,
                                                              p.file.inclusion.is_excluded()), reuse))
        split = second[0] if config is cfg else None
        if split is not None and split.writes(page):
            pass
        elif id(page) not in later:
            build_page(page, config, doc_files, nav, env, dirty, excluded)
        else:
            write_later(page, config, doc_files, nav, env, dirty, excluded)
        if split is not None and page is doc_files[-1].page:  # MkDocs checks the links to anchors next
            split.join(seen["files"])

    def write_later(page: Any, config: Any, doc_files: Any, nav: Any, env: Any, dirty: bool,
                    excluded: bool) -> None:
        later.discard(id(page))
        populate(page, config, seen["files"], dirty)
        chrome.outside = page
        try:
            build_page(page, config, doc_files, nav, env, dirty, excluded)
        finally:  # its anchors (present_anchor_ids, links_to_anchors) stay for MkDocs' final check
            chrome.outside = None
            page.markdown = None
            page.content = None
            page.toc = []
            page.meta = {}

    from mkdocs.structure.pages import Page

    conversions = reuse.conversions = _Conversions(Page.render)
    chrome = reuse.chrome = _Chrome(_own_templates_only(cfg["theme"]))
    theme, get_env = cfg["theme"], cfg["theme"].get_env

    def _env() -> Any:  # the Jinja environment of this build, with tsgen_once for tsgen's main.html
        env = get_env()
        env.globals["tsgen_once"] = chrome
        return env

    theme.get_env = _env
    mk._populate_page, mk._build_page, mk.get_navigation = _populate, _build, _navigation

    def render(page: Any, config: Any, files: Any) -> None:  # a function, so that Page binds it as a method
        conversions.render(page, config, files)

    Page.render = render  # type: ignore[method-assign]
    try:
        yield reuse
    finally:
        for job in second:  # a failure or Ctrl-C before the end: no writer left behind
            job.cancel()
        mk._populate_page, mk._build_page, mk.get_navigation = populate, build_page, navigation
        Page.render = conversions.original  # type: ignore[method-assign]
        del theme.get_env  # the class's method again


class Reuse:
    """What a streamed build did once for many pages: `conversions` (Markdown), `chrome` (page blocks)."""

    conversions: "_Conversions | None" = None
    chrome: "_Chrome | None" = None
    second_counts = (0, 0)  # what the second process reused

    @property
    def counts(self) -> tuple[int, int]:
        """(pages whose Markdown conversion was reused, page blocks reused), in both processes."""
        return ((self.conversions.reused if self.conversions else 0) + self.second_counts[0],
                (self.chrome.reused if self.chrome else 0) + self.second_counts[1])


class _Second:
    """The second process writing a share of the pages outside the navigation (see the module's doc).

    `start` forks it at the first page MkDocs builds, when every page has been read (so the pages
    waiting for their conversion are known); `writes(page)` tells this process to skip a page of its
    share; `join` (after the last page) gives this process the anchors of those pages and logs the
    warnings the second process logged."""

    def __init__(self, job: forked.Background | None = None, theirs: Sequence[Any] = (),
                 beside: Sequence[Beside] = (), reuse: Reuse | None = None) -> None:
        self.job, self.beside, self.reuse = job, beside, reuse
        self.theirs = {id(p) for p in theirs}

    @classmethod
    def start(cls, later: set[int], doc_files: Any, beside: Sequence[Beside], write: Any,
              reuse: Reuse) -> "_Second":
        pending = [f.page for f in doc_files if f.page is not None and id(f.page) in later]
        if len(pending) < SPLIT or not forked.can_fork() or threading.current_thread() is not threading.main_thread():
            return cls()
        theirs = [p for i, p in enumerate(pending) if int((i + 1) * SECOND_SHARE) > int(i * SECOND_SHARE)]
        for other in beside:
            other.before_fork(len(theirs))
        try:
            job = forked.Background(lambda: _second_writes(theirs, beside, write, reuse))
        except OSError:  # no process to be had: this one writes them all
            return cls()
        return cls(job, theirs, beside, reuse)

    def writes(self, page: Any) -> bool:
        return id(page) in self.theirs

    def join(self, files: Any) -> None:
        if self.job is None:
            return
        job, self.job = self.job, None
        done = job.result()
        for src, present, links in done["anchors"]:
            page = files.get_file_from_path(src).page
            page.present_anchor_ids = present
            page.links_to_anchors = None if links is None else \
                {files.get_file_from_path(to): found for to, found in links.items()}
        for name, level, message in done["warnings"]:
            logging.getLogger(name).log(level, "%s", message)
        if self.reuse is not None:
            self.reuse.second_counts = done["reused"]
        for other, value in zip(self.beside, done["beside"]):
            other.second_joined(value)

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self.job = None


class Warnings(logging.Handler):
    """MkDocs' warnings as they are logged: (logger, level, message) in `records`. MkDocsRun collects
    a build's with it; the second process keeps its own for the first one, which logs them again."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[tuple[str, int, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append((record.name, record.levelno, record.getMessage()))

    @property
    def messages(self) -> list[str]:
        return [message for _, _, message in self.records]


def _second_writes(theirs: Sequence[Any], beside: Sequence[Beside], write: Any, reuse: Reuse) -> dict[str, Any]:
    """The second process's work: its pages written, what the first process needs of them returned."""
    for other in beside:
        other.in_second()
    warnings = Warnings()
    logger = logging.getLogger("mkdocs")  # its handlers here would print or count them a second time
    logger.handlers, logger.propagate = [warnings], False
    before = reuse.counts
    anchors = []
    for page in theirs:
        write(page)
        links = page.links_to_anchors
        anchors.append((page.file.src_uri, page.present_anchor_ids,
                        None if links is None else {to.src_uri: dict(found) for to, found in links.items()}))
    after = reuse.counts
    return {"anchors": anchors, "warnings": warnings.records, "beside": [other.second_done() for other in beside],
            "reused": (after[0] - before[0], after[1] - before[1])}


def _nav_urls(items: Any) -> list[str]:
    """The URL of every page and link in the navigation, sections walked."""
    urls: list[str] = []
    for item in items:
        if getattr(item, "url", None) is not None:
            urls.append(item.url)
        urls += _nav_urls(getattr(item, "children", None) or [])
    return urls


def _own_templates_only(theme: Any) -> bool:
    """Whether the theme's override folder (.tsgen/theme) holds nothing but main.html: then every other
    template is the theme's own, whose blocks tsgen_once may keep (see _Chrome)."""
    dirs = list(getattr(theme, "dirs", []) or [])
    custom = getattr(theme, "custom_dir", None)
    if not custom or not dirs or os.path.realpath(dirs[0]) != os.path.realpath(custom):
        return False
    names = [os.path.relpath(os.path.join(folder, n), custom) for folder, _, files in os.walk(custom) for n in files]
    return names == ["main.html"]


class _Chrome:
    """`tsgen_once(block, page)` for tsgen's main.html: a block of the theme's page frame rendered once
    per kind of page outside the navigation, instead of once per page.

    The navigation sidebar, the table of contents, the footer and the script and style tags of a page
    outside the navigation (every ticket page) differ from page to page only by the relative URLs in
    them and by the page's table of contents and `hide` setting. Pages in the same folder whose own
    folder holds no navigation target give the same relative URLs, so the block's HTML is kept per
    (block, folder, depth, table of contents, hide). The first `VERIFY` pages of each kind are rendered
    anyway and compared: a kind that differs (a theme whose block shows more of the page) is never
    kept. Only with the theme's own templates (nothing but tsgen's main.html in theme.custom_dir);
    pages in the navigation are always rendered.
    """

    VERIFY = 3

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.outside: Any = None        # the page being written, when it is outside the navigation
        self.linked: list[str] = []     # the navigation's URLs
        self.kept: dict[tuple[Any, ...], tuple[str, int]] = {}
        self.differ: set[tuple[Any, ...]] = set()
        self.kind_of: tuple[Any, Any] = (None, None)  # (page, its kind): the last page asked about
        self.reused = 0

    def __call__(self, block: str, page: Any, caller: Any) -> str:
        if not self.enabled or page is None or page is not self.outside:
            return caller()
        if self.kind_of[0] is not page:  # the page's kind, worked out once for its five blocks
            self.kind_of = (page, self._kind(page))
        kind = self.kind_of[1]
        key = None if kind is None else (block, kind)
        if key is None or key in self.differ:
            return caller()
        kept = self.kept.get(key)
        if kept is not None and kept[1] >= self.VERIFY:
            self.reused += 1
            return kept[0]
        html = caller()
        if kept is None:
            self.kept[key] = (html, 1)
        elif html == kept[0]:
            self.kept[key] = (html, kept[1] + 1)
        else:
            self.differ.add(key)
            del self.kept[key]
        return html

    def _kind(self, page: Any) -> tuple[Any, ...] | None:
        url = page.url or ""
        folder = url[:-1] if url.endswith("/") else posixpath.dirname(url)
        if not folder or any(u == folder or u.startswith(folder + "/") for u in self.linked):
            return None  # a navigation target inside the page's own folder: its relative URL is the page's own
        meta = page.meta or {}
        return (posixpath.dirname(folder), folder.count("/"), url.endswith("/"), repr(meta.get("hide")),
                _toc_key(page.toc), page.previous_page is None, page.next_page is None)


def _toc_key(toc: Any) -> tuple[Any, ...]:
    return tuple((item.title, item.url, item.level, _toc_key(item.children)) for item in (toc or []))


_LINK = re.compile(r"""\b(?:href|src|srcset|data|action|poster)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]*))""", re.I)


class _Conversions:
    """`Page.render` (Markdown -> HTML, table of contents, title, anchors), done once per distinct Markdown.

    MkDocs' conversion depends on the page only through its links: MkDocs rewrites each link and image
    relative to the page and records the anchors it links to. A conversion whose HTML links nowhere but
    to anchors of its own page (and shows no image) is therefore the same for every page with that
    Markdown; only such conversions are kept, and a page with the same Markdown gets a copy (its own
    table of contents, anchor set and self-links). Any other page is converted as MkDocs does.
    """

    LIMIT = 256  # distinct texts kept; tsgen's ticket pages share a handful

    def __init__(self, original: Any) -> None:
        self.original = original
        self.reused = 0
        self.kept: dict[str, tuple[str, Any, Any, set[str], dict[str, str] | None]] = {}

    def render(self, page: Any, config: Any, files: Any) -> None:
        hit = self.kept.get(page.markdown) if isinstance(page.markdown, str) else None
        if hit is not None:
            content, toc, title, anchors, self_links = hit
            self.reused += 1
            page.content, page.toc, page._title_from_render = content, copy.deepcopy(toc), title
            page.present_anchor_ids = set(anchors)
            if self_links is not None:
                page.links_to_anchors = {page.file: dict(self_links)} if self_links else {}
            return
        self.original(page, config, files)
        if len(self.kept) < self.LIMIT and isinstance(page.markdown, str) and self._page_free(page):
            links = page.links_to_anchors
            self_links = None if links is None or "links_to_anchors" not in vars(page) else dict(links.get(page.file, {}))
            self.kept[page.markdown] = (page.content, copy.deepcopy(page.toc), page._title_from_render,
                                        set(page.present_anchor_ids or ()), self_links)

    @staticmethod
    def _page_free(page: Any) -> bool:
        """Whether the page's conversion is the same on any page: no link but to its own anchors, no image."""
        links = page.links_to_anchors if "links_to_anchors" in vars(page) else None
        if links and set(links) != {page.file}:
            return False
        for m in _LINK.finditer(page.content or ""):
            value = next(g for g in m.groups() if g is not None)
            if not value.startswith("#"):
                return False
        return "<img" not in (page.content or "").lower()
