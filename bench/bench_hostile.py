"""Hostile input: time of each tsgen scanner against the number of openers that never close.

Every scanner that reads untrusted text (bodies, fields, imported exports) is fed N repetitions of
an opener (`<!--`, an unclosed fence, `[`, `url(`, a run of letters before `@`, ...) for N = 10k,
20k and 40k, and the best of --repeat runs is printed with the ratios t(2N)/t(N) and t(4N)/t(N):
linear time shows as about 2 and 4, quadratic as 4 and 16 (the regexes these scanners replaced took
35-85 s at 20k). The last column is OK when t(4N)/t(N) stays under 8.

    flock /work/bench.lock nice /work/venv/bin/python bench/bench_hostile.py
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tsgen.archive import body, markup, privacy  # noqa: E402
from tsgen.archive.load import parse_front_matter  # noqa: E402
from tsgen.archive.validate import validate_ticket  # noqa: E402
from tsgen.config import Config  # noqa: E402
from tsgen.importers import sobot  # noqa: E402
from tsgen.search import records, similar  # noqa: E402
from tsgen.site import mentions  # noqa: E402

SIZES = (10_000, 20_000, 40_000)
LINEAR_LIMIT = 8.0  # t(4N)/t(N): 4 when linear, 16 when quadratic

TICKET = """---
id: TS202310270001
title: 登录失败
type: fault
priority: P2
created: 2023-10-27 10:00
status: pending
channel: phone
customer:
  name: 张三
  contact: "13800138000"
---
"""


def _validate(text: str) -> None:
    raw, _ = parse_front_matter(TICKET + text, "tickets/2023/10/TS202310270001.md", "ticket")
    assert raw is not None
    validate_ticket(raw, Config())
    list(body.resources(raw.body))
    list(markup.unsafe_markup(raw.body))


_IDS = mentions.id_pattern("TS")

SCANNERS: dict[str, Callable[[str], object]] = {
    "body: comments + code": lambda t: (list(body.COMMENT.finditer(t)), list(body.CODE.finditer(t))),
    "body: images + resources": lambda t: (list(body.images(t)), list(body.resources(t))),
    "body: empty sections, lists": lambda t: (body.drop_empty_sections(t), body.separate_list_items(t)),
    "markup lint": lambda t: list(markup.unsafe_markup(t)),
    "privacy lint": privacy.personal_data,
    "validate one ticket": _validate,
    "mentions": lambda t: mentions.markdown_links(t, _IDS, lambda i: "x.md"),
    "search record text": lambda t: records._sections(t, 1.0),
    "similar-case text": lambda t: (similar.description(t), similar.error_strings(t), similar._without_contacts(t)),
    "sobot rich text": sobot._text,
}

OPENERS = {
    "<!--": "<!--",
    "``` (unclosed fence)": "```x\n",
    "~~~ (unclosed fence)": "~~~x\n",
    "`` per line": "``\n",
    "[": "[",
    "[a](": "[a](",
    "![": "![",
    "url(": "url(",
    "<a ": "<a ",
    "{:": "{:",
    "letters before @": "ab",
    "digits": "1",
    "spaces": " ",
    "**_": "**_",
}


def best(work: Callable[[str], object], text: str, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work(text)
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", help="run only the scanners whose name contains this")
    args = parser.parse_args()
    worst = 0.0
    print(f"{'scanner':30} {'opener':22} " + " ".join(f"{n // 1000:>6}k" for n in SIZES) + "   x2    x4")
    for name, work in SCANNERS.items():
        if args.only and args.only not in name:
            continue
        for label, unit in OPENERS.items():
            # the opener repeated, then a little ordinary text so that scanners do not stop early
            seconds = [best(work, unit * n + "\n正文 TS202310270001 a@b.cn\n", args.repeat) for n in SIZES]
            base = max(seconds[0], 1e-4)
            ratio2, ratio4 = seconds[1] / base, seconds[2] / base
            worst = max(worst, ratio4 if seconds[2] > 0.01 else 0.0)
            flag = "ok" if ratio4 < LINEAR_LIMIT or seconds[2] < 0.01 else "SUPER-LINEAR"
            print(f"{name:30} {label:22} " + " ".join(f"{s:7.3f}" for s in seconds)
                  + f" {ratio2:5.1f} {ratio4:5.1f}  {flag}", flush=True)
    print(f"worst t(40k)/t(10k) among runs over 10 ms: {worst:.1f} (linear 4, quadratic 16; limit {LINEAR_LIMIT:g})")


if __name__ == "__main__":
    main()
