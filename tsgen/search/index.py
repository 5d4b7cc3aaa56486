"""Write the site's search index with Pagefind, from tsgen's own records (not by crawling site/).

Each record becomes a small HTML document that Pagefind's own program indexes (in shards, see _index):
its weighted parts as `data-pagefind-weight` paragraphs of jieba-segmented text, and its filters and
meta as Pagefind's data attributes. The index is written under `<site>/pagefind/` (the JavaScript,
WebAssembly and index chunks: no CDN) together with `<site>/pagefind/tsgen-words.json`, the Chinese
vocabulary the search page segments queries with (write_words: a large one in files by first character,
of which a query loads those of its own characters), and `tsgen-months.json` (newest first). Pagefind's
runtime there is tuned for the first result (runtime.py).

The index language is forced to one without a stemmer or segmenter ("unknown"), so Pagefind splits
only on spaces and punctuation on both sides and segment.py alone decides what a word is: English
terms stay as written (CORS, QPS, Redis), and Chinese is cut the same way for the text and the query
(the search page creates its Pagefind instance for that language too, so the browser's segmenter
does not cut the query again).
"""

from __future__ import annotations

import gzip
import html
import json
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from tsgen import heap
from tsgen.errors import BuildError
from tsgen.search.merge import Scan, merge_bundles, scan_bundle
from tsgen.search.records import Record
from tsgen.search.runtime import tune
from tsgen.search.segment import aliases, buckets, segment, vocabulary

OUTPUT = "pagefind"
WORDS = "tsgen-words.json"
WORD_FILES = "tsgen-words"  # folder: N.json, the words whose first character is N (mod segment.BUCKETS)
# up to this many words, the vocabulary is one file (about 10 bytes a word): each file more is a request
# the first result waits for (four for 权限不足, 50 ms on this machine's benchmark); beyond, it is cut into
# files by first character, so a query never downloads a large archive's whole vocabulary (100,000 words:
# a megabyte)
SINGLE_WORDS = 2_000
MONTHS = "tsgen-months.json"  # the values of the filter `month`, newest first: the search page's "newest first"
LANGUAGE = "unknown"      # Pagefind: no stemming, no segmentation of its own
SHARD = 8_000             # records per Pagefind run, at most: Pagefind holds about 100 MB per 1,000
SINGLE = 12_000           # up to this many records, one run (1.2 GB at most; fewer files for the browser)
# pages per bundle the browser opens, at most (shards are merged into bundles): Pagefind scores a search
# in time (pages found) x (pages holding its words) within each bundle, so one bundle of 100,000 took
# 30 s for 权限 不足 (23,475 pages found) where 13 took 2; each bundle costs a chunk per word of a query
BUNDLE = 16_000
SHARDS = "tsgen-shards.json"
_B36 = "0123456789abcdefghijklmnopqrstuvwxyz"


@dataclass
class IndexResult:
    """What the indexer wrote: records, Chinese words in the vocabulary, seconds, the output folder."""

    records: int
    words: int
    seconds: float
    folder: Path


def record_html(record: Record, seen: set[str] | None = None) -> str:
    """The HTML Pagefind indexes for one record (every value escaped; text segmented)."""
    e = html.escape
    hidden = [f'<span data-pagefind-meta="{e(k)}">{e(v)}</span>' for k, v in record.meta.items() if v]
    hidden += [f'<span data-pagefind-filter="{e(k)}">{e(v)}</span>' for k, vs in record.filters.items() for v in vs]
    # no data-pagefind-sort: Pagefind would put the page order of every sort key into the entry file each
    # query loads (about 2.5 bytes a page); the search page orders by the filter `month` instead
    # " · " ends each part: Pagefind's excerpt runs the paragraphs together, the search page shows the dot
    body = [f'<p data-pagefind-weight="{w:g}">{e(segment(t, seen))} · </p>' for w, t in record.parts]
    # the tails of compound names (SocketTimeoutException of java.net.SocketTimeoutException), last,
    # weighted as the part that names them
    tails: dict[str, float] = {}
    for w, t in record.parts:
        for tail in aliases(t):
            tails[tail] = max(tails.get(tail, 0.0), w)
    for w in sorted(set(tails.values()), reverse=True):
        body.append(f'<p data-pagefind-weight="{w:g}">{e(" ".join(k for k, v in tails.items() if v == w))}</p>')
    return (f'<html lang="{LANGUAGE}"><head><title>{e(record.title)}</title></head><body>'
            f'<div data-pagefind-ignore>{"".join(hidden)}</div>{"".join(body)}</body></html>')


def write_index(records: Iterable[Record], site: Path, progress: Callable[[str], None] | None = None,
                total: int | None = None) -> IndexResult:
    """Index `records` (the KB articles first, then the tickets: site/search.py's order) into
    `site`/pagefind (replacing an older index there); returns what was written. `total`, the number of
    records if known, makes the tickets' shards even (100,000 tickets: thirteen of 7,693, not twelve of
    8,000 and one of 4,000) and keeps up to SINGLE tickets in one."""
    start = time.perf_counter()
    folder = site / OUTPUT
    if folder.exists():
        shutil.rmtree(folder)
    seen: set[str] = set()
    months: set[str] = set()

    def noted(rs: Iterable[Record]) -> Iterator[Record]:
        for r in rs:
            months.update(r.filters.get("month", ()))
            yield r

    try:
        with heap.frozen():  # the archive the records come from: not scanned by every collection the merge triggers
            count = _index(noted(records), folder, seen, progress, total)
        tune(folder)  # the browser's first search no longer waits in 50 ms steps for the index (runtime.py)
    except OSError as exc:
        raise BuildError(f"the search index could not be written into {folder}: {exc}") from exc
    words = vocabulary(seen)
    (folder / MONTHS).write_text(json.dumps(sorted(months, reverse=True)), encoding="utf-8")
    write_words(folder, words)
    return IndexResult(count, len(words), time.perf_counter() - start, folder)


def write_words(folder: Path, words: list[str], single: int | None = None) -> None:
    """The vocabulary for the search page: `tsgen-words.json` is the list of words if there are at most
    `single` (default SINGLE_WORDS), else `{"buckets": segment.BUCKETS}` and the words are in
    `tsgen-words/N.json`, those whose first character's code point is N modulo BUCKETS."""
    def dump(path: Path, data: Any) -> None:
        path.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")

    if len(words) <= (SINGLE_WORDS if single is None else single):
        dump(folder / WORDS, words)
        return
    files = buckets(words)
    (folder / WORD_FILES).mkdir(exist_ok=True)
    for n, bucket in enumerate(files):
        dump(folder / WORD_FILES / f"{n}.json", bucket)
    dump(folder / WORDS, {"buckets": len(files)})


def _scratch() -> str | None:
    """Where the records' HTML files are written for Pagefind: memory (/dev/shm) where there is one,
    since creating and removing 100,000 small files and folders on a disk took a third of the time."""
    shm = Path("/dev/shm")
    if not (shm.is_dir() and os.access(shm, os.W_OK)):
        return None
    sweep(shm)
    try:  # a container's /dev/shm is often 64 MB: two shards' records must fit, else the disk
        return str(shm) if shutil.disk_usage(shm).free >= SCRATCH_FREE else None
    except OSError:
        return None


SCRATCH_FREE = 256 * 2**20  # free bytes /dev/shm needs: the records of the shard being indexed and the next
SCRATCH = "tsgen-search-"   # + <pid>-: the scratch folder of the indexing process <pid>
STALE = 600                 # seconds unchanged after which a dead process's scratch folder is removed


def sweep(parent: Path, now: float | None = None) -> int:
    """Remove the scratch folders in `parent` that killed indexers left (SIGKILL, out of memory: no
    cleanup ran), so they do not fill a memory-backed /dev/shm build after build; returns how many.

    Only a folder of this user, named after a process that no longer exists and unchanged for STALE
    seconds (a live indexer changes its folder with every shard): a folder of another user, of a process
    still running, or from another PID namespace sharing this /dev/shm while it works, stays."""
    removed = 0
    now = time.time() if now is None else now
    for folder in parent.glob(f"{SCRATCH}*-*"):
        pid = folder.name[len(SCRATCH):].split("-", 1)[0]
        try:
            info = folder.lstat()
        except OSError:
            continue
        if not pid.isdigit() or not folder.is_dir() or folder.is_symlink() or info.st_uid != os.getuid() \
                or now - info.st_mtime < STALE or _alive(int(pid)):
            continue
        shutil.rmtree(folder, ignore_errors=True)
        removed += 1
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process, say: it exists
        return True
    return True


def _even(n: int | None) -> int:
    """Records per shard for `n` records (None: not known): one shard up to SINGLE, else even shards
    of at most SHARD."""
    if n is None:
        return SHARD
    return max(n, 1) if n <= SINGLE else -(-n // -(-n // SHARD))


def _index(records: Iterable[Record], folder: Path, seen: set[str],
           progress: Callable[[str], None] | None, total: int | None = None) -> int:
    """Write each record's HTML into a scratch folder (at the path of its URL), then have Pagefind's
    own program index that folder: one small file per record, none of the built site's theme, navigation
    or record tables.

    Pagefind holds about 100 MB per 1,000 records while it indexes (10 GB for 100,000), so records go
    in shards of at most SHARD, each one run of the Pagefind binary in a process of its own (its memory
    is given back when it exits; its Python service kept it and answered ten times slower). While
    Pagefind indexes one shard, the next one's files are written, the shards it has finished are
    scanned, and a bundle whose shards are all indexed is written. Shards are merged into bundles
    (merge.py), listed in `folder/tsgen-shards.json`; the search page opens them together (Pagefind's
    mergeIndex) into one ranked result list:

    - the first bundle, in `folder`, holds the KB articles alone: the answers, a few thousand at most.
      The search page opens it first and shows the published articles that answer a query while the
      tickets' bundles still load, so that first answer costs the same at 1,000 tickets as at 100,000
      (a bundle's page list and its scoring grow with its pages);
    - then the tickets, consecutive shards in bundles of up to BUNDLE pages, in `folder/partN/`.
    """
    count = 0
    outs: list[tuple[Path, str, int]] = []  # each shard's bundle: folder, kind of its records, records
    scans: dict[Path, Scan] = {}
    written = 0  # bundles merge_bundles has written, the first of _bundles(outs) (their shards are used up)
    last = time.monotonic()
    running: _Run | None = None
    parts = folder.parent / f".{folder.name}-shards"  # beside the bundle: its fragments are moved, not copied
    if parts.exists():
        shutil.rmtree(parts)
    parts.mkdir(parents=True)

    def write_bundle(groups: list[list[Path]], n: int) -> None:
        # the prefixes only where the search page opens several bundles: there are several once a
        # bundle is written early (a later one has begun)
        merge_bundles(groups[n], folder if n == 0 else folder / f"part{n}", scans=scans,
                      prefix=_B36[n % 36] * (n // 36 + 1) if len(groups) > 1 else "", empty=not count,
                      runtime=n == 0)  # the search page loads Pagefind from the first bundle only
        for used in groups[n]:
            scans.pop(used, None)
            shutil.rmtree(used, ignore_errors=True)

    try:
        with tempfile.TemporaryDirectory(prefix=f"{SCRATCH}{os.getpid()}-", dir=_scratch()) as scratch:
            base: Path | None = None
            made: set[Path] = set()
            in_shard, kind, shard = 0, "", SHARD

            def flush() -> None:
                nonlocal in_shard, made, running, base, written
                if not in_shard or base is None:
                    return
                if running:
                    running.wait()
                out = parts / f"shard{len(outs)}"
                outs.append((out, kind, in_shard))
                if progress:
                    progress(f"search: Pagefind indexes records {count - in_shard + 1}-{count}")
                running = _Run(base, out)
                # while Pagefind runs: the bundles whose shards are all indexed (a later bundle has begun)
                # are written, and the open bundle's finished shards scanned for its merge (after the last
                # shard, only the last bundle is left to merge: all of them took 13-17 s after it at 100,000)
                groups = _bundles(outs)
                while written < len(groups) - 1:
                    if progress:
                        progress(f"search: writing bundle {written + 1} of the index while Pagefind runs")
                    write_bundle(groups, written)
                    written += 1
                for done in groups[-1][:-1]:
                    if done not in scans:
                        scans[done] = scan_bundle(done)
                base, made, in_shard = None, set(), 0

            for record in records:
                if record.kind != kind:  # the articles' last shard ends where the tickets begin
                    flush()
                    kind = record.kind
                    shard = SHARD if kind == "kb" else _even(None if total is None else total - count)
                if base is None:
                    base = Path(scratch) / f"shard{count}"
                    base.mkdir()
                rel = record.url.strip("/")
                path = base / rel if rel.endswith(".html") else base / rel / "index.html"
                if path.parent not in made:
                    path.parent.mkdir(parents=True, exist_ok=True)
                    made.add(path.parent)
                path.write_text(record_html(record, seen), encoding="utf-8")
                count += 1
                in_shard += 1
                if in_shard >= shard:
                    flush()
                if progress and time.monotonic() - last >= 5:
                    last = time.monotonic()
                    progress(f"search: prepared {count} records")
            flush()
            if running:
                running.wait()
            if not outs:  # an archive without documents still gets an (empty) bundle: Pagefind indexes a
                empty = Path(scratch) / "empty"  # placeholder (it refuses to index nothing), the merge drops it
                empty.mkdir()
                (empty / "index.html").write_text(f'<html lang="{LANGUAGE}"><body><p>tsgen</p></body></html>',
                                                  encoding="utf-8")
                outs.append((parts / "shard0", "", 0))
                _Run(empty, outs[0][0]).wait()
        groups = _bundles(outs)
        if progress:
            progress(f"search: merging the last {len(groups[-1])} shards into bundle {len(groups)}" if written
                     else f"search: merging the {len(outs)} shards into {len(groups)} bundles" if len(outs) > 1
                     else "search: merging the index (short page names)")
        for n in range(written, len(groups)):
            write_bundle(groups, n)
        (folder / SHARDS).write_text(json.dumps([f"part{n}/" for n in range(1, len(groups))]), encoding="utf-8")
    except BaseException:  # a failure, Ctrl-C, or the build stopping this process: no Pagefind left running
        if running is not None:
            running.stop()
        raise
    finally:
        shutil.rmtree(parts, ignore_errors=True)
    return count


def _bundles(outs: list[tuple[Path, str, int]]) -> list[list[Path]]:
    """The shards' bundles grouped for merging: consecutive shards of one kind, up to BUNDLE records."""
    groups: list[list[Path]] = []
    size, kind = 0, None
    for out, k, n in outs:
        if groups and k == kind and size + n <= BUNDLE:
            groups[-1].append(out)
            size += n
        else:
            groups.append([out])
            size, kind = n, k
    return groups


class _Run:
    """One run of the Pagefind binary over `source` into `out`, started at once; `wait()` ends it and
    removes `source`."""

    def __init__(self, source: Path, out: Path) -> None:
        from pagefind.service import get_executable

        exe = get_executable()
        if exe is None:
            raise BuildError("Pagefind is not installed: pip install 'pagefind[extended]'")
        self.source, self.out = source, out
        self.log = tempfile.TemporaryFile()
        self.proc = subprocess.Popen([str(exe), "--site", str(source), "--output-path", str(out),
                                      "--force-language", LANGUAGE, "--silent"],
                                     stdin=subprocess.DEVNULL, stdout=self.log, stderr=subprocess.STDOUT)

    def stop(self) -> None:
        """End the run at once (its output is not wanted)."""
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.log.close()

    def wait(self) -> None:
        code = self.proc.wait()
        self.log.seek(0)
        said = self.log.read().decode("utf-8", "replace").strip()
        self.log.close()
        shutil.rmtree(self.source, ignore_errors=True)
        if code != 0 or not (self.out / "pagefind-entry.json").is_file():
            raise BuildError(f"Pagefind could not index the search records into {self.out} "
                             f"(exit status {code}): {said[-2000:] or 'no message'}")


def read_fragments(folder: Path) -> Iterator[dict[str, Any]]:
    """Every page record Pagefind wrote (url relative to the site root, content, meta, filters), decoded:
    for tests and the benchmark."""
    for path in sorted(folder.glob("**/fragment/*.pf_fragment")):
        data = gzip.decompress(path.read_bytes())
        fragment = json.loads(data[len(b"pagefind_dcd"):] if data.startswith(b"pagefind_dcd") else data)
        fragment["url"] = str(fragment.get("url", "")).lstrip("/")
        yield fragment
