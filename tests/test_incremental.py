"""site/incremental.py: with .tsgen/ and site/ kept, a build after one changed ticket rebuilds only
what changed and gives the same site/ as a clean build, file for file."""

from __future__ import annotations

import shutil
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from treeutil import digest
from tsgen.config import load_config
from tsgen.site.build import build_site

REPO = Path(__file__).resolve().parents[1]
TICKET = "tickets/2023/10/TS202310270001.md"


@pytest.fixture
def archive(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # the sitemap's dates: the same in every build
    root = tmp_path / "archive"
    for name in ("tickets", "kb"):
        shutil.copytree(REPO / name, root / name)
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    return root


def build(root: Path) -> list[str]:
    said: list[str] = []
    # one fixed moment for every build: the home page shows its queue as of `now`, to the minute
    build_site(root, load_config(root), progress=said.append, today=date(2024, 3, 1),
               now=datetime(2024, 3, 1, 9, 30, tzinfo=timezone.utc))
    return said


def test_incremental_build_equals_a_clean_build(archive: Path, tmp_path: Path) -> None:
    first = build(archive)
    assert not any(m.startswith("incremental build") for m in first), "the first build is a clean one"
    ticket = archive / TICKET
    text = ticket.read_text(encoding="utf-8")
    old = 'title: "登录后无法查看订单列表，报错‘权限不足’"'
    assert old in text
    ticket.write_text(text.replace(old, old[:-1] + '（已复现）"'), encoding="utf-8")

    again = build(archive)
    done = [m for m in again if m.startswith("incremental build")]
    assert done, again
    rebuilt = int(done[0].split("rebuilt ")[1].split(" of ")[0])
    total = int(done[0].split(" of ")[1].split()[0])
    assert 1 < rebuilt < total / 2, done[0]  # the ticket, the pages that list or link it; not every page
    page = (archive / "site/tickets/TS202310270001/index.html").read_text(encoding="utf-8")
    assert "（已复现）" in page
    assert "（已复现）" in (archive / "site/lists/month/2023-10/index.html").read_text(encoding="utf-8")
    incremental = digest(archive / "site")

    shutil.rmtree(archive / "site")
    shutil.rmtree(archive / ".tsgen")
    clean = build(archive)
    assert not any(m.startswith("incremental build") for m in clean)
    fresh = digest(archive / "site")
    # The search index is written anew by every build, from the archive (site/search.py); Pagefind
    # names its filter files by a hash that differs from run to run even between two clean builds,
    # so the index is compared by what it holds: the same fragments (one per page) and word index.
    def index(files: dict[str, str], part: str) -> dict[str, str]:
        return {p: h for p, h in files.items() if p.startswith(f"pagefind/{part}/")}

    assert index(incremental, "fragment") == index(fresh, "fragment") and index(fresh, "fragment")
    assert index(incremental, "index") == index(fresh, "index")
    incremental = {p: h for p, h in incremental.items() if not p.startswith("pagefind/")}
    fresh = {p: h for p, h in fresh.items() if not p.startswith("pagefind/")}
    assert sorted(incremental) == sorted(fresh), "the same files"
    differ = [path for path in fresh if fresh[path] != incremental[path]]
    assert not differ, f"files that differ from a clean build: {differ[:10]}"


def test_a_changed_configuration_rebuilds_everything(archive: Path) -> None:
    build(archive)
    (archive / "mkdocs.yml").write_text((archive / "mkdocs.yml").read_text(encoding="utf-8")
                                        .replace("site_name: ", "site_name: 新"), encoding="utf-8")
    again = build(archive)
    assert not any(m.startswith("incremental build") for m in again)
    assert "新" in (archive / "site/tickets/TS202310270001/index.html").read_text(encoding="utf-8")


def test_an_interrupted_build_is_not_reused(archive: Path) -> None:
    build(archive)
    (archive / ".tsgen/incremental.json").unlink()  # what a build that stopped half-way leaves
    assert not any(m.startswith("incremental build") for m in build(archive))
