"""The `tsgen` command line: parse options, call the core, turn results and errors into output and exit codes."""

from __future__ import annotations

import os
import sys
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from tsgen import __version__
from tsgen.edit.authoring import TicketDraft, init_archive, new_article, new_ticket
from tsgen.archive.clock import parse_date, parse_datetime
from tsgen.config import Config, load_config
from tsgen.errors import TsgenError
from tsgen.repo.guard import guard_archive
from tsgen.repo.history import changed_since as changed_paths
from tsgen.archive.link import load_archive
from tsgen.archive.load import iter_files
from tsgen.stats.digest import FORMATS as DIGEST_FORMATS, default_period
from tsgen.stats.metrics import PERIODS, compute_periods, ticket_facts, trim_empty, window_start
from tsgen.site.mkdocs import directory_urls
from tsgen.site.render_stats import digest_of, site_link
from tsgen.archive.privacy import Masker
from tsgen.archive.model import ERROR, WARNING, Archive
from tsgen.repo.renumber import ids_at, renumber as renumber_ticket
from tsgen.archive.problems import format_problems, summary
from tsgen.archive.schema import TICKET_SPEC
from tsgen.stats.formats import format_csv, format_json, format_table, format_workload_csv

if TYPE_CHECKING:  # pragma: no cover
    from tsgen.edit.workflow import EditResult

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
    archive = load_archive(root, config)  # one scan of the files (archive/files.py) for both
    paths = archive.documents
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


class LabelChoice(click.ParamType):
    """An enum option that takes the English value or its Chinese label (`满意`, `高`), like the files do."""

    name = "choice"

    def __init__(self, spec_key: str) -> None:
        self.spec = TICKET_SPEC[spec_key]
        self.table = self.spec.lookup()

    def get_metavar(self, param: click.Parameter, *args: object, **kwargs: object) -> str:
        return "[" + "|".join(c.value for c in self.spec.choices) + "]"

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> str:
        if isinstance(value, str):
            found = self.table.get(value) or self.table.get(value.strip().lower())
            if found:
                return found
        allowed = ", ".join(f"{c.value} ({c.zh})" for c in self.spec.choices)
        self.fail(f"expected one of {allowed}, got {value!r}", param, ctx)


@new.command("ticket")
@ROOT_OPTION
@click.option("--title", prompt="标题 Title", help="One-line summary of the problem.")
@click.option("--type", "type_", type=LabelChoice("type"), default="fault", show_default=True,
              help="Problem type (问题类型).")
@click.option("--priority", type=LabelChoice("priority"), default="P2", show_default=True,
              help="P0 business down ... P4 other (优先级).")
@click.option("--channel", type=LabelChoice("channel"), default="ticket-system", show_default=True,
              help="Where the problem came in (渠道).")
@click.option("--status", type=LabelChoice("status"), default="pending", show_default=True)
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
    _suggest_articles(root, config, draft.title)


SUGGESTED_ARTICLES = 3


def _suggest_articles(root: Path, config: Config, title: str) -> None:
    """After `new ticket`: the published KB articles most like the title, to check before working the problem."""
    from tsgen.search.similar import SimilarIndex

    articles = [entry for entry in iter_files(root) if entry[1] == "kb"]  # articles only: fast at any size
    if not articles:
        return
    kbs, _ = SimilarIndex(load_archive(root, config, articles)).query(title, SUGGESTED_ARTICLES)
    if kbs:
        click.echo("KB articles that may answer it (check them first):", err=True)
        for m in kbs:
            click.echo(f"  {m.id}  {m.title}  {m.path}", err=True)


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
@click.option("--site-name", default=None, help="The site's title (default: 技术支持知识库, or Support knowledge base for en).")
@click.option("--language", type=click.Choice(["zh", "en"]), default="zh", show_default=True,
              help="The site's language: labels, words and the theme's own texts.")
def init(directory: Path, site_name: str | None, language: str) -> None:
    """Create a new, empty, buildable archive in DIRECTORY (mkdocs.yml, requirements.txt, tickets/, kb/,
    CI workflows) and run `git init` there when it is not inside a git repository yet.

    Existing files are left alone. Example: tsgen init support-kb --language en
    """
    from tsgen.repo.identity import git_init, in_git_repository

    name = site_name or ("技术支持知识库" if language == "zh" else "Support knowledge base")
    for path, created in init_archive(directory, name, language):
        click.echo(f"{'created' if created else 'kept   '} {path}")
    if not in_git_repository(directory):
        if git_init(directory):
            click.echo(f"initialised a git repository in {directory}", err=True)
        else:
            click.echo("warning: git is not available: run `git init` there yourself "
                       "(history, contributors and the pull-request guard need it)", err=True)
    click.echo(f"Next: cd {directory} && tsgen new ticket", err=True)


def _load_for_reading(root: Path, consequence: str) -> tuple[Config, Archive]:
    """The settings and the linked archive for a command that reads it (stats, report, similar,
    queue): with validation errors it still runs, over the valid documents, and stderr says how many
    errors it left out and what that means (`consequence`)."""
    config = load_config(root)
    archive = load_archive(root, config)
    if archive.errors:
        n = len(archive.errors)
        click.echo(f"{n} error{'s' * (n != 1)} in the archive; run tsgen validate ({consequence})", err=True)
    return config, archive


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
@click.option("--all", "all_periods", is_flag=True,
              help="Every period from the first ticket on (default: the last 12 months or 13 weeks with tickets).")
@click.option("--by-assignee", is_flag=True,
              help="With --format csv: one row per period and person (workload) instead of one per period.")
def stats(root: Path, period: str, since: date | None, until: date | None, fmt: str, all_periods: bool,
          by_assignee: bool) -> None:
    """Show the team's numbers per week or month: volume, resolution and response times, SLA,
    escalation, repeats, top problems, CSAT, knowledge debt, KB link and reuse, backlog and its
    ageing, and the workload per person.

    By default the periods shown are the last 12 months (or 13 weeks) up to the newest ticket's
    period, from the first of them that has tickets; empty periods between busy ones are listed.
    --since/--until choose the range, --all shows everything; stderr says how many periods were
    left out. With validation errors the numbers cover the valid documents only, and stderr says
    how many errors there are. The table is in the site language.

    Example: tsgen stats --period week --since 2023-10-01 --format csv > weeks.csv
    """
    if since is not None and until is not None and since > until:
        raise click.UsageError(f"--since {since.isoformat()} is after --until {until.isoformat()}")
    if by_assignee and fmt != "csv":
        raise click.UsageError("--by-assignee goes with --format csv (json has the workload in every period)")
    root = _root(root)
    config, archive = _load_for_reading(root, "these numbers leave the invalid documents out")
    every = compute_periods(archive, period, None, until)
    first_day = None if all_periods else (since or window_start(every, period))
    shown = trim_empty(every, first_day)
    left_out = len(every) - len(shown)
    if left_out:
        click.echo(f"{left_out} {period}{'s' * (left_out != 1)} without tickets or outside the range not shown; "
                   "--since DATE or --all shows them", err=True)
    if fmt == "table":  # the period before the first shown is kept, for the first period's changes
        hide = datetime.fromisoformat(shown[0]["start"]) if shown else None
        out = format_table(every if shown else [], timezone=config.timezone, hide_before=hide,
                           language=config.language)
    elif fmt == "json":
        out = format_json(shown, {"period": period, "since": since.isoformat() if since else None,
                                  "until": until.isoformat() if until else None, "timezone": config.timezone,
                                  "all": all_periods, "left_out": left_out})
    elif by_assignee:
        out = format_workload_csv(shown)
    else:
        out = format_csv(shown, sla_priorities=list(config.sla_minutes))
    click.echo(out, nl=not out.endswith("\n"))


_PERIOD_KEY = {"month": r"\d{4}-(0[1-9]|1[0-2])", "week": r"\d{4}-W(0[1-9]|[1-4]\d|5[0-3])"}


@main.command()
@ROOT_OPTION
@click.option("--period", type=click.Choice(PERIODS), default=None,
              help="week or month (default: month, or what --key names).")
@click.option("--key", metavar="PERIOD", default=None,
              help="The period to report, like 2023-10 or 2023-W43 (default: the last complete one).")
@click.option("--format", "fmt", type=click.Choice(["md", "html", "text"]), default="md", show_default=True,
              help="md for DingTalk / WeCom / e-mail Markdown, html for e-mail, text for anything else.")
def report(root: Path, period: str | None, key: str | None, fmt: str) -> None:
    """Write the review digest of one week or month, in the site language, ready to paste into a chat:
    headline numbers with their change, breached and escalation tickets, the top 5 problems, the
    dominant problem per priority, the dissatisfied customers' words (masked) and what to act on.

    Every number is the one `tsgen stats --format json` gives. Links point at the site when
    mkdocs.yml sets site_url. The Markdown uses only headings, bold, links and lists, which is what
    DingTalk and WeCom Markdown messages render.

    Example: tsgen report --period week > weekly.md
    """
    import re

    if key is not None:
        named = next((p for p, pattern in _PERIOD_KEY.items() if re.fullmatch(pattern, key)), None)
        if named is None:
            raise click.BadParameter(f"expected a month like 2023-10 or an ISO week like 2023-W43, got {key!r}",
                                     param_hint="'--key'")
        if period is not None and period != named:
            raise click.UsageError(f"--key {key} is a {named}, but --period says {period}")
        period = named
    period = period or "month"
    root = _root(root)
    config, archive = _load_for_reading(root, "these numbers leave the invalid documents out")
    facts = ticket_facts(archive)
    periods = compute_periods(archive, period, facts=facts)
    now = datetime.now(config.tz)
    partial = False
    if key is None:
        chosen, partial = default_period(periods, now)
        if chosen is None:
            raise click.ClickException("no tickets yet: the digest reports on tickets (tsgen new ticket adds one)")
        key = chosen["period"]
    elif key not in {row["period"] for row in periods}:
        raise click.ClickException(f"no {period} {key} in the archive: its tickets run from "
                                   f"{periods[0]['period'] if periods else '-'} to {periods[-1]['period'] if periods else '-'}")
    published = Masker.of(archive, config.language).published(archive)  # customer data masked, as on the site
    digest = digest_of(published, periods, key, period, {f.ticket.id: f for f in facts},
                       today=now.date(), link=site_link(config.site_url, directory_urls(root)),
                       partial=partial or datetime.fromisoformat(
                           next(r for r in periods if r["period"] == key)["end_exclusive"]) > now)
    out = DIGEST_FORMATS[fmt](digest)
    click.echo(out, nl=not out.endswith("\n"))


MAX_LISTED_WARNINGS = 30


def _progress(message: str) -> None:
    click.echo(f"  {message}", err=True)


@main.command()
@ROOT_OPTION
@click.option("--site-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where to write the site (default: mkdocs.yml's site_dir, else site/ in the archive); "
                   "it is replaced only once the new site is complete.")
@click.option("--quiet", "-q", is_flag=True, help="Print only the summary line.")
def build(root: Path, site_dir: Path | None, quiet: bool) -> None:
    """Validate, render every page into .tsgen/docs, and build the static site with MkDocs Material.

    Errors stop the build with the same report as `tsgen validate`. Ends with one line:
    pages written, tickets, articles, warnings, seconds. Example: tsgen build && open site/index.html
    """
    from tsgen.site.build import InvalidArchive, build_site
    from tsgen.site.mkdocs import configured_site_dir

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
    out = site_dir or configured_site_dir(root)
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

    Watches tickets/, kb/, templates/ and mkdocs.yml; a save re-renders only the pages it changes
    (the ticket, the pages that show it, its listing parts; statistics follow) and the browser
    reloads, in about a second at 10,000 tickets; the terminal says what was rebuilt and how long
    it took. Validation errors are printed and shown on the page of the file that has them, over
    the last good pages. Search uses the index of the first build.
    Example: tsgen serve --dev-addr 0.0.0.0:8000
    """
    from tsgen.site.serve import serve_archive

    root = _root(root)
    serve_archive(root, dev_addr, echo=lambda m: click.echo(m, err=True))
    # Stopped (Ctrl+C): the server is closed and nothing is left to write. The preview held the whole
    # archive in memory; freeing it object by object on the way out made Ctrl+C take seconds at
    # 10,000 tickets, so the process ends here at once.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


@main.command()
@click.argument("old_id", metavar="OLD_ID")
@ROOT_OPTION
@click.option("--path", "path", metavar="FILE",
              help="The file to renumber when OLD_ID names more than one ticket (after two branches took the same id).")
@click.option("--base", metavar="REF",
              help="Also treat the ids of every ticket and KB article on git revision REF (e.g. origin/main) as taken.")
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
def renumber(old_id: str, root: Path, path: str | None, base: str | None, dry_run: bool) -> None:
    """Give ticket OLD_ID the next free id of its creation day (a KB article: the next free KB
    number) and rewrite every reference to it.

    Renames the file (same folder) and rewrites whole-word mentions of OLD_ID in tickets/ and kb/
    (id, related, duplicate_of, kb, KB tickets, body text); every other byte stays as it was.
    When OLD_ID names two files, choose one with --path; mentions elsewhere are then listed, not changed.

    Example: tsgen renumber TS202311020001 --base origin/main
    KB article: tsgen renumber KB0013 --path kb/KB0013-vpn.md --base origin/main
    """
    root = _root(root)
    config = load_config(root)
    taken = ids_at(root, base) if base else frozenset()
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
@click.argument("query")
@ROOT_OPTION
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text for people, json for tools.")
@click.option("--limit", type=click.IntRange(1, 100), default=5, show_default=True,
              help="At most this many KB articles and this many tickets.")
def similar(query: str, root: Path, fmt: str, limit: int) -> None:
    """Find the published KB articles and the tickets most like QUERY (a symptom, an error string, a title).

    Ranked by similarity score (cosine of TF-IDF over the titles, problem descriptions, error
    strings and tags of the archive on disk; 1 is identical). Draft and retired articles are left out.

    Example: tsgen similar "登录后报错 权限不足" --limit 3
    """
    import json

    from tsgen.search.similar import SimilarIndex, iter_matches

    if not query.strip():
        raise click.BadParameter("expected some words to look for", param_hint="QUERY")
    root = _root(root)
    config, archive = _load_for_reading(root, "the invalid documents are left out")
    kbs, tickets = SimilarIndex(archive).query(query, limit)
    if fmt == "json":
        click.echo(json.dumps({"query": query, "articles": list(iter_matches(kbs)), "tickets": list(iter_matches(tickets))},
                              ensure_ascii=False, indent=2))
        return
    for heading, matches in (("KB articles", kbs), ("Tickets", tickets)):
        click.echo(f"{heading}:")
        for m in matches:
            click.echo(f"  {m.score:.3f}  {m.id}  {m.title}  {m.path}")
        if not matches:
            click.echo("  (none similar enough)")


@main.command()
@ROOT_OPTION
@click.argument("kind", type=click.Choice(["ticket", "kb"]), required=False)
@click.option("--format", "fmt", type=click.Choice(["json", "markdown"]), default="json", show_default=True,
              help="json: the JSON Schema of KIND; markdown: the field reference of both kinds (docs/fields.md).")
def schema(root: Path, kind: str | None, fmt: str) -> None:
    """Print the JSON Schema of a ticket's or KB article's front matter, for editor completion,
    or the whole field reference as Markdown.

    Example (VS Code with the YAML extension): tsgen schema ticket > .vscode/ticket.schema.json,
    then map it to tickets/**/*.md under "yaml.schemas" in .vscode/settings.json.
    Field reference: tsgen schema --format markdown > docs/fields.md
    """
    import json

    from tsgen.archive.fielddoc import fields_markdown
    from tsgen.archive.jsonschema import json_schema

    if fmt == "markdown":
        click.echo(fields_markdown(), nl=False)  # the defaults, so the committed reference is the same everywhere
        return
    if kind is None:
        raise click.UsageError("name the KIND (ticket or kb) for the JSON Schema, or use --format markdown")
    config = load_config(root.resolve())  # defaults when there is no mkdocs.yml
    click.echo(json.dumps(json_schema(kind, config), ensure_ascii=False, indent=2))


# --- the engineer's day: editing commands (tsgen.edit.workflow) -----------------------------------------


BY_OPTION = click.option("--by", metavar="NAME", help="Who did it (default: `git config user.name`).")
AT_OPTION = click.option("--at", metavar="TIME",
                         help="When, e.g. '2023-10-27 10:05' (any format validate accepts; default: now).")


def _edited(result: "EditResult", root: Path) -> None:
    click.echo(result.path.relative_to(root).as_posix())
    for w in result.warnings:
        click.echo(w.format(), err=True)
    if result.summary:
        click.echo(result.summary, err=True)


@main.command("log")
@click.argument("ticket_id")
@click.argument("action")
@ROOT_OPTION
@BY_OPTION
@AT_OPTION
def log_cmd(ticket_id: str, action: str, root: Path, by: str | None, at: str | None) -> None:
    """Append a handling step {at, by, action} to a ticket's log.

    Example: tsgen log TS202310270001 "电话联系客户，确认复现步骤"
    """
    from tsgen.edit.workflow import log_step

    root = _root(root)
    _edited(log_step(root, load_config(root), ticket_id, action, by, at), root)


@main.command()
@click.argument("ticket_id")
@ROOT_OPTION
@BY_OPTION
@AT_OPTION
@click.option("--action", default=None, help="What the response was (logged; default: 首次响应客户).")
def respond(ticket_id: str, root: Path, by: str | None, at: str | None, action: str | None) -> None:
    """Record the first response to the customer: sets `responded` and logs it.

    Example: tsgen respond TS202310270001 --at "2023-10-27 10:05"
    """
    from tsgen.edit.workflow import respond as respond_ticket

    root = _root(root)
    _edited(respond_ticket(root, load_config(root), ticket_id, by, at, action), root)


@main.command()
@click.argument("ticket_id")
@click.argument("cause", required=False)
@ROOT_OPTION
@BY_OPTION
@AT_OPTION
def locate(ticket_id: str, cause: str | None, root: Path, by: str | None, at: str | None) -> None:
    """Record that the cause was found: sets `located` and logs it (with CAUSE when given).

    Example: tsgen locate TS202310270001 "cause found: 连接池上限为 20"
    """
    from tsgen.edit.workflow import locate as locate_ticket

    root = _root(root)
    _edited(locate_ticket(root, load_config(root), ticket_id, cause, by, at), root)


@main.command()
@click.argument("ticket_id")
@click.option("--to", "to", required=True, help="Who the ticket goes to, e.g. 高级工程师王*.")
@ROOT_OPTION
@BY_OPTION
@AT_OPTION
def escalate(ticket_id: str, to: str, root: Path, by: str | None, at: str | None) -> None:
    """Escalate a ticket: sets `escalated_to` and `escalated` and logs it.

    Example: tsgen escalate TS202310270001 --to 高级工程师王*
    """
    from tsgen.edit.workflow import escalate as escalate_ticket

    root = _root(root)
    _edited(escalate_ticket(root, load_config(root), ticket_id, to, by, at), root)


@main.command()
@click.argument("ticket_id")
@click.option("--solution", required=True, help="One-line summary of the fix (解决方案).")
@click.option("--kb", "kb", multiple=True, metavar="KB_ID", help="The KB article with the fix; repeat for several.")
@click.option("--satisfaction", type=LabelChoice("satisfaction"), default=None,
              help="The customer's satisfaction: satisfied 满意, neutral 一般, dissatisfied 不满意.")
@click.option("--feedback", default=None, help="The customer's own words (客户反馈).")
@ROOT_OPTION
@BY_OPTION
@AT_OPTION
def resolve(ticket_id: str, solution: str, kb: tuple[str, ...], satisfaction: str | None, feedback: str | None,
            root: Path, by: str | None, at: str | None) -> None:
    """Resolve a ticket: status resolved, `resolved` time, `solution` (and kb, satisfaction, feedback); logged.

    Example: tsgen resolve TS202310270001 --solution "连接池上限调至 100" --kb KB0002 --satisfaction 满意
    """
    from tsgen.edit.workflow import resolve as resolve_ticket

    root = _root(root)
    _edited(resolve_ticket(root, load_config(root), ticket_id, solution, by, at, list(kb), satisfaction, feedback), root)


@main.command("archive")
@click.argument("ticket_id")
@ROOT_OPTION
def archive_cmd(ticket_id: str, root: Path) -> None:
    """Mark a resolved ticket as archived (`archive: archived`); an unresolved one is refused.

    Example: tsgen archive TS202310270001
    """
    from tsgen.edit.workflow import archive_ticket

    root = _root(root)
    _edited(archive_ticket(root, load_config(root), ticket_id), root)


@main.command()
@click.argument("ticket_id")
@click.option("--title", default=None, help="The article's title (default: the ticket's).")
@ROOT_OPTION
def promote(ticket_id: str, title: str | None, root: Path) -> None:
    """Write a KB draft from a ticket and link the two both ways; print the draft's path.

    The draft is prefilled: title, tags, applies_to.versions from environment.version, 问题描述 from
    the ticket's description (customer name and contact masked), 解决步骤 from the log and the
    solution; 原因分析 is left for you. Example: tsgen promote TS202310270001 --title "数据库连接超时的排查"
    """
    from tsgen.edit.promote import promote as promote_ticket

    root = _root(root)
    done = promote_ticket(root, load_config(root), ticket_id, title)
    click.echo(done.path.relative_to(root).as_posix())
    for w in done.warnings:
        click.echo(w.format(), err=True)
    linked = ("linked them both ways (the ticket's kb, the article's tickets)" if done.ticket_linked else
              "linked it from the article's tickets (the ticket is archived, so its record is left as it is)")
    click.echo(f"Created {done.kb_id} as a draft from {ticket_id} and {linked}. "
               "Fill in 原因分析, then set status: published.", err=True)


@main.command()
@ROOT_OPTION
@click.option("--assignee", default=None, metavar="NAME", help="Only tickets assigned to NAME.")
@click.option("--priority", type=LabelChoice("priority"), default=None, help="Only tickets of this priority (P1 or 高).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text for people, json for tools.")
def queue(root: Path, assignee: str | None, priority: str | None, fmt: str) -> None:
    """List the open tickets (pending, awaiting customer): highest priority and oldest first.

    Each shows its age, whether the first response is due or overdue (and by how much), whether the
    escalation limit has passed without an escalation, the assignee and the linked KB articles.
    Example: tsgen queue --assignee 王工 --priority P1
    """
    from tsgen.stats.queue import build_queue, format_queue_json, format_queue_text

    root = _root(root)
    config, archive = _load_for_reading(root, "tickets that cannot be read are not in the queue")
    now = datetime.now(config.tz)
    entries = build_queue(archive, now, assignee, priority)
    click.echo(format_queue_json(entries, now) if fmt == "json" else format_queue_text(entries, now, config.tz))


def run() -> None:  # pragma: no cover - console entry for `python -m tsgen`
    main()


def _import_progress(stage: str, done: int, total: int) -> None:
    if stage == "read":
        click.echo(f"  read {done:,} records", err=True)
    else:
        click.echo(f"  {done:,}/{total:,} tickets written or checked", err=True)


@main.command("import")
@click.argument("fmt", metavar="FORMAT", type=click.Choice(["zammad", "osticket", "zendesk", "jira", "sobot", "csv"]))
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@ROOT_OPTION
@click.option("--map", "map_file", metavar="MAPPING.yml", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="YAML mapping: columns (header -> field), values (per field), timezone, defaults; "
                   "overrides the format's defaults (required in practice for csv).")
@click.option("--dry-run", is_flag=True, help="Print what would be created, updated and rejected; write nothing.")
@click.option("--since", metavar="DATE", callback=_date_option,
              help="Import only tickets created on or after DATE (like 2023-10-01).")
@click.option("--encoding", metavar="NAME",
              help="The file's encoding (default: UTF-8 with or without BOM, else GB18030/GBK).")
@click.option("--verbose", "-v", is_flag=True, help="List every created and updated ticket, not only problems.")
def import_cmd(fmt: str, file: Path, root: Path, map_file: Path | None, dry_run: bool, since: date | None,
               encoding: str | None, verbose: bool) -> None:
    """Import a helpdesk export FILE as tickets: FORMAT is zammad, osticket, zendesk, jira, sobot or csv.

    Each source ticket becomes tickets/YYYY/MM/<id>.md with the next free id of its creation day
    and its own number in source_id (e.g. zammad#10023). Importing again changes nothing; a newer
    export updates only the imported fields an engineer has not edited (conflicts are listed).
    Bad records are named by row or index and left out; the exit status is then 1.

    Example: tsgen import zammad tickets.xlsx --dry-run
    """
    from tsgen.importers import FORMATS
    from tsgen.importers.core import run_import
    from tsgen.importers.mapping import load_mapping

    root = _root(root)
    config = load_config(root)
    user_mapping = load_mapping(map_file) if map_file else None
    result = run_import(root, config, FORMATS[fmt], file, user_mapping, dry_run=dry_run, since=since,
                        encoding=encoding, progress=_import_progress)
    verb = "would " if dry_run else ""
    if dry_run or verbose:
        for sid, path in result.created:
            click.echo(f"{verb}create {path} ({sid})")
        for sid, path, fields in result.updated:
            click.echo(f"{verb}update {path} ({sid}): {', '.join(fields)}")
    for name in result.declared:
        click.echo(f"{verb}declare custom field {name} in mkdocs.yml", err=True)
    for c in result.conflicts:
        click.echo(f"{c.path}: conflict: {c.field}: edited since the last import, kept {c.kept!r}; "
                   f"the export now says {c.source!r}", err=True)
    for r in result.rejected:
        click.echo(r.describe(file.name, config.language), err=True)
    click.echo(f"{'Dry run: ' if dry_run else ''}{len(result.created)} created, {len(result.updated)} updated, "
               f"{result.unchanged} unchanged, {len(result.rejected)} rejected, {result.skipped} skipped, "
               f"{result.duplicates} duplicate{'s' * (result.duplicates != 1)} collapsed in "
               f"{result.seconds:.1f} s" + (" (nothing written)" if dry_run else ""), err=True)
    sys.exit(1 if result.rejected else 0)
