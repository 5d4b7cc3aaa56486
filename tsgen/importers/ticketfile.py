"""An imported ticket as a file: its front matter text, the record of what was imported, and updates.

What was imported is kept in the ticket itself, in two custom fields the importer declares:
`source_id` (`zammad#10023`, the key a later import matches on) and `source_import`, a short hash
of each imported value (`title:1a2b3c4d status:...`). A later import compares three things per
field — the hash of what it imported last time, the file's value now, and the export's new value —
so an engineer's edit (the file no longer matches the last import) is kept and listed as a
conflict, and only fields still as imported are updated.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import tempfile
from datetime import datetime, timezone, tzinfo
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from tsgen.archive.clock import parse_datetime
from tsgen.archive.model import RawDocument

# front-matter order of the imported fields; customer.* and environment.* are nested mappings
ORDER = ("title", "type", "priority", "created", "status", "channel", "source", "customer.name",
         "customer.department", "customer.contact", "environment.os", "environment.version",
         "environment.browser", "environment.network", "category", "assignee", "escalated_to", "escalated",
         "responded", "located", "resolved", "tags", "solution", "satisfaction", "feedback")
TIME_FIELDS = {"created", "escalated", "responded", "located", "resolved"}
BODY = "body"
_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")
_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")


_ESCAPED = re.compile('["\\\\\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]')


def quote(text: str) -> str:
    """A YAML double-quoted scalar (JSON's string syntax), with what PyYAML refuses escaped too."""
    if not _ESCAPED.search(text):
        return f'"{text}"'  # nothing to escape: what json.dumps would write, without its cost
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", json.dumps(text, ensure_ascii=False))


def show_time(moment: datetime, tz: tzinfo) -> str:
    local = moment.astimezone(tz)
    return local.strftime("%Y-%m-%d %H:%M:%S" if local.second else "%Y-%m-%d %H:%M")


def canonical(key: str, value: Any, tz: tzinfo) -> str:
    """One text per value, the same for the imported value and the value read back from the file."""
    if value is None or value == "" or value == []:
        return ""
    if key in TIME_FIELDS:
        try:
            moment = value if isinstance(value, datetime) else parse_datetime(str(value), tz)
        except ValueError:
            return f"?{value}"
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=tz)
        return moment.astimezone(timezone.utc).replace(microsecond=0).isoformat()
    if key == BODY:
        return str(value).replace("\r\n", "\n").strip()
    if isinstance(value, (list, tuple)):
        return "\x1f".join(str(v) for v in value)
    return str(value)


def digest(key: str, value: Any, tz: tzinfo) -> str:
    return hashlib.sha1(f"{key}={canonical(key, value, tz)}".encode("utf-8")).hexdigest()[:8]


def hashes(fields: dict[str, Any], body: str, tz: tzinfo) -> dict[str, str]:
    """The per-field record of an import: only fields with a value (absent means imported empty)."""
    out = {}
    sha1 = hashlib.sha1
    for k, v in fields.items():
        text = v if type(v) is str and k not in TIME_FIELDS else canonical(k, v, tz)  # text: its own canonical form
        if text != "":
            out[k] = sha1(f"{k}={text}".encode("utf-8")).hexdigest()[:8]
    out[BODY] = digest(BODY, body, tz)
    return out


def format_hashes(h: dict[str, str]) -> str:
    return " ".join(f"{k}:{v}" for k, v in sorted(h.items()))


def parse_hashes(text: str) -> dict[str, str]:
    out = {}
    for part in text.split():
        key, _, value = part.partition(":")
        if key and value:
            out[key] = value
    return out


_ENUMS = frozenset(("type", "priority", "status", "channel", "satisfaction", "category"))
# plain words YAML 1.1 reads as something other than text: such a value is quoted
_YAML_WORDS = frozenset(("y", "n", "yes", "no", "on", "off", "true", "false", "null", "~"))


def render(tid: str, fields: dict[str, Any], body: str, source_id: str, tz: tzinfo) -> str:
    """The whole file of a new imported ticket."""
    return render_document(tid, fields, body, source_id, tz, "")[0]


def render_document(tid: str, fields: dict[str, Any], body: str, source_id: str, tz: tzinfo,
                    rel: str) -> tuple[str, RawDocument]:
    """The file of a new imported ticket, and the document the archive's loader reads from it.

    The file is made of lines whose YAML reading is known (JSON-quoted text, plain enum words,
    times as plain `YYYY-MM-DD HH:MM[:SS]`), so the front matter the loader would parse is built
    alongside instead of being parsed back from the text (a test checks both agree on any text):
    the validator then judges exactly what the file says, at a fraction of the cost.
    """
    lines = ["---", f"id: {tid}"]
    meta: dict[str, Any] = {"id": tid}
    key_lines = {"id": 2}
    item_lines: dict[str, list[int]] = {}
    sub_lines: dict[str, int] = {}
    open_parent = ""
    sub: dict[str, Any] = {}
    for key in ORDER:  # customer.* and environment.* keys are contiguous in ORDER
        value = fields.get(key)
        if value is None or value == "" or value == []:
            continue
        if key in TIME_FIELDS:
            local = value.astimezone(tz)
            if local.second:  # YAML reads `2023-10-27 10:05:07` as a (naive) timestamp
                text = local.strftime("%Y-%m-%d %H:%M:%S")
                value = local.replace(tzinfo=None, microsecond=0)
            else:  # and `2023-10-27 10:05` as text
                value = text = local.strftime("%Y-%m-%d %H:%M")
        elif isinstance(value, list):
            value = [str(v) for v in value]
            text = "[" + ", ".join(quote(v) for v in value) + "]"
        elif key in _ENUMS and _PLAIN.fullmatch(value) and value.lower() not in _YAML_WORDS:
            text = value
        else:
            text = quote(value)
        parent, _, child = key.partition(".")
        if child:
            if parent != open_parent:
                open_parent = parent
                lines.append(f"{parent}:")
                key_lines[parent] = len(lines)
                sub = meta[parent] = {}
            lines.append(f"  {child}: {text}")
            sub_lines[key] = len(lines)
            sub[child] = value
        else:
            open_parent = ""
            lines.append(f"{key}: {text}")
            key_lines[key] = len(lines)
            if isinstance(value, list):
                item_lines[key] = [len(lines)] * len(value)
            meta[key] = value
    record = format_hashes(hashes(fields, body, tz))
    lines.append(f"source_id: {quote(source_id)}")
    key_lines["source_id"] = len(lines)
    meta["source_id"] = source_id
    lines.append(f"source_import: {quote(record)}")
    key_lines["source_import"] = len(lines)
    meta["source_import"] = record
    lines.append("---")
    body_text = body.rstrip("\n") + "\n"
    doc = RawDocument(rel, "ticket", meta, "\n" + body_text, key_lines, item_lines, len(lines) + 1, sub_lines, {})
    return "\n".join(lines) + "\n\n" + body_text, doc


def write_atomic_new(path: Path, text: str) -> bool:
    """Write a new file whole or not at all, never over an existing one; False when the name exists.

    The content goes to a temporary file in the same folder (`.<id>.<pid>.tmp`, created exclusively),
    which then gets its name by a hard link: that fails rather than replace an existing file, and
    the file appears complete. No fsync per file: see `sync_written` (one sync at the end).
    """
    data = text.encode("utf-8")
    name = str(path)
    folder, _, base = name.rpartition(os.sep)
    tmp = f"{folder}{os.sep}.{base[:-3]}.{os.getpid()}.tmp"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(tmp, flags, 0o644)
    except FileNotFoundError:
        os.makedirs(folder, exist_ok=True)
        fd = os.open(tmp, flags, 0o644)
    except FileExistsError:  # a leftover of a killed run of this very process id: make a fresh one
        fd, tmp = tempfile.mkstemp(prefix=f".{base[:-3]}.", suffix=".tmp", dir=folder)
    try:
        try:
            _write_all(fd, data)
        finally:
            os.close(fd)
        try:
            os.link(tmp, name)  # fails if the name exists: never clobbers
        except FileExistsError:
            return False
        except OSError:  # no hard links here: an exclusive create, then the content
            try:
                fd2 = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            except FileExistsError:
                return False
            try:
                _write_all(fd2, data)
            finally:
                os.close(fd2)
        return True
    finally:
        os.unlink(tmp)


def sync_written() -> None:
    """Make the files an import wrote durable: one sync at the end instead of an fsync per file.

    A crash of the process never leaves a half-written ticket (each appears by link, whole); a
    power cut before this sync can (the data may still be in the page cache). One `sync` of the
    file systems costs once what 100,000 fsyncs would cost 100,000 times.
    """
    if hasattr(os, "sync"):
        os.sync()


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def replace_atomic(path: Path, text: str, expected: bytes) -> bool:
    """Replace `path` with `text` (temp file + rename) if it still holds `expected`; False if it changed."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        if path.read_bytes() != expected:
            return False  # someone edited it while we were merging: leave their version
        os.replace(tmp, path)
        tmp = ""
        return True
    finally:
        if tmp:
            os.unlink(tmp)


_FM = re.compile(r"\A(\ufeff?---[ \t]*\r?\n)(.*?\r?\n)(---[ \t]*(?:\r?\n|\Z))", re.DOTALL)


def split(text: str) -> tuple[str, str, str, str] | None:
    """(opening fence, front matter, closing fence, body) or None when there is no front matter."""
    m = _FM.match(text)
    if not m:
        return None
    body = text[m.end():]
    return m.group(1), m.group(2), m.group(3), body


def _yaml() -> YAML:
    y = YAML(typ="rt")
    y.preserve_quotes = True
    y.width = 4096
    y.allow_unicode = True
    return y


def current_values(meta: dict[str, Any]) -> dict[str, Any]:
    """The file's values under the importer's flat keys (customer.name -> meta['customer']['name'])."""
    out: dict[str, Any] = {}
    for key in ORDER:
        parent, _, child = key.partition(".")
        if child:
            sub = meta.get(parent)
            out[key] = sub.get(child) if isinstance(sub, dict) else None
        else:
            value = meta.get(key)
            out[key] = [str(v) for v in value] if isinstance(value, list) else value
    return out


def _yaml_value(key: str, value: Any, tz: tzinfo) -> Any:
    if key in TIME_FIELDS:
        return show_time(value, tz)
    return list(value) if isinstance(value, list) else value


def updated_text(text: str, changes: dict[str, Any], body: str | None, source_import: str, tz: tzinfo) -> str:
    """`text` with the changed imported fields set (None removes one), the body replaced when given,
    and source_import renewed; everything else — comments, order, an engineer's fields — is kept."""
    parts = split(text)
    assert parts is not None
    opening, fm, closing, old_body = parts
    y = _yaml()
    data = y.load(fm)
    for key, value in changes.items():
        parent, _, child = key.partition(".")
        target, name = (data, key) if not child else (data.setdefault(parent, {}), child)
        if value is None or value == "" or value == []:
            target.pop(name, None)
        elif name in target or child or not hasattr(target, "insert"):
            target[name] = _yaml_value(key, value, tz)
        else:  # a field new to this ticket goes where a new import would have put it
            before = [k for k in ORDER[:ORDER.index(key)] if "." not in k] + ["id"]
            keys = list(target)
            at = max((keys.index(k) + 1 for k in before if k in keys), default=len(keys))
            target.insert(at, name, _yaml_value(key, value, tz))
    data["source_import"] = source_import
    out = io.StringIO()
    y.dump(data, out)
    new_body = old_body if body is None else "\n" + body.rstrip("\n") + "\n"
    return opening + out.getvalue() + closing + new_body
