"""Problem lists -> text, JSON or GitHub Actions annotations (the output formats of `tsgen validate`)."""

from __future__ import annotations

import json

from tsgen.archive.model import ERROR, Problem


def _escape_gh(value: str, prop: bool = False) -> str:
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        value = value.replace(":", "%3A").replace(",", "%2C")
    return value


def format_problems(problems: list[Problem], fmt: str) -> str:
    """Render problems in one of the formats text, json, github."""
    ordered = sorted(problems, key=lambda p: (p.path, p.line, p.severity != ERROR, p.field))
    if fmt == "json":
        return json.dumps([p.as_dict() for p in ordered], ensure_ascii=False, indent=2)
    if fmt == "github":
        lines = []
        for p in ordered:
            title = f"{p.field}" if p.field else "tsgen"
            level = "error" if p.severity == ERROR else "warning"
            lines.append(f"::{level} file={_escape_gh(p.path, True)},line={max(p.line, 1)},"
                         f"title={_escape_gh(title, True)}::{_escape_gh(p.message)}")
        return "\n".join(lines)
    return "\n".join(p.format() for p in ordered)


def summary(problems: list[Problem], files: int) -> str:
    errors = sum(p.severity == ERROR for p in problems)
    warnings = len(problems) - errors
    verdict = "ok" if not errors else "failed"
    return f"{files} file{'s' * (files != 1)} checked: {errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)} ({verdict})"
