"""`tsgen new ticket`, `tsgen new kb` and `tsgen init`: next free ids, valid files, never overwriting."""

from __future__ import annotations

import json
import re
import threading
from datetime import datetime
from pathlib import Path

import pytest

from conftest import assert_clean, kb_text, run_cli, ticket_text, write
from tsgen.edit import authoring
from tsgen.edit.authoring import TicketDraft, init_archive, new_article, new_ticket
from tsgen.config import Config, load_config
from tsgen.archive.link import load_archive

CONFIG = Config()


def new_ticket_cli(root: Path, *args: str, created: str = "2023-10-27 10:00"):
    result = run_cli(["new", "ticket", "--root", str(root), "--title", "登录后报错“权限不足”", "--created", created, *args])
    assert_clean(result)
    return result


def validate_ok(root: Path) -> str:
    """Validate `root` and assert no problem at all; return the summary line."""
    result = run_cli(["validate", "--root", str(root)])
    assert_clean(result)
    assert result.exit_code == 0 and result.stdout == "", result.output
    return result.stderr


# --- tsgen new ticket -------------------------------------------------------------------------------------------


def test_new_ticket_allocates_the_next_id_of_its_day(archive_root: Path) -> None:
    first = new_ticket_cli(archive_root)
    assert first.exit_code == 0, first.output
    assert first.stdout == "tickets/2023/10/TS202310270001.md\n"
    assert "Created TS202310270001. Fill in the record, then run `tsgen validate`." in first.stderr
    second = new_ticket_cli(archive_root, "--priority", "P3", created="2023-10-27 23:59")
    assert second.stdout == "tickets/2023/10/TS202310270002.md\n"
    other_day = new_ticket_cli(archive_root, created="2023-11-01 08:00")
    assert other_day.stdout == "tickets/2023/11/TS202311010001.md\n"
    assert "3 files checked: 0 errors, 0 warnings (ok)" in validate_ok(archive_root)


def test_new_ticket_writes_what_it_was_told(archive_root: Path) -> None:
    result = new_ticket_cli(archive_root, "--type", "consultation", "--priority", "P0", "--channel", "phone",
                            "--source", "客户A", "--assignee", "初级工程师*", "--department", "财务部",
                            "--tag", "权限", "--tag", "登录")
    assert result.exit_code == 0, result.output
    archive = load_archive(archive_root, CONFIG)
    ticket = archive.tickets["TS202310270001"]
    assert (ticket.title, ticket.type, ticket.priority, ticket.channel, ticket.status) == (
        "登录后报错“权限不足”", "consultation", "P0", "phone", "pending")
    assert ticket.created == datetime(2023, 10, 27, 10, 0, tzinfo=CONFIG.tz)
    assert (ticket.source, ticket.assignee, ticket.customer.get("department")) == ("客户A", "初级工程师*", "财务部")
    assert ticket.tags == ["权限", "登录"]
    assert [(e.by, e.action) for e in ticket.log] == [("初级工程师*", "接收问题，创建工单")]
    # the intake step at the creation time is not a response: a P0 from 2023 with no answer has breached
    assert ticket.first_response is None
    assert [(p.field, p.severity, p.line) for p in archive.problems] == [("responded", "warning", 5)]


def test_new_ticket_with_a_yaml_hostile_title(archive_root: Path) -> None:
    title = 'P1: "quoted" # not a comment: [x] {y} &z *w'
    result = run_cli(["new", "ticket", "--root", str(archive_root), "--title", title, "--created", "2023-10-27 10:00"])
    assert result.exit_code == 0, result.output
    validate_ok(archive_root)
    assert load_archive(archive_root, CONFIG).tickets["TS202310270001"].title == title


def test_new_ticket_without_created_uses_now(archive_root: Path) -> None:
    before = datetime.now(CONFIG.tz).strftime("%Y%m%d")
    result = run_cli(["new", "ticket", "--root", str(archive_root), "--title", "现在"])
    after = datetime.now(CONFIG.tz).strftime("%Y%m%d")
    assert_clean(result)
    path = result.stdout.strip()
    day = Path(path).stem[2:10]
    assert day in (before, after)
    assert path == f"tickets/{day[:4]}/{day[4:6]}/TS{day}0001.md"


def test_new_ticket_scans_existing_ids(archive_root: Path) -> None:
    """Ids already used anywhere under tickets/ are skipped, also when they are not the highest used."""
    write(archive_root, "tickets/2023/10/TS202310270001.md", ticket_text())
    write(archive_root, "tickets/misc/TS202310270005.md", "whatever is in it")
    result = new_ticket_cli(archive_root)
    assert result.stdout == "tickets/2023/10/TS202310270006.md\n"


def test_new_ticket_never_overwrites(archive_root: Path) -> None:
    """The next file name already exists: its content stays, and the new ticket takes the id after it."""
    taken = write(archive_root, "tickets/2023/10/TS202310270002.md", "someone else's ticket\n")
    write(archive_root, "tickets/2023/10/TS202310270001.md", ticket_text())
    result = new_ticket_cli(archive_root)
    assert result.stdout == "tickets/2023/10/TS202310270003.md\n"
    assert taken.read_text(encoding="utf-8") == "someone else's ticket\n"


def test_new_ticket_skips_a_file_created_after_the_scan(archive_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A race: another process creates the file between the scan and the write (O_EXCL catches it)."""
    taken = write(archive_root, "tickets/2023/10/TS202310270001.md", "created a moment ago\n")
    monkeypatch.setattr(authoring, "_used_ticket_sequences", lambda *args: set())
    tid, path = new_ticket(archive_root, CONFIG, TicketDraft(title="x", created=datetime(2023, 10, 27, 10, 0)))
    assert (tid, path) == ("TS202310270002", archive_root / "tickets/2023/10/TS202310270002.md")
    assert taken.read_text(encoding="utf-8") == "created a moment ago\n"


def test_concurrent_new_tickets_get_distinct_ids(archive_root: Path) -> None:
    """Eight `tsgen new ticket` at once: eight files, eight ids, all valid."""
    draft = TicketDraft(title="并发", created=datetime(2023, 10, 27, 10, 0, tzinfo=CONFIG.tz))
    barrier = threading.Barrier(8)
    results: list[tuple[str, Path]] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait()
            results.append(new_ticket(archive_root, CONFIG, draft))
        except BaseException as exc:  # reported below; a thread cannot fail the test by itself
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    ids = sorted(tid for tid, _ in results)
    assert ids == [f"TS20231027{n:04d}" for n in range(1, 9)]
    files = sorted(p.name for p in (archive_root / "tickets/2023/10").iterdir())
    assert files == [f"{tid}.md" for tid in ids]
    assert "8 files checked: 0 errors, 0 warnings (ok)" in validate_ok(archive_root)


def test_new_ticket_uses_the_configured_prefix(archive_root: Path) -> None:
    write(archive_root, "mkdocs.yml", "site_name: t\nextra:\n  tsgen:\n    id_prefix: SR\n")
    result = new_ticket_cli(archive_root)
    assert result.stdout == "tickets/2023/10/SR202310270001.md\n"
    validate_ok(archive_root)


def test_new_ticket_bad_options(archive_root: Path) -> None:
    result = new_ticket_cli(archive_root, created="昨天")
    assert result.exit_code == 2
    assert "Invalid value for --created: expected a date and time like 2023-10-27 10:00" in result.stderr
    result = run_cli(["new", "ticket", "--root", str(archive_root), "--title", "x" * 201])
    assert_clean(result)
    assert result.exit_code == 2
    assert "Invalid value for --title: expected one line of 1 to 200 characters" in result.stderr
    result = new_ticket_cli(archive_root, "--priority", "P9")
    assert result.exit_code == 2
    assert not (archive_root / "tickets/2023").exists()


# --- tsgen new kb -----------------------------------------------------------------------------------------------


def test_new_kb_allocates_ids_and_slugs(archive_root: Path) -> None:
    write(archive_root, "tickets/2023/10/TS202310270001.md", ticket_text())
    first = run_cli(["new", "kb", "--root", str(archive_root), "--title", "数据库连接超时的排查", "--slug", "DB Timeout",
                     "--ticket", "TS202310270001", "--tag", "数据库连接超时", "--owner", "高级工程师*"])
    assert_clean(first)
    assert first.exit_code == 0, first.output
    assert first.stdout == "kb/KB0001-db-timeout.md\n"
    assert "Created KB0001 as a draft." in first.stderr
    second = run_cli(["new", "kb", "--root", str(archive_root), "--title", "Order permission denied"])
    assert second.stdout == "kb/KB0002-order-permission-denied.md\n"
    third = run_cli(["new", "kb", "--root", str(archive_root), "--title", "证书过期"])  # Chinese: a pinyin slug
    assert third.stdout == "kb/KB0003-zheng-shu-guo-qi.md\n"
    check = run_cli(["validate", "--root", str(archive_root)])
    assert check.exit_code == 0, check.output
    # fresh drafts: each still holds the template's placeholders, a warning until it is written up
    assert "4 files checked: 0 errors, 9 warnings (ok)" in check.stderr
    assert "kb/KB0003-zheng-shu-guo-qi.md:14: warning: body: draft not filled in: section '问题描述' holds only " \
           "the template's placeholder" in check.stdout
    archive = load_archive(archive_root, CONFIG)
    article = archive.articles["KB0001"]
    assert (article.title, article.status, article.tags, article.owner) == (
        "数据库连接超时的排查", "draft", ["数据库连接超时"], "高级工程师*")
    assert archive.kb_backlinks["KB0001"] == ["TS202310270001"]


def test_new_kb_scans_existing_ids_and_never_overwrites(archive_root: Path) -> None:
    write(archive_root, "kb/KB0007-old.md", kb_text(id="KB0007"))
    kid, path = new_article(archive_root, CONFIG, "Old", slug="old")
    assert (kid, path.name) == ("KB0008", "KB0008-old.md")
    assert (archive_root / "kb/KB0007-old.md").read_text(encoding="utf-8") == kb_text(id="KB0007")


def test_new_kb_skips_an_id_taken_under_another_slug(archive_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """KB0001-a.md exists but the scan missed it: the new article must not become KB0001-b.md."""
    write(archive_root, "kb/KB0001-a.md", "taken\n")
    monkeypatch.setattr(Path, "rglob", lambda self, pattern: iter(()))
    kid, path = new_article(archive_root, CONFIG, "b", slug="b")
    assert (kid, path.name) == ("KB0002", "KB0002-b.md")


def test_new_kb_refuses_a_ticket_that_does_not_exist(archive_root: Path) -> None:
    result = run_cli(["new", "kb", "--root", str(archive_root), "--title", "x", "--ticket", "TS202310270009"])
    assert_clean(result)
    assert result.exit_code == 1
    assert "no ticket TS202310270009: there is no tickets/**/TS202310270009.md" in result.stderr
    assert list((archive_root / "kb").iterdir()) == []


# --- tsgen init -------------------------------------------------------------------------------------------------

INIT_FILES = ["mkdocs.yml", "requirements.txt", ".gitignore", ".github/workflows/tsgen.yml", ".gitlab-ci.yml", "tickets/.gitkeep",
              "kb/.gitkeep"]


def test_init_creates_an_archive(tmp_path: Path) -> None:
    target = tmp_path / "support-kb"
    result = run_cli(["init", str(target), "--site-name", "客服知识库"])
    assert_clean(result)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [f"created {target / rel}" for rel in INIT_FILES]
    for rel in INIT_FILES:
        assert (target / rel).is_file(), rel
    assert "site_name: 客服知识库" in (target / "mkdocs.yml").read_text(encoding="utf-8")
    assert load_config(target).site_name == "客服知识库"
    assert "tsgen validate" in (target / ".github/workflows/tsgen.yml").read_text(encoding="utf-8")
    assert "tsgen validate" in (target / ".gitlab-ci.yml").read_text(encoding="utf-8")
    assert "0 files checked: 0 errors, 0 warnings (ok)" in validate_ok(target)
    new_ticket_cli(target)
    assert "1 file checked: 0 errors, 0 warnings (ok)" in validate_ok(target)


def test_init_keeps_existing_files(tmp_path: Path) -> None:
    first = init_archive(tmp_path, "A")
    assert all(created for _, created in first)
    (tmp_path / "mkdocs.yml").write_text("site_name: mine\n", encoding="utf-8")
    write(tmp_path, "tickets/2023/10/TS202310270001.md", ticket_text())
    result = run_cli(["init", str(tmp_path), "--site-name", "B"])
    assert_clean(result)
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [f"kept    {tmp_path / rel}" for rel in INIT_FILES]
    assert (tmp_path / "mkdocs.yml").read_text(encoding="utf-8") == "site_name: mine\n"
    assert (tmp_path / "tickets/2023/10/TS202310270001.md").read_text(encoding="utf-8") == ticket_text()


def test_init_fills_in_missing_files_only(tmp_path: Path) -> None:
    write(tmp_path, ".gitignore", "secrets/\n")
    results = dict(init_archive(tmp_path, "A"))
    assert results[tmp_path / ".gitignore"] is False and results[tmp_path / "mkdocs.yml"] is True
    assert (tmp_path / ".gitignore").read_text(encoding="utf-8") == "secrets/\n"


def test_init_archive_builds(tmp_path: Path) -> None:
    """The new archive with one ticket and one article builds into a site."""
    target = tmp_path / "kb-site"
    assert run_cli(["init", str(target)]).exit_code == 0
    new_ticket_cli(target)
    assert run_cli(["new", "kb", "--root", str(target), "--title", "Login", "--ticket", "TS202310270001"]).exit_code == 0
    result = run_cli(["build", "--root", str(target), "--quiet"])
    assert_clean(result)
    assert result.exit_code == 0, result.output
    assert (target / "site" / "index.html").is_file()


def test_init_archive_builds_before_its_first_ticket(tmp_path: Path) -> None:
    """A new archive with no ticket and no article yet builds too (Pagefind refuses to index nothing)."""
    target = tmp_path / "kb-site"
    assert run_cli(["init", str(target)]).exit_code == 0
    result = run_cli(["build", "--root", str(target), "--quiet"])
    assert result.exit_code == 0, result.output
    assert (target / "site" / "search" / "index.html").is_file()
    entry = json.loads((target / "site" / "pagefind" / "pagefind-entry.json").read_text(encoding="utf-8"))
    assert [v["page_count"] for v in entry["languages"].values()] == [0], "no page, not the placeholder"
    assert not list((target / "site" / "pagefind" / "fragment").iterdir())


def test_init_runs_git_init_and_writes_a_pinned_requirement(tmp_path: Path) -> None:
    from tsgen import __version__

    target = tmp_path / "new-kb"
    result = run_cli(["init", str(target)])
    assert_clean(result)
    assert (target / ".git").is_dir() and f"initialised a git repository in {target}" in result.stderr
    lines = [ln for ln in (target / "requirements.txt").read_text(encoding="utf-8").splitlines() if not ln.startswith("#")]
    assert lines == [f"tsgen-kb=={__version__}"]  # never the bare name `tsgen`, which is another project on PyPI
    for ci in (".github/workflows/tsgen.yml", ".gitlab-ci.yml"):
        text = (target / ci).read_text(encoding="utf-8")
        assert "pip install -r requirements.txt" in text and "pip install tsgen" not in text
    inside = target / "sub"
    assert run_cli(["init", str(inside)]).exit_code == 0
    assert not (inside / ".git").exists()  # already inside a repository: no nested one


def test_init_en_gets_english_labels(tmp_path: Path) -> None:
    target = tmp_path / "en-kb"
    assert run_cli(["init", str(target), "--language", "en"]).exit_code == 0
    text = (target / "mkdocs.yml").read_text(encoding="utf-8")
    assert "name: Switch to dark mode" in text and "name: Switch to light mode" in text
    assert not re.search(r"[\u4e00-\u9fff]", "\n".join(ln.split("#")[0] for ln in text.splitlines()))
    config = load_config(target)
    assert (config.language, config.site_name) == ("en", "Support knowledge base")
    assert "language: en" in text and "mdx_truly_sane_lists" in text
