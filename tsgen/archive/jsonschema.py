"""The data contract as JSON Schema, for editors: VS Code's YAML extension (and others) then complete
field names, offer the enum values with their Chinese labels, and flag typos while typing.

Generated from schema.py, so it never disagrees with the validator; the validator stays the judge
(cross-field rules, ids that must exist and line numbers are beyond JSON Schema).
"""

from __future__ import annotations

from typing import Any

from tsgen.config import Config
from tsgen.archive.schema import KB_FIELDS, TICKET_FIELDS, FieldSpec

_DATETIME = {"anyOf": [{"type": "string", "pattern": r"^\d{4}[-/]\d{1,2}[-/]\d{1,2}[T ]+\d{1,2}:\d{2}"},
                       {"type": "string", "format": "date-time"}]}
_DATE = {"type": "string", "pattern": r"^\d{4}[-/]\d{1,2}[-/]\d{1,2}$"}
_TEXT = {"type": ["string", "number"]}


def _field(spec: FieldSpec, config: Config) -> dict[str, Any]:
    ticket_id = {"type": "string", "pattern": rf"^{config.id_prefix}[0-9]{{12}}$"}
    kb_id = {"type": "string", "pattern": r"^KB[0-9]{4,}$"}
    kind = spec.kind
    if kind == "enum":
        values = [v for c in spec.choices for v in (c.value, c.zh, *c.aliases)]
        out: dict[str, Any] = {"enum": list(dict.fromkeys(values))}
    elif kind in ("line", "text"):
        out = dict(_TEXT)
    elif kind == "datetime":
        out = dict(_DATETIME)
    elif kind == "date":
        out = dict(_DATE)
    elif kind == "strings":
        out = {"type": "array", "items": _TEXT}
    elif kind in ("ticket_id", "ticket_id_ref"):
        out = ticket_id
    elif kind == "ticket_ids":
        out = {"type": "array", "items": ticket_id}
    elif kind == "kb_id":
        out = kb_id
    elif kind == "kb_ids":
        out = {"anyOf": [kb_id, {"type": "array", "items": kb_id}]}
    elif kind == "log":
        out = {"type": "array", "items": {"type": "object", "required": ["at", "by", "action"],
                                          "additionalProperties": False,
                                          "properties": {"at": _DATETIME, "by": _TEXT, "action": _TEXT}}}
    elif kind == "verification":
        out = {"type": "object", "additionalProperties": False,
               "properties": {k: {"type": ["boolean", "string"]} for k in spec.subkeys}}
    elif kind == "applies_to":
        out = {"type": "object", "additionalProperties": False,
               "properties": {"versions": {"type": "array", "items": _TEXT},
                              "permissions": {"type": "array", "items": _TEXT}, "note": _TEXT}}
    elif kind == "mapping":
        out = {"type": "object", "properties": {k: _TEXT for k in spec.subkeys},
               "additionalProperties": _TEXT if spec.open_mapping else False}
    else:  # pragma: no cover - a new kind must be added here
        raise ValueError(f"no JSON Schema for field kind {kind!r}")
    out["title"] = f"{spec.zh} {spec.en}"
    if spec.choices:
        out["description"] = "; ".join(f"{c.value} = {c.zh}" for c in spec.choices)
    elif spec.help:
        out["description"] = spec.help
    return out


def json_schema(kind: str, config: Config) -> dict[str, Any]:
    """The JSON Schema of a ticket's or a KB article's front matter."""
    fields = TICKET_FIELDS if kind == "ticket" else KB_FIELDS
    props = {spec.key: _field(spec, config) for spec in fields}
    for custom in config.custom_fields:
        props.setdefault(custom, {"title": custom})
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "tsgen ticket" if kind == "ticket" else "tsgen KB article",
        "type": "object",
        "required": [spec.key for spec in fields if spec.required],
        "properties": props,
        "additionalProperties": False,
    }
