"""Pull-request checks against a base revision (`tsgen validate --base REF` and `--changed-since REF`).

What a branch changed is what differs between the merge base of REF and HEAD and the working tree
(its commits, uncommitted edits and new files). In CI on a pull request, HEAD is the merge of the
branch into REF, so the merge base is REF itself; on a developer's machine it is the point where
the branch left REF, so the checks judge only the branch's own changes, not what REF gained since.

The rules, each breach an error naming the file and REF's short sha:

1. Archived tickets are read-only. A ticket that has `archive: archived` on REF must not be
   deleted, renamed to another id, or have any front-matter field changed by the branch (values
   are compared after normalisation, so re-quoting, reordering keys or writing 高 for P1 is not a
   change). The body may be reworded. A file may move to another folder if it keeps its id and
   record. Follow-ups go into a new ticket with `related`; a KB article links an archived ticket
   from its own `tickets` list.
2. Ids are never reused. A ticket file the branch added or changed must not carry an id that on
   REF names a different ticket: at the same path, a different ticket is one whose `created` and
   `title` both differ (changing one of them is an edit, changing both is a replacement); at
   another path it is an id collision (two branches each took the next free number) unless the
   branch moved that very file. A ticket file that did not exist at the merge base and exists on
   REF with other content was added by both sides: a collision too, whatever its fields (the
   same `created` and a different title is still two tickets). The message says to run
   `tsgen renumber`.
3. KB ids are guarded the same way: a KB article the branch added or changed must not take an id
   (the `KB####` of its file name or `id`) that an article added on REF since the branch left it
   holds, at the same path with other content or at another path. `tsgen renumber KB####` moves
   the branch's article to the next free KB id.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any, Callable

from tsgen.config import Config
from tsgen.repo.history import GitArchive, open_git
from tsgen.repo.renumber import kb_name_id
from tsgen.archive.files import read_file
from tsgen.archive.load import decode, iter_files, parse_front_matter
from tsgen.archive.model import Problem, Ticket
from tsgen.archive.validate import KB_ID, validate_ticket

_NOT_COMPARED = {"path", "body", "lines"}


def _is_ticket(path: str) -> bool:
    parts = PurePosixPath(path).parts
    return parts[0] == "tickets" and path.endswith(".md") and not any(p.startswith(".") for p in parts)


def _is_kb(path: str) -> bool:
    parts = PurePosixPath(path).parts
    return parts[0] == "kb" and path.endswith(".md") and not any(p.startswith(".") for p in parts)


@dataclasses.dataclass
class _Record:
    """One ticket file as the guard compares it: its id, raw fields and, when valid, the Ticket."""

    path: str
    id: str
    meta: dict[str, Any]
    ticket: Ticket | None
    lines: dict[str, int]

    @property
    def archived(self) -> bool:
        if self.ticket is not None:
            return self.ticket.archive == "archived"
        return str(self.meta.get("archive", "")).strip() in ("archived", "已归档")

    @property
    def title(self) -> str:
        return self.ticket.title if self.ticket else str(self.meta.get("title", "")).strip()

    @property
    def created(self) -> Any:
        return self.ticket.created if self.ticket else self.meta.get("created")

    def describe(self) -> str:
        created = self.created
        shown = created.isoformat(" ", "minutes") if isinstance(created, datetime) else str(created)
        return f"{self.title!r}, created {shown}"


def _record(path: str, data: bytes | None, config: Config) -> _Record | None:
    """Parse one version of a ticket file; None when it is absent or unreadable (validate reports that)."""
    if data is None:
        return None
    text, _ = decode(data, path)
    if text is None:
        return None
    raw, _ = parse_front_matter(text, path, "ticket")
    if raw is None:
        return None
    ticket, _ = validate_ticket(raw, config)
    declared = raw.meta.get("id")
    tid = declared.strip() if isinstance(declared, str) and declared.strip() else PurePosixPath(path).stem
    return _Record(path, tid, raw.meta, ticket, raw.key_lines)


def _same_ticket(a: _Record, b: _Record) -> bool:
    """Same ticket unless both `created` and `title` differ (one of them changed is an edit)."""
    return a.created == b.created or a.title == b.title


def _show(value: Any) -> str:
    if value is _ABSENT:
        return "absent"
    if isinstance(value, datetime):
        return value.isoformat(" ", "minutes")
    return repr(value) if isinstance(value, str) else str(value)


_ABSENT = object()


def _field_changes(before: _Record, after: _Record) -> list[tuple[str, Any, Any]]:
    """(field, before, after) for every front-matter field whose value differs, in file order."""
    if before.ticket is not None and after.ticket is not None:
        names = [f.name for f in dataclasses.fields(Ticket) if f.name not in _NOT_COMPARED]
        differing = [n for n in names if getattr(before.ticket, n) != getattr(after.ticket, n)]
        keys: list[str] = []
        for n in differing:  # `extra` holds custom fields: report them by their own names
            if n == "extra":
                keys.extend(k for k in sorted(set(before.ticket.extra) | set(after.ticket.extra))
                            if before.ticket.extra.get(k, _ABSENT) != after.ticket.extra.get(k, _ABSENT))
            else:
                keys.append(n)
    else:
        keys = [k for k in sorted(set(before.meta) | set(after.meta))
                if before.meta.get(k, _ABSENT) != after.meta.get(k, _ABSENT)]
    keys.sort(key=lambda k: after.lines.get(k, before.lines.get(k, 10**6)))
    return [(k, before.meta.get(k, _ABSENT), after.meta.get(k, _ABSENT)) for k in keys]


class _Versions:
    """Lazily parsed versions of ticket files from one source (a revision or the working tree)."""

    def __init__(self, paths: set[str], read: Callable[[str], bytes | None], config: Config) -> None:
        self.paths, self._read, self._config = paths, read, config
        self._cache: dict[str, _Record | None] = {}
        self.by_stem: dict[str, str] = {}
        for p in sorted(paths):
            self.by_stem.setdefault(PurePosixPath(p).stem, p)

    def __contains__(self, path: str) -> bool:
        return path in self.paths

    def get(self, path: str) -> _Record | None:
        if path not in self.paths:
            return None
        if path not in self._cache:
            self._cache[path] = _record(path, self._read(path), self._config)
        return self._cache[path]

    def text(self, path: str) -> str | None:
        """The file as text (BOM and CRLF normalised, so a checkout's line endings are no change)."""
        data = self._read(path) if path in self.paths else None
        return decode(data, path)[0] if data is not None else None


def _revision(git: GitArchive, sha: str, config: Config, folder: str = "tickets") -> _Versions:
    listed = git.list_files(sha, (folder,))
    listed = {p: s for p, s in listed.items() if (_is_ticket if folder == "tickets" else _is_kb)(p)}
    return _Versions(set(listed), lambda p: git.read_blobs([listed[p]])[listed[p]], config)


def _working_tree(root: Path, config: Config, kind: str = "ticket",
                  documents: list[tuple[str, str]] | None = None) -> _Versions:
    def read(path: str) -> bytes | None:
        try:
            return read_file(root, path)
        except OSError:
            return None
    listed = documents if documents is not None else iter_files(root)
    return _Versions({p for p, k in listed if k == kind}, read, config)


def guard_archive(root: Path, config: Config, ref: str) -> list[Problem]:
    """Check the branch's changes to tickets/ against revision `ref` (see the module docstring)."""
    git = open_git(root)
    ref_sha = git.resolve(ref)
    changed = git.changed_since(ref, ("tickets", "kb"))  # by name: git's errors then name it too
    touched = sorted(p for p in changed if _is_ticket(p))
    touched_kb = sorted(p for p in changed if _is_kb(p))
    if not touched and not touched_kb:
        return []
    base_sha = git.merge_base(ref)
    documents = list(iter_files(root))
    problems: list[Problem] = []
    if touched:
        on_ref = _revision(git, ref_sha, config)
        at_base = on_ref if base_sha == ref_sha else _revision(git, base_sha, config)
        now = _working_tree(root, config, "ticket", documents)
        problems += check_changes(touched, on_ref, at_base, now, ref, ref_sha[:7], git.prefix)
    if touched_kb and base_sha != ref_sha:  # REF itself as the merge base: nothing was added there since
        on_ref = _revision(git, ref_sha, config, "kb")
        at_base = _revision(git, base_sha, config, "kb")
        now = _working_tree(root, config, "kb", documents)
        problems += check_kb_changes(touched_kb, on_ref, at_base, now, ref, ref_sha[:7])
    return problems


def check_changes(touched: list[str], on_ref: _Versions, at_base: _Versions, now: _Versions,
                  ref: str, short: str, prefix: str = "") -> list[Problem]:
    """The two rules over the touched ticket paths; pure given the three versions of the archive."""
    where = f"on {ref} ({short})"
    problems: list[Problem] = []
    touched_set = set(touched)
    for path in touched:
        archived = on_ref.get(path)
        if archived is not None and archived.archived:
            problems.extend(_archived(path, archived, at_base, now, touched_set, where, ref, prefix))
        current = now.get(path)
        if current is not None:
            problems.extend(_id_reuse(path, current, on_ref, at_base, now, where, ref, prefix))
    return problems


def _archived(path: str, on_ref: _Record, at_base: _Versions, now: _Versions, touched: set[str],
              where: str, ref: str, prefix: str) -> list[Problem]:
    before = at_base.get(path) or on_ref
    current = now.get(path)
    moved_from = ""
    if path not in now:
        moved = [q for q in touched if q in now and q not in at_base and PurePosixPath(q).stem == on_ref.id]
        if not moved:
            return [Problem(path, 0, "archive", f"archived ticket {on_ref.id} {where} was deleted or renamed to "
                            f"another id; archived tickets must stay: restore it with "
                            f"`git checkout {ref} -- {prefix}{path}`")]
        current, moved_from = now.get(moved[0]), f" (moved from {path})"
    if current is None:
        return [Problem(path, 1, "", f"archived ticket {on_ref.id} {where} can no longer be read; archived tickets "
                        "are read-only: fix the front matter or restore the file")]
    changes = _field_changes(before, current)
    if not changes:
        return []
    listed = "; ".join(f"{k}: was {_show(a)}, now {_show(b)}" for k, a, b in changes)
    return [Problem(current.path, current.lines.get(changes[0][0], 1), changes[0][0],
                    f"archived ticket {on_ref.id}{moved_from} {where} is read-only, but its front matter changed: "
                    f"{listed}. Only the body may be reworded; follow up in a new ticket with "
                    f"`related: [{on_ref.id}]`, or link a KB article from the article's `tickets` list")]


def _id_reuse(path: str, current: _Record, on_ref: _Versions, at_base: _Versions, now: _Versions,
              where: str, ref: str, prefix: str) -> list[Problem]:
    tid = current.id
    line = current.lines.get("id", 1)
    if path in on_ref and path not in at_base and on_ref.text(path) != now.text(path):
        theirs = on_ref.get(path)  # added on both sides: a collision whatever the fields say
        shown = f"another ticket ({theirs.describe()})" if theirs is not None else "another file"
        return [Problem(path, line, "id", f"id collision: {path} was also added {where} after this branch left it, "
                        f"as {shown}: both branches took {tid}. Give this ticket its "
                        f"own id with `tsgen renumber {tid} --path {path} --base {ref}`")]
    other_path = on_ref.by_stem.get(tid)
    if other_path is None:
        return []
    other = on_ref.get(other_path)
    if other is None:
        return []
    if other_path == path:
        if _same_ticket(other, current):
            return []
        return [Problem(path, line, "id", f"id {tid} was {other.describe()}, {where}; now it names a different "
                        f"ticket ({current.describe()}). Give this ticket its own id with `tsgen renumber {tid} "
                        f"--base {ref}`, then bring the original back with `git checkout {ref} -- {prefix}{path}`")]
    if other_path in at_base and other_path not in now and _same_ticket(other, current):
        return []  # the branch moved this very ticket to another folder
    return [Problem(path, line, "id", f"id collision: {tid} is already used {where} by {other_path} "
                    f"({other.describe()}); give this new ticket its own id with "
                    f"`tsgen renumber {tid} --path {path} --base {ref}`")]


def _kb_id(path: str, versions: _Versions) -> str | None:
    """The id of a KB article: its `id` field when readable, else the one in its file name."""
    text = versions.text(path)
    raw = parse_front_matter(text, path, "kb")[0] if text is not None else None
    declared = raw.meta.get("id") if raw is not None else None
    if isinstance(declared, str) and KB_ID.fullmatch(declared.strip()):
        return declared.strip()
    return kb_name_id(path)


def check_kb_changes(touched: list[str], on_ref: _Versions, at_base: _Versions, now: _Versions,
                     ref: str, short: str) -> list[Problem]:
    """Rule 3: a KB article the branch added or changed must not take an id that REF gained since the branch left it."""
    where = f"on {ref} ({short})"
    gained: dict[str, list[str]] = {}  # KB id -> articles on REF that were not there at the merge base
    for path in sorted(on_ref.paths - at_base.paths):
        kid = kb_name_id(path) or _kb_id(path, on_ref)
        if kid:
            gained.setdefault(kid, []).append(path)
    problems: list[Problem] = []
    for path in touched:
        if path not in now:
            continue
        kid = _kb_id(path, now)
        for other in gained.get(kid or "", []):
            if other in now and other != path:
                continue  # both files are in this checkout: validate reports the duplicate id itself
            if other == path and on_ref.text(path) == now.text(path):
                continue  # the very same file on both sides
            raw = parse_front_matter(on_ref.text(other) or "", other, "kb")[0]
            title = str(raw.meta.get("title", "")).strip() if raw is not None else ""
            lines = parse_front_matter(now.text(path) or "", path, "kb")[0]
            line = lines.key_lines.get("id", 1) if lines is not None else 1
            what = (f"{path} was also added {where} after this branch left it, as another article ({title!r})"
                    if other == path else
                    f"{kid} is already used {where} by {other} ({title!r}), added after this branch left it")
            problems.append(Problem(path, line, "id", f"id collision: {what}: both branches took {kid}. Give this "
                                    f"article its own id with `tsgen renumber {kid} --path {path} --base {ref}`"))
    return problems
