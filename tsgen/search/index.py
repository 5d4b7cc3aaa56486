"""Write the site's search index with Pagefind, from tsgen's own records (not by crawling site/).

Each record becomes a small HTML document handed to Pagefind's Python API (`add_html_file`): its
weighted parts as `data-pagefind-weight` paragraphs of jieba-segmented text, and its filters, meta
and sort keys as Pagefind's data attributes. The index is written under `<site>/pagefind/` (the
JavaScript, WebAssembly and index chunks: no CDN) together with `<site>/pagefind/tsgen-words.json`,
the Chinese vocabulary the search page segments queries with.

The index language is forced to one without a stemmer or segmenter ("unknown"), so Pagefind splits
only on spaces and punctuation on both sides and tokens.py alone decides what a word is: English
terms stay as written (CORS, QPS, Redis), and Chinese is cut the same way for the text and the query.
"""

from __future__ import annotations

import asyncio
import gzip
import html
import json
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Coroutine, Iterable, Iterator

from tsgen.errors import BuildError
from tsgen.search.records import Record
from tsgen.search.segment import aliases, segment, vocabulary

OUTPUT = "pagefind"
WORDS = "tsgen-words.json"
SHARDS = "tsgen-shards.json"
LANGUAGE = "unknown"      # Pagefind: no stemming, no segmentation of its own
SHARD = 15_000            # records per Pagefind run: about 1 GB of Pagefind's memory each


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
    hidden += [f'<span data-pagefind-sort="{e(k)}">{e(v)}</span>' for k, v in record.sort.items()]
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


def write_index(records: Iterable[Record], site: Path, progress: Callable[[str], None] | None = None) -> IndexResult:
    """Index `records` into `site`/pagefind (replacing an older index there); returns what was written."""
    start = time.perf_counter()
    folder = site / OUTPUT
    if folder.exists():
        shutil.rmtree(folder)
    seen: set[str] = set()
    try:
        count = _run(lambda: _index(records, folder, seen, progress))
    except (OSError, RuntimeError, AssertionError, FileNotFoundError) as exc:
        raise BuildError(f"the search index could not be written into {folder}: {exc}") from exc
    words = vocabulary(seen)
    (folder / WORDS).write_text(json.dumps(words, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    return IndexResult(count, len(words), time.perf_counter() - start, folder)


def _run(make: Callable[[], Coroutine[Any, Any, int]]) -> int:
    """Run the indexing coroutine to its end, also when the caller already runs an event loop
    (a notebook, Playwright's sync API): then in a thread of its own, with its own loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(make())
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(lambda: asyncio.run(make())).result()


async def _index(records: Iterable[Record], folder: Path, seen: set[str],
                 progress: Callable[[str], None] | None) -> int:
    """Write each record's HTML into a scratch folder (at the path of its URL), then have Pagefind index
    that folder in one call: one small file per record is far faster than one API call per record
    (Pagefind's service answered `add_html_file` at about 10 per second) and needs a fraction of the
    memory of crawling the built site, whose pages carry the theme, navigation and record tables.

    Pagefind holds about 65 MB per 1,000 records while it indexes (6.5 GB for 100,000), so records go
    in shards of SHARD, each a separate Pagefind run and bundle: the first in `folder`, the others in
    `folder/partN/`, listed in `folder/tsgen-shards.json`; the search page merges them (Pagefind's
    mergeIndex) into one ranked result list.
    """
    count = 0
    parts: list[str] = []
    last = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="tsgen-search-") as scratch:
        base = Path(scratch)
        made: set[Path] = set()
        in_shard = 0

        async def flush() -> None:
            nonlocal in_shard, made
            if not in_shard:
                return
            out = folder if not parts and not folder.exists() else folder / f"part{len(parts) + 1}"
            if out != folder:
                parts.append(f"{out.name}/")
            if progress:
                progress(f"search: Pagefind indexes records {count - in_shard + 1}-{count}")
            await _pagefind(base, out)
            shutil.rmtree(base)
            base.mkdir()
            made, in_shard = set(), 0

        for record in records:
            rel = record.url.strip("/")
            path = base / rel if rel.endswith(".html") else base / rel / "index.html"
            if path.parent not in made:
                path.parent.mkdir(parents=True, exist_ok=True)
                made.add(path.parent)
            path.write_text(record_html(record, seen), encoding="utf-8")
            count += 1
            in_shard += 1
            if in_shard >= SHARD:
                await flush()
            if progress and time.monotonic() - last >= 5:
                last = time.monotonic()
                progress(f"search: prepared {count} records")
        await flush()
    if not folder.exists():  # an archive without documents still gets a (empty) bundle
        await _pagefind(None, folder)
    (folder / SHARDS).write_text(json.dumps(parts), encoding="utf-8")
    return count


async def _pagefind(source: Path | None, out: Path) -> None:
    """One Pagefind run over `source` into `out`. The service answers the write request before its
    last file is on disk, and closing it then can leave an empty pagefind-entry.json (seen on a busy
    machine), so the service is closed only once the entry file reads back whole."""
    from pagefind.service import PagefindService

    async with PagefindService() as service:
        index = await service.create_index({"force_language": LANGUAGE, "output_path": str(out)})
        if source is not None:
            await index.add_directory(str(source))
        await index.write_files()
        entry = out / "pagefind-entry.json"
        for _ in range(600):
            try:
                if json.loads(entry.read_text(encoding="utf-8")).get("languages"):
                    break
            except (OSError, ValueError):
                pass
            await asyncio.sleep(0.1)
        else:
            raise RuntimeError(f"Pagefind did not finish writing {entry}")


def read_fragments(folder: Path) -> Iterator[dict[str, Any]]:
    """Every page record Pagefind wrote (url relative to the site root, content, meta, filters), decoded:
    for tests and the benchmark."""
    for path in sorted(folder.glob("**/fragment/*.pf_fragment")):
        data = gzip.decompress(path.read_bytes())
        fragment = json.loads(data[len(b"pagefind_dcd"):] if data.startswith(b"pagefind_dcd") else data)
        fragment["url"] = str(fragment.get("url", "")).lstrip("/")
        yield fragment
