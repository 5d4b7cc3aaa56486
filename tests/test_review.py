"""The lead's review (issue: weekly and monthly review): percentages rounded once, the default
range of `tsgen stats`, workload, backlog ageing and knowledge reuse worked out by hand, trend charts
on small numbers, and the `tsgen report` digest, whose numbers are those of `stats --format json`."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from conftest import assert_clean, kb_text, run_cli, ticket_path, ticket_text, write
from test_metrics import SHANGHAI, T1, T2, T3, T4, T5, T6, T7, archive_of, at, sample, tk

from tsgen.archive.model import Article
from tsgen.site.charts import Chart, Series, layout
from tsgen.stats.digest import HEADLINE, lookup
from tsgen.stats.formats import format_table, percent
from tsgen.stats.metrics import compute_periods, trim_empty, window_start


# --- rounding ---

@pytest.mark.parametrize("part, whole, shown", [
    (14, 17, "82.4%"),    # 0.82352... ; a ratio rounded to 0.8235 first gave 82.3%
    (15, 19, "78.9%"),    # 0.78947... ; rounded to 0.7895 first gave 79.0%
    (1, 8, "12.5%"), (1, 16, "6.3%"), (2, 3, "66.7%"), (1, 1, "100.0%"), (0, 5, "0.0%"),
])
def test_a_percentage_is_rounded_once_from_the_exact_ratio(part: int, whole: int, shown: str) -> None:
    assert percent(part / whole) == shown


def test_ratios_are_not_rounded_in_the_metrics() -> None:
    months = compute_periods(sample(), "month")
    assert months[0]["sla"]["P1"]["compliance"] == 1 / 3


# --- workload, ageing, reuse: the sample of test_metrics, by hand ---

@pytest.fixture(scope="module")
def months() -> list[dict[str, Any]]:
    tickets = list(sample().tickets.values())
    # give October's tickets assignees: T1, T2 张*; T4 李*; T3, T5, T6 none
    for t in tickets:
        if t.id in (T1, T2):
            t.assignee = "张*"
        if t.id == T4:
            t.assignee = "李*"
    articles = [Article(id="KB0001", path="kb/KB0001.md", title="数据库连接超时"),
                Article(id="KB0002", path="kb/KB0002.md", title="界面错位", tickets=[T6])]
    return compute_periods(archive_of(tickets, articles), "month", now=at("2024-06-01 00:00"))


def test_workload_per_assignee(months: list[dict[str, Any]]) -> None:
    october = {w["assignee"]: w for w in months[0]["workload"]}
    # 张*: T1 (P0 on time, 2 h) and T2 (P1 answered after 45 > 30 min: breached, 4 h) -> median 3 h
    assert october["张*"] == {"assignee": "张*", "handled": 2, "resolved": 2, "resolution_hours_median": 3.0,
                              "sla_breaches": 1, "escalations_received": 0}
    # 李*: T4 resolved after 24 h; P2 has no target
    assert october["李*"] == {"assignee": "李*", "handled": 1, "resolved": 1, "resolution_hours_median": 24.0,
                              "sla_breaches": 0, "escalations_received": 0}
    # no assignee: T3 (P1 never answered: breached), T5 (awaiting customer), T6 (resolved after 1 h)
    assert october[None] == {"assignee": None, "handled": 3, "resolved": 1, "resolution_hours_median": 1.0,
                             "sla_breaches": 1, "escalations_received": 0}
    # escalated_to names receive escalations without handling anything themselves
    assert october["高级工程师*"]["escalations_received"] == 1 and october["高级工程师*"]["handled"] == 0
    assert october["研发*"]["escalations_received"] == 1
    assert [w["assignee"] for w in months[0]["workload"]][:3] == [None, "张*", "李*"]   # most handled first


def test_backlog_ageing_at_the_end_of_each_period(months: list[dict[str, Any]]) -> None:
    # open at 2023-11-01 00:00: T3 (created 10-05 08:00: 26 days 16 h) and T5 (10-20 09:00: 11 days 15 h)
    october = months[0]["backlog_ageing"]
    assert (october["lt_24h"], october["h24_72"], october["d3_7"], october["gt_7d"]) == (0, 0, 0, 2)
    assert october["by_priority"]["P1"]["gt_7d"] == 2 and october["by_priority"]["P0"]["gt_7d"] == 0
    assert months[0]["backlog_end"] == 2
    # December: T7 resolved on 12-04 12:30, so still T3 and T5 open
    assert months[2]["backlog_ageing"]["gt_7d"] == 2 and months[2]["backlog_end"] == 2


def test_backlog_ageing_buckets_by_hand() -> None:
    # open at the end of October 2023 (2023-11-01 00:00): ages 1 h, exactly 24 h, 71 h, exactly 72 h,
    # 167 h and exactly 168 h (7 days)
    created = ["2023-10-31 23:00", "2023-10-31 00:00", "2023-10-29 01:00", "2023-10-29 00:00",
               "2023-10-25 01:00", "2023-10-25 00:00"]
    tickets = [tk(f"TS20231025{i:04d}", c, "P1" if i % 2 else "P2") for i, c in enumerate(created, 1)]
    row = compute_periods(archive_of(tickets), "month", now=at("2024-01-01 00:00"))[0]
    ageing = row["backlog_ageing"]
    assert (ageing["lt_24h"], ageing["h24_72"], ageing["d3_7"], ageing["gt_7d"]) == (1, 2, 2, 1)
    assert sum(ageing["by_priority"]["P1"].values()) == 3 and sum(ageing["by_priority"]["P2"].values()) == 3


def test_a_running_period_ages_its_backlog_now() -> None:
    tickets = [tk("TS202310300001", "2023-10-30 10:00")]
    row = compute_periods(archive_of(tickets), "month", now=at("2023-10-30 12:00"))[0]
    assert row["backlog_ageing"]["lt_24h"] == 1          # 2 hours old now, not 38 h at the month's end


def test_knowledge_reuse_new_vs_known(months: list[dict[str, Any]]) -> None:
    # October, resolved and linking an article: T1 (KB0001, first use: new), T2 (KB0001 again: known),
    # T6 (KB0002 through the article's tickets, first use: new). T4 links nothing.
    assert months[0]["kcs"] == {"known": 1, "new": 2, "reuse_rate": 1 / 3, "articles_first_linked": 2}
    # December: T7 links KB0002, first linked by T6 in October: known
    assert months[2]["kcs"] == {"known": 1, "new": 0, "reuse_rate": 1.0, "articles_first_linked": 0}
    assert months[1]["kcs"] == {"known": 0, "new": 0, "reuse_rate": None, "articles_first_linked": 0}


# --- the default range ---

def test_the_default_range_is_the_last_twelve_months_with_tickets() -> None:
    tickets = [tk("TS202201100001", "2022-01-10 10:00"), tk("TS202310100001", "2023-10-10 10:00"),
               tk("TS202312100001", "2023-12-10 10:00")]
    every = compute_periods(archive_of(tickets), "month")
    assert len(every) == 24                                  # 2022-01 .. 2023-12
    since = window_start(every, "month")
    assert since.isoformat() == "2023-01-01"
    shown = trim_empty(every, since)
    # 2023-01 .. 2023-09 have no tickets before the first that has: left out; 2023-11 (empty, between) stays
    assert [r["period"] for r in shown] == ["2023-10", "2023-11", "2023-12"]


def test_one_ticket_gives_one_short_period(tmp_path: Path) -> None:
    write(tmp_path, ticket_path("TS202310270001"), ticket_text(id="TS202310270001", created="2023-10-27 09:00"))
    result = run_cli(["stats", "--root", str(tmp_path), "--period", "week"])
    assert_clean(result)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("1 个周期")
    assert len(result.stdout.splitlines()) < 30
    report = run_cli(["report", "--root", str(tmp_path), "--period", "week"])
    assert_clean(report)
    assert report.exit_code == 0, report.output
    assert report.stdout.startswith("### 周报 2023-W43（2023-10-23 至 2023-10-29）")
    assert len(report.stdout.splitlines()) < 40


def test_all_shows_every_period(tmp_path: Path) -> None:
    write(tmp_path, ticket_path("TS202201100001"), ticket_text(id="TS202201100001", created="2022-01-10 10:00"))
    write(tmp_path, ticket_path("TS202310270001"), ticket_text(id="TS202310270001", created="2023-10-27 09:00"))
    default = run_cli(["stats", "--root", str(tmp_path), "--format", "json"])
    assert [p["period"] for p in json.loads(default.stdout)["periods"]] == ["2023-10"]
    assert "21 months" in default.stderr and "--all" in default.stderr
    every = run_cli(["stats", "--root", str(tmp_path), "--format", "json", "--all"])
    assert len(json.loads(every.stdout)["periods"]) == 22 and every.stderr == ""


def test_csv_names_the_end_exclusive_and_the_last_day(tmp_path: Path) -> None:
    write(tmp_path, ticket_path("TS202310270001"), ticket_text(id="TS202310270001", created="2023-10-27 09:00"))
    result = run_cli(["stats", "--root", str(tmp_path), "--format", "csv"])
    header, row = result.stdout.splitlines()[:2]
    assert header.startswith("period,start,end_exclusive,last_day,tickets")
    assert row.startswith("2023-10,2023-10-01T00:00:00+08:00,2023-11-01T00:00:00+08:00,2023-10-31,1")
    workload = run_cli(["stats", "--root", str(tmp_path), "--format", "csv", "--by-assignee"])
    assert workload.stdout.splitlines()[0] == ("period,assignee,handled,resolved,resolution_hours_median,"
                                               "sla_breaches,escalations_received")


def test_the_table_speaks_english_on_an_english_site(tmp_path: Path) -> None:
    write(tmp_path, "mkdocs.yml", "site_name: KB\nextra:\n  tsgen:\n    language: en\n")
    write(tmp_path, ticket_path("TS202310270001"), ticket_text(id="TS202310270001", created="2023-10-27 09:00"))
    result = run_cli(["stats", "--root", str(tmp_path)])
    assert result.stdout.startswith("1 period, times in Asia/Shanghai")
    assert "2023-10  (2023-10-01 to 2023-10-31)" in result.stdout


# --- charts on small numbers ---

def test_a_trend_line_breaks_at_gaps_and_marks_too_few() -> None:
    chart = Chart("t", "d", ["W1", "W2", "W3", "W4"],
                  [Series("SLA", [1.0, None, 0.5, 1.0], "line", percent=True, too_few=[False, True, False, False]),
                   Series("Repeat", [1.0, 1.0, None, None], "line", percent=True)])
    g = layout(chart)
    sla, repeat = g["lines"]
    assert len(sla["paths"]) == 1 and sla["paths"][0].count(",") == 2    # W3-W4 only: no line across W2
    assert [p["label"] for p in sla["too_few"]] == ["W2: SLA too few"]
    assert len(repeat["paths"]) == 1
    assert sla["dash"] != repeat["dash"] and sla["r"] != repeat["r"]      # both at 100%: still told apart


# --- the digest ---

def _archive(root: Path) -> Path:
    write(root, "mkdocs.yml", "site_name: KB\nsite_url: https://kb.example.com/\n")
    write(root, "kb/KB0001-timeout.md", kb_text(title="数据库连接超时"))
    cases = [  # (id, created, priority, responded after minutes or None, resolved, extra)
        ("TS202310020001", "2023-10-02 09:00", "P0", 10, True, {"kb": "KB0001", "satisfaction": "satisfied"}),
        ("TS202310030001", "2023-10-03 10:00", "P0", 40, True,
         {"kb": "KB0001", "satisfaction": "dissatisfied", "feedback": "等了太久，联系王小明 13912345678 都没人回"}),
        ("TS202310040001", "2023-10-04 10:00", "P1", None, False, {}),
        ("TS202309040001", "2023-09-04 10:00", "P1", 5, True, {}),
    ]
    for tid, created, prio, after, done, extra in cases:
        fields: dict[str, Any] = dict(id=tid, created=created, priority=prio, assignee="周*")
        day, clock = created.split()
        if after is not None:
            fields["responded"] = f"{day} {int(clock[:2]):02d}:{after:02d}"
        if done:
            fields.update(status="resolved", resolved=f"{day} 18:00", solution="重启连接池")
        fields.update(extra)
        customer = "customer: {name: 王小明, contact: '13912345678'}" if tid.endswith("30001") else ""
        write(root, ticket_path(tid), ticket_text(extra=customer, **fields))
    return root


def test_the_digest_numbers_are_those_of_stats_json(tmp_path: Path) -> None:
    root = str(_archive(tmp_path))
    data = json.loads(run_cli(["stats", "--root", root, "--format", "json", "--all"]).stdout)
    october = next(p for p in data["periods"] if p["period"] == "2023-10")
    september = next(p for p in data["periods"] if p["period"] == "2023-09")
    result = run_cli(["report", "--root", root, "--key", "2023-10", "--format", "text"])
    assert_clean(result)
    assert result.exit_code == 0, result.output
    text = result.stdout
    for path, label_zh, *_ in HEADLINE:
        value = lookup(october, path)
        if isinstance(value, float) and "rate" in path or path.endswith(("compliance", "score")):
            shown = percent(value) if value is not None else "—"
        elif value is None:
            shown = "—"
        elif path.startswith(("resolution", "first_response")):
            shown = f"{value:g} "
        else:
            shown = str(value)
        line = next(line for line in text.splitlines() if line.strip().startswith(f"- {label_zh}："))
        assert shown in line, (path, line)
    # the change is against September, from the same json
    tickets_line = next(line for line in text.splitlines() if "新建工单" in line)
    assert f"较上期 {october['tickets'] - september['tickets']:+d}" in tickets_line
    # P0: TS...0003 answered after 40 minutes: 25 minutes late; P1 TS...0004 never answered
    assert "TS202310030001" in text and "晚 25 分钟" in text and "无响应记录" in text
    assert october["sla"]["P0"]["compliance"] == 0.5 and "50.0% (1/2)" in text


def test_the_digest_masks_customers_and_links_the_site(tmp_path: Path) -> None:
    root = str(_archive(tmp_path))
    md = run_cli(["report", "--root", root, "--key", "2023-10"]).stdout
    assert "王小明" not in md and "13912345678" not in md and "〔已隐藏〕" in md
    assert "[TS202310030001](https://kb.example.com/tickets/TS202310030001/)" in md
    assert "[KB0001](https://kb.example.com/kb/KB0001/)" in md
    assert "|" not in md and "<" not in md                      # no tables, no HTML for the chats
    html = run_cli(["report", "--root", root, "--key", "2023-10", "--format", "html"]).stdout
    assert "王小明" not in html and '<a href="https://kb.example.com/kb/KB0001/">KB0001</a>' in html


def test_report_defaults_to_the_last_complete_period_and_rejects_bad_keys(tmp_path: Path) -> None:
    root = str(_archive(tmp_path))
    assert run_cli(["report", "--root", root]).stdout.startswith("### 月报 2023-10（2023-10-01 至 2023-10-31）")
    week = run_cli(["report", "--root", root, "--key", "2023-W40"])
    assert week.exit_code == 0 and week.stdout.startswith("### 周报 2023-W40")
    bad = run_cli(["report", "--root", root, "--key", "October"])
    assert bad.exit_code == 2 and "expected a month like 2023-10" in bad.stderr
    missing = run_cli(["report", "--root", root, "--key", "2021-01"])
    assert missing.exit_code == 1 and "no month 2021-01 in the archive" in missing.stderr


def test_report_pages_carry_the_digest_and_the_new_tables(tmp_path: Path) -> None:
    root = _archive(tmp_path)
    from tsgen.config import load_config
    from tsgen.site.build import generate

    config = load_config(root)
    generate(root, config)
    page = (root / ".tsgen" / "docs" / "stats" / "month" / "2023-10.md").read_text(encoding="utf-8")
    assert "tsgen-digest-2023-10" in page and "tsgen-copy" in page
    assert 'data-metric=\\"kcs.known\\"' in page and 'data-metric=\\"backlog_ageing.gt_7d\\"' in page
    assert "2023-10-01 至 2023-10-31" in page and "不含结束日" not in page
    assert "王小明" not in page and "13912345678" not in page
