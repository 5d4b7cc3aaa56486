"""Reading a Markdown body as the site will show it: the one place that knows where code, HTML
comments and images are, shared by the validator (images must exist) and the renderer (images are
re-pointed by site/prose.py on the converted HTML). Code blocks and code spans are never touched.
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
