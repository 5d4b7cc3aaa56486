"""Real git repositories for the tests of history, guard and renumber: isolated from the machine's git config.

`git_env` (a fixture: import it into the test module) points HOME and the global config at the test's
tmp_path and ignores the system config, so GitPython inside tsgen sees the same clean git as the helper.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

ALICE = ("Alice", "alice@example.com")
BOB = ("Bob", "bob@example.com")
CAROL = ("Carol", "carol@example.com")


@pytest.fixture
def git_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Isolate every git process of the test (ours and tsgen's) from the user's and system's config."""
    home = tmp_path / "_home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
    for key in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL",
                "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL", "GIT_AUTHOR_DATE", "GIT_COMMITTER_DATE"):
        monkeypatch.delenv(key, raising=False)
    (home / ".gitconfig").write_text("[init]\n\tdefaultBranch = main\n[advice]\n\tdetachedHead = false\n")


class GitRepo:
    """A working tree driven by the git command line; each commit names its author and date."""

    def __init__(self, path: Path, init: bool = True) -> None:
        self.path = path
        path.mkdir(parents=True, exist_ok=True)
        self._tick = 0
        if init:
            self.git("init", "-q", "-b", "main")

    def git(self, *args: str, author: tuple[str, str] = ALICE, date: str | None = None) -> str:
        """Run git in the repository; raise with git's stderr on failure."""
        env = dict(os.environ, GIT_AUTHOR_NAME=author[0], GIT_AUTHOR_EMAIL=author[1],
                   GIT_COMMITTER_NAME=author[0], GIT_COMMITTER_EMAIL=author[1])
        if date:
            env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = date
        done = subprocess.run(["git", *args], cwd=self.path, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            raise AssertionError(f"git {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
        return done.stdout

    def write(self, relpath: str, text: str | bytes) -> Path:
        path = self.path / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
        return path

    def commit(self, message: str, author: tuple[str, str] = ALICE, date: str | None = None) -> str:
        """Stage everything and commit; dates default to one minute apart so the order is certain."""
        if date is None:
            self._tick += 1
            date = f"2023-11-10T{9 + self._tick // 60:02d}:{self._tick % 60:02d}:00+08:00"
        self.git("add", "-A")
        self.git("commit", "-q", "-m", message, author=author, date=date)
        return self.git("rev-parse", "HEAD").strip()
