"""Warnings for Markdown the site will not publish as written: links with a scheme other than http,
https or mailto (javascript:, data:, vbscript:, file:, ...), and attribute lists that set an event
handler or a style.

This is advice to the author, not the protection: the site's HTML passes the allow-list of
tsgen/site/sanitize.py whatever this finds or misses. It reads the text as `body.images` does
(code blocks and spans and HTML comments left out) and costs a few regular expressions per body.
"""

from __future__ import annotations

import html
import re
from typing import Iterator

from tsgen.archive.body import CODE, COMMENT, IMAGE, blank

WEB_SCHEMES = frozenset({"http", "https", "mailto"})
# [text](url ...), <url> autolinks, [ref]: url definitions, href= in raw HTML. Images and src= are
# not looked at here: every file a body loads is judged by archive/media.py (an error or a warning
# of its own), so one mistake is reported once.
_URLS = re.compile(r"\]\(\s*<?([^)\s>]*)|^[ ]{0,3}\[[^\]\n]+\]:\s*<?(\S+?)>?(?:\s|$)|<([a-zA-Z][\w+.\-]*:[^>\s]*)>"
                   r"|\bhref\s*=\s*[\"']?([^\"'\s>]+)", re.MULTILINE)
_ATTR_LIST = re.compile(r"\{:?[^{}\n]*?\b(on[a-z]+|style)\s*=[^{}\n]*\}", re.IGNORECASE)
_MARKS = ("](", "]:", "<", "href", "{")  # what a match of _URLS or _ATTR_LIST must contain
_CONTROL = re.compile(r"[\x00-\x20\x7f-\x9f]")
_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.\-]*):")


_blank = blank  # same length, same newlines: offsets stay true


def scheme_of(url: str) -> str | None:
    """The scheme a browser would read in a URL as written (entities decoded, controls and spaces dropped)."""
    m = _SCHEME.match(_CONTROL.sub("", html.unescape(url)))
    return m.group(1).lower() if m else None


def unsafe_markup(body: str) -> Iterator[tuple[int, str]]:
    """(offset in body, message) for each link or attribute list the site will drop."""
    if not any(mark in body for mark in _MARKS):
        return  # every pattern below needs one of these, and blanking code and comments adds none
    text = body
    if "<!--" in text:
        text = COMMENT.sub(_blank, text)
    if "`" in text or "~~~" in text:
        text = CODE.sub(_blank, text)
    if "![" in text:
        text = IMAGE.sub(_blank, text)
    for m in _URLS.finditer(text):
        url = next(g for g in m.groups() if g is not None)
        scheme = scheme_of(url)
        if scheme is None or len(scheme) == 1:  # C:\... is a Windows path, reported by archive/media.py
            continue
        if scheme not in WEB_SCHEMES and not (m.group(3) and scheme in ("ftp",)):
            yield m.start(), (f"link {url[:60]!r} uses {scheme}:, which the site removes: only http, https, "
                              "mailto and relative links are published")
    for m in _ATTR_LIST.finditer(text):
        yield m.start(), (f"attribute list {m.group(0)[:60]!r} sets {m.group(1).lower()}, which the site removes "
                          "(event handlers and styles are never published)")
