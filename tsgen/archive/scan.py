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

    __slots__ = ("string", "_start", "_end")

    def __init__(self, string: str, start: int, end: int) -> None:
        self.string, self._start, self._end = string, start, end

    def start(self) -> int:
        return self._start

    def end(self) -> int:
        return self._end

    def span(self) -> tuple[int, int]:
        return self._start, self._end

    def group(self, index: int = 0) -> str:
        if index != 0:
            raise IndexError("a scanned span has only group 0")
        return self.string[self._start:self._end]

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
