"""The `tsgen` command line: parse options, call the core, turn results and errors into output and exit codes."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import click

from . import __version__
from .config import load_config
from .errors import TsgenError
from .link import load_archive
from .load import iter_files
from .model import ERROR, WARNING
from .report import format_problems, summary

ROOT_OPTION = click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=".",
                           show_default=True, help="The archive repository (holds tickets/, kb/, mkdocs.yml).")


def _root(root: Path) -> Path:
    root = root.resolve()
    if not root.is_dir():
        raise click.UsageError(f"--root {root} is not a folder")
    if not (root / "tickets").is_dir() and not (root / "kb").is_dir() and not (root / "mkdocs.yml").is_file():
        raise click.UsageError(f"{root} does not look like a tsgen archive (no tickets/, kb/ or mkdocs.yml); "
                               "use --root, or create one with `tsgen init DIR`")
    return root


class _Group(click.Group):
    """Turns tsgen's own errors into one clean line and exit code 1, never a traceback."""

    def invoke(self, ctx: click.Context):  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except TsgenError as exc:
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(1)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="tsgen")
def main() -> None:
    """tsgen: a support team's tickets and knowledge base as Markdown in git.

    Write tickets in tickets/ and KB articles in kb/ (`tsgen new`), check them
    (`tsgen validate`, run by CI on every pull request), see the numbers
    (`tsgen stats`) and publish the searchable site (`tsgen build`, `tsgen serve`).
    """


@main.command()
@ROOT_OPTION
@click.option("--format", "fmt", type=click.Choice(["text", "json", "github"]), default="text", show_default=True,
              help="text for people, json for tools, github for GitHub Actions annotations on the pull request.")
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
def validate(root: Path, fmt: str, strict: bool) -> None:
    """Check every ticket and KB article against the data contract and each other.

    Reports every problem at once as `path:line: severity: field: message`.
    Exit status: 0 no errors (warnings are listed), 1 errors, 2 usage error.

    Example: tsgen validate --format github
    """
    root = _root(root)
    config = load_config(root)
    paths = list(iter_files(root))
    archive = load_archive(root, config, paths)
    problems = archive.problems
    if strict:
        problems = [replace(p, severity=ERROR) if p.severity == WARNING else p for p in problems]
    out = format_problems(problems, fmt)
    if out:
        click.echo(out)
    if fmt == "text":
        click.echo(summary(problems, len(paths)), err=True)
    sys.exit(1 if any(p.severity == ERROR for p in problems) else 0)


def run() -> None:  # pragma: no cover - console entry for `python -m tsgen`
    main()
