"""The tsgen settings: read once from the `extra: tsgen:` block of the archive's mkdocs.yml.

Every setting has a default, so an archive needs no configuration at all::

    extra:
      tsgen:
        id_prefix: TS              # ticket ids look like TS202310270001
        timezone: Asia/Shanghai    # for datetimes written without an offset, and for periods
        language: zh               # zh or en: labels and dates on the site
        custom_fields: [sales_rep] # extra ticket keys that are not errors
        sla_minutes: {P0: 15, P1: 30}          # first-response targets
        escalation_minutes: {P1: 30}           # locate-or-escalate limits
        business_hours:            # optional; wall-clock minutes when absent
          start: "09:00"
          end: "18:00"
          weekdays: [1, 2, 3, 4, 5]   # ISO weekdays, Monday = 1
        privacy_allow: ["400-820-8820", support@example.cn]  # public numbers/addresses the privacy lint accepts
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from tsgen.errors import ConfigError

PRIORITIES = ("P0", "P1", "P2", "P3", "P4")
LANGUAGES = ("zh", "en")


@dataclass(frozen=True)
class BusinessHours:
    """Working hours used to count SLA minutes, when a team counts only those."""

    start: time
    end: time
    weekdays: tuple[int, ...] = (1, 2, 3, 4, 5)


@dataclass(frozen=True)
class Config:
    """tsgen settings with the guide's defaults."""

    id_prefix: str = "TS"
    timezone: str = "Asia/Shanghai"
    language: str = "zh"
    custom_fields: tuple[str, ...] = ()
    sla_minutes: dict[str, int] = field(default_factory=lambda: {"P0": 15, "P1": 30})
    escalation_minutes: dict[str, int] = field(default_factory=lambda: {"P1": 30})
    business_hours: BusinessHours | None = None
    site_name: str = "技术支持知识库"
    chart_min_sample: int = 5          # a trend chart leaves out a ratio whose denominator is smaller
    site_url: str = ""                 # mkdocs.yml's site_url: `tsgen report` links pages when it is set
    # phone numbers, e-mail addresses (or other values) meant to be public, e.g. the team's hotline:
    # the privacy lint of `tsgen validate` does not warn about them (compared normalised: phone
    # numbers by their digits, addresses case-insensitively)
    privacy_allow: tuple[str, ...] = ()

    @property
    def tz(self) -> ZoneInfo:
        """The configured timezone as a tzinfo."""
        return ZoneInfo(self.timezone)


class _LenientLoader(yaml.SafeLoader):
    """Reads mkdocs.yml, which may hold tags like !!python/name: or !ENV that only MkDocs resolves."""


def _ignore_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    return loader.construct_mapping(node)


_LenientLoader.add_multi_constructor("", _ignore_tag)


def read_mkdocs_yml(path: Path) -> dict[str, Any]:
    """Parse mkdocs.yml leniently (MkDocs-only tags are kept as plain values)."""
    try:
        data = yaml.load(path.read_text(encoding="utf-8-sig"), Loader=_LenientLoader)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping at the top level")
    return data


def _minutes(where: str, value: Any) -> dict[str, int]:
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: expected a mapping of priority to minutes, got {value!r}")
    out: dict[str, int] = {}
    for key, minutes in value.items():
        if str(key) not in PRIORITIES:
            raise ConfigError(f"{where}: unknown priority {key!r}; expected one of {', '.join(PRIORITIES)}")
        if minutes is None:
            continue
        if isinstance(minutes, bool) or not isinstance(minutes, int) or minutes <= 0:
            raise ConfigError(f"{where}.{key}: expected a positive number of minutes, got {minutes!r}")
        out[str(key)] = minutes
    return out


def _clock(where: str, value: Any) -> time:
    if isinstance(value, int):  # YAML 1.1 reads 09:00 as a sexagesimal integer
        return time(value // 60, value % 60)
    m = re.fullmatch(r"(\d{1,2}):(\d{2})", str(value), re.ASCII)
    if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59:
        raise ConfigError(f"{where}: expected a time like \"09:00\", got {value!r}")
    return time(int(m.group(1)), int(m.group(2)))


def config_from_mapping(raw: Any, where: str = "extra.tsgen") -> Config:
    """Build a Config from the `extra: tsgen:` mapping, checking every value."""
    if raw is None:
        return Config()
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: expected a mapping, got {raw!r}")
    known = {"id_prefix", "timezone", "language", "custom_fields", "sla_minutes",
             "escalation_minutes", "business_hours", "site_name", "chart_min_sample", "privacy_allow"}
    unknown = sorted(set(map(str, raw)) - known)
    if unknown:
        raise ConfigError(f"{where}: unknown setting {unknown[0]!r}; known: {', '.join(sorted(known))}")
    kwargs: dict[str, Any] = {}
    if "id_prefix" in raw:
        prefix = raw["id_prefix"]
        if not isinstance(prefix, str) or not re.fullmatch(r"[A-Za-z][A-Za-z_-]{0,9}", prefix):
            raise ConfigError(f"{where}.id_prefix: expected 1-10 letters like TS, got {prefix!r}")
        kwargs["id_prefix"] = prefix
    if "timezone" in raw:
        try:
            ZoneInfo(str(raw["timezone"]))
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ConfigError(f"{where}.timezone: unknown timezone {raw['timezone']!r}") from exc
        kwargs["timezone"] = str(raw["timezone"])
    if "language" in raw:
        if raw["language"] not in LANGUAGES:
            raise ConfigError(f"{where}.language: expected one of zh, en, got {raw['language']!r}")
        kwargs["language"] = raw["language"]
    if "site_name" in raw:
        kwargs["site_name"] = str(raw["site_name"])
    if "chart_min_sample" in raw:
        n = raw["chart_min_sample"]
        if not isinstance(n, int) or isinstance(n, bool) or n < 1:
            raise ConfigError(f"{where}.chart_min_sample: expected a whole number of tickets (1 or more), got {n!r}")
        kwargs["chart_min_sample"] = n
    if "custom_fields" in raw:
        fields = raw["custom_fields"] or []
        if not isinstance(fields, list) or not all(isinstance(f, str) for f in fields):
            raise ConfigError(f"{where}.custom_fields: expected a list of field names, got {fields!r}")
        kwargs["custom_fields"] = tuple(fields)
    if "privacy_allow" in raw:
        allow = raw["privacy_allow"] or []
        if isinstance(allow, str):
            allow = [allow]
        if not isinstance(allow, list) or not all(isinstance(v, str) for v in allow):
            raise ConfigError(f"{where}.privacy_allow: expected a list of phone numbers or addresses in quotes "
                              f"(an unquoted number loses its leading 0), got {allow!r}")
        kwargs["privacy_allow"] = tuple(allow)
    if "sla_minutes" in raw:
        kwargs["sla_minutes"] = _minutes(f"{where}.sla_minutes", raw["sla_minutes"])
    if "escalation_minutes" in raw:
        kwargs["escalation_minutes"] = _minutes(f"{where}.escalation_minutes", raw["escalation_minutes"])
    if raw.get("business_hours") is not None:
        bh = raw["business_hours"]
        if not isinstance(bh, dict):
            raise ConfigError(f"{where}.business_hours: expected a mapping with start, end, weekdays")
        days = bh.get("weekdays", [1, 2, 3, 4, 5])
        if not isinstance(days, list) or not days or not all(isinstance(d, int) and 1 <= d <= 7 for d in days):
            raise ConfigError(f"{where}.business_hours.weekdays: expected ISO weekdays 1-7, got {days!r}")
        start = _clock(f"{where}.business_hours.start", bh.get("start", "09:00"))
        end = _clock(f"{where}.business_hours.end", bh.get("end", "18:00"))
        if end <= start:
            raise ConfigError(f"{where}.business_hours: end must be after start")
        kwargs["business_hours"] = BusinessHours(start, end, tuple(sorted(set(days))))
    return Config(**kwargs)


def load_config(root: Path) -> Config:
    """Read the settings of the archive at `root`; defaults when mkdocs.yml or the block is absent."""
    path = root / "mkdocs.yml"
    if not path.is_file():
        return Config()
    data = read_mkdocs_yml(path)
    extra = data.get("extra") or {}
    cfg = config_from_mapping(extra.get("tsgen") if isinstance(extra, dict) else None)
    if "site_name" not in ((extra or {}).get("tsgen") or {}) and isinstance(data.get("site_name"), str):
        cfg = Config(**{**cfg.__dict__, "site_name": data["site_name"]})
    if isinstance(data.get("site_url"), str) and data["site_url"].strip():
        cfg = Config(**{**cfg.__dict__, "site_url": data["site_url"].strip()})
    return cfg
