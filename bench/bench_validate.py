"""How close is `tsgen validate` to the cost of merely parsing every front matter?

Generates a synthetic archive (bench/synth.py) in a temporary folder, then in this process times,
best of --repeat with the two alternating (so neither always runs on a warmer cache):

- baseline: for every .md file under tickets/ and kb/: read the bytes, decode UTF-8, split on the
  '---' fences, yaml.load(front matter, Loader=yaml.CSafeLoader);
- tsgen: the whole `tsgen validate` pipeline: load_config, link.load_archive (scan the files, read,
  decode, parse with line numbers, validate, link) and format_problems.

Peak memory is the peak resident set size (ru_maxrss from os.wait4) of a separate process running
`python -m tsgen validate --root <archive>`: the real command, interpreter and imports included.

Targets: tsgen / baseline <= 1.3, peak < 500 MB.

    /work/venv/bin/python bench/bench_validate.py --tickets 10000 --articles 300
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


sys.path.insert(0, str(Path(__file__).resolve().parent))
from synth import baseline_load, generate  # noqa: E402

from tsgen.config import load_config  # noqa: E402
from tsgen.archive.link import load_archive  # noqa: E402
from tsgen.archive.problems import format_problems  # noqa: E402

RATIO_TARGET = 1.3
MEMORY_TARGET_MB = 500


baseline = baseline_load  # the same baseline in every benchmark


def tsgen_validate(root: Path) -> tuple[int, int, int]:
    """What `tsgen validate` does, minus printing; return (files, errors, warnings)."""
    config = load_config(root)
    archive = load_archive(root, config)
    paths = archive.documents
    format_problems(archive.problems, "text")
    return len(paths), len(archive.errors), len(archive.warnings)


def timed(work, root: Path) -> tuple[float, float, object]:
    """Wall-clock seconds, CPU seconds of this process, and the result of work(root)."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = work(root)
    return time.perf_counter() - wall, time.process_time() - cpu, result


def peak_rss_mb(root: Path) -> tuple[float, int]:
    """Peak RSS (MB) and exit status of `python -m tsgen validate --root ROOT` in its own process."""
    proc = subprocess.Popen([sys.executable, "-m", "tsgen", "validate", "--root", str(root)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return usage.ru_maxrss / 1024, proc.returncode  # ru_maxrss is in KiB on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tickets", type=int, default=10_000)
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement; the best counts")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="tsgen-bench-") as tmp:
        root = Path(tmp)
        start = time.perf_counter()
        generate(root, args.tickets, args.articles, args.seed)
        print(f"generated {args.tickets} tickets and {args.articles} articles in {time.perf_counter() - start:.1f} s")

        wall: dict[str, list[float]] = {"base": [], "tsgen": []}
        cpu: dict[str, list[float]] = {"base": [], "tsgen": []}
        for i in range(args.repeat):
            order = [("base", baseline), ("tsgen", tsgen_validate)]
            for name, work in (order if i % 2 == 0 else reversed(order)):
                seconds, cpu_seconds, result = timed(work, root)
                wall[name].append(seconds)
                cpu[name].append(cpu_seconds)
                if name == "base":
                    files = result
                else:
                    checked, errors, warnings = result
        peak, status = peak_rss_mb(root)

    t_base, t_tsgen = min(wall["base"]), min(wall["tsgen"])
    ratio = t_tsgen / t_base
    cpu_ratio = min(cpu["tsgen"]) / min(cpu["base"])

    def runs(times: list[float]) -> str:
        return ", ".join(f"{t:.3f}" for t in times)

    print(f"files:             {files} ({checked} checked by tsgen: {errors} errors, {warnings} warnings)")
    print(f"baseline seconds:  {t_base:.3f}  (wall, best of {args.repeat}: {runs(wall['base'])}; "
          f"CPU best {min(cpu['base']):.3f})")
    print(f"tsgen seconds:     {t_tsgen:.3f}  (wall, best of {args.repeat}: {runs(wall['tsgen'])}; "
          f"CPU best {min(cpu['tsgen']):.3f})")
    print(f"ratio:             {ratio:.2f}  (target <= {RATIO_TARGET}): {'ok' if ratio <= RATIO_TARGET else 'OVER TARGET'}"
          f"   [CPU-time ratio {cpu_ratio:.2f}, steadier on a busy machine]")
    print(f"peak MB:           {peak:.0f}  (target < {MEMORY_TARGET_MB}; max RSS of `python -m tsgen validate`, "
          f"exit {status}): {'ok' if peak < MEMORY_TARGET_MB else 'OVER TARGET'}")
    if errors or files != checked:
        sys.exit("the synthetic archive has validation errors: fix bench/synth.py")


if __name__ == "__main__":
    main()
