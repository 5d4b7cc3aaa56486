"""Scanners that find what a regular expression would, in time linear in the text.

Python's `re` backtracks: a pattern such as `<!--.*?-->` or `[\\w.]+@x` rescans the rest of the text
(or of a run) from every place it could start, so a text of many openers that never close costs
quadratic time: a minute for a pull request with 20,000 of them. The scanners here (and those of
archive/body.py) find the same spans, reading each character a bounded number of times, and offer
the `finditer` and `sub` of a compiled pattern so callers need not change.
"""

from __future__ import annotations

import re
from typing import Callable, Iterator


class Span:
    """Where a scanner found a comment or code: the few `re.Match` methods callers use."""

    __slots__ = ("string", "_start", "_end", "_groups")

    def __init__(self, string: str, start: int, end: int, groups: tuple[str, ...] = ()) -> None:
        self.string, self._start, self._end, self._groups = string, start, end, groups

    def start(self) -> int:
        return self._start

    def end(self) -> int:
        return self._end

    def span(self) -> tuple[int, int]:
        return self._start, self._end

    def group(self, index: int = 0) -> str:
        if index == 0:
            return self.string[self._start:self._end]
        if 0 < index <= len(self._groups):
            return self._groups[index - 1]
        raise IndexError("no such group")

    def groups(self) -> tuple[str, ...]:
        return self._groups

    def __getitem__(self, index: int) -> str:
        return self.group(index)

    def __repr__(self) -> str:
        return f"<Span {self._start}:{self._end} {self.group()[:40]!r}>"


class Scanner:
    """finditer and sub, as on a compiled pattern (`sub` takes a plain string or a function)."""

    def spans(self, text: str) -> Iterator[tuple[int, int]]:
        raise NotImplementedError

    def finditer(self, text: str) -> Iterator[Span]:
        for start, end in self.spans(text):
            yield Span(text, start, end)

    def sub(self, repl: str | Callable[[Span], str], text: str) -> str:
        out: list[str] = []
        last = 0
        for start, end in self.spans(text):
            out.append(text[last:start])
            out.append(repl(Span(text, start, end)) if callable(repl) else repl)
            last = end
        if not out:
            return text
        out.append(text[last:])
        return "".join(out)


class AtSign(Scanner):
    """`[first][local]*@domain` (or `[local]+@domain`) as `re.finditer` finds it, in linear time.

    A match can only start in the run of `local` characters that ends right before an `@`, and
    whether the address after that `@` matches does not depend on where in the run it starts: so
    each run is read once (found by a pattern anchored at run starts), not once per character.
    """

    def __init__(self, local: str, domain: str, first: str | None = None, flags: int = 0) -> None:
        self._runs = re.compile(rf"(?<![{local}])[{local}]+(?=@)", flags)
        self._first = re.compile(rf"[{first}]", flags) if first is not None else None
        self._domain = re.compile(domain, flags)

    def spans(self, text: str) -> Iterator[tuple[int, int]]:
        if "@" not in text:
            return
        pos = 0
        for run in self._runs.finditer(text):
            at = run.end()
            start = max(run.start(), pos)
            if start >= at:
                continue  # inside the previous match, or nothing left of this run
            if self._first is not None:
                first = self._first.search(text, start, at)
                if first is None:
                    continue
                start = first.start()
            address = self._domain.match(text, at + 1)
            if address is not None:
                pos = address.end()
                yield start, pos


def inline_links(text: str) -> Iterator[tuple[int, int, bool, str]]:
    """(start, end, is_image, label) of each `[label](target)` / `![label](target)` that
    `re.finditer(r"!?\\[([^\\]]*)\\]\\([^)]*\\)", text)` finds (labels and targets may span lines), in
    linear time: that pattern rescans to the next `]` from every `[` before it."""
    pos, find = 0, text.find
    while True:
        b = find("[", pos)
        if b < 0:
            return
        c = find("]", b + 1)
        if c < 0:
            return  # no later "[" has a "]" either
        if not text.startswith("(", c + 1):
            pos = c + 1  # every "[" before c finds the same "]", not followed by "("
            continue
        d = find(")", c + 2)
        if d < 0:
            return  # no later link has a ")" either
        image = b > pos and text[b - 1] == "!"
        yield (b - 1 if image else b), d + 1, image, text[b + 1:c]
        pos = d + 1


def sub_inline_links(text: str, repl: Callable[[bool, str], str]) -> str:
    """`text` with each inline link or image replaced by repl(is_image, label)."""
    out: list[str] = []
    last = 0
    for start, end, image, label in inline_links(text):
        out.append(text[last:start])
        out.append(repl(image, label))
        last = end
    if not out:
        return text
    out.append(text[last:])
    return "".join(out)


# --- ATX headings: `^#{1,6}\s+(.+?)\s*#*\s*$` ------------------------------------------------------------
# The pattern's lazy title rescans the blanks after each of its characters, so a heading holding a long
# run of spaces costs quadratic time. HEADINGS finds the same matches (start, end and title), linearly.

_HEAD_START = re.compile(r"^#{1,6}\s", re.MULTILINE)
_BLANKS = re.compile(r"\s*")
_HASHES = re.compile(r"#*")


def _atx_headings(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, title) of each match of `^#{1,6}\\s+(.+?)\\s*#*\\s*$` (MULTILINE) in `text`."""
    n, pos = len(text), 0
    while (m := _HEAD_START.search(text, pos)) is not None:
        p = m.start()
        q = _BLANKS.match(text, m.end() - 1).end()  # \s+ taken whole
        if q < n:  # the title: the shortest start of the line's rest that leaves only blanks, #s, blanks
            line_end = text.find("\n", q)
            line_end = n if line_end < 0 else line_end
            rest = text[q:line_end].rstrip().rstrip("#").rstrip()
            e = max(q + 1, q + len(rest))
        else:  # only blanks to the end of the text: \s+ gives its last character that is not a newline back
            r = n - 1
            while r > m.end() - 1 and text[r] == "\n":
                r -= 1
            if r <= m.end() - 1:
                pos = p + 1
                continue
            q, e = r, r + 1
        a = _BLANKS.match(text, e).end()  # then \s*#*\s*$ as the regex backtracks it
        h = _HASHES.match(text, a).end()
        b = _BLANKS.match(text, h).end()
        end = -1
        if h > a:
            end = b if b == n else text.rfind("\n", h, b)
        elif a == n:
            end = n
        if end < 0:
            end = text.rfind("\n", e, a)
        yield p, end, text[q:e]
        pos = end


class _Headings(Scanner):
    def spans(self, text: str) -> Iterator[tuple[int, int]]:
        for start, end, _ in _atx_headings(text):
            yield start, end

    def finditer(self, text: str) -> Iterator[Span]:
        for start, end, title in _atx_headings(text):
            yield Span(text, start, end, (title,))

    def findall(self, text: str) -> list[str]:
        return [title for _, _, title in _atx_headings(text)]


HEADINGS = _Headings()
