"""How much does reading the archive's git history cost on top of git itself? (issue 5)

Generates, with `git fast-import` (seconds, not minutes), a repository whose tickets/ holds
--files files written over --commits commits by 8 authors: every commit adds its share of new
tickets and edits a few older ones, and every 25th commit also moves a ticket to another folder
(a rename that read_history must follow). Then, best of --repeat:

- baseline: `git log --name-status -M -- tickets kb` in a subprocess, output discarded;
- git part: the exact log command read_history runs (`-z`, `--format`, `--topo-order`), output discarded;
- tsgen: `read_history(root)`, end to end (open the repository, run git, parse, build FileHistory).

Target: tsgen / baseline <= 3.

    /work/venv/bin/python bench/bench_history.py
    /work/venv/bin/python bench/bench_history.py --files 50000 --commits 10000 --keep /tmp/big-history
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import IO

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tsgen.repo.history import _FORMAT, read_history  # noqa: E402

AUTHORS = [("王工", "wang@example.com"), ("李工", "li@example.com"), ("张工", "zhang@example.com"),
           ("Alice", "alice@example.com"), ("Bob", "bob@example.com"), ("Carol", "carol@example.com"),
           ("赵工", "zhao@example.com"), ("Dave", "dave@example.com")]
TZ = timezone(timedelta(hours=8))


def _data(out: IO[bytes], payload: bytes) -> None:
    out.write(b"data %d\n" % len(payload))
    out.write(payload)
    out.write(b"\n")


def _ticket(tid: str, created: datetime, revision: int, rng: random.Random) -> bytes:
    words = "登录 权限 数据库 连接 超时 报表 导出 VPN 打印机 同步 延迟 接口 认证 附件 上传".split()
    return (f"---\nid: {tid}\ntitle: {' '.join(rng.sample(words, 3))}\ntype: fault\npriority: P{rng.randint(0, 4)}\n"
            f"created: {created:%Y-%m-%d %H:%M}\nstatus: pending\n---\n\n## 问题描述\n\n"
            f"{' '.join(rng.choices(words, k=40))}\n\n## 处理步骤\n\n第 {revision} 次更新。\n").encode("utf-8")


def generate(repo: Path, files: int, commits: int, seed: int = 5) -> None:
    """Write the synthetic history into `repo` with one `git fast-import` run."""
    rng = random.Random(seed)
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    proc = subprocess.Popen(["git", "fast-import", "--quiet"], cwd=repo, stdin=subprocess.PIPE)
    assert proc.stdin is not None
    out = proc.stdin
    start = datetime(2022, 1, 3, 9, 0, tzinfo=TZ)
    paths: list[str] = []
    revisions: dict[str, int] = {}
    per_day: dict[str, int] = {}
    for i in range(commits):
        when = start + timedelta(hours=3 * i)
        name, email = AUTHORS[rng.randrange(len(AUTHORS))]
        stamp = f"{int(when.timestamp())} +0800".encode()
        out.write(b"commit refs/heads/main\n")
        out.write(b"mark :%d\n" % (i + 1))
        out.write(f"author {name} <{email}> ".encode() + stamp + b"\n")
        out.write(f"committer {name} <{email}> ".encode() + stamp + b"\n")
        _data(out, f"tickets: commit {i}".encode())
        if i:
            out.write(b"from :%d\n" % i)
        new = files // commits + (1 if i < files % commits else 0)
        for _ in range(new):
            day = f"{when:%Y%m%d}"
            per_day[day] = per_day.get(day, 0) + 1
            tid = f"TS{day}{per_day[day]:04d}"
            path = f"tickets/{when:%Y/%m}/{tid}.md"
            paths.append(path)
            revisions[path] = 1
            out.write(f"M 100644 inline {path}\n".encode())
            _data(out, _ticket(tid, when, 1, rng))
        for path in rng.sample(paths[:-new or None], min(3, max(0, len(paths) - new))):
            revisions[path] += 1
            tid = Path(path).stem
            out.write(f"M 100644 inline {path}\n".encode())
            _data(out, _ticket(tid, when, revisions[path], rng))
        if i % 25 == 24 and len(paths) > new:
            old = paths.pop(rng.randrange(len(paths) - new))
            moved = f"tickets/moved/{Path(old).name}"
            paths.append(moved)
            revisions[moved] = revisions.pop(old)
            out.write(f"R {old} {moved}\n".encode())
    out.close()
    if proc.wait() != 0:
        raise SystemExit("git fast-import failed")


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--commits", type=int, default=2_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="generate (or reuse) the repository here and keep it")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="tsgen-bench-history-"))
    os.environ.update(GIT_CONFIG_NOSYSTEM="1", HOME=str(tmp), GIT_CONFIG_GLOBAL=str(tmp / "gitconfig"))
    repo = args.keep or tmp / "repo"
    try:
        if not (repo / ".git").is_dir():
            t0 = time.perf_counter()
            generate(repo, args.files, args.commits)
            print(f"generated {args.files} files in {args.commits} commits with git fast-import "
                  f"in {time.perf_counter() - t0:.1f} s ({repo})")
        specs = ["--", "tickets", "kb"]
        baseline = ["git", "log", "--name-status", "-M", *specs]
        exact = ["git", "log", "-z", "--name-status", "-M", "--topo-order", "--no-show-signature", "--no-color",
                 f"--format={_FORMAT}", "HEAD", *specs]

        def run(cmd: list[str]) -> None:
            subprocess.run(cmd, cwd=repo, stdout=subprocess.DEVNULL, check=True)

        history = read_history(repo)  # also warms the OS cache and checks the result
        assert history.warning is None, history.warning
        moved = [p for p in history.files if p.startswith("tickets/moved/")]
        assert moved and all(history.files[p].commits >= 2 for p in moved), "renames were not followed"
        t_base = best(lambda: run(baseline), args.repeat)
        t_exact = best(lambda: run(exact), args.repeat)
        t_tsgen = best(lambda: read_history(repo), args.repeat)
        print(f"files with history: {len(history.files)}, renamed files followed: {len(moved)}")
        print(f"(a) git log --name-status -M (baseline):  {t_base * 1000:8.1f} ms")
        print(f"    git part of read_history (same flags): {t_exact * 1000:8.1f} ms")
        print(f"(b) read_history(root):                   {t_tsgen * 1000:8.1f} ms")
        ratio = t_tsgen / t_base
        print(f"ratio (b)/(a): {ratio:.2f}x (target <= 3x): {'ok' if ratio <= 3 else 'MISSED'}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
