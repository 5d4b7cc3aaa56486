"""How much do the statistics cost on top of loading the archive?

Generates a synthetic archive (bench/synth.py) in a temporary folder, then times, best of --repeat:

- baseline: read every file and parse its front matter with yaml.load(..., Loader=yaml.CSafeLoader);
- tsgen load: load_archive (read, parse, validate, link);
- metrics: compute_periods by week and by month.

Target: metrics add less than 20% on top of tsgen load.

    /work/venv/bin/python bench/bench_stats.py --tickets 100000
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, TypeVar


sys.path.insert(0, str(Path(__file__).resolve().parent))
from synth import baseline_load, generate  # noqa: E402

from tsgen.config import load_config  # noqa: E402
from tsgen.archive.link import load_archive  # noqa: E402
from tsgen.stats.metrics import compute_periods  # noqa: E402

T = TypeVar("T")
TARGET = 0.20


def best_of(repeat: int, work: Callable[[], T]) -> tuple[float, T]:
    """The fastest of `repeat` runs (seconds) and the last result."""
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = work()
        best = min(best, time.perf_counter() - start)
    return best, result  # type: ignore[return-value]


baseline = baseline_load  # the same baseline in every benchmark


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--articles", type=int, default=None, help="default: tickets / 100, at least 20")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement; the best counts")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    articles = args.articles if args.articles is not None else max(20, args.tickets // 100)

    with tempfile.TemporaryDirectory(prefix="tsgen-bench-") as tmp:
        root = Path(tmp)
        start = time.perf_counter()
        generate(root, args.tickets, articles, args.seed)
        print(f"generated {args.tickets} tickets and {articles} articles in {time.perf_counter() - start:.1f} s")

        t_base, files = best_of(args.repeat, lambda: baseline(root))
        config = load_config(root)
        t_load, archive = best_of(args.repeat, lambda: load_archive(root, config))
        t_week, weeks = best_of(args.repeat, lambda: compute_periods(archive, "week"))
        t_month, months = best_of(args.repeat, lambda: compute_periods(archive, "month"))

    errors = len(archive.errors)
    t_metrics = t_week + t_month
    print(f"archive: {files} files, {len(archive.tickets)} valid tickets, {errors} errors, "
          f"{len(archive.warnings)} warnings; {len(weeks)} weeks, {len(months)} months")
    print(f"best of {args.repeat}:")
    print(f"  baseline (read + yaml CSafeLoader)  {t_base:8.2f} s")
    print(f"  tsgen load (load_archive)           {t_load:8.2f} s   {t_load / t_base:.1f}x baseline")
    print(f"  metrics by week                     {t_week:8.2f} s")
    print(f"  metrics by month                    {t_month:8.2f} s")
    share = t_metrics / t_load
    verdict = "ok" if share < TARGET else "OVER TARGET"
    print(f"metrics (week + month) add {share * 100:.1f}% on top of loading (target < {TARGET * 100:.0f}%): {verdict}")
    if errors:
        sys.exit("the synthetic archive has validation errors: fix bench/synth.py")


if __name__ == "__main__":
    main()
