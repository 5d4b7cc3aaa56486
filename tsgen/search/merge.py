"""Pagefind bundles merged: the bundles of several Pagefind runs (the shards of a large archive) as one.

Pagefind's program holds about 100 MB per 1,000 records while it indexes, so a large archive is
indexed in shards, one run each (index.py). The browser opening each shard as a bundle of its own
(Pagefind's mergeIndex) costs every visitor, per bundle, its page list, and for every word of a
query one index chunk of about 20,000 positions, mostly of other words: at 100,000 tickets, 13
page lists (690 KB) and 39 chunks (685 KB) for `数据库连接超时`. This module writes several shards
as the one bundle a single Pagefind run over their records would have written (index.py merges
consecutive shards into bundles of up to index.BUNDLE pages: Pagefind's search time in a bundle
grows with the pages found times the pages holding the words, so one bundle of 100,000 was far too
slow for common words):

- the page list is the shards' lists one after the other (page numbers offset), and each page's
  fragment is renamed `<prefix><tag><number>` (base 36): Pagefind names fragments by 7 hexadecimal
  digits of their hash, which no compression shrinks (3.5 bytes a page); a counter compresses to
  about half. `tag` is a hash of the shards' own page lists, so a changed index gets new fragment
  addresses (no browser shows a cached fragment of an earlier build). The page lengths Pagefind
  keeps for its length normalisation are rounded to 5 significant bits (at most 3 %);
- each word's page list is the shards' lists for it one after the other: their bytes are copied as
  Pagefind wrote them, only the first page's delta of each shard is recomputed; the words are cut
  into chunks again, smaller than Pagefind's (CHUNK_BYTES: fewer other words loaded with a word),
  and the chunk bounds written as Pagefind writes them (`chunk_meta`);
- the filters' page lists are merged the same way (absolute page numbers, offset).

The format is Pagefind 1.5's (CBOR inside gzip, `pagefind_dcd` first; read by its WebAssembly):
a bundle of any other shape is refused with a BuildError naming what differs, never half-merged.
"""

from __future__ import annotations

import array
import gzip
import hashlib
import heapq
import io
import itertools
import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import cbor2

from tsgen import heap
from tsgen.errors import BuildError

MAGIC = b"pagefind_dcd"
CHUNK_BYTES = 8_000       # a word chunk's CBOR size, about (Pagefind: 20,000 positions, ~40 KB): a query loads one chunk per word and bundle, mostly other words
_B36 = "0123456789abcdefghijklmnopqrstuvwxyz"


def read_pf(path: Path) -> bytes:
    """A Pagefind file's CBOR (gunzipped, the signature taken off)."""
    raw = gzip.decompress(path.read_bytes())
    if not raw.startswith(MAGIC):
        raise BuildError(f"{path} is not a Pagefind 1.5 file (no {MAGIC.decode()} signature)")
    return raw[len(MAGIC):]


def write_pf(path: Path, data: bytes) -> None:
    # mtime=0: the same index gives the same bytes (an incremental build equals a clean one)
    path.write_bytes(gzip.compress(MAGIC + data, 6, mtime=0))


def _head(major: int, n: int) -> bytes:
    """A CBOR item head (major type, argument), shortest form, as Pagefind's encoder writes it."""
    if n < 24:
        return bytes([major << 5 | n])
    for code, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if n < 1 << (8 * size):
            return bytes([major << 5 | code]) + n.to_bytes(size, "big")
    raise BuildError(f"a number too large for the search index: {n}")


def _arg(raw: bytes | memoryview, i: int) -> tuple[int, int, int]:
    """The CBOR head at i: (major type, argument, index after the head)."""
    b = raw[i]
    major, ai = b >> 5, b & 31
    if ai < 24:
        return major, ai, i + 1
    size = {24: 1, 25: 2, 26: 4, 27: 8}.get(ai)
    if size is None:
        raise BuildError(f"unexpected CBOR head {b:#x} in a Pagefind index chunk")
    return major, int.from_bytes(raw[i + 1:i + 1 + size], "big"), i + 1 + size


def _text(s: str) -> bytes:
    b = s.encode("utf-8")
    return _head(3, len(b)) + b


def _b36(n: int, width: int) -> str:
    out = ""
    while True:
        n, d = divmod(n, 36)
        out = _B36[d] + out
        if not n:
            return out.rjust(width, "0")


def round_length(words: int) -> int:
    """A page's word count to 5 significant bits (BM25's length normalisation needs no more)."""
    step = 1 << max(0, words.bit_length() - 5)
    return (words + step // 2) // step * step


@dataclass
class _Shard:
    folder: Path
    entry: dict[str, Any]
    language: str
    meta: list[Any]
    offset: int = 0


def _open(folder: Path) -> _Shard:
    try:
        entry = json.loads((folder / "pagefind-entry.json").read_text(encoding="utf-8"))
        (language, info), = entry["languages"].items()
        meta = cbor2.loads(read_pf(folder / f"pagefind.{info['hash']}.pf_meta"))
    except (OSError, ValueError, KeyError, TypeError, cbor2.CBORDecodeError) as exc:
        raise BuildError(f"the Pagefind bundle in {folder} could not be read: {exc}") from exc
    if not (isinstance(meta, list) and len(meta) == 6 and str(meta[0]).startswith("1.5")):
        raise BuildError(f"the Pagefind bundle in {folder} is not of the format tsgen merges (Pagefind 1.5): "
                         f"version {meta[0] if isinstance(meta, list) and meta else '?'}")
    if meta[4]:
        raise BuildError(f"the Pagefind bundle in {folder} has sort keys, which tsgen does not merge")
    return _Shard(folder, entry, language, meta)


@dataclass
class Scan:
    """Where each word of a bundle's index is, in word order, kept compact (a shard of 7,812 pages has
    about 17,500 words; tuples of Python ints for 13 shards held about 60 MB): the chunk names, and per
    word its chunk (index into `chunks`), pages, first delta, sum of deltas, start and end."""

    chunks: list[str] = field(default_factory=list)
    words: list[str] = field(default_factory=list)
    nums: array.array = field(default_factory=lambda: array.array("q"))  # 6 numbers a word


def scan_bundle(folder: Path) -> Scan:
    """Where each word of a Pagefind bundle's index is, in word order: (chunk, word, pages, first page's
    delta, the sum of its deltas, start and end of its page list after that first delta in the chunk).
    The decoding is most of a merge's time: index.py scans each shard while Pagefind indexes the next."""
    return _scan(_open(folder))


def _scan(shard: _Shard) -> Scan:
    out = Scan()
    for _from, _to, name in shard.meta[2]:
        out.chunks.append(name)
        data = read_pf(shard.folder / "index" / f"{name}.pf_index")
        raw = memoryview(data)
        with heap.paused():  # a million small lists without a cycle: three times faster uncollected
            decoded = cbor2.loads(data)
        _, one, i = _arg(raw, 0)
        _, count, i = _arg(raw, i)
        if one != 1 or count != len(decoded[0]):
            raise BuildError(f"unexpected layout of the Pagefind index chunk {name} in {shard.folder}")
        words = decoded[0]
        for k, (word, pages, extra) in enumerate(words):
            if extra or not pages:
                raise BuildError(f"unexpected word entry {word!r} in the Pagefind index chunk {name}")
            head = b"\x83" + _text(word)
            if raw[i:i + len(head)] != head:
                raise BuildError(f"unexpected layout of the Pagefind index chunk {name} at {word!r}")
            _, n, j = _arg(raw, i + len(head))
            if n != len(pages) or raw[j] != 0x83:
                raise BuildError(f"unexpected layout of the Pagefind index chunk {name} at {word!r}")
            _, first, rest = _arg(raw, j + 1)
            # where this word's entry ends: where the next one starts (its head found from here; a
            # wrong find fails the checks of the next word), less the empty list that closes it
            if k + 1 < len(words):
                end = data.find(b"\x83" + _text(words[k + 1][0]), rest)
            else:
                end = len(raw)
            if end < 0 or raw[end - 1] != 0x80 or first != pages[0][0]:
                raise BuildError(f"unexpected layout of the Pagefind index chunk {name} at {word!r}")
            out.words.append(word)
            out.nums.extend((len(out.chunks) - 1, n, first, sum(p[0] for p in pages), rest, end - 1))
            i = end
    return out


def _words(shard: _Shard, scanned: Scan) -> Iterator[tuple[str, int, int, memoryview, int]]:
    """Each word of a shard, in order: (word, pages, first page's delta, the bytes of its page list
    after that delta, the sum of its deltas). The bytes are Pagefind's own, sliced, not re-encoded."""
    chunk, raw, nums = -1, memoryview(b""), scanned.nums
    for k, word in enumerate(scanned.words):
        c, n, first, last, start, end = nums[6 * k:6 * k + 6]
        if c != chunk:
            chunk, raw = c, memoryview(read_pf(shard.folder / "index" / f"{scanned.chunks[c]}.pf_index"))
        yield word, n, first, raw[start:end], last


def _chunk_bounds(firsts: list[str], lasts: list[str]) -> list[tuple[str, str]]:
    """Pagefind's chunk_meta: each chunk's first and last word, cut to the prefix that tells them
    from the neighbouring chunk's (its get_prefixes)."""
    bounds = [[f, t] for f, t in zip(firsts, lasts)]
    for a, b in zip(bounds, bounds[1:]):
        common = 0
        for x, y in zip(b[0], a[1]):
            if x != y:
                break
            common += 1
        a[1], b[0] = a[1][:common + 1], b[0][:common + 1]
    return [(f, t) for f, t in bounds]


def _name(language: str, data: bytes, taken: set[str], size: int = 7) -> str:
    digest = hashlib.sha256(data).hexdigest()
    while f"{language}_{digest[:size]}" in taken:
        size += 1
    name = f"{language}_{digest[:size]}"
    taken.add(name)
    return name


def merge_bundles(parts: list[Path], folder: Path, chunk_bytes: int = CHUNK_BYTES,
                  scans: dict[Path, Scan] | None = None, prefix: str = "", empty: bool = False,
                  runtime: bool = True) -> int:
    """Write the Pagefind bundles in `parts` (in order) as one bundle into `folder` (which must not
    exist; the parts' fragments are moved, so the parts are used up). Returns the number of pages.
    `scans`: scan_bundle of some parts, made before (the others are scanned here). `prefix` starts every
    fragment name (the bundles the search page opens together need names unique among them). `empty`:
    the bundle gets none of the parts' pages, words or filters (Pagefind refuses to index nothing, so an
    archive without documents is indexed as a placeholder page, dropped here). `runtime`: Pagefind's
    JavaScript, WebAssembly and styles are copied too (the bundle the page loads Pagefind from; a bundle
    opened with mergeIndex is read for its entry, page list, chunks, filters and fragments only)."""
    shards = [_open(p) for p in parts]
    if not shards:
        raise BuildError("no Pagefind bundle to merge")
    if empty:
        scans = None
        for s in shards:
            s.meta[1:4] = [[], [], []]  # pages, word chunks, filters
    language = shards[0].language
    if any(s.language != language for s in shards):
        raise BuildError("the Pagefind shards were indexed in different languages")
    folder.mkdir(parents=True)
    for item in parts[0].iterdir() if runtime else ():  # Pagefind's JavaScript, WebAssembly and styles
        if item.is_file() and not item.name.endswith(".pf_meta") and item.name != "pagefind-entry.json":
            shutil.copy2(item, folder / item.name)
    for sub in ("index", "filter", "fragment"):
        (folder / sub).mkdir()

    # pages: renamed fragments, in shard order
    total = 0
    for s in shards:
        s.offset = total
        total += len(s.meta[1])
    tag = prefix + hashlib.sha256(b"".join(cbor2.dumps(s.meta[1]) for s in shards)).hexdigest()[:3]
    width = len(_b36(max(total - 1, 0), 1))
    pages: list[list[Any]] = []
    dst = str(folder / "fragment")
    for s in shards:
        src = str(s.folder / "fragment")
        renamed: dict[str, str] = {}
        for old, words in s.meta[1]:
            new = renamed.get(old)
            if new is None:  # Pagefind gives identical pages one fragment: so does the merged bundle
                new = renamed[old] = f"{tag}{_b36(len(pages), width)}"
                os.rename(f"{src}/{old}.pf_fragment", f"{dst}/{new}.pf_fragment")
            pages.append([new, round_length(int(words))])

    # words: a k-way merge of the shards' sorted word lists
    taken: set[str] = set()
    chunks: list[tuple[str, str, str]] = []
    firsts: list[str] = []
    lasts: list[str] = []
    buf = io.BytesIO()
    in_chunk = 0

    def close() -> None:
        nonlocal in_chunk, buf
        data = _head(4, 1) + _head(4, in_chunk) + buf.getvalue()
        name = _name(language, data, taken)
        write_pf(folder / "index" / f"{name}.pf_index", data)
        chunks.append(("", "", name))
        buf, in_chunk = io.BytesIO(), 0

    def stream(k: int) -> Iterator[tuple[str, int, int, int, memoryview, int]]:
        scanned = (scans or {}).get(parts[k])
        for w, n, first, rest, last in _words(shards[k], scanned if scanned is not None else _scan(shards[k])):
            yield w, k, n, first, rest, last

    streams = [stream(k) for k in range(len(shards))]
    for word, group in itertools.groupby(heapq.merge(*streams, key=lambda x: x[0]), key=lambda x: x[0]):
        pieces = list(group)
        if in_chunk == 0:
            firsts.append(word)
        buf.write(b"\x83" + _text(word) + _head(4, sum(p[2] for p in pieces)))
        previous = 0  # the absolute (merged) number of the word's last page so far
        for _, k, _, first, rest, last in pieces:
            start = shards[k].offset + first
            buf.write(b"\x83" + _head(0, start - previous))
            buf.write(rest)
            previous = shards[k].offset + last
        buf.write(b"\x80")
        in_chunk += 1
        if buf.tell() >= chunk_bytes:
            lasts.append(word)
            close()
        last_word = word
    if in_chunk:
        lasts.append(last_word)
        close()
    index_chunks = [[f, t, name] for (f, t), (_, _, name) in zip(_chunk_bounds(firsts, lasts), chunks)]

    # filters: value -> pages, offset (Pagefind keeps them absolute and ascending)
    merged: dict[str, dict[str, list[int]]] = {}
    for s in shards:
        for fname, name in s.meta[3]:
            decoded = cbor2.loads(read_pf(s.folder / "filter" / f"{name}.pf_filter"))
            values = merged.setdefault(fname, {})
            for value, nums in decoded[1]:
                values.setdefault(value, []).extend(s.offset + n for n in nums)
    filters = []
    for fname in sorted(merged):
        data = cbor2.dumps([fname, [[v, merged[fname][v]] for v in sorted(merged[fname])]])
        name = _name(language, data, taken)
        write_pf(folder / "filter" / f"{name}.pf_filter", data)
        filters.append([fname, name])

    fields = sorted({f for s in shards for f in s.meta[5]})
    meta = cbor2.dumps([shards[0].meta[0], pages, index_chunks, filters, [], fields])
    meta_hash = f"{language}_{hashlib.sha256(meta).hexdigest()[:15]}"
    write_pf(folder / f"pagefind.{meta_hash}.pf_meta", meta)
    entry = dict(shards[0].entry)
    info = dict(entry["languages"][language])
    info.update(hash=meta_hash, page_count=total)
    entry["languages"] = {language: info}
    (folder / "pagefind-entry.json").write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")),
                                                encoding="utf-8")
    return total
