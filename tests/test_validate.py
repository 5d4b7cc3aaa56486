"""`tsgen validate`: the sample archive, every kind of bad input, the rules across fields and files, output formats.

Each failing case asserts the exit code, the exact `path:line: severity: field: message` line(s), and that
no traceback escaped.
"""

from __future__ import annotations

import json
import random
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import Result

from conftest import (KB_PATH, TICKET_PATH, assert_clean, kb_text, line_of, run_cli, ticket_path, ticket_text,
                      write)
from tsgen.config import Config, load_config
from tsgen.archive.link import load_archive

REPO = Path(__file__).resolve().parents[1]
SHANGHAI = ZoneInfo("Asia/Shanghai")
DATETIME_HINT = "a date and time like 2023-10-27 10:00 (seconds and an offset such as +08:00 are optional)"
UNKNOWN_TAIL = "custom fields must be declared in mkdocs.yml under extra.tsgen.custom_fields"


def validate(root: Path, *args: str) -> Result:
    """Run `tsgen validate --root ROOT ARGS` and check it ended cleanly."""
    result = run_cli(["validate", "--root", str(root), *args])
    assert_clean(result)
    return result


def lines(result: Result) -> list[str]:
    """The problem lines `tsgen validate` printed on stdout."""
    return result.stdout.splitlines()


def expect(root: Path, *expected: str, code: int = 1) -> Result:
    """Validate and assert the exit code and exactly these problem lines, in order."""
    result = validate(root)
    assert lines(result) == list(expected), result.output
    assert result.exit_code == code, result.output
    return result


def err(path: str, line: int, field: str, message: str) -> str:
    return f"{path}:{line}: error: {field + ': ' if field else ''}{message}"


def warn(path: str, line: int, field: str, message: str) -> str:
    return f"{path}:{line}: warning: {field + ': ' if field else ''}{message}"


# --- the sample archive --------------------------------------------------------------------------------------


def test_sample_archive_is_valid() -> None:
    """The repository's own sample tickets and KB articles validate without errors."""
    result = validate(REPO)
    errors = [line for line in lines(result) if ": error: " in line]
    assert result.exit_code == 0, ("the sample archive in tickets/ and kb/ has errors "
                                   "(it is sample data, fix the data):\n" + "\n".join(errors))


def test_minimal_documents_are_clean(archive_root: Path) -> None:
    """The conftest factories produce documents with no problem at all (the baseline every test tweaks)."""
    write(archive_root, TICKET_PATH, ticket_text())
    write(archive_root, KB_PATH, kb_text())
    result = expect(archive_root, code=0)
    assert "2 files checked: 0 errors, 0 warnings (ok)" in result.stderr


# --- files that cannot be read as a document -----------------------------------------------------------------


def test_missing_front_matter(archive_root: Path) -> None:
    write(archive_root, TICKET_PATH, "# 登录报错\n\nid: TS202310270001\n")
    expect(archive_root, err(TICKET_PATH, 1, "",
                             "no front matter: the file must start with a '---' line, then YAML fields, then '---'"))


def test_unclosed_front_matter(archive_root: Path) -> None:
    text = ticket_text().replace("\n---\n", "\n", 1)  # drop the closing fence only
    assert text.count("---") == 1
    write(archive_root, TICKET_PATH, text)
    expect(archive_root, err(TICKET_PATH, 1, "",
                             "front matter opened on line 1 is never closed: add a '---' line after the last field"))


def test_yaml_syntax_error_reports_the_real_line(archive_root: Path) -> None:
    text = ticket_text(status="pending: later")
    write(archive_root, TICKET_PATH, text)
    line = line_of(text, "status:")
    assert line == 7
    expect(archive_root, err(TICKET_PATH, line, "", "YAML syntax error: the value of `status` contains ': ', which YAML "
                                                    "reads as another key: put the value in quotes, status: \"pending: later\""))


def test_yaml_syntax_error_deep_in_a_list_reports_the_real_line(archive_root: Path) -> None:
    text = ticket_text(extra=["tags:", "  - 权限", "  - [数据库", "log: []"])
    write(archive_root, TICKET_PATH, text)
    result = validate(archive_root)
    assert result.exit_code == 1
    [problem] = lines(result)
    assert problem.startswith(f"{TICKET_PATH}:{line_of(text, 'log:')}: error: YAML syntax error: "), problem
    assert "flow sequence" in problem


@pytest.mark.parametrize("front, found, line", [
    ("- fault\n- P2\n", "list", 2),
    ("just a sentence\n", "str", 2),
    ("42\n", "int", 2),
])
def test_front_matter_that_is_not_a_mapping(archive_root: Path, front: str, found: str, line: int) -> None:
    write(archive_root, TICKET_PATH, f"---\n{front}---\nbody\n")
    expect(archive_root, err(TICKET_PATH, line, "", f"front matter must be a mapping of fields (key: value), got a {found}"))


def test_empty_front_matter(archive_root: Path) -> None:
    write(archive_root, TICKET_PATH, "---\n---\nbody\n")
    expect(archive_root, err(TICKET_PATH, 1, "", "front matter is empty: expected fields such as id and title"))


@pytest.mark.parametrize("content", ["", "\n\n  \n"])
def test_empty_file(archive_root: Path, content: str) -> None:
    write(archive_root, TICKET_PATH, content)
    expect(archive_root, err(TICKET_PATH, 1, "", "empty file: expected front matter between two '---' lines, then the body"))


def test_gbk_file_is_named_as_such(archive_root: Path) -> None:
    write(archive_root, TICKET_PATH, ticket_text().encode("gbk", errors="replace"))
    expect(archive_root, err(TICKET_PATH, 3, "", "file is not UTF-8 text: it looks like GBK/GB18030, the default of "
                                                 "Chinese Windows editors; re-save the file as UTF-8"))


def test_nul_bytes(archive_root: Path) -> None:
    write(archive_root, TICKET_PATH, ticket_text().encode() + b"\x00\x01\x02")
    expect(archive_root, err(TICKET_PATH, 1, "", "binary file (contains NUL bytes): expected UTF-8 Markdown text"))


def test_random_bytes(archive_root: Path) -> None:
    junk = bytes(random.Random(7).randrange(1, 256) for _ in range(4096)) + b"\xff"
    write(archive_root, TICKET_PATH, junk)
    result = validate(archive_root)
    assert result.exit_code == 1
    [problem] = lines(result)
    assert problem.startswith(f"{TICKET_PATH}:")
    assert problem.endswith(": error: file is not UTF-8 text: the bytes are not text in any encoding tsgen knows")


def test_yaml_alias_bomb_is_refused_fast(archive_root: Path) -> None:
    """Billion laughs: nine levels of nine aliases would be 387 million strings; refused in well under a second."""
    levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi"):
        levels.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    write(archive_root, TICKET_PATH, "---\n" + "\n".join(levels) + "\n---\n")
    started = time.perf_counter()
    expect(archive_root, err(TICKET_PATH, 1, "", "YAML aliases expand to more than 20000 values (an alias bomb?); "
                                                 "write the values out instead"))
    assert time.perf_counter() - started < 2


@pytest.mark.parametrize("title, line", [
    ("[" * 60 + "]" * 60, 3),                     # flow style
    ("\n  " + "- " * 60 + "x", 4),                 # compact block style
    ("&a [*a]", 3),                               # a recursive alias
])
def test_deeply_nested_values_are_refused(archive_root: Path, title: str, line: int) -> None:
    """Hundreds of levels would overflow Python's stack when a message or a page shows the value."""
    write(archive_root, TICKET_PATH, ticket_text(title=title))
    expect(archive_root, err(TICKET_PATH, line, "", "values are nested more than 50 levels deep; write them out flatter"))


def test_nine_hundred_levels_do_not_crash(archive_root: Path) -> None:
    write(archive_root, TICKET_PATH, ticket_text(title="[" * 900 + "]" * 900))
    result = validate(archive_root)
    assert result.exit_code == 1
    assert lines(result) == [err(TICKET_PATH, 3, "", "values are nested more than 50 levels deep; write them out flatter")]


def test_small_aliases_are_fine(archive_root: Path) -> None:
    write(archive_root, TICKET_PATH, ticket_text(extra=["tags: &t [权限, 登录]", "x_tags: *t"]))
    expect(archive_root, err(TICKET_PATH, 9, "x_tags", f"unknown field (did you mean `tags`?); {UNKNOWN_TAIL}"))


def test_duplicate_key(archive_root: Path) -> None:
    text = ticket_text(extra="priority: P3")
    write(archive_root, TICKET_PATH, text)
    expect(archive_root, err(TICKET_PATH, 8, "priority", "duplicate field: already set on line 5"))


# --- values of the wrong type --------------------------------------------------------------------------------


def test_title_as_a_list(archive_root: Path) -> None:
    write(archive_root, TICKET_PATH, ticket_text(title="[登录, 报错]"))
    expect(archive_root, err(TICKET_PATH, 3, "title", "expected text, got a list ['登录', '报错']"))


def test_title_too_long_and_multiline(archive_root: Path) -> None:
    write(archive_root, TICKET_PATH, ticket_text(title="x" * 201))
    expect(archive_root, err(TICKET_PATH, 3, "title", "expected 1 to 200 characters, got 201"))
    write(archive_root, TICKET_PATH, ticket_text(title='"第一行\\n第二行"'))
    expect(archive_root, err(TICKET_PATH, 3, "title", "expected one line, got several lines"))


def test_tags_as_a_mapping(archive_root: Path) -> None:
    text = ticket_text(tags="{权限: 1}")
    write(archive_root, TICKET_PATH, text)
    expect(archive_root, err(TICKET_PATH, line_of(text, "tags:"), "tags", "expected a list of text, got a mapping {'权限': 1}"))


def test_tag_item_of_the_wrong_type(archive_root: Path) -> None:
    text = ticket_text(extra=["tags:", "  - 权限", "  - {a: b}"])
    write(archive_root, TICKET_PATH, text)
    expect(archive_root, err(TICKET_PATH, line_of(text, "  - {a"), "tags[1]", "expected text, got a mapping {'a': 'b'}"))


def test_created_as_a_number(archive_root: Path) -> None:
    write(archive_root, TICKET_PATH, ticket_text(created="20231027"))
    expect(archive_root, err(TICKET_PATH, 6, "created", f"expected {DATETIME_HINT}, got 20231027"))


def test_log_item_not_a_mapping(archive_root: Path) -> None:
    text = ticket_text(extra=["log:", "  - at: 2023-10-27 10:05", "    by: 张工", "    action: 远程排查", "  - 打电话给客户"])
    write(archive_root, TICKET_PATH, text)
    expect(archive_root, err(TICKET_PATH, line_of(text, "  - 打电话"), "log[1]",
                             "expected a step {at, by, action}, got text '打电话给客户'"))


def test_log_not_a_list_and_step_missing_keys(archive_root: Path) -> None:
    write(archive_root, TICKET_PATH, ticket_text(log="远程排查"))
    expect(archive_root, err(TICKET_PATH, 8, "log", "expected a list of steps {at, by, action}, got text '远程排查'"))
    text = ticket_text(extra=["log:", "  - at: 2023-10-27 10:05", "    who: 张工"])
    write(archive_root, TICKET_PATH, text)
    expect(archive_root,
           err(TICKET_PATH, 9, "log[0]", "step is missing by, action"),
           err(TICKET_PATH, 9, "log[0].who", "unknown key; expected at, by, action"))


def test_customer_mapping_checks_its_keys(archive_root: Path) -> None:
    text = ticket_text(extra=["customer:", "  name: 张*", "  phone: 138****5678"])
    write(archive_root, TICKET_PATH, text)
    expect(archive_root, err(TICKET_PATH, 10, "customer.phone",       # the line of the key itself
                             "unknown key; expected name, department, contact"))
    write(archive_root, TICKET_PATH, ticket_text(customer="张三"))
    expect(archive_root, err(TICKET_PATH, 8, "customer",
                             "expected a mapping with keys name, department, contact, got text '张三'"))


def test_every_problem_of_a_file_is_reported(archive_root: Path) -> None:
    """Validation collects all problems instead of stopping at the first."""
    write(archive_root, TICKET_PATH, ticket_text(type="bug", priority="P9", status="done", title=None))
    allowed_types = "fault (故障), consultation (咨询), requirement (需求), other (其他)"
    expect(archive_root,
           err(TICKET_PATH, 1, "title", "required field is missing"),
           err(TICKET_PATH, 3, "type", f"expected one of {allowed_types}, got 'bug'"),
           err(TICKET_PATH, 4, "priority",
               "expected one of P0 (P0 紧急), P1 (P1 高), P2 (P2 中), P3 (P3 低), P4 (P4 其他), got 'P9'"),
           err(TICKET_PATH, 6, "status",
               "expected one of resolved (已解决), pending (待解决), awaiting-customer (需客户配合), got 'done'"))


def test_required_field_present_but_empty(archive_root: Path) -> None:
    write(archive_root, TICKET_PATH, ticket_text(title=""))
    expect(archive_root, err(TICKET_PATH, 3, "title", "required field is empty"))


# --- unknown keys ---------------------------------------------------------------------------------------------


def test_unknown_key_names_the_closest_known_key(archive_root: Path) -> None:
    text = ticket_text(priority=None, extra="prioirty: P2")
    write(archive_root, TICKET_PATH, text)
    expect(archive_root,
           err(TICKET_PATH, 1, "priority", "required field is missing"),
           err(TICKET_PATH, line_of(text, "prioirty"), "prioirty", f"unknown field (did you mean `priority`?); {UNKNOWN_TAIL}"))


def test_chinese_label_used_as_key(archive_root: Path) -> None:
    text = ticket_text(priority=None, extra="优先级: P2")
    write(archive_root, TICKET_PATH, text)
    expect(archive_root,
           err(TICKET_PATH, 1, "priority", "required field is missing"),
           err(TICKET_PATH, 7, "优先级", f"unknown field (did you mean `priority`?); {UNKNOWN_TAIL}"))


def test_unknown_key_without_a_close_match(archive_root: Path) -> None:
    write(archive_root, TICKET_PATH, ticket_text(extra="zzz: 1"))
    expect(archive_root, err(TICKET_PATH, 8, "zzz", f"unknown field; {UNKNOWN_TAIL}"))


def test_custom_fields_from_mkdocs_yml(archive_root: Path) -> None:
    write(archive_root, TICKET_PATH, ticket_text(extra="sales_rep: 王经理"))
    expect(archive_root, err(TICKET_PATH, 8, "sales_rep", f"unknown field; {UNKNOWN_TAIL}"))
    write(archive_root, "mkdocs.yml", "site_name: 测试\nextra:\n  tsgen:\n    custom_fields: [sales_rep]\n")
    expect(archive_root, code=0)
    archive = load_archive(archive_root, load_config(archive_root))
    assert archive.tickets["TS202310270001"].extra == {"sales_rep": "王经理"}


@pytest.mark.parametrize("setting, message", [
    ("timezone: Mars/Olympus", "extra.tsgen.timezone: unknown timezone 'Mars/Olympus'"),
    ("custom_fields: sales_rep", "extra.tsgen.custom_fields: expected a list of field names, got 'sales_rep'"),
    ("sla_minutes: {P7: 15}", "extra.tsgen.sla_minutes: unknown priority 'P7'; expected one of P0, P1, P2, P3, P4"),
    ("timezon: UTC", "extra.tsgen: unknown setting 'timezon'; known: business_hours, chart_min_sample, custom_fields, "
                     "escalation_minutes, id_prefix, language, privacy_allow, site_name, sla_minutes, timezone"),
])
def test_bad_tsgen_setting_is_a_clean_error(archive_root: Path, setting: str, message: str) -> None:
    write(archive_root, TICKET_PATH, ticket_text())
    write(archive_root, "mkdocs.yml", f"site_name: 测试\nextra:\n  tsgen:\n    {setting}\n")
    result = validate(archive_root)
    assert result.exit_code == 1
    assert result.stderr == f"Error: {message}\n"


def test_mkdocs_yml_that_is_not_yaml_is_a_clean_error(archive_root: Path) -> None:
    write(archive_root, "mkdocs.yml", "site_name: [测试\n")
    result = validate(archive_root)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {archive_root / 'mkdocs.yml'}: not valid YAML: "), result.stderr


# --- enums and datetimes --------------------------------------------------------------------------------------


def test_enum_chinese_aliases_are_accepted(archive_root: Path) -> None:
    write(archive_root, TICKET_PATH, ticket_text(type="故障", status="已解决", channel="电话", priority="中",
                                                 resolved="2023-10-27 10:20", solution="重新分配权限", kb="KB0001"))
    write(archive_root, KB_PATH, kb_text())
    expect(archive_root, code=0)
    ticket = load_archive(archive_root, Config()).tickets["TS202310270001"]
    assert (ticket.type, ticket.status, ticket.channel, ticket.priority) == ("fault", "resolved", "phone", "P2")


@pytest.mark.parametrize("value, expected", [
    ("2023-10-27 10:00", datetime(2023, 10, 27, 10, 0, tzinfo=SHANGHAI)),
    ("2023-10-27 10:00:30", datetime(2023, 10, 27, 10, 0, 30, tzinfo=SHANGHAI)),
    ("2023-10-27T10:00:00+08:00", datetime(2023, 10, 27, 10, 0, tzinfo=SHANGHAI)),
    ("2023-10-27 10:00 +08:00", datetime(2023, 10, 27, 10, 0, tzinfo=SHANGHAI)),
    ("2023-10-27T02:00:00Z", datetime(2023, 10, 27, 10, 0, tzinfo=SHANGHAI)),
    ("'2023-10-27 10:00:00'", datetime(2023, 10, 27, 10, 0, tzinfo=SHANGHAI)),
    ('"2023-10-27T10:00"', datetime(2023, 10, 27, 10, 0, tzinfo=SHANGHAI)),
    ("2023/10/27 10:00", datetime(2023, 10, 27, 10, 0, tzinfo=SHANGHAI)),
    ("2023-10-27 10:00:00.5", datetime(2023, 10, 27, 10, 0, 0, 500000, tzinfo=SHANGHAI)),
])
def test_accepted_datetime_shapes(archive_root: Path, value: str, expected: datetime) -> None:
    write(archive_root, TICKET_PATH, ticket_text(created=value))
    expect(archive_root, code=0)
    created = load_archive(archive_root, Config()).tickets["TS202310270001"].created
    assert created == expected and created.utcoffset() is not None


@pytest.mark.parametrize("value, message", [
    ("2023-10-27", f"expected {DATETIME_HINT}, got the date 2023-10-27 without a time"),
    ("2023-13-45 10:00", "'2023-13-45 10:00' is not a real date and time (month must be in 1..12)"),
    ("2023-13-45 10:00:00", "'2023-13-45 10:00:00' is not a real date and time (month must be in 1..12)"),
    ("2023-02-30T10:00:00+08:00", "'2023-02-30T10:00:00+08:00' is not a real date and time (day is out of range for month)"),
    ("2023-10-27 25:00", "'2023-10-27 25:00' is not a real date and time (hour must be in 0..23)"),
    ("昨天下午", f"expected {DATETIME_HINT}, got '昨天下午'"),
    ("true", f"expected {DATETIME_HINT}, got True"),
])
def test_rejected_datetime_shapes(archive_root: Path, value: str, message: str) -> None:
    write(archive_root, TICKET_PATH, ticket_text(created=value))
    expect(archive_root, err(TICKET_PATH, 6, "created", message))


def test_bad_datetime_in_a_log_step(archive_root: Path) -> None:
    text = ticket_text(extra=["log:", "  - {at: 2023-10-27, by: 张工, action: 远程排查}"])
    write(archive_root, TICKET_PATH, text)
    expect(archive_root, err(TICKET_PATH, 9, "log[0].at", f"expected {DATETIME_HINT}, got the date 2023-10-27 without a time"))


def test_kb_dates(archive_root: Path) -> None:
    write(archive_root, KB_PATH, kb_text(updated="2023-10-27", review_by="2024-02-30"))
    expect(archive_root, err(KB_PATH, 6, "review_by", "'2024-02-30' is not a real date (day is out of range for month)"))


# --- the timezone rule: the id's date is the local date of created --------------------------------------------


def test_just_after_midnight_local_is_that_day(archive_root: Path) -> None:
    write(archive_root, TICKET_PATH, ticket_text(created="2023-10-27 00:30"))
    expect(archive_root, code=0)


def test_id_date_must_be_the_local_date(archive_root: Path) -> None:
    path = ticket_path("TS202310260001")
    write(archive_root, path, ticket_text(id="TS202310260001", created="2023-10-27 00:30"))
    expect(archive_root, err(path, 2, "id", "the id's date 20231026 must be the local date of created "
                                            "(20231027, Asia/Shanghai)"))


def test_utc_created_is_converted_to_local_date(archive_root: Path) -> None:
    """2023-10-26T16:30Z is 2023-10-27 00:30 in Shanghai, so TS20231027... is the right id."""
    write(archive_root, TICKET_PATH, ticket_text(created="2023-10-26T16:30:00Z"))
    expect(archive_root, code=0)
    path = ticket_path("TS202310260001")
    write(archive_root, path, ticket_text(id="TS202310260001", created="2023-10-26T16:30:00Z"))
    expect(archive_root, err(path, 2, "id", "the id's date 20231026 must be the local date of created "
                                            "(20231027, Asia/Shanghai)"))


def test_configured_timezone_changes_the_local_date(archive_root: Path) -> None:
    write(archive_root, "mkdocs.yml", "site_name: t\nextra:\n  tsgen:\n    timezone: UTC\n")
    path = ticket_path("TS202310260001")
    write(archive_root, path, ticket_text(id="TS202310260001", created="2023-10-26T16:30:00Z"))
    expect(archive_root, code=0)


# --- encodings and line endings -------------------------------------------------------------------------------


def test_bom_and_crlf_are_accepted(archive_root: Path) -> None:
    text = ticket_text()
    write(archive_root, TICKET_PATH, b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode())
    expect(archive_root, code=0)


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_bom_and_crlf_keep_line_numbers(archive_root: Path, newline: str) -> None:
    text = ticket_text(priority="P9", extra=["tags:", "  - 权限", "  - [登录]"])
    write(archive_root, TICKET_PATH, b"\xef\xbb\xbf" + text.replace("\n", newline).encode())
    expect(archive_root,
           err(TICKET_PATH, 5, "priority",
               "expected one of P0 (P0 紧急), P1 (P1 高), P2 (P2 中), P3 (P3 低), P4 (P4 其他), got 'P9'"),
           err(TICKET_PATH, 10, "tags[1]", "expected text, got a list ['登录']"))


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x85"])
def test_unicode_line_separators_keep_line_numbers(archive_root: Path, separator: str) -> None:
    """YAML counts U+2028/U+2029/NEL as line breaks (text pasted from the web); editors count newlines."""
    text = ticket_text(title=f'"第一句{separator}第二句"', priority="P9", extra=["tags:", "  - 权限", "  - [登录]"])
    write(archive_root, TICKET_PATH, text)
    expect(archive_root,
           err(TICKET_PATH, 5, "priority",
               "expected one of P0 (P0 紧急), P1 (P1 高), P2 (P2 中), P3 (P3 低), P4 (P4 其他), got 'P9'"),
           err(TICKET_PATH, 10, "tags[1]", "expected text, got a list ['登录']"))


def test_non_markdown_files_are_ignored(archive_root: Path) -> None:
    write(archive_root, TICKET_PATH, ticket_text())
    write(archive_root, "tickets/2023/10/notes.txt", b"\xff\x00 not a ticket")
    write(archive_root, "tickets/2023/10/TS202310270002.md.bak", "garbage")
    write(archive_root, "tickets/README", "see docs")
    write(archive_root, "tickets/2023/10/.draft.md", "no front matter")
    write(archive_root, "kb/images/screen.png", b"\x89PNG\r\n\x1a\n\x00\x00")
    write(archive_root, "docs/other.md", "not part of the archive")
    result = expect(archive_root, code=0)
    assert "1 file checked: 0 errors, 0 warnings (ok)" in result.stderr


# --- rules across the fields of a ticket ----------------------------------------------------------------------


def test_responded_before_created(archive_root: Path) -> None:
    write(archive_root, TICKET_PATH, ticket_text(responded="2023-10-27 09:00"))
    expect(archive_root, err(TICKET_PATH, 8, "responded",
                             "must not be before created (2023-10-27 10:00), got 2023-10-27 09:00"))


def test_located_after_resolved(archive_root: Path) -> None:
    write(archive_root, TICKET_PATH, ticket_text(type="consultation", status="resolved", solution="说明操作",
                                                 located="2023-10-27 12:00", resolved="2023-10-27 11:00"))
    expect(archive_root, err(TICKET_PATH, 10, "resolved",
                             "must not be before located (2023-10-27 12:00), got 2023-10-27 11:00"))


def test_log_step_before_created(archive_root: Path) -> None:
    text = ticket_text(extra=["log:", "  - at: 2023-10-27 10:05", "    by: 张工", "    action: 接收",
                              "  - at: 2023-10-27 09:55", "    by: 张工", "    action: 远程排查"])
    write(archive_root, TICKET_PATH, text)
    expect(archive_root, err(TICKET_PATH, 12, "log[1].at",
                             "step time must not be before created (2023-10-27 10:00), got 2023-10-27 09:55"))


def test_resolved_status_needs_resolved_time(archive_root: Path) -> None:
    write(archive_root, TICKET_PATH, ticket_text(type="consultation", status="resolved", solution="说明操作"))
    expect(archive_root, err(TICKET_PATH, 7, "status",
                             "status is resolved, so the field `resolved` (解决时间) is required"))


def test_archived_but_pending(archive_root: Path) -> None:
    write(archive_root, TICKET_PATH, ticket_text(archive="已归档"))
    expect(archive_root, err(TICKET_PATH, 8, "archive", "only a resolved ticket can be archived; status is 'pending'"))


def test_resolved_without_solution_is_only_a_warning(archive_root: Path) -> None:
    write(archive_root, TICKET_PATH, ticket_text(type="consultation", status="resolved", resolved="2023-10-27 11:00"))
    result = expect(archive_root, warn(TICKET_PATH, 7, "solution", "status is resolved but there is no solution summary"),
                    code=0)
    assert "1 file checked: 0 errors, 1 warning (ok)" in result.stderr


def test_duplicate_of_itself(archive_root: Path) -> None:
    write(archive_root, TICKET_PATH, ticket_text(duplicate_of="TS202310270001"))
    expect(archive_root, err(TICKET_PATH, 8, "duplicate_of", "a ticket cannot be a duplicate of itself"))


# --- links between documents ----------------------------------------------------------------------------------


def test_duplicate_ids_in_two_files(archive_root: Path) -> None:
    write(archive_root, "tickets/2023/10/TS202310270001.md", ticket_text())
    write(archive_root, "tickets/2023/11/TS202310270001.md", ticket_text(title="另一个"))
    expect(archive_root, err("tickets/2023/11/TS202310270001.md", 2, "id",
                             "duplicate id TS202310270001: already used by tickets/2023/10/TS202310270001.md:2"))


def test_duplicate_kb_ids(archive_root: Path) -> None:
    write(archive_root, KB_PATH, kb_text())
    write(archive_root, "kb/KB0001.md", kb_text())
    expect(archive_root, err("kb/KB0001.md", 2, "id", "duplicate id KB0001: already used by kb/KB0001-sample.md:2"))


def test_id_differs_from_file_name(archive_root: Path) -> None:
    path = "tickets/2023/10/TS202310270002.md"
    write(archive_root, path, ticket_text())
    expect(archive_root, err(path, 2, "id", "the file name must be the id: expected TS202310270001.md, "
                                            "got TS202310270002.md"))
    write(archive_root, path, "")
    (archive_root / path).unlink()
    write(archive_root, "kb/KB0002-sample.md", kb_text())
    expect(archive_root, err("kb/KB0002-sample.md", 2, "id",
                             "the file name must be the id or start with 'KB0001-', got KB0002-sample.md"))


def test_id_date_differs_from_created_date(archive_root: Path) -> None:
    path = ticket_path("TS202310280001")
    write(archive_root, path, ticket_text(id="TS202310280001"))
    expect(archive_root, err(path, 2, "id", "the id's date 20231028 must be the local date of created "
                                            "(20231027, Asia/Shanghai)"))


def test_kb_pointing_nowhere(archive_root: Path) -> None:
    write(archive_root, TICKET_PATH, ticket_text(kb="[KB0001, KB0009]"))
    write(archive_root, KB_PATH, kb_text())
    expect(archive_root, err(TICKET_PATH, 8, "kb", "KB article KB0009 does not exist"))


def test_kb_id_malformed(archive_root: Path) -> None:
    write(archive_root, TICKET_PATH, ticket_text(kb="KB12"))
    expect(archive_root, err(TICKET_PATH, 8, "kb", "expected a KB id like KB0001, got 'KB12'"))


def test_related_pointing_nowhere(archive_root: Path) -> None:
    write(archive_root, TICKET_PATH, ticket_text(related="[TS202310270009]"))
    expect(archive_root, err(TICKET_PATH, 8, "related", "related ticket TS202310270009 does not exist"))


def test_related_backlinks_both_ways(archive_root: Path) -> None:
    write(archive_root, TICKET_PATH, ticket_text())
    later = ticket_path("TS202310270002")
    write(archive_root, later, ticket_text(id="TS202310270002", created="2023-10-27 11:00", related="[TS202310270001]"))
    expect(archive_root, code=0)
    archive = load_archive(archive_root, Config())
    assert archive.related_back == {"TS202310270001": ["TS202310270002"], "TS202310270002": ["TS202310270001"]}


def test_duplicate_of_pointing_to_a_later_ticket(archive_root: Path) -> None:
    write(archive_root, TICKET_PATH, ticket_text(duplicate_of="TS202310270002"))
    later = ticket_path("TS202310270002")
    write(archive_root, later, ticket_text(id="TS202310270002", created="2023-10-27 11:00"))
    expect(archive_root, err(TICKET_PATH, 8, "duplicate_of", "must point to an earlier ticket: TS202310270002 was "
                                                             "created 2023-10-27 11:00, after this one"))


def test_duplicate_of_an_earlier_ticket_is_recorded(archive_root: Path) -> None:
    write(archive_root, TICKET_PATH, ticket_text())
    later = ticket_path("TS202310270002")
    write(archive_root, later, ticket_text(id="TS202310270002", created="2023-10-27 11:00", duplicate_of="TS202310270001"))
    expect(archive_root, code=0)
    assert load_archive(archive_root, Config()).duplicates == {"TS202310270001": ["TS202310270002"]}


def test_duplicate_of_pointing_nowhere(archive_root: Path) -> None:
    write(archive_root, TICKET_PATH, ticket_text(duplicate_of="TS202310260001"))
    expect(archive_root, err(TICKET_PATH, 8, "duplicate_of", "ticket TS202310260001 does not exist"))


def test_kb_tickets_pointing_nowhere(archive_root: Path) -> None:
    write(archive_root, TICKET_PATH, ticket_text())
    write(archive_root, KB_PATH, kb_text(tickets="[TS202310270001, TS202310270009]"))
    expect(archive_root, err(KB_PATH, 5, "tickets", "ticket TS202310270009 does not exist"))
    backlinks = load_archive(archive_root, Config()).kb_backlinks
    assert backlinks == {"KB0001": ["TS202310270001"]}


def test_reference_to_a_file_with_errors_is_not_dangling(archive_root: Path) -> None:
    """A ticket whose own fields are wrong still exists: only its own errors are reported."""
    write(archive_root, TICKET_PATH, ticket_text(priority="P9"))
    write(archive_root, KB_PATH, kb_text(tickets="[TS202310270001]"))
    result = validate(archive_root)
    assert result.exit_code == 1
    assert [line.split(": error: ")[0] for line in lines(result)] == [f"{TICKET_PATH}:5"]


def test_missing_image_in_kb(archive_root: Path) -> None:
    body = kb_text().split("---\n", 2)[2]
    text = kb_text(body=body + "\n## 截图示例\n\n![权限设置](images/roles.png)\n![不存在](images/missing.png)\n"
                   "```\n![代码里的不是图片](images/nope.png)\n```\n")
    write(archive_root, KB_PATH, text)
    write(archive_root, "kb/images/roles.png", b"\x89PNG\r\n\x1a\n")
    expect(archive_root, err(KB_PATH, line_of(text, "![不存在]"), "body", "image images/missing.png does not exist"))


def test_kb_missing_sections_is_a_warning(archive_root: Path) -> None:
    text = kb_text(body="## Problem\n\nx\n\n## 解决步骤\n\n1. y\n")
    write(archive_root, KB_PATH, text)
    body_line = line_of(text, "---", nth=2) + 1  # body problems are reported where the body starts
    expect(archive_root, warn(KB_PATH, body_line, "body",
                              "missing section '## 原因分析' (the guide's standard article sections)"), code=0)


def test_kb_english_sections_count(archive_root: Path) -> None:
    write(archive_root, KB_PATH, kb_text(body="## Problem\n\nx\n\n## Cause\n\ny\n\n## Resolution\n\nz\n"))
    expect(archive_root, code=0)


# --- warnings --------------------------------------------------------------------------------------------------


def test_knowledge_debt_warning(archive_root: Path) -> None:
    write(archive_root, TICKET_PATH, ticket_text(status="resolved", resolved="2023-10-27 11:00", solution="重启服务"))
    debt = ("knowledge debt: a resolved fault that links no KB article; "
            "write one with `tsgen new kb` or link an existing one")
    expect(archive_root, warn(TICKET_PATH, 7, "kb", debt), code=0)
    # linking from the article's side pays the debt too
    write(archive_root, KB_PATH, kb_text(tickets="[TS202310270001]"))
    expect(archive_root, code=0)


def test_escalation_rule_warning(archive_root: Path) -> None:
    write(archive_root, TICKET_PATH, ticket_text(priority="P1", located="2023-10-27 10:45", responded="2023-10-27 10:10"))
    expect(archive_root, warn(TICKET_PATH, 5, "escalated_to",
                              "escalation rule: a P1 ticket not located within 30 minutes must be escalated; "
                              "the cause was located after 45 minutes and escalated_to is empty"), code=0)


def test_escalation_rule_kept(archive_root: Path) -> None:
    write(archive_root, TICKET_PATH, ticket_text(priority="P1", located="2023-10-27 10:45", escalated_to="二线 李工",
                                                 escalated="2023-10-27 10:30", responded="2023-10-27 10:10"))
    expect(archive_root, code=0)
    write(archive_root, TICKET_PATH, ticket_text(priority="P1", located="2023-10-27 10:25", responded="2023-10-27 10:10"))
    expect(archive_root, code=0)


def test_strict_turns_warnings_into_errors(archive_root: Path) -> None:
    write(archive_root, KB_PATH, kb_text(body="## 问题描述\n\nx\n"))
    result = validate(archive_root, "--strict")
    assert result.exit_code == 1
    assert lines(result) == [
        err(KB_PATH, 6, "body", "missing section '## 原因分析' (the guide's standard article sections)"),
        err(KB_PATH, 6, "body", "missing section '## 解决步骤' (the guide's standard article sections)"),
    ]
    assert validate(archive_root).exit_code == 0


# --- output formats and usage errors ----------------------------------------------------------------------------


def test_json_format(archive_root: Path) -> None:
    write(archive_root, TICKET_PATH, ticket_text(priority="P9", status="resolved", type="consultation",
                                                 resolved="2023-10-27 11:00"))
    result = validate(archive_root, "--format", "json")
    assert result.exit_code == 1
    assert result.stderr == ""
    data = json.loads(result.stdout)
    assert data == [
        {"path": TICKET_PATH, "line": 5, "field": "priority", "severity": "error",
         "message": "expected one of P0 (P0 紧急), P1 (P1 高), P2 (P2 中), P3 (P3 低), P4 (P4 其他), got 'P9'"},
        {"path": TICKET_PATH, "line": 7, "field": "solution", "severity": "warning",
         "message": "status is resolved but there is no solution summary"},
    ]


def test_json_format_when_clean(archive_root: Path) -> None:
    write(archive_root, TICKET_PATH, ticket_text())
    result = validate(archive_root, "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == []


def test_github_format(archive_root: Path) -> None:
    write(archive_root, TICKET_PATH, ticket_text(priority="P9", status="resolved", type="consultation",
                                                 resolved="2023-10-27 11:00"))
    write(archive_root, "tickets/2023/10/TS202310270002.md", "")
    result = validate(archive_root, "--format", "github")
    assert result.exit_code == 1
    assert lines(result) == [
        f"::error file={TICKET_PATH},line=5,title=priority::expected one of P0 (P0 紧急), P1 (P1 高), P2 (P2 中), "
        "P3 (P3 低), P4 (P4 其他), got 'P9'",
        f"::warning file={TICKET_PATH},line=7,title=solution::status is resolved but there is no solution summary",
        "::error file=tickets/2023/10/TS202310270002.md,line=1,title=tsgen::empty file: expected front matter "
        "between two '---' lines, then the body",
    ]


def test_bad_format_is_a_usage_error(archive_root: Path) -> None:
    result = validate(archive_root, "--format", "xml")
    assert result.exit_code == 2
    assert "Invalid value for '--format': 'xml' is not one of 'text', 'json', 'github'." in result.stderr


def test_root_that_is_a_file_is_a_usage_error(tmp_path: Path) -> None:
    path = write(tmp_path, "file.txt", "x")
    result = validate(path)
    assert result.exit_code == 2
    assert "is a file" in result.stderr or "is not a folder" in result.stderr, result.stderr


def test_root_that_does_not_exist_is_a_usage_error(tmp_path: Path) -> None:
    result = validate(tmp_path / "nowhere")
    assert result.exit_code == 2
    assert f"Error: --root {tmp_path / 'nowhere'} is not a folder" in result.stderr


def test_root_that_is_not_an_archive_is_a_usage_error(tmp_path: Path) -> None:
    result = validate(tmp_path)
    assert result.exit_code == 2
    assert "does not look like a tsgen archive (no tickets/, kb/ or mkdocs.yml)" in result.stderr


def test_empty_archive_is_valid(archive_root: Path) -> None:
    result = expect(archive_root, code=0)
    assert "0 files checked: 0 errors, 0 warnings (ok)" in result.stderr
