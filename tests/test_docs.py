"""Docs match the code: every command has help and appears in the README; every field is documented."""

from __future__ import annotations

import re
from pathlib import Path

import click
from click.testing import CliRunner

from tsgen.cli import main
from tsgen.archive.schema import KB_FIELDS, TICKET_FIELDS

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = []
    for name, cmd in group.commands.items():
        path = prefix + (name,)
        found.append(path)
        if isinstance(cmd, click.Group):
            found.extend(_commands(cmd, path))
    return found


def test_every_command_has_help_and_is_in_the_readme() -> None:
    commands = _commands(main)
    assert {("validate",), ("new", "ticket"), ("new", "kb"), ("stats",), ("build",), ("serve",), ("init",)} <= set(commands)
    for path in commands:
        result = CliRunner().invoke(main, [*path, "--help"])
        assert result.exit_code == 0, path
        usage_line, _, rest = result.output.partition("\n")
        assert rest.strip(), f"{' '.join(path)} has no help text"
        assert f"tsgen {' '.join(path)}" in README, f"`tsgen {' '.join(path)}` is not in the README"


def test_every_field_of_the_contract_is_in_the_readme() -> None:
    for spec in TICKET_FIELDS + KB_FIELDS:
        assert re.search(rf"\| `{spec.key}` \| {re.escape(spec.zh)} \|", README), spec.key
        for choice in spec.choices:
            assert f"`{choice.value}`" in README, (spec.key, choice.value)


def test_readme_quick_start_is_two_commands() -> None:
    block = README.split("## Quick start", 1)[1].split("```bash", 1)[1].split("```", 1)[0]
    lines = [ln for ln in block.strip().splitlines() if ln.strip()]
    assert len(lines) == 2
    assert "tsgen build" in lines[0] and "pytest" in lines[1]
    ci = (Path(__file__).resolve().parents[1] / ".ci/run").read_text(encoding="utf-8")
    assert lines[1].split("#")[0].strip() in ci, "CI runs the README's test command"
