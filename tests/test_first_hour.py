"""A new user's first hour: every mistake found by trying it gets a message that says what to do, at
the line of the mistake (issue 13, section 4)."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import TICKET_PATH, assert_clean, kb_text, line_of, run_cli, ticket_text, write


def problems(root: Path) -> list[str]:
    result = run_cli(["validate", "--root", str(root)])
    assert_clean(result)
    return result.stdout.splitlines()


@pytest.mark.parametrize("bad, where, message", [
    ("\tpriority: P1", "\tpriority", "a tab in the indentation: YAML indents with spaces only; replace the tab with spaces"),
    ("priority： P1", "priority：", "full-width colon '：' after `priority`: write an ASCII colon and a space, `priority: P1`"),
    ("priority:P1", "priority:P1", "no space after the colon of `priority`: YAML needs one, `priority: P1`"),
    ("title: 登录失败: 权限不足", "title:", "the value of `title` contains ': ', which YAML reads as another key: "
                                    "put the value in quotes, title: \"登录失败: 权限不足\""),
])
def test_yaml_mistakes_name_the_fix_at_their_line(archive_root: Path, bad: str, where: str, message: str) -> None:
    key = bad.strip().split(":")[0].split("：")[0]
    text = ticket_text(**{key: None}, extra=bad) if key != "title" else ticket_text(title=bad.split(": ", 1)[1])
    write(archive_root, TICKET_PATH, text)
    assert problems(archive_root) == [f"{TICKET_PATH}:{line_of(text, where)}: error: YAML syntax error: {message}"]


def test_missing_space_in_a_log_step_is_reported_at_its_line(archive_root: Path) -> None:
    text = ticket_text(extra=["log:", "  - at:2023-10-27 10:05", "    by: 王工", "    action: 电话联系"])
    write(archive_root, TICKET_PATH, text)
    assert problems(archive_root) == [f"{TICKET_PATH}:{line_of(text, '  - at:')}: error: YAML syntax error: "
                                      "no space after the colon of `at`: YAML needs one, `at: 2023-10-27 10:05`"]


def test_a_base_60_time_says_what_yaml_did(archive_root: Path) -> None:
    text = ticket_text(extra=["responded: 15:45", "log:", "  - at: 10:05", "    by: 王工", "    action: x"])
    write(archive_root, TICKET_PATH, text)
    out = problems(archive_root)
    assert f"{TICKET_PATH}:{line_of(text, 'responded')}: error: responded: expected a date and time like " \
           "2023-10-27 10:00 (seconds and an offset such as +08:00 are optional), got 945; YAML read 15:45 as the " \
           "base-60 number 945: write the date with the time and quote it, e.g. \"2023-10-27 15:45\"" in out
    assert any(line.startswith(f"{TICKET_PATH}:{line_of(text, '  - at')}: error: log[0].at:") and
               "YAML read 10:05 as the base-60 number 605" in line for line in out), out


def test_a_chinese_label_as_a_key_names_the_english_key(archive_root: Path) -> None:
    text = ticket_text(extra=["满意度: 满意", "处理人: 王工"])
    write(archive_root, TICKET_PATH, text)
    out = problems(archive_root)
    assert any(f":{line_of(text, '满意度')}: error: 满意度: unknown field (did you mean `satisfaction`?)" in p for p in out), out
    assert any(f":{line_of(text, '处理人')}: error: 处理人: unknown field (did you mean `assignee`?)" in p for p in out), out


def test_a_tags_text_with_commas_warns_with_the_list_form(archive_root: Path) -> None:
    text = ticket_text(tags="权限，登录")
    write(archive_root, TICKET_PATH, text)
    assert problems(archive_root) == [f"{TICKET_PATH}:{line_of(text, 'tags')}: warning: tags: one text holding commas, "
                                      "read as a single tag; write a list: tags: [权限, 登录]"]
    write(archive_root, "kb/KB0001-a.md", kb_text(tags="'a, b'"))
    assert any("kb/KB0001-a.md" in p and "write a list: tags: [a, b]" in p for p in problems(archive_root))


def test_validate_reports_every_problem_at_once(archive_root: Path) -> None:
    """An invalid enum does not hide a dangling kb in the same file; a ticket that cannot be read is named as such."""
    text = ticket_text(priority="P9", kb="KB0042")
    write(archive_root, TICKET_PATH, text)
    other = "tickets/2023/10/TS202310270002.md"
    write(archive_root, other, ticket_text(id="TS202310270002", title="a: b"))  # a YAML error: cannot be read
    write(archive_root, "kb/KB0001-a.md", kb_text(extra="tickets: [TS202310270002, TS202310270009]"))
    out = problems(archive_root)
    assert f"{TICKET_PATH}:{line_of(text, 'priority')}: error: priority: expected one of P0 (P0 紧急), P1 (P1 高), " \
           "P2 (P2 中), P3 (P3 低), P4 (P4 其他), got 'P9'" in out
    assert f"{TICKET_PATH}:{line_of(text, 'kb')}: error: kb: KB article KB0042 does not exist" in out
    assert "kb/KB0001-a.md:5: error: tickets: ticket TS202310270002 cannot be read (see above: " \
           "tickets/2023/10/TS202310270002.md)" in out
    assert "kb/KB0001-a.md:5: error: tickets: ticket TS202310270009 does not exist" in out
    assert any(p.startswith(f"{other}:3: error: YAML syntax error: the value of `title` contains ': '") for p in out), out


def test_blank_template_fields_and_empty_sections_are_not_shown(archive_root: Path) -> None:
    from datetime import date

    from tsgen.archive.link import load_archive
    from tsgen.config import Config
    from tsgen.site.render import SiteRenderer
    from tsgen.templating import environment

    result = run_cli(["new", "ticket", "--root", str(archive_root), "--title", "登录报错", "--created", "2023-10-27 10:00"])
    assert result.exit_code == 0, result.output
    path = archive_root / result.stdout.strip()
    text = path.read_text(encoding="utf-8")
    assert '  os: ""' in text and "## 效果验证\n\n<!--" in text  # the template's blanks and placeholders
    path.write_text(text.replace("## 问题描述\n\n", "## 问题描述\n\n客户反馈登录后报错。\n\n"), encoding="utf-8")
    archive = load_archive(archive_root, Config())
    ticket = archive.tickets["TS202310270001"]
    assert ticket.environment == {} and ticket.customer == {}
    page = {p.path: p.text for p in SiteRenderer(archive, environment(Path(__file__).resolve().parents[1]),
                                                 today=date(2024, 3, 1)).render().pages}["tickets/TS202310270001.md"]
    assert "操作系统" not in page and "环境信息" not in page  # no `操作系统:；软件版本:` row
    assert "### 问题描述" in page and "客户反馈登录后报错。" in page
    for empty in ("处理步骤", "解决方案", "效果验证", "客户反馈"):
        assert f"### {empty}" not in page, empty
    archive.tickets["TS202310270001"].body = "## 处理步骤\n\n<!-- 待补充 -->\n"
    page = {p.path: p.text for p in SiteRenderer(archive, environment(Path(__file__).resolve().parents[1]),
                                                 today=date(2024, 3, 1)).render().pages}["tickets/TS202310270001.md"]
    assert "## 详细记录" not in page and "处理步骤" not in page.split("tsgen_head:")[0] + page.split("\n---\n", 1)[1]


def test_list_items_after_nested_items_or_continuations_are_separated() -> None:
    from tsgen.archive.body import separate_list_items

    body = ("1. 第一步\n  - 子项（2 个空格）\n2. 第二步\n   续行\n3. 第三步\n\n   ```\n   - 代码里不是列表\n   4. 也不是\n   ```\n"
            "4. 第四步\n5. 第五步\n")
    assert separate_list_items(body) == ("1. 第一步\n  - 子项（2 个空格）\n\n2. 第二步\n   续行\n\n3. 第三步\n\n   ```\n"
                                         "   - 代码里不是列表\n   4. 也不是\n   ```\n\n4. 第四步\n5. 第五步\n")
