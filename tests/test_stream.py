"""site/stream.py: MkDocs' build with the pages outside the navigation converted one at a time
writes the same site as `mkdocs build`, byte for byte, and lets each such page go once written."""

from __future__ import annotations

import hashlib
import shutil
from datetime import date
from pathlib import Path

import pytest

from tsgen.config import load_config
from tsgen.site.build import generate
from tsgen.site.mkdocs import BUILD_DIR, MkDocsRun, write_config

REPO = Path(__file__).resolve().parents[1]


def digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def generated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # the sitemap's dates: the same in every build
    root = tmp_path / "archive"
    for name in ("tickets", "kb"):
        shutil.copytree(REPO / name, root / name)
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    gen = generate(root, load_config(root), today=date(2024, 3, 1))
    write_config(root, gen.nav, root / "site")
    return root


def test_streamed_build_equals_mkdocs_build(generated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from mkdocs.commands import build as mk
    from mkdocs.config import load_config as mkdocs_config

    config = generated / BUILD_DIR / "mkdocs.yml"
    plain = mkdocs_config(str(config))
    plain["site_dir"] = str(tmp_path / "plain")
    mk.build(plain)

    held: list[tuple[str, bool]] = []  # (page, whether its HTML was still held) when the next page was written
    real = mk._build_page

    def spy(page, config, doc_files, *args, **kwargs):  # type: ignore[no-untyped-def]
        held.extend((f.src_uri, f.page.content is not None) for f in doc_files
                    if f.page is not None and f.src_uri.startswith("tickets/") and f.page is not page)
        return real(page, config, doc_files, *args, **kwargs)

    monkeypatch.setattr(mk, "_build_page", spy)
    run = MkDocsRun(config)
    run.build(tmp_path / "streamed")
    assert digest(tmp_path / "streamed") == digest(tmp_path / "plain")
    assert held and not any(still for _, still in held), "a written ticket page was still held in memory"
    assert mk._build_page is spy, "the streaming patch is undone after the build"


def test_plugins_get_mkdocs_own_order(generated: Path, tmp_path: Path) -> None:
    from tsgen.site.stream import can_stream

    run = MkDocsRun(generated / BUILD_DIR / "mkdocs.yml").prepare()
    assert can_stream(run.cfg), "tsgen's own configuration has no plugin"
    text = (generated / "mkdocs.yml").read_text(encoding="utf-8").replace("plugins: []", "plugins: [search]")
    (generated / "mkdocs.yml").write_text(text, encoding="utf-8")
    run = MkDocsRun(generated / BUILD_DIR / "mkdocs.yml").prepare()
    assert not can_stream(run.cfg), "a plugin may read every page before any is written"
