"""Links that name a Chinese page as it is named: an IRI, not a run of percent escapes.

A tag page's folder is the tag itself (lists/tag/数据库连接超时/). MkDocs percent-encodes such a link the
way a URL must be sent (`%E6%95%B0…`, 9 bytes a character); HTML lets an attribute hold the characters
themselves (a valid URL string may hold any non-ASCII code point), and a browser encodes them the same
way when it follows the link, so the page reached is the same, from 3 bytes a character. Each ticket page
links its tags twice: about 100 bytes a page.

Only letters and digits outside ASCII are written as themselves; every other escape (spaces, `/`, `%`,
punctuation, invisible characters) stays as it was.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import quote

_ESCAPES = re.compile(r"(?:%[0-9A-Fa-f]{2})+")


def _decoded(m: re.Match[str]) -> str:
    run = m.group(0)
    try:
        text = bytes.fromhex(run.replace("%", "")).decode("utf-8")
    except UnicodeDecodeError:
        return run
    return "".join(c if ord(c) > 127 and c.isalnum() else quote(c, safe="") for c in text)


@lru_cache(maxsize=65536)
def iri(url: str) -> str:
    """`url` with the percent escapes of non-ASCII letters and digits written as the characters."""
    return _ESCAPES.sub(_decoded, url) if "%" in url else url
