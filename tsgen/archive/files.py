"""The one place that finds the archive's files on disk and decides which of them may be read.

Every reader goes through here: the loader (documents), the site step (images and other files
copied into the site), the template loader (templates/) and the guard and renumber commands.

What may be read: a file whose real location — after following every symlink, in the file's name
and in its folders — is inside `tickets/`, `kb/` or `templates/` of the same archive, and not in a
hidden folder. So a symlink from one article to another, or to a screenshot in another folder of
kb/, is fine; a symlink to `/etc/passwd`, to `/proc/self/environ`, to `../.git/config` or to
anything else outside those folders is an error naming the file and its target, and the file is
never opened or copied. A symlinked folder is judged the same way and then walked (once: a folder
reached twice, e.g. by a link back to its parent, is skipped with a warning). Anything that is not
a regular file or folder (a FIFO, a device) is an error too: reading it could hang or leak.

Markdown files must end in `.md`: a `.MD` or `.markdown` file is reported rather than silently
left out. Hidden files and folders (`.git`, `.DS_Store`) are skipped, as before.
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from tsgen.archive.model import ERROR, WARNING, Problem

KINDS = {"tickets": "ticket", "kb": "kb"}  # folder -> kind of the Markdown documents in it
SOURCES = ("tickets", "kb", "templates")  # the folders tsgen reads files from
_MARKDOWN_LIKE = (".md", ".markdown", ".mdown", ".mkd")


@dataclass
class Found:
    """The archive's readable files, and a problem for each file that may not be read."""

    documents: list[tuple[str, str]] = field(default_factory=list)  # (relative POSIX path, kind), sorted
    assets: list[tuple[str, Path]] = field(default_factory=list)  # other files of tickets/, kb/: (path, real file)
    templates: list[str] = field(default_factory=list)  # files under templates/
    problems: list[Problem] = field(default_factory=list)


def escapes(root: Path, path: Path, allowed: tuple[str, ...] = SOURCES) -> str | None:
    """Why the file or folder at `path` may not be read, or None when its real location is allowed.

    Allowed: inside one of the `allowed` folders of `root`, not in a hidden folder. The reason names
    where the path really leads (the end of a symlink chain).
    """
    real_root = Path(os.path.realpath(root))
    try:
        real = Path(os.path.realpath(path, strict=True))
    except FileNotFoundError:
        return f"is a broken symlink (to {os.readlink(path)})" if os.path.islink(path) else "does not exist"
    except OSError as exc:  # ELOOP: a symlink loop
        return f"cannot be resolved ({exc.strerror or exc})"
    try:
        rel = real.relative_to(real_root)
    except ValueError:
        return f"is a symlink to {real}, outside the archive"
    parts = rel.parts
    if not parts or parts[0] not in allowed or any(p.startswith(".") for p in parts):
        where = ", ".join(f"{a}/" for a in allowed)
        return f"is a symlink to {rel.as_posix() or '.'}, outside {where} of the archive"
    return None


def _refused(rel: str, why: str) -> Problem:
    return Problem(rel, 0, "", f"{why}: tsgen never reads or publishes it; put the file itself here, "
                   "or remove the link", ERROR)


def scan(root: Path) -> Found:
    """Walk tickets/, kb/ and templates/ (sorted, hidden entries skipped), judging every symlink."""
    found = Found()
    seen: set[tuple[int, int]] = set()  # (device, inode) of every folder walked
    for folder in SOURCES:
        base = root / folder
        if not os.path.lexists(base):
            continue
        if os.path.islink(base):
            why = escapes(root, base)
            if why is not None:
                found.problems.append(_refused(folder, why))
                continue
        if not base.is_dir():
            continue
        files: list[tuple[str, str]] = []
        _walk(root, str(base), folder, files, found, seen)
        for rel, real in sorted(files):
            _classify(rel, real, folder, found)
    return found


def _walk(root: Path, dirpath: str, rel: str, files: list[tuple[str, str]], found: Found,
          seen: set[tuple[int, int]], linked: bool = False) -> None:
    """Walk one folder; a folder reached by a symlink is walked only if no walk reached it before.

    Real folders form a tree and are always walked; `seen` stops symlink loops (a link to a
    parent) and link fan-outs that would read the same folder over and over.
    """
    try:
        st = os.stat(dirpath)
        key = (st.st_dev, st.st_ino)
        if linked and key in seen:
            found.problems.append(Problem(rel, 0, "", "is a symlink to a folder that is read already; "
                                          "skipped (remove the link)", WARNING))
            return
        entries = sorted(os.scandir(dirpath), key=lambda e: e.name)
    except OSError as exc:
        found.problems.append(Problem(rel, 0, "", f"cannot read folder: {exc.strerror or exc}"))
        return
    seen.add(key)
    for entry in entries:
        if entry.name.startswith("."):
            continue
        path = f"{rel}/{entry.name}"
        try:
            if entry.is_symlink():
                why = escapes(root, Path(entry.path))
                if why is not None:
                    found.problems.append(_refused(path, why))
                    continue
                real = os.path.realpath(entry.path)
                mode = os.stat(real).st_mode
            elif entry.is_file(follow_symlinks=False):  # the type comes with the listing: no stat call
                files.append((path, entry.path))
                continue
            else:
                real = entry.path
                mode = entry.stat(follow_symlinks=False).st_mode
        except OSError as exc:
            found.problems.append(Problem(path, 0, "", f"cannot read: {exc.strerror or exc}"))
            continue
        if stat.S_ISDIR(mode):
            _walk(root, real, path, files, found, seen, linked=linked or real != entry.path)
        elif stat.S_ISREG(mode):
            files.append((path, real))
        else:
            found.problems.append(_refused(path, "is not a regular file (a pipe, socket or device)"))


def _classify(rel: str, real: str, folder: str, found: Found) -> None:
    if folder == "templates":
        found.templates.append(rel)
        return
    lower = rel.lower()
    if rel.endswith(".md"):
        found.documents.append((rel, KINDS[folder]))
    elif lower.endswith(_MARKDOWN_LIKE):
        stem, ext = os.path.splitext(rel)
        found.problems.append(Problem(rel, 0, "", f"Markdown file with the extension {ext!r}: tsgen reads only "
                                      f"'.md' files; rename it to {stem}.md"))
    else:
        found.assets.append((rel, Path(real)))


_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)  # opening a FIFO must not wait for a writer


def _judge(root: Path, path: Path) -> None:
    why = escapes(root, path)
    if why is not None:
        raise PermissionError(f"{why}; tsgen never reads it")


def read_file(root: Path, rel: str) -> bytes:
    """The bytes of archive file `rel`; OSError when it leads out of the archive or is not a regular file.

    `scan` has judged every folder on the way; this re-judges the file itself, so a path that did
    not come from `scan` cannot lead outside either. The common case costs nothing extra: the file
    is opened without following a symlink, and only a symlink (ELOOP) is resolved and judged.
    """
    path = os.path.join(root, rel)  # a string: a Path object per file costs more than the open
    if not _NOFOLLOW and os.path.islink(path):  # no O_NOFOLLOW (Windows): look before opening
        _judge(root, Path(path))
    try:
        fd = os.open(path, os.O_RDONLY | _NOFOLLOW | _NONBLOCK)
    except OSError as exc:
        if exc.errno != errno.ELOOP:
            raise
        _judge(root, Path(path))
        fd = os.open(os.path.realpath(path), os.O_RDONLY | _NONBLOCK)
    try:
        size = os.fstat(fd)
        if not stat.S_ISREG(size.st_mode):
            raise PermissionError("is not a regular file (a pipe, socket or device); tsgen never reads it")
        data = os.read(fd, size.st_size + 1)  # one read for the whole file (faster than Path.read_bytes)
        if len(data) == size.st_size:
            return data
        parts = [data]  # it changed meanwhile, or a short read: read on to the end
        while more := os.read(fd, 1 << 16):
            parts.append(more)
        return b"".join(parts)
    finally:
        os.close(fd)
