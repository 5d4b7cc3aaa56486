"""Reading a Markdown body as the site will show it: the one place that knows where code, HTML
comments and images are, shared by the validator (images must exist) and the renderer (images are
re-pointed by site/prose.py on the converted HTML). Code blocks and code spans are never touched.
"""

from __future__ import annotations

import re
from typing import Iterator

from tsgen.archive.scan import Scanner as _Scanner, Span

# Comments and code are found by the left-to-right scanners below, not by one regular expression
# each: `<!--.*?-->` and a lazy fence-to-closer pattern rescan the rest of the body from every
# unclosed opener, so 20,000 `<!--` (or unclosed ``` lines) in a pull request took a minute of CI.
# The scanners read each character a bounded number of times, and find exactly what these
# expressions found (tests/test_body.py compares them on many bodies):
#     COMMENT  <!--.*?-->                                             (DOTALL)
#     CODE     ^(```|~~~)[^\n]*\n.*?^\2[ \t]*$  |  `+[^`\n]*`+        (DOTALL, MULTILINE)


class _Comments(_Scanner):
    """HTML comments: from `<!--` to the first `-->` after it; an unclosed one is not a comment."""

    def spans(self, text: str) -> Iterator[tuple[int, int]]:
        find, pos = text.find, 0
        while True:
            start = find("<!--", pos)
            if start < 0:
                return
            close = find("-->", start + 4)
            if close < 0:  # no later opener has a close either
                return
            pos = close + 3
            yield start, pos


_CODE_START = re.compile(r"^(?:```|~~~)|`", re.MULTILINE)
_FENCE_CLOSE = {fence: re.compile("^" + re.escape(fence) + r"[ \t]*$", re.MULTILINE) for fence in ("```", "~~~")}
_TICKS = re.compile(r"`+")
_SPAN_TEXT = re.compile(r"[^`\n]*")


class _Code(_Scanner):
    """Fenced blocks (``` or ~~~ at a line start, to the first line that is the same fence alone)
    and code spans (backticks, text on the same line, backticks)."""

    def spans(self, text: str) -> Iterator[tuple[int, int]]:
        if "`" not in text and "~~~" not in text:
            return
        end_of_text = len(text)
        no_close_from = {"```": end_of_text + 1, "~~~": end_of_text + 1}  # no closer at or after this
        pos = 0
        while True:
            m = _CODE_START.search(text, pos)
            if m is None:
                return
            start = m.start()
            if m.end() - start == 3:  # a fence at a line start
                fence = m.group()
                newline = text.find("\n", start + 3)
                if 0 <= newline and newline + 1 < no_close_from[fence]:
                    close = _FENCE_CLOSE[fence].search(text, newline + 1)
                    if close is not None:
                        pos = close.end()
                        yield start, pos
                        continue
                    no_close_from[fence] = newline + 1
                if fence == "~~~":
                    pos = start + 1
                    continue
            ticks = _TICKS.match(text, start).end()
            after = _SPAN_TEXT.match(text, ticks).end()
            if after < end_of_text and text[after] == "`":
                pos = _TICKS.match(text, after).end()
                yield start, pos
            elif ticks - start >= 2:  # "``" with no close on the line: the run is `+ then `+
                pos = ticks
                yield start, pos
            else:
                pos = start + 1


COMMENT = _Comments()
CODE = _Code()


_NOT_NEWLINE = re.compile(r"[^\n]+")


def blank(m: re.Match[str] | Span) -> str:
    """A match as spaces of the same length with the same newlines: offsets and lines stay true."""
    text = m.group(0)
    return " " * len(text) if "\n" not in text else _NOT_NEWLINE.sub(lambda r: " " * len(r.group(0)), text)
IMAGE = re.compile(r"(!\[[^\[\]]*\]\(\s*<?)([^)\s>]+)")  # alt stops at '[' too: linear on unclosed '!['s
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


# Everything in a body that makes the browser load a file: Markdown images (inline and reference
# style), HTML src-like attributes and CSS url()/@import (in style attributes and <style> blocks).
# Every repetition below stops at the next bracket or '<' (or is bounded), so a body full of
# unclosed openers costs linear time, not quadratic.
_REF_IMAGE = re.compile(r"!\[((?:[^\[\]\\]|\\.)*)\](?:\[((?:[^\[\]\\]|\\.)*)\])?(?![(\[:])")
_REF_DEF = re.compile(r"^[ ]{0,3}\[((?:[^\[\]\\]|\\.)+)\]:[ \t]*\n?[ \t]*(<[^<>\n]*>|\S+)", re.MULTILINE)
_TAG = re.compile(r"<([A-Za-z][A-Za-z0-9-]*)((?:[^<>\"']|\"[^\"]{0,4000}\"|'[^']{0,4000}')*)>")
_ATTR = re.compile(r"([^\s\"'=<>/`]+)(?:\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s\"'=<>`]+))?")
_STYLE_BLOCK = re.compile(r"<style\b[^<>]*>(.*?)(?=</style|<style|\Z)", re.IGNORECASE | re.DOTALL)
# An unquoted url( stops at "(" too (a CSS bad-url, never loaded), so url(url(url(... costs linear time,
# and the blanks after "url(" are taken whole ((?=(\s*))\1, an atomic group), not rescanned from each one.
_CSS_URL = re.compile(r"url\((?=(\s*))\1(?:\"([^\"]*)\"|'([^']*)'|([^()\s]*))\s*\)|@import\s+(?:\"([^\"]*)\"|'([^']*)')",
                      re.IGNORECASE)
_CSS_ESCAPE = re.compile(r"\\([0-9a-fA-F]{1,6})\s?|\\(.)")
_SRC_ATTRS = {"src", "srcset", "poster", "background", "data", "href", "xlink:href"}  # href: <link>, <image>, <use>
_SRC_ONLY_ON = {"href": {"link", "image", "use", "feimage"}, "xlink:href": {"image", "use", "feimage"},
                "data": {"object"}}


def _masked(body: str) -> str:
    return CODE.sub(blank, COMMENT.sub(blank, body))


def _label(text: str) -> str:
    return " ".join(text.lower().split())


def _css_urls(css: str, offset: int) -> Iterator[tuple[int, str, str]]:
    text = _CSS_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)) if m.group(1) else m.group(2), css)
    for m in _CSS_URL.finditer(text):
        yield offset, next(g for g in m.groups()[1:] if g is not None), "CSS url()"


def resources(body: str) -> Iterator[tuple[int, str, str]]:
    """(offset in body, target, what) of every file the page would load, outside comments and code.

    `what` says how it is referred to: "image", "image (reference)", "<img src>", "CSS url()".
    HTML attribute values are read with their character references decoded, as a browser does.
    """
    import html

    has_image, has_html = "![" in body, "<" in body
    if not has_image and not has_html:  # most narratives: nothing here can load a file
        return
    masked = _masked(body)
    definitions: dict[str, tuple[int, str]] = {}
    if has_image:
        for m in IMAGE.finditer(masked):
            yield m.start(), m.group(2), "image"
        if "]:" in masked:
            for m in _REF_DEF.finditer(masked):
                target = m.group(2)
                definitions.setdefault(_label(m.group(1)),
                                       (m.start(), target[1:-1] if target.startswith("<") else target))
            for m in _REF_IMAGE.finditer(masked):
                label = _label(m.group(2) or m.group(1))
                if label in definitions:
                    yield m.start(), definitions[label][1], "image (reference)"
    if not has_html:
        return
    for m in _TAG.finditer(masked):
        tag = m.group(1).lower()
        for a in _ATTR.finditer(m.group(2)):
            name, raw = a.group(1).lower(), a.group(2)
            if raw is None:
                continue
            value = html.unescape(raw[1:-1] if raw[:1] in "\"'" else raw)
            if name == "style":
                yield from _css_urls(value, m.start())
            elif name in _SRC_ATTRS and tag in _SRC_ONLY_ON.get(name, {tag}):
                targets = [part.split()[0] for part in value.split(",") if part.split()] \
                    if name == "srcset" else [value]
                for target in targets:
                    yield m.start(), target, f"<{tag} {name}>"
    for m in _STYLE_BLOCK.finditer(masked):
        yield from _css_urls(m.group(1), m.start())
