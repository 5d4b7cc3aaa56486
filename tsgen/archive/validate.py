"""Judge one document against the data contract: RawDocument -> (Ticket | Article | None, problems).

Every problem is collected; nothing stops at the first. Cross-document rules (ids that must exist,
duplicates, backlinks) are link.py's.
"""

from __future__ import annotations

import bisect
import difflib
import functools
import posixpath
import re
from datetime import date, datetime
from pathlib import PurePosixPath
from typing import Any, Callable

from tsgen.archive.body import drop_comments
from tsgen.archive.scan import HEADINGS
from tsgen.archive.clock import minutes_between, parse_date, parse_datetime
from tsgen.config import Config
from tsgen.archive.model import ERROR, WARNING, Article, LogEntry, Problem, RawDocument, Ticket
from tsgen.archive import privacy
from tsgen.archive.sla import BREACHED, sla_of
from tsgen.archive.yaml_hints import base60_hint
from tsgen.archive.schema import EXTRA_LABELS, KB_FIELDS, KB_SECTIONS, KB_SPEC, TICKET_FIELDS, TICKET_SPEC, FieldSpec

KB_ID = re.compile(r"KB[0-9]{4,}")  # ASCII digits: \d also matches full-width ones
_REPORTED_AT = {"solution": "status", "resolved": "status", "escalated_to": "priority", "kb": "type",
                "responded": "priority"}
_LOOKUPS: dict[int, dict[str, str]] = {}


@functools.lru_cache(maxsize=None)
def ticket_id_pattern(prefix: str) -> re.Pattern[str]:
    """The one id parser: `<prefix><YYYYMMDD><NNNN>`, date and sequence as groups."""
    return re.compile(rf"{re.escape(prefix)}([0-9]{{8}})([0-9]{{4}})")  # ASCII digits only


class _Checker:
    """Collects problems for one document, each with the line of the field it is about."""

    def __init__(self, raw: RawDocument, config: Config) -> None:
        self.raw, self.config, self.problems = raw, config, []
        self.tz = config.tz

    def line(self, field: str, item: int | None = None) -> int:
        if field in self.raw.sub_lines:  # customer.contact, environment.os
            return self.raw.sub_lines[field]
        key = field.split(".")[0].split("[")[0]
        if item is not None:
            lines = self.raw.item_lines.get(key, [])
            if item < len(lines):
                return lines[item]
        if key not in self.raw.key_lines:
            key = _REPORTED_AT.get(key, key)  # a missing field is reported where the field that requires it is
        return self.raw.key_lines.get(key, 1)

    def add(self, field: str, message: str, severity: str = ERROR, item: int | None = None) -> None:
        self.problems.append(Problem(self.raw.path, self.line(field, item), field, message, severity))

    # --- converters: value -> normalised value, or None after reporting a problem ---

    def as_text(self, field: str, value: Any) -> Any:
        """Numbers and dates written unquoted in a text field are meant as text (`contact: 5678`)."""
        if isinstance(value, bool):
            return value
        if isinstance(value, float):
            # YAML already turned `3.10` into 3.1: say so, the text as written is lost
            self.add(field, f"{value!r} was read as a number; write it in quotes to keep it exactly as typed",
                     WARNING)
            return str(value)
        if isinstance(value, int):
            return str(value)
        if isinstance(value, (date, datetime)):
            return value.isoformat()
        return value

    def text(self, spec: FieldSpec, value: Any, one_line: bool = False) -> str | None:
        value = self.as_text(spec.key, value)
        if not isinstance(value, str):
            self.add(spec.key, f"expected text, got {_kind(value)} {_shown(value)}")
            return None
        value = value.strip()
        if one_line:
            if "\n" in value:
                self.add(spec.key, "expected one line, got several lines")
                return None
            if not 1 <= len(value) <= 200:
                self.add(spec.key, f"expected 1 to 200 characters, got {len(value)}")
                return None
        return value

    def enum(self, spec: FieldSpec, value: Any) -> str | None:
        table = _LOOKUPS.get(id(spec))
        if table is None:
            table = _LOOKUPS[id(spec)] = spec.lookup()
        found = table.get(value) if isinstance(value, str) else None
        if found is None and isinstance(value, str):
            found = table.get(value.strip().lower())
        if found is None:
            allowed = ", ".join(f"{c.value} ({c.zh})" for c in spec.choices)
            self.add(spec.key, f"expected one of {allowed}, got {_shown(value)}")
        return found

    def datetime(self, spec: FieldSpec, value: Any) -> datetime | None:
        try:
            return parse_datetime(value, self.tz)
        except ValueError as exc:
            self.add(spec.key, str(exc) + base60_hint(value))
            return None

    def date(self, spec: FieldSpec, value: Any):
        try:
            return parse_date(value)
        except ValueError as exc:
            self.add(spec.key, str(exc))
            return None

    def strings(self, spec: FieldSpec, value: Any, field: str | None = None) -> list[str] | None:
        field = field or spec.key
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            self.add(field, f"expected a list of text, got {_kind(value)} {_shown(value)}")
            return None
        out: list[str] = []
        for i, item in enumerate(value):
            item = self.as_text(f"{field}[{i}]", item)
            if not isinstance(item, str) or not item.strip():
                self.add(f"{field}[{i}]", f"expected text, got {_kind(item)} {_shown(item)}", item=i)
                return None
            out.append(item.strip())
        return out

    def ids(self, spec: FieldSpec, value: Any, pattern: re.Pattern[str], what: str) -> list[str] | None:
        items = self.strings(spec, value)
        if items is None:
            return None
        for i, item in enumerate(items):
            if not pattern.fullmatch(item):
                self.add(f"{spec.key}[{i}]" if isinstance(value, list) else spec.key,
                         f"expected {what}, got {_shown(item)}", item=i if isinstance(value, list) else None)
                return None
        return items

    def mapping(self, spec: FieldSpec, value: Any) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.add(spec.key, f"expected a mapping with keys {', '.join(spec.subkeys)}, got {_kind(value)} {_shown(value)}")
            return None
        out: dict[str, Any] = {}
        for key, sub in value.items():
            name = f"{spec.key}.{key}"
            if not isinstance(key, str):
                self.add(spec.key, f"keys must be text, got {_shown(key)}")
                continue
            if key not in spec.subkeys and not spec.open_mapping:
                self.add(name, f"unknown key{_suggest(key, spec.subkeys)}; expected {', '.join(spec.subkeys)}")
                continue
            if sub is None or (isinstance(sub, str) and not sub.strip()):
                continue  # a blank template field (`os: ""`) is no value, not an empty label on the site
            if spec.key == "customer" and key in ("name", "contact") and not isinstance(sub, str):
                typed = self.raw.written.get(name, _shown(sub))
                self.add(name, f"must be text in quotes: YAML read {typed} as {_kind(sub)} ({_shown(sub)}), "
                               f"so it would not be recognised and masked where it is repeated; write "
                               f"{key}: \"{typed}\"")
                continue
            sub = self.as_text(name, sub)
            if not isinstance(sub, str):
                self.add(name, f"expected text, got {_kind(sub)} {_shown(sub)}")
                continue
            out[key] = sub
        return out


def _shown(value: Any, limit: int = 80) -> str:
    """A found value as the user wrote it, for a message: dates in ISO form, long values cut short."""
    text = value.isoformat() if isinstance(value, (date, datetime)) else repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _kind(value: Any) -> str:
    return {dict: "a mapping", list: "a list", bool: "true/false", int: "a number", float: "a number",
            str: "text", type(None): "nothing"}.get(type(value), type(value).__name__)


def _suggest(key: str, known: Any) -> str:
    close = difflib.get_close_matches(key, list(known), n=1, cutoff=0.6)
    return f" (did you mean `{close[0]}`?)" if close else ""


def _english_key(key: str, fields: tuple[FieldSpec, ...]) -> str | None:
    """The English key of a Chinese label used as a key: exact (`客户满意度`), or a label holding it or held
    by it (`满意度`, `处理人员`); also the labels of nested keys (`联系方式` -> `customer.contact`)."""
    if not re.search(r"[\u4e00-\u9fff]", key):
        return None
    labels = [(f.zh, f.key) for f in fields] + [(zh, k) for k, (zh, _) in EXTRA_LABELS.items() if "." in k]
    labels += [("对接人", "customer.name"), ("联系方式", "customer.contact")]
    for zh, english in labels:
        if key == zh:
            return english
    close = [(len(zh), english) for zh, english in labels if len(key) >= 2 and (key in zh or zh in key)]
    return min(close)[1] if close else None


def _unknown_keys(c: _Checker, fields: tuple[FieldSpec, ...], spec: dict[str, FieldSpec],
                  custom: tuple[str, ...]) -> dict[str, Any]:
    """Report unknown keys (naming the closest known one); return the declared custom ones."""
    extra: dict[str, Any] = {}
    for key, value in c.raw.meta.items():
        if key in spec:
            continue
        if key in custom:
            extra[key] = value
            continue
        english = _english_key(key, fields)
        hint = f" (did you mean `{english}`?)" if english else _suggest(key, spec)
        c.add(key, f"unknown field{hint}; custom fields must be declared in mkdocs.yml under extra.tsgen.custom_fields")
    return extra


def _convert(c: _Checker, fields: tuple[FieldSpec, ...], id_check: Callable[[FieldSpec, Any], Any]) -> dict[str, Any]:
    """Convert every present field by its kind; report missing required ones."""
    out: dict[str, Any] = {}
    meta = c.raw.meta
    for spec in fields:
        value = meta.get(spec.key)
        if value is None or value == "" or value == []:
            if spec.required:
                c.add(spec.key, "required field is missing" if spec.key not in meta else "required field is empty")
            elif spec.default is not None:
                out[spec.key] = spec.default
            continue
        kind = spec.kind
        if kind == "line":
            v = c.text(spec, value, one_line=True)
        elif kind == "text":
            v = c.text(spec, value)
        elif kind == "enum":
            v = c.enum(spec, value)
        elif kind == "datetime":
            v = c.datetime(spec, value)
        elif kind == "date":
            v = c.date(spec, value)
        elif kind == "strings":
            if isinstance(value, str) and re.search(r"[,，、]", value):
                parts = [p.strip() for p in re.split(r"[,，、]", value) if p.strip()]
                c.add(spec.key, f"one text holding commas, read as a single {spec.key[:-1] if spec.key.endswith('s') else spec.key}; "
                                f"write a list: {spec.key}: [{', '.join(parts)}]", WARNING)
            v = c.strings(spec, value)
        elif kind == "mapping":
            v = c.mapping(spec, value)
        else:
            v = id_check(spec, value)
        if v is not None:
            out[spec.key] = v
    return out


def _log(c: _Checker, value: Any) -> list[LogEntry] | None:
    if not isinstance(value, list):
        c.add("log", f"expected a list of steps {{at, by, action}}, got {_kind(value)} {_shown(value)}")
        return None
    entries: list[LogEntry] = []
    for i, item in enumerate(value):
        name = f"log[{i}]"
        if not isinstance(item, dict):
            c.add(name, f"expected a step {{at, by, action}}, got {_kind(item)} {_shown(item)}", item=i)
            continue
        unknown = () if len(item) == 3 and "at" in item and "by" in item and "action" in item else \
            [k for k in item if k not in ("at", "by", "action")]
        for k in unknown:
            c.add(f"{name}.{k}", f"unknown key{_suggest(str(k), ('at', 'by', 'action'))}; expected at, by, action", item=i)
        missing = [k for k in ("at", "by", "action") if item.get(k) in (None, "")]
        if missing:
            c.add(name, f"step is missing {', '.join(missing)}", item=i)
            continue
        try:
            at = parse_datetime(item["at"], c.tz)
        except ValueError as exc:
            c.add(f"{name}.at", str(exc) + base60_hint(item["at"]), item=i)
            continue
        by, action = item["by"], item["action"]
        if not isinstance(by, str) or not isinstance(action, (str, int, float)) or isinstance(action, bool):
            c.add(name, "by and action must be text", item=i)
            continue
        entries.append(LogEntry(at, by.strip(), str(action).strip()))
    return entries if len(entries) == len(value) else None


def _verification(c: _Checker, spec: FieldSpec, value: Any) -> dict[str, Any] | None:
    if not isinstance(value, dict):
        c.add(spec.key, f"expected a mapping with keys {', '.join(spec.subkeys)}, got {_kind(value)} {_shown(value)}")
        return None
    out: dict[str, Any] = {}
    for key, sub in value.items():
        if key not in spec.subkeys:
            c.add(f"{spec.key}.{key}", f"unknown key{_suggest(str(key), spec.subkeys)}; expected {', '.join(spec.subkeys)}")
        elif not isinstance(sub, (bool, str)):
            c.add(f"{spec.key}.{key}", f"expected true/false or text, got {_kind(sub)} {_shown(sub)}")
        else:
            out[key] = sub
    return out


def validate_ticket(raw: RawDocument, config: Config) -> tuple[Ticket | None, list[Problem]]:
    """Check a ticket's fields and the rules across them (data contract section 1)."""
    c = _Checker(raw, config)
    id_re = ticket_id_pattern(config.id_prefix)
    id_hint = f"a ticket id like {config.id_prefix}202310270001 ({config.id_prefix} + YYYYMMDD + 4 digits)"

    def id_check(spec: FieldSpec, value: Any) -> Any:
        if spec.kind == "ticket_id" or spec.kind == "ticket_id_ref":
            if not isinstance(value, str) or not id_re.fullmatch(value.strip()):
                c.add(spec.key, f"expected {id_hint}, got {_shown(value)}")
                return None
            return value.strip()
        if spec.kind == "ticket_ids":
            return c.ids(spec, value, id_re, id_hint)
        if spec.kind == "kb_ids":
            return c.ids(spec, value, KB_ID, "a KB id like KB0001")
        if spec.kind == "log":
            return _log(c, value)
        if spec.kind == "verification":
            return _verification(c, spec, value)
        raise AssertionError(spec.kind)

    v = _convert(c, TICKET_FIELDS, id_check)
    extra = _unknown_keys(c, TICKET_FIELDS, TICKET_SPEC, config.custom_fields)
    _ticket_rules(c, v, id_re)
    _ticket_privacy(c, v, extra)
    if any(k not in v for k in ("id", "title", "type", "priority", "created", "status")) or any(
            p.severity == ERROR for p in c.problems):
        return None, c.problems
    ticket = Ticket(**v, extra=extra, path=raw.path, body=raw.body, lines=raw.key_lines)
    _escalation_rule(c, ticket, config)
    _sla_rule(c, ticket, config)
    return ticket, c.problems


def _ticket_rules(c: _Checker, v: dict[str, Any], id_re: re.Pattern[str]) -> None:
    stem = _stem(c.raw.path)
    tid, created = v.get("id"), v.get("created")
    if tid and stem != tid:
        c.add("id", f"the file name must be the id: expected {tid}.md, got {PurePosixPath(c.raw.path).name}")
    if tid and created:
        moment = created.astimezone(c.tz)  # strftime costs more than the rest of this rule
        local = f"{moment.year}{moment.month:02d}{moment.day:02d}" if moment.year >= 1000 else moment.strftime("%Y%m%d")
        day = id_re.fullmatch(tid).group(1)
        if day != local:
            c.add("id", f"the id's date {day} must be the local date of created ({local}, {c.config.timezone})")
    if created:
        for key in ("responded", "located", "escalated", "resolved"):
            if key in v and v[key] < created:
                c.add(key, f"must not be before created ({_show(created, c)}), got {_show(v[key], c)}")
        for i, entry in enumerate(v.get("log") or []):
            if entry.at < created:
                c.add(f"log[{i}].at", f"step time must not be before created ({_show(created, c)}), got {_show(entry.at, c)}", item=i)
    if "located" in v and "resolved" in v and v["resolved"] < v["located"]:
        c.add("resolved", f"must not be before located ({_show(v['located'], c)}), got {_show(v['resolved'], c)}")
    if v.get("status") == "resolved":
        if "resolved" not in v and "resolved" not in c.raw.meta:
            c.add("status", "status is resolved, so the field `resolved` (解决时间) is required")
        if "solution" not in v:
            c.add("solution", "status is resolved but there is no solution summary", WARNING)
    if v.get("archive") == "archived" and v.get("status") and v["status"] != "resolved":
        c.add("archive", f"only a resolved ticket can be archived; status is {v['status']!r}")
    if v.get("duplicate_of") and v.get("duplicate_of") == tid:
        c.add("duplicate_of", "a ticket cannot be a duplicate of itself")


def _ticket_privacy(c: _Checker, v: dict[str, Any], extra: dict[str, Any]) -> None:
    """Section 4: no customer name or contact in a tag (an error: tags become page names and URLs), and
    a warning for what looks like someone else's personal data in a published field or the body."""
    customer = v.get("customer") or {}
    tags = v.get("tags") or []
    if tags and customer:
        for i in privacy.tags_holding_customer(tags, customer):
            c.add(f"tags[{i}]", "a tag must not hold the customer's name or contact (tags become page names, "
                                "titles and URLs of the site); remove it", item=i)
    log = v.get("log") or ()
    environment = v.get("environment") or {}
    values = [v[k] for k in _PUBLISHED_TEXT if k in v]  # a first look at the texts alone (most hold nothing)
    values += environment.values()
    values += tags
    values += [x for e in log for x in (e.by, e.action)]
    if customer.get("department"):
        values.append(customer["department"])
    if extra or v.get("verification"):
        values += [x for x in (*extra.values(), *(v.get("verification") or {}).values()) if isinstance(x, str)]
    values.append(c.raw.body)
    if not privacy.personal_data("\n".join(values)):
        return
    # (field, or a field template for a list item, text, item): formatted only when something is found
    texts: list[tuple[str, str, int | None]] = [(k, v[k], None) for k in _PUBLISHED_TEXT if k in v]
    if customer.get("department"):
        texts.append(("customer.department", customer["department"], None))
    texts += [("environment." + k, value, None) for k, value in (v.get("environment") or {}).items()]
    texts += [("tags[{}]", tag, i) for i, tag in enumerate(tags)]
    for i, e in enumerate(v.get("log") or ()):
        texts += [("log[{}].by", e.by, i), ("log[{}].action", e.action, i)]
    texts += [("verification." + k, value, None) for k, value in (v.get("verification") or {}).items()
              if isinstance(value, str)]
    _lint(c, texts, extra, customer)


_PUBLISHED_TEXT = ("title", "source", "assignee", "escalated_to", "solution", "feedback", "backup")


def _kb_privacy(c: _Checker, v: dict[str, Any], extra: dict[str, Any]) -> None:
    """Section 4's warning for an article: personal data in its title, tags, applies_to, owner or body."""
    texts: list[tuple[str, str, int | None]] = [(k, v[k], None) for k in ("title", "owner") if isinstance(v.get(k), str)]
    texts += [("tags[{}]", tag, i) for i, tag in enumerate(v.get("tags") or [])]
    applies = v.get("applies_to") or {}
    for k in ("versions", "permissions"):
        texts += [(f"applies_to.{k}[{i}]", x, None) for i, x in enumerate(applies.get(k) or [])]
    if applies.get("note"):
        texts.append(("applies_to.note", applies["note"], None))
    _lint(c, texts, extra, None)


def _lint(c: _Checker, texts: list[tuple[str, str, int | None]], extra: dict[str, Any],
          customer: dict[str, Any] | None) -> None:
    """One scan over every published text of the document, the body last; most hold nothing, and that
    is found at C speed (privacy.personal_data)."""
    if extra:
        texts += [(k, value, None) for k, value in extra.items() if isinstance(value, str)]
    raw = c.raw
    body = raw.body
    found = privacy.personal_data("\n".join([t for _, t, _ in texts] + [body]))
    if not found:
        return
    own = privacy.own_keys(customer) if customer else frozenset()
    allow = privacy.allowed_keys(c.config.privacy_allow)
    starts: list[int] = []
    at = 0
    for _, t, _ in texts:
        starts.append(at)
        at += len(t) + 1
    for offset, kind, value in found:
        if privacy.is_known(kind, value, own, allow):
            continue
        message = _personal_message(kind, value, raw.kind)
        if offset >= at:  # in the body
            line = raw.body_line + body.count("\n", 0, offset - at)
            c.problems.append(Problem(raw.path, line, "body", message, WARNING))
        else:
            field, _, item = texts[bisect.bisect_right(starts, offset) - 1]
            c.add(field.format(item) if item is not None else field, message, WARNING, item=item)


def _personal_message(kind: str, found: str, doc: str) -> str:
    whose = "that is not this ticket's customer contact" if doc == "ticket" else "in a KB article"
    return (f"looks like {privacy.KIND_LABELS[kind]} ({privacy.redacted(found)}) {whose}: someone's personal "
            "data must not be published; remove it, or list a public number in privacy_allow (mkdocs.yml, "
            "extra: tsgen:)")


def _stem(path: str) -> str:
    """PurePosixPath(path).stem, without building a path object for each of thousands of files."""
    return posixpath.splitext(posixpath.basename(path))[0]


def _show(moment: datetime, c: _Checker) -> str:
    return moment.astimezone(c.tz).strftime("%Y-%m-%d %H:%M")


def escalation_broken(ticket: Ticket, config: Config, now: datetime | None = None) -> bool:
    """Section 3: a ticket whose priority has a limit, not located within it, must name escalated_to.

    `now` (default: the current time) is when an open ticket's limit is judged."""
    limit = config.escalation_minutes.get(ticket.priority)
    if limit is None or ticket.escalated_to:
        return False
    if ticket.located is None:
        # an open ticket still inside its limit has not broken the rule yet
        return ticket.status == "resolved" or minutes_between(
            ticket.created, now or datetime.now(ticket.created.tzinfo), config) > limit
    return minutes_between(ticket.created, ticket.located, config) > limit


def _escalation_rule(c: _Checker, ticket: Ticket, config: Config) -> None:
    if escalation_broken(ticket, config):
        limit = config.escalation_minutes[ticket.priority]
        found = ("the cause was never located" if ticket.located is None else
                 f"the cause was located after {minutes_between(ticket.created, ticket.located, config):.0f} minutes")
        c.add("escalated_to", f"escalation rule: a {ticket.priority} ticket not located within {limit} minutes "
                              f"must be escalated; {found} and escalated_to is empty", WARNING)


def _sla_rule(c: _Checker, ticket: Ticket, config: Config) -> None:
    """A ticket with a target whose target has passed without any recorded response (archive/sla.py)."""
    if ticket.priority not in config.sla_minutes or ticket.responded is not None:
        return
    sla = sla_of(ticket, config, datetime.now(config.tz))
    if sla.state == BREACHED and not sla.responded:
        c.add("responded", f"no first response recorded: the {ticket.priority} target of {sla.target} minutes has "
                           "passed, so the ticket counts as breached; set `responded` (or add a log step after "
                           "`created`: a step at the creation time is the intake, not a response)", WARNING)


def validate_article(raw: RawDocument, config: Config) -> tuple[Article | None, list[Problem]]:
    """Check a KB article's fields and body sections (data contract section 2)."""
    c = _Checker(raw, config)
    id_re = ticket_id_pattern(config.id_prefix)

    def id_check(spec: FieldSpec, value: Any) -> Any:
        if spec.kind == "kb_id":
            if not isinstance(value, str) or not KB_ID.fullmatch(value.strip()):
                c.add(spec.key, f"expected a KB id like KB0001 (KB + 4 or more digits), got {_shown(value)}")
                return None
            return value.strip()
        if spec.kind == "ticket_ids":
            return c.ids(spec, value, id_re, f"a ticket id like {config.id_prefix}202310270001")
        if spec.kind == "applies_to":
            return _applies_to(c, spec, value)
        raise AssertionError(spec.kind)

    v = _convert(c, KB_FIELDS, id_check)
    extra = _unknown_keys(c, KB_FIELDS, KB_SPEC, config.custom_fields)
    _kb_privacy(c, v, extra)
    stem = _stem(raw.path)
    if v.get("id") and stem != v["id"] and not stem.startswith(v["id"] + "-"):
        c.add("id", f"the file name must be the id or start with '{v['id']}-', got {PurePosixPath(raw.path).name}")
    _kb_sections(c)
    _kb_unfilled(c, v.get("status"))
    if any(k not in v for k in ("id", "title")) or any(p.severity == ERROR for p in c.problems):
        return None, c.problems
    return Article(**v, extra=extra, path=raw.path, body=raw.body, lines=raw.key_lines), c.problems


def _applies_to(c: _Checker, spec: FieldSpec, value: Any) -> dict[str, Any] | None:
    if not isinstance(value, dict):
        c.add(spec.key, f"expected a mapping with versions, permissions, note; got {_kind(value)} {_shown(value)}")
        return None
    out: dict[str, Any] = {}
    for key, sub in value.items():
        if key in ("versions", "permissions"):
            items = c.strings(spec, sub, field=f"{spec.key}.{key}") if sub is not None else []
            if items is not None:
                out[key] = items
        elif key == "note":
            if sub is not None:
                out[key] = str(sub).strip()
        else:
            c.add(f"{spec.key}.{key}", f"unknown key{_suggest(str(key), spec.subkeys)}; expected versions, permissions, note")
    return out


_HEADING = HEADINGS  # ^#{1,6}\s+(.+?)\s*#*\s*$ (MULTILINE), read in linear time (archive/scan.py)


def _kb_sections(c: _Checker) -> None:
    headings = [h.strip().lower() for h in _HEADING.findall(c.raw.body)]
    for name, accepted in KB_SECTIONS:
        if not any(any(h.startswith(a.lower()) or a.lower() in h for a in accepted) for h in headings):
            c.problems.append(Problem(c.raw.path, c.raw.body_line, "body",
                                      f"missing section '## {name}' (the guide's standard article sections)", WARNING))


_EMPTY_ITEM = re.compile(r"(?:\d+[.)]|[-*+])?")


def _placeholder_only(text: str) -> bool:
    """Nothing but HTML comments, blank lines and empty list items (`1. `)."""
    return all(_EMPTY_ITEM.fullmatch(line.strip()) for line in drop_comments(text).splitlines())


def _kb_unfilled(c: _Checker, status: str | None) -> None:
    """A standard section that holds only the template's placeholders (comments, an empty `1.`) is a
    draft not filled in: a warning, an error once the article is published."""
    body = c.raw.body
    headings = list(_HEADING.finditer(body))
    for i, m in enumerate(headings):
        title = m.group(1).strip().lower()
        if not any(title.startswith(a.lower()) for _, accepted in KB_SECTIONS for a in accepted):
            continue
        end = headings[i + 1].start() if i + 1 < len(headings) else len(body)
        if _placeholder_only(body[m.end():end]):
            published = status == "published"
            c.problems.append(Problem(
                c.raw.path, c.raw.body_line + body.count("\n", 0, m.start()), "body",
                f"draft not filled in: section '{m.group(1).strip()}' holds only the template's placeholder"
                + ("; a published article must say it (or set status: draft)" if published else ""),
                ERROR if published else WARNING))
