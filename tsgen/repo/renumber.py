"""`tsgen renumber`: move a ticket to the next free id of its creation day (a KB article to the next free
KB number) and rewrite the references to it.

The rules:

- The new id is `<prefix><YYYYMMDD><NNNN>` with the local date of the ticket's `created` (the id's own
  date if `created` cannot be read) and the sequence one above the highest taken that day. Taken
  means: a ticket file's name, any mention of an id of that day in tickets/ and kb/ (so a dangling
  reference never starts pointing at the renumbered ticket), and, with `base_ids`, every ticket on
  the base revision (so the new id does not collide again once the branch is merged).
- The file keeps its folder and gets the new name, so relative links into and out of it keep
  working; the command refuses to overwrite an existing file.
- References are rewritten as whole-word matches of the old id, bytes for bytes, in every .md file
  under tickets/ and kb/: the `id` field, `related`, `duplicate_of`, KB `tickets`, custom fields,
  body mentions and links to the file (`TS...0001.md` becomes `TS...0002.md`). A match is whole
  when no ASCII letter, digit or `_` touches it: `TS2023110200011` (a longer number) is left alone,
  `工单TS202311020001已处理` is rewritten. Nothing else changes: line endings, byte-order marks and
  every other byte stay as they were.
- A KB article (`KB0013`) gets the number one above the highest KB number in use: in a file name, in
  any mention in tickets/ and kb/, and, with `base_ids`, on the base revision. Its file keeps its
  slug (`kb/KB0013-vpn.md` becomes `kb/KB0014-vpn.md`); references (`kb:` of tickets, links to
  the file, body mentions) are rewritten the same whole-word way.
- When the old id names more than one file (two branches each took it, then merged), `path` must
  say which one to renumber, and only that file is rewritten: a mention elsewhere may mean either
  ticket, so those are reported (`left_alone`) for a person to check instead of guessed at.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from tsgen.archive.clock import parse_datetime
from tsgen.config import Config
from tsgen.errors import ArchiveError
from tsgen.repo.history import open_git
from tsgen.archive.files import read_file
from tsgen.archive.load import decode, iter_files, parse_front_matter
from tsgen.archive.validate import KB_ID, ticket_id_pattern


@dataclass
class FileChange:
    """One file the renumbering writes: its path (the new one for the ticket itself) and how many mentions."""

    path: str
    mentions: int
    renamed_from: str | None = None


@dataclass
class Renumbering:
    """The plan (and, unless a dry run, the record) of one renumbering."""

    old_id: str
    new_id: str
    old_path: str
    new_path: str
    changes: list[FileChange] = field(default_factory=list)
    left_alone: list[tuple[str, int]] = field(default_factory=list)  # (path, line) of mentions not rewritten
    _contents: dict[str, bytes] = field(default_factory=dict, repr=False)  # path -> new bytes


def _whole_word(tid: str) -> re.Pattern[bytes]:
    return re.compile(rb"(?<![A-Za-z0-9_])" + re.escape(tid.encode("ascii")) + rb"(?![A-Za-z0-9_])")


def ticket_ids_at(root: Path, ref: str) -> set[str]:
    """The ids (file names) of every ticket at git revision `ref`."""
    return {PurePosixPath(p).stem for p in open_git(root).list_files(ref, ("tickets",))}


def kb_name_id(path: str) -> str | None:
    """The KB id a file name carries: kb/KB0013-slug.md and kb/KB0013.md -> KB0013."""
    m = KB_ID.match(PurePosixPath(path).stem)
    return m.group(0) if m else None


def ids_at(root: Path, ref: str) -> set[str]:
    """The ids of every ticket and KB article (from their file names) at git revision `ref`."""
    listed = open_git(root).list_files(ref, ("tickets", "kb"))
    return {PurePosixPath(p).stem if p.startswith("tickets/") else (kb_name_id(p) or "") for p in listed} - {""}


def _declared_id(path: str, data: bytes) -> str | None:
    text, _ = decode(data, path)
    if text is None:
        return None
    raw, _ = parse_front_matter(text, path, "ticket")
    value = raw.meta.get("id") if raw is not None else None
    return value.strip() if isinstance(value, str) else None


def _created_day(path: str, data: bytes, config: Config) -> str | None:
    text, _ = decode(data, path)
    raw, _ = parse_front_matter(text, path, "ticket") if text is not None else (None, [])
    if raw is None:
        return None
    try:
        return parse_datetime(raw.meta.get("created"), config.tz).astimezone(config.tz).strftime("%Y%m%d")
    except ValueError:
        return None


def _archive_path(root: Path, path: str) -> str:
    """--path as given (relative to the current folder, absolute, or relative to the archive) -> archive path."""
    given = Path(path)
    for candidate in (given, root / given):
        try:
            return candidate.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            continue
    return PurePosixPath(path.replace("\\", "/")).as_posix()


def _choose(root: Path, old_id: str, path: str | None, declared: list[str], noun: str) -> str:
    """The file to renumber: --path if given (one of those holding the id), else the only one."""
    if path is not None:
        chosen = _archive_path(root, path)
        if chosen not in declared:
            raise ArchiveError(f"--path {path}: expected one of the files holding {old_id} "
                               f"({', '.join(declared)}), got {chosen}")
        return chosen
    if len(declared) > 1:
        raise ArchiveError(f"{old_id} names {len(declared)} {noun}: {', '.join(declared)}; choose the one to "
                           f"renumber with --path (normally the one your branch added)")
    return declared[0]


def plan_renumber(root: Path, config: Config, old_id: str, path: str | None = None,
                  base_ids: set[str] | frozenset[str] = frozenset()) -> Renumbering:
    """Work out the new id and every byte to write, without writing; ArchiveError when it cannot be done."""
    id_re = ticket_id_pattern(config.id_prefix)
    m = id_re.fullmatch(old_id)
    if not m and not KB_ID.fullmatch(old_id):
        raise ArchiveError(f"expected a ticket id like {config.id_prefix}202310270001 or a KB id like KB0013, "
                           f"got {old_id!r}")
    files: dict[str, bytes] = {}
    for rel, _kind in iter_files(root):
        try:
            files[rel] = read_file(root, rel)
        except OSError as exc:
            raise ArchiveError(f"{rel}: cannot read file: {exc.strerror or exc}") from None
    if not m:
        return _plan_kb(root, files, old_id, path, base_ids)
    tickets = [p for p in files if p.startswith("tickets/")]
    old_bytes = old_id.encode("ascii")
    declared = sorted(p for p in tickets if PurePosixPath(p).stem == old_id
                      or (old_bytes in files[p] and _declared_id(p, files[p]) == old_id))
    if not declared:
        raise ArchiveError(f"no ticket {old_id} under {root / 'tickets'} (no file {old_id}.md, no `id: {old_id}`)")
    chosen = _choose(root, old_id, path, declared, "tickets")

    day = _created_day(chosen, files[chosen], config) or m.group(1)
    prefix = config.id_prefix
    same_day = re.compile(rb"(?<![A-Za-z0-9_])" + re.escape(f"{prefix}{day}".encode("ascii")) + rb"(\d{4})(?![0-9])")
    taken = {int(s) for data in files.values() for s in same_day.findall(data)}
    for tid in (*(PurePosixPath(p).stem for p in tickets), *base_ids):
        found = id_re.fullmatch(tid)
        if found and found.group(1) == day:
            taken.add(int(found.group(2)))
    seq = max(taken, default=0) + 1
    if seq > 9999:
        raise ArchiveError(f"no free id left on {day}: {prefix}{day}9999 is taken")
    new_id = f"{prefix}{day}{seq:04d}"
    new_path = str(PurePosixPath(chosen).with_name(f"{new_id}.md"))
    if (root / new_path).exists():
        raise ArchiveError(f"{new_path} already exists: refusing to overwrite it")

    return _rewrite(Renumbering(old_id, new_id, chosen, new_path), files, declared)


def _plan_kb(root: Path, files: dict[str, bytes], old_id: str, path: str | None,
             base_ids: set[str] | frozenset[str]) -> Renumbering:
    """The KB variant: the next KB number above every one in use, and the file's name prefix renamed."""
    old_bytes = old_id.encode("ascii")
    articles = [p for p in files if p.startswith("kb/")]
    declared = sorted(p for p in articles if kb_name_id(p) == old_id
                      or (old_bytes in files[p] and _declared_id(p, files[p]) == old_id))
    if not declared:
        raise ArchiveError(f"no KB article {old_id} under {root / 'kb'} (no file {old_id}-….md or {old_id}.md, "
                           f"no `id: {old_id}`)")
    chosen = _choose(root, old_id, path, declared, "articles")
    # taken: every KB number named anywhere (so a dangling reference never starts to point at the
    # moved article), every article's file name, and with --base every article on the base revision
    any_kb = re.compile(rb"(?<![A-Za-z0-9_])KB([0-9]{4,})(?![0-9])")
    taken = {int(n) for data in files.values() for n in any_kb.findall(data)}
    taken |= {int(k[2:]) for k in (*(kb_name_id(p) for p in articles), *base_ids) if k and KB_ID.fullmatch(k)}
    new_id = f"KB{max(taken, default=0) + 1:04d}"
    name = PurePosixPath(chosen).name
    new_name = new_id + name[len(old_id):] if name.startswith(old_id) else f"{new_id}-{name}"
    new_path = str(PurePosixPath(chosen).with_name(new_name))
    if (root / new_path).exists():
        raise ArchiveError(f"{new_path} already exists: refusing to overwrite it")
    return _rewrite(Renumbering(old_id, new_id, chosen, new_path), files, declared)


def _rewrite(plan: Renumbering, files: dict[str, bytes], declared: list[str]) -> Renumbering:
    """Fill `plan` with the new bytes of every file mentioning the old id (see the module docstring)."""
    old_id, new_id, chosen, new_path = plan.old_id, plan.new_id, plan.old_path, plan.new_path
    old_bytes = old_id.encode("ascii")
    word = _whole_word(old_id)
    replacement = new_id.encode("ascii")
    for rel in sorted(files):
        data = files[rel]
        if old_bytes not in data:
            continue
        if len(declared) > 1 and rel != chosen:
            if rel not in declared:  # the other holders of the id mean themselves
                lines = sorted({data.count(b"\n", 0, hit.start()) + 1 for hit in word.finditer(data)})
                plan.left_alone.extend((rel, line) for line in lines)
            continue
        new_data, count = word.subn(replacement, data)
        if count:
            plan._contents[rel] = new_data
            plan.changes.append(FileChange(new_path if rel == chosen else rel, count,
                                           chosen if rel == chosen else None))
    if chosen not in plan._contents:  # named after the id, but no mention inside: still renamed
        plan._contents[chosen] = files[chosen]
        plan.changes.append(FileChange(new_path, 0, chosen))
    plan.changes.sort(key=lambda c: (c.renamed_from is None, c.path))
    return plan


def apply_renumber(root: Path, plan: Renumbering) -> None:
    """Write the plan: create the new ticket file, rewrite the referring files in place, remove the old file."""
    try:
        with open(root / plan.new_path, "xb") as out:  # "x": never overwrite, even if created meanwhile
            out.write(plan._contents[plan.old_path])
    except FileExistsError:
        raise ArchiveError(f"{plan.new_path} already exists: refusing to overwrite it") from None
    for rel, data in plan._contents.items():
        if rel != plan.old_path:
            (root / rel).write_bytes(data)
    (root / plan.old_path).unlink()


def renumber(root: Path, config: Config, old_id: str, path: str | None = None,
             base_ids: set[str] | frozenset[str] = frozenset(), dry_run: bool = False) -> Renumbering:
    """Plan and (unless `dry_run`) apply the renumbering of ticket or KB article `old_id`; see the module docstring."""
    plan = plan_renumber(root, config, old_id, path, base_ids)
    if not dry_run:
        apply_renumber(root, plan)
    return plan
