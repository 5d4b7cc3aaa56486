"""Metrics (data contract section 5) on small archives whose answers are worked out by hand below,
and the `tsgen stats` command in its three formats."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, time
from pathlib import Path
from typing import Any

import pytest
from conftest import assert_clean, kb_text, run_cli, ticket_path, ticket_text, write

from tsgen.archive.clock import parse_datetime
from tsgen.config import BusinessHours, Config
from tsgen.archive.link import link, load_archive
from tsgen.stats.metrics import compute_periods, compute_total, median, p90, ratio
from tsgen.archive.model import Archive, Article, LogEntry, Ticket
from tsgen.stats.formats import format_csv, format_table

SHANGHAI = Config()


def at(text: str, config: Config = SHANGHAI):
    """A datetime as a ticket would hold it; text without offset is read in the config's timezone."""
    return parse_datetime(text, config.tz)


def tk(tid: str, created: str, priority: str = "P2", type: str = "fault", status: str = "pending",
       config: Config = SHANGHAI, **fields: Any) -> Ticket:
    """A validated-looking Ticket; datetime fields may be given as text."""
    for key in ("responded", "located", "resolved", "escalated"):
        if isinstance(fields.get(key), str):
            fields[key] = at(fields[key], config)
    return Ticket(id=tid, path=ticket_path(tid), title=f"ticket {tid}", type=type, priority=priority,
                  created=at(created, config), status=status, **fields)


def archive_of(tickets: list[Ticket], articles: list[Article] = (), config: Config = SHANGHAI) -> Archive:
    """An Archive linked by link.py exactly as load_archive would link it."""
    archive = Archive(root=Path("."), config=config, tickets={t.id: t for t in tickets},
                      articles={a.id: a for a in articles})
    link(archive, known_tickets=set(archive.tickets), known_kb=set(archive.articles))
    return archive


T1, T2, T3, T4 = "TS202310020001", "TS202310030001", "TS202310050001", "TS202310090001"
T5, T6, T7 = "TS202310200001", "TS202310250001", "TS202312040001"


def sample() -> Archive:
    """Six tickets in October 2023, none in November, one in December (Asia/Shanghai, P0 15 / P1 30 min).

    id  created       prio type  channel first response     resolved          kb            other
    T1  10-02 09:00   P0  fault  phone   responded +10 min  +2 h  (resolved)  KB0001        tag 数据库, satisfied
    T2  10-03 10:00   P1  fault  im      log +45 min        +4 h  (resolved)  KB0001        located +20 min; tags 数据库 权限; dissatisfied
    T3  10-05 08:00   P1  consult -      none               pending           -             tag 数据库; never located, not escalated
    T4  10-09 09:00   P2  fault  email   responded +30 min  +24 h (resolved)  -             tag 界面; escalated_to; neutral
    T5  10-20 09:00   P1  requir web     responded +20 min  awaiting-customer (has a resolved time: must not count)
                                                                                         located +90 min but escalated_to; tag 需求
    T6  10-25 09:00   P3  fault  phone   responded +5 min   +1 h  (resolved)  KB0002 via the article's tickets; duplicate_of T4; satisfied
    T7  12-04 10:00   P0  other  ticket-system none         +2.5 h (resolved) KB0002        -
    """
    tickets = [
        tk(T1, "2023-10-02 09:00", "P0", channel="phone", responded="2023-10-02 09:10", status="resolved",
           resolved="2023-10-02 11:00", kb=["KB0001"], tags=["数据库"], satisfaction="satisfied"),
        tk(T2, "2023-10-03 10:00", "P1", channel="im", log=[LogEntry(at("2023-10-03 10:45"), "张*", "回电")],
           located="2023-10-03 10:20", status="resolved", resolved="2023-10-03 14:00", kb=["KB0001"],
           tags=["数据库", "权限"], satisfaction="dissatisfied"),
        tk(T3, "2023-10-05 08:00", "P1", type="consultation", tags=["数据库"]),
        tk(T4, "2023-10-09 09:00", "P2", channel="email", responded="2023-10-09 09:30", status="resolved",
           resolved="2023-10-10 09:00", escalated_to="高级工程师*", tags=["界面"], satisfaction="neutral"),
        tk(T5, "2023-10-20 09:00", "P1", type="requirement", channel="web", responded="2023-10-20 09:20",
           located="2023-10-20 10:30", escalated_to="研发*", status="awaiting-customer",
           resolved="2023-10-21 09:00", tags=["需求"]),
        tk(T6, "2023-10-25 09:00", "P3", channel="phone", responded="2023-10-25 09:05", status="resolved",
           resolved="2023-10-25 10:00", duplicate_of=T4, satisfaction="satisfied"),
        tk(T7, "2023-12-04 10:00", "P0", type="other", channel="ticket-system", status="resolved",
           resolved="2023-12-04 12:30", kb=["KB0002"]),
    ]
    articles = [Article(id="KB0001", path="kb/KB0001.md", title="数据库连接超时"),
                Article(id="KB0002", path="kb/KB0002.md", title="界面错位", tickets=[T6])]
    return archive_of(tickets, articles)


# --- the helpers: median, p90, ratio ---

def test_median_of_an_even_count_is_the_mean_of_the_two_middle_values() -> None:
    assert median([1.0, 2.0, 4.0, 24.0]) == 3.0
    assert median([5.0, 10.0, 20.0]) == 10.0
    assert median([]) is None


def test_p90_is_the_nearest_rank() -> None:
    assert p90(list(range(1, 11))) == 9          # ceil(0.9 * 10) = 9th smallest
    assert p90(list(range(1, 12))) == 10         # ceil(9.9) = 10th
    assert p90([7.0]) == 7.0
    assert p90([1.0, 2.0]) == 2.0                # ceil(1.8) = 2nd
    # 0.9 * 70 is 63.00000000000001 in floating point; the 63rd value is right, not the 64th
    assert p90(list(range(1, 71))) == 63
    assert p90([]) is None


def test_ratio_is_none_for_an_empty_denominator_and_unrounded() -> None:
    assert ratio(0, 0) is None
    assert ratio(0, 5) == 0.0
    assert ratio(1, 3) == (1 / 3)


# --- one month, worked out by hand ---

@pytest.fixture(scope="module")
def months() -> list[dict[str, Any]]:
    return compute_periods(sample(), "month")


def test_months_run_from_first_to_last_ticket_with_empty_ones_between(months: list[dict[str, Any]]) -> None:
    assert [m["period"] for m in months] == ["2023-10", "2023-11", "2023-12"]
    assert months[0]["start"] == "2023-10-01T00:00:00+08:00"
    assert months[0]["end_exclusive"] == "2023-11-01T00:00:00+08:00"


def test_counts(months: list[dict[str, Any]]) -> None:
    october = months[0]
    assert october["tickets"] == 6
    assert october["by_type"] == {"fault": 4, "consultation": 1, "requirement": 1, "other": 0}
    assert october["by_priority"] == {"P0": 1, "P1": 3, "P2": 1, "P3": 1, "P4": 0}
    # every channel appears (stable tables); "none" only because T3 has no channel
    assert october["by_channel"] == {"ticket-system": 0, "im": 1, "phone": 2, "email": 1, "web": 1, "other": 0,
                                     "none": 1}
    assert "none" not in months[2]["by_channel"]


def test_resolution_hours_count_only_status_resolved(months: list[dict[str, Any]]) -> None:
    october = months[0]
    # T1 2 h, T2 4 h, T4 24 h, T6 1 h; T5 has a resolved time but awaits the customer: not resolved
    assert october["resolved"] == 4
    res = october["resolution_hours"]
    assert (res["median"], res["p90"], res["count"]) == (3.0, 24.0, 4)   # (2+4)/2; ceil(3.6) = 4th of [1,2,4,24]
    assert res["by_priority"]["P0"] == {"median": 2.0, "p90": 2.0, "count": 1}
    assert res["by_priority"]["P1"] == {"median": 4.0, "p90": 4.0, "count": 1}
    assert res["by_priority"]["P2"] == {"median": 24.0, "p90": 24.0, "count": 1}
    assert res["by_priority"]["P4"] == {"median": None, "p90": None, "count": 0}


def test_first_response_uses_responded_else_the_earliest_log_step(months: list[dict[str, Any]]) -> None:
    # T1 10, T2 45 (log), T4 30, T5 20, T6 5; T3 has none -> [5, 10, 20, 30, 45]
    assert months[0]["first_response_minutes"] == {"median": 20.0, "p90": 45.0, "count": 5}


def test_sla_per_priority_and_overall(months: list[dict[str, Any]]) -> None:
    sla = months[0]["sla"]
    assert set(sla) == {"P0", "P1", "overall"}            # P2-P4 have no target
    assert sla["P0"] == {"target_minutes": 15, "measured": 1, "met": 1, "compliance": 1.0, "breached": [],
                         "not_responded": [], "waiting": 0}
    # T2 answered after 45 > 30 minutes; T3 never answered: breached, measured but not met; T5 20 min: met
    assert sla["P1"] == {"target_minutes": 30, "measured": 3, "met": 1, "compliance": 1 / 3, "breached": [T2, T3],
                         "not_responded": [T3], "waiting": 0}
    assert sla["overall"] == {"measured": 4, "met": 2, "compliance": 0.5}


def test_a_period_without_p0_has_no_p0_compliance(months: list[dict[str, Any]]) -> None:
    december = months[2]
    # T7 (P0) has no response at all: breached
    assert december["sla"]["P0"] == {"target_minutes": 15, "measured": 1, "met": 0, "compliance": 0.0,
                                     "breached": [T7], "not_responded": [T7], "waiting": 0}
    assert december["sla"]["P1"]["compliance"] is None
    weeks = {w["period"]: w for w in compute_periods(sample(), "week")}
    w41 = weeks["2023-W41"]                                  # only T4 (P2)
    assert w41["tickets"] == 1
    assert w41["sla"]["P0"] == {"target_minutes": 15, "measured": 0, "met": 0, "compliance": None, "breached": [],
                                "not_responded": [], "waiting": 0}
    assert w41["sla"]["overall"] == {"measured": 0, "met": 0, "compliance": None}


def test_escalation(months: list[dict[str, Any]]) -> None:
    # escalated_to: T4, T5 -> 2 of 6. Rule (P1, 30 min): T2 located after 20 min: fine; T3 never located and
    # not escalated: broken; T5 located after 90 min but escalated: fine.
    assert months[0]["escalation"] == {"escalated": 2, "rate": (1 / 3), "rule_violations": 1, "violations": [T3]}


def test_repeats_by_duplicate_or_earlier_kb_link_in_any_period(months: list[dict[str, Any]]) -> None:
    # October: T2 links KB0001 that T1 linked earlier; T6 is a duplicate_of T4 -> 2 of 6
    assert (months[0]["repeats"], months[0]["repeat_rate"]) == (2, (1 / 3))
    # December: T7 links KB0002, which T6 linked in October through the article's `tickets` list
    assert (months[2]["repeats"], months[2]["repeat_rate"]) == (1, 1.0)


def test_top_problems_are_a_pareto_list(months: list[dict[str, Any]]) -> None:
    assert months[0]["top_problems"] == [
        {"kb": "KB0001", "title": "数据库连接超时", "tickets": 2, "share": (1 / 3), "cumulative": (1 / 3)},
        {"kb": "KB0002", "title": "界面错位", "tickets": 1, "share": (1 / 6), "cumulative": 0.5},
    ]


def test_top_problems_ties_go_by_id_and_cumulative_counts_each_ticket_once() -> None:
    # A links KB0002 and KB0001, B links KB0002 and KB0001: a tie of 2 each, KB0001 first;
    # the cumulative share after both is 2 of 2 tickets, not (2+2)/2
    archive = archive_of([tk("TS202310020001", "2023-10-02 09:00", kb=["KB0002", "KB0001"]),
                          tk("TS202310020002", "2023-10-02 10:00", kb=["KB0001", "KB0002"])],
                         [Article(id="KB0001", path="kb/a.md", title="a"), Article(id="KB0002", path="kb/b.md", title="b")])
    top = compute_periods(archive)[0]["top_problems"]
    assert [(p["kb"], p["tickets"], p["share"], p["cumulative"]) for p in top] == [
        ("KB0001", 2, 1.0, 1.0), ("KB0002", 2, 1.0, 1.0)]
    assert compute_periods(archive, top=1)[0]["top_problems"][0]["kb"] == "KB0001"


def test_top_tags_by_priority(months: list[dict[str, Any]]) -> None:
    tags = months[0]["top_tags_by_priority"]
    assert tags["P0"] == {"tag": "数据库", "tickets": 1, "share": 1.0}
    # P1: T2 数据库 权限, T3 数据库, T5 需求 -> 数据库 in 2 of 3
    assert tags["P1"] == {"tag": "数据库", "tickets": 2, "share": (2 / 3)}
    assert tags["P2"] == {"tag": "界面", "tickets": 1, "share": 1.0}
    assert tags["P3"] is None and tags["P4"] is None       # T6 has no tags; no P4 tickets


def test_csat(months: list[dict[str, Any]]) -> None:
    assert months[0]["csat"] == {"rated": 4, "satisfied": 2, "neutral": 1, "dissatisfied": 1, "score": 0.5,
                                 "dissatisfied_tickets": [T2]}
    assert months[2]["csat"]["score"] is None               # nobody rated T7


def test_knowledge_debt_and_kb_link_rate(months: list[dict[str, Any]]) -> None:
    october = months[0]
    # resolved faults: T1 (KB0001), T2 (KB0001), T4 (none: debt), T6 (KB0002 from the article's side)
    assert (october["knowledge_debt"], october["knowledge_debt_tickets"]) == (1, [T4])
    assert october["kb_link_rate"] == 0.75                  # T1, T2, T6 of 4 resolved
    assert months[2]["knowledge_debt"] == 0                 # T7 is not a fault
    assert months[2]["kb_link_rate"] == 1.0


def test_backlog_at_the_end_of_each_period(months: list[dict[str, Any]]) -> None:
    # end of October: 6 created, T1 T2 T4 T6 resolved -> T3 and T5 (awaiting the customer) open
    assert [m["backlog_end"] for m in months] == [2, 2, 2]
    weeks = {w["period"]: w["backlog_end"] for w in compute_periods(sample(), "week")}
    assert weeks["2023-W40"] == 1                           # T1..T3 created, T1 T2 resolved by Oct 9
    assert weeks["2023-W42"] == 2                           # + T5
    assert weeks["2023-W45"] == 2                           # an empty week still has a backlog


def test_an_empty_period_has_zero_counts_and_null_ratios(months: list[dict[str, Any]]) -> None:
    november = months[1]
    assert november["tickets"] == 0 and november["resolved"] == 0
    for value in (november["repeat_rate"], november["kb_link_rate"], november["escalation"]["rate"],
                  november["csat"]["score"], november["sla"]["overall"]["compliance"],
                  november["resolution_hours"]["median"], november["first_response_minutes"]["p90"]):
        assert value is None
    assert november["top_problems"] == []
    assert set(november["top_tags_by_priority"].values()) == {None}


def test_weeks_include_the_empty_ones() -> None:
    weeks = compute_periods(sample(), "week")
    # Oct 2 2023 is the Monday of W40; Dec 4 the Monday of W49
    assert [w["period"] for w in weeks] == [f"2023-W{n}" for n in range(40, 50)]
    assert [w["tickets"] for w in weeks] == [3, 1, 1, 1, 0, 0, 0, 0, 0, 1]


def test_since_and_until_select_whole_periods() -> None:
    archive = sample()
    picked = compute_periods(archive, "month", since=date(2023, 10, 15), until=date(2023, 11, 30))
    assert [m["period"] for m in picked] == ["2023-10", "2023-11"]
    assert picked[0]["tickets"] == 6                        # October is reported whole
    # a range wider than the archive stops at the first and last ticket's periods
    assert [m["period"] for m in compute_periods(archive, since=date(2020, 1, 1), until=date(2030, 1, 1))] == [
        "2023-10", "2023-11", "2023-12"]
    assert compute_periods(archive, until=date(2023, 9, 30)) == []
    assert compute_periods(archive, since=date(2024, 1, 1)) == []


def test_total_covers_the_whole_archive() -> None:
    total = compute_total(sample())
    assert total["period"] == "all"
    assert total["start"] == "2023-10-02T09:00:00+08:00" and total["end"] == "2023-12-04T10:00:00+08:00"
    assert (total["tickets"], total["resolved"], total["repeats"], total["backlog_end"]) == (7, 5, 3, 2)
    assert total["sla"]["overall"] == {"measured": 5, "met": 2, "compliance": 0.4}
    assert total["top_problems"][0] == {"kb": "KB0001", "title": "数据库连接超时", "tickets": 2,
                                        "share": (2 / 7), "cumulative": (2 / 7)}
    empty = compute_total(archive_of([]))
    assert empty["tickets"] == 0 and empty["start"] is None and empty["repeat_rate"] is None


def test_rounding_hours_and_minutes_to_two_places() -> None:
    # resolved after 20 minutes = (1 / 3) h -> 0.33; responded after 10.5 minutes
    archive = archive_of([tk("TS202310020001", "2023-10-02 09:00:00", status="resolved",
                             resolved="2023-10-02 09:20", responded="2023-10-02 09:10:30")])
    month = compute_periods(archive)[0]
    assert month["resolution_hours"]["median"] == 0.33
    assert month["first_response_minutes"]["median"] == 10.5


def test_an_unknown_period_is_refused() -> None:
    with pytest.raises(ValueError, match="week, month"):
        compute_periods(sample(), "year")


# --- time zones, ISO weeks, business hours ---

def _periods_of(archive: Archive, period: str) -> dict[str, int]:
    return {p["period"]: p["tickets"] for p in compute_periods(archive, period) if p["tickets"]}


def test_a_period_is_the_local_one_of_the_configured_timezone(archive_root: Path) -> None:
    # 23:30 +08:00 on Oct 31 is October in Shanghai; 16:30 +00:00 on Oct 31 is 00:30 on Nov 1 in Shanghai
    write(archive_root, ticket_path("TS202310310001"),
          ticket_text(id="TS202310310001", created="2023-10-31T23:30+08:00"))
    write(archive_root, ticket_path("TS202311010001"),
          ticket_text(id="TS202311010001", created="2023-10-31T16:30+00:00"))
    archive = load_archive(archive_root, Config())
    assert archive.errors == []
    assert _periods_of(archive, "month") == {"2023-10": 1, "2023-11": 1}
    # the same instants in UTC are both October
    utc = Config(timezone="UTC")
    assert _periods_of(archive_of(list(archive.tickets.values()), config=utc), "month") == {"2023-10": 2}


def test_iso_weeks_at_the_year_turn() -> None:
    archive = archive_of([tk("TS202412300001", "2024-12-30 10:00"), tk("TS202101030001", "2021-01-03 10:00")])
    counts = _periods_of(archive, "week")
    assert counts == {"2025-W01": 1, "2020-W53": 1}         # Dec 30 2024 is in 2025's week 1; Jan 3 2021 in 2020-W53
    around = compute_periods(archive_of([tk("TS202012280001", "2020-12-28 10:00"),
                                         tk("TS202101040001", "2021-01-04 10:00")]), "week")
    assert [w["period"] for w in around] == ["2020-W53", "2021-W01"]
    assert around[0]["start"] == "2020-12-28T00:00:00+08:00" and around[0]["end_exclusive"] == "2021-01-04T00:00:00+08:00"


def test_business_hours_change_sla_escalation_and_resolution() -> None:
    office = Config(business_hours=BusinessHours(time(9), time(18)))
    # Friday 2023-10-27 17:50, answered and located Monday 09:15, resolved Monday 10:50:
    # office time 10 + 15 = 25 minutes to respond and locate, 10 + 110 = 120 minutes to resolve
    def ticket(config: Config) -> Ticket:
        return tk("TS202310270001", "2023-10-27 17:50", "P1", config=config, responded="2023-10-30 09:15",
                  located="2023-10-30 09:15", status="resolved", resolved="2023-10-30 10:50")

    wall = compute_periods(archive_of([ticket(SHANGHAI)]))[0]
    assert wall["sla"]["P1"]["met"] == 0                    # 2 days 15 h 25 min by the wall clock
    assert wall["escalation"]["rule_violations"] == 1
    assert wall["first_response_minutes"]["median"] == 2 * 24 * 60 + 15 * 60 + 25
    hours = compute_periods(archive_of([ticket(office)], config=office))[0]
    assert hours["sla"]["P1"] == {"target_minutes": 30, "measured": 1, "met": 1, "compliance": 1.0, "breached": [],
                                  "not_responded": [], "waiting": 0}
    assert hours["escalation"]["rule_violations"] == 0
    assert hours["first_response_minutes"]["median"] == 25.0
    assert hours["resolution_hours"]["median"] == 2.0


# --- formatting ---

def test_csv_columns_flatten_the_scalar_metrics(months: list[dict[str, Any]]) -> None:
    rows = list(csv.DictReader(io.StringIO(format_csv(months))))
    assert [r["period"] for r in rows] == ["2023-10", "2023-11", "2023-12"]
    october, november = rows[0], rows[1]
    assert october["tickets"] == "6" and october["tickets_P1"] == "3"
    assert october["resolution_hours_median"] == "3.0" and october["sla_P1_compliance"] == str(1 / 3)
    assert october["sla_overall_compliance"] == "0.5" and october["backlog_end"] == "2"
    assert november["repeat_rate"] == "" and november["sla_P0_compliance"] == ""   # null is an empty cell


def test_table_shows_the_latest_period_first_with_changes(months: list[dict[str, Any]]) -> None:
    table = format_table(months, timezone="Asia/Shanghai")
    assert table.index("2023-12") < table.index("2023-11") < table.index("2023-10  (")
    december = table[table.index("2023-12"):table.index("2023-11  (")]
    assert "tickets                 1 (+1)" in december     # November had 0
    assert "P0 within 15 min      0.0% (0/1)" in december
    assert "KB0002 界面错位" in december
    october = table[table.index("2023-10  ("):]
    assert "(+" not in october.split("\n")[1]               # the first period has nothing to compare with
    assert "breached: TS202310030001, TS202310050001" in october
    assert format_table([]) == "no tickets in the selected range"


def test_table_since_keeps_the_change_of_its_first_period(months: list[dict[str, Any]]) -> None:
    # hiding October and November still compares December with November (0 tickets -> +1)
    table = format_table(months, hide_before=at("2023-12-01 00:00"))
    assert table.startswith("1 period\n") and "2023-11" not in table
    assert "tickets                 1 (+1)" in table
    # a cut inside November shows November whole, compared with October (6 -> 0)
    table = format_table(months, hide_before=at("2023-11-15 00:00"))
    assert "2023-10  (" not in table and "tickets                 0 (-6)" in table
    assert format_table(months, hide_before=at("2024-01-01 00:00")) == "no tickets in the selected range"


# --- the command ---

def _cli_archive(root: Path) -> Path:
    """Three tickets: two in October 2023 (one P0 answered in 10 min, linking KB0001), one in December."""
    write(root, "kb/KB0001-timeout.md", kb_text(title="数据库连接超时"))
    write(root, ticket_path("TS202310020001"), ticket_text(
        id="TS202310020001", created="2023-10-02 09:00", priority="P0", status="resolved",
        responded="2023-10-02 09:10", resolved="2023-10-02 11:00", solution="重启连接池", kb="KB0001"))
    write(root, ticket_path("TS202310030001"), ticket_text(id="TS202310030001", created="2023-10-03 10:00"))
    write(root, ticket_path("TS202312040001"), ticket_text(id="TS202312040001", created="2023-12-04 10:00"))
    return root


def test_stats_json(archive_root: Path) -> None:
    result = run_cli(["stats", "--root", _cli_archive(archive_root), "--format", "json"])
    assert_clean(result)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["generated_for"] == {"period": "month", "since": None, "until": None, "timezone": "Asia/Shanghai",
                                     "all": False, "left_out": 0}
    assert [p["period"] for p in data["periods"]] == ["2023-10", "2023-11", "2023-12"]
    october = data["periods"][0]
    assert october["tickets"] == 2 and october["sla"]["P0"]["compliance"] == 1.0
    assert october["top_problems"][0]["title"] == "数据库连接超时"
    assert "数据库连接超时" in result.stdout                  # ensure_ascii off


def test_stats_csv_by_week_within_dates(archive_root: Path) -> None:
    result = run_cli(["stats", "--root", _cli_archive(archive_root), "--format", "csv", "--period", "week",
                      "--since", "2023-10-04", "--until", "2023-10-20"])
    assert_clean(result)
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    # the empty weeks after the last one with tickets are left out, and stderr says so
    assert [(r["period"], r["tickets"]) for r in rows] == [("2023-W40", "2")]
    assert "2 weeks" in result.stderr and "--all" in result.stderr


def test_stats_table(archive_root: Path) -> None:
    result = run_cli(["stats", "--root", _cli_archive(archive_root)])
    assert_clean(result)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("3 个周期，时区 Asia/Shanghai")   # the site language (zh)
    assert "工单数                  1 (+1)" in result.stdout
    assert "2023-10  (2023-10-01 至 2023-10-31)" in result.stdout   # inclusive dates for people
    assert result.stderr == ""


def test_stats_table_since(archive_root: Path) -> None:
    result = run_cli(["stats", "--root", _cli_archive(archive_root), "--since", "2023-11-03"])
    assert_clean(result)
    assert result.exit_code == 0, result.output
    # November (empty, before the first period with tickets in the range) is left out; December
    # is still compared with the hidden November
    assert result.stdout.startswith("1 个周期，时区 Asia/Shanghai")
    assert "2023-10  (" not in result.stdout and "2023-11  (" not in result.stdout
    assert "工单数                  1 (+1)" in result.stdout


@pytest.mark.parametrize("args, message", [
    (["--since", "2023-13-01"], "Invalid value for '--since': '2023-13-01' is not a real date"),
    (["--until", "last week"], "Invalid value for '--until': expected a date like 2024-03-31, got 'last week'"),
    (["--since", "2023-10-05", "--until", "2023-10-01"], "--since 2023-10-05 is after --until 2023-10-01"),
])
def test_stats_bad_dates_are_usage_errors(archive_root: Path, args: list[str], message: str) -> None:
    result = run_cli(["stats", "--root", _cli_archive(archive_root), *args])
    assert_clean(result)
    assert result.exit_code == 2
    assert message in result.stderr


def test_stats_with_errors_still_counts_the_valid_documents(archive_root: Path) -> None:
    _cli_archive(archive_root)
    write(archive_root, ticket_path("TS202310040001"), ticket_text(id="TS202310040001", created="2023-10-04 10:00",
                                                                      priority="P9"))
    result = run_cli(["stats", "--root", archive_root, "--format", "json"])
    assert_clean(result)
    assert result.exit_code == 0
    assert result.stderr.startswith("1 error in the archive; run tsgen validate")
    assert json.loads(result.stdout)["periods"][0]["tickets"] == 2
