"""What to do about the YAML mistakes people make in their first hour, at the line they made them.

PyYAML reports where parsing failed, which is often the line after the mistake and in its own words
("could not find expected ':'"). These checks look at the lines around that point for the usual
causes and name the fix: a tab in the indentation, a full-width colon after a key, a key without a
space after its colon, a value holding ': ' that needs quotes.
"""

from __future__ import annotations

import re

_TAB_INDENT = re.compile(r"^[ ]*\t")
_FULL_WIDTH = re.compile(r"^(\s*(?:-\s+)?)([A-Za-z_][\w.-]*)\s*：\s*(.*)$")
_NO_SPACE = re.compile(r"^(\s*(?:-\s+)?)([A-Za-z_][\w.-]*):(?![\s/])(.+)$")
_COLON_VALUE = re.compile(r"^(\s*(?:-\s+)?)([A-Za-z_][\w.-]*): +([^\"'\[{|>&*!#\s].*: .*)$")


def yaml_hint(fm: str, problem: str, marks: list[int]) -> tuple[int, str] | None:
    """(0-based line, message) naming the likely mistake near the lines YAML reported, or None."""
    lines = fm.split("\n")
    if not marks or not lines:
        return None
    first, last = max(min(marks) - 1, 0), min(max(marks), len(lines) - 1)
    for i in range(first, last + 1):
        line = lines[i]
        if _TAB_INDENT.match(line):
            return i, "a tab in the indentation: YAML indents with spaces only; replace the tab with spaces"
        m = _FULL_WIDTH.match(line)
        if m:
            return i, (f"full-width colon '：' after `{m.group(2)}`: write an ASCII colon and a space, "
                       f"`{m.group(2)}: {m.group(3)}`")
        m = _NO_SPACE.match(line)
        if m and not line.lstrip().startswith("#"):
            return i, (f"no space after the colon of `{m.group(2)}`: YAML needs one, "
                       f"`{m.group(2)}: {m.group(3)}`")
    if "mapping values are not allowed" in problem:
        for i in range(last, first - 1, -1):
            m = _COLON_VALUE.match(lines[i])
            if m:
                quoted = m.group(3).replace("\\", "\\\\").replace('"', '\\"')
                return i, (f"the value of `{m.group(2)}` contains ': ', which YAML reads as another key: "
                           f"put the value in quotes, {m.group(2)}: \"{quoted}\"")
    return None


def base60_hint(value: object) -> str:
    """For a time field holding a number: ' (YAML read 15:45 as the base-60 number 945 ...)', else ''."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 24 * 60 * 60:
        h, m = divmod(value, 60)
        if h < 24:
            return (f"; YAML read {h}:{m:02d} as the base-60 number {value}: write the date with the time "
                    f"and quote it, e.g. \"2023-10-27 {h:02d}:{m:02d}\"")
    return ""
