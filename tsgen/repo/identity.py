"""Who is at the keyboard and whether a folder is in a git repository: the git settings the
editing commands and `tsgen init` need (git is only ever called from tsgen.repo)."""

from __future__ import annotations

from pathlib import Path

from tsgen.repo.history import _git_module


def git_user_name(root: Path) -> str | None:
    """`git config user.name` as seen from `root` (the repository's, else the global one); None when unset."""
    try:
        git = _git_module()
        name = git.Git(str(root)).config("--get", "user.name")
    except Exception:  # git missing, not set (exit 1), or not runnable here: the caller says how to set it
        return None
    name = name.strip()
    return name or None


def in_git_repository(folder: Path) -> bool:
    """Whether `folder` (or one of its parents) is inside a git work tree."""
    try:
        git = _git_module()
        return git.Git(str(folder)).rev_parse("--is-inside-work-tree").strip() == "true"
    except Exception:
        return False


def git_init(folder: Path) -> bool:
    """Run `git init` in `folder`; False when git is not available."""
    try:
        git = _git_module()
        git.Repo.init(str(folder))
        return True
    except Exception:
        return False
