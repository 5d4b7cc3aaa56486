"""Rejected records named as the issue gives them (row 40 / 第 40 行 / file.csv:48:), and osTicket's
exports as a Chinese-language agent makes them (translated headers, statuses, the formula quote)."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.conftest import assert_clean, run_cli
from tsgen.archive.link import load_archive
from tsgen.config import load_config

REPO = Path(__file__).resolve().parents[2]


def _archive(tmp_path: Path, language: str) -> Path:
    root = tmp_path / "archive"
    (root / "tickets").mkdir(parents=True)
    (root / "kb").mkdir()
    text = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    assert "    language: zh\n" in text  # extra.tsgen.language (the theme's is indented less)
    (root / "mkdocs.yml").write_text(text.replace("    language: zh\n", f"    language: {language}\n", 1),
                                     encoding="utf-8")
    return root


# a multi-line cell in row 2 makes row 4 start on line 6 of the file
EXPORT = ("Summary,Issue key,Status,Priority,Created,Updated,Resolved,Description,Reporter\n"
          'Login fails,SD-1,Open,High,27/Oct/23 9:15 AM,27/Oct/23 9:20 AM,,"line one\nline two\nline three",Zhang San\n'
          ",SD-2,Open,High,27/Oct/23 9:15 AM,,,no title,Li Si\n"
          "Report empty,SD-3,Open,Medium,27/Foo/23 9:15 AM,,,bad month,Wang Wu\n")


def _run(tmp_path: Path, language: str):
    root = _archive(tmp_path, language)
    export = tmp_path / "jira.csv"
    export.write_text(EXPORT, encoding="utf-8")
    result = run_cli(["import", "jira", export, "--root", root])
    assert_clean(result)
    assert result.exit_code == 1
    return root, result.stderr


def test_rejected_rows_are_named_in_chinese_by_default(tmp_path: Path) -> None:
    root, err = _run(tmp_path, "zh")
    assert "jira.csv:5: 第 3 行: Summary: no title" in err, err
    assert "jira.csv:6: 第 4 行: Created: '27/Foo/23 9:15 AM'" in err, err
    assert "row 3" not in err and "row 4" not in err
    assert "1 created, 0 updated, 0 unchanged, 2 rejected" in err
    assert load_archive(root, load_config(root)).errors == []


def test_rejected_rows_are_named_in_english_on_an_english_site(tmp_path: Path) -> None:
    _, err = _run(tmp_path, "en")
    assert "jira.csv:5: row 3: Summary: no title" in err, err
    assert "jira.csv:6: row 4: Created: '27/Foo/23 9:15 AM'" in err, err
    assert "第" not in err


# osTicket's getExportableFields() headers through __() for a zh_CN agent; status names from a
# Chinese install; CsvResultsExporter's BOM and its quote before a cell starting with = - + @
OSTICKET_ZH = ("\ufeff工单编号,创建日期,主题,来自,来自邮箱,优先级,部门,帮助主题,来源,当前状态,最后更新,关闭日期,分配的客服\n"
               "100201,2023-11-01 09:00:00,'=打印机脱机,张三,zhang.san@example.com,紧急,支持,故障报告,电话,已关闭,"
               "2023-11-01 10:00:00,2023-11-01 09:50:00,王工\n"
               "100202,2023-11-02 10:00:00,'-1 错误码,李四 <li.si@example.com>,,普通,支持,一般咨询,邮件,打开,"
               "2023-11-02 10:30:00,,\n"
               "100203,2023-11-03 08:00:00,垃圾,,,低,支持,,网页,已删除,2023-11-03 08:01:00,,\n")


def test_osticket_export_from_a_chinese_language_agent(tmp_path: Path) -> None:
    root = _archive(tmp_path, "zh")
    export = tmp_path / "osticket.csv"
    export.write_text(OSTICKET_ZH, encoding="utf-8")
    result = run_cli(["import", "osticket", export, "--root", root])
    assert_clean(result)
    assert result.exit_code == 0, result.output
    assert "2 created, 0 updated, 0 unchanged, 0 rejected, 1 skipped" in result.stderr, result.stderr
    archive = load_archive(root, load_config(root))
    assert archive.errors == []
    tickets = {t.extra["source_id"]: t for t in archive.tickets.values()}
    first, second = tickets["osticket#100201"], tickets["osticket#100202"]
    assert first.title == "=打印机脱机" and second.title == "-1 错误码"
    assert (first.priority, first.status, first.channel, first.assignee) == ("P0", "resolved", "phone", "王工")
    assert (second.priority, second.status, second.channel) == ("P2", "pending", "email")
    assert first.customer == {"name": "张三", "contact": "zhang.san@example.com"}
    assert second.customer == {"name": "李四", "contact": "li.si@example.com"}
    assert first.resolved.strftime("%Y-%m-%d %H:%M") == "2023-11-01 09:50"


def test_a_reporter_written_as_an_address_becomes_the_customer_contact(tmp_path: Path) -> None:
    """Jira shows a portal customer without a display name by e-mail: it is a contact, kept out of the site."""
    root = _archive(tmp_path, "zh")
    export = tmp_path / "jira.csv"
    export.write_text("Summary,Issue key,Status,Priority,Created,Reporter,Description\n"
                      "VPN 断开,SD-7,Open,High,27/Oct/23 9:15 AM,zhao.liu@example.com,zhao.liu@example.com 反馈 VPN 断开\n"
                      "打印机,SD-8,Open,Low,27/Oct/23 9:30 AM,钱七 <qian.qi@example.com>,无法打印\n",
                      encoding="utf-8")
    result = run_cli(["import", "jira", export, "--root", root])
    assert_clean(result)
    assert result.exit_code == 0, result.output
    tickets = {t.extra["source_id"]: t for t in load_archive(root, load_config(root)).tickets.values()}
    assert tickets["jira#SD-7"].customer == {"contact": "zhao.liu@example.com"}
    assert "zhao.liu@example.com" not in tickets["jira#SD-7"].body
    assert tickets["jira#SD-8"].customer == {"name": "钱七", "contact": "qian.qi@example.com"}
