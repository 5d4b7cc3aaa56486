"""Reading a Markdown body as the site will show it: the one place that knows where code, HTML
comments and images are, shared by the validator (images must exist) and the renderer (images are
re-pointed, raw HTML is escaped). Code blocks and code spans are never touched.
"""

from __future__ import annotations

import re
from typing import Iterator

COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
CODE = re.compile(r"(^(```|~~~)[^\n]*\n.*?^\2[ \t]*$|`+[^`\n]*`+)", re.DOTALL | re.MULTILINE)
IMAGE = re.compile(r"(!\[[^\]]*\]\(\s*<?)([^)\s>]+)")
_NOT_A_FILE = re.compile(r"[a-z][a-z0-9+.-]*:|/|#", re.IGNORECASE)  # a URL, an absolute path or an anchor


def drop_comments(body: str) -> str:
    """The body without HTML comments (authoring notes such as the templates' <!-- hints -->)."""
    return COMMENT.sub("", body)


def chunks(body: str) -> Iterator[tuple[str, bool]]:
    """The body as consecutive (text, is_code) pieces; joined, they are the body again."""
    last = 0
    for m in CODE.finditer(body):
        yield body[last:m.start()], False
        yield m.group(0), True
        last = m.end()
    yield body[last:], False


def images(body: str) -> Iterator[tuple[int, str]]:
    """(offset in body, target) of every image outside comments and code."""
    def blank(m: re.Match[str]) -> str:  # same length, same newlines: offsets and lines stay true
        return re.sub(r"[^\n]", " ", m.group(0))

    masked = CODE.sub(blank, COMMENT.sub(blank, body))
    for m in IMAGE.finditer(masked):
        yield m.start(), m.group(2)


def is_local_file(target: str) -> bool:
    """Whether an image target is a relative path to a file (not a URL, absolute path or anchor)."""
    return not _NOT_A_FILE.match(target)


_HEADING_LINE = re.compile(r"^(#{1,6})[ \t]+\S.*$", re.MULTILINE)


def drop_empty_sections(body: str) -> str:
    """The body without headings whose section holds nothing (blank lines and HTML comments only,
    and no subsection with content): a template's unfilled `## 效果验证` is not shown as a bare heading."""
    def blank(m: re.Match[str]) -> str:
        return re.sub(r"[^\n]", " ", m.group(0))

    no_comments = COMMENT.sub(blank, body)
    masked = CODE.sub(blank, no_comments)
    headings = [(m.start(), m.end(), len(m.group(1))) for m in _HEADING_LINE.finditer(masked)]
    drop: list[tuple[int, int]] = []
    next_level, next_start = 0, len(body)  # the next heading that stays (0: none)
    for start, end, level in reversed(headings):
        empty = not no_comments[end:next_start].strip()
        if empty and (next_level == 0 or next_level <= level):
            drop.append((start, next_start))
            next_start = start  # the section before now ends here
            continue
        next_level, next_start = level, start
    if not drop:
        return body
    out, last = [], 0
    for start, stop in sorted(drop):
        out.append(body[last:start])
        last = stop
    out.append(body[last:])
    return "".join(out)


_LIST_ITEM = re.compile(r"^([ \t]*)(?:\d{1,9}[.)]|[-*+])[ \t]+\S")
_FENCE_LINE = re.compile(r"^[ \t]*(```|~~~)")


def separate_list_items(body: str) -> str:
    """A blank line before a list item that follows text other than an item at its own or a lower
    indentation, so Python-Markdown sees the list GitHub and VS Code see.

    Without it, `4. 下一步` right after a nested item or a continuation line of step 3 is read as
    more text of step 3 ("lazy continuation"), and steps merge into one paragraph. Code fences
    (also indented ones, inside list items) are left alone.
    """
    lines = body.split("\n")
    out: list[str] = []
    fence: str | None = None
    previous: tuple[bool, int] | None = None  # (is a list item, indentation) of the last non-blank line
    for line in lines:
        m = _FENCE_LINE.match(line)
        if fence is not None:
            if m and m.group(1) == fence:
                fence = None
            out.append(line)
            previous = (False, 0)
            continue
        if m:
            fence = m.group(1)
            out.append(line)
            previous = (False, 0)
            continue
        item = _LIST_ITEM.match(line)
        if item and out and out[-1].strip() and previous is not None:
            indent = len(item.group(1).expandtabs(4))
            was_item, was_indent = previous
            if not (was_item and was_indent <= indent):
                out.append("")
        if line.strip():
            previous = (bool(item), len(item.group(1).expandtabs(4)) if item else 0)
        out.append(line)
    return "\n".join(out)
