"""The queue (tsgen/stats/queue.py): open tickets, most urgent and oldest first, with what is due;
`tsgen queue` and the site's home page show it."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

from conftest import assert_clean, run_cli, ticket_path, ticket_text, write
from tsgen.archive.link import load_archive
from tsgen.config import Config
from tsgen.site.render import SiteRenderer
from tsgen.stats.queue import build_queue, format_queue_text
from tsgen.templating import environment

CONFIG = Config()
TZ = CONFIG.tz
REPO = Path(__file__).resolve().parents[1]


def add(root: Path, tid: str, created: str, **fields: str) -> None:
    write(root, ticket_path(tid), ticket_text(id=tid, created=created, **fields))


def queue_archive(root: Path) -> None:
    add(root, "TS202310270001", "2023-10-27 10:00", priority="P2", assignee="王工")
    add(root, "TS202310270002", "2023-10-27 10:30", priority="P1")                      # not responded, not located
    add(root, "TS202310270003", "2023-10-27 09:00", priority="P1", responded="2023-10-27 09:10",
        escalated_to="高级工程师王*", kb="KB0001")
    add(root, "TS202310270004", "2023-10-27 10:50", priority="P0")                      # inside its 15 minutes
    add(root, "TS202310270005", "2023-10-27 08:00", priority="P0", status="resolved", resolved="2023-10-27 09:00",
        solution="x", type="consultation")
    add(root, "TS202310270006", "2023-10-27 08:30", priority="P3", status="awaiting-customer", assignee="李工")
    write(root, "kb/KB0001-a.md", "---\nid: KB0001\ntitle: a\n---\n## 问题描述\n\na\n\n## 原因分析\n\nb\n\n## 解决步骤\n\n1. c\n")


def test_queue_order_and_states(archive_root: Path) -> None:
    queue_archive(archive_root)
    archive = load_archive(archive_root, CONFIG)
    now = datetime(2023, 10, 27, 11, 0, tzinfo=TZ)
    entries = build_queue(archive, now)
    assert [e.id[-1] for e in entries] == ["4", "3", "2", "1", "6"]  # P0, then P1 oldest first, P2, P3; resolved left out
    p0, p1_escalated, p1, p2, p3 = entries
    assert (p0.response, round(p0.response_minutes), p0.age_minutes) == ("due", 5, 10)
    assert (p1.response, round(p1.response_minutes)) == ("due", 0)  # 30 minutes exactly: due, not yet over
    assert (p1.escalation, p1.escalation_minutes) == ("due", 0)
    later = {e.id: e for e in build_queue(archive, datetime(2023, 10, 27, 12, 15, tzinfo=TZ))}
    p1_late = later["TS202310270002"]
    assert (p1_late.response, p1_late.response_minutes, p1_late.escalation, p1_late.escalation_minutes) == (
        "overdue", 75, "overdue", 75)
    assert (p1_escalated.response, p1_escalated.escalation, p1_escalated.kb) == ("responded", "escalated", ["KB0001"])
    assert (p2.response, p2.escalation, p2.assignee) == ("none", "none", "王工")
    assert [e.id for e in build_queue(archive, now, assignee="李工")] == ["TS202310270006"]
    assert [e.id for e in build_queue(archive, now, priority="P1")] == ["TS202310270003", "TS202310270002"]
    text = format_queue_text(list(later.values()), datetime(2023, 10, 27, 12, 15, tzinfo=TZ), TZ)
    assert "OVERDUE by 1h15m" in text and "LIMIT PASSED by 1h15m, not escalated" in text
    assert text.splitlines()[-1] == "5 open tickets as of 2023-10-27 12:15"


def test_queue_command(archive_root: Path) -> None:
    queue_archive(archive_root)
    result = run_cli(["queue", "--root", str(archive_root), "--priority", "高", "--format", "json"])
    assert_clean(result)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [t["id"] for t in data["tickets"]] == ["TS202310270003", "TS202310270002"]
    assert data["tickets"][1]["response"] == "overdue" and data["tickets"][1]["escalation"] == "overdue"
    result = run_cli(["queue", "--root", str(archive_root), "--assignee", "王工"])
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["ID", "P", "STATUS", "AGE", "FIRST", "RESPONSE", "ESCALATION", "ASSIGNEE", "KB", "TITLE"]
    assert lines[1].startswith("TS202310270001  P2  pending") and "王工" in lines[1]
    assert lines[2].startswith("1 open ticket as of ")


def test_home_page_shows_the_queue_with_the_build_time(archive_root: Path) -> None:
    queue_archive(archive_root)
    archive = load_archive(archive_root, CONFIG)
    pages = {p.path: p.text for p in SiteRenderer(archive, environment(REPO), today=date(2024, 3, 1)).render().pages}
    home = pages["index.md"]
    assert "## 未解决工单" in home
    assert "按优先级、接收时间排序的未解决工单；统计时间（站点生成时间）：" + datetime.now(TZ).strftime("%Y-%m-%d") in home
    table = home.split('<table class="tsgen-queue">', 1)[1].split("</table>", 1)[0]
    assert [row.split("</a>")[0].rsplit(">", 1)[1] for row in table.split("<tr><td>")[1:]] == [
        "TS202310270004", "TS202310270003", "TS202310270002", "TS202310270001", "TS202310270006"]
    assert "<strong>已超时 " in table and "已升级" in table and "TS202310270005" not in table
