"""The one ticket-id allocator: `<prefix><YYYYMMDD><NNNN>`, the next free sequence of the creation day.

Shared by `tsgen new ticket` (tsgen/edit/) and `tsgen import` (tsgen/importers/), which sit side by
side in the layers and may not import each other. Allocation never overwrites: a candidate id is
taken by creating its file exclusively (the caller's `write`), and a taken name moves on to the
next sequence.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import Callable

from tsgen.errors import ArchiveError
from tsgen.archive.validate import ticket_id_pattern

MAX_SEQUENCE = 9999


def ticket_path(root: Path, created_local: datetime, tid: str) -> Path:
    """tickets/YYYY/MM/<id>.md for a ticket created at `created_local` (already in the archive's timezone)."""
    return Path(f"{root}/tickets/{created_local:%Y/%m}/{tid}.md")  # one Path, not four joins (import: 100,000 calls)


def used_ticket_sequences(root: Path, prefix: str, day: str) -> set[int]:
    """The sequences of day `day` (YYYYMMDD) taken by ticket files anywhere under tickets/."""
    pattern = ticket_id_pattern(prefix)
    used: set[int] = set()
    base = root / "tickets"
    if base.is_dir():
        for path in base.rglob(f"{prefix}{day}*.md"):
            m = pattern.fullmatch(path.stem)
            if m:
                used.add(int(m.group(2)))
    return used


def all_used_ticket_sequences(root: Path, prefix: str) -> dict[str, set[int]]:
    """Every taken sequence per day, from one walk of tickets/ (for allocating many ids at once)."""
    pattern = ticket_id_pattern(prefix)
    used: dict[str, set[int]] = {}
    base = root / "tickets"
    for _dirpath, _dirnames, filenames in os.walk(base):
        for name in filenames:
            if name.endswith(".md"):
                m = pattern.fullmatch(name[:-3])
                if m:
                    used.setdefault(m.group(1), set()).add(int(m.group(2)))
    return used


def write_new(path: Path, text: str) -> bool:
    """Create `path` with `text` only if it does not exist (atomic: O_EXCL). False when it exists."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        return False
    with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)
    return True


def claim_ticket_id(root: Path, prefix: str, created_local: datetime, render: Callable[[str], str],
                    used: set[int], write: Callable[[Path, str], bool] = write_new) -> tuple[str, Path]:
    """Take the next free id of the creation day: write `render(id)` to its file; return (id, path).

    `used` holds the day's taken sequences (from `used_ticket_sequences`); the taken one is added
    to it, so a caller allocating many ids keeps one set per day. `write` must create the file
    exclusively and return False when the name exists (another writer took it a moment ago).
    """
    day = created_local.strftime("%Y%m%d")
    seq = max(used, default=0) + 1
    while seq <= MAX_SEQUENCE:
        tid = f"{prefix}{day}{seq:04d}"
        path = ticket_path(root, created_local, tid)
        if write(path, render(tid)):
            used.add(seq)
            return tid, path
        used.add(seq)
        seq += 1  # another writer took this id a moment ago
    raise ArchiveError(f"no free ticket id left for {day} (sequence {MAX_SEQUENCE} reached)")
