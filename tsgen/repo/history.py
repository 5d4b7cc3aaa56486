"""The archive's git history: who created and changed each file, and files as they were at a revision.

This is the only module that imports git (GitPython, imported lazily so that tsgen still runs where
git is not installed). Two kinds of callers:

- the site build calls `read_history(root)`; it never raises: without usable history (not a git
  repository, no commits, git missing, a shallow clone) it returns an empty History whose `warning`
  says why, and the site simply shows no dates or contributors;
- the pull-request guard calls `open_git(root)` and the `GitArchive` methods (or the shortcuts
  `resolve_ref`, `files_at`, `changed_since`); these raise HistoryError with a message that says
  what to do, because a guard that silently checks nothing would be worse than one that fails.

History is read in one pass: a single `git log --name-status -M` over the archive's tickets/ and
kb/, walked newest first, so that a rename carries the older history over to the file's present
path. Paths are relative to the archive root (which may be a subfolder of the repository), POSIX.

A shallow clone gets no history at all rather than a partial one: its oldest commit would show
every file as "created" by whoever made that commit, on that day, which is wrong in a way nobody
reading the site could notice. Hence one warning telling CI to fetch the whole history.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, Iterable

from tsgen.errors import HistoryError

if TYPE_CHECKING:  # pragma: no cover
    from tsgen.archive.model import Archive, Ticket

FOLDERS = ("tickets", "kb")
SHALLOW_WARNING = "shallow clone: history not shown; fetch with fetch-depth: 0"
_NOT_SHOWN = "created/updated dates and contributors are not shown"
# one commit: RS, then the header fields separated by US, then NUL; git adds "\n" before the entries
_FORMAT = "%x1e%H%x1f%aI%x1f%aN%x1f%aE"


@dataclass
class FileHistory:
    """What git knows about one file: first and last commit, and who committed to it."""

    created: datetime              # author date of the commit that added the file (with its offset)
    created_by: str                # that commit's author name (.mailmap applied)
    created_email: str
    updated: datetime              # author date of the most recent commit that touched the file
    updated_by: str
    updated_email: str
    updated_commit: str            # full sha of that commit
    contributors: list[str]        # author names, most commits first (ties: who came first)
    commits: int                   # commits that touched the file, renames included


@dataclass
class History:
    """FileHistory per archive-relative path; `warning` says why history is missing, if it is."""

    files: dict[str, FileHistory] = field(default_factory=dict)
    warning: str | None = None
    commits_by: dict[str, int] = field(default_factory=dict)  # distinct commits to the archive per author

    def get(self, path: str) -> FileHistory | None:
        """The history of one file (archive-relative POSIX path), None for uncommitted files."""
        return self.files.get(path)


@dataclass
class Contributor:
    """One person's part in the knowledge base, for the contributors page (see contributors_summary)."""

    name: str
    email: str
    written: list[str] = field(default_factory=list)   # KB ids whose first commit is theirs
    updated: list[str] = field(default_factory=list)   # KB ids written by someone else that they committed to
    closed: list[str] = field(default_factory=list)    # resolved ticket ids they handled (assignee, else the resolving step)
    commits: int = 0                                    # commits to the archive they authored

    @property
    def articles_written(self) -> int:
        return len(self.written)

    @property
    def articles_updated(self) -> int:
        return len(self.updated)

    @property
    def tickets_closed(self) -> int:
        return len(self.closed)

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "email": self.email, "articles_written": self.articles_written,
                "articles_updated": self.articles_updated, "tickets_closed": self.tickets_closed,
                "commits": self.commits, "written": self.written, "updated": self.updated, "closed": self.closed}


# --- opening the repository -------------------------------------------------------------------------

def _git_module() -> Any:
    """Import GitPython; it raises ImportError at import time when no git executable is found."""
    try:
        import git
    except ImportError as exc:
        raise HistoryError(f"git is not installed (or not on PATH): {exc}".splitlines()[0]) from None
    return git


class GitArchive:
    """The git repository holding an archive, with paths translated to and from the archive root."""

    def __init__(self, repo: Any, prefix: str) -> None:
        self.repo = repo
        self.prefix = prefix  # the archive root inside the repository: "" or "sub/dir/"
        self._exc = _git_module().exc
        self.errors: tuple[type[Exception], ...] = (self._exc.GitError,)  # what GitPython itself may raise

    @property
    def shallow(self) -> bool:
        """True in a shallow clone (`git clone --depth N`, actions/checkout's default)."""
        return (Path(self.repo.common_dir) / "shallow").is_file()

    @property
    def has_commits(self) -> bool:
        return bool(self.repo.head.is_valid())

    def _pathspecs(self, folders: Iterable[str] = FOLDERS) -> list[str]:
        return [f":(literal){self.prefix}{folder}" for folder in folders]

    def _relative(self, repo_path: str) -> str | None:
        """Repository path -> archive path, None when outside the archive root."""
        if not repo_path.startswith(self.prefix):
            return None
        return repo_path[len(self.prefix):]

    def _run(self, command: str, *args: str, failed: str | None = None) -> Any:
        """Run one git command; HistoryError when git is missing or the command fails (`failed` if given)."""
        try:
            return getattr(self.repo.git, command)(*args)
        except self._exc.GitCommandNotFound as exc:
            raise HistoryError(f"git is not installed (or not on PATH): {exc}") from None
        except self._exc.GitCommandError as exc:
            if failed is not None:
                raise HistoryError(failed) from None
            detail = (exc.stderr or "").strip().replace("stderr: ", "").strip("'\n ")
            raise HistoryError(f"git {command.replace('_', '-')} failed: "
                               f"{detail.splitlines()[0] if detail else exc}") from None

    def resolve(self, ref: str) -> str:
        """A revision (branch, tag, sha, origin/main, HEAD~1) -> the full sha of its commit."""
        if not ref or ref.startswith("-"):
            raise HistoryError(f"{ref!r} is not a git revision")
        hint = ("the clone is shallow: fetch the whole history (actions/checkout with fetch-depth: 0, "
                "GIT_DEPTH: 0 on GitLab)" if self.shallow else "check the name, or fetch it first (git fetch origin)")
        return self._run("rev_parse", "--verify", "--quiet", f"{ref}^{{commit}}",
                         failed=f"unknown git revision {ref!r} in {self.repo.working_tree_dir}: {hint}").strip()

    def merge_base(self, ref: str) -> str:
        """The commit where HEAD's branch left `ref`: the point a pull request's changes start from."""
        if self.shallow:
            failed = (f"{ref} and HEAD have no common history in this clone because it is shallow (only the "
                      "newest commits were fetched), so the branch's changes cannot be told apart: fetch the whole "
                      "history (actions/checkout with `fetch-depth: 0`, `GIT_DEPTH: 0` on GitLab, or "
                      "`git fetch --unshallow` here)")
        else:
            failed = (f"{ref} and HEAD have no common history (git merge-base found nothing): "
                      "compare against the branch this one was made from")
        return self._run("merge_base", self.resolve(ref), "HEAD", failed=failed).strip()

    def list_files(self, ref: str, folders: Iterable[str] = FOLDERS) -> dict[str, str]:
        """Archive path -> blob sha of every .md file under `folders` at revision `ref` (one git ls-tree)."""
        sha = self.resolve(ref)
        out = self._run("ls_tree", "-r", "-z", "--full-tree", sha, "--",
                        *(f"{self.prefix}{f}" for f in folders))
        files: dict[str, str] = {}
        for entry in out.split("\0"):
            if not entry:
                continue
            meta, _, repo_path = entry.partition("\t")
            mode, kind, blob = meta.split(" ")
            path = self._relative(repo_path)
            if kind != "blob" or mode == "120000" or path is None or not path.endswith(".md"):
                continue
            if any(part.startswith(".") for part in PurePosixPath(path).parts):
                continue  # load.iter_files skips hidden files and folders too
            files[path] = blob
        return files

    def read_blobs(self, shas: Iterable[str]) -> dict[str, bytes]:
        """Blob sha -> content, through GitPython's one long-running `git cat-file --batch`."""
        out: dict[str, bytes] = {}
        try:
            for sha in shas:
                if sha not in out:
                    out[sha] = self.repo.odb.stream(bytes.fromhex(sha)).read()
        except (ValueError, self._exc.GitError) as exc:
            raise HistoryError(f"cannot read a file from git: {exc}") from None
        return out

    def files_at(self, ref: str, folders: Iterable[str] = FOLDERS) -> dict[str, bytes]:
        """Archive path -> content of every .md file under `folders` at revision `ref`."""
        listed = self.list_files(ref, folders)
        blobs = self.read_blobs(listed.values())
        return {path: blobs[sha] for path, sha in listed.items()}

    def changed_since(self, ref: str, folders: Iterable[str] = FOLDERS) -> set[str]:
        """Archive paths that differ between the merge base of `ref` and HEAD and the working tree.

        That is what the branch changed: its commits, staged and unstaged edits, and untracked
        files, deletions included (the caller keeps the paths that still exist if it wants).
        """
        base = self.merge_base(ref)
        specs = self._pathspecs(folders)
        diff = self._run("diff", "--name-only", "-z", "--no-renames", "--no-ext-diff", base, "--", *specs)
        untracked = self._run("ls_files", "--others", "--exclude-standard", "-z", "--full-name", "--", *specs)
        changed: set[str] = set()
        for repo_path in (diff + "\0" + untracked).split("\0"):
            path = self._relative(repo_path) if repo_path else None
            if path:
                changed.add(path)
        return changed

    def log(self) -> str:
        """The raw one-pass log read_history parses (newest first, parents after their children)."""
        return self._run("log", "-z", "--name-status", "-M", "--topo-order", "--no-show-signature",
                         "--no-color", f"--format={_FORMAT}", "HEAD", "--", *self._pathspecs())


def open_git(root: Path) -> GitArchive:
    """The repository holding the archive at `root` (root may be a subfolder); HistoryError if none."""
    git = _git_module()
    try:
        repo = git.Repo(root, search_parent_directories=True)
    except (git.exc.InvalidGitRepositoryError, git.exc.NoSuchPathError):
        raise HistoryError(f"{root} is not in a git repository") from None
    except git.exc.GitError as exc:
        raise HistoryError(f"cannot open the git repository at {root}: {exc}") from None
    if repo.working_tree_dir is None:
        raise HistoryError(f"{root} is a bare git repository: tsgen needs a checkout")
    top = Path(repo.working_tree_dir).resolve()
    try:
        rel = Path(root).resolve().relative_to(top).as_posix()
    except ValueError:
        raise HistoryError(f"{root} is not inside the repository at {top}") from None
    return GitArchive(repo, "" if rel == "." else rel + "/")


def resolve_ref(root: Path, ref: str) -> str:
    """The full sha of revision `ref`; HistoryError naming the ref when it does not exist."""
    return open_git(root).resolve(ref)


def files_at(root: Path, ref: str) -> dict[str, bytes]:
    """Archive path -> bytes of every .md file under tickets/ and kb/ at revision `ref`."""
    return open_git(root).files_at(ref)


def changed_since(root: Path, ref: str) -> set[str]:
    """Archive paths under tickets/ and kb/ the current branch changed since it left `ref` (see GitArchive)."""
    return open_git(root).changed_since(ref)


# --- reading the history ----------------------------------------------------------------------------

def read_history(root: Path) -> History:
    """FileHistory for every committed file under tickets/ and kb/; never raises (see `warning`)."""
    try:
        git = open_git(root)
    except HistoryError as exc:
        return History(warning=f"{exc}: {_NOT_SHOWN}")
    try:
        if git.shallow:
            return History(warning=SHALLOW_WARNING)
        if not git.has_commits:
            return History(warning=f"the git repository has no commits yet: {_NOT_SHOWN}")
        commits: Counter[str] = Counter()
        files = parse_log(git.log(), git.prefix, commits)
        return History(files=files, commits_by=dict(commits))
    except HistoryError as exc:
        return History(warning=f"{exc}: {_NOT_SHOWN}")
    except (*git.errors, OSError, ValueError) as exc:  # git vanished, a damaged repository: still no traceback
        detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return History(warning=f"cannot read git history ({detail}): {_NOT_SHOWN}")


@dataclass
class _Touch:
    when: datetime
    name: str
    email: str
    sha: str


def parse_log(out: str, prefix: str = "", commits: Counter[str] | None = None) -> dict[str, FileHistory]:
    """Parse `git log -z --name-status -M --format=<_FORMAT>` (newest first) into FileHistory per path.

    Walking from the newest commit back, `present` maps a path as older commits name it to the
    path the same file has now, or to None when that older file no longer exists: a rename maps
    the old name to the present one; an add or a delete ends the line of the name it touches.
    A commit's own entries are all read with the map as it was before that commit.
    `commits`, when given, counts each author's commits that touch a file under `prefix`.
    """
    present: dict[str, str | None] = {}
    touches: dict[str, list[_Touch]] = {}
    for chunk in out.split("\x1e"):
        if not chunk:
            continue
        header, _, rest = chunk.partition("\0")
        sha, date, name, email = header.split("\x1f")
        touch: _Touch | None = None
        ended: list[str] = []                 # names whose older history is another file's
        renamed: list[tuple[str, str | None]] = []  # (old name, present path) of this commit's renames
        tokens = rest.lstrip("\n").split("\0")
        i = 0
        while i < len(tokens):
            status = tokens[i]
            if not status:
                i += 1
                continue
            if status[0] in "RC":
                old, new = tokens[i + 1], tokens[i + 2]
                i += 3
            else:
                old, new = None, tokens[i + 1]
                i += 2
            target = present.get(new, new)
            if status[0] in "ARCD":
                ended.append(new)
            if status[0] == "R" and old is not None:
                renamed.append((old, target))
            if target is None or status[0] == "D":
                continue
            if touch is None:
                touch = _Touch(datetime.fromisoformat(date), name, email, sha)
                if commits is not None and target.startswith(prefix):
                    commits[name] += 1
            touches.setdefault(target, []).append(touch)
        present.update((path, None) for path in ended)
        present.update(renamed)  # a rename's old name wins over a new file added under that name
    files: dict[str, FileHistory] = {}
    for repo_path, seen in touches.items():
        if not repo_path.startswith(prefix):
            continue
        newest, oldest = seen[0], seen[-1]
        counts = Counter(t.name for t in seen)
        order: dict[str, int] = {}
        for i, t in enumerate(reversed(seen)):
            order.setdefault(t.name, i)
        contributors = sorted(counts, key=lambda n: (-counts[n], order[n]))
        files[repo_path[len(prefix):]] = FileHistory(
            created=oldest.when, created_by=oldest.name, created_email=oldest.email,
            updated=newest.when, updated_by=newest.name, updated_email=newest.email,
            updated_commit=newest.sha, contributors=contributors, commits=len(seen))
    return files


def resolver(ticket: Ticket) -> str | None:
    """Who resolved a ticket: its `assignee`, else the `by` of the last log step at or before
    `resolved`; None when the record names nobody. (Git's committer is not asked: whoever typed up
    the file is not necessarily whoever fixed the problem.)"""
    if ticket.assignee:
        return ticket.assignee
    steps = [e for e in ticket.log if ticket.resolved is None or e.at <= ticket.resolved]
    return max(steps, key=lambda e: e.at).by if steps else None


def contributors_summary(history: History, archive: Archive) -> list[Contributor]:
    """Per person: KB articles written and updated (from git), tickets closed (from the records),
    commits (from git).

    - written: KB articles whose first commit they authored;
    - updated: KB articles someone else wrote that they committed to (so no article counts twice);
    - closed: tickets with `status: resolved` whose `resolver` they are (the assignee, else the
      resolving log step's `by`), whoever committed the file;
    - commits: their commits that touch the archive.
    Sorted by total count, descending, then name. Files without history count for nobody.
    """
    people: dict[str, Contributor] = {}

    def person(name: str, email: str) -> Contributor:
        found = people.setdefault(name, Contributor(name, email))
        found.email = found.email or email
        return found

    for article in sorted(archive.articles.values(), key=lambda a: a.id):
        fh = history.get(article.path)
        if fh is None:
            continue
        person(fh.created_by, fh.created_email).written.append(article.id)
        for name in fh.contributors:
            if name != fh.created_by:
                email = fh.updated_email if name == fh.updated_by else ""
                person(name, email).updated.append(article.id)
    for ticket in sorted(archive.tickets.values(), key=lambda t: t.id):
        who = resolver(ticket) if ticket.status == "resolved" else None
        if who:
            person(who, "").closed.append(ticket.id)
    for name, count in history.commits_by.items():
        person(name, "").commits = count
    return sorted(people.values(), key=lambda c: (-(c.articles_written + c.articles_updated + c.tickets_closed),
                                                  -c.commits, c.name))


__all__ = ["FileHistory", "History", "Contributor", "GitArchive", "open_git", "read_history", "parse_log",
           "contributors_summary", "resolver", "resolve_ref", "files_at", "changed_since", "SHALLOW_WARNING"]
