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
from typing import Callable

from markupsafe import Markup, escape

from tsgen.archive.validate import KB_ID, ticket_id_pattern

# Never link inside these: bracketed text (link/image text, references) with its target, bare URLs and
# addresses, and lines indented four spaces or a tab (an indented code block, or a list's continuation:
# a missed link there is harmless, a link inside code is not).
_SKIP = re.compile(r"!?\[[^\]\n]*\](?:\([^)\n]*\)|\[[^\]\n]*\])?|\S*(?:://|www\.|@)\S*|^(?: {4}|\t).*$", re.MULTILINE)


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
    for m in _SKIP.finditer(text):
        out.append(link(text[last:m.start()]))
        out.append(m.group(0))
        last = m.end()
    out.append(link(text[last:]))
    return "".join(out)


def html_links(value: object, ids: re.Pattern[str], href: Callable[[str], str | None]) -> Markup:
    """`value` escaped as HTML text, each known id in it a link to `href(id)`."""
    text = str(escape("" if value is None else value))

    def one(m: re.Match[str]) -> str:
        url = href(m.group(0))
        return f'<a href="{escape(url)}">{m.group(0)}</a>' if url else m.group(0)

    return Markup(ids.sub(one, text))
