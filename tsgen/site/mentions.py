"""Ticket and KB ids mentioned in text become links to their pages, without letting text become markup.

Two forms, one id rule (the validator's ticket_id_pattern and KB_ID, whole words only, ids that exist):

- `markdown_links` for a Markdown body: outside code (the caller passes only non-code pieces), an id
  becomes `[ID](path.md)`. The label is the id itself (letters and digits) and the path is computed
  here, so no text of the body is ever moved into markup. Ids inside link or image text, link targets,
  URLs and indented lines (which may be code blocks) are left as they are.
- `html_links` for a front-matter value on tsgen's HTML: the value is escaped first, then each id in
  the escaped text is wrapped in an `<a>` whose href is computed here and escaped too.
"""

from __future__ import annotations

import re
from typing import Callable, Iterator

from markupsafe import Markup, escape

from tsgen.archive.validate import KB_ID, ticket_id_pattern

# Never link inside these: bracketed text (link/image text, references) with its target, bare URLs and
# addresses, and lines indented four spaces or a tab (an indented code block, or a list's continuation:
# a missed link there is harmless, a link inside code is not).
_SKIP = re.compile(r"!?\[[^\]\n]*\](?:\([^)\n]*\)|\[[^\]\n]*\])?|\S*(?:://|www\.|@)\S*|^(?: {4}|\t).*$", re.MULTILINE)
# _skips() finds what _SKIP.finditer finds, in linear time: the pattern rescans the rest of a line from
# every unclosed "[", and the rest of a run of non-spaces from each of its characters.
_NEXT = re.compile(r"\S|^(?: {4}|\t)", re.MULTILINE)
_RUN = re.compile(r"\S+")
_MARK = re.compile(r"://|www\.|@")
_BRACKET = re.compile(r"!?\[")
_UNTIL = {"]": re.compile(r"[\]\n]"), ")": re.compile(r"[)\n]")}


def _skips(text: str) -> Iterator[tuple[int, int]]:
    """The spans of _SKIP.finditer(text), each character read a bounded number of times."""
    n = len(text)
    known = {"]": (n + 1, n), ")": (n + 1, n)}  # (from, to): the first close or newline at or after `from` is `to`

    def close(ch: str, start: int) -> int:
        lo, hi = known[ch]
        if lo <= start <= hi:
            return hi
        m = _UNTIL[ch].search(text, start)
        hi = m.start() if m else n
        known[ch] = (start, hi)
        return hi

    def link_end(b: int) -> int | None:  # "[...]" at b, with an optional "(...)" or "[...]" after it
        c = close("]", b + 1)
        if c >= n or text[c] != "]":
            return None
        after = c + 1
        if after < n and text[after] in "([":
            ch = ")" if text[after] == "(" else "]"
            d = close(ch, after + 1)
            if d < n and text[d] == ch:
                return d + 1
        return after

    pos, dead_until = 0, -1  # before dead_until the rest of a run holds no "://", "www." or "@"
    while pos < n:
        m = _NEXT.search(text, pos)
        if m is None:
            return
        p = m.start()
        ch = text[p]
        if ch == " " or ch == "\t":  # an indented line
            end = text.find("\n", p)
            pos = n if end < 0 else end
            yield p, pos
            continue
        if ch == "[" or (ch == "!" and text.startswith("[", p + 1)):
            end = link_end(p + (ch == "!"))
            if end is not None:
                yield p, end
                pos = end
                continue
        if p >= dead_until:
            run_end = _RUN.match(text, p).end()  # type: ignore[union-attr]
            if _MARK.search(text, p, run_end):
                yield p, run_end
                pos = run_end
                continue
            dead_until = run_end
        b = _BRACKET.search(text, p + 1, dead_until)  # only a link can start in the rest of this run
        pos = b.start() if b else dead_until


def id_pattern(prefix: str) -> re.Pattern[str]:
    """Ticket or KB ids as whole words (not inside a longer word, path or number)."""
    ticket = ticket_id_pattern(prefix).pattern
    return re.compile(rf"(?<![A-Za-z0-9_/.#\-])(?:{ticket}|{KB_ID.pattern})(?![A-Za-z0-9_/\-]|\.[A-Za-z0-9])")


def markdown_links(text: str, ids: re.Pattern[str], target: Callable[[str], str | None]) -> str:
    """`text` (Markdown, no code) with each known id written as a Markdown link to `target(id)`."""
    def link(piece: str) -> str:
        def one(m: re.Match[str]) -> str:
            path = target(m.group(0))
            return f"[{m.group(0)}]({path})" if path else m.group(0)

        return ids.sub(one, piece)

    out, last = [], 0
    for start, end in _skips(text):
        out.append(link(text[last:start]))
        out.append(text[start:end])
        last = end
    out.append(link(text[last:]))
    return "".join(out)


def html_links(value: object, ids: re.Pattern[str], href: Callable[[str], str | None]) -> Markup:
    """`value` escaped as HTML text, each known id in it a link to `href(id)`."""
    text = str(escape("" if value is None else value))

    def one(m: re.Match[str]) -> str:
        url = href(m.group(0))
        return f'<a href="{escape(url)}">{m.group(0)}</a>' if url else m.group(0)

    return Markup(ids.sub(one, text))
