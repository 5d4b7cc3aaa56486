"""Shared helpers for tsgen's tests: write files, build valid documents to tweak, run the CLI.

Kept generic so every test module can use them. Document factories take each front-matter value as
YAML *text* (written verbatim after `key: `), so a test can put any spelling on any line; pass None to
leave a key out, and `extra=` for further lines (e.g. a Chinese key).
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

import pytest
from click.testing import CliRunner, Result

from tsgen.cli import main

TICKET_ID = "TS202310270001"
TICKET_PATH = f"tickets/2023/10/{TICKET_ID}.md"
KB_ID = "KB0001"
KB_PATH = f"kb/{KB_ID}-sample.md"

# A ticket with the required fields only (pending P2: no SLA, escalation or knowledge-debt rule applies),
# so an archive holding just this file validates with no problem at all.
TICKET_FIELDS: dict[str, str] = {
    "id": TICKET_ID,
    "title": "登录后报错“权限不足”",
    "type": "fault",
    "priority": "P2",
    "created": "2023-10-27 10:00",
    "status": "pending",
}
TICKET_BODY = "## 问题描述\n\n客户A反馈登录后报错。\n\n## 处理步骤\n\n检查角色配置。\n"

KB_FIELDS: dict[str, str] = {
    "id": KB_ID,
    "title": "订单模块权限不足的处理",
    "status": "published",
}
KB_BODY = ("## 问题描述\n\n登录后报错“权限不足”。\n\n## 原因分析\n\n角色未分配订单权限。\n\n"
           "## 解决步骤\n\n1. 在后台为角色勾选订单模块。\n")


def write(root: Path, relpath: str, text: str | bytes) -> Path:
    """Write `text` (UTF-8, LF kept as is) or raw bytes to root/relpath, creating folders; return the path."""
    path = root / relpath
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_bytes(text.encode("utf-8"))
    return path


def front_matter(defaults: dict[str, str], fields: dict[str, str | None], extra: str | Iterable[str] = "") -> str:
    """`---`, one `key: value` line per field (defaults overridden, None dropped, new keys appended), extra, `---`."""
    merged: dict[str, str | None] = {**defaults, **fields}
    lines = ["---"]
    for key, value in merged.items():
        if value is None:
            continue
        lines.append(f"{key}: {value}" if value != "" else f"{key}:")
    extra_lines = [extra] if isinstance(extra, str) else list(extra)
    lines.extend(line.rstrip("\n") for line in extra_lines if line)
    lines.append("---")
    return "\n".join(lines) + "\n"


def ticket_text(body: str = TICKET_BODY, extra: str | Iterable[str] = "", **fields: str | None) -> str:
    """A minimal valid ticket; keyword arguments replace (or with None remove) front-matter values."""
    return front_matter(TICKET_FIELDS, fields, extra) + "\n" + body


def kb_text(body: str = KB_BODY, extra: str | Iterable[str] = "", **fields: str | None) -> str:
    """A minimal valid KB article; keyword arguments replace (or with None remove) front-matter values."""
    return front_matter(KB_FIELDS, fields, extra) + "\n" + body


def ticket_path(tid: str) -> str:
    """The recommended path of a ticket: tickets/YYYY/MM/<id>.md (the date read from the id)."""
    digits = tid.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ_-abcdefghijklmnopqrstuvwxyz")
    return f"tickets/{digits[:4]}/{digits[4:6]}/{tid}.md"


def line_of(text: str, start: str, nth: int = 1) -> int:
    """The 1-based line number of the nth line of `text` that starts with `start`."""
    seen = 0
    for number, line in enumerate(text.splitlines(), 1):
        if line.startswith(start):
            seen += 1
            if seen == nth:
                return number
    raise AssertionError(f"no line starting with {start!r} in:\n{text}")


def run_cli(args: list[str], input: str | None = None) -> Result:
    """Invoke `tsgen ARGS` in-process; the result has exit_code, output (stdout+stderr), stdout, stderr."""
    return CliRunner().invoke(main, [str(a) for a in args], input=input, catch_exceptions=True)


def assert_clean(result: Result) -> None:
    """The command ended by itself (exit code, no escaped exception, no traceback, no internal error)."""
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    assert "Traceback" not in result.output, result.output
    assert "internal error" not in result.output, result.output


@pytest.fixture
def archive_root(tmp_path: Path) -> Path:
    """An empty archive: tickets/ and kb/ folders and no mkdocs.yml (all settings default)."""
    (tmp_path / "tickets").mkdir()
    (tmp_path / "kb").mkdir()
    return tmp_path


def search_index_text(site: Path) -> str:
    """Everything the site's search index (Pagefind, `site/pagefind/`) holds, as text: its gzip'd
    fragments, word indexes, filters and metadata decompressed and decoded (what a leak test reads)."""
    import gzip

    parts = []
    for path in sorted((site / "pagefind").rglob("*")):
        if not path.is_file():
            continue
        data = path.read_bytes()
        if data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
        if path.suffix.startswith(".pf_") or path.suffix == ".json":
            parts.append(data.decode("utf-8", errors="replace"))
    assert parts, f"no search index in {site / 'pagefind'}"
    return "\n".join(parts)


def quoted_html(text: str) -> str:
    """Built HTML with every attribute written `name="value"`: the site's pages are minified
    (tsgen/site/minify.py drops optional quotes), and tests that look for `src="..."` read this form.
    Text, comments and character references are kept as they are."""
    from html import escape
    from html.parser import HTMLParser

    out: list[str] = []

    class _Quoter(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=False)

        def _tag(self, tag: str, attrs: list[tuple[str, str | None]], end: str) -> None:
            parts = "".join(f' {k}="{escape(v, quote=True)}"' if v is not None else f" {k}" for k, v in attrs)
            out.append(f"<{tag}{parts}{end}>")

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            self._tag(tag, attrs, "")

        def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            self._tag(tag, attrs, "/")

        def handle_endtag(self, tag: str) -> None:
            out.append(f"</{tag}>")

        def handle_data(self, data: str) -> None:
            out.append(data)

        def handle_entityref(self, name: str) -> None:
            out.append(f"&{name};")

        def handle_charref(self, name: str) -> None:
            out.append(f"&#{name};")

        def handle_comment(self, data: str) -> None:
            out.append(f"<!--{data}-->")

        def handle_decl(self, decl: str) -> None:
            out.append(f"<!{decl}>")

    parser = _Quoter()
    parser.feed(text)
    parser.close()
    return "".join(out)
