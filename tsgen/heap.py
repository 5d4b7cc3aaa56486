"""Python's cyclic garbage collector and tsgen's large, long-lived heaps.

A loaded archive is hundreds of thousands of objects (millions at 100,000 tickets) that live until
the command ends and form no reference cycles. Every full collection that later allocations trigger
walks all of them again: that made MkDocs about 15% slower at 10,000 tickets, the metrics up to 1.8
times slower at 100,000, and the search index's merge (which decodes millions of small lists) three
times slower. Two remedies, for two cases:

- `paused()`: no collection at all while a block makes objects that reference counting frees or that
  live on (loading an archive, deriving metrics);
- `frozen()`: everything alive now is left out of the collector's scans while a block runs (gc.freeze),
  for long blocks that still want their own cycles collected (rendering, MkDocs, indexing). In a forked
  child it also keeps the collector from writing into every inherited object (memory shared with the
  parent stays shared).
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator


@contextmanager
def paused() -> Iterator[None]:
    """No cyclic collection while the block runs (a caller's own pause is kept)."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


@contextmanager
def frozen() -> Iterator[None]:
    """Every object alive now out of the collector's scans until the block ends (then handed back)."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
