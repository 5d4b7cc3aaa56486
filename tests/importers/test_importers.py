"""`tsgen import`: every format's fixture imports into a valid archive; again is a no-op; bad rows named."""

from __future__ import annotations

import hashlib
import json
import shutil
from datetime import datetime
from pathlib import Path

import pytest

from tests.conftest import assert_clean, run_cli, search_index_text
from tsgen.archive.link import load_archive
from tsgen.config import load_config

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).resolve().parents[2]

# format, fixture, extra args, created, rejected (the message parts that must name the record)
CASES = [
    ("zammad", "zammad.csv", [], 4, ["zammad.csv:6: 第 6 行: Created At:", "zammad.csv:7: 第 7 行: Title: no title"]),
    ("osticket", "osticket.csv", [], 2, ["osticket.csv:6: 第 5 行: Date Created:", "第 6 行: Priority: unknown priority 'Critical!!'"]),
    ("zendesk", "zendesk.json", [], 2, ["zendesk.json: tickets[3] (id 35439): created_at:"]),
    ("jira", "jira.csv", [], 3, ["jira.csv:7: 第 5 行: Created: '31/Foo/23 9:00 AM'"]),
    ("sobot", "sobot.json", [], 2, ["sobot.json: items[3] (ticketCode 1500877944): ticketLevel: unknown priority 7"]),
    ("csv", "generic_gbk.csv", ["--map", FIXTURES / "generic_map.yml"], 2, ["generic_gbk.csv:4: 第 4 行: 状态: unknown status '不知道'"]),
]


def _archive(tmp_path: Path) -> Path:
    root = tmp_path / "archive"
    (root / "tickets").mkdir(parents=True)
    (root / "kb").mkdir()
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    return root


def _digest(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def _import(root: Path, fmt: str, file: Path, *args: object):
    result = run_cli(["import", fmt, file, "--root", root, *args])
    assert_clean(result)
    return result


@pytest.mark.parametrize("fmt, fixture, extra, created, rejects", CASES, ids=[c[0] for c in CASES])
def test_fixture_imports_valid_idempotent_and_names_bad_rows(tmp_path: Path, fmt: str, fixture: str, extra: list,
                                                            created: int, rejects: list[str]) -> None:
    root = _archive(tmp_path)
    first = _import(root, fmt, FIXTURES / fixture, *extra)
    assert first.exit_code == 1, first.output  # bad rows: reported, the others imported
    for text in rejects:
        assert text in first.stderr, first.stderr
    assert f"{created} created, 0 updated, 0 unchanged, {len(rejects)} rejected" in first.stderr
    config = load_config(root)
    assert {"source_id", "source_import"} <= set(config.custom_fields)
    archive = load_archive(root, config)
    assert archive.errors == [], [str(p) for p in archive.errors]
    assert len(archive.tickets) == created
    assert all(t.extra["source_id"].startswith(f"{fmt}#") for t in archive.tickets.values())
    before = _digest(root)
    second = _import(root, fmt, FIXTURES / fixture, *extra)
    assert f"0 created, 0 updated, {created} unchanged" in second.stderr, second.stderr
    assert _digest(root) == before, "a second import must change no file"


def test_dry_run_writes_nothing_and_lists_the_plan(tmp_path: Path) -> None:
    root = _archive(tmp_path)
    before = _digest(root)
    result = _import(root, "zammad", FIXTURES / "zammad.csv", "--dry-run")
    assert _digest(root) == before
    assert "would create tickets/2023/10/TS202310270001.md (zammad#10023)" in result.stdout
    assert "Dry run: 4 created" in result.stderr and "(nothing written)" in result.stderr


def test_mappings_follow_the_tools_vocabularies(tmp_path: Path) -> None:
    root = _archive(tmp_path)
    for fmt, fixture, extra, *_ in CASES:
        _import(root, fmt, FIXTURES / fixture, *extra)
    archive = load_archive(root, load_config(root))
    by_source = {t.extra["source_id"]: t for t in archive.tickets.values()}
    z = by_source["zammad#10023"]  # 3 high, closed, Closed At, First Response At
    assert (z.priority, z.status, z.channel) == ("P1", "resolved", "phone")
    assert z.title == '登录后报错"权限不足"，无法提交订单' and z.tags == ["权限", "登录"]
    assert z.resolved == datetime(2023, 10, 27, 12, 0, tzinfo=archive.config.tz if hasattr(archive, "config") else z.resolved.tzinfo)
    dup = by_source["zammad#10024"]  # twice in the file: the newer copy (closed) wins
    assert dup.status == "resolved" and dup.resolved.hour == 17
    assert (dup.responded - dup.created).total_seconds() == 15 * 60  # from First Response In Min
    assert "zammad#10028" not in by_source  # merged: skipped
    assert by_source["zammad#10025"].status == "awaiting-customer"
    o = by_source["osticket#482911"]
    assert (o.priority, o.status, o.channel, o.customer["name"]) == ("P0", "resolved", "phone", "Zhang San")
    assert by_source["osticket#482912"].customer == {"name": "Li Si", "contact": "li.si@example.com"}
    zd = by_source["zendesk#35436"]  # Z times converted to Asia/Shanghai; metric set minutes
    assert zd.created.astimezone(zd.created.tzinfo).isoformat().startswith("2023-11-05T09:30")
    assert (zd.priority, zd.type, zd.status, zd.satisfaction, zd.channel) == ("P0", "fault", "resolved", "satisfied", "phone")
    assert (zd.responded - zd.created).total_seconds() == 12 * 60
    assert by_source["zendesk#35437"].status == "awaiting-customer"
    j = by_source["jira#SD-101"]
    assert (j.priority, j.type, j.status, j.satisfaction) == ("P1", "fault", "resolved", "satisfied")
    assert j.tags == ["login", "permission"] and j.created.hour == 10 and j.resolved.hour == 15
    assert by_source["jira#SD-103"].status == "pending" and by_source["jira#SD-103"].priority == "P4"  # Triage: To Do
    assert by_source["jira#SD-102"].status == "awaiting-customer"
    s = by_source["sobot#1500877941"]  # epoch ms, ticketLevel 3, ticketStatus 3, startType 1
    assert (s.priority, s.status, s.customer["name"]) == ("P0", "resolved", "陈先生")
    assert s.created.isoformat().startswith("2023-11-06T09:00")
    assert "sobot#1500877942" not in by_source  # ticketStatus 98: deleted, skipped
    c = by_source["csv#GD-002"]  # GBK file, Chinese date form
    assert (c.priority, c.type, c.status, c.created.hour, c.created.minute) == ("P2", "consultation", "pending", 10, 30)


def test_customer_data_stays_out_of_published_fields_and_the_site(tmp_path: Path) -> None:
    from tsgen.site.build import build_site

    root = _archive(tmp_path)
    for fmt, fixture, extra, *_ in CASES:
        _import(root, fmt, FIXTURES / fixture, *extra)
    config = load_config(root)
    archive = load_archive(root, config)
    secrets = {v for t in archive.tickets.values() for k, v in t.customer.items() if k in ("name", "contact") and v}
    assert {"Jane Customer", "13912345678", "zhang.san@example.com", "周先生"} <= secrets
    build_site(root, config)
    parts = [p.read_text(encoding="utf-8") for p in (root / "site").rglob("*.html")]
    parts.append(search_index_text(root / "site"))
    site = "\n".join(parts)
    assert sorted(s for s in secrets if s in site) == []
    assert "138 0013 8000" not in site and "021-5432 1000" not in site
    # and in the files themselves, outside customer: (the body repeated them)
    for path in (root / "tickets").rglob("*.md"):
        body = path.read_text(encoding="utf-8").split("\n---\n", 1)[1]
        assert not any(s in body for s in secrets), path


def test_newer_export_updates_imported_fields_and_keeps_engineer_edits(tmp_path: Path) -> None:
    root = _archive(tmp_path)
    src = tmp_path / "export.json"
    data = json.loads((FIXTURES / "zendesk.json").read_text(encoding="utf-8"))
    data["tickets"] = data["tickets"][:2]
    src.write_text(json.dumps(data), encoding="utf-8")
    _import(root, "zendesk", src)
    path = next(p for p in (root / "tickets").rglob("*.md") if "zendesk#35437" in p.read_text(encoding="utf-8"))
    text = path.read_text(encoding="utf-8")
    edited = text.replace('title: "How do I export a report?"', 'title: "如何导出报表（已核实）"') + "\n工程师补充：按钮在右上角。\n"
    path.write_text(edited, encoding="utf-8")
    data["tickets"][1].update(subject="How do I export a report to Excel?", status="solved",
                              updated_at="2023-11-08T03:00:00Z", priority="high",
                              description="Where is the export button? It moved.")
    src.write_text(json.dumps(data), encoding="utf-8")
    result = _import(root, "zendesk", src)
    assert result.exit_code == 0, result.output
    assert "0 created, 1 updated, 1 unchanged" in result.stderr
    assert "conflict: title" in result.stderr and "conflict: body" in result.stderr
    new = path.read_text(encoding="utf-8")
    assert "如何导出报表（已核实）" in new and "工程师补充" in new  # the engineer's edits are kept
    assert "priority: P1" in new and "status: resolved" in new  # the source's changes arrived
    assert load_archive(root, load_config(root)).errors == []
    again = _import(root, "zendesk", src)
    assert "0 created, 0 updated, 2 unchanged" in again.stderr
    assert path.read_text(encoding="utf-8") == new


def test_zammad_xlsx_as_its_excel_sheet_writes_it(tmp_path: Path) -> None:
    """lib/excel_sheet.rb: title in row 1, header in row 3, datetime cells, a `Timezone:` footer."""
    openpyxl = pytest.importorskip("openpyxl")
    import csv

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["2023-10"])
    sheet.append([])
    with (FIXTURES / "zammad.csv").open(encoding="utf-8", newline="") as fh:
        for i, row in enumerate(csv.reader(fh)):
            cells: list[object] = list(row)
            if i and "-13-" not in row[12]:
                cells[12] = datetime.strptime(row[12], "%Y-%m-%d %H:%M:%S")  # a real Excel date cell
            if i:
                cells[0] = int(row[0])  # Excel keeps the number as a number
            sheet.append(cells)
    sheet.append([])
    sheet.append(["Zeitzone: Europe/Berlin"])
    xlsx = tmp_path / "zammad.xlsx"
    book.save(xlsx)
    root = _archive(tmp_path)
    result = _import(root, "zammad", xlsx)
    assert "4 created, 0 updated, 0 unchanged, 2 rejected" in result.stderr, result.stderr
    assert "zammad.xlsx: 第 9 行: Title: no title" in result.stderr
    assert "zammad.xlsx: 第 8 行: Created At:" in result.stderr
    tickets = {t.extra["source_id"]: t for t in load_archive(root, load_config(root)).tickets.values()}
    created = tickets["zammad#10023"].created  # 10:00 in Berlin (CEST) is 16:00 in Shanghai
    assert created.astimezone(load_config(root).tz).strftime("%Y-%m-%d %H:%M") == "2023-10-27 16:00"
    assert "2023/10/TS20231027" in next(p.as_posix() for p in (root / "tickets").rglob("*.md")
                                       if "zammad#10023" in p.read_text(encoding="utf-8"))


def test_since_and_bad_mapping_file(tmp_path: Path) -> None:
    root = _archive(tmp_path)
    result = _import(root, "zammad", FIXTURES / "zammad.csv", "--since", "2023-10-28")
    assert "2 created" in result.stderr  # 10024 and 10025; 10023 and 10029 are from the 27th
    bad = tmp_path / "map.yml"
    bad.write_text("columns:\n  标题: titel\n", encoding="utf-8")
    result = _import(root, "csv", FIXTURES / "generic_gbk.csv", "--map", bad)
    assert result.exit_code == 1 and "columns.标题: unknown tsgen field 'titel' (did you mean `title`?)" in result.stderr


def test_existing_ids_are_never_reused_or_overwritten(tmp_path: Path) -> None:
    root = _archive(tmp_path)
    taken = root / "tickets/2023/10/TS202310270001.md"
    taken.parent.mkdir(parents=True)
    shutil.copy(REPO / "tickets/2023/10/TS202310270001.md", taken)
    before = taken.read_bytes()
    _import(root, "zammad", FIXTURES / "zammad.csv")
    assert taken.read_bytes() == before
    assert (root / "tickets/2023/10/TS202310270002.md").is_file()  # 10023, created 10:00, next free sequence


from hypothesis import given, settings, strategies as st  # noqa: E402

from tsgen.archive.load import parse_front_matter  # noqa: E402
from tsgen.archive.validate import validate_ticket  # noqa: E402
from tsgen.config import Config  # noqa: E402
from tsgen.importers import ticketfile  # noqa: E402
from tsgen.importers.convert import _one_line, _text  # noqa: E402

_CONFIG = Config(custom_fields=("source_id", "source_import"))


@settings(max_examples=150, deadline=None)
@given(title=st.text(min_size=1, max_size=80), body=st.text(max_size=200), feedback=st.text(max_size=40),
       tag=st.text(max_size=12))
def test_any_text_round_trips_through_the_written_file(title: str, body: str, feedback: str, tag: str) -> None:
    """Whatever a helpdesk held (quotes, colons, ---, YAML syntax, control characters), the file reads back the same."""
    title, feedback, body = _one_line(title), _one_line(feedback), _text(body) or "x"
    tag = _one_line(tag)
    if not title:
        return
    created = datetime(2023, 10, 27, 10, 0, tzinfo=_CONFIG.tz)
    fields = {"title": title, "type": "fault", "priority": "P2", "created": created, "status": "pending",
              "feedback": feedback or None, "tags": [tag] if tag else None, "customer.name": "张三",
              "customer.contact": "zhang@example.com", "environment.os": feedback or None, "assignee": tag or None,
              "responded": datetime(2023, 10, 27, 10, 5, 7, tzinfo=_CONFIG.tz), "channel": "phone"}
    rel = "tickets/2023/10/TS202310270001.md"
    text, direct = ticketfile.render_document("TS202310270001", fields, body, "zammad#1", _CONFIG.tz, rel)
    assert text == ticketfile.render("TS202310270001", fields, body, "zammad#1", _CONFIG.tz)
    raw, problems = parse_front_matter(text, rel, "ticket")
    assert raw is not None and not problems, (text, problems)
    # the importer validates the document it built beside the text: it must be what the loader reads
    assert direct == raw, (text, direct, raw)
    ticket, problems = validate_ticket(raw, _CONFIG)
    assert ticket is not None and not [p for p in problems if p.severity == "error"], (text, problems)
    assert ticket.title == title
    assert (ticket.feedback or "") == feedback
    assert raw.body.strip() == body.strip()
    assert ticket.tags == ([tag] if tag else [])
    assert ticket.extra["source_id"] == "zammad#1"


def test_a_record_the_validator_refuses_is_rejected_by_row_and_a_file_without_needed_columns_fails_once(
        tmp_path: Path) -> None:
    root = _archive(tmp_path)
    export = tmp_path / "zammad.csv"
    export.write_text("#,Title,State,Priority,Created At,First Response At\n"
                      "1,响应早于创建,open,2 normal,2023-10-27 10:00:00,2023-10-27 09:00:00\n"
                      "2,正常,open,2 normal,2023-10-27 10:00:00,2023-10-27 10:05:00\n", encoding="utf-8")
    result = _import(root, "zammad", export)
    assert result.exit_code == 1
    assert "zammad.csv:2: 第 2 行: zammad#1 would not be a valid ticket: responded:" in result.stderr, result.stderr
    assert "1 created" in result.stderr
    assert load_archive(root, load_config(root)).errors == []
    other = tmp_path / "other.csv"
    other.write_text("编号,说明\n1,x\n", encoding="utf-8")
    result = _import(root, "csv", other)
    assert result.exit_code == 1
    assert "no column maps to title, created; the file's columns are: 编号, 说明" in result.stderr, result.stderr


@pytest.mark.parametrize("value, expected", [
    ("27/Oct/23 10:05 AM", "2023-10-27 10:05"),      # Jira's own format
    ("27/Oct/23 12:05 AM", "2023-10-27 00:05"),
    ("27/十月/23 10:05 下午", "2023-10-27 22:05"),     # a Chinese Jira
    ("2023-10-27T02:00:00Z", "2023-10-27 10:00"),     # Zendesk, UTC
    ("2023-10-27T10:00:00+08:00", "2023-10-27 10:00"),
    (1698372000000, "2023-10-27 10:00"),              # 智齿, epoch milliseconds
    ("1698372000", "2023-10-27 10:00"),               # epoch seconds
    ("2023/10/27 10:00", "2023-10-27 10:00"),
    ("2023年10月27日 10:00", "2023-10-27 10:00"),
    (datetime(2023, 10, 27, 10, 0), "2023-10-27 10:00"),  # an Excel cell, no offset
])
def test_source_times(value: object, expected: str) -> None:
    from tsgen.importers.mapping import time_value

    tz = Config().tz
    assert time_value(value, tz).astimezone(tz).strftime("%Y-%m-%d %H:%M") == expected


@pytest.mark.parametrize("value", ["2023-10-27", "31/Foo/23 9:00 AM", "13/Oct/23 13:00 PM", "12", "yesterday"])
def test_unreadable_source_times_are_errors(value: str) -> None:
    from tsgen.importers.mapping import time_value

    with pytest.raises(ValueError):
        time_value(value, Config().tz)


@pytest.mark.parametrize("value, expected", [("5", "satisfied"), (4, "satisfied"), ("3", "neutral"), ("1", "dissatisfied"),
                                             ("good", "satisfied"), ("满意", "satisfied"), ("不满意", "dissatisfied")])
def test_satisfaction_scores(value: object, expected: str) -> None:
    from tsgen.importers.mapping import Mapping, enum_value

    assert enum_value("satisfaction", value, Mapping(values={"satisfaction": {"good": "satisfied"}})) == expected


def test_an_archived_ticket_is_never_updated(tmp_path: Path) -> None:
    root = _archive(tmp_path)
    src = tmp_path / "export.json"
    data = json.loads((FIXTURES / "zendesk.json").read_text(encoding="utf-8"))
    data["tickets"] = data["tickets"][:1]
    src.write_text(json.dumps(data), encoding="utf-8")
    _import(root, "zendesk", src)
    path = next((root / "tickets").rglob("*.md"))
    path.write_text(path.read_text(encoding="utf-8").replace("source_id:", "archive: archived\nsource_id:"),
                    encoding="utf-8")
    before = path.read_bytes()
    data["tickets"][0]["subject"] = "Printer on fire (updated)"
    src.write_text(json.dumps(data), encoding="utf-8")
    result = _import(root, "zendesk", src)
    assert "0 updated, 1 unchanged" in result.stderr and "an archived ticket is not updated" in result.stderr
    assert path.read_bytes() == before


def test_an_archive_without_mkdocs_yml_gets_the_init_configuration_with_the_custom_fields(archive_root: Path) -> None:
    result = _import(archive_root, "sobot", FIXTURES / "sobot.json")
    assert "declare custom field source_id in mkdocs.yml" in result.stderr
    text = (archive_root / "mkdocs.yml").read_text(encoding="utf-8")
    assert "site_name:" in text
    assert "theme:" in text  # the whole `tsgen init` configuration, so `tsgen build` works
    assert {"source_id", "source_import"} <= set(load_config(archive_root).custom_fields)
