"""site/stream.py: MkDocs' build with the pages outside the navigation converted one at a time
writes the same site as `mkdocs build`, byte for byte, and lets each such page go once written."""

from __future__ import annotations

import shutil
from collections import Counter
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from treeutil import digest
from tsgen.config import load_config
from tsgen.site.build import generate
from tsgen.site.mkdocs import BUILD_DIR, MkDocsRun, write_config

REPO = Path(__file__).resolve().parents[1]


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
    tickets = sum(1 for _ in (generated / BUILD_DIR / "docs" / "tickets").glob("*.md"))
    conversions, blocks = run.reused
    assert conversions >= tickets // 2, "ticket pages with the same headings share one conversion"
    assert blocks >= tickets, "the navigation, footer and script blocks of ticket pages are rendered once per kind"
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


class _Page:
    def __init__(self, url: str, title: str) -> None:
        self.url, self.title, self.meta, self.toc = url, title, {}, []
        self.previous_page = self.next_page = None


def test_a_page_block_that_differs_between_pages_is_never_kept() -> None:
    from tsgen.site.stream import _Chrome

    chrome = _Chrome(enabled=True)
    calls: list[str] = []

    def render(page: _Page, same: bool) -> str:
        chrome.outside = page

        def caller() -> str:
            calls.append(page.url)
            return "footer" if same else f"footer of {page.title}"
        return chrome("footer", page, caller)

    pages = [_Page(f"tickets/TS{i}/", f"title {i}") for i in range(10)]
    assert [render(p, same=False) for p in pages] == [f"footer of title {i}" for i in range(10)]
    assert len(calls) == 10, "a block that shows the page's own title is rendered for every page"
    calls.clear()
    assert [render(p, same=True) for p in pages] == ["footer"] * 10
    assert len(calls) == 10, "the kind is known to differ, so it is rendered for every page from then on"


def test_page_blocks_are_kept_per_folder_and_only_after_verification() -> None:
    from tsgen.site.stream import _Chrome

    chrome = _Chrome(enabled=True)
    chrome.linked = ["", "kb/", "lists/"]
    calls: list[str] = []

    def render(page: _Page) -> str:
        chrome.outside = page

        def caller() -> str:
            calls.append(page.url)
            return f"nav for {page.url.count('/')}"
        return chrome("site_nav", page, caller)

    tickets = [_Page(f"tickets/TS{i}/", "t") for i in range(6)]
    for page in tickets:
        render(page)
    assert len(calls) == _Chrome.VERIFY, "the first pages of a kind are rendered and compared, the rest reuse them"
    calls.clear()
    render(_Page("lists/month/2024-01/2/", "t"))
    assert calls == ["lists/month/2024-01/2/"], "another folder is another kind"
    calls.clear()
    render(_Page("kb/", "t"))
    render(_Page("kb/", "t"))
    render(_Page("kb/", "t"))
    render(_Page("kb/", "t"))
    assert len(calls) == 4, "a page whose folder holds a navigation target is always rendered"
    chrome.outside = None
    calls.clear()
    chrome("site_nav", tickets[0], lambda: calls.append("in nav") or "x")
    assert calls == ["in nav"], "a page in the navigation is always rendered"


@pytest.fixture
def split(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every page outside the navigation goes to the second writer, however few there are."""
    from tsgen.site import stream

    monkeypatch.setenv("TSGEN_JOBS", "2")
    monkeypatch.setattr(stream, "SPLIT", 1)
    monkeypatch.setattr(stream, "SECOND_SHARE", 1.0)


def test_a_second_writer_writes_the_same_site(generated: Path, tmp_path: Path, split: None,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    from mkdocs.commands import build as mk
    from mkdocs.config import load_config as mkdocs_config

    config = generated / BUILD_DIR / "mkdocs.yml"
    plain = mkdocs_config(str(config))
    plain["site_dir"] = str(tmp_path / "plain")
    mk.build(plain)

    real = mk._build_page

    def spy(page, *args, **kwargs):  # type: ignore[no-untyped-def]
        result = real(page, *args, **kwargs)
        out = Path(page.file.abs_dest_path)  # a page written by the second process: noted in its file's name
        out.with_name(out.name + f".{os.getpid()}.pid").write_text("", encoding="utf-8")
        return result

    monkeypatch.setattr(mk, "_build_page", spy)
    run = MkDocsRun(config)
    run.build(tmp_path / "split")
    marks = list((tmp_path / "split").rglob("*.pid"))
    writers = Counter(mark.name.rsplit(".", 2)[1] for mark in marks)
    for mark in marks:
        mark.unlink()
    assert digest(tmp_path / "split") == digest(tmp_path / "plain")
    assert str(os.getpid()) in writers and len(writers) == 2, f"two processes wrote pages: {writers}"
    tickets = sum(1 for _ in (generated / BUILD_DIR / "docs" / "tickets").glob("*.md"))
    assert writers[next(pid for pid in writers if pid != str(os.getpid()))] >= tickets
    assert run.reused[0] >= tickets // 2, "the second process's reused conversions are counted"


def _ticket_page(generated: Path, name: str, body: str) -> None:
    (generated / BUILD_DIR / "docs" / "tickets" / name).write_text(f"# {name}\n\n{body}\n", encoding="utf-8")


def test_the_second_writers_warnings_and_anchors_reach_mkdocs_checks(generated: Path, tmp_path: Path,
                                                                      split: None) -> None:
    from tsgen.errors import BuildError

    _ticket_page(generated, "ZZ1.md", "## Here {#here}\n\nText.")
    _ticket_page(generated, "ZZ2.md", "[to here](ZZ1.md#here) [to nowhere](ZZ1.md#nowhere) [gone](missing.md)")
    config = generated / BUILD_DIR / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8") + "validation:\n  anchors: warn\n", encoding="utf-8")
    run = MkDocsRun(config)
    warnings = run.build(tmp_path / "site")
    mine = [w for w in warnings if "ZZ2.md" in w]
    assert any("missing.md" in w for w in mine), warnings  # logged in the second process
    assert any("#nowhere" in w for w in mine), "MkDocs' anchor check saw the second process's pages"
    assert not any("#here" in w for w in mine), "the anchors of a page the second process wrote are known"
    config.write_text(config.read_text(encoding="utf-8") + "strict: true\n", encoding="utf-8")
    with pytest.raises(BuildError, match="strict"):  # the second process's warnings are counted
        MkDocsRun(config).build(tmp_path / "strict")


def test_a_build_with_a_second_writer_publishes_the_same_minified_site(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """The second process minifies its own pages and adds the icons and scripts they need."""
    from tsgen.site import stream
    from tsgen.site.build import build_site

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    monkeypatch.setenv("TSGEN_JOBS", "2")
    root = tmp_path / "archive"
    for name in ("tickets", "kb"):
        shutil.copytree(REPO / name, root / name)
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    said: list[str] = []
    now = datetime(2024, 3, 1, 9, 30, tzinfo=timezone.utc)  # the home page's "queue as of": the same in both
    monkeypatch.setattr(stream, "SPLIT", 10**9)
    build_site(root, load_config(root), site_dir=tmp_path / "one", today=date(2024, 3, 1), now=now)
    monkeypatch.setattr(stream, "SPLIT", 1)
    build_site(root, load_config(root), site_dir=tmp_path / "two", today=date(2024, 3, 1), now=now,
               progress=said.append)
    one, two = digest(tmp_path / "one"), digest(tmp_path / "two")
    assert two == one
    minified = [line for line in said if line.startswith("minified ")]
    pages = sum(1 for name in one if name.endswith(".html"))
    assert minified and minified[0].startswith(f"minified {pages} HTML files"), (minified, pages)
