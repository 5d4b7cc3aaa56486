"""How long after a save does `tsgen serve` show the change? (issue 12)

A synthetic archive (bench/synth.py, default 10,000 tickets + 300 articles, the repository's
mkdocs.yml) is served by `tsgen serve` in a child process. Once the first build is served, the
benchmark saves one ticket at a time, 10 times (a new title; each save writes the file twice, as
many editors do), and measures from the save until the ticket's page and then its month listing
serve the new title, polling every 50 ms. It prints each save, the median and the maximum, and
how many rebuilds the server reported (one per save is the target). Ctrl+C (SIGINT) ends the
server; the time it takes to stop is printed too.

Targets: page (and listing) within 3 s of the save, median and max; one rebuild per save;
stopped within 2 s. The first build at 10,000 tickets takes as long as `tsgen build` (a minute on an
idle 2-core machine, much more on a busy one).

    nice /work/venv/bin/python bench/bench_serve.py
    nice /work/venv/bin/python bench/bench_serve.py --tickets 2000 --saves 5 --keep /tmp/serve-bench
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

TARGET_S = 3.0
STOP_TARGET_S = 2.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=5) as resp:
            return resp.read().decode("utf-8")
    except OSError:
        return ""


def _until(url: str, text: str, seconds: float, every: float = 0.05) -> float | None:
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        if text in _get(url):
            return time.monotonic() - start
        time.sleep(every)
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tickets", type=int, default=10_000)
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--saves", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", type=Path, help="generate into this folder and keep it (reused when it exists)")
    parser.add_argument("--ready", type=float, default=3600, help="seconds to wait for the first build")
    parser.add_argument("--attach", help="measure a `tsgen serve` already running at this URL on --root "
                        "(its terminal output in --log) instead of starting one")
    parser.add_argument("--root", type=Path, help="with --attach: the archive it serves")
    parser.add_argument("--log", type=Path, help="with --attach: the file its output goes to")
    args = parser.parse_args()

    from synth import generate

    with tempfile.TemporaryDirectory(prefix="tsgen-bench-serve-") as tmpdir:
        root = args.root if args.attach else (args.keep or Path(tmpdir)) / f"archive-{args.tickets}"
        if not (root / "tickets").is_dir():
            generate(root, args.tickets, args.articles, args.seed)
            shutil.copyfile(REPO / "mkdocs.yml", root / "mkdocs.yml")
        tickets = sorted((root / "tickets").rglob("*.md"))
        step = max(1, len(tickets) // (args.saves + 1))
        chosen = [tickets[(i + 1) * step] for i in range(args.saves)]
        port = _free_port()
        env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
        start = time.monotonic()
        lines: list[str] = []
        if args.attach:
            proc = None
            base = args.attach.rstrip("/")
        else:
            proc = subprocess.Popen([sys.executable, "-m", "tsgen", "serve", "--root", str(root), "--dev-addr",
                                     f"127.0.0.1:{port}"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                    env=env, cwd=str(root))
            reader = threading.Thread(target=lambda: lines.extend(
                line.decode("utf-8", "replace").rstrip() for line in proc.stdout), daemon=True)  # type: ignore
            reader.start()
            base = f"http://127.0.0.1:{port}"
        logged = args.log.read_text(encoding="utf-8", errors="replace").count(" changed: rendered ") \
            if args.attach and args.log else 0
        results: list[tuple[str, float | None, float | None]] = []
        run = time.strftime("%H%M%S")
        stopped = None
        try:
            tid0 = chosen[0].stem
            deadline = time.monotonic() + args.ready
            while _until(f"{base}/tickets/{tid0}/", tid0, 1.0) is None:
                if (proc is not None and proc.poll() is not None) or time.monotonic() > deadline:
                    time.sleep(1)
                    sys.exit("the server did not come up:\n" + "\n".join(lines[-20:]))
            print(f"{args.tickets} tickets served after {time.monotonic() - start:.1f} s", flush=True)
            for n, path in enumerate(chosen, 1):
                tid = path.stem
                text = path.read_text(encoding="utf-8")
                mark = f"（第{n}次保存·{run}）"  # unique per run: a --keep archive holds the marks of earlier runs
                new = re.sub(r"^title: (.*)$", lambda m: f"title: {m.group(1)}{mark}", text, count=1, flags=re.M)
                month = f"{tid[2:6]}-{tid[6:8]}"
                listing_url = next((u for u in [f"{base}/lists/month/{month}/"] +
                                    [f"{base}/lists/month/{month}/{k}/" for k in range(2, 60)]
                                    if tid in _get(u)), f"{base}/lists/month/{month}/")  # the part holding it
                saved = time.monotonic()
                path.write_text(new, encoding="utf-8")
                time.sleep(0.05)
                path.write_text(new, encoding="utf-8")  # the editor's second write
                page = listing = None  # seconds from the first write
                if _until(f"{base}/tickets/{tid}/", mark, 120) is not None:
                    page = time.monotonic() - saved
                    if _until(listing_url, mark, 60) is not None:
                        listing = time.monotonic() - saved
                results.append((tid, page, listing))
                print(f"  save {n:>2} {tid}: page {page if page is None else f'{page:.2f} s'}, "
                      f"listing {listing if listing is None else f'{listing:.2f} s'}", flush=True)
                time.sleep(1.0)  # let a second rebuild, if any, show in the log
            if proc is not None:
                proc.send_signal(signal.SIGINT)
                t0 = time.monotonic()
                proc.wait(timeout=60)
                stopped = time.monotonic() - t0
        finally:
            if proc is not None and proc.poll() is None:
                proc.kill()
                proc.wait()
        if proc is not None:
            time.sleep(0.5)
        elif args.log:
            lines = args.log.read_text(encoding="utf-8", errors="replace").splitlines()
        rebuilds = [line for line in lines if " changed: rendered " in line][logged:]
        pages = [p for _, p, _ in results if p is not None]
        listings = [x for _, _, x in results if x is not None]
        print(f"\nload average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
        for line in [line for line in lines if " changed: rendered " in line or "  then the statistics" in line]:
            print("  server: " + line.strip())
        ok = True
        if pages:
            print(f"page:    median {statistics.median(pages):.2f} s, max {max(pages):.2f} s over {len(pages)} saves")
        if listings:
            print(f"listing: median {statistics.median(listings):.2f} s, max {max(listings):.2f} s")
        checks = [
            (f"every save shown: {len(pages)}/{len(results)} pages, {len(listings)}/{len(results)} listings",
             len(pages) == len(listings) == len(results)),
            (f"page within {TARGET_S:g} s: max {max(pages, default=float('inf')):.2f} s",
             bool(pages) and max(pages) <= TARGET_S),
            (f"listing within {TARGET_S:g} s: max {max(listings, default=float('inf')):.2f} s",
             bool(listings) and max(listings) <= TARGET_S),
            (f"one rebuild per save: {len(rebuilds)} rebuilds for {len(results)} saves", len(rebuilds) == len(results)),
        ]
        if not args.attach:
            checks.append((f"stopped after Ctrl+C within {STOP_TARGET_S:g} s: "
                           f"{'not stopped' if stopped is None else f'{stopped:.2f} s'}",
                           stopped is not None and stopped <= STOP_TARGET_S))
        print()
        for text, good in checks:
            ok = ok and good
            print(f"{'PASS' if good else 'FAIL'}  {text}")


if __name__ == "__main__":
    main()
