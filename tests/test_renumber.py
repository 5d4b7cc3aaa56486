"""`tsgen renumber`: the next free id, every reference rewritten, nothing else touched."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import assert_clean, kb_text, run_cli, ticket_path, ticket_text, write
from gitutil import ALICE, GitRepo, git_env  # noqa: F401  (git_env is a fixture)
from tsgen.config import Config
from tsgen.repo.renumber import plan_renumber

OLD, NEW = "TS202311020001", "TS202311020002"
OTHER = "TS202311050001"
P_OLD, P_NEW, P_OTHER = ticket_path(OLD), ticket_path(NEW), ticket_path(OTHER)
KB = "kb/KB0001-vpn.md"


def old_ticket(**fields: str | None) -> str:
    body = f"## 问题描述\n\n本工单{OLD}由客户A提出，见 [{OLD}](./{OLD}.md)。\n"
    return ticket_text(body=body, **{"id": OLD, "title": "VPN 断线", "created": "2023-11-02 09:15", **fields})


def referring_ticket() -> str:
    return ticket_text(body=f"与 {OLD} 相同的问题；不是 {OLD}9 也不是 X{OLD}。\n",
                       **{"id": OTHER, "created": "2023-11-05 10:00", "related": f"[{OLD}]", "duplicate_of": OLD})


def crlf_bom_article() -> bytes:
    text = kb_text(extra=f"tickets:\n  - {OLD}\n", body=f"## 问题描述\n\n见工单{OLD}。\n\n## 原因分析\n\n证书过期。\n\n## 解决步骤\n\n- 更新证书\n")
    return b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8")


@pytest.fixture
def archive(archive_root: Path) -> Path:
    write(archive_root, P_OLD, old_ticket())
    write(archive_root, P_OTHER, referring_ticket())
    write(archive_root, KB, crlf_bom_article())
    write(archive_root, "kb/KB0002-unrelated.md", kb_text(id="KB0002"))
    return archive_root


def test_renumber_moves_the_ticket_and_rewrites_every_reference(archive: Path) -> None:
    before = {p: (archive / p).read_bytes() for p in (P_OLD, P_OTHER, KB, "kb/KB0002-unrelated.md")}

    result = run_cli(["renumber", OLD, "--root", archive])

    assert_clean(result)
    assert result.exit_code == 0, result.output
    assert result.stdout == (f"rename {P_OLD} -> {P_NEW}\n"
                             f"update {KB} (2 mentions)\n"
                             f"update {P_OTHER} (3 mentions)\n")
    assert f"{OLD} -> {NEW} (3 files changed)" in result.stderr
    assert not (archive / P_OLD).exists()
    assert (archive / P_NEW).read_bytes() == before[P_OLD].replace(OLD.encode(), NEW.encode())
    assert (archive / P_OTHER).read_text(encoding="utf-8") == ticket_text(
        body=f"与 {NEW} 相同的问题；不是 {OLD}9 也不是 X{OLD}。\n",
        **{"id": OTHER, "created": "2023-11-05 10:00", "related": f"[{NEW}]", "duplicate_of": NEW})
    assert (archive / KB).read_bytes() == before[KB].replace(OLD.encode(), NEW.encode())  # BOM and CRLF kept
    assert (archive / KB).read_bytes().startswith(b"\xef\xbb\xbf---\r\n")
    assert (archive / "kb/KB0002-unrelated.md").read_bytes() == before["kb/KB0002-unrelated.md"]

    valid = run_cli(["validate", "--root", archive])
    assert valid.exit_code == 0, valid.output


def test_dry_run_writes_nothing(archive: Path) -> None:
    before = {p: p.read_bytes() for p in archive.rglob("*.md")}

    result = run_cli(["renumber", OLD, "--root", archive, "--dry-run"])

    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == f"would rename {P_OLD} -> {P_NEW}"
    assert f"{OLD} -> {NEW} (dry run, nothing written)" in result.stderr
    assert {p: p.read_bytes() for p in archive.rglob("*.md")} == before


def test_the_next_id_skips_every_id_taken_that_day(archive: Path) -> None:
    write(archive, ticket_path(NEW), ticket_text(id=NEW, created="2023-11-02 11:00"))
    write(archive, "kb/KB0003-x.md", kb_text(id="KB0003", body="待补充：TS202311020007 的经验。\n"))

    assert plan_renumber(archive, Config(), OLD).new_id == "TS202311020008"  # the dangling mention counts
    assert plan_renumber(archive, Config(), OLD, base_ids={"TS202311020011", "TS202311030099"}).new_id == \
        "TS202311020012"


def test_the_new_id_takes_the_date_of_created(archive: Path) -> None:
    write(archive, P_OLD, old_ticket(created="2023-11-03 08:00"))  # the id's date was wrong
    plan = plan_renumber(archive, Config(), OLD)
    assert (plan.new_id, plan.new_path) == ("TS202311030001", "tickets/2023/11/TS202311030001.md")


def test_a_prefix_from_the_config_is_used(archive_root: Path) -> None:
    write(archive_root, "mkdocs.yml", "site_name: x\nextra:\n  tsgen:\n    id_prefix: HD\n")
    write(archive_root, "tickets/2023/11/HD202311020001.md", ticket_text(id="HD202311020001", created="2023-11-02 09:00"))
    result = run_cli(["renumber", "HD202311020001", "--root", archive_root])
    assert result.exit_code == 0, result.output
    assert (archive_root / "tickets/2023/11/HD202311020002.md").is_file()


def test_clean_errors(archive: Path) -> None:
    def error(*args: str) -> str:
        result = run_cli(["renumber", *args, "--root", archive])
        assert_clean(result)
        assert result.exit_code == 1, result.output
        return result.output.strip()

    assert error("TS20231102") == "Error: expected a ticket id like TS202310270001 or a KB id like KB0013, got 'TS20231102'"
    assert error("TS202311020099") == (f"Error: no ticket TS202311020099 under {archive / 'tickets'} "
                                       "(no file TS202311020099.md, no `id: TS202311020099`)")
    assert error(OLD, "--path", P_OTHER) == (f"Error: --path {P_OTHER}: expected one of the files holding {OLD} "
                                             f"({P_OLD}), got {P_OTHER}")
    (archive / P_NEW).mkdir()  # something else already has the name
    assert error(OLD) == f"Error: {P_NEW} already exists: refusing to overwrite it"


def test_two_files_with_the_id_need_path_and_only_that_file_changes(archive: Path) -> None:
    flat = f"tickets/{OLD}.md"
    write(archive, flat, old_ticket(title="打印机无法连接", created="2023-11-02 10:40"))
    other_before = (archive / P_OTHER).read_bytes()

    result = run_cli(["renumber", OLD, "--root", archive, "--path", str(archive / flat)])

    assert result.exit_code == 0, result.output
    assert result.stdout == f"rename {flat} -> tickets/{NEW}.md\n"
    warnings = [line.split(": warning: ")[0] for line in result.stderr.splitlines() if ": warning: " in line]
    assert warnings == [f"{KB}:6", f"{KB}:11", f"{P_OTHER}:8", f"{P_OTHER}:9", f"{P_OTHER}:12"]
    assert f"{P_OTHER}:8: warning: mentions {OLD}, which still names another ticket; left as it is: " \
           f"change it to {NEW} if it means the renumbered one" in result.stderr
    assert (archive / P_OTHER).read_bytes() == other_before
    assert (archive / P_OLD).read_text(encoding="utf-8") == old_ticket()
    assert "打印机无法连接" in (archive / f"tickets/{NEW}.md").read_text(encoding="utf-8")


def test_base_ids_come_from_git(tmp_path: Path, git_env: None) -> None:
    repo = GitRepo(tmp_path / "repo")
    write(repo.path, P_OLD, old_ticket())
    repo.commit("main", ALICE)
    repo.git("switch", "-q", "-c", "work")
    repo.git("switch", "-q", "main")
    write(repo.path, P_NEW, ticket_text(id=NEW, created="2023-11-02 11:00"))
    repo.commit("main takes 0002", ALICE)
    repo.git("switch", "-q", "work")

    result = run_cli(["renumber", OLD, "--root", repo.path, "--base", "main"])

    assert result.exit_code == 0, result.output
    assert result.stdout == f"rename {P_OLD} -> {ticket_path('TS202311020003')}\n"


def test_unknown_base_is_a_clean_error(tmp_path: Path, git_env: None) -> None:
    repo = GitRepo(tmp_path / "repo")
    write(repo.path, P_OLD, old_ticket())
    repo.commit("main", ALICE)
    result = run_cli(["renumber", OLD, "--root", repo.path, "--base", "origin/main"])
    assert_clean(result)
    assert result.exit_code == 1
    assert result.output.startswith("Error: unknown git revision 'origin/main'")
    assert (repo.path / P_OLD).is_file()


def test_renumber_moves_a_kb_article_and_its_references(archive: Path) -> None:
    write(archive, P_OTHER, referring_ticket().replace("---\n\n", "kb: [KB0001, KB0002]\n---\n\n", 1)
          + "\n见 [文章](../../../kb/KB0001-vpn.md)；KB00010 与 KB0009 不是它。\n")
    before = (archive / KB).read_bytes()

    result = run_cli(["renumber", "KB0001", "--root", archive])

    assert_clean(result)
    assert result.exit_code == 0, result.output
    # KB0009 is mentioned, KB00010 is a mention of number 10: the next free number is 11
    assert result.stdout == f"rename {KB} -> kb/KB0011-vpn.md\nupdate {P_OTHER} (2 mentions)\n"
    assert not (archive / KB).exists()
    assert (archive / "kb/KB0011-vpn.md").read_bytes() == before.replace(b"KB0001", b"KB0011")  # BOM and CRLF kept
    text = (archive / P_OTHER).read_text(encoding="utf-8")
    assert "kb: [KB0011, KB0002]" in text and "(../../../kb/KB0011-vpn.md)" in text and "KB00010" in text
    valid = run_cli(["validate", "--root", archive])
    assert "KB0011" not in valid.stdout, valid.output


def test_a_kb_id_in_two_files_needs_path(archive: Path) -> None:
    write(archive, "kb/KB0001-other.md", kb_text(id="KB0001", title="另一篇"))
    ambiguous = run_cli(["renumber", "KB0001", "--root", archive])
    assert ambiguous.exit_code == 1
    assert ("Error: KB0001 names 2 articles: kb/KB0001-other.md, kb/KB0001-vpn.md; choose the one to renumber "
            "with --path") in ambiguous.output
    fixed = run_cli(["renumber", "KB0001", "--root", archive, "--path", "kb/KB0001-other.md"])
    assert fixed.exit_code == 0, fixed.output
    assert fixed.stdout == "rename kb/KB0001-other.md -> kb/KB0003-other.md\n"
    missing = run_cli(["renumber", "KB0077", "--root", archive])
    assert missing.exit_code == 1 and "no KB article KB0077 under" in missing.output
