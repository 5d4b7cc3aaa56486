"""`tsgen import`: export records -> valid tsgen tickets, created, updated or left alone.

The pipeline, for every format:

    read (format module)  ->  map (convert.py: columns, values, times)  ->  collapse duplicates
      (newer wins)  ->  match on source_id  ->  create (next free id of the creation day) / update / unchanged

Every ticket is checked by the archive's own validator before it is written; a record that would
not make a valid ticket is rejected, named by its row or index, with the column and the value.
Files are written whole (a temporary file, then link or rename), a new one never over an existing
one, and an update only where the file is still as the last import left it (see ticketfile.py).
"""

from __future__ import annotations

import json
import os
import re
import time
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any, Callable

from tsgen.archive.ids import all_used_ticket_sequences, claim_ticket_id
from tsgen.archive.load import parse_front_matter
from tsgen.archive.model import ERROR, RawDocument
from tsgen.archive.validate import validate_ticket
from tsgen.config import Config
from tsgen.errors import ArchiveError, ConfigError
from tsgen.importers import ticketfile
from tsgen.importers.convert import Draft, Format, Rejection, _column_map, _one_line, convert
from tsgen.importers.mapping import Mapping, source_tz
from tsgen.importers.sources import ImportError_, SourceRecord
from tsgen.templating import environment

__all__ = ["Format", "ImportResult", "Conflict", "Rejection", "run_import"]

CUSTOM_FIELDS = ("source_id", "source_import")


@dataclass
class Conflict:
    """An imported field an engineer edited since the last import: the edit is kept."""

    path: str
    field: str
    kept: str
    source: str


@dataclass
class ImportResult:
    """What an import did (or, with dry_run, would do)."""

    created: list[tuple[str, str]] = field(default_factory=list)            # (source_id, path)
    updated: list[tuple[str, str, list[str]]] = field(default_factory=list)  # (source_id, path, fields)
    unchanged: int = 0
    skipped: int = 0
    duplicates: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    declared: list[str] = field(default_factory=list)  # custom fields added to mkdocs.yml
    seconds: float = 0.0
    sync_seconds: float = 0.0  # of `seconds`, the one sync at the end (the files made durable)
    dry_run: bool = False


Progress = Callable[[str, int, int], None]

def _read_existing(root: Path) -> dict[str, tuple[Path, str]]:
    """source_id -> (file, source_import) of every imported ticket already in the archive."""
    found: dict[str, tuple[Path, str]] = {}
    base = root / "tickets"
    for dirpath, dirnames, filenames in os.walk(base):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for name in filenames:
            if not name.endswith(".md") or name.startswith("."):
                continue
            path = Path(dirpath) / name
            try:
                text = path.read_text(encoding="utf-8-sig")
            except (OSError, UnicodeDecodeError):
                continue
            if "source_id:" not in text:
                continue
            parts = ticketfile.split(text)
            if parts is None:
                continue
            fm = parts[1]
            sid = _scalar(fm, "source_id")
            if sid:
                found.setdefault(sid, (path, _scalar(fm, "source_import") or ""))
    return found


def _scalar(fm: str, key: str) -> str | None:
    m = re.search(rf"^{key}:[ \t]*(.*?)[ \t]*$", fm, re.MULTILINE)
    if not m:
        return None
    value = m.group(1)
    if value.startswith('"'):
        try:
            return json.loads(value)
        except ValueError:
            return value.strip('"')
    return value.strip("'")


def declare_custom_fields(root: Path, config: Config) -> list[str]:
    """Add source_id and source_import to extra.tsgen.custom_fields in mkdocs.yml (text edit, comments kept)."""
    missing = [f for f in CUSTOM_FIELDS if f not in config.custom_fields]
    if not missing:
        return []
    path = root / "mkdocs.yml"
    hint = f"add {', '.join(missing)} to extra: tsgen: custom_fields: in {path}"
    if path.is_file():
        text = path.read_text(encoding="utf-8-sig")
    else:  # an archive without settings: start from the `tsgen init` configuration, so it still builds
        text = environment(None).get_template("init/mkdocs.yml").render(site_name=config.site_name,
                                                                      language=config.language)
    flow = re.search(r"^([ \t]+custom_fields:[ \t]*)\[(.*?)\][ \t]*$", text, re.MULTILINE)
    block = re.search(r"^([ \t]+)custom_fields:[ \t]*\n((?:\1[ \t]*-[^\n]*\n)+)", text, re.MULTILINE)
    tsgen = re.search(r"^([ \t]+)tsgen:[ \t]*$", text, re.MULTILINE)
    if flow:
        items = [i.strip() for i in flow.group(2).split(",") if i.strip()]
        new = flow.group(1) + "[" + ", ".join(items + missing) + "]"
        text = text[:flow.start()] + new + text[flow.end():]
    elif block:
        item_indent = re.match(r"[ \t]*-", block.group(2)).group(0)[:-1]
        added = "".join(f"{item_indent}- {m}\n" for m in missing)
        text = text[:block.end()] + added + text[block.end():]
    elif tsgen:
        indent = tsgen.group(1) * 2
        text = text[:tsgen.end()] + f"\n{indent}custom_fields: [{', '.join(missing)}]" + text[tsgen.end():]
    elif re.search(r"^extra:[ \t]*$", text, re.MULTILINE):
        m = re.search(r"^extra:[ \t]*$", text, re.MULTILINE)
        text = text[:m.end()] + f"\n  tsgen:\n    custom_fields: [{', '.join(missing)}]" + text[m.end():]
    else:
        text = text.rstrip("\n") + f"\nextra:\n  tsgen:\n    custom_fields: [{', '.join(missing)}]\n"
    from tsgen.config import load_config

    tmp = path.with_name(".mkdocs.yml.tsgen-import")
    tmp.write_text(text, encoding="utf-8")
    try:
        os.replace(tmp, path)
        check = load_config(root)
    except ConfigError as exc:
        raise ConfigError(f"could not declare the import's custom fields ({exc}); {hint}") from None
    if any(f not in check.custom_fields for f in CUSTOM_FIELDS):
        raise ConfigError(f"could not declare the import's custom fields; {hint}")
    return missing


def _check(text: str, rel: str, config: Config) -> list[str]:
    """The archive validator's errors for a ticket about to be written (empty when valid)."""
    raw, problems = parse_front_matter(text, rel, "ticket")
    if raw is not None:
        _, more = validate_ticket(raw, config)
        problems = problems + more
    return [f"{p.field}: {p.message}" if p.field else p.message for p in problems if p.severity == ERROR]


def _check_document(raw: RawDocument, config: Config) -> list[str]:
    """The validator's errors for a new ticket, from the document built beside its text (render_document)."""
    _, problems = validate_ticket(raw, config)
    return [f"{p.field}: {p.message}" if p.field else p.message for p in problems if p.severity == ERROR]


def run_import(root: Path, config: Config, fmt: Format, path: Path, user_mapping: Mapping | None = None,
               dry_run: bool = False, since: date | None = None, encoding: str | None = None,
               progress: Progress | None = None) -> ImportResult:
    """Import the export at `path` into the archive at `root`; see the module docstring."""
    started = time.perf_counter()
    result = ImportResult(dry_run=dry_run)
    mapping = fmt.mapping.merged(user_mapping) if user_mapping else fmt.mapping
    colmap = _column_map(mapping)
    tz = source_tz(mapping, config.tz)
    mask = "〔已隐藏〕" if config.language == "zh" else "[hidden]"
    check_config = replace(config, custom_fields=tuple(dict.fromkeys(config.custom_fields + CUSTOM_FIELDS)))

    drafts: dict[str, Draft] = {}
    n = 0
    for n, record in enumerate(fmt.read(path, encoding), start=1):
        if progress is not None and n % 5000 == 0:
            progress("read", n, 0)
        if n == 1:
            _check_columns(path, record, colmap)
        out = convert(record, fmt, mapping, colmap, tz, mask)
        if out is None:
            result.skipped += 1
            continue
        if isinstance(out, Rejection):
            result.rejected.append(out)
            continue
        if since is not None and out.fields["created"].astimezone(config.tz).date() < since:
            result.skipped += 1
            continue
        prev = drafts.get(out.source_id)
        if prev is not None:
            result.duplicates += 1
            if prev.updated is not None and (out.updated is None or out.updated < prev.updated):
                continue  # the copy already kept is newer
        drafts[out.source_id] = out

    existing = _read_existing(root)
    used = all_used_ticket_sequences(root, config.id_prefix)
    ordered = sorted(drafts.values(), key=lambda d: d.fields["created"])  # ids follow the creation order
    if ordered:
        result.declared = [f for f in CUSTOM_FIELDS if f not in config.custom_fields] if dry_run \
            else declare_custom_fields(root, config)
    write = (lambda p, t: True) if dry_run else ticketfile.write_atomic_new
    total = len(ordered)
    for i, draft in enumerate(ordered, start=1):
        if progress is not None and (i % 2000 == 0 or i == total):
            progress("write", i, total)
        if draft.source_id in existing:
            _update(root, draft, existing[draft.source_id], check_config, result, dry_run)
            continue
        created = draft.fields["created"].astimezone(config.tz)
        problems: list[str] = []
        folder = created.strftime("tickets/%Y/%m/")  # ticketfile_rel's folder, formatted once

        def render(tid: str, draft: Draft = draft, folder: str = folder) -> str:
            rel = f"{folder}{tid}.md"
            text, doc = ticketfile.render_document(tid, draft.fields, draft.body, draft.source_id, config.tz, rel)
            problems[:] = _check_document(doc, check_config)
            return text

        day_used = used.setdefault(created.strftime("%Y%m%d"), set())

        def guarded(p: Path, t: str) -> bool:
            return True if problems else write(p, t)

        try:
            tid, file = claim_ticket_id(root, config.id_prefix, created, render, day_used, guarded)
        except ArchiveError as exc:  # a day with 9,999 tickets already: this one cannot get an id
            result.rejected.append(Rejection(draft.where, "", "", f"{draft.source_id}: {exc}", draft.line))
            continue
        if problems:
            day_used.discard(int(tid[-4:]))
            result.rejected.append(Rejection(draft.where, "", "", f"{draft.source_id} would not be a valid ticket: "
                                             + "; ".join(problems), draft.line))
            continue
        result.created.append((draft.source_id, f"{folder}{tid}.md"))
    if result.created and not dry_run:
        synced = time.perf_counter()
        ticketfile.sync_written()
        result.sync_seconds = time.perf_counter() - synced
    result.seconds = time.perf_counter() - started
    return result


def _check_columns(path: Path, record: SourceRecord, colmap: dict[str, str]) -> None:
    """Fail once, before any row, when the file has no column for a field every ticket needs."""
    mapped = {colmap.get(re.sub(r"\s+", " ", c).strip().lower()) for c in record.values}
    missing = [f for f in ("id", "title", "created") if f not in mapped]
    if missing:
        headers = ", ".join(list(record.values)[:30])
        raise ImportError_(f"{path}: no column maps to {', '.join(missing)}; the file's columns are: {headers}. "
                           f"Map them in a --map file (columns: {{<header>: {missing[0]}}})")


def ticketfile_rel(root: Path, created_local: datetime, tid: str) -> str:
    return f"tickets/{created_local:%Y}/{created_local:%m}/{tid}.md"


def _update(root: Path, draft: Draft, found: tuple[Path, str], config: Config, result: ImportResult,
            dry_run: bool) -> None:
    """Bring an imported ticket up to date with a newer export, keeping what an engineer changed."""
    path, stored = found
    tz = config.tz
    new_hashes = ticketfile.hashes(draft.fields, draft.body, tz)
    old_hashes = ticketfile.parse_hashes(stored)
    if new_hashes == old_hashes:
        result.unchanged += 1
        return
    rel = path.relative_to(root).as_posix()
    data = path.read_bytes()
    text = data.decode("utf-8-sig")
    raw, problems = parse_front_matter(text, rel, "ticket")
    if raw is None:
        result.rejected.append(Rejection(draft.where, "", "", f"{draft.source_id}: {rel} cannot be read, "
                                         f"so it was not updated: {problems[0].message if problems else ''}"))
        return
    if str(raw.meta.get("archive", "")).strip() in ("archived", "已归档"):
        # an archived ticket's record is frozen (validate --base guards it): report, do not touch
        result.conflicts.append(Conflict(rel, "archive", "archived", "the export changed; an archived ticket is not updated"))
        result.unchanged += 1
        return
    current = ticketfile.current_values(raw.meta)
    changes: dict[str, Any] = {}
    new_body: str | None = None
    changed: list[str] = []
    for key in list(ticketfile.ORDER) + [ticketfile.BODY]:
        new_h = new_hashes.get(key, ticketfile.digest(key, "", tz))
        old_h = old_hashes.get(key, ticketfile.digest(key, "", tz))
        if new_h == old_h:
            continue
        now_value = raw.body if key == ticketfile.BODY else current.get(key)
        new_value = draft.body if key == ticketfile.BODY else draft.fields.get(key)
        if ticketfile.digest(key, now_value, tz) != old_h:
            result.conflicts.append(Conflict(rel, key, _one_line(now_value or "")[:60], _one_line(new_value or "")[:60]))
            continue
        if key == "created" and new_value is not None and \
                new_value.astimezone(tz).strftime("%Y%m%d") != path.stem[len(config.id_prefix):][:8]:
            result.conflicts.append(Conflict(rel, key, _one_line(now_value or "")[:60],
                                             f"{_one_line(new_value)} (another day than the id; kept)"))
            continue
        changed.append(key)
        if key == ticketfile.BODY:
            new_body = draft.body
        else:
            changes[key] = new_value
    record = ticketfile.format_hashes(new_hashes)
    new_text = ticketfile.updated_text(text, changes, new_body, record, tz)
    errors = _check(new_text, rel, config)
    if errors:
        result.rejected.append(Rejection(draft.where, "", "", f"{draft.source_id}: the update of {rel} would not "
                                         "be a valid ticket, so it was not made: " + "; ".join(errors)))
        return
    if not changed:  # only engineer-edited fields differ: record the new source values, list the conflicts
        if not dry_run:
            ticketfile.replace_atomic(path, new_text, data)
        result.unchanged += 1
        return
    if not dry_run and not ticketfile.replace_atomic(path, new_text, data):
        result.conflicts.append(Conflict(rel, "*", "changed during the import", "not updated; run again"))
        return
    result.updated.append((draft.source_id, rel, changed))
