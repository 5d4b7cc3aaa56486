"""Site search at 10,000 and 100,000 tickets: Material's search, Pagefind with default settings, and tsgen's.

For each size (--sizes, default 10000,100000; articles: 1.5% of the tickets, at least 150) one run
generates a synthetic archive (bench/synth.py), plants the labelled topics of bench/search_labels.py
into it (a KB article and tickets per topic, plus labelled queries with the pages that must come
back), writes the tickets and articles as bare MkDocs pages, then, each in a child process measured
on its own (elapsed seconds, peak memory):

- Material: `mkdocs build` with Material's search plugin (lunr + jieba, the configuration tsgen
  shipped before); "indexing" is the time spent in the search plugin's hooks (page parsing, jieba,
  writing search_index.json), measured inside the build; the whole build's time is shown too;
- Pagefind, default settings: `pagefind --site <that site>` (the extended binary), crawling every page;
- tsgen: `tsgen.search` on the archive (load + validate, then records -> Pagefind's program, one run
  per shard of at most 8,000 records, the shards merged into one bundle), the index `tsgen build`
  writes. Peak memory is the Python process plus the largest Pagefind process (one runs at a time);
  the merge's time after the last shard is printed too.

Then, in Chromium (/usr/bin/chromium; the site served from localhost by a threaded Python server, no
compression), for each engine: a cold query (new browser context, nothing cached) for common Chinese
words - time from navigation start to the first result shown, and bytes downloaded; the median of
--cold-runs such queries (default 5; one cold query's time varies by a third on a shared machine) -
and the hit rate (wanted pages in the top 10) and precision@10 (multi-word queries) on the labelled
queries. Beside tsgen's, the same cold query on a bare page that loads Pagefind on tsgen's own index
and does only the least a first result needs (one search of the KB articles' bundle, the first
result's fragment; no tsgen code): what Pagefind's own loading and searching cost on this machine,
the floor under tsgen's first result.
The baselines' labelled queries run only at --quality-sizes (default 10000: at 100,000 tickets each
of their queries takes seconds to a minute); tsgen's run at every size.

Targets (issue 11): 100,000 tickets + 1,500 articles: indexing <= 90 s and <= 2 GB, a cold query
<= 1 MB and first result <= 1 s; 10,000: <= 300 ms and <= 300 KB; hit rate >= 95%, precision@10 >= 0.8
for multi-word queries, tsgen ahead of both baselines.

The 100,000-ticket run is long (about 40 minutes on a 2-core machine, Pagefind's default crawl
alone needs about 12 GB of memory): run it in the background with nice, one at a time, under the
shared lock. With --tmp the generated archive is kept and reused by the next run (generating 100,000
tickets takes minutes); --skip material,pagefind measures tsgen alone (about 10 minutes at 100,000).

    flock /work/bench.lock nice /work/venv/bin/python bench/bench_search.py --sizes 10000   # about 8 minutes
    flock /work/bench.lock nice /work/venv/bin/python bench/bench_search.py --sizes 100000 \
        --skip material,pagefind --tmp /tmp/bs > /tmp/bench_search.log 2>&1 &
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO))

CHROMIUM = "/usr/bin/chromium"
COLD_QUERIES = ("权限不足", "数据库连接超时")
COLD_RUNS = 5  # cold queries per query and engine: the median is reported (--cold-runs)
SEED = 11
MATERIAL_YML = """site_name: 基准
use_directory_urls: true
theme:
  name: material
  language: zh
  font: false
  features: [search.highlight, search.suggest]
plugins:
  - search:
      lang: [zh, en]
      separator: '[\\s\\u200b\\-_,:!=\\[\\]()"`/]+|\\.(?!\\d)|&[lg]t;|(?!\\b)(?=[A-Z][a-z])'
markdown_extensions: [tables, admonition, attr_list, md_in_html, pymdownx.superfences]
"""


# --- child processes -----------------------------------------------------------------------------------


def _peak_mb() -> float:
    """This process's VmHWM plus the largest child it waited for (the Pagefind binary), in MB."""
    own = 0.0
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                own = int(line.split()[1]) / 1024
    return own + resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def _cpu() -> float:
    """CPU seconds of this process and its waited-for children: steadier than elapsed time on a busy machine."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def child_material(config: str) -> dict[str, Any]:
    """A Material build with the search plugin; the plugin's own hooks are timed."""
    from material.plugins.search.plugin import SearchPlugin
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    spent = [0.0]
    for name in ("on_config", "on_page_context", "on_post_build"):
        original = getattr(SearchPlugin, name)

        def timed(self: Any, *a: Any, _f: Any = original, **k: Any) -> Any:
            t = time.perf_counter()
            try:
                return _f(self, *a, **k)
            finally:
                spent[0] += time.perf_counter() - t

        setattr(SearchPlugin, name, timed)
    start = time.perf_counter()
    build(load_config(config))
    return {"seconds": time.perf_counter() - start, "index_seconds": spent[0], "rss_mb": _peak_mb(), "cpu": _cpu()}


def child_tsgen(root: str, site: str) -> dict[str, Any]:
    from tsgen.archive.link import load_archive
    from tsgen.config import load_config
    from tsgen.site.search import records
    from tsgen.search.index import write_index

    start = time.perf_counter()
    archive = load_archive(Path(root), load_config(Path(root)))
    loaded = time.perf_counter() - start
    own = resource.getrusage(resource.RUSAGE_SELF)
    own_before = own.ru_utime + own.ru_stime
    merging = [0.0]

    def progress(message: str) -> None:  # when the merge of the shards starts (index.py says so)
        if "merging" in message:
            merging[0] = time.perf_counter()

    result = write_index(records(archive), Path(site), progress=progress,
                         total=len(archive.tickets) + len(archive.articles))
    end = time.perf_counter()
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"seconds": end - start, "load_seconds": loaded, "index_seconds": result.seconds,
            # the index's CPU: tsgen's own process (records, files, merge) and Pagefind's runs (its children)
            "index_cpu_tsgen": own.ru_utime + own.ru_stime - own_before,
            "index_cpu_pagefind": kids.ru_utime + kids.ru_stime,
            "merge_seconds": end - merging[0] if merging[0] else 0.0,
            "records": result.records, "words": result.words, "rss_mb": _peak_mb(), "cpu": _cpu()}


def spawn(args: list[str]) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--child", *args], env=env,
                          capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"child {args[0]} failed:\n{proc.stderr[-4000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def run_pagefind_default(site: Path) -> dict[str, Any]:
    from pagefind_bin_extended import get_executable

    start = time.perf_counter()
    proc = subprocess.Popen([str(get_executable()), "--site", str(site), "--output-subdir", "pagefind-default"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"pagefind failed: {proc.stderr.read().decode()[-2000:] if proc.stderr else ''}")
    return {"seconds": time.perf_counter() - start, "rss_mb": usage.ru_maxrss / 1024,
            "cpu": usage.ru_utime + usage.ru_stime}


# --- the archive and the sites ---------------------------------------------------------------------------


def tree_bytes(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def prepare(tmp: Path, tickets: int, articles: int, bare: bool = True) -> tuple[Path, Path, list[Any]]:
    from bench_build import bare_pages
    from search_labels import plant, queries
    from synth import generate

    root, base = tmp / f"archive-{tickets}", tmp / f"sites-{tickets}"
    marker = root / ".bench-search-done"
    start = time.perf_counter()
    if base.exists():
        shutil.rmtree(base)
    if marker.is_file() and marker.read_text() == f"{tickets} {articles} {SEED}":  # --tmp of an earlier run
        pages = plant(root)
    else:
        if root.exists():
            shutil.rmtree(root)
        generate(root, tickets, articles, seed=SEED)
        pages = plant(root)
        marker.write_text(f"{tickets} {articles} {SEED}")
    base.mkdir(parents=True, exist_ok=True)
    n = bare_pages(root, base / "docs") if bare else 0
    (base / "mkdocs.yml").write_text(MATERIAL_YML + f"docs_dir: docs\nsite_dir: site\nnav: [index.md]\n",
                                     encoding="utf-8")
    print(f"generated {tickets} tickets + {articles} articles (+ {sum(len(v) for v in pages.values())} labelled), "
          f"{n} bare pages in {time.perf_counter() - start:.0f} s", flush=True)
    return root, base, queries(pages)


def search_page(site: Path) -> None:
    """tsgen's search page (the template `tsgen build` uses) and its script, into the benchmark's site."""
    from tsgen.site.i18n import translator
    from tsgen.site.minify import minified_script
    from tsgen.site.search import SCRIPT, search_labels
    from tsgen.templating import DEFAULTS, environment

    t = translator("zh")
    filters = [("kind", t("search_kind")), ("type", "问题类型"), ("priority", "优先级"), ("status", "处理结果"),
               ("tag", "标签"), ("version", t("search_version")), ("year", t("search_year")), ("month", t("search_month"))]
    head = environment(None).get_template("site/search-head.html.j2").render(t=t, filters=filters,
                                                                             labels=search_labels("zh"))
    (site / "search").mkdir(exist_ok=True)
    (site / "search" / "index.html").write_text(
        f'<!doctype html><html lang="zh"><head><meta charset="utf-8"><title>搜索</title>'
        f'<link rel="modulepreload" href="../pagefind/pagefind.js"></head><body>{head}'  # as theme/main.html
        f'<script src="../{SCRIPT}" data-search="search/"></script></body></html>', encoding="utf-8")
    (site / "assets").mkdir(exist_ok=True)
    (site / SCRIPT).write_text(minified_script((DEFAULTS / SCRIPT).read_text(encoding="utf-8")),
                               encoding="utf-8")  # as tsgen build publishes it
    # Pagefind alone on tsgen's index: a bare page, the least a first result needs (see the docstring)
    (site / "pf-floor.html").write_text(
        '<!doctype html><html lang="unknown"><head><meta charset="utf-8"></head><body><ol id="r"></ol>'
        '<script type="module">\n'
        'const pf = await import("./pagefind/pagefind.js");\n'
        'await pf.options({ baseUrl: "/", excerptLength: 30 });\n'
        'pf.init();\n'
        'const q = new URLSearchParams(location.search).get("q");\n'
        'const s = await pf.search(q, { filters: { rank: "published" } });\n'
        'if (s.results.length) document.getElementById("r").textContent = (await s.results[0].data()).url;\n'
        'performance.mark("first"); document.body.setAttribute("data-done", "");\n'
        '</script></body></html>', encoding="utf-8")
    (site / "pf-default.html").write_text(
        '<!doctype html><html><head><meta charset="utf-8"></head><body><ol id="r"></ol><script type="module">\n'
        'const pf = await import("./pagefind-default/pagefind.js");\n'
        'window.pfSearch = async (q, n) => { const s = await pf.search(q);\n'
        '  const d = await Promise.all(s.results.slice(0, n).map(r => r.data()));\n'
        '  return d.map(x => x.url.replace(/^\\/+/, "")); };\n'
        'const q = new URLSearchParams(location.search).get("q");\n'
        'if (q) { const s = await pf.search(q); if (s.results.length) { const d = await s.results[0].data();\n'
        '  document.getElementById("r").textContent = d.url; } performance.mark("first");\n'
        '  document.body.setAttribute("data-done", ""); }\n'
        '</script></body></html>', encoding="utf-8")


# --- the browser -------------------------------------------------------------------------------------------


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


def serve(site: Path) -> tuple[ThreadingHTTPServer, str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


class Bytes:
    def __init__(self, page: Any) -> None:
        self.total = 0
        self.search = 0
        self.foreign: list[str] = []
        page.on("requestfinished", self.add)

    def add(self, request: Any) -> None:
        try:
            size = request.sizes()["responseBodySize"]
        except Exception:  # noqa: BLE001 - a request the browser dropped
            return
        self.total += size
        path = urlsplit(request.url).path
        if "pagefind" in path or "search" in path or "lunr" in path or "workers" in path:
            self.search += size
        if urlsplit(request.url).hostname not in ("127.0.0.1", "localhost"):
            self.foreign.append(request.url)


def cold(browser: Any, engine: str, url: str, query: str, timeout_s: float) -> dict[str, Any]:
    """One cold query: a fresh context, navigation to the first result shown."""
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(timeout_s * 1000)
    seen = Bytes(page)
    start = time.perf_counter()
    try:
        if engine == "tsgen":
            page.goto(f"{url}search/?q={quote(query)}")
            page.wait_for_selector("#tsgen-search-results[data-tsgen-search-done]", state="attached")
            ms = page.evaluate("performance.getEntriesByName('tsgen-search-first')[0]?.startTime ?? -1")
        elif engine == "floor":  # the words as tsgen's search page sends them (segmented, no punctuation)
            from tsgen.search.segment import segment

            page.goto(f"{url}pf-floor.html?q={quote(' '.join(segment(query).split()))}")
            page.wait_for_selector("body[data-done]", state="attached")
            ms = page.evaluate("performance.getEntriesByName('first')[0].startTime")
        elif engine == "pagefind":
            page.goto(f"{url}pf-default.html?q={quote(query)}")
            page.wait_for_selector("body[data-done]", state="attached")
            ms = page.evaluate("performance.getEntriesByName('first')[0].startTime")
        else:
            page.goto(url, wait_until="domcontentloaded")
            box = page.locator("input.md-search__input")
            page.keyboard.press("/")
            box.fill(query)
            page.locator(".md-search-result__item").first.wait_for(state="visible")
            ms = (time.perf_counter() - start) * 1000
        out = {"ms": ms, "bytes": seen.total, "search_bytes": seen.search, "foreign": len(seen.foreign)}
    except Exception as exc:  # noqa: BLE001 - a timeout is a result too
        out = {"ms": float("inf"), "bytes": seen.total, "search_bytes": seen.search, "error": str(exc)[:120],
               "foreign": len(seen.foreign)}
    context.close()
    return out


def ranked(browser: Any, engine: str, url: str, labelled: list[Any], timeout_s: float) -> dict[str, list[str]]:
    """The top 10 page paths of every labelled query (one warm page per engine)."""
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(timeout_s * 1000)
    got: dict[str, list[str]] = {}
    if engine == "tsgen":
        page.goto(f"{url}search/")
        page.wait_for_function("typeof window.tsgenSearch === 'function'")
        for q in labelled:
            got[q.text] = page.evaluate("q => window.tsgenSearch(q, {}, false, 10)", q.text)
    elif engine == "pagefind":
        page.goto(f"{url}pf-default.html")
        page.wait_for_function("typeof window.pfSearch === 'function'")
        for q in labelled:
            try:
                got[q.text] = page.evaluate("q => window.pfSearch(q, 10)", q.text)
            except Exception:  # noqa: BLE001
                got[q.text] = []
    else:
        page.goto(url)
        box = page.locator("input.md-search__input")
        page.keyboard.press("/")
        meta = page.locator(".md-search-result__meta")
        for q in labelled:
            box.fill("")
            page.keyboard.press("End")
            page.wait_for_timeout(100)
            box.fill(q.text)
            page.keyboard.press("End")
            try:
                page.wait_for_function(
                    "() => { const m = document.querySelector('.md-search-result__meta');"
                    " return m && /\\d|没有/.test(m.textContent); }")
                page.wait_for_timeout(150)
            except Exception:  # noqa: BLE001
                pass
            hrefs = page.evaluate("() => [...document.querySelectorAll('.md-search-result__item > a')]"
                                  ".map(a => a.getAttribute('href'))")
            paths: list[str] = []
            for h in hrefs:
                path = urlsplit(h or "").path.lstrip("./").lstrip("/")
                if path and path not in paths:
                    paths.append(path)
            got[q.text] = paths[:10]
        _ = meta
    context.close()
    return got


def quality(labelled: list[Any], got: dict[str, list[str]]) -> dict[str, Any]:
    wanted = found = first = 0
    precisions: list[float] = []
    misses: list[str] = []
    for q in labelled:
        top = got.get(q.text, [])
        hit = [w for w in q.wanted if w in top]
        wanted += len(q.wanted)
        found += len(hit)
        first += bool(top) and top[0] == q.wanted[0]
        if len(hit) < len(q.wanted):
            misses.append(q.text)
        if q.kind == "multi":
            rel = set(q.relevant)
            precisions.append(len(rel & set(top[:10])) / min(10, len(rel)))
    return {"hit": found / wanted, "first": first / len(labelled),
            "p10": sum(precisions) / len(precisions) if precisions else None, "misses": misses}


# --- main ----------------------------------------------------------------------------------------------------


def fmt_bytes(n: float) -> str:
    return f"{n / 2**20:.2f} MB" if n >= 2**20 else f"{n / 1024:.0f} KB"


def run_size(tmp: Path, tickets: int, articles: int, with_quality: bool, skip: set[str],
             browser_only: bool = False, runs: int = COLD_RUNS) -> dict[str, Any]:
    if browser_only:  # the sites an earlier run left in --tmp: measure in the browser again
        from search_labels import plant, queries

        res = json.loads((tmp / f"indexes-{tickets}.json").read_text(encoding="utf-8"))
        labelled = queries(plant(tmp / f"archive-{tickets}"))
        search_page(tmp / f"sites-{tickets}" / "site")  # the search page and script as committed, on the old index
        return browse(res, tmp / f"sites-{tickets}" / "site", labelled, tickets, with_quality, skip, runs)
    both_skipped = {"material", "pagefind"} <= skip
    root, base, labelled = prepare(tmp, tickets, articles, bare=not both_skipped)
    site = base / "site"
    res: dict[str, Any] = {"tickets": tickets, "articles": articles}
    if both_skipped:  # tsgen's index needs no built pages: an empty site folder holds it and the search page
        site.mkdir(parents=True, exist_ok=True)
    elif "material" in skip:  # still a bare site for Pagefind's crawl
        (base / "mkdocs.yml").write_text((base / "mkdocs.yml").read_text(encoding="utf-8")
                                         .replace("plugins:\n  - search:", "plugins: []\n_unused:\n  - search:"),
                                         encoding="utf-8")
    if not both_skipped:
        m = spawn(["material", str(base / "mkdocs.yml")])
        res["material"] = {**m, "disk": tree_bytes(site / "search") if (site / "search").exists() else 0}
    if "material" not in skip:
        print(f"  material: build {m['seconds']:.1f} s (cpu {m['cpu']:.1f} s), search plugin {m['index_seconds']:.1f} s, peak {m['rss_mb']:.0f} MB, "
          f"index {fmt_bytes(res['material']['disk'])}", flush=True)
    if "pagefind" not in skip:
        p = run_pagefind_default(site)
        res["pagefind"] = {**p, "index_seconds": p["seconds"], "disk": tree_bytes(site / "pagefind-default")}
        print(f"  pagefind default: {p['seconds']:.1f} s (cpu {p['cpu']:.1f} s), peak {p['rss_mb']:.0f} MB, "
              f"{fmt_bytes(res['pagefind']['disk'])}", flush=True)
    t = spawn(["tsgen", str(root), str(site)])
    res["tsgen"] = {**t, "disk": tree_bytes(site / "pagefind")}
    print(f"  tsgen: load {t['load_seconds']:.1f} s + index {t['index_seconds']:.1f} s (of which the merge of the "
          f"shards after the last {t.get('merge_seconds', 0):.1f} s; {t['records']} records, "
          f"{t['words']} words), cpu {t['cpu']:.1f} s (indexing: tsgen {t.get('index_cpu_tsgen', 0):.1f} s, "
          f"Pagefind {t.get('index_cpu_pagefind', 0):.1f} s), peak {t['rss_mb']:.0f} MB, "
          f"{fmt_bytes(res['tsgen']['disk'])}; "
          f"load average {os.getloadavg()[0]:.1f}", flush=True)
    search_page(site)
    (tmp / f"indexes-{tickets}.json").write_text(json.dumps(res), encoding="utf-8")
    return browse(res, site, labelled, tickets, with_quality, skip, runs)


def coldest(browser: Any, engine: str, url: str, query: str, timeout_s: float, runs: int) -> dict[str, Any]:
    """`runs` cold queries; the one with the median time, with every run's time in `all_ms`."""
    done = sorted((cold(browser, engine, url, query, timeout_s) for _ in range(max(1, runs))), key=lambda c: c["ms"])
    return {**done[len(done) // 2], "all_ms": [c["ms"] for c in done]}


def browse(res: dict[str, Any], site: Path, labelled: list[Any], tickets: int, with_quality: bool,
           skip: set[str], runs: int = COLD_RUNS) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    engines = [e for e in ("tsgen", "pagefind", "material") if e not in skip and e in res]
    server, url = serve(site)
    timeout_s = 120 if tickets <= 20_000 else 300
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
            for engine in engines:
                res[engine]["cold"] = {q: coldest(browser, engine, url, q, timeout_s, runs) for q in COLD_QUERIES}
                for q, c in res[engine]["cold"].items():
                    print(f"  {engine} cold {q}: first result {c['ms']:.0f} ms (median of {len(c['all_ms'])}: "
                          f"{' '.join(f'{m:.0f}' for m in c['all_ms'])}), {fmt_bytes(c['bytes'])} "
                          f"(search files {fmt_bytes(c['search_bytes'])}), other hosts {c['foreign']}"
                          + (f"  [{c['error']}]" if "error" in c else ""), flush=True)
                if engine == "tsgen":
                    res["floor"] = {q: coldest(browser, "floor", url, q, timeout_s, runs) for q in COLD_QUERIES}
                    print("  Pagefind alone on tsgen's index (bare page: one search of the articles' bundle, the "
                          "first fragment): " + ", ".join(f"{q} {c['ms']:.0f} ms" for q, c in res["floor"].items()),
                          flush=True)
                if with_quality or engine == "tsgen":
                    res[engine]["quality"] = quality(labelled, ranked(browser, engine, url, labelled, timeout_s))
                    qy = res[engine]["quality"]
                    print(f"  {engine} labelled ({len(labelled)} queries): hit rate {qy['hit']:.0%}, first {qy['first']:.0%}, "
                          f"precision@10 (multi-word) {qy['p10']:.2f}; missed: {qy['misses']}", flush=True)
            browser.close()
    finally:
        server.shutdown()
    return res


def report(results: list[dict[str, Any]]) -> None:
    names = {"material": "Material (lunr+jieba)", "pagefind": "Pagefind default", "tsgen": "tsgen"}
    print("\n| size | engine | indexing | peak memory | on disk | cold query bytes (search files) | first result "
          + " | ".join(COLD_QUERIES) + " | hit rate | first | P@10 multi |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        for e in ("material", "pagefind", "tsgen"):
            if e not in r or "cold" not in r[e]:
                continue
            x = r[e]
            colds = list(x["cold"].values())
            byts = max(c["bytes"] for c in colds)
            sb = max(c["search_bytes"] for c in colds)
            firsts = " / ".join("timeout" if c["ms"] == float("inf") else f"{c['ms']:.0f} ms" for c in colds)
            q = x.get("quality")
            qtxt = f"{q['hit']:.0%} | {q['first']:.0%} | {q['p10']:.2f}" if q else "– | – | –"
            print(f"| {r['tickets']:,} + {r['articles']:,} | {names[e]} | {x['index_seconds']:.1f} s | {x['rss_mb']:.0f} MB | "
                  f"{fmt_bytes(x['disk'])} | {fmt_bytes(byts)} ({fmt_bytes(sb)}) | {firsts} | {qtxt} |")
    for r in results:
        t = r["tsgen"]
        colds = list(t["cold"].values())
        small = r["tickets"] <= 10_000
        limit_ms, limit_b = (300, 300 * 1024) if small else (1000, 2**20)
        ok_ms = all(c["ms"] <= limit_ms for c in colds)
        ok_b = all(c["search_bytes"] <= limit_b for c in colds)
        print(f"\n{r['tickets']:,} tickets: tsgen first result ≤ {limit_ms} ms: {'✔' if ok_ms else '✘'}; "
              f"cold query search bytes ≤ {fmt_bytes(limit_b)}: {'✔' if ok_b else '✘'}", end="")
        if not small:
            print(f"; indexing ≤ 90 s: {'✔' if t['index_seconds'] <= 90 else '✘'} ({t['index_seconds']:.0f} s); "
                  f"≤ 2 GB: {'✔' if t['rss_mb'] <= 2048 else '✘'} ({t['rss_mb']:.0f} MB)", end="")
        if "floor" in r:
            print("; Pagefind alone on the same index: " + " / ".join(f"{c['ms']:.0f} ms" for c in r["floor"].values()),
                  end="")
        q = t.get("quality")
        if q:
            ahead = all(q["hit"] >= r[e]["quality"]["hit"] for e in ("material", "pagefind") if "quality" in r.get(e, {}))
            print(f"; hit rate ≥ 95%: {'✔' if q['hit'] >= 0.95 else '✘'}; P@10 ≥ 0.8: "
                  f"{'✔' if (q['p10'] or 0) >= 0.8 else '✘'}; ahead of the baselines: {'✔' if ahead else '✘'}", end="")
        print()


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        kind, *rest = sys.argv[2:]
        out = child_material(*rest) if kind == "material" else child_tsgen(*rest)
        print(json.dumps(out))
        return
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="10000,100000", help="ticket counts, comma-separated (default 10000,100000; "
                    "the 100,000 run takes about 40 minutes and 12 GB for Pagefind's default crawl)")
    ap.add_argument("--quality-sizes", default="10000", help="sizes at which the baselines answer the labelled queries too")
    ap.add_argument("--skip", default="", help="engines to leave out: material, pagefind (comma-separated)")
    ap.add_argument("--cold-runs", type=int, default=COLD_RUNS,
                    help=f"cold queries per query and engine, the median reported (default {COLD_RUNS})")
    ap.add_argument("--browser-only", action="store_true",
                    help="reuse the indexes an earlier run built in --tmp; measure in the browser only")
    ap.add_argument("--tmp", type=Path, help="work folder, kept (default: a temporary one, removed afterwards); "
                    "an archive generated there by an earlier run is reused")
    args = ap.parse_args()
    if not Path(CHROMIUM).is_file():
        sys.exit(f"no Chromium at {CHROMIUM}: the benchmark measures search in a real browser")
    sizes = [int(s) for s in args.sizes.split(",") if s]
    qsizes = {int(s) for s in args.quality_sizes.split(",") if s}
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    tmp = args.tmp or Path(tempfile.mkdtemp(prefix="bench-search-"))
    tmp.mkdir(parents=True, exist_ok=True)
    results = []
    try:
        for n in sizes:
            print(f"\n== {n:,} tickets ==", flush=True)
            results.append(run_size(tmp, n, max(150, n * 15 // 1000), n in qsizes, skip, args.browser_only,
                                    args.cold_runs))
    finally:
        if not args.tmp:
            shutil.rmtree(tmp, ignore_errors=True)
    report(results)


if __name__ == "__main__":
    main()
