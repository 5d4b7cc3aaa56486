"""The first response and the SLA state (data-contract section 3, archive/sla.py), worked out by hand,
and the same answer in validate, `tsgen stats`, the ticket page and the reports."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

from conftest import assert_clean, run_cli, ticket_path
from tsgen.archive.clock import parse_datetime
from tsgen.archive.link import link, load_archive
from tsgen.archive.model import Archive, LogEntry, Ticket
from tsgen.archive.sla import sla_of
from tsgen.config import Config
from tsgen.site.render import SiteRenderer
from tsgen.stats.metrics import compute_periods, compute_total
from tsgen.templating import environment

CONFIG = Config()  # P0 15 minutes, P1 30 minutes
TID = "TS202310270001"


def at(text: str) -> datetime:
    return parse_datetime(text, CONFIG.tz)


def p0(**fields) -> Ticket:
    """A pending P0 created 2023-10-27 10:00 whose intake step is at the creation time (as `tsgen new` writes)."""
    fields.setdefault("log", [LogEntry(at("2023-10-27 10:00"), "王工", "接收问题，创建工单")])
    fields.setdefault("status", "pending")
    return Ticket(id=TID, path=ticket_path(TID), title="支付失败", type="fault", priority="P0",
                  created=at("2023-10-27 10:00"), **fields)


def archive_of(*tickets: Ticket) -> Archive:
    archive = Archive(root=Path("."), config=CONFIG, tickets={t.id: t for t in tickets})
    link(archive, known_tickets=set(archive.tickets), known_kb=set())
    return archive


# --- the rule -----------------------------------------------------------------------------------------------------

def test_a_step_at_the_creation_time_is_the_intake_not_a_response() -> None:
    ticket = p0()
    assert ticket.first_response is None
    # 10 minutes in: inside the 15-minute target, not yet responded (not breached)
    inside = sla_of(ticket, CONFIG, at("2023-10-27 10:10"))
    assert (inside.state, inside.responded, inside.minutes, inside.decided) == ("waiting", False, None, False)
    # exactly 15 minutes: the target has not passed yet
    assert sla_of(ticket, CONFIG, at("2023-10-27 10:15")).state == "waiting"
    # 16 minutes: breached, still without a response
    late = sla_of(ticket, CONFIG, at("2023-10-27 10:16"))
    assert (late.state, late.responded, late.decided) == ("breached", False, True)


def test_the_earliest_step_after_created_is_the_first_response() -> None:
    log = [LogEntry(at("2023-10-27 10:00"), "王工", "接收"), LogEntry(at("2023-10-27 10:40"), "王工", "远程"),
           LogEntry(at("2023-10-27 10:12"), "王工", "回电")]
    s = sla_of(p0(log=log), CONFIG, at("2024-01-01 00:00"))
    assert (s.first_response, s.minutes, s.state) == (at("2023-10-27 10:12"), 12.0, "met")
    late = [LogEntry(at("2023-10-27 10:00"), "王工", "接收"), LogEntry(at("2023-10-27 10:20"), "王工", "回电")]
    assert sla_of(p0(log=late), CONFIG, at("2024-01-01 00:00")).state == "breached"   # 20 > 15


def test_responded_wins_over_the_log() -> None:
    s = sla_of(p0(responded=at("2023-10-27 10:15")), CONFIG, at("2024-01-01 00:00"))
    assert (s.minutes, s.state) == (15.0, "met")                               # 15 <= 15


def test_a_resolved_ticket_without_a_response_has_breached() -> None:
    t = p0(status="resolved", resolved=at("2023-10-27 10:05"))
    assert sla_of(t, CONFIG, at("2023-10-27 10:20")).state == "breached"


def test_no_target_is_none_even_without_a_response() -> None:
    t = Ticket(id=TID, path=ticket_path(TID), title="x", type="fault", priority="P2",
               created=at("2023-10-27 10:00"), status="pending")
    assert sla_of(t, CONFIG, at("2030-01-01 00:00")).state == "none"


# --- the statistics -------------------------------------------------------------------------------------------------

def test_stats_count_a_waiting_ticket_as_not_responded_and_not_yet_measured() -> None:
    archive = archive_of(p0())
    inside = compute_periods(archive, "month", now=at("2023-10-27 10:05"))[0]["sla"]
    assert inside["P0"] == {"target_minutes": 15, "measured": 0, "met": 0, "compliance": None, "breached": [],
                            "not_responded": [TID], "waiting": 1}
    after = compute_periods(archive, "month", now=at("2023-10-27 11:00"))[0]
    assert after["sla"]["P0"] == {"target_minutes": 15, "measured": 1, "met": 0, "compliance": 0.0,
                                  "breached": [TID], "not_responded": [TID], "waiting": 0}
    assert after["sla"]["overall"] == {"measured": 1, "met": 0, "compliance": 0.0}
    assert after["first_response_minutes"] == {"median": None, "p90": None, "count": 0}
    assert compute_total(archive, now=at("2023-10-27 11:00"))["sla"]["P0"]["breached"] == [TID]


# --- the commands: tsgen new ticket, then tsgen stats / validate ----------------------------------------------------

def _new_p0(root: Path, created: datetime) -> str:
    result = run_cli(["new", "ticket", "--root", str(root), "--title", "支付接口全部失败", "--priority", "P0",
                      "--created", created.strftime("%Y-%m-%d %H:%M")])
    assert_clean(result)
    assert result.exit_code == 0, result.output
    return Path(result.stdout.strip()).stem


def test_an_unanswered_p0_from_tsgen_new_counts_as_not_responded(archive_root: Path) -> None:
    now = datetime.now(CONFIG.tz)
    old = _new_p0(archive_root, now - timedelta(hours=1))        # its 15 minutes are over
    fresh = _new_p0(archive_root, now)                           # still inside them
    result = run_cli(["stats", "--root", str(archive_root), "--format", "json"])
    assert_clean(result)
    periods = json.loads(result.stdout)["periods"]
    p0s = [p["sla"]["P0"] for p in periods]
    assert sum(s["met"] for s in p0s) == 0                                  # was 2 ("met in 0 minutes")
    assert [t for s in p0s for t in s["breached"]] == [old]
    assert sorted(t for s in p0s for t in s["not_responded"]) == sorted([old, fresh])
    assert sum(s["waiting"] for s in p0s) == 1 and sum(s["measured"] for s in p0s) == 1
    assert all(p["first_response_minutes"]["count"] == 0 for p in periods)
    # validate warns about the breached one only, at its priority line
    check = run_cli(["validate", "--root", str(archive_root)])
    assert check.exit_code == 0
    warned = [line for line in check.stdout.splitlines() if "responded:" in line]
    assert len(warned) == 1 and old in warned[0] and ":5: warning: responded: no first response recorded" in warned[0]


# --- the pages: the ticket's badge and the report --------------------------------------------------------------------

def _pages(archive: Archive, now: datetime) -> dict[str, str]:
    out = SiteRenderer(archive, environment(Path(".")), now=now).render()
    return {p.path: p.text for p in out.pages}


def test_the_ticket_page_and_the_report_show_an_unanswered_p0() -> None:
    archive = archive_of(p0())
    waiting = _pages(archive, at("2023-10-27 10:05"))[f"tickets/{TID}.md"]
    assert "tsgen-sla-waiting" in waiting and "尚未响应（未超时）" in waiting and "按时响应" not in waiting
    pages = _pages(archive, at("2023-10-27 12:00"))
    page = pages[f"tickets/{TID}.md"]
    assert "tsgen-sla-breached" in page and "未响应，已超时" in page and "按时响应" not in page
    assert "首次响应</td><td>未响应" in page.replace("\\", "")
    report = pages["stats/month/2023-10.md"].replace('\\"', '"')
    assert 'data-metric="sla.P0.compliance" data-value="0.0"' in report
    assert report.count(f">{TID}</a>") >= 2                        # breached and not responded
