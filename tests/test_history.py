"""history.py on real git repositories: created/updated/contributors, renames, and graceful degradation."""

from __future__ import annotations

import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from conftest import kb_text, ticket_path, ticket_text
from gitutil import ALICE, BOB, CAROL, GitRepo, git_env  # noqa: F401  (git_env is a fixture)
from tsgen.config import Config
from tsgen.errors import HistoryError
from tsgen.repo.history import (SHALLOW_WARNING, History, changed_since, contributors_summary, files_at, parse_log,
                           read_history, resolve_ref)
from tsgen.archive.link import load_archive

T1 = "TS202311020001"
T2 = "TS202311020002"
P1, P2 = ticket_path(T1), ticket_path(T2)
KB = "kb/KB0001-vpn.md"
CST = timezone(timedelta(hours=8))


def ticket(tid: str, **fields: str) -> str:
    return ticket_text(id=tid, created="2023-11-02 10:00", **fields)


@pytest.fixture
def repo(tmp_path: Path, git_env: None) -> GitRepo:
    return GitRepo(tmp_path / "repo")


def test_authors_give_created_updated_and_contributors(repo: GitRepo) -> None:
    repo.write(P1, ticket(T1))
    repo.write(KB, kb_text())
    repo.commit("Alice opens a ticket and writes the article", ALICE, "2023-11-02T10:05:00+08:00")
    repo.write(P1, ticket(T1, status="awaiting-customer"))
    repo.commit("Bob asks the customer", BOB, "2023-11-03T09:00:00+08:00")
    repo.write(P1, ticket(T1, status="pending"))
    repo.commit("Bob again", BOB, "2023-11-04T09:00:00+08:00")
    repo.write(KB, kb_text(title="VPN 连接失败的处理"))
    last = repo.commit("Carol renames the article title", CAROL, "2023-11-05T18:30:00+08:00")

    history = read_history(repo.path)

    assert history.warning is None
    assert set(history.files) == {P1, KB}
    t = history.get(P1)
    assert t is not None
    assert (t.created, t.created_by, t.created_email) == (datetime(2023, 11, 2, 10, 5, tzinfo=CST), "Alice",
                                                          "alice@example.com")
    assert (t.updated, t.updated_by, t.updated_email) == (datetime(2023, 11, 4, 9, 0, tzinfo=CST), "Bob",
                                                          "bob@example.com")
    assert t.contributors == ["Bob", "Alice"]  # most commits first
    assert t.commits == 3
    k = history.get(KB)
    assert k is not None
    assert (k.created_by, k.updated_by, k.updated_commit, k.commits) == ("Alice", "Carol", last, 2)
    assert k.contributors == ["Alice", "Carol"]  # a tie: who came first
    assert history.get("tickets/never/committed.md") is None


def test_a_rename_keeps_the_history(repo: GitRepo) -> None:
    repo.write(P1, ticket(T1))
    repo.commit("create", ALICE, "2023-11-02T10:05:00+08:00")
    repo.write(P1, ticket(T1, status="awaiting-customer"))
    repo.commit("edit", CAROL)
    repo.git("mv", P1, P2)
    repo.write(P2, ticket(T2))
    repo.commit("renumber", BOB)

    history = read_history(repo.path)

    assert set(history.files) == {P2}
    moved = history.get(P2)
    assert moved is not None
    assert (moved.created_by, moved.updated_by, moved.commits) == ("Alice", "Bob", 3)
    assert moved.created == datetime(2023, 11, 2, 10, 5, tzinfo=CST)
    assert moved.contributors == ["Alice", "Carol", "Bob"]


def test_a_file_recreated_at_a_deleted_path_starts_a_new_history(repo: GitRepo) -> None:
    repo.write(P1, ticket(T1, title="first"))
    repo.commit("first ticket", ALICE)
    repo.git("rm", "-q", P1)
    repo.commit("delete it", BOB)
    repo.write(P1, ticket(T1, title="second"))
    repo.commit("a new ticket under the old name", CAROL)

    fh = read_history(repo.path).get(P1)

    assert fh is not None
    assert (fh.created_by, fh.commits, fh.contributors) == ("Carol", 1, ["Carol"])


def test_an_archive_in_a_subfolder_has_paths_relative_to_its_root(repo: GitRepo) -> None:
    repo.write("docs/support/" + P1, ticket(T1))
    repo.write("docs/support/kb/KB0002-数据库连接超时.md", kb_text(id="KB0002"))
    repo.write("tickets/outside.md", "not part of the archive\n")
    repo.commit("archive lives in docs/support", BOB)

    history = read_history(repo.path / "docs" / "support")

    assert history.warning is None
    assert set(history.files) == {P1, "kb/KB0002-数据库连接超时.md"}
    assert files_at(repo.path / "docs" / "support", "HEAD")[P1] == ticket(T1).encode()


def test_a_shallow_clone_shows_no_history_and_one_warning(repo: GitRepo, tmp_path: Path) -> None:
    repo.write(P1, ticket(T1))
    repo.commit("one", ALICE)
    repo.write(P1, ticket(T1, status="awaiting-customer"))
    repo.commit("two", BOB)
    clone = tmp_path / "clone"
    repo.git("clone", "-q", "--depth", "1", f"file://{repo.path}", str(clone))

    history = read_history(clone)

    assert history.files == {}
    assert history.warning == SHALLOW_WARNING == "shallow clone: history not shown; fetch with fetch-depth: 0"


def test_a_folder_outside_git_gives_one_warning(tmp_path: Path, git_env: None) -> None:
    (tmp_path / "plain" / "tickets").mkdir(parents=True)

    history = read_history(tmp_path / "plain")

    assert history == History(files={}, warning=f"{tmp_path / 'plain'} is not in a git repository: "
                                                "created/updated dates and contributors are not shown")


def test_a_repository_without_commits_gives_one_warning(repo: GitRepo) -> None:
    repo.write(P1, ticket(T1))
    history = read_history(repo.path)
    assert history.files == {}
    assert history.warning == ("the git repository has no commits yet: "
                               "created/updated dates and contributors are not shown")


def test_git_not_installed_gives_one_warning(repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    repo.write(P1, ticket(T1))
    repo.commit("one", ALICE)
    monkeypatch.setitem(sys.modules, "git", None)  # what GitPython does without a git executable: ImportError

    history = read_history(repo.path)

    assert history.files == {}
    assert history.warning is not None and history.warning.startswith("git is not installed (or not on PATH)")


def test_git_executable_vanishing_gives_one_warning(repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    import git

    repo.write(P1, ticket(T1))
    repo.commit("one", ALICE)
    monkeypatch.setattr(git.Git, "GIT_PYTHON_GIT_EXECUTABLE", str(repo.path / "no-such-git"))

    history = read_history(repo.path)

    assert history.files == {}
    assert history.warning is not None and "not shown" in history.warning


def test_revision_helpers(repo: GitRepo) -> None:
    repo.write(P1, ticket(T1))
    first = repo.commit("one", ALICE)
    repo.write(KB, kb_text())
    repo.commit("two", BOB)
    repo.write(P2, ticket(T2))  # untracked
    repo.write(P1, ticket(T1, status="awaiting-customer"))  # uncommitted edit

    assert resolve_ref(repo.path, "HEAD~1") == first
    assert set(files_at(repo.path, first)) == {P1}
    assert changed_since(repo.path, first) == {KB, P1, P2}
    with pytest.raises(HistoryError, match=r"unknown git revision 'origin/main' in .*: check the name, or fetch it"):
        resolve_ref(repo.path, "origin/main")
    with pytest.raises(HistoryError, match="is not a git revision"):
        resolve_ref(repo.path, "--output=/tmp/x")


def test_parse_log_follows_a_chain_of_renames() -> None:
    def commit(sha: str, day: int, name: str, *entries: str) -> str:
        return f"\x1e{sha}\x1f2023-11-{day:02d}T10:00:00+08:00\x1f{name}\x1f{name.lower()}@x\0\n" + \
            "".join(e + "\0" for e in entries)
    out = (commit("c3", 3, "Carol", "R100", "kb/b.md", "kb/c.md")
           + commit("c2", 2, "Bob", "R090", "kb/a.md", "kb/b.md")
           + commit("c1", 1, "Alice", "A", "kb/a.md"))

    files = parse_log(out)

    assert list(files) == ["kb/c.md"]
    assert (files["kb/c.md"].created_by, files["kb/c.md"].commits) == ("Alice", 3)


def test_parse_log_reads_a_commit_against_the_map_before_it() -> None:
    """One commit moves a.md to b.md and adds a new a.md: the older history belongs to b.md only."""
    out = (f"\x1e2\x1f2023-11-02T10:00:00+08:00\x1fBob\x1fb@x\0\nA\0kb/a.md\0R100\0kb/a.md\0kb/b.md\0"
           f"\x1e1\x1f2023-11-01T10:00:00+08:00\x1fAlice\x1fa@x\0\nA\0kb/a.md\0")

    files = parse_log(out)

    assert (files["kb/a.md"].created_by, files["kb/a.md"].commits) == ("Bob", 1)
    assert (files["kb/b.md"].created_by, files["kb/b.md"].commits) == ("Alice", 2)


def test_contributors_summary(repo: GitRepo) -> None:
    """Tickets are credited to their assignee (else the resolving log step), not to the committer."""
    resolved = dict(status="resolved", resolved="2023-11-02 12:00", solution="重启服务")
    repo.write(P1, ticket(T1))
    repo.write(KB, kb_text(extra=f"tickets: [{T1}]"))
    repo.commit("Alice opens T1 and writes KB0001", ALICE)
    repo.write(P1, ticket(T1, **resolved, assignee="Bob"))
    repo.commit("Bob resolves T1", BOB)
    repo.write(P2, ticket(T2, **resolved, log='[{at: "2023-11-02 11:00", by: Carol, action: 重启服务}]'))
    repo.write("kb/KB0002-db.md", kb_text(id="KB0002", extra=f"tickets: [{T2}]"))
    repo.commit("Carol logs a resolved T2 with its article", CAROL)
    repo.write(KB, kb_text(title="VPN 连接失败", extra=f"tickets: [{T1}]"))
    repo.commit("Bob improves KB0001", BOB)

    archive = load_archive(repo.path, Config())
    assert not archive.errors, archive.errors
    summary = contributors_summary(read_history(repo.path), archive)

    assert [c.as_dict() for c in summary] == [
        {"name": "Bob", "email": "bob@example.com", "articles_written": 0, "articles_updated": 1,
         "tickets_closed": 1, "commits": 2, "written": [], "updated": ["KB0001"], "closed": [T1]},
        {"name": "Carol", "email": "carol@example.com", "articles_written": 1, "articles_updated": 0,
         "tickets_closed": 1, "commits": 1, "written": ["KB0002"], "updated": [], "closed": [T2]},
        {"name": "Alice", "email": "alice@example.com", "articles_written": 1, "articles_updated": 0,
         "tickets_closed": 0, "commits": 1, "written": ["KB0001"], "updated": [], "closed": []},
    ]


def test_a_ticket_is_not_credited_to_whoever_committed_it(repo: GitRepo) -> None:
    """Alice types up a ticket that Dave (no git account) resolved: Dave gets the ticket, Alice the commit."""
    repo.write(P1, ticket(T1, status="resolved", resolved="2023-11-02 12:00", solution="重启服务", assignee="Dave"))
    repo.commit("Alice records T1", ALICE)
    summary = {c.name: c for c in contributors_summary(read_history(repo.path), load_archive(repo.path, Config()))}
    assert summary["Dave"].closed == [T1] and summary["Dave"].commits == 0
    assert summary["Alice"].closed == [] and summary["Alice"].commits == 1
