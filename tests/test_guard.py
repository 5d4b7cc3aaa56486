"""`tsgen validate --base REF` and `--changed-since REF` on real git repositories and branches."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import Result

from conftest import assert_clean, kb_text, run_cli, ticket_path, ticket_text
from gitutil import ALICE, BOB, CAROL, GitRepo, git_env  # noqa: F401  (git_env is a fixture)

ARCHIVED = "TS202311010001"
PENDING = "TS202311010002"
NEW = "TS202311020001"
PA, PP, PN = ticket_path(ARCHIVED), ticket_path(PENDING), ticket_path(NEW)
RESOLVED = dict(type="consultation", status="resolved", resolved="2023-11-01 15:00", solution="已告知配置方法")


def archived_text(body: str = "## 问题描述\n\n客户询问如何配置 VPN。\n", **fields: str | None) -> str:
    return ticket_text(body=body, **{"id": ARCHIVED, "title": "如何配置 VPN", "created": "2023-11-01 09:30",
                                     **RESOLVED, "archive": "archived", **fields})


def pending_text(**fields: str | None) -> str:
    return ticket_text(**{"id": PENDING, "title": "报表导出慢", "created": "2023-11-01 11:00", **fields})


def new_text(title: str, created: str, **fields: str | None) -> str:
    return ticket_text(**{"id": NEW, "title": title, "created": created, **fields})


@pytest.fixture
def repo(tmp_path: Path, git_env: None) -> GitRepo:
    """main: one archived and one pending ticket; HEAD on a branch `work` made from it."""
    r = GitRepo(tmp_path / "repo")
    r.write(PA, archived_text())
    r.write(PP, pending_text())
    r.commit("two tickets", ALICE)
    r.git("switch", "-q", "-c", "work")
    return r


def validate(repo: GitRepo, *args: str) -> Result:
    result = run_cli(["validate", "--root", repo.path, *args])
    assert_clean(result)
    return result


def short(repo: GitRepo, ref: str = "main") -> str:
    return repo.git("rev-parse", "--short=7", ref).strip()


def test_unchanged_branch_passes(repo: GitRepo) -> None:
    result = validate(repo, "--base", "main")
    assert result.exit_code == 0, result.output
    assert "2 files checked: 0 errors, 0 warnings (ok)" in result.output


def test_deleting_an_archived_ticket_fails(repo: GitRepo) -> None:
    repo.git("rm", "-q", PA)
    repo.commit("tidy up", BOB)

    result = validate(repo, "--base", "main")

    assert result.exit_code == 1
    assert result.stdout == (f"{PA}: error: archive: archived ticket {ARCHIVED} on main ({short(repo)}) was deleted "
                             f"or renamed to another id; archived tickets must stay: restore it with "
                             f"`git checkout main -- {PA}`\n")


def test_deleting_it_without_committing_fails_too(repo: GitRepo) -> None:
    (repo.path / PA).unlink()
    result = validate(repo, "--base", "main")
    assert result.exit_code == 1
    assert f"archived ticket {ARCHIVED} on main ({short(repo)}) was deleted" in result.stdout


def test_changing_an_archived_tickets_priority_fails(repo: GitRepo) -> None:
    repo.write(PA, archived_text(priority="P3"))
    repo.commit("lower priority", BOB)

    result = validate(repo, "--base", "main")

    assert result.exit_code == 1
    assert result.stdout == (
        f"{PA}:5: error: priority: archived ticket {ARCHIVED} on main ({short(repo)}) is read-only, but its front "
        f"matter changed: priority: was 'P2', now 'P3'. Only the body may be reworded; follow up in a new ticket "
        f"with `related: [{ARCHIVED}]`, or link a KB article from the article's `tickets` list\n")


def test_every_changed_field_is_listed(repo: GitRepo) -> None:
    repo.write(PA, archived_text(archive="pending", extra="tags: [VPN]"))
    repo.commit("reopen", BOB)

    result = validate(repo, "--base", "main")

    assert result.exit_code == 1
    assert "front matter changed: archive: was 'archived', now 'pending'; tags: was absent, now ['VPN']." \
        in result.stdout


def test_rewording_the_body_or_respelling_values_passes(repo: GitRepo) -> None:
    body = "## 问题描述\n\n客户询问如何在 Windows 上配置 VPN 客户端。\n"
    repo.write(PA, archived_text(body=body, priority="中", created='"2023-11-01T09:30:00+08:00"',
                                 type="咨询", archive="已归档"))
    repo.commit("wording", BOB)

    result = validate(repo, "--base", "main")

    assert result.exit_code == 0, result.output


def test_renaming_an_archived_ticket_to_another_id_fails(repo: GitRepo) -> None:
    other = "TS202311010003"
    repo.git("mv", PA, ticket_path(other))
    repo.write(ticket_path(other), archived_text(id=other))
    repo.commit("renumber by hand", BOB)

    result = validate(repo, "--base", "main")

    assert result.exit_code == 1
    assert f"{PA}: error: archive: archived ticket {ARCHIVED} on main ({short(repo)}) was deleted or renamed " \
           "to another id" in result.stdout


def test_moving_an_archived_ticket_to_another_folder_passes_but_changes_do_not(repo: GitRepo) -> None:
    moved = f"tickets/archive/{ARCHIVED}.md"
    (repo.path / "tickets" / "archive").mkdir()
    repo.git("mv", PA, moved)
    repo.commit("move", BOB)
    assert validate(repo, "--base", "main").exit_code == 0

    repo.write(moved, archived_text(title="如何配置 VPN（已归档）"))
    result = validate(repo, "--base", "main")
    assert result.exit_code == 1
    assert f"{moved}:3: error: title: archived ticket {ARCHIVED} (moved from {PA}) on main" in result.stdout


def test_a_branch_may_archive_and_edit_a_pending_ticket(repo: GitRepo) -> None:
    repo.write(PP, pending_text(priority="P3", status="resolved", resolved="2023-11-01 16:00",
                                solution="建议分批导出", archive="archived"))
    repo.commit("resolve and archive", BOB)
    assert validate(repo, "--base", "main").exit_code == 0


def test_what_main_gained_after_the_branch_left_is_not_the_branchs_change(repo: GitRepo) -> None:
    repo.git("switch", "-q", "main")
    late = "TS202311030001"
    repo.write(ticket_path(late), ticket_text(**{"id": late, "created": "2023-11-03 09:00", **RESOLVED,
                                                 "resolved": "2023-11-03 10:00", "archive": "archived"}))
    repo.commit("main archives another ticket", CAROL)
    repo.git("switch", "-q", "work")
    repo.write(PP, pending_text(priority="P3"))
    repo.commit("branch edits a pending ticket", BOB)

    assert validate(repo, "--base", "main").exit_code == 0


def two_branches_take_the_same_id(repo: GitRepo) -> None:
    """first: NEW is a VPN ticket, merged into main; `work` (HEAD): NEW is a printer ticket."""
    repo.git("switch", "-q", "-c", "first", "main")
    repo.write(PN, new_text("VPN 断线", "2023-11-02 09:15"))
    repo.commit("first ticket of the day", CAROL)
    repo.git("switch", "-q", "main")
    repo.git("merge", "-q", "--no-ff", "-m", "merge first", "first")
    repo.git("switch", "-q", "work")
    repo.write(PN, new_text("打印机无法连接", "2023-11-02 10:40"))
    repo.commit("my ticket of the day", BOB)


def test_same_id_for_a_different_ticket_fails_then_renumber_fixes_it(repo: GitRepo) -> None:
    two_branches_take_the_same_id(repo)

    result = validate(repo, "--base", "main")

    assert result.exit_code == 1
    assert result.stdout == (  # the path did not exist when `work` left main: both branches added it
        f"{PN}:2: error: id: id collision: {PN} was also added on main ({short(repo)}) after this branch left it, "
        f"as another ticket ('VPN 断线', created 2023-11-02 09:15+08:00): both branches took {NEW}. Give this "
        f"ticket its own id with `tsgen renumber {NEW} --path {PN} --base main`\n")

    fixed = run_cli(["renumber", NEW, "--root", repo.path, "--path", PN, "--base", "main"])
    assert fixed.exit_code == 0, fixed.output
    renumbered = ticket_path("TS202311020002")
    assert fixed.stdout == f"rename {PN} -> {renumbered}\n"
    repo.commit("renumber", BOB)
    assert validate(repo, "--base", "main").exit_code == 0

    repo.git("merge", "-q", "--no-edit", "main")  # now merges cleanly: both tickets side by side
    assert (repo.path / PN).read_text(encoding="utf-8") == new_text("VPN 断线", "2023-11-02 09:15")
    assert "打印机无法连接" in (repo.path / renumbered).read_text(encoding="utf-8")
    assert validate(repo, "--base", "main").exit_code == 0


def test_a_merge_that_kept_the_branchs_version_fails(repo: GitRepo) -> None:
    two_branches_take_the_same_id(repo)
    with pytest.raises(AssertionError, match="CONFLICT"):
        repo.git("merge", "-q", "main")
    repo.write(PN, new_text("打印机无法连接", "2023-11-02 10:40"))  # conflict "resolved" by keeping ours
    repo.commit("merge main", BOB)

    result = validate(repo, "--base", "main")

    assert result.exit_code == 1
    assert f"id {NEW} was 'VPN 断线', created 2023-11-02 09:15+08:00, on main ({short(repo)}); now it names a " \
           "different ticket" in result.stdout

    assert run_cli(["renumber", NEW, "--root", repo.path, "--base", "main"]).exit_code == 0
    repo.git("checkout", "main", "--", PN)
    repo.commit("renumber mine, restore theirs", BOB)
    assert validate(repo, "--base", "main").exit_code == 0


def test_an_id_taken_at_another_path_is_a_collision(repo: GitRepo) -> None:
    two_branches_take_the_same_id(repo)
    flat = f"tickets/{NEW}.md"
    repo.git("mv", PN, flat)
    repo.commit("my ticket lives in a flat folder", BOB)
    repo.git("merge", "-q", "--no-edit", "main")  # clean merge, two files with the same id

    result = validate(repo, "--base", "main", "--format", "github")

    assert result.exit_code == 1
    assert (f"::error file={flat},line=2,title=id::id collision: {NEW} is already used on main ({short(repo)}) by "
            f"{PN} ('VPN 断线', created 2023-11-02 09:15+08:00); give this new ticket its own id with "
            f"`tsgen renumber {NEW} --path {flat} --base main`") in result.stdout

    ambiguous = run_cli(["renumber", NEW, "--root", repo.path])
    assert ambiguous.exit_code == 1
    assert f"Error: {NEW} names 2 tickets: {PN}, {flat}; choose the one to renumber with --path" in ambiguous.output

    fixed = run_cli(["renumber", NEW, "--root", repo.path, "--path", flat, "--base", "main"])
    assert fixed.exit_code == 0, fixed.output
    assert fixed.stdout == f"rename {flat} -> tickets/TS202311020002.md\n"
    assert validate(repo, "--base", "main").exit_code == 0


def test_changed_since_reports_only_the_branchs_files(repo: GitRepo) -> None:
    repo.git("switch", "-q", "main")
    broken = "TS202311010004"
    repo.write(ticket_path(broken), ticket_text(id=broken, created="2023-11-01 12:00", priority="P9"))
    repo.commit("main has a broken ticket", CAROL)
    repo.git("switch", "-q", "-c", "feature")
    repo.write(PN, new_text("打印机无法连接", "2023-11-02 10:40", channel="fax", extra=f"related: [{PENDING}]"))

    everything = validate(repo)
    only_mine = validate(repo, "--changed-since", "main")

    assert everything.exit_code == only_mine.exit_code == 1
    assert "priority: expected one of" in everything.stdout
    assert only_mine.stdout.splitlines() == [
        f"{PN}:8: error: channel: expected one of ticket-system (工单系统), im (即时通讯), phone (电话), "
        "email (邮件), web (在线客服), other (其他), got 'fax'"]
    assert "1 file checked: 1 error, 0 warnings (failed)" in only_mine.output


def test_unknown_ref_is_a_clean_error(repo: GitRepo) -> None:
    result = validate(repo, "--base", "origin/main")
    assert result.exit_code == 1
    assert result.output.strip() == (f"Error: unknown git revision 'origin/main' in {repo.path}: "
                                     "check the name, or fetch it first (git fetch origin)")


def test_base_outside_git_is_a_clean_error(tmp_path: Path, git_env: None) -> None:
    (tmp_path / "tickets").mkdir()
    result = run_cli(["validate", "--root", tmp_path, "--base", "main"])
    assert_clean(result)
    assert result.exit_code == 1
    assert result.output.strip() == f"Error: {tmp_path} is not in a git repository"


def test_an_archive_in_a_subfolder_of_the_repository(tmp_path: Path, git_env: None) -> None:
    repo = GitRepo(tmp_path / "repo")
    repo.write(f"support/{PA}", archived_text())
    repo.write("support/mkdocs.yml", "site_name: x\n")
    repo.commit("archive in support/", ALICE)
    repo.git("switch", "-q", "-c", "work")
    repo.git("rm", "-q", f"support/{PA}")
    repo.commit("tidy up", BOB)

    result = run_cli(["validate", "--root", repo.path / "support", "--base", "main"])

    assert_clean(result)
    assert result.exit_code == 1
    assert result.stdout.startswith(f"{PA}: error: archive: archived ticket {ARCHIVED} on main ({short(repo)}) "
                                    f"was deleted or renamed to another id; archived tickets must stay: restore it "
                                    f"with `git checkout main -- support/{PA}`")
    changed = run_cli(["validate", "--root", repo.path / "support", "--changed-since", "main"])
    assert changed.exit_code == 0 and "0 files checked" in changed.output


# --- both branches add the same path; KB ids; shallow clones ---------------------------------------

def both_branches_add(repo: GitRepo, path: str, theirs: str, mine: str) -> None:
    """`first` adds `path` with `theirs` and is merged into main; `work` (HEAD) adds it with `mine`."""
    repo.git("switch", "-q", "-c", "first", "main")
    repo.write(path, theirs)
    repo.commit("first branch adds it", CAROL)
    repo.git("switch", "-q", "main")
    repo.git("merge", "-q", "--no-ff", "-m", "merge first", "first")
    repo.git("switch", "-q", "work")
    repo.write(path, mine)
    repo.commit("my branch adds it", BOB)


def test_the_same_path_added_on_both_sides_with_the_same_created_is_a_collision(repo: GitRepo) -> None:
    both_branches_add(repo, PN, new_text("VPN 断线", "2023-11-02 09:15"), new_text("打印机无法连接", "2023-11-02 09:15"))

    result = validate(repo, "--base", "main")

    assert result.exit_code == 1
    assert result.stdout == (
        f"{PN}:2: error: id: id collision: {PN} was also added on main ({short(repo)}) after this branch left it, "
        f"as another ticket ('VPN 断线', created 2023-11-02 09:15+08:00): both branches took {NEW}. Give this "
        f"ticket its own id with `tsgen renumber {NEW} --path {PN} --base main`\n")
    fixed = run_cli(["renumber", NEW, "--root", repo.path, "--path", PN, "--base", "main"])
    assert fixed.exit_code == 0, fixed.output
    repo.commit("renumber", BOB)
    assert validate(repo, "--base", "main").exit_code == 0
    repo.git("merge", "-q", "--no-edit", "main")  # merges cleanly: both tickets side by side
    assert validate(repo, "--base", "main").exit_code == 0


def test_the_same_path_with_the_same_fields_but_another_body_is_a_collision_too(repo: GitRepo) -> None:
    theirs = new_text("VPN 断线", "2023-11-02 09:15")
    both_branches_add(repo, PN, theirs, theirs.replace("客户A反馈登录后报错。", "另一位客户的问题。"))
    result = validate(repo, "--base", "main")
    assert result.exit_code == 1 and f"id collision: {PN} was also added on main" in result.stdout


def test_the_very_same_file_on_both_sides_is_no_collision(repo: GitRepo) -> None:
    same = new_text("VPN 断线", "2023-11-02 09:15")
    both_branches_add(repo, PN, same, same.replace("\n", "\r\n"))  # line endings of a Windows checkout
    assert validate(repo, "--base", "main").exit_code == 0


KB_A, KB_B = "kb/KB0013-vpn.md", "kb/KB0013-printer.md"


def test_two_branches_adding_the_same_kb_id_collide_and_renumber_moves_the_article(repo: GitRepo) -> None:
    repo.git("switch", "-q", "-c", "first", "main")
    repo.write(KB_A, kb_text(id="KB0013", title="VPN 断线的处理"))
    repo.commit("first branch writes KB0013", CAROL)
    repo.git("switch", "-q", "main")
    repo.git("merge", "-q", "--no-ff", "-m", "merge first", "first")
    repo.git("switch", "-q", "work")
    repo.write(KB_B, kb_text(id="KB0013", title="打印机无法连接的处理"))
    repo.write(PP, pending_text(kb="KB0013"))  # my ticket links my article
    repo.commit("my branch writes KB0013 too", BOB)

    result = validate(repo, "--base", "main")

    assert result.exit_code == 1
    assert result.stdout == (
        f"{KB_B}:2: error: id: id collision: KB0013 is already used on main ({short(repo)}) by {KB_A} "
        f"('VPN 断线的处理'), added after this branch left it: both branches took KB0013. Give this article its own "
        f"id with `tsgen renumber KB0013 --path {KB_B} --base main`\n")

    fixed = run_cli(["renumber", "KB0013", "--root", repo.path, "--path", KB_B, "--base", "main"])
    assert fixed.exit_code == 0, fixed.output
    assert fixed.stdout == f"rename {KB_B} -> kb/KB0014-printer.md\nupdate {PP} (1 mention)\n"
    assert "id: KB0014" in (repo.path / "kb/KB0014-printer.md").read_text(encoding="utf-8")
    assert "kb: KB0014" in (repo.path / PP).read_text(encoding="utf-8")
    repo.commit("renumber my article", BOB)
    assert validate(repo, "--base", "main").exit_code == 0
    repo.git("merge", "-q", "--no-edit", "main")
    assert validate(repo, "--base", "main").exit_code == 0


def test_the_same_kb_path_added_on_both_sides_is_a_collision(repo: GitRepo) -> None:
    both_branches_add(repo, "kb/KB0013.md", kb_text(id="KB0013", title="VPN 断线的处理"),
                      kb_text(id="KB0013", title="打印机无法连接的处理"))
    result = validate(repo, "--base", "main")
    assert result.exit_code == 1
    assert result.stdout == (
        f"kb/KB0013.md:2: error: id: id collision: kb/KB0013.md was also added on main ({short(repo)}) after this "
        f"branch left it, as another article ('VPN 断线的处理'): both branches took KB0013. Give this article its own "
        f"id with `tsgen renumber KB0013 --path kb/KB0013.md --base main`\n")


def test_renaming_or_editing_an_article_and_what_main_gained_are_no_collision(repo: GitRepo) -> None:
    repo.git("switch", "-q", "main")
    repo.write("kb/KB0001-vpn.md", kb_text(id="KB0001"))
    repo.commit("an article", ALICE)
    repo.git("switch", "-q", "-C", "work")
    repo.git("switch", "-q", "main")
    repo.write("kb/KB0002-other.md", kb_text(id="KB0002", title="main's new article"))
    repo.commit("main gains an article", CAROL)
    repo.git("switch", "-q", "work")
    repo.git("mv", "kb/KB0001-vpn.md", "kb/KB0001-vpn-timeout.md")
    repo.write("kb/KB0001-vpn-timeout.md", kb_text(id="KB0001", title="VPN 超时"))
    repo.commit("rename and edit my article", BOB)
    assert validate(repo, "--base", "main").exit_code == 0


def test_a_shallow_clone_without_a_merge_base_says_how_to_fix_it(repo: GitRepo, tmp_path: Path) -> None:
    repo.write(PN, new_text("打印机无法连接", "2023-11-02 10:40"))
    repo.commit("my ticket", BOB)
    repo.git("switch", "-q", "main")
    repo.write(PP, pending_text(priority="P3"))
    repo.commit("main moves on", CAROL)
    clone = GitRepo(tmp_path / "clone", init=False)
    clone.git("clone", "-q", "--depth", "1", "--branch", "work", f"file://{repo.path}", ".")
    clone.git("fetch", "-q", "--depth", "1", "origin", "main:refs/remotes/origin/main")

    result = validate(clone, "--base", "origin/main")

    assert result.exit_code == 1
    assert result.output.strip() == (
        "Error: origin/main and HEAD have no common history in this clone because it is shallow (only the newest "
        "commits were fetched), so the branch's changes cannot be told apart: fetch the whole history "
        "(actions/checkout with `fetch-depth: 0`, `GIT_DEPTH: 0` on GitLab, or `git fetch --unshallow` here)")
