"""The site is replaced atomically (site/publish.py): a build killed or failing in MkDocs leaves the
previous site intact, its half-built folder is never published and is cleaned up next time."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import KB_PATH, TICKET_PATH, assert_clean, kb_text, run_cli, ticket_text, write
from treeutil import digest
from tsgen.config import load_config
from tsgen.errors import BuildError
from tsgen.site.build import build_site

REPO = Path(__file__).resolve().parents[1]
# In a child process: build, and once MkDocs has written its third page, kill the process.
KILLER = """
import os, signal, sys
import mkdocs.commands.build as mk
original, written = mk._build_page, []
def build_page(page, config, *args, **kwargs):
    original(page, config, *args, **kwargs)
    written.append(page)
    if len(written) == 3:
        os.kill(os.getpid(), getattr(signal, sys.argv[2]))
mk._build_page = build_page
from tsgen.cli import main
main(["build", "--quiet", "--root", sys.argv[1]])
"""


@pytest.fixture
def root(tmp_path: Path) -> Path:
    r = tmp_path / "archive"
    write(r, TICKET_PATH, ticket_text(title="第一版标题"))
    write(r, KB_PATH, kb_text())
    return r


def leftovers(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir() if p.name.startswith(".site"))


@pytest.mark.parametrize("sig", ["SIGKILL", "SIGINT"])
def test_a_build_killed_while_mkdocs_writes_leaves_the_previous_site(root: Path, sig: str) -> None:
    build_site(root, load_config(root))
    (root / "site/.nojekyll").write_text("")
    before = digest(root / "site")
    write(root, TICKET_PATH, ticket_text(title="第二版标题"))
    env = dict(os.environ, PYTHONPATH=str(REPO))
    done = subprocess.run([sys.executable, "-c", KILLER, str(root), sig], env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode != 0, done.stdout + done.stderr
    if sig == "SIGKILL":
        assert done.returncode == -signal.SIGKILL
        half = root / ".site.tsgen-new"
        assert len(list(half.rglob("index.html"))) >= 3, "MkDocs had started writing the new site"
    else:
        assert "Traceback" not in done.stderr
        assert leftovers(root) == [], "Ctrl-C removes the half-built folder"
    assert digest(root / "site") == before, "the previous site is untouched"

    build_site(root, load_config(root))  # the next build cleans up and publishes
    assert leftovers(root) == []
    page = (root / "site/tickets/TS202310270001/index.html").read_text(encoding="utf-8")
    assert "第二版标题" in page and "第一版标题" not in page
    assert (root / "site/.nojekyll").exists(), "hidden files of the old site are kept, as MkDocs keeps them"


def test_a_failure_in_mkdocs_leaves_the_previous_site(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import mkdocs.commands.build as mk

    build_site(root, load_config(root))
    before = digest(root / "site")
    original = mk._build_page

    def failing(page, config, *args, **kwargs):  # type: ignore[no-untyped-def]
        original(page, config, *args, **kwargs)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(mk, "_build_page", failing)
    with pytest.raises(BuildError, match="No space left on device"):
        build_site(root, load_config(root))
    assert digest(root / "site") == before and leftovers(root) == []


def test_a_kill_between_the_two_renames_is_recovered(root: Path) -> None:
    build_site(root, load_config(root))
    before = digest(root / "site")
    os.rename(root / "site", root / ".site.tsgen-old")  # as if killed after moving the old site away
    write(root, ".site.tsgen-new/index.html", "half")
    from tsgen.site import publish

    publish.prepare(root / "site")
    assert digest(root / "site") == before and leftovers(root) == [".site.tsgen-new"]
    assert list((root / ".site.tsgen-new").iterdir()) == []


def test_site_dir_from_mkdocs_yml_and_a_symlinked_site(root: Path, tmp_path: Path) -> None:
    write(root, "mkdocs.yml", (REPO / "mkdocs.yml").read_text(encoding="utf-8") + "\nsite_dir: public\n")
    result = run_cli(["build", "--quiet", "--root", root])
    assert_clean(result)
    assert result.exit_code == 0, result.output
    assert (root / "public/index.html").is_file() and not (root / "site").exists()
    assert f"into {root / 'public'}" in result.stdout

    served = tmp_path / "www"
    served.mkdir()
    os.symlink(served, root / "site")
    build_site(root, load_config(root), site_dir=root / "site")
    assert (root / "site").is_symlink() and (served / "index.html").is_file(), "the link stays, its target is replaced"
    assert not any(p.name.startswith(".www") for p in tmp_path.iterdir())


@pytest.mark.parametrize("where", ["kb", "tickets/2023", "templates", ".", ".git", ".tsgen/docs"])
def test_a_site_dir_that_would_replace_the_sources_is_refused(root: Path, where: str) -> None:
    (root / "templates").mkdir(exist_ok=True)
    (root / ".git").mkdir(exist_ok=True)
    before = digest(root / "kb")
    result = run_cli(["build", "--quiet", "--root", root, "--site-dir", root / where])
    assert_clean(result)
    assert result.exit_code == 1
    assert "refusing to replace it" in result.stderr
    assert digest(root / "kb") == before


def test_a_site_folder_named_by_the_repository_must_stay_inside_it(root: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "precious"
    write(elsewhere, "keep.txt", "data")
    os.symlink(elsewhere, root / "site")  # committed by a pull request
    result = run_cli(["build", "--quiet", "--root", root])
    assert_clean(result)
    assert result.exit_code == 1
    assert f"leads to {elsewhere}, outside the archive; refusing to replace it" in result.stderr
    assert (elsewhere / "keep.txt").read_text() == "data"

    os.unlink(root / "site")
    write(root, "mkdocs.yml", f"site_name: x\nsite_dir: {elsewhere}\n")
    result = run_cli(["build", "--quiet", "--root", root])
    assert result.exit_code == 1 and "outside the archive; refusing to replace it" in result.stderr
    assert (elsewhere / "keep.txt").read_text() == "data"


def test_a_linked_build_folder_is_refused(root: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "precious"
    write(elsewhere, "keep.txt", "data")
    os.symlink(elsewhere, root / ".tsgen")
    result = run_cli(["build", "--quiet", "--root", root])
    assert_clean(result)
    assert result.exit_code == 1 and ".tsgen is a symlink; tsgen writes and removes files there" in result.stderr
    assert sorted(p.name for p in elsewhere.iterdir()) == ["keep.txt"]


def test_a_site_folder_that_cannot_be_renamed_gets_its_contents_replaced(root: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from tsgen.site import publish

    build_site(root, load_config(root))
    (root / "site/.nojekyll").write_text("")
    write(root, TICKET_PATH, ticket_text(title="第二版标题"))
    real_rename = os.rename

    def busy(src, dst):  # type: ignore[no-untyped-def]
        if Path(dst) == root / "site" or Path(src) == root / "site":
            raise OSError(16, "Device or resource busy", str(src))
        return real_rename(src, dst)

    monkeypatch.setattr(publish.os, "rename", busy)
    monkeypatch.setattr(publish, "_exchange", lambda a, b: False)
    build_site(root, load_config(root))
    assert "第二版标题" in (root / "site/tickets/TS202310270001/index.html").read_text(encoding="utf-8")
    assert (root / "site/.nojekyll").exists() and leftovers(root) == []
