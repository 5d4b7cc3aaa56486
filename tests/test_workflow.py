"""The editing commands (tsgen log, respond, locate, escalate, resolve, archive): round-trip edits that
change only the keys they set, validate before writing, and never leave a half-written file."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from conftest import TICKET_ID, TICKET_PATH, assert_clean, kb_text, run_cli, ticket_text, write
from tsgen.archive.link import load_archive
from tsgen.config import Config
from tsgen.edit import workflow

# A hand-written ticket with the things a round trip tends to lose: comments (own line and trailing),
# odd quoting, flow lists, a nested mapping indented by 4, blank lines, and a body with YAML-like text.
HAND_WRITTEN = """---
# 工单 —— 王工手写
id: TS202310270001
title: '登录后报错“权限不足”'     # 客户原话
type: 故障
priority: P1
created: "2023-10-27 10:00"
status: pending

customer:
    name: "刘*"          # never published
    contact: '139****2046'
environment: {os: Windows 11, version: V3.2.0}
tags: [权限, 登录]   # 两个标签
log:
- at: 2023-10-27 10:00
  by: 王工
  action: 接收问题，创建工单
# 以下待补充
---
## 问题描述

status: resolved   <- not front matter; must stay as it is
"""


def edit(root: Path, *args: str):
    result = run_cli([*args, "--root", str(root)])
    assert_clean(result)
    return result


def changed_lines(before: str, after: str) -> tuple[list[str], list[str]]:
    """(removed lines, added lines) of the diff between two texts."""
    removed, added = [], []
    for line in difflib.ndiff(before.splitlines(), after.splitlines()):
        if line.startswith("- "):
            removed.append(line[2:])
        elif line.startswith("+ "):
            added.append(line[2:])
    return removed, added


@pytest.fixture
def hand(archive_root: Path) -> Path:
    write(archive_root, TICKET_PATH, HAND_WRITTEN)
    return archive_root


def test_respond_changes_only_the_keys_it_sets(hand: Path) -> None:
    before = (hand / TICKET_PATH).read_text(encoding="utf-8")
    result = edit(hand, "respond", TICKET_ID, "--at", "2023-10-27 10:05", "--by", "王工")
    assert result.exit_code == 0, result.output
    assert result.stdout == f"{TICKET_PATH}\n"
    after = (hand / TICKET_PATH).read_text(encoding="utf-8")
    removed, added = changed_lines(before, after)
    assert removed == []  # every original line is still there, in order, comments and quoting included
    assert added == ["responded: 2023-10-27 10:05", "- at: 2023-10-27 10:05", "  by: 王工", "  action: 首次响应客户"]
    assert after.index("  action: 首次响应客户") < after.index("# 以下待补充")  # the closing comment stays last
    assert after.endswith("## 问题描述\n\nstatus: resolved   <- not front matter; must stay as it is\n")
    ticket = load_archive(hand, Config()).tickets[TICKET_ID]
    assert ticket.responded.strftime("%H:%M") == "10:05" and ticket.log[-1].action == "首次响应客户"


def test_resolve_with_chinese_labels_then_archive(hand: Path) -> None:
    write(hand, "kb/KB0003-x.md", kb_text(id="KB0003"))
    edit(hand, "locate", TICKET_ID, "角色未分配订单权限", "--at", "2023-10-27 10:20", "--by", "王工")
    result = edit(hand, "resolve", TICKET_ID, "--solution", "为角色勾选订单模块: 查看", "--kb", "KB0003",
                  "--satisfaction", "满意", "--feedback", "很快就好了", "--at", "2023-10-27 11:00", "--by", "王工")
    assert result.exit_code == 0, result.output
    result = edit(hand, "archive", TICKET_ID)
    assert result.exit_code == 0, result.output
    text = (hand / TICKET_PATH).read_text(encoding="utf-8")
    assert "status: resolved\n" in text and "satisfaction: satisfied\n" in text and "archive: archived\n" in text
    assert "kb: KB0003\n" in text and "solution: '为角色勾选订单模块: 查看'\n" in text
    archive = load_archive(hand, Config())
    assert archive.errors == []
    t = archive.tickets[TICKET_ID]
    assert (t.status, t.archive, t.kb, t.satisfaction, t.feedback) == ("resolved", "archived", ["KB0003"], "satisfied", "很快就好了")
    assert [e.action for e in t.log][-2:] == ["定位原因：角色未分配订单权限", "解决：为角色勾选订单模块: 查看"]
    removed, _ = changed_lines(HAND_WRITTEN, text)
    assert removed == ["status: pending"]  # the one line the edits replaced


def test_an_edit_that_would_be_invalid_writes_nothing(hand: Path) -> None:
    before = (hand / TICKET_PATH).read_bytes()
    result = edit(hand, "log", TICKET_ID, "打电话", "--at", "2023-10-27 09:00", "--by", "王工")
    assert result.exit_code == 1
    assert f"{TICKET_PATH} was not changed: the edit would leave 1 error:" in result.stderr
    assert "log[1].at: step time must not be before created (2023-10-27 10:00), got 2023-10-27 09:00" in result.stderr
    assert "Traceback" not in result.output
    result = edit(hand, "archive", TICKET_ID)  # archiving an unresolved ticket
    assert result.exit_code == 1
    assert "archive: only a resolved ticket can be archived; status is 'pending'" in result.stderr
    result = edit(hand, "resolve", TICKET_ID, "--solution", "x", "--at", "2023-10-27 09:59", "--by", "王工")
    assert result.exit_code == 1 and "resolved: must not be before created" in result.stderr
    result = edit(hand, "resolve", TICKET_ID, "--solution", "x", "--kb", "KB0009", "--by", "王工")
    assert result.exit_code == 1 and "--kb: KB article KB0009 does not exist" in result.stderr
    assert (hand / TICKET_PATH).read_bytes() == before
    assert not [p for p in (hand / TICKET_PATH).parent.iterdir() if p.name != f"{TICKET_ID}.md"]  # no temp file left


def test_operator_from_git_config_else_an_error_saying_how(archive_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(archive_root, TICKET_PATH, ticket_text())
    monkeypatch.setattr(workflow, "git_user_name", lambda root: None)
    result = edit(archive_root, "log", TICKET_ID, "电话联系客户")
    assert result.exit_code == 1
    assert "pass --by NAME, or set your name once with `git config --global user.name" in result.stderr
    monkeypatch.setattr(workflow, "git_user_name", lambda root: "李工")
    result = edit(archive_root, "log", TICKET_ID, "电话联系客户", "--at", "2023-10-27T10:30:00+08:00")
    assert result.exit_code == 0, result.output
    ticket = load_archive(archive_root, Config()).tickets[TICKET_ID]
    assert (ticket.log[-1].by, ticket.log[-1].at.strftime("%H:%M")) == ("李工", "10:30")


def test_at_takes_validates_formats_and_a_bad_one_is_a_clear_error(archive_root: Path) -> None:
    write(archive_root, TICKET_PATH, ticket_text())
    result = edit(archive_root, "respond", TICKET_ID, "--at", "2023/10/27 10:05", "--by", "王工")
    assert result.exit_code == 0, result.output
    assert "responded: 2023-10-27 10:05\n" in (archive_root / TICKET_PATH).read_text(encoding="utf-8")
    result = edit(archive_root, "locate", TICKET_ID, "--at", "10:05", "--by", "王工")
    assert result.exit_code == 1 and "--at: expected a date and time like 2023-10-27 10:00" in result.stderr


def test_respond_twice_is_refused_and_escalate_sets_both_keys(archive_root: Path) -> None:
    write(archive_root, TICKET_PATH, ticket_text(priority="P1"))
    edit(archive_root, "respond", TICKET_ID, "--at", "2023-10-27 10:05", "--by", "王工")
    result = edit(archive_root, "respond", TICKET_ID, "--at", "2023-10-27 10:06", "--by", "王工")
    assert result.exit_code == 1 and "the first response is already recorded" in result.stderr
    result = edit(archive_root, "escalate", TICKET_ID, "--to", "高级工程师王*", "--at", "2023-10-27 10:25", "--by", "李工")
    assert result.exit_code == 0, result.output
    t = load_archive(archive_root, Config()).tickets[TICKET_ID]
    assert (t.escalated_to, t.escalated.strftime("%H:%M"), t.log[-1].action) == ("高级工程师王*", "10:25", "升级至 高级工程师王*")


def test_crlf_file_keeps_its_line_endings(archive_root: Path) -> None:
    text = ticket_text().replace("\n", "\r\n")
    write(archive_root, TICKET_PATH, text)
    edit(archive_root, "respond", TICKET_ID, "--at", "2023-10-27 10:05", "--by", "王工")
    after = (archive_root / TICKET_PATH).read_bytes().decode("utf-8")
    assert "\n" not in after.replace("\r\n", "")
    assert after.startswith(text.split("status: pending")[0])
    assert after.endswith(text[text.index("---\r\n\r\n"):])


def test_unknown_ticket_and_bad_id(archive_root: Path) -> None:
    result = edit(archive_root, "log", "TS202310270009", "x", "--by", "王工")
    assert result.exit_code == 1 and "no ticket TS202310270009" in result.stderr
    result = edit(archive_root, "log", "T1", "x", "--by", "王工")
    assert result.exit_code == 1 and "'T1' is not a ticket id" in result.stderr


def test_new_ticket_takes_chinese_labels(archive_root: Path) -> None:
    result = run_cli(["new", "ticket", "--root", str(archive_root), "--title", "x", "--priority", "高",
                      "--type", "咨询", "--channel", "电话", "--created", "2023-10-27 10:00"])
    assert result.exit_code == 0, result.output
    t = load_archive(archive_root, Config()).tickets[TICKET_ID]
    assert (t.priority, t.type, t.channel) == ("P1", "consultation", "phone")
    result = run_cli(["new", "ticket", "--root", str(archive_root), "--title", "x", "--priority", "超高"])
    assert result.exit_code == 2 and "expected one of P0 (P0 紧急)" in result.output
