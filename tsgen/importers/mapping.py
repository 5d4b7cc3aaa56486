"""How an export's columns and values become tsgen fields: the mapping (format defaults + --map file).

The mapping file (YAML)::

    columns:            # source column header -> tsgen field (customer.* are keys under customer)
      工单编号: id        # the source's own number, kept as source_id
      标题: title
      客户: customer.name
    values:             # per field: source spelling -> tsgen value ("skip" leaves the record out)
      status: {已关闭: resolved, 处理中: pending}
    timezone: Asia/Shanghai   # for source times written without an offset
    defaults: {type: fault}   # for fields the export does not have

Every conversion raises ValueError with a message for the user; core.py names the record and column.
"""

from __future__ import annotations

import difflib
import functools
import math
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from tsgen.archive.clock import parse_datetime
from tsgen.archive.schema import TICKET_SPEC
from tsgen.errors import ConfigError

ENUMS = ("type", "priority", "status", "channel", "satisfaction", "category")
TIMES = ("created", "updated", "responded", "located", "escalated", "resolved")
LINES = ("title", "source", "assignee", "escalated_to", "solution", "customer.name", "customer.contact",
         "customer.department", "environment.os", "environment.version", "environment.browser",
         "environment.network")
TARGETS = ("id", "body", "feedback", "tags", "status_category", "first_response_minutes", "resolution_minutes",
           "customer.from", "ignore") + ENUMS + TIMES + LINES
SKIP = "skip"


@dataclass
class Mapping:
    """Column -> field, per-field value tables, the source timezone and defaults; format defaults merged."""

    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    timezone: str | None = None
    defaults: dict[str, str] = field(default_factory=dict)

    def merged(self, other: "Mapping") -> "Mapping":
        """This mapping with `other` (the user's file) on top: its columns and values win."""
        columns = {**self.columns}
        lowered = {k.lower(): k for k in columns}
        for col, target in other.columns.items():
            columns.pop(lowered.get(col.lower(), col), None)
            columns[col] = target
        values = {k: dict(v) for k, v in self.values.items()}
        for key, table in other.values.items():
            values.setdefault(key, {}).update(table)
        return Mapping(columns, values, other.timezone or self.timezone, {**self.defaults, **other.defaults})


def _closest(word: str, known: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(word, known, n=1)
    return f" (did you mean `{close[0]}`?)" if close else ""


def load_mapping(path: Path) -> Mapping:
    """Read and check a --map file; every mistake is a ConfigError naming the file and the key."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the mapping file: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: the mapping file must be UTF-8 text") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from None
    if data is None:
        return Mapping()
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping with columns, values, timezone")
    unknown = sorted(set(map(str, data)) - {"columns", "values", "timezone", "defaults"})
    if unknown:
        raise ConfigError(f"{path}: unknown key {unknown[0]!r}{_closest(unknown[0], ('columns', 'values', 'timezone', 'defaults'))}; "
                          "expected columns, values, timezone, defaults")
    columns: dict[str, str] = {}
    for col, target in (data.get("columns") or {}).items():
        target = "ignore" if target is None else str(target)
        if target not in TARGETS and not target.startswith("environment."):
            raise ConfigError(f"{path}: columns.{col}: unknown tsgen field {target!r}{_closest(target, TARGETS)}")
        columns[str(col)] = target
    values: dict[str, dict[str, str]] = {}
    for key, table in (data.get("values") or {}).items():
        if key not in ENUMS + ("status_category",):
            raise ConfigError(f"{path}: values.{key}: only {', '.join(ENUMS)} have value tables{_closest(str(key), ENUMS)}")
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: values.{key}: expected a mapping of source value -> tsgen value")
        values[key] = {}
        allowed = _allowed(key)
        for src, dst in table.items():
            if str(dst) not in allowed and str(dst) != SKIP:
                raise ConfigError(f"{path}: values.{key}.{src}: expected one of {', '.join(sorted(allowed))} "
                                  f"or skip, got {dst!r}")
            values[key][_norm(src)] = str(dst)
    tz = data.get("timezone")
    if tz is not None:
        try:
            ZoneInfo(str(tz))
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError(f"{path}: timezone: unknown timezone {tz!r} (expected a name like Asia/Shanghai)") from None
    defaults = {str(k): str(v) for k, v in (data.get("defaults") or {}).items()}
    for key, value in defaults.items():
        if key in ENUMS and value not in _allowed(key):
            raise ConfigError(f"{path}: defaults.{key}: expected one of {', '.join(sorted(_allowed(key)))}, got {value!r}")
    return Mapping(columns, values, str(tz) if tz is not None else None, defaults)


def _allowed(key: str) -> set[str]:
    spec = TICKET_SPEC["status" if key == "status_category" else key]
    return {c.value for c in spec.choices}


def _norm(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return re.sub(r"\s+", " ", str(value)).strip().lower()


@functools.lru_cache(maxsize=None)
def _own_spellings(key: str) -> dict[str, str]:
    return TICKET_SPEC[key].lookup()


@functools.lru_cache(maxsize=4096)
def _norm_cached(value: str) -> str:
    return re.sub(r"\s+", " ", value).strip().lower()


def enum_value(key: str, value: Any, mapping: Mapping) -> str | None:
    """A source spelling -> a tsgen enum value (or SKIP); None when the cell is empty. ValueError if unknown."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    spelled = _norm_cached(value) if isinstance(value, str) else _norm(value)
    table = mapping.values.get(key, {})
    if spelled in table:
        return table[spelled]
    spec_key = "status" if key == "status_category" else key
    own = _own_spellings(spec_key)
    if spelled in own:
        return own[spelled]
    if key == "satisfaction":
        score = _score(spelled)
        if score is not None:
            return score
    if key == "channel":
        return "other"  # helpdesks have dozens of channels; the ones not listed are "other"
    known = sorted(set(table) | {c.value for c in TICKET_SPEC[spec_key].choices})
    raise ValueError(f"unknown {key} {value!r}; expected one of {', '.join(known)} "
                     f"(add it under values: {key}: in a --map file)")


def _score(text: str) -> str | None:
    """A 1-5 rating (智齿, Jira's satisfaction field): 4-5 satisfied, 3 neutral, 1-2 dissatisfied."""
    m = re.fullmatch(r"(\d+(?:\.\d+)?)(?:\s*/\s*5)?", text)
    if not m:
        return None
    n = float(m.group(1))
    if not 1 <= n <= 5:
        raise ValueError(f"satisfaction score {text!r} is outside 1-5")
    return "satisfied" if n >= 4 else "neutral" if n >= 3 else "dissatisfied"


_MONTHS = {m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct",
                                       "nov", "dec"), start=1)}
# Jira's CSV export: "27/Oct/23 10:05 AM" (dd/MMM/yy h:mm a; the year may have four digits)
# and in a Chinese Jira: "27/十月/23 10:05 上午"
_JIRA = re.compile(r"(\d{1,2})/([A-Za-z]{3}|[一二三四五六七八九十]{1,3}月)/(\d{2}|\d{4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?"
                   r"\s*([AaPp][Mm]|上午|下午)?")
_CN_MONTHS = {f"{n}月": i for i, n in enumerate(("一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一",
                                               "十二"), start=1)}
_CHINESE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日\s*(\d{1,2})[:：时](\d{2})(?:[:：分](\d{2}))?秒?")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def source_tz(mapping: Mapping, default: tzinfo) -> tzinfo:
    return ZoneInfo(mapping.timezone) if mapping.timezone else default


def time_value(value: Any, tz: tzinfo) -> datetime | None:
    """A source time -> aware datetime: ISO (Z or offset), epoch seconds/ms, Jira's and Chinese forms.

    Times without an offset are read in `tz`; None for an empty cell. ValueError when unreadable.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=tz)
    if isinstance(value, bool):
        raise ValueError(f"expected a date and time, got {value!r}")
    if isinstance(value, (int, float)) or (isinstance(value, str) and _NUMBER.fullmatch(value.strip())):
        number = float(value)
        if not math.isfinite(number) or number <= 0:
            raise ValueError(f"expected a date and time, got {value!r}")
        if number > 1e11:    # epoch milliseconds (智齿 createTime, 13 digits)
            number /= 1000
        elif number < 1e8:
            raise ValueError(f"expected a date and time, got the number {value!r}")
        return datetime.fromtimestamp(number, timezone.utc)
    text = str(value).strip()
    m = _JIRA.fullmatch(text)
    if m:
        d, mon, y, h, mi, s, ampm = m.groups()
        month = _MONTHS.get(mon.lower()) or _CN_MONTHS.get(mon)
        hour = int(h)
        if ampm:
            if not 1 <= hour <= 12:
                raise ValueError(f"{text!r} is not a real time (hour {hour} with {ampm})")
            hour = hour % 12 + (12 if ampm.lower() in ("pm", "下午") else 0)
        year = int(y) + (2000 if len(y) == 2 else 0)
        if month is None:
            raise ValueError(f"{text!r}: unknown month {mon!r}")
        try:
            return datetime(year, month, int(d), hour, int(mi), int(s or 0), tzinfo=tz)
        except ValueError as exc:
            raise ValueError(f"{text!r} is not a real date and time ({exc})") from None
    m = _CHINESE.fullmatch(text)
    if m:
        y, mo, d, h, mi, s = m.groups()
        try:
            return datetime(int(y), int(mo), int(d), int(h), int(mi), int(s or 0), tzinfo=tz)
        except ValueError as exc:
            raise ValueError(f"{text!r} is not a real date and time ({exc})") from None
    return parse_datetime(text, tz)


def minutes_value(value: Any) -> float | None:
    """An "in minutes" cell (Zammad's First Response In Min, Zendesk's reply_time_in_minutes)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dict):  # Zendesk: {"calendar": 12, "business": 3}
        value = value.get("calendar")
        if value is None:
            return None
    try:
        minutes = float(str(value).strip().replace(",", ""))
    except ValueError:
        raise ValueError(f"expected a number of minutes, got {value!r}") from None
    if not math.isfinite(minutes) or minutes < 0:
        raise ValueError(f"expected a number of minutes ≥ 0, got {value!r}")
    return minutes


def after(moment: datetime, minutes: float) -> datetime:
    return moment + timedelta(minutes=minutes)
