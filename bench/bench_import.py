"""How long does `tsgen import` take on a big export, against simply parsing the file?

Writes a synthetic Jira Service Management CSV export (the fixture's columns, repeated Labels,
Jira's dates, multi-line descriptions of about a ticket's length, 1% duplicate keys) into a temporary
folder, then in this process times:

- baseline: read the file and parse every row with the csv module (`list(csv.reader(...))`);
- baseline 2: the same parse, then each row's description written as its own file (the least any
  import must do: one file per ticket), to show where the time goes;
- floor: the same parse, then one file per row in tickets/YYYY/MM/ written as tsgen writes it
  (temporary file, link, unlink) with bare os calls and no checks, and once more without the
  temporary file: the least time any atomic (or not) import can take on this file system;
- tsgen: `run_import` into an empty archive (read, map, validate every ticket, allocate ids, write
  every file atomically), then again on the same file (the no-op re-import).

Peak memory is this process's peak resident set size (ru_maxrss) after the import, so it includes
the baseline and the interpreter. Targets: first import <= 120 s and <= 1 GB at 100,000 rows, and
tsgen / baseline <= 5.

    nice /work/venv/bin/python bench/bench_import.py --rows 100000
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import random
import resource
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tsgen.config import load_config  # noqa: E402
from tsgen.importers import FORMATS  # noqa: E402
from tsgen.importers.core import run_import  # noqa: E402

HEADER = ["Summary", "Issue key", "Issue id", "Issue Type", "Status", "Project key", "Priority", "Resolution",
          "Assignee", "Reporter", "Created", "Updated", "Resolved", "Labels", "Labels", "Description",
          "Custom field (Satisfaction)", "Status Category"]
PROBLEMS = ["登录后报错“权限不足”", "数据库连接超时，订单提交失败", "导出报表为空", "打印机无法连接", "小程序支付失败",
            "VPN, cannot connect", "发票抬头修改", "系统升级后页面白屏"]
LABELS = ["权限", "登录", "数据库连接超时", "报表", "打印机", "支付", "网络", "升级"]


def _jira_time(moment: datetime) -> str:
    return moment.strftime("%d/%b/%y %I:%M %p").lstrip("0")


def write_export(path: Path, rows: int, seed: int = 7) -> None:
    rnd = random.Random(seed)
    start = datetime(2022, 1, 1, 8, 0)
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(HEADER)
    for i in range(rows):
        key = i if rnd.random() > 0.01 else max(0, i - 1)  # 1% duplicates of the previous key
        created = start + timedelta(minutes=5 * i + rnd.randint(0, 4))
        status = rnd.choice(["Resolved", "Closed", "Waiting for customer", "In Progress", "Open"])
        done = status in ("Resolved", "Closed")
        resolved = created + timedelta(minutes=rnd.randint(10, 3000))
        problem = rnd.choice(PROBLEMS)
        body = (f"客户反馈：{problem}。\n发生频率：偶发，约每天 {rnd.randint(1, 9)} 次，\"影响\"下单。\n"
                f"环境：Windows 10, Chrome {rnd.randint(90, 120)}；版本 V3.{rnd.randint(0, 9)}.{rnd.randint(0, 9)}。\n"
                "排查：检查了应用日志、数据库连接池和网络，确认问题与配置有关，已按知识库步骤处理并验证。") * 2
        w.writerow([f"{problem} #{i}", f"SD-{key + 1}", str(10000 + key), rnd.choice(["[System] Incident", "Task",
                    "[System] Service request"]), status, "SD", rnd.choice(["Highest", "High", "Medium", "Low"]),
                    "Done" if done else "", f"工程师{rnd.randint(1, 20)}", f"客户{rnd.randint(1, 5000)}",
                    _jira_time(created), _jira_time(resolved if done else created + timedelta(minutes=30)),
                    _jira_time(resolved) if done else "", rnd.choice(LABELS), rnd.choice(LABELS), body,
                    str(rnd.randint(1, 5)) if done else "", "Done" if done else "In Progress"])
    path.write_text(out.getvalue(), encoding="utf-8")


def baseline(path: Path) -> tuple[float, float]:
    """(wall, CPU) seconds of reading the file and parsing every row with the csv module."""
    t, c = time.perf_counter(), time.process_time()
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert len(rows) > 1
    return time.perf_counter() - t, time.process_time() - c


def baseline_write(path: Path, out: Path) -> tuple[float, float]:
    """(wall, CPU) of parsing the file and writing each row's description as its own file (no checks)."""
    t, c = time.perf_counter(), time.process_time()
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        next(reader)
        for i, row in enumerate(reader):
            folder = out / str(i // 3000)
            if i % 3000 == 0:
                folder.mkdir(parents=True)
            (folder / f"{i}.md").write_text(row[15], encoding="utf-8")
    return time.perf_counter() - t, time.process_time() - c


def floor_files(path: Path, out: Path, atomic: bool) -> tuple[float, float]:
    """(wall, CPU) of the least an import must do: parse, then one file per row in tickets/YYYY/MM/.

    The file holds the row's description (about a ticket's size), in the folder of the row's
    creation month, created with the cheapest calls Python has: os.open(O_EXCL) + os.write +
    os.close, and for `atomic` as tsgen writes (a temporary file, os.link to its name, os.unlink).
    """
    t, c = time.perf_counter(), time.process_time()
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
    made: set[str] = set()
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        next(reader)
        for i, row in enumerate(reader):
            day = row[10].split(" ", 1)[0]  # dd/Mon/yy
            folder = f"{out}/20{day[-2:]}/{day.split('/')[1]}"
            if folder not in made:
                os.makedirs(folder, exist_ok=True)
                made.add(folder)
            data = row[15].encode("utf-8")
            name = f"{folder}/TS{i:012d}.md"
            if atomic:
                tmp = f"{folder}/.TS{i:012d}.tmp"
                fd = os.open(tmp, flags, 0o644)
                os.write(fd, data)
                os.close(fd)
                os.link(tmp, name)
                os.unlink(tmp)
            else:
                fd = os.open(name, flags, 0o644)
                os.write(fd, data)
                os.close(fd)
    return time.perf_counter() - t, time.process_time() - c


def timed(fn, *args):  # type: ignore[no-untyped-def]
    t, c = time.perf_counter(), time.process_time()
    out = fn(*args)
    return out, time.perf_counter() - t, time.process_time() - c


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=100_000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="tsgen-bench-import-") as tmp:
        root = Path(tmp) / "archive"
        (root / "tickets").mkdir(parents=True)
        (root / "kb").mkdir()
        (root / "mkdocs.yml").write_text("site_name: bench\nextra:\n  tsgen:\n    timezone: Asia/Shanghai\n",
                                         encoding="utf-8")
        export = Path(tmp) / "jira.csv"
        write_export(export, args.rows)
        size = export.stat().st_size / 1e6
        base, base_cpu = baseline(export)
        config = load_config(root)
        first, first_s, first_cpu = timed(run_import, root, config, FORMATS["jira"], export)
        base2, base2_cpu = baseline(export)  # again after the import, on an equally warm cache
        config = load_config(root)
        second, second_s, second_cpu = timed(run_import, root, config, FORMATS["jira"], export)
        plain, plain_cpu = baseline_write(export, Path(tmp) / "plain")
        floor, floor_cpu = floor_files(export, Path(tmp) / "floor-atomic", True)
        floor_na, floor_na_cpu = floor_files(export, Path(tmp) / "floor-plain", False)
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        best, best_cpu = min(base, base2), min(base_cpu, base2_cpu)
        print(f"rows: {args.rows:,} ({size:.1f} MB CSV)")
        print(f"baseline (read + csv.reader): {base:.2f} s wall / {base_cpu:.2f} s CPU, "
              f"{base2:.2f} s / {base2_cpu:.2f} s after the import")
        print(f"tsgen import: {first_s:.2f} s wall / {first_cpu:.2f} s CPU — {len(first.created):,} created, "
              f"{len(first.rejected)} rejected, {first.duplicates:,} duplicates collapsed; of it the final sync "
              f"{first.sync_seconds:.2f} s wall")
        print(f"tsgen re-import (no-op): {second_s:.2f} s wall / {second_cpu:.2f} s CPU — {second.unchanged:,} "
              f"unchanged, {len(second.created) + len(second.updated)} written")
        print(f"peak RSS: {peak_mb:.0f} MB")
        ratio, ratio_cpu = first_s / best, first_cpu / best_cpu
        print(f"ratio import / baseline: {ratio:.1f} wall, {ratio_cpu:.1f} CPU (target <= 5): "
              f"{'ok' if ratio <= 5 else 'MISSED'}")
        print(f"baseline 2 (csv.reader + one plain file per row): {plain:.2f} s wall / {plain_cpu:.2f} s CPU; "
              f"import / baseline 2: {first_s / plain:.1f} wall, {first_cpu / plain_cpu:.1f} CPU")
        print(f"floor (csv.reader + one file per row in YYYY/MM/, temp file + link + unlink as tsgen): "
              f"{floor:.2f} s wall / {floor_cpu:.2f} s CPU = {floor / best:.1f} wall, {floor_cpu / best_cpu:.1f} CPU "
              f"x the parse; import / floor: {first_s / floor:.1f} wall, {first_cpu / floor_cpu:.1f} CPU")
        print(f"floor, not atomic (one O_EXCL create + write per file): {floor_na:.2f} s wall / {floor_na_cpu:.2f} s "
              f"CPU = {floor_na / best:.1f} wall, {floor_na_cpu / best_cpu:.1f} CPU x the parse")
        print(f"ratio re-import / baseline: {second_s / best:.1f} wall, {second_cpu / best_cpu:.1f} CPU")
        print(f"time target <= 120 s: {'ok' if first_s <= 120 else 'MISSED'}; "
              f"memory target <= 1024 MB: {'ok' if peak_mb <= 1024 else 'MISSED'}")


if __name__ == "__main__":
    main()
