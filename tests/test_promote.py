"""`tsgen promote`: a KB draft prefilled from a ticket, linked both ways; and the draft-not-filled-in rule."""

from __future__ import annotations

from pathlib import Path

from conftest import TICKET_ID, TICKET_PATH, assert_clean, kb_text, run_cli, ticket_text, write
from tsgen.archive.link import load_archive
from tsgen.config import Config
from tsgen.edit.authoring import slugify

BODY = """## 问题描述

<!-- 客户反馈的现象 -->
刘晓明（13912342046）反馈：提交订单时报错“数据库连接超时”，联系电话 139 1234 2046。

## 处理步骤

检查连接池。
"""


def promoted_ticket(root: Path, **fields: str) -> Path:
    text = ticket_text(body=BODY, extra=[
        "customer:", "  name: 刘晓明", "  contact: \"13912342046\"",
        "environment:", "  version: V3.2.0",
        "log:", "  - at: 2023-10-27 10:00", "    by: 王工", "    action: 接收问题，创建工单",
        "  - at: 2023-10-27 10:20", "    by: 王工", "    action: 查看数据库连接池配置，上限为 20",
        "  - at: 2023-10-27 10:40", "    by: 王工", "    action: 将连接池上限调至 100 并重启服务",
    ], tags="[数据库连接超时, 订单]", **fields)
    return write(root, TICKET_PATH, text)


def test_promote_writes_a_prefilled_draft_linked_both_ways(archive_root: Path) -> None:
    promoted_ticket(archive_root, status="resolved", resolved="2023-10-27 11:00", solution="连接池上限调至 100",
                    type="consultation")
    before = (archive_root / TICKET_PATH).read_text(encoding="utf-8")
    result = run_cli(["promote", TICKET_ID, "--root", str(archive_root), "--title", "数据库连接超时的排查"])
    assert_clean(result)
    assert result.exit_code == 0, result.output
    rel = "kb/KB0001-shu-ju-ku-lian-jie-chao-shi-de-pai-cha.md"
    assert result.stdout == rel + "\n"
    assert "linked them both ways" in result.stderr
    text = (archive_root / rel).read_text(encoding="utf-8")
    assert "刘晓明" not in text and "13912342046" not in text and "139 1234 2046" not in text
    assert "〔已隐藏〕（〔已隐藏〕）反馈：提交订单时报错“数据库连接超时”，联系电话 〔已隐藏〕。" in text
    assert "客户反馈的现象" not in text  # the ticket's authoring hints are not copied
    assert "## 解决步骤\n\n1. 查看数据库连接池配置，上限为 20\n2. 将连接池上限调至 100 并重启服务\n3. 连接池上限调至 100\n" in text
    assert "## 原因分析\n\n<!-- 根本原因 -->\n" in text
    after = (archive_root / TICKET_PATH).read_text(encoding="utf-8")
    assert after == before.replace("tags: [数据库连接超时, 订单]\n", "tags: [数据库连接超时, 订单]\nkb: KB0001\n")
    archive = load_archive(archive_root, Config())
    assert archive.errors == []
    article = archive.articles["KB0001"]
    assert (article.title, article.status, article.tags, article.tickets, article.applies_to["versions"]) == (
        "数据库连接超时的排查", "draft", ["数据库连接超时", "订单"], [TICKET_ID], ["V3.2.0"])
    assert archive.tickets[TICKET_ID].kb == ["KB0001"]
    # the draft's empty cause is a warning, not an error
    assert [p.message for p in archive.warnings if p.path == rel] == [
        "draft not filled in: section '原因分析' holds only the template's placeholder"]


def test_promote_an_archived_ticket_links_from_the_article_only(archive_root: Path) -> None:
    promoted_ticket(archive_root, status="resolved", resolved="2023-10-27 11:00", solution="x", archive="archived")
    before = (archive_root / TICKET_PATH).read_bytes()
    result = run_cli(["promote", TICKET_ID, "--root", str(archive_root)])
    assert result.exit_code == 0, result.output
    assert "the ticket is archived" in result.stderr
    assert (archive_root / TICKET_PATH).read_bytes() == before
    assert load_archive(archive_root, Config()).kb_backlinks["KB0001"] == [TICKET_ID]


def test_promote_refuses_an_unknown_or_invalid_ticket(archive_root: Path) -> None:
    result = run_cli(["promote", TICKET_ID, "--root", str(archive_root)])
    assert result.exit_code == 1 and f"no ticket {TICKET_ID}" in result.stderr
    write(archive_root, TICKET_PATH, ticket_text(priority="P9"))
    result = run_cli(["promote", TICKET_ID, "--root", str(archive_root)])
    assert_clean(result)
    assert result.exit_code == 1 and "has errors; fix them first" in result.stderr and "priority" in result.stderr
    assert list((archive_root / "kb").iterdir()) == []


def test_chinese_titles_give_readable_ascii_slugs() -> None:
    assert slugify("数据库连接超时的排查与处理") == "shu-ju-ku-lian-jie-chao-shi-de-pai-cha-yu-chu-li"
    assert slugify("登录后报错“权限不足” V3.2") == "deng-lu-hou-bao-cuo-quan-xian-bu-zu-v3-2"
    assert slugify("Order permission denied") == "order-permission-denied"
    assert len(slugify("超" * 100)) <= 60


def test_placeholder_sections_warn_in_a_draft_and_fail_when_published(archive_root: Path) -> None:
    body = "## 问题描述\n\n登录报错。\n\n## 原因分析\n\n<!-- 根本原因 -->\n\n## 解决步骤\n\n1. \n"
    write(archive_root, "kb/KB0001-a.md", kb_text(body=body, status="draft"))
    result = run_cli(["validate", "--root", str(archive_root)])
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "kb/KB0001-a.md:11: warning: body: draft not filled in: section '原因分析' holds only the template's placeholder",
        "kb/KB0001-a.md:15: warning: body: draft not filled in: section '解决步骤' holds only the template's placeholder"]
    write(archive_root, "kb/KB0001-a.md", kb_text(body=body, status="published"))
    result = run_cli(["validate", "--root", str(archive_root)])
    assert result.exit_code == 1
    assert ("kb/KB0001-a.md:11: error: body: draft not filled in: section '原因分析' holds only the template's "
            "placeholder; a published article must say it (or set status: draft)") in result.stdout


def test_promote_masks_the_customer_in_the_title_too(archive_root: Path) -> None:
    promoted_ticket(archive_root, title="刘晓明反馈订单提交超时")
    result = run_cli(["promote", TICKET_ID, "--root", str(archive_root)])
    assert result.exit_code == 0, result.output
    text = (archive_root / result.stdout.strip()).read_text(encoding="utf-8")
    assert "刘晓明" not in text and 'title: "〔已隐藏〕反馈订单提交超时"' in text
