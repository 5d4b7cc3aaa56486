"""Concurrent `tsgen new kb` runs never share an id, whatever their slugs."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from tsgen.edit.authoring import new_article
from tsgen.config import Config
from tsgen.archive.link import load_archive


def _one(args: tuple[str, int]) -> str:
    root, i = args
    return new_article(Path(root), Config(), f"文章 {i}", slug=f"topic-{i}")[0]


def test_parallel_new_kb_allocates_distinct_ids(tmp_path: Path) -> None:
    (tmp_path / "kb").mkdir()
    with ProcessPoolExecutor(6) as pool:
        ids = list(pool.map(_one, [(str(tmp_path), i) for i in range(18)]))
    assert len(set(ids)) == 18
    assert sorted(ids) == [f"KB{n:04d}" for n in range(1, 19)]
    assert len(list((tmp_path / "kb").glob("*.md"))) == 18
    archive = load_archive(tmp_path, Config())
    assert [p for p in archive.errors] == []
