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
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator


def can_stream(cfg: Any) -> bool:
    """Whether the configuration has no plugin that could need every page before any is written."""
    try:
        return len(cfg["plugins"]) == 0
    except (KeyError, TypeError):
        return False


@contextmanager
def streamed(cfg: Any) -> Iterator[None]:
    """Within the block, `mkdocs.commands.build.build(cfg)` converts the pages outside the nav lazily."""
    from mkdocs.commands import build as mk

    if not can_stream(cfg):
        yield
        return
    populate, build_page, navigation = mk._populate_page, mk._build_page, mk.get_navigation
    seen: dict[str, Any] = {}     # the build's Files and the ids of the pages in its navigation
    later: set[int] = set()       # id() of the pages whose conversion waits for their writing

    def _navigation(files: Any, config: Any) -> Any:
        nav = navigation(files, config)
        if config is cfg:
            seen["files"], seen["nav"] = files, {id(p) for p in nav.pages}
        return nav

    def _populate(page: Any, config: Any, files: Any, dirty: bool = False) -> None:
        if config is cfg and "nav" in seen and id(page) not in seen["nav"]:
            later.add(id(page))
            return
        populate(page, config, files, dirty)

    def _build(page: Any, config: Any, doc_files: Any, nav: Any, env: Any, dirty: bool = False,
               excluded: bool = False) -> None:
        if id(page) not in later:
            build_page(page, config, doc_files, nav, env, dirty, excluded)
            return
        later.discard(id(page))
        populate(page, config, seen["files"], dirty)
        try:
            build_page(page, config, doc_files, nav, env, dirty, excluded)
        finally:  # its anchors (present_anchor_ids, links_to_anchors) stay for MkDocs' final check
            page.markdown = None
            page.content = None
            page.toc = []
            page.meta = {}

    mk._populate_page, mk._build_page, mk.get_navigation = _populate, _build, _navigation
    try:
        yield
    finally:
        mk._populate_page, mk._build_page, mk.get_navigation = populate, build_page, navigation
