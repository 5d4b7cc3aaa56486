"""Incremental builds: with .tsgen/ and site/ kept from the last build, MkDocs rebuilds only changed pages.

tsgen always renders every page (a few seconds at 10,000 tickets), but the page writer leaves a
file of .tsgen/docs alone when its text is unchanged, so only the pages whose inputs changed get
a new modification time. MkDocs' dirty build (`build(config, dirty=True)`) then converts and
writes exactly those pages (a page's HTML depends on its own Markdown, the navigation, the theme
and the configuration, and on which other pages exist, for its links).

So a build is incremental only when everything else is as the last build left it; the
fingerprint of a build (written to .tsgen/incremental.json after it succeeded, removed when the
next one starts) holds the generated mkdocs.yml and the archive's own, the theme folder, the list
of every docs file, the site folder and the versions of tsgen, MkDocs and Material. Anything
different, or a site/ that is missing, gives a clean build.

The site is still replaced atomically (site/publish.py): `seed` copies the last site into the
folder MkDocs builds in, and the search index is written anew from the archive (Pagefind, from
tsgen's records: a few seconds), so an incremental build gives the same site/ as a clean one, file
for file (tests/test_incremental.py compares them).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import Any, Iterable

MANIFEST = "incremental.json"


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    found = {}
    for name in ("tsgen", "mkdocs", "mkdocs-material", "minify-html"):
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = ""
    return found


def _tree_hash(folder: Path) -> str:
    digest = hashlib.sha1()
    if folder.is_dir():
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            digest.update(path.relative_to(folder).as_posix().encode("utf-8") + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def fingerprint(root: Path, build: Path, site: Path, docs_files: Iterable[str]) -> dict[str, Any]:
    """What, besides the pages' own Markdown, the HTML of every page depends on."""
    own = root / "mkdocs.yml"
    generated = build / "mkdocs.yml"
    code = Path(__file__).resolve().parents[1]
    return {
        "site_dir": str(site.resolve()),
        "mkdocs_yml": hashlib.sha1(own.read_bytes()).hexdigest() if own.is_file() else "",
        "generated_yml": hashlib.sha1(generated.read_bytes()).hexdigest() if generated.is_file() else "",
        "theme": _tree_hash(build / "theme"),
        "docs": hashlib.sha1("\n".join(sorted(docs_files)).encode("utf-8")).hexdigest(),
        # how tsgen rewrites MkDocs' HTML (a change there changes pages whose Markdown did not change)
        "code": hashlib.sha1(b"".join((code / "site" / n).read_bytes() for n in ("minify.py", "incremental.py")))
        .hexdigest(),
        "versions": _versions(),
    }


def read_manifest(build: Path) -> dict[str, Any] | None:
    try:
        return json.loads((build / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def forget(build: Path) -> None:
    """Called as a build starts: until it succeeds, the next build may not rely on site/."""
    try:
        (build / MANIFEST).unlink()
    except FileNotFoundError:
        pass


def remember(build: Path, fp: dict[str, Any]) -> None:
    build.mkdir(parents=True, exist_ok=True)
    (build / MANIFEST).write_text(json.dumps(fp, indent=1, sort_keys=True), encoding="utf-8")


def can_reuse(previous: dict[str, Any] | None, now: dict[str, Any], site: Path) -> bool:
    return previous is not None and previous == now and (site / "index.html").is_file()


def seed(site: Path, fresh: Path) -> None:
    """Copy the last site into the folder MkDocs builds in (site/publish.py), times kept, so its dirty
    build rewrites only the pages whose Markdown changed. A copy, not hard links: MkDocs and the
    minifier rewrite files in place, which would change the published site while the build runs.
    The search index is left out: it is written anew from the archive (tsgen/site/search.py)."""
    for folder, dirs, names in os.walk(site):
        rel = os.path.relpath(folder, site)
        if rel == "pagefind" or rel.startswith("pagefind" + os.sep):
            dirs[:] = []
            continue
        target = fresh / rel
        target.mkdir(parents=True, exist_ok=True)
        for name in names:
            shutil.copy2(os.path.join(folder, name), target / name)
