"""Pagefind's browser runtime, tuned for the first result: its wait for the index loop shortened.

Pagefind 1.5's `pagefind.js` (and its worker, `pagefind-worker.js`, which holds the same code) starts
loading the index when it is created, but a search that comes before the index has loaded waits for
it by sleeping in 50 ms steps (`getPtr()`: `while (this.raw_ptr === null) await asyncSleep(50)`; and
`mergeIndex()` in the same way for the WebAssembly). A cold query always comes first, so its result
waits on average 25 ms and up to 50 ms after the index is ready: on this machine's benchmark a tenth
of the whole first result at 10,000 tickets. Nothing in Pagefind's API says when the index has loaded,
so the wait loop itself is shortened to POLL_MS: the same loop, only checking more often (a few dozen
timer wakeups while an index loads).

The change is a textual one on the files Pagefind wrote, and only where the loop is written exactly
as in Pagefind 1.5 (tests check that the installed version has both loops in both files): another
version's files are left as they are, and its search works as Pagefind made it.
"""

from __future__ import annotations

import re
from pathlib import Path

POLL_MS = 4  # browsers clamp nested timers to 4 ms anyway
FILES = ("pagefind.js", "pagefind-worker.js")
# getPtr()'s loop (with its initError check) and mergeIndex()'s, as Pagefind 1.5's minified build writes them
_LOOP = re.compile(r"(while\(this\.(?:raw_ptr|primary\.wasm)===null\)\{"
                   r"(?:if\(this\.initError\)\{throw this\.initError;\})?await asyncSleep\()50(\);\})")


def shorten_waits(source: str) -> tuple[str, int]:
    """`source` with Pagefind's 50 ms wait loops polling every POLL_MS, and how many loops it changed."""
    return _LOOP.subn(rf"\g<1>{POLL_MS}\g<2>", source)


def tune(folder: Path) -> int:
    """Shorten the wait loops in the Pagefind runtime files of the bundle `folder`; returns how many
    loops were changed (0 for a Pagefind whose code differs: its files stay as they were)."""
    changed = 0
    for name in FILES:
        path = folder / name
        if not path.is_file():
            continue
        text, n = shorten_waits(path.read_text(encoding="utf-8"))
        if n:
            path.write_text(text, encoding="utf-8")
            changed += n
    return changed
