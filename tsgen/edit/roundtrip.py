"""Round-trip editing of a document's front matter: change some keys, keep every other byte.

ruamel.yaml reads the front matter into a mapping that remembers comments, quoting and key order,
and writes the changed values back. So that the untouched keys stay byte for byte (ruamel
normalises indentation and spacing of a whole document), the new front matter is spliced: each
top-level key the edit did not touch keeps its original text (its line, its nested lines and the
comment lines that follow it), and only the changed or new keys take ruamel's output. The body
is never re-read or re-written.
"""

from __future__ import annotations

import io
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from tsgen.errors import ArchiveError

_FENCE = re.compile(r"^-{3,}[ \t]*$", re.MULTILINE)


def _yaml(mapping_indent: int = 2, sequence_indent: int = 4, offset: int = 2) -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # never fold a long title or action over two lines
    yaml.allow_unicode = True
    yaml.indent(mapping=mapping_indent, sequence=sequence_indent, offset=offset)
    return yaml


def _indentation(fm: str) -> tuple[int, int, int]:
    """The file's own indentation (mapping, sequence, dash offset), so new nested lines match it."""
    mapping, seq, offset = 2, 4, 2
    m = re.search(r"^[A-Za-z_][^\n:]*:[ \t]*\n( +)[^\s-]", fm, re.MULTILINE)
    if m:
        mapping = len(m.group(1))
    m = re.search(r"^[A-Za-z_][^\n:]*:[ \t]*\n( *)- +(\S)", fm, re.MULTILINE)
    if m:
        offset = len(m.group(1))
        dash = m.group(0).split("\n", 1)[1]
        seq = len(dash) - 1  # column of the item's first character
    return mapping, max(seq, offset + 2), offset


@dataclass
class Document:
    """A file split for editing: the text around the front matter, and the parsed front matter."""

    path: Path
    text: str           # the whole file as read (newlines as in the file)
    head: str           # up to and including the opening fence's line break
    fm: str             # the front matter text between the fences
    tail: str           # the closing fence and the body, untouched
    data: CommentedMap
    newline: str = "\n"
    changed: list[str] = field(default_factory=list)  # top-level keys the edit set, in order
    appended: dict[str, list[Any]] = field(default_factory=dict)  # block lists that only gained items at the end

    def set(self, key: str, value: Any, after: tuple[str, ...] = ()) -> None:
        """Set a top-level key; a new key goes after the last present key of `after` (else at the end)."""
        if key in self.data:
            self.data[key] = value
        else:
            position = len(self.data)
            keys = list(self.data)
            for prior in reversed(after):
                if prior in self.data:
                    position = keys.index(prior) + 1
                    break
            self.data.insert(position, key, value)
        if key not in self.changed:
            self.changed.append(key)

    def touch(self, key: str) -> None:
        """Mark a key whose nested value was changed in place."""
        if key not in self.changed:
            self.changed.append(key)

    def append(self, key: str, items: list[Any]) -> None:
        """Add items at the end of the list under `key`. A block list gains only the new items' lines
        (a comment after its last item stays where it was); a flow list `[a, b]` is written anew."""
        seq = self.data[key]
        seq.extend(items)
        if key in self.changed or seq.fa.flow_style() or len(seq) == len(items):
            self.touch(key)
        else:
            self.appended.setdefault(key, []).extend(items)

    def render(self) -> str:
        """The file's new text: untouched keys as they were, changed keys as ruamel writes them."""
        if not self.changed and not self.appended:
            return self.text
        yaml = _yaml(*_indentation(self.fm))
        out = io.StringIO()
        yaml.dump(self.data, out)
        new_chunks = _chunks(out.getvalue())
        old_chunks = _chunks(self.fm)
        parts = [old_chunks.get(None, "")]
        for key in self.data:
            if key not in old_chunks:  # a new key: its own lines only (ruamel may move a neighbour's comments)
                chunk = _split_trailer(new_chunks[key])[0]
            elif key in self.appended and key not in self.changed:
                value, trailer = _split_trailer(old_chunks[key])
                chunk = value + self._items(yaml, key) + trailer
            elif key in self.changed:  # its new lines, then the comment lines that followed it in the file
                chunk = _split_trailer(new_chunks[key])[0] + _split_trailer(old_chunks[key])[1]
            else:
                chunk = old_chunks[key]
            parts.append(chunk)
        fm = "".join(parts)
        if self.newline != "\n":
            fm = fm.replace("\n", self.newline)
        return self.head + fm + self.tail


    def _items(self, yaml: YAML, key: str) -> str:
        """The lines of the items appended to `key`, as ruamel writes them under that key."""
        out = io.StringIO()
        yaml.dump(CommentedMap([(key, CommentedSeq(self.appended[key]))]), out)
        return out.getvalue().split("\n", 1)[1]


def _chunks(fm: str) -> dict[str | None, str]:
    """Top-level key -> its text: its line up to the next top-level key's line (None: lines before the first key)."""
    yaml = YAML(typ="rt")
    data = yaml.load(fm)
    if not isinstance(data, CommentedMap):
        return {None: fm}
    lines = fm.splitlines(keepends=True)
    starts = [(data.lc.key(k)[0], k) for k in data]
    chunks: dict[str | None, str] = {None: "".join(lines[: starts[0][0]]) if starts else fm}
    for i, (line, key) in enumerate(starts):
        end = starts[i + 1][0] if i + 1 < len(starts) else len(lines)
        chunks[key] = "".join(lines[line:end])
    return chunks


def _split_trailer(chunk: str) -> tuple[str, str]:
    """A key's text -> (its value lines, the comment and blank lines after them)."""
    if not chunk.endswith("\n"):
        chunk += "\n"
    lines = chunk.splitlines(keepends=True)
    end = len(lines)
    while end > 1 and (not lines[end - 1].strip() or lines[end - 1].lstrip().startswith("#")):
        end -= 1
    return "".join(lines[:end]), "".join(lines[end:])


def read(path: Path) -> Document:
    """Read a ticket or article for editing; an ArchiveError when its front matter cannot be read."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ArchiveError(f"{path}: cannot read file: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ArchiveError(f"{path}: not UTF-8 text; run `tsgen validate` for details") from None
    newline = "\r\n" if "\r\n" in text else "\n"
    norm = text.replace("\r\n", "\n") if newline != "\n" else text
    bom = "\ufeff" if norm.startswith("\ufeff") else ""
    body = norm[len(bom):]
    first = _FENCE.match(body)
    closing = _FENCE.search(body, first.end()) if first else None
    if not first or not closing:
        raise ArchiveError(f"{path}: no front matter between two '---' lines; run `tsgen validate` for details")
    head_end = first.end() + 1
    fm = body[head_end:closing.start()]
    try:
        data = _yaml().load(fm)
    except YAMLError as exc:
        raise ArchiveError(f"{path}: the front matter is not valid YAML ({str(exc).splitlines()[0]}); "
                           "fix it first (`tsgen validate` shows where)") from None
    if not isinstance(data, CommentedMap):
        raise ArchiveError(f"{path}: the front matter is not a mapping of fields; run `tsgen validate`")
    head, tail = bom + body[:head_end], body[closing.start():]
    if newline != "\n":
        head, tail = head.replace("\n", newline), tail.replace("\n", newline)
    return Document(path, text, head, fm, tail, data, newline)


def write_atomic(path: Path, text: str) -> None:
    """Replace `path` with `text` in one step: a temporary file in the same folder, then a rename."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.chmod(tmp, path.stat().st_mode & 0o777)
        except OSError:
            pass
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
