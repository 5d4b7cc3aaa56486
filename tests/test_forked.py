"""site/forked.py: ticket pages rendered by forked copies of the process give the same pages, in the
same order, as one process; a child's failure is a clear BuildError."""

from __future__ import annotations

import os
import shutil
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from treeutil import digest
from tsgen.config import load_config
from tsgen.errors import BuildError
from tsgen.site import forked
from tsgen.site.build import generate
from tsgen.site.mkdocs import BUILD_DIR

REPO = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="no os.fork on this platform")


def shared(items: list[int], work, jobs: int):  # type: ignore[no-untyped-def]
    """Every share worked on, the parent's here, as SiteRenderer._tickets uses Shares."""
    shares = forked.Shares(items, work, jobs)
    try:
        return [work(shares.mine), *shares.join()]
    finally:
        shares.cancel()


def test_each_process_gets_every_nth_item_and_results_come_in_order() -> None:
    items = list(range(20))
    old = forked.MIN_PER_WORKER
    forked.MIN_PER_WORKER = 1
    try:
        results = shared(items, lambda part: (os.getpid(), list(part)), jobs=3)
    finally:
        forked.MIN_PER_WORKER = old
    assert [part for _, part in results] == [items[0::3], items[1::3], items[2::3]]
    assert results[0][0] == os.getpid() and len({pid for pid, _ in results}) == 3, "two children and the parent"


def test_too_little_work_stays_in_one_process() -> None:
    results = shared(list(range(10)), lambda part: (os.getpid(), list(part)), jobs=4)
    assert results == [(os.getpid(), list(range(10)))]


def test_a_failing_child_is_a_build_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(forked, "MIN_PER_WORKER", 1)
    parent = os.getpid()

    def work(part: list[int]) -> int:
        if os.getpid() != parent:
            raise ValueError("tickets/2024/01/TS202401010001.md: boom")
        return sum(part)

    with pytest.raises(BuildError, match="a forked build process failed: ValueError: tickets/2024/01/TS202401010001.md: boom"):
        shared(list(range(10)), work, jobs=2)


def test_tsgen_jobs_overrides_the_core_count(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TSGEN_JOBS", "1")
    assert forked.workers() == 1
    monkeypatch.setenv("TSGEN_JOBS", "3")
    assert forked.workers(2) == 3


def _docs(root: Path) -> dict[str, str]:
    return digest(root / BUILD_DIR / "docs")


def _noted(monkeypatch: pytest.MonkeyPatch, name: str, note):  # type: ignore[no-untyped-def]
    """forked.<name> wrapped: what `note` says of each one made is appended to the list returned."""
    real, notes = getattr(forked, name), []

    def made(*args, **kwargs):  # type: ignore[no-untyped-def]
        thing = real(*args, **kwargs)
        notes.append(note(thing))
        return thing

    monkeypatch.setattr(forked, name, made)
    return notes


def test_forked_rendering_writes_the_same_pages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "archive"
    for name in ("tickets", "kb"):
        shutil.copytree(REPO / name, root / name)
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    now = datetime(2024, 3, 1, 12, 0, tzinfo=timezone.utc)
    monkeypatch.setenv("TSGEN_JOBS", "1")
    one = generate(root, load_config(root), today=date(2024, 3, 1), now=now)
    alone = _docs(root)
    shutil.rmtree(root / BUILD_DIR)
    monkeypatch.setenv("TSGEN_JOBS", "3")
    monkeypatch.setattr(forked, "MIN_PER_WORKER", 1)
    calls = _noted(monkeypatch, "Shares", lambda shares: len(shares.children))
    background = _noted(monkeypatch, "Background", lambda job: bool(job.pid))
    said: list[str] = []
    three = generate(root, load_config(root), progress=said.append, today=date(2024, 3, 1), now=now, overlap=True)
    assert calls == [2], "the ticket pages were shared with two forked processes"
    assert background == [True, True], "the similar cases and the listings and statistics each in a forked process"
    assert three.similar is None and any("found the similar cases" in m for m in said), \
        "the similar cases were found beside the pages that show none"
    assert _docs(root) == alone, "three processes write exactly the pages one writes"
    assert sorted(p.path for p in three.rendered.pages) == sorted(p.path for p in one.rendered.pages)
    assert three.warnings == one.warnings


def test_the_parent_can_take_a_smaller_share() -> None:
    parts = forked._split(list(range(100)), 2, 0.8)
    assert sorted(parts[0] + parts[1]) == list(range(100))
    assert len(parts[0]) == 44 and len(parts[1]) == 56, "0.8 of a child's share: 44 against 56"


def test_a_cancelled_background_job_cleans_up_after_itself(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import tempfile
    import time

    monkeypatch.setenv("TSGEN_JOBS", "2")
    started = tmp_path / "started"

    def job() -> None:
        with tempfile.TemporaryDirectory(dir=tmp_path) as scratch:
            (Path(scratch) / "records.html").write_text("x", encoding="utf-8")
            started.write_text(scratch, encoding="utf-8")
            time.sleep(60)

    background = forked.Background(job)
    assert background.pid, "forked"
    deadline = time.monotonic() + 30
    while not started.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    scratch = Path(started.read_text(encoding="utf-8"))
    assert scratch.is_dir()
    began = time.monotonic()
    background.cancel()
    assert time.monotonic() - began < 10, "stopped, not waited for"
    assert not scratch.exists(), "the job's temporary folder was removed when it was stopped"
