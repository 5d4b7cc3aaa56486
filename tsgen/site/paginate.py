"""Split a long listing into parts of a fixed number of rows, so no page grows with the archive.

A listing `lists/tag/数据库` of 2,345 tickets becomes `lists/tag/数据库.md` (rows 1–200, the page
every link points at, so links stay valid) and `lists/tag/数据库/2.md` … `/12.md`. Each part knows
the whole count, its own range and every part's path, for the pager at the top of the page.
At 200 rows a part stays well under 500 KB even with 200-character titles.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence, TypeVar

PART_ROWS = 200

T = TypeVar("T")


@dataclass(frozen=True)
class Part:
    """One page of a listing: its path, its number (1-based), its rows' range, and its siblings."""

    path: str
    number: int
    first: int          # 1-based index of its first row (0 when the listing is empty)
    last: int           # 1-based index of its last row
    total: int          # rows of the whole listing
    paths: tuple[str, ...]  # every part's path, part 1 first

    @property
    def count(self) -> int:
        return len(self.paths)


def part_path(base: str, number: int) -> str:
    """`base` without .md: part 1 is `base.md`, part n is `base/n.md`."""
    return f"{base}.md" if number == 1 else f"{base}/{number}.md"


def split(base: str, rows: Sequence[T], size: int = PART_ROWS) -> list[tuple[Part, Sequence[T]]]:
    """The parts of a listing and each part's rows; an empty listing still has its first page."""
    count = max(1, -(-len(rows) // size))
    paths = tuple(part_path(base, n) for n in range(1, count + 1))
    parts = []
    for n in range(1, count + 1):
        chunk = rows[(n - 1) * size:n * size]
        first = (n - 1) * size + 1 if chunk else 0
        parts.append((Part(paths[n - 1], n, first, first + len(chunk) - 1 if chunk else 0, len(rows), paths), chunk))
    return parts
