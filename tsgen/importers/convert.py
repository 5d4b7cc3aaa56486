"""One export record -> a Draft of a tsgen ticket, or a Rejection naming the row, column and value.

Mapping columns to fields, reading values and times (mapping.py), the defaults for what the export
lacks, and keeping the customer's name and contacts out of every published field and the body.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, tzinfo
from email.utils import parseaddr
from pathlib import Path
from typing import Any, Callable, Iterable
from zoneinfo import ZoneInfo

from tsgen.importers.mapping import (ENUMS, LINES, SKIP, TIMES, Mapping, after, enum_value, minutes_value,
                                     time_value)
from tsgen.importers.sources import SourceRecord

MAX_TITLE = 200
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\ufeff]")
_TAG_SPLIT = re.compile(r"[,，;；、]\s*")
_TAG_BAD = re.compile(r"[\[\]{}#<>\"'`\\/|]")
_ROW = re.compile(r"row (\d+)")
_EMAIL = re.compile(r"[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+")


@dataclass
class Rejection:
    """A record that was not imported: where it is, which column, what it held, and why."""

    where: str
    column: str
    value: str
    message: str
    line: int | None = None  # the file line where a CSV record starts

    def describe(self, file: str, language: str = "zh") -> str:
        """`file.csv:48: 第 40 行: Created At: <message> (got '...')` (`row 40` for an English site),
        or `file.json: tickets[3] (id 9): ...`; the spreadsheet row counts the header as row 1."""
        col = f"{self.column}: " if self.column else ""
        val = f" (got {self.value!r})" if self.value and repr(self.value) not in self.message else ""
        at = f"{file}:{self.line}:" if self.line else f"{file}:"
        where = self.where.split(" (line")[0]
        row = _ROW.fullmatch(where)
        if row and language == "zh":
            where = f"第 {row.group(1)} 行"
        return f"{at} {where}: {col}{self.message}{val}"


@dataclass
class Draft:
    """One source ticket mapped to tsgen fields, before it has an id."""

    source_id: str
    where: str
    fields: dict[str, Any]
    body: str
    updated: datetime | None
    line: int | None = None


@dataclass
class Format:
    """One helpdesk's export: how to read it and its default mapping."""

    name: str
    read: Callable[[Path, str | None], Iterable[SourceRecord]]
    mapping: Mapping
    no_body: str = ""   # who to blame in the body when the export carries no description


def _one_line(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    text = unicodedata.normalize("NFC", str(value))
    return re.sub(r"\s+", " ", _CONTROL.sub("", text)).strip()


def _text(value: Any) -> str:
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", text).strip()


def _tags(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    out: list[str] = []
    for item in items:
        if item is None:
            continue
        for part in _TAG_SPLIT.split(str(item)):
            tag = _TAG_BAD.sub("", _one_line(part))[:60].strip()
            if tag and tag not in out:
                out.append(tag)
    return out


def _normalise_contact(text: str) -> str:
    return re.sub(r"[\s\u200b-\u200f]", "", unicodedata.normalize("NFKC", text)).lower()


def _secrets(fields: dict[str, Any]) -> list[str]:
    """The customer's name and each contact (e-mail, phone) as they may appear in other text."""
    values: list[str] = []
    name = fields.get("customer.name") or ""
    if len(name) >= 2:
        values.append(name)
    for part in re.split(r"\s*[,;，；/]\s*", fields.get("customer.contact") or ""):
        if len(part.strip()) >= 5:
            values.append(part.strip())
    return sorted(set(values), key=len, reverse=True)


def mask_text(text: str, secrets: list[str], mask: str) -> str:
    """Replace the customer's name and contacts in `text` (case-insensitive; phones by their digits)."""
    if not text:
        return text
    lowered = text.lower()
    digits_of_text = None
    for secret in secrets:
        digits = re.sub(r"\D", "", secret)
        if len(digits) >= 7 and len(digits) >= len(secret) - 5:  # a phone number, however it is spaced
            if digits_of_text is None:
                digits_of_text = re.sub(r"\D", "", text)
            forms = [digits] + ([digits[2:]] if len(digits) > 11 and digits.startswith("86") else [])
            for form in forms:  # +86 138 0013 8000 is also written 13800138000
                if form not in digits_of_text:
                    continue  # cheap test first: most texts do not hold the number at all
                pattern = r"(?<![\d+])\+?(?:86[\s\-]*)?" + r"[\s\-–.()]*".join(form) + r"(?!\d)"
                text = re.sub(pattern, mask, text)
        elif secret.lower() in lowered:
            text = re.sub(re.escape(secret), mask, text, flags=re.IGNORECASE)
            lowered = text.lower()
    return text


def _mask_published(fields: dict[str, Any], body: str, mask: str) -> str:
    """Keep the customer's name and contact out of every published field and the body."""
    secrets = _secrets(fields)
    if not secrets:
        return body
    lowered = [_normalise_contact(s) for s in secrets]
    for key in ("title", "source", "assignee", "escalated_to", "solution", "feedback",
                "customer.department", "environment.os", "environment.version", "environment.browser",
                "environment.network"):
        if fields.get(key):
            fields[key] = mask_text(fields[key], secrets, mask)
    if fields.get("tags"):  # a tag naming the customer would become a page name: drop it
        fields["tags"] = [t for t in fields["tags"]
                          if not any(s in _normalise_contact(t) for s in lowered)]
    return mask_text(body, secrets, mask)


def _assign(raw: dict[str, tuple[str, Any]], target: str, column: str, value: Any) -> None:
    if value is None or value == "" or value == []:
        return
    if target in raw:
        if target == "tags":
            prev_col, prev = raw[target]
            prev_list = prev if isinstance(prev, list) else [prev]
            raw[target] = (prev_col, prev_list + (value if isinstance(value, list) else [value]))
        return  # the first column mapped to a field wins
    raw[target] = (column, value)


class ColumnMap(dict):  # type: ignore[type-arg]
    """Normalised header -> field; `target(header)` remembers each header's answer (one lookup per column)."""

    def __init__(self, columns: dict[str, str]) -> None:
        super().__init__({_norm_header(k): v for k, v in columns.items()})
        self._seen: dict[str, str | None] = {}

    def target(self, column: str) -> str | None:
        try:
            return self._seen[column]
        except KeyError:
            found = self._seen[column] = self.get(_norm_header(column))
            return found


def _norm_header(column: str) -> str:
    return re.sub(r"\s+", " ", column).strip().lower()


def _column_map(mapping: Mapping) -> ColumnMap:
    return ColumnMap(mapping.columns)


def convert(record: SourceRecord, fmt: Format, mapping: Mapping, colmap: ColumnMap,
            tz: tzinfo, mask: str) -> Draft | Rejection | None:
    """One source record -> a Draft, a Rejection naming the column and value, or None (skipped)."""
    raw: dict[str, tuple[str, Any]] = {}
    seen: dict[str, str] = {}  # field -> the column it is read from, even when that cell is empty
    lookup = colmap.target
    for column, value in record.values.items():
        target = lookup(column)
        if target and target != "ignore":
            seen.setdefault(target, column)
            _assign(raw, target, column, value)

    def reject(target: str, message: str) -> Rejection:
        column, value = raw.get(target, (seen.get(target, target), ""))
        return Rejection(record.where, column, _one_line(value)[:80] if value not in (None, "") else "", message,
                         record.line)

    fields: dict[str, Any] = {}
    if "id" not in raw or not _one_line(raw["id"][1]):
        return reject("id", "no ticket number: every record needs its source number (map a column to id)")
    source_id = f"{fmt.name}#{_one_line(raw['id'][1])}"
    for key in ENUMS + ("status_category",):
        if key in raw:
            try:
                value = enum_value(key, raw[key][1], mapping)
            except ValueError as exc:
                if key == "status" and "status_category" in raw:
                    continue  # Jira: a workflow status of its own; its status category decides
                return reject(key, str(exc))
            if value == SKIP:
                return None
            if value:  # "" in a value table: no value (Zendesk's satisfaction "offered")
                fields[key] = value
    category = fields.pop("status_category", None)
    if "status" not in fields and category:
        fields["status"] = category
    for key in ("type", "priority", "status"):
        if key not in fields:
            fields[key] = mapping.defaults.get(key) or {"type": "other", "priority": "P2", "status": "pending"}[key]
    if "channel" not in fields and mapping.defaults.get("channel"):
        fields["channel"] = mapping.defaults["channel"]
    times: dict[str, datetime] = {}
    if record.extra.get("timezone") and not mapping.timezone:
        tz = ZoneInfo(record.extra["timezone"])  # the export says which timezone its times are in
    for key in TIMES:
        if key in raw:
            try:
                moment = time_value(raw[key][1], tz)
            except ValueError as exc:
                return reject(key, str(exc))
            if moment is not None:
                times[key] = moment.replace(microsecond=0)
    if "created" not in times:
        return reject("created", "no creation time: every record needs one (the ticket id is made from it)")
    for key, base in (("first_response_minutes", "responded"), ("resolution_minutes", "resolved")):
        if key in raw and base not in times:
            try:
                minutes = minutes_value(raw[key][1])
            except ValueError as exc:
                return reject(key, str(exc))
            if minutes is not None:
                times[base] = after(times["created"], minutes).replace(microsecond=0)
    if fields["status"] == "resolved":
        if "resolved" not in times:
            if "updated" not in times:
                return reject("status", "closed in the source but without a close time or update time")
            times["resolved"] = times["updated"]  # the last change of a closed ticket is its closing
    else:
        times.pop("resolved", None)  # a reopened ticket's old close time is not a resolution
    updated = times.pop("updated", None)
    fields.update(times)
    for key in LINES:
        if key in raw:
            text = _one_line(raw[key][1])
            if text:
                fields[key] = text
    if "customer.from" in raw:  # "张三 <zhang@example.com>" (osTicket From, e-mail senders)
        name, email = parseaddr(_one_line(raw["customer.from"][1]))
        if name and "customer.name" not in fields:
            fields["customer.name"] = name
        if email and "@" in email and "customer.contact" not in fields:
            fields["customer.contact"] = email
        elif not name and "customer.name" not in fields:
            fields["customer.name"] = _one_line(raw["customer.from"][1])
    name = fields.get("customer.name")
    if name and "@" in name:  # a Reporter / Customer column holding "zhang@example.com" or "张三 <zhang@…>"
        display, email = parseaddr(name)
        if email and _EMAIL.fullmatch(email):
            if "customer.contact" not in fields:
                fields["customer.contact"] = email
            if display:
                fields["customer.name"] = display
            elif fields["customer.contact"] == email:
                del fields["customer.name"]  # only the address: it is the contact, not a name
    if "feedback" in raw:
        text = _one_line(raw["feedback"][1])
        if text:
            fields["feedback"] = text
    title = fields.get("title", "")
    if not title:
        return reject("title", "no title: the ticket needs a one-line title")
    if len(title) > MAX_TITLE:
        fields["title"] = title[:MAX_TITLE - 1].rstrip() + "…"
    if "tags" in raw:
        tags = _tags(raw["tags"][1])
        if tags:
            fields["tags"] = tags
    body = _text(raw["body"][1]) if "body" in raw and raw["body"][1] not in (None, "") else ""
    if not body:
        body = f"{fmt.no_body or 'The export'} carries no description of {source_id}."
    body = _mask_published(fields, body, mask)
    return Draft(source_id, record.where, fields, body, updated, record.line)
