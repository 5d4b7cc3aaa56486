"""Replace the site folder atomically: MkDocs builds beside it, and the finished site is swapped in.

MkDocs cleans its site_dir in place and then writes page after page, so a build killed half way
(a CI timeout, Ctrl-C) used to leave `site/` empty or half written, ready to be published. Now:

1. `prepare` removes what a killed build left beside the site (`.site.tsgen-new`, and restores
   `.site.tsgen-old` if a build was killed between the two renames of a swap), then returns a
   fresh, empty `.site.tsgen-new` in the same folder (so the swap is a rename on one file system).
2. MkDocs builds into it. Nothing there is ever published: it is hidden, beside `site/`, not in it.
3. `swap` moves the hidden entries of the old site (a `.nojekyll`, a `.git` of a gh-pages
   worktree: MkDocs keeps them when it cleans) into the new one, exchanges the two folders in one
   step (Linux `renameat2(RENAME_EXCHANGE)`; elsewhere two renames, recovered by step 1 if a kill
   falls between them) and removes the old site.

A site folder that is a symlink (site -> /var/www/kb) keeps its link; its target is replaced. A
site folder that cannot be renamed (a mount point) has its contents replaced once the new site is
complete instead.
"""

from __future__ import annotations

import ctypes
import errno
import ctypes.util
import os
import shutil
from pathlib import Path

from tsgen.errors import BuildError

NEW, OLD = ".tsgen-new", ".tsgen-old"  # suffixes of the hidden folders beside the site
# folders of the archive the site must not be (or be inside): replacing it would remove them
_PROTECTED = ("tickets", "kb", "templates", ".git", ".tsgen/docs", ".tsgen/theme")


def target(root: Path, site: Path, explicit: bool = True) -> Path:
    """The real folder to replace; BuildError when replacing it would remove the archive's sources.

    A site folder named by the repository (mkdocs.yml's site_dir, or a committed `site` symlink)
    must lead to a folder inside the archive: a pull request must not make the build replace
    /usr or the runner's home. Only `--site-dir` on the command line (`explicit`) may lead outside.
    """
    given = site
    site = Path(os.path.realpath(site))
    real_root = Path(os.path.realpath(root))
    if not explicit and real_root not in site.parents:
        raise BuildError(f"the site folder {given} leads to {site}, outside the archive; refusing to replace it "
                         "(name a folder outside the archive with --site-dir instead)")
    if site == real_root or site in real_root.parents:
        raise BuildError(f"the site folder {site} holds the whole archive; refusing to replace it "
                         "(choose an empty folder such as site/)")
    rel = site.relative_to(real_root).as_posix() if real_root in site.parents else None
    if rel is not None:
        inside = next((p for p in _PROTECTED if rel == p or rel.startswith(p + "/")), ".tsgen" if rel == ".tsgen" else None)
        if inside is not None:
            raise BuildError(f"the site folder {site} is {inside}/ or inside it; refusing to replace it "
                             "(choose a folder such as site/)")
    if site.exists() and not site.is_dir():
        raise BuildError(f"the site folder {site} is a file; remove it or choose another --site-dir")
    return site


def _beside(site: Path, suffix: str) -> Path:
    return site.parent / f".{site.name}{suffix}"


def prepare(site: Path) -> Path:
    """Clean up after a killed build and return an empty folder beside `site` to build into."""
    try:
        return _prepare(site)
    except OSError as exc:
        raise BuildError(f"cannot prepare a folder beside the site folder {site} to build into: "
                         f"{exc.strerror or exc} ({exc.filename or site.parent})") from None


def _prepare(site: Path) -> Path:
    fresh, old = _beside(site, NEW), _beside(site, OLD)
    if old.exists():
        if not site.exists():  # killed between the two renames of a swap: the old site is the good one
            os.rename(old, site)
        else:
            shutil.rmtree(old, ignore_errors=True)
    if fresh.exists():
        shutil.rmtree(fresh)
    site.parent.mkdir(parents=True, exist_ok=True)
    fresh.mkdir()
    return fresh


def discard(site: Path) -> None:
    """Remove the folder of a build that failed; the site stays as it was."""
    shutil.rmtree(_beside(site, NEW), ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step where the system can (Linux renameat2 with RENAME_EXCHANGE)."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    return renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0


def swap(site: Path) -> None:
    """Put the finished build in place of `site`, keeping the old site's hidden entries, and remove the old one."""
    try:
        _swap(site)
    except OSError as exc:
        if exc.errno not in (errno.EBUSY, errno.EXDEV, errno.EPERM, errno.EACCES) or not site.is_dir():
            raise BuildError(f"cannot put the new site in place of {site}: {exc.strerror or exc}") from None
        _replace_contents(site, _beside(site, NEW))  # a mount point cannot be renamed


def _replace_contents(site: Path, fresh: Path) -> None:
    """Fallback when the site folder itself cannot be renamed (a mount point): replace what is inside it.

    Not a single step; the new site is complete before the old one is touched.
    """
    for name in os.listdir(site):
        if not name.startswith("."):
            path = site / name
            shutil.rmtree(path) if path.is_dir() and not path.is_symlink() else path.unlink()
    for name in os.listdir(fresh):
        if not (site / name).exists():
            shutil.move(str(fresh / name), str(site / name))
    shutil.rmtree(fresh, ignore_errors=True)


def _swap(site: Path) -> None:
    fresh, old = _beside(site, NEW), _beside(site, OLD)
    if not site.exists():
        os.rename(fresh, site)
        return
    for name in os.listdir(site):
        if name.startswith(".") and not (fresh / name).exists():  # MkDocs never writes hidden files
            os.rename(site / name, fresh / name)
    if _exchange(fresh, site):
        os.rename(fresh, old)  # `fresh` now holds the old site
    else:
        os.rename(site, old)
        os.rename(fresh, site)
    shutil.rmtree(old, ignore_errors=True)
