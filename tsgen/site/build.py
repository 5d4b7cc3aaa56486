"""The whole pipeline for the site: load -> validate -> link -> history -> stats -> render -> MkDocs."""

from __future__ import annotations

import logging
import shutil
import time
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Callable

from tsgen import heap
from tsgen.config import Config
from tsgen.errors import BuildError
from tsgen.repo.history import read_history
from tsgen.archive.link import load_archive
from tsgen.archive.model import ERROR, Archive, Problem
from tsgen.site.render import Rendered, SiteRenderer
from tsgen.site import forked, publish
from tsgen.site.mkdocs import (JS, DocsWriter, MkDocsRun, configured_site_dir, directory_urls, navigation,
                               write_config, write_theme)
from tsgen.site.search import SCRIPT
from tsgen.search.similar import SimilarIndex
from tsgen.site import incremental
from tsgen.site.minify import MinifyPages, drop_unused_assets, minify_scripts
from tsgen.site.sitemap import split_sitemap
from tsgen.site.mkdocs import BUILD_DIR
from tsgen.templating import environment

Progress = Callable[[str], None]


class InvalidArchive(BuildError):
    """The archive has validation errors, so the site is not built."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        errors = sum(p.severity == ERROR for p in problems)
        super().__init__(f"the archive has {errors} error{'s' * (errors != 1)}; the site was not built")


@dataclass
class Generated:
    """The archive and the pages generated from it (before MkDocs runs).

    `rendered.pages` holds each page's path; the texts went to .tsgen/docs and are not kept.
    """

    archive: Archive
    rendered: Rendered
    nav: list
    warnings: list[str] = field(default_factory=list)
    similar: Any = None  # the similar cases of every page (search.similar.Neighbours), kept by `tsgen serve`


def generate(root: Path, config: Config, progress: Progress | None = None, today: date | None = None,
             while_writing: Callable[[list[Any]], None] | None = None, now: datetime | None = None,
             archive: Archive | None = None, renderer_class: Callable[..., SiteRenderer] = SiteRenderer,
             overlap: bool = False, loaded: Callable[[Archive], None] | None = None) -> Generated:
    """Validate, then render every page into .tsgen/docs and fill .tsgen/theme.

    `now` (default: when rendering starts) is the build's moment: an unanswered ticket whose SLA
    target has passed by then shows as breached, one still inside it as not yet responded.

    `while_writing(nav)`, if given, runs once everything is rendered, while the writer process
    may still be writing pages (build_site prepares MkDocs there).

    `archive` (already loaded and validated) and `renderer_class` (a SiteRenderer subclass) are for
    `tsgen serve`, which keeps both between saves (site/serve.py).

    `overlap` (tsgen build): the similar cases are found by a forked process while the pages that show
    none (listings, statistics, home) are rendered; `Generated.similar` is then None.
    """
    say = progress or (lambda _msg: None)
    archive = archive if archive is not None else load_archive(root, config)
    if archive.errors:
        raise InvalidArchive(archive.problems)
    say(f"loaded {len(archive.tickets)} tickets and {len(archive.articles)} articles")
    if loaded is not None:  # build_site starts the search index here: it needs nothing but the archive
        loaded(archive)
    warnings = [p.format() for p in archive.warnings]
    history = read_history(root)
    if history.warning:
        warnings.append(history.warning)
    started = time.perf_counter()
    if overlap:  # found by a forked process while the pages that show none render (site/forked.py)
        similar: Any = _SimilarLater(SimilarIndex(archive), started, say)
    else:
        similar = SimilarIndex(archive).all_pages()
        say(f"found the similar cases of {len(similar.index.docs)} pages in {time.perf_counter() - started:.1f} s")
    with heap.frozen(), DocsWriter(root, progress=lambda i, n: say(f"wrote {i}/{n} pages")) as writer:
        renderer = renderer_class(archive, environment(root, reload=False), history=history, today=today,
                                  directory_urls=directory_urls(root), on_page=writer.put, now=now,
                                  similar=similar, child_writer=writer.direct)
        rendered = renderer.render()
        say(f"rendered {len(rendered.pages)} pages")
        warnings += unformatted_warnings(renderer.prose.unformatted)
        warnings += [f"{rel}: not published: only images, PDFs, text and office files beside the documents are "
                     "copied into the site (a browser would run the script in an HTML, SVG or XML file)"
                     for rel in rendered.unpublished]
        written = {p.path for p in rendered.pages}
        nav = navigation(config.language, has_stats="stats/index.md" in written, stats_nav=rendered.nav or None,
                         has_contributors="contributors.md" in written)
        warnings += write_theme(root)[1]
        if while_writing is not None:
            while_writing(nav)
        writer.finish(rendered)
    return Generated(archive, rendered, nav, warnings, None if overlap else similar)


class _SimilarLater:
    """The similar cases of every page, found by a forked process (SimilarIndex.all_pages) from the
    fitted index; `wait()` gives the Neighbours (SiteRenderer.render asks before the first page that
    shows them). Without fork, `wait()` finds them itself."""

    def __init__(self, index: SimilarIndex, started: float, say: Progress) -> None:
        self.index, self.started, self.say = index, started, say
        self.job = forked.Background(lambda: index.all_pages().arrays())

    def wait(self) -> Any:
        from tsgen.search.similar import Neighbours

        neighbours = Neighbours(self.index, *self.job.result())
        self.say(f"found the similar cases of {len(self.index.docs)} pages (beside the listings and statistics) "
                 f"in {time.perf_counter() - self.started:.1f} s")
        return neighbours

    def cancel(self) -> None:
        self.job.cancel()


def unformatted_warnings(unformatted: list[tuple[str, str]]) -> list[str]:
    """A warning per body shown as plain text because Python-Markdown could not convert it (site/prose.py)."""
    return [f"{source}: body: shown as plain text on the site: converting it as Markdown {why} "
            "(thousands of unclosed brackets or nested list markers?); simplify the text"
            for source, why in unformatted]


def build_site(root: Path, config: Config, site_dir: Path | None = None, progress: Progress | None = None,
               today: date | None = None, now: datetime | None = None) -> tuple[Generated, list[str], float]:
    """Generate the pages and run MkDocs into `site_dir` (default site/); returns (generated, warnings, seconds)."""
    start = time.perf_counter()
    site = publish.target(root, site_dir or configured_site_dir(root), explicit=site_dir is not None)
    runs: list[MkDocsRun] = []

    def prepare(nav: list[Any]) -> None:  # MkDocs' configuration and jieba load while the last pages are written
        runs.append(MkDocsRun(write_config(root, nav, site, config.language)).prepare())

    build_dir = root / BUILD_DIR
    previous = incremental.read_manifest(build_dir)
    incremental.forget(build_dir)
    # The search index comes from the archive, not from the HTML: a forked process writes it from the
    # moment the archive is loaded, beside everything else, into .tsgen/ (site/forked.py)
    scratch = build_dir / SEARCH_SCRATCH
    searching: list[forked.Background] = []

    def loaded(archive: Archive) -> None:
        searching.append(forked.Background(lambda: _index_into(archive, scratch, root, progress)))
    try:
        gen = generate(root, config, progress, today, while_writing=prepare, now=now, overlap=True, loaded=loaded)
    except BaseException:
        for job in searching:
            job.cancel()
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    docs_files = [p.path for p in gen.rendered.pages] + [dest for _, dest in gen.rendered.assets]
    fingerprint = incremental.fingerprint(root, build_dir, site, docs_files)
    dirty = incremental.can_reuse(previous, fingerprint, site)
    fresh = publish.prepare(site)  # MkDocs writes beside the site; a killed build leaves site/ as it was
    try:
        if dirty:  # the last site, copied with its times, so MkDocs rewrites only the changed pages
            incremental.seed(site, fresh)
        with heap.frozen(), MinifyPages(fresh, directory_urls(root)) as minifier:
            if progress is None:
                mk_warnings = runs[0].build(fresh, dirty=dirty, beside=(minifier,))
            else:
                progress("running MkDocs (Material) on the changed pages ..." if dirty
                         else "running MkDocs (Material) ...")
                with _MkDocsProgress(len(gen.rendered.pages), progress) as counter:
                    mk_warnings = runs[0].build(fresh, dirty=dirty, beside=(minifier, counter))
            minifier.finish()
        drop_unused_assets(fresh)  # Material's own search and the source maps: no page loads them
        minify_scripts(fresh, (SCRIPT, JS))  # tsgen's own, without their comments (the search page's: every cold query)
        if dirty and progress is not None:
            progress(f"incremental build: MkDocs rebuilt {len(minifier.sent)} of {len(gen.rendered.pages)} pages")
        split_sitemap(fresh, str(runs[0].cfg["site_url"] or ""))  # a sitemap index over parts, at 100,000 pages
        if progress is not None and searching[0].pid:
            progress("waiting for the search index ...")
        searching[0].result()
        _move_index(scratch, fresh)  # into the new site, before it is swapped in
    except BaseException:  # a failure or Ctrl-C: the previous site stays, the half-built one goes
        searching[0].cancel()
        shutil.rmtree(scratch, ignore_errors=True)
        publish.discard(site)
        raise
    publish.swap(site)
    incremental.remember(build_dir, fingerprint)
    if progress is not None and minifier.before:
        progress(f"minified {minifier.pages} HTML files: {minifier.before / 2**20:.1f} MB -> "
                 f"{minifier.after / 2**20:.1f} MB")
    return gen, gen.warnings + mk_warnings, time.perf_counter() - start


SEARCH_SCRATCH = "search-index"  # .tsgen/search-index: the search index while it is written


def _index_into(archive: Archive, scratch: Path, root: Path, progress: Progress | None) -> None:
    if scratch.exists():
        shutil.rmtree(scratch)
    scratch.mkdir(parents=True)
    index_search(archive, scratch, root, progress)


def _move_index(scratch: Path, site: Path) -> None:
    """What index_search wrote into `scratch` (pagefind/, opensearch.xml) into the site, replacing the old."""
    for entry in sorted(scratch.iterdir()):
        target = site / entry.name
        if target.is_dir() and not target.is_symlink():
            shutil.rmtree(target)
        elif target.exists() or target.is_symlink():
            target.unlink()
        entry.rename(target)
    scratch.rmdir()


def index_search(archive: Archive, site: Path, root: Path, progress: Progress | None = None) -> Any:
    """Write the search index (Pagefind) of the archive and opensearch.xml into `site` (the folder MkDocs
    built, or the build's scratch folder that is moved into it)."""
    from tsgen.config import read_mkdocs_yml
    from tsgen.site.search import index_site

    user = read_mkdocs_yml(root / "mkdocs.yml") if (root / "mkdocs.yml").is_file() else {}
    if progress is not None:
        progress("indexing for search (Pagefind) ...")
    return index_site(archive, site, directory_urls(root), str(user.get("site_url") or ""), progress)


def index_built_site(root: Path, config: Config, site: Path, progress: Progress | None = None) -> Any:
    """The search index for a site that another tool built from .tsgen/ (Zensical, plain MkDocs)."""
    archive = load_archive(root, config)
    if archive.errors:
        raise InvalidArchive(archive.problems)
    if not (site / "index.html").is_file():
        raise BuildError(f"{site} holds no built site (no index.html); build it first")
    return index_search(archive, site, root, progress)


class _MkDocsProgress(logging.Filter):
    """While MkDocs runs (a minute for 10,000 tickets), say every few seconds how far it got.

    MkDocs logs "Reading: <page>" while it converts the Markdown and "Building page <page>" while it
    writes the HTML, both at DEBUG level on `mkdocs.commands.build`. This filter, on that logger,
    counts them and drops them (so they reach no handler); other records pass unchanged. No thread
    and no walk over site/ (which took 0.4 s of the GIL per count at 10,000 tickets).
    """

    LOGGER = "mkdocs.commands.build"

    def __init__(self, total: int, say: Progress, every: float = 5.0) -> None:
        super().__init__()
        self.total, self.say, self.every = total, say, every
        self.read = self.built = 0
        self.theirs = 0        # pages a second process writes (site/stream.py): counted by it, not here
        self.quiet = False     # in that process: its records are dropped, nothing is said
        self.start = self.last = time.monotonic()
        self.logger = logging.getLogger(self.LOGGER)
        self.level = self.logger.level

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno != logging.DEBUG:
            return True
        msg = record.msg if isinstance(record.msg, str) else ""
        if msg.startswith("Reading: "):
            self.read += 1
        elif msg.startswith("Building page "):
            self.built += 1
        else:
            return False
        now = time.monotonic()
        if now - self.last >= self.every and not self.quiet:
            self.last = now
            if not self.built:
                self.say(f"MkDocs: converted {min(self.read, self.total)}/{self.total} pages after "
                         f"{now - self.start:.0f} s")
            else:
                mine = self.total - self.theirs
                beside = f" (a second process writes the other {self.theirs})" if self.theirs else ""
                self.say(f"MkDocs: wrote {min(self.built, mine)}/{mine} pages{beside} after {now - self.start:.0f} s")
        return False

    # site/stream.py's Beside: a second process writes some of the pages
    def before_fork(self, theirs: int) -> None:
        self.theirs = theirs

    def in_second(self) -> None:
        self.quiet = True

    def second_done(self) -> None:
        return None

    def second_joined(self, value: None) -> None:
        pass

    def __enter__(self) -> "_MkDocsProgress":
        self.logger.addFilter(self)
        self.logger.setLevel(logging.DEBUG)
        return self

    def __exit__(self, *exc: object) -> None:
        self.logger.setLevel(self.level)
        self.logger.removeFilter(self)
