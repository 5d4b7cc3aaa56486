"""The whole pipeline for the site: load -> validate -> link -> history -> stats -> render -> MkDocs."""

from __future__ import annotations

import gc
import os
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable, Iterator

from .config import Config
from .errors import BuildError
from .history import read_history
from .link import load_archive
from .model import ERROR, Archive, Problem
from .render import Rendered, SiteRenderer
from .site import DocsWriter, directory_urls, navigation, run_mkdocs, write_config, write_theme
from .templating import environment

Progress = Callable[[str], None]


class InvalidArchive(BuildError):
    """The archive has validation errors, so the site is not built."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        errors = sum(p.severity == ERROR for p in problems)
        super().__init__(f"the archive has {errors} error{'s' * (errors != 1)}; the site was not built")


@dataclass
class Generated:
    """The archive and the pages generated from it (before MkDocs runs)."""

    archive: Archive
    rendered: Rendered
    nav: list
    warnings: list[str] = field(default_factory=list)


@contextmanager
def _frozen_heap() -> Iterator[None]:
    """Leave every object alive now out of the cyclic collector's scans until the block ends.

    The archive (and later the rendered pages) live until the build ends, yet each full collection
    that rendering or MkDocs triggers would walk all of them again: at 10,000 tickets that made
    MkDocs itself about 15% slower than on the same pages without tsgen's objects in memory.
    `gc.freeze` is made for this; `unfreeze` hands them back afterwards.
    """
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def generate(root: Path, config: Config, progress: Progress | None = None, today: date | None = None) -> Generated:
    """Validate, then render every page into .tsgen/docs and write .tsgen/mkdocs.yml."""
    say = progress or (lambda _msg: None)
    archive = load_archive(root, config)
    if archive.errors:
        raise InvalidArchive(archive.problems)
    say(f"loaded {len(archive.tickets)} tickets and {len(archive.articles)} articles")
    warnings = [p.format() for p in archive.warnings]
    history = read_history(root)
    if history.warning:
        warnings.append(history.warning)
    with _frozen_heap(), DocsWriter(root, progress=lambda i, n: say(f"wrote {i}/{n} pages")) as writer:
        renderer = SiteRenderer(archive, environment(root), history=history, today=today,
                                directory_urls=directory_urls(root), on_page=writer.put)
        rendered = renderer.render()
        say(f"rendered {len(rendered.pages)} pages")
        writer.finish(rendered)
    written = {p.path for p in rendered.pages}
    nav = navigation(config.language, has_stats="stats/index.md" in written, stats_nav=rendered.nav or None,
                     has_contributors="contributors.md" in written)
    warnings += write_theme(root)[1]
    return Generated(archive, rendered, nav, warnings)


def build_site(root: Path, config: Config, site_dir: Path | None = None, progress: Progress | None = None,
               today: date | None = None) -> tuple[Generated, list[str], float]:
    """Generate the pages and run MkDocs into `site_dir` (default site/); returns (generated, warnings, seconds)."""
    start = time.perf_counter()
    gen = generate(root, config, progress, today)
    site_dir = site_dir or root / "site"
    config_file = write_config(root, gen.nav, site_dir, config.language)
    with _frozen_heap():
        if progress is None:
            mk_warnings = run_mkdocs(config_file)
        else:
            progress("running MkDocs (Material) ...")
            with _Heartbeat(site_dir, len(gen.rendered.pages), progress):
                mk_warnings = run_mkdocs(config_file)
    return gen, gen.warnings + mk_warnings, time.perf_counter() - start


def _count_pages(site_dir: Path) -> int:
    """The index.html files under site_dir: os.walk takes a quarter of the CPU of Path.rglob.

    This runs every few seconds in a thread beside MkDocs, over up to one folder per ticket, and
    competes with it for the GIL (rglob: 0.4 s per count at 10,000 tickets).
    """
    return sum("index.html" in files for _, _, files in os.walk(site_dir))


class _Heartbeat:
    """While MkDocs runs (minutes for a large archive), report every few seconds how many pages it wrote."""

    def __init__(self, site_dir: Path, total: int, say: Progress, every: float = 5.0) -> None:
        self.site_dir, self.total, self.say, self.every = site_dir, total, say, every
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        start = time.perf_counter()
        while not self.stop.wait(self.every):
            done = _count_pages(self.site_dir)
            elapsed = time.perf_counter() - start
            if done:
                self.say(f"MkDocs: wrote {min(done, self.total)}/{self.total} pages after {elapsed:.0f} s")
            else:  # MkDocs converts every page's Markdown before it writes the first one
                self.say(f"MkDocs: converting {self.total} pages of Markdown ({elapsed:.0f} s)")

    def __enter__(self) -> "_Heartbeat":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join()
