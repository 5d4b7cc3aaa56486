"""Write the rendered pages into the build folder and run MkDocs (Material) on them.

The build folder (`.tsgen/`) holds `docs/` (generated Markdown and assets) and `mkdocs.yml`,
a generated configuration that INHERITs the archive's own mkdocs.yml and adds the navigation,
so `mkdocs build -f .tsgen/mkdocs.yml` reproduces the site without tsgen. Nothing is ever
written into tickets/ or kb/.
"""

from __future__ import annotations

import logging
import os
import pickle
import shutil
import subprocess
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

import yaml

from tsgen.archive.files import escapes
from tsgen.site import docs_writer
from tsgen.config import read_mkdocs_yml
from tsgen.errors import BuildError
from tsgen.site.i18n import translator
from tsgen.site.render import Page, Rendered
from tsgen.site.stream import Warnings, streamed
from tsgen.templating import DEFAULTS

BUILD_DIR = ".tsgen"
CSS = "assets/tsgen.css"
JS = "assets/tsgen.js"      # the report pages' copy button; no other script of tsgen's
THEME = "theme"  # .tsgen/theme: the theme.custom_dir of the generated config (templates/theme/ + the user's)


@dataclass
class BuildResult:
    """What a build produced, for the one-line summary."""

    pages: int
    site_dir: Path
    warnings: list[str]
    seconds: float


def build_paths(root: Path) -> tuple[Path, Path]:
    """(build folder, docs folder) of an archive; refuses a layout that would write into the sources."""
    build = root / BUILD_DIR
    docs = build / "docs"
    for folder in (build, docs, build / THEME):  # tsgen writes and deletes in these: never through a link
        if folder.is_symlink():
            raise BuildError(f"{folder} is a symlink; tsgen writes and removes files there: remove the link "
                             "(tsgen creates the folder itself)")
    for protected in ("tickets", "kb"):
        src = (root / protected).resolve()
        if docs.resolve() == src or src in docs.resolve().parents:
            raise BuildError(f"the build folder {docs} is inside {protected}/; refusing to write there")
    return build, docs


class DocsWriter:
    """Writes the pages into .tsgen/docs in a child process (tsgen.site.docs_writer) while rendering goes on.

    Use as a context manager: `put` each page as it is rendered, then `finish` with the assets, which
    also removes what an earlier build left that this one did not write. Pages go to the child's stdin
    in pickled batches of about 256 KB; a page whose file is unchanged is not rewritten. Where no process can
    be started, the pages are written here instead. A failure names the file.
    """

    BATCH_BYTES = 256 * 1024

    def __init__(self, root: Path, progress: Callable[[int, int], None] | None = None) -> None:
        self.root = root
        self.build, self.docs = build_paths(root)
        self.progress = progress
        self.batch: list[tuple[str, str]] = []
        self.size = 0
        self.made: set[str] = set()
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> "DocsWriter":
        self.docs.mkdir(parents=True, exist_ok=True)
        try:
            self.proc = subprocess.Popen([sys.executable, "-m", "tsgen.site.docs_writer", str(self.docs)],
                                         stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                         env={**os.environ, "PYTHONPATH": _package_parent()})
        except OSError:  # no processes here (a sandbox) or no interpreter (a frozen app)
            self.proc = None
        return self

    def put(self, page: Page) -> None:
        self.batch.append((page.path, page.text))
        self.size += len(page.text)
        if self.size >= self.BATCH_BYTES:
            self._flush()

    def direct(self) -> "_DirectWriter":
        """A writer of pages straight into the docs folder, for a forked rendering process (site/forked.py)."""
        return _DirectWriter(str(self.docs), self.BATCH_BYTES)

    def _flush(self) -> None:
        batch, self.batch, self.size = self.batch, [], 0
        if not batch:
            return
        try:
            if self.proc is None:
                docs_writer.write_batch(str(self.docs), batch, self.made)
            else:
                pickle.dump(batch, self.proc.stdin, protocol=pickle.HIGHEST_PROTOCOL)
        except OSError as exc:
            raise BuildError(f"could not write the pages into {self.docs}: {exc}") from exc

    def finish(self, rendered: Rendered) -> Path:
        """Wait until every page is written, then update the assets and remove stale files."""
        self._flush()
        if self.proc is not None:
            try:
                out, _ = self.proc.communicate(timeout=600)
            except (OSError, subprocess.TimeoutExpired) as exc:
                raise BuildError(f"the process writing {self.docs} stopped: {exc}") from exc
            finally:
                self._close()
            status, _, detail = out.decode("utf-8", "replace").strip().partition(" ")
            if status != "ok":
                raise BuildError(f"could not write the pages into {self.docs}: {detail or 'the writer failed'}")
        if self.progress:
            self.progress(len(rendered.pages), len(rendered.pages))
        files = [*rendered.assets, *((_own_asset(self.root, name), name) for name in (CSS, JS))]
        for source, dest in files:
            target = self.docs / dest
            if not _same_file(source, target):
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, target)
        keep = {p.path for p in rendered.pages} | {dest for _, dest in files}
        for folder, dirs, names in os.walk(self.docs, topdown=False):
            rel = os.path.relpath(folder, self.docs).replace(os.sep, "/")
            for name in names:
                if (name if rel == "." else f"{rel}/{name}") not in keep:
                    os.unlink(os.path.join(folder, name))
            if rel != "." and not os.listdir(folder):
                os.rmdir(folder)
        return self.docs

    def _close(self) -> None:
        if self.proc is not None:
            if self.proc.stdin and not self.proc.stdin.closed:
                self.proc.stdin.close()  # the child ends at the end of its input
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc = None

    def __exit__(self, *exc: object) -> None:
        self._close()  # after a failure in the renderer: the child ends on the closed pipe


class _DirectWriter:
    """`put` pages, `close` at the end: they are written by this process, in batches, unchanged files left alone."""

    def __init__(self, docs: str, batch_bytes: int) -> None:
        self.docs, self.batch_bytes = docs, batch_bytes
        self.batch: list[tuple[str, str]] = []
        self.size = 0
        self.made: set[str] = set()

    def put(self, page: Page) -> None:
        self.batch.append((page.path, page.text))
        self.size += len(page.text)
        if self.size >= self.batch_bytes:
            self.close()

    def close(self) -> None:
        batch, self.batch, self.size = self.batch, [], 0
        try:
            docs_writer.write_batch(self.docs, batch, self.made)
        except OSError as exc:
            raise BuildError(f"could not write the pages into {self.docs}: {exc}") from exc


def _package_parent() -> str:
    """The folder holding the tsgen package, first on the child's PYTHONPATH (so it runs this tsgen)."""
    parent = str(Path(__file__).resolve().parents[2])
    rest = os.environ.get("PYTHONPATH")
    return parent + (os.pathsep + rest if rest else "")


def _own_asset(root: Path, name: str) -> Path:
    """tsgen's stylesheet or script: the archive's own templates/assets/ copy first, else the default."""
    return _own_template(root, name) or DEFAULTS / name


def _same_file(source: Path, target: Path) -> bool:
    """Whether target already holds source's bytes (then it is left alone, and so is its mtime)."""
    return target.is_file() and target.stat().st_size == source.stat().st_size \
        and target.read_bytes() == source.read_bytes()


def _swap(folder: Path, fresh: Path) -> None:
    """Replace folder by fresh with file-level updates, so a running `mkdocs serve` sees only real changes."""
    if not folder.exists():
        fresh.rename(folder)
        return
    new_files = {p.relative_to(fresh) for p in fresh.rglob("*") if p.is_file()}
    for old in [p for p in folder.rglob("*") if p.is_file()]:
        if old.relative_to(folder) not in new_files:
            old.unlink()
    for rel in new_files:
        src, dst = fresh / rel, folder / rel
        if _same_file(src, dst):
            continue
        dst.parent.mkdir(parents=True, exist_ok=True)
        os.replace(src, dst)
    shutil.rmtree(fresh)


def _own_template(root: Path, name: str) -> Path | None:
    """The archive's own templates/<name> when it has one; BuildError when it leads out of templates/."""
    path = root / "templates" / name
    if not os.path.lexists(path):
        return None
    why = escapes(root, path, ("templates",))
    if why is not None:
        raise BuildError(f"templates/{name} {why}: tsgen never reads it")
    return path if path.is_file() else None


def _links_out_of(root: Path, folder: Path) -> Callable[[str, list[str]], list[str]]:
    """A copytree `ignore` that refuses a symlink in the theme folder leading out of it (and out of the archive's sources)."""
    real = Path(os.path.realpath(folder))

    def check(directory: str, names: list[str]) -> list[str]:
        for name in names:
            path = os.path.join(directory, name)
            if not os.path.islink(path):
                continue
            target = Path(os.path.realpath(path))
            if target != real and real not in target.parents and escapes(root, Path(path)) is not None:
                shown = os.path.relpath(path, root)
                raise BuildError(f"{shown} (in theme.custom_dir) is a symlink to {target}, outside the theme "
                                 "folder: tsgen never copies it into the site; put the file itself there")
        return []
    return check


def configured_site_dir(root: Path) -> Path:
    """mkdocs.yml's site_dir (relative to mkdocs.yml, as MkDocs reads it), else site/."""
    path = root / "mkdocs.yml"
    value = read_mkdocs_yml(path).get("site_dir") if path.is_file() else None
    return root / value if isinstance(value, str) and value.strip() else root / "site"


def directory_urls(root: Path) -> bool:
    """mkdocs.yml's use_directory_urls (default true): how tsgen's own HTML links pages."""
    path = root / "mkdocs.yml"
    return bool(read_mkdocs_yml(path).get("use_directory_urls", True)) if path.is_file() else True


def write_theme(root: Path) -> tuple[Path, list[str]]:
    """Fill .tsgen/theme: the archive's own theme.custom_dir (if any), then tsgen's main.html.

    tsgen's main.html places the HTML that tsgen rendered into a page's front matter (tsgen_head,
    tsgen_foot) around its Markdown body. A repository can replace it with templates/theme/main.html.
    A custom_dir of the archive's own that has a main.html wins, with a warning: that file must place
    tsgen_head and tsgen_foot itself, or ticket records will be missing.
    """
    build, _ = build_paths(root)
    theme, fresh = build / THEME, build / f"{THEME}.new"
    if fresh.exists():
        shutil.rmtree(fresh)
    warnings: list[str] = []
    user = read_mkdocs_yml(root / "mkdocs.yml") if (root / "mkdocs.yml").is_file() else {}
    custom = (user.get("theme") or {}).get("custom_dir") if isinstance(user.get("theme"), dict) else None
    if custom and (root / custom).is_dir():
        real, real_root = Path(os.path.realpath(root / custom)), Path(os.path.realpath(root))
        if real_root not in real.parents or any(p.startswith(".") for p in real.relative_to(real_root).parts):
            raise BuildError(f"theme.custom_dir {custom} leads to {real}, outside the archive (or into a hidden "
                             "folder): tsgen never copies it into the site; keep the theme folder in the repository")
        shutil.copytree(root / custom, fresh, ignore=_links_out_of(root, root / custom))
    fresh.mkdir(parents=True, exist_ok=True)
    own = _own_template(root, "theme/main.html")
    if (fresh / "main.html").exists():
        warnings.append(f"{custom}/main.html replaces tsgen's theme/main.html: it must place page.meta.tsgen_head "
                        "and page.meta.tsgen_foot around page.content and put each of page.meta.tsgen_parts in place of its "
                        "marker (see tsgen's templates/theme/main.html)")
    else:
        shutil.copyfile(own or DEFAULTS / "theme" / "main.html", fresh / "main.html")
    _swap(theme, fresh)
    return theme, warnings


def write_config(root: Path, nav: list[Any], site_dir: Path, language: str = "zh") -> Path:
    """Write .tsgen/mkdocs.yml: INHERIT the archive's mkdocs.yml, add docs/site dirs, nav and our CSS.

    The theme's language follows tsgen's `language` setting (INHERIT merges mappings key by key,
    so the rest of the archive's theme settings stay as written).
    """
    build, docs = build_paths(root)
    user = read_mkdocs_yml(root / "mkdocs.yml") if (root / "mkdocs.yml").is_file() else {}
    extra_css = list(user.get("extra_css") or [])
    if CSS not in extra_css:
        extra_css.append(CSS)
    extra_js = list(user.get("extra_javascript") or [])
    if JS not in extra_js:
        extra_js.append(JS)
    generated: dict[str, Any] = {
        "docs_dir": os.path.relpath(docs, build),  # "docs": relative, as Zensical requires
        "site_dir": str(site_dir.resolve()),
        "nav": nav,
        "extra_css": extra_css,
        "extra_javascript": extra_js,
        "theme": {"language": language, "custom_dir": THEME},
    }
    if (root / "mkdocs.yml").is_file():
        generated = {"INHERIT": os.path.relpath(root / "mkdocs.yml", build), **generated}
    else:  # an archive without mkdocs.yml still builds, with tsgen's defaults
        generated = {"site_name": "技术支持知识库", **generated,
                     "theme": {"name": "material", "language": language, "font": False, "custom_dir": THEME},
                     "plugins": [],  # tsgen writes its own search index (tsgen/search/) after MkDocs
                     "markdown_extensions": ["tables", "admonition", "attr_list", "md_in_html"]}
    path = build / "mkdocs.yml"
    build.mkdir(parents=True, exist_ok=True)
    path.write_text("# generated by tsgen build; edit ../mkdocs.yml instead\n"
                    + yaml.safe_dump(generated, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def navigation(language: str, has_stats: bool, stats_nav: list[Any] | None = None,
               has_contributors: bool = False) -> list[Any]:
    """Home, KB, listings and statistics; never one entry per ticket (that would grow every page as N²)."""
    t = translator(language)
    nav: list[Any] = [
        {t("home"): "index.md"},
        {t("kb"): [{t("kb_all"): "kb/index.md"}, {t("kb_review"): "kb/review.md"}]},
        {t("listings"): [{t("all_listings"): "lists/index.md"}, {t("by_type"): "lists/type.md"},
                         {t("by_priority"): "lists/priority.md"}, {t("by_status"): "lists/status.md"},
                         {t("debt"): "lists/debt.md"}]},
    ]
    if has_stats:
        nav.append({t("stats"): stats_nav or ["stats/index.md"]})
    if has_contributors:
        nav.append({t("contributors"): "contributors.md"})
    return nav


def quiet_jieba() -> None:
    """Material segments Chinese with jieba; its dictionary-loading chatter is not news."""
    try:
        import jieba

        jieba.setLogLevel(logging.WARNING)
    except ImportError:  # pragma: no cover - jieba is a dependency, but search still works without it
        pass


class MkDocsRun:
    """MkDocs' Python API in two steps, so the first can overlap tsgen's own waiting.

    `prepare` loads and checks the configuration and loads jieba's dictionary (about a second that
    Material's search would otherwise spend on its first page); `build` builds the site. Both
    collect MkDocs' warnings and turn its failures into BuildError.
    """

    def __init__(self, config_file: Path) -> None:
        self.config_file = config_file
        self.cfg: Any = None
        self.handler = Warnings()
        self.reused = (0, 0)  # after build: (pages whose Markdown conversion, page blocks reused), site/stream.py

    @contextmanager
    def _reported(self) -> Iterator[None]:
        from mkdocs.exceptions import MkDocsException

        logger = logging.getLogger("mkdocs")
        logger.addHandler(self.handler)
        try:
            yield
        except MkDocsException as exc:
            raise BuildError(f"MkDocs failed: {exc}") from exc
        except (OSError, yaml.YAMLError) as exc:
            raise BuildError(f"MkDocs failed: {exc}") from exc
        finally:
            logger.removeHandler(self.handler)

    def prepare(self) -> "MkDocsRun":
        from mkdocs.config import load_config

        quiet_jieba()
        with self._reported():
            self.cfg = load_config(str(self.config_file))
        if "search" not in self.cfg["plugins"] and "material/search" not in self.cfg["plugins"]:
            return self  # tsgen's own search index needs no jieba here (60 MB and a second saved)
        try:
            import jieba

            jieba.initialize()  # a jieba_dict of the user's (search plugin) replaces it in on_config
        except ImportError:  # pragma: no cover - jieba is a dependency
            pass
        return self

    def build(self, site_dir: Path | None = None, dirty: bool = False, beside: Sequence[Any] = ()) -> list[str]:
        """Build the site (into `site_dir` instead of the configured one, if given); returns MkDocs'
        warnings (of both steps). `beside`: what runs beside the build and must know when a second
        process writes a share of the pages (site/stream.py's Beside).

        `dirty` (site/incremental.py decides when it is safe): only pages whose Markdown is newer
        than their HTML are rebuilt; MkDocs' warning that a dirty build may be inaccurate is dropped.
        """
        from mkdocs.commands.build import build

        if self.cfg is None:
            self.prepare()
        if site_dir is not None:  # site/publish.py: a folder beside the site, swapped in when complete
            self.cfg["site_dir"] = str(site_dir)
        with self._reported(), streamed(self.cfg, beside) as reuse:  # pages outside the nav: converted, written, let go
            build(self.cfg, dirty=dirty)
        self.reused = reuse.counts
        if dirty:
            return [m for m in self.handler.messages if not m.startswith("A 'dirty' build is being performed")]
        return self.handler.messages
