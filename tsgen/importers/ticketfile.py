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

# front-matter order of the imported fields; customer.* and environment.* are nested mappings
ORDER = ("title", "type", "priority", "created", "status", "channel", "source", "customer.name",
         "customer.department", "customer.contact", "environment.os", "environment.version",
         "environment.browser", "environment.network", "category", "assignee", "escalated_to", "escalated",
         "responded", "located", "resolved", "tags", "solution", "satisfaction", "feedback")
TIME_FIELDS = {"created", "escalated", "responded", "located", "resolved"}
BODY = "body"
_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")
_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")


def quote(text: str) -> str:
    """A YAML double-quoted scalar (JSON's string syntax), with what PyYAML refuses escaped too."""
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
    out = {k: digest(k, v, tz) for k, v in fields.items() if canonical(k, v, tz) != ""}
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


def render(tid: str, fields: dict[str, Any], body: str, source_id: str, tz: tzinfo) -> str:
    """The whole file of a new imported ticket."""
    lines = ["---", f"id: {tid}"]
    nested: dict[str, list[str]] = {}
    for key in ORDER:
        value = fields.get(key)
        if value is None or value == "" or value == []:
            continue
        if key in TIME_FIELDS:
            text = show_time(value, tz)
        elif isinstance(value, list):
            text = "[" + ", ".join(quote(v) for v in value) + "]"
        elif key in ("type", "priority", "status", "channel", "satisfaction", "category") and _PLAIN.fullmatch(value):
            text = value
        else:
            text = quote(value)
        parent, _, child = key.partition(".")
        if child:
            if parent not in nested:
                nested[parent] = []
                lines.append(f"{parent}:")
                lines.append(f"  {{{parent}}}")
            nested[parent].append(f"  {child}: {text}")
        else:
            lines.append(f"{key}: {text}")
    lines.append(f"source_id: {quote(source_id)}")
    lines.append(f"source_import: {quote(format_hashes(hashes(fields, body, tz)))}")
    lines.append("---")
    out = "\n".join(lines)
    for parent, children in nested.items():
        out = out.replace(f"\n  {{{parent}}}", "\n" + "\n".join(children), 1)
    return out + "\n\n" + body.rstrip("\n") + "\n"


def write_atomic_new(path: Path, text: str) -> bool:
    """Write a new file whole or not at all, never over an existing one; False when the name exists.

    The content goes to a temporary file in the same folder, which then gets its name by a hard
    link: that fails rather than replace an existing file, and the file appears complete.
    """
    data = text.encode("utf-8")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".tmp", dir=path.parent)
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".tmp", dir=path.parent)
    try:
        _write_all(fd, data)
        os.close(fd)
        fd = -1
        try:
            os.link(tmp, path)  # fails if the name exists: never clobbers
        except FileExistsError:
            return False
        except OSError:  # no hard links here: an exclusive create, then the content
            try:
                fd2 = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            except FileExistsError:
                return False
            _write_all(fd2, data)
            os.close(fd2)
        return True
    finally:
        if fd >= 0:
            os.close(fd)
        os.unlink(tmp)


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
