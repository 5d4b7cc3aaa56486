"""The `tsgen` command line: parse options, call the core, turn results and errors into output and exit codes."""

from __future__ import annotations

import os
import sys
from dataclasses import replace
from datetime import date, datetime, time
from pathlib import Path

import click

from tsgen import __version__
from tsgen.edit.authoring import TicketDraft, init_archive, new_article, new_ticket
from tsgen.archive.clock import parse_date, parse_datetime
from tsgen.config import load_config
from tsgen.errors import TsgenError
from tsgen.repo.guard import guard_archive
from tsgen.repo.history import changed_since as changed_paths
from tsgen.archive.link import load_archive
from tsgen.archive.load import iter_files
from tsgen.stats.metrics import PERIODS, compute_periods
from tsgen.archive.model import ERROR, WARNING
from tsgen.repo.renumber import renumber as renumber_ticket, ticket_ids_at
from tsgen.archive.problems import format_problems, summary
from tsgen.archive.schema import TICKET_SPEC
from tsgen.stats.formats import format_csv, format_json, format_table

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
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit, KeyboardInterrupt):
            raise
        except Exception as exc:  # a bug in tsgen: still one clear line, the traceback only on request
            if os.environ.get("TSGEN_DEBUG"):
                raise
            click.echo(f"Error: internal error ({type(exc).__name__}: {exc}); "
                       "run again with TSGEN_DEBUG=1 for the traceback and report it", err=True)
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
@click.option("--changed-since", "changed_since", metavar="REF",
              help="Report only problems in files the branch changed since it left git revision REF "
                   "(links are still checked against the whole archive).")
@click.option("--base", metavar="REF",
              help="Also guard the archive against git revision REF (e.g. origin/main): archived tickets "
                   "must not be deleted or changed, and ticket ids must not be reused.")
def validate(root: Path, fmt: str, strict: bool, changed_since: str | None, base: str | None) -> None:
    """Check every ticket and KB article against the data contract and each other.

    Reports every problem at once as `path:line: severity: field: message`.
    Exit status: 0 no errors (warnings are listed), 1 errors, 2 usage error.

    Example: tsgen validate --format github
    Pull request: tsgen validate --format github --base origin/main
    """
    root = _root(root)
    config = load_config(root)
    paths = list(iter_files(root))
    archive = load_archive(root, config, paths)
    problems = archive.problems
    if changed_since:
        changed = changed_paths(root, changed_since)
        problems = [p for p in problems if p.path in changed]
        paths = [entry for entry in paths if entry[0] in changed]
    if base:
        problems = problems + guard_archive(root, config, base)
    if strict:
        problems = [replace(p, severity=ERROR) if p.severity == WARNING else p for p in problems]
    out = format_problems(problems, fmt)
    if out:
        click.echo(out)
    if fmt == "text":
        click.echo(summary(problems, len(paths)), err=True)
    sys.exit(1 if any(p.severity == ERROR for p in problems) else 0)


@main.group()
def new() -> None:
    """Create a new ticket or KB article from the templates (never overwrites a file)."""


def _choice_values(key: str) -> list[str]:
    return [c.value for c in TICKET_SPEC[key].choices]


@new.command("ticket")
@ROOT_OPTION
@click.option("--title", prompt="标题 Title", help="One-line summary of the problem.")
@click.option("--type", "type_", type=click.Choice(_choice_values("type")), default="fault", show_default=True,
              help="Problem type (问题类型).")
@click.option("--priority", type=click.Choice(_choice_values("priority")), default="P2", show_default=True,
              help="P0 business down ... P4 other (优先级).")
@click.option("--channel", type=click.Choice(_choice_values("channel")), default="ticket-system", show_default=True,
              help="Where the problem came in (渠道).")
@click.option("--status", type=click.Choice(_choice_values("status")), default="pending", show_default=True)
@click.option("--created", help="When it was received, e.g. '2023-10-27 10:00' (default: now).")
@click.option("--source", default="", help="问题来源, e.g. 客户A.")
@click.option("--assignee", default="", help="Initial handler (处理人).")
@click.option("--department", default="", help="The customer's department (所属部门).")
@click.option("--tag", "tags", multiple=True, help="A tag; repeat for several.")
def new_ticket_cmd(root: Path, title: str, type_: str, priority: str, channel: str, status: str,
                   created: str | None, source: str, assignee: str, department: str, tags: tuple[str, ...]) -> None:
    """Create tickets/YYYY/MM/<id>.md with the next free id of its creation date and print its path.

    Example: tsgen new ticket --title "登录后报错‘权限不足’" --priority P1 --channel phone
    """
    root = _root(root)
    config = load_config(root)
    when = None
    if created:
        try:
            when = parse_datetime(created, config.tz)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--created") from None
    if not title.strip() or "\n" in title or len(title) > 200:
        raise click.BadParameter("expected one line of 1 to 200 characters", param_hint="--title")
    draft = TicketDraft(title=title.strip(), type=type_, priority=priority, channel=channel, status=status,
                        created=when, source=source, assignee=assignee, customer_department=department,
                        tags=list(tags))
    tid, path = new_ticket(root, config, draft)
    click.echo(path.relative_to(root).as_posix())
    click.echo(f"Created {tid}. Fill in the record, then run `tsgen validate`.", err=True)


@new.command("kb")
@ROOT_OPTION
@click.option("--title", prompt="标题 Title", help="What the article solves, as people would search for it.")
@click.option("--slug", default="", help="ASCII file-name part, e.g. order-permission (default: from the title).")
@click.option("--tag", "tags", multiple=True, help="A tag; repeat for several.")
@click.option("--ticket", "tickets", multiple=True, help="A ticket id this article solves; repeat for several.")
@click.option("--owner", default="", help="Who keeps the article up to date (负责人).")
def new_kb_cmd(root: Path, title: str, slug: str, tags: tuple[str, ...], tickets: tuple[str, ...], owner: str) -> None:
    """Create kb/KB####-<slug>.md (problem / cause / steps / screenshots) with the next id and print its path.

    Example: tsgen new kb --title "数据库连接超时的排查" --slug db-timeout --ticket TS202310270001
    """
    root = _root(root)
    config = load_config(root)
    kid, path = new_article(root, config, title.strip(), slug, list(tags), list(tickets), owner)
    click.echo(path.relative_to(root).as_posix())
    click.echo(f"Created {kid} as a draft. Write it up, set status: published, then run `tsgen validate`.", err=True)


@main.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--site-name", default="技术支持知识库", show_default=True, help="The site's title.")
def init(directory: Path, site_name: str) -> None:
    """Create a new, empty, buildable archive in DIRECTORY (mkdocs.yml, tickets/, kb/, CI workflows).

    Existing files are left alone. Example: tsgen init support-kb
    """
    for path, created in init_archive(directory, site_name):
        click.echo(f"{'created' if created else 'kept   '} {path}")
    click.echo(f"Next: cd {directory} && tsgen new ticket", err=True)


def _date_option(ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
    """Parse a DATE option with the one date parser; a bad value is a usage error (exit 2)."""
    if value is None:
        return None
    try:
        return parse_date(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


@main.command()
@ROOT_OPTION
@click.option("--period", type=click.Choice(PERIODS), default="month", show_default=True,
              help="ISO week (2023-W43, Monday first) or calendar month, in the configured timezone.")
@click.option("--since", metavar="DATE", callback=_date_option,
              help="First day to report, like 2023-10-01; the period holding it is reported whole.")
@click.option("--until", metavar="DATE", callback=_date_option,
              help="Last day to report (inclusive); the period holding it is reported whole.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True,
              help="table for people (latest period first, with changes), json or csv for tools and spreadsheets.")
def stats(root: Path, period: str, since: date | None, until: date | None, fmt: str) -> None:
    """Show the team's numbers per week or month: volume, resolution and response times, SLA,
    escalation, repeats, top problems, CSAT, knowledge debt, KB link rate and backlog.

    Empty periods between the first and the last ticket are listed too. With validation errors
    the numbers cover the valid documents only, and stderr says how many errors there are.

    Example: tsgen stats --period week --since 2023-10-01 --format csv > weeks.csv
    """
    if since is not None and until is not None and since > until:
        raise click.UsageError(f"--since {since.isoformat()} is after --until {until.isoformat()}")
    root = _root(root)
    config = load_config(root)
    archive = load_archive(root, config)
    errors = len(archive.errors)
    if errors:
        click.echo(f"{errors} error{'s' * (errors != 1)} in the archive; run tsgen validate "
                   "(these numbers leave the invalid documents out)", err=True)
    if fmt == "table":  # the period before --since is computed too, to show the first period's changes
        periods = compute_periods(archive, period, None, until)
        hide = datetime.combine(since, time(0), config.tz) if since is not None else None
        out = format_table(periods, timezone=config.timezone, hide_before=hide)
    else:
        periods = compute_periods(archive, period, since, until)
        if fmt == "json":
            out = format_json(periods, {"period": period, "since": since.isoformat() if since else None,
                                        "until": until.isoformat() if until else None, "timezone": config.timezone})
        else:
            out = format_csv(periods, sla_priorities=list(config.sla_minutes))
    click.echo(out, nl=not out.endswith("\n"))


MAX_LISTED_WARNINGS = 30


def _progress(message: str) -> None:
    click.echo(f"  {message}", err=True)


@main.command()
@ROOT_OPTION
@click.option("--site-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where to write the site (default: site/ in the archive).")
@click.option("--quiet", "-q", is_flag=True, help="Print only the summary line.")
def build(root: Path, site_dir: Path | None, quiet: bool) -> None:
    """Validate, render every page into .tsgen/docs, and build the static site with MkDocs Material.

    Errors stop the build with the same report as `tsgen validate`. Ends with one line:
    pages written, tickets, articles, warnings, seconds. Example: tsgen build && open site/index.html
    """
    from tsgen.site.build import InvalidArchive, build_site

    root = _root(root)
    config = load_config(root)
    try:
        gen, warnings, seconds = build_site(root, config, site_dir, progress=None if quiet else _progress)
    except InvalidArchive as exc:
        click.echo(format_problems(exc.problems, "text"))
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
    if not quiet:
        for w in warnings[:MAX_LISTED_WARNINGS]:
            click.echo(f"warning: {w}", err=True)
        if len(warnings) > MAX_LISTED_WARNINGS:
            click.echo(f"... and {len(warnings) - MAX_LISTED_WARNINGS} more warnings; "
                       "`tsgen validate` lists them all", err=True)
    out = (site_dir or root / "site")
    click.echo(f"Built {len(gen.rendered.pages)} pages ({len(gen.archive.tickets)} tickets, "
               f"{len(gen.archive.articles)} articles) into {out} with {len(warnings)} "
               f"warning{'s' * (len(warnings) != 1)} in {seconds:.1f} s")


@main.command("index")
@ROOT_OPTION
@click.option("--site-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="The built site to index (default: site/ in the archive).")
def index_site_cmd(root: Path, site_dir: Path | None) -> None:
    """Write the search index (Pagefind, into SITE/pagefind/) and opensearch.xml into a built site.

    `tsgen build` does this itself. Run it after a tool that rebuilds the site from .tsgen/mkdocs.yml
    without tsgen, such as Zensical or plain MkDocs. Example:
    zensical build -f .tsgen/mkdocs.yml && tsgen index --site-dir .tsgen/site
    """
    from tsgen.site.build import InvalidArchive, index_built_site

    root = _root(root)
    site = (site_dir or root / "site").resolve()
    try:
        result = index_built_site(root, load_config(root), site)
    except InvalidArchive as exc:
        click.echo(format_problems(exc.problems, "text"))
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
    click.echo(f"Indexed {result.records} pages for search into {result.folder} in {result.seconds:.1f} s")


@main.command()
@ROOT_OPTION
@click.option("--dev-addr", default="127.0.0.1:8000", show_default=True, help="IP:port to serve on.")
def serve(root: Path, dev_addr: str) -> None:
    """Preview the site at http://127.0.0.1:8000, regenerating on every change.

    Watches tickets/, kb/, templates/ and mkdocs.yml; a change re-renders the pages and the
    browser reloads. Validation errors are printed and the last good pages stay up.
    Example: tsgen serve --dev-addr 0.0.0.0:8000
    """
    from tsgen.site.serve import serve_archive

    root = _root(root)
    serve_archive(root, dev_addr, echo=lambda m: click.echo(m, err=True))


@main.command()
@click.argument("old_id", metavar="OLD_ID")
@ROOT_OPTION
@click.option("--path", "path", metavar="FILE",
              help="The file to renumber when OLD_ID names more than one ticket (after two branches took the same id).")
@click.option("--base", metavar="REF",
              help="Also treat the ids of every ticket on git revision REF (e.g. origin/main) as taken.")
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
def renumber(old_id: str, root: Path, path: str | None, base: str | None, dry_run: bool) -> None:
    """Give ticket OLD_ID the next free id of its creation day and rewrite every reference to it.

    Renames the file (same folder) and rewrites whole-word mentions of OLD_ID in tickets/ and kb/
    (id, related, duplicate_of, KB tickets, body text); every other byte stays as it was.
    When OLD_ID names two files, choose one with --path; mentions elsewhere are then listed, not changed.

    Example: tsgen renumber TS202311020001 --base origin/main
    """
    root = _root(root)
    config = load_config(root)
    taken = ticket_ids_at(root, base) if base else frozenset()
    plan = renumber_ticket(root, config, old_id, path, taken, dry_run)
    verb = "would " if dry_run else ""
    for change in plan.changes:
        if change.renamed_from:
            click.echo(f"{verb}rename {change.renamed_from} -> {change.path}")
        else:
            click.echo(f"{verb}update {change.path} ({change.mentions} mention{'s' * (change.mentions != 1)})")
    for where, line in plan.left_alone:
        click.echo(f"{where}:{line}: warning: mentions {old_id}, which still names another ticket; "
                   f"left as it is: change it to {plan.new_id} if it means the renumbered one", err=True)
    done = "dry run, nothing written" if dry_run else f"{len(plan.changes)} file{'s' * (len(plan.changes) != 1)} changed"
    click.echo(f"{old_id} -> {plan.new_id} ({done})", err=True)


@main.command()
@ROOT_OPTION
@click.argument("kind", type=click.Choice(["ticket", "kb"]))
def schema(root: Path, kind: str) -> None:
    """Print the JSON Schema of a ticket's or KB article's front matter, for editor completion.

    Example (VS Code with the YAML extension): tsgen schema ticket > .vscode/ticket.schema.json,
    then map it to tickets/**/*.md under "yaml.schemas" in .vscode/settings.json.
    """
    import json

    from tsgen.archive.jsonschema import json_schema

    config = load_config(root.resolve())  # defaults when there is no mkdocs.yml
    click.echo(json.dumps(json_schema(kind, config), ensure_ascii=False, indent=2))


def run() -> None:  # pragma: no cover - console entry for `python -m tsgen`
    main()
