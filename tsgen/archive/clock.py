"""Time: the one date parser, the one duration rule (wall clock or business hours), and periods."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone, tzinfo

from tsgen.config import Config

_DATETIME = re.compile(
    r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})[T ]+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,6})\d*)?)?"
    r"\s*(Z|[+-]\d{2}(?::?\d{2})?)?", re.ASCII)  # ASCII: \d alone also matches full-width digits
_DATE = re.compile(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})", re.ASCII)
DATETIME_HINT = "a date and time like 2023-10-27 10:00 (seconds and an offset such as +08:00 are optional)"


def _offset(text: str) -> tzinfo:
    if text == "Z":
        return timezone.utc
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def parse_datetime(value: object, tz: tzinfo) -> datetime:
    """A front-matter value -> an aware datetime; naive values are read in `tz`. Raises ValueError."""
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=tz)
    if isinstance(value, date):
        raise ValueError(f"expected {DATETIME_HINT}, got the date {value.isoformat()} without a time")
    if not isinstance(value, str):
        raise ValueError(f"expected {DATETIME_HINT}, got {value!r}")
    if len(value) == 16 and value[4] == "-" == value[7] and value[10] == " " and value[13] == ":" \
            and value.isascii() and (digits := value[:4] + value[5:7] + value[8:10] + value[11:13] + value[14:]).isdigit():
        try:  # the form every template writes (2023-10-27 10:00), without the regex; any doubt: the general way
            return datetime(int(digits[:4]), int(digits[4:6]), int(digits[6:8]), int(digits[8:10]), int(digits[10:]),
                            tzinfo=tz)
        except ValueError:
            pass
    m = _DATETIME.fullmatch(value.strip())
    if not m:
        raise ValueError(f"expected {DATETIME_HINT}, got {value!r}")
    y, mo, d, h, mi, s, frac, off = m.groups()
    try:
        micro = int((frac or "0").ljust(6, "0"))
        parsed = datetime(int(y), int(mo), int(d), int(h), int(mi), int(s or 0), micro)
        return parsed.replace(tzinfo=_offset(off) if off else tz)
    except ValueError as exc:
        raise ValueError(f"{value!r} is not a real date and time ({exc})") from None


def parse_date(value: object) -> date:
    """A front-matter value -> a date. Raises ValueError."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    m = _DATE.fullmatch(value.strip()) if isinstance(value, str) else None
    if not m:
        raise ValueError(f"expected a date like 2024-03-31, got {value!r}")
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError as exc:
        raise ValueError(f"{value!r} is not a real date ({exc})") from None


def _business_minutes(start: datetime, end: datetime, config: Config) -> float:
    """Minutes of `start..end` inside the configured working hours, counted in the configured timezone."""
    bh = config.business_hours
    assert bh is not None
    tz = config.tz
    start, end = start.astimezone(tz), end.astimezone(tz)
    total = 0.0
    day = start.date()
    while day <= end.date():
        if day.isoweekday() in bh.weekdays:
            open_ = datetime.combine(day, bh.start, tz)
            close = datetime.combine(day, bh.end, tz)
            lo, hi = max(start, open_), min(end, close)
            if hi > lo:
                total += (hi - lo).total_seconds() / 60
        day += timedelta(days=1)
    return total


def minutes_between(start: datetime, end: datetime, config: Config) -> float:
    """Elapsed minutes from start to end: wall clock, or business hours when configured (section 3)."""
    if config.business_hours is None or end <= start:
        return (end - start).total_seconds() / 60
    return _business_minutes(start, end, config)


def period_key(moment: datetime, period: str, tz: tzinfo) -> str:
    """The ISO week (2023-W43) or month (2023-10) holding `moment` in `tz`."""
    local = moment.astimezone(tz)
    if period == "week":
        year, week, _ = local.isocalendar()
        return f"{year}-W{week:02d}"
    return f"{local.year}-{local.month:02d}"


def period_bounds(key: str, tz: tzinfo) -> tuple[datetime, datetime]:
    """[start, end) of a period key in `tz`."""
    if "-W" in key:
        year, week = key.split("-W")
        start_day = date.fromisocalendar(int(year), int(week), 1)
        start = datetime.combine(start_day, time(0), tz)
        return start, datetime.combine(start_day + timedelta(days=7), time(0), tz)
    year, month = map(int, key.split("-"))
    start = datetime(year, month, 1, tzinfo=tz)
    end = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=tz)
    return start, end


def next_period(key: str, tz: tzinfo) -> str:
    """The period key right after `key`."""
    _, end = period_bounds(key, tz)
    return period_key(end, "week" if "-W" in key else "month", tz)
