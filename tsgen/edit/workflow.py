"""The editing commands of the engineer's day: log, respond, locate, escalate, resolve, archive.

Each one reads a ticket with `roundtrip.read`, changes a few front-matter keys, validates the
result with the validator every other command uses, and only then replaces the file (atomically).
When the result would have an error the file is left as it was and `EditRefused` lists the problems.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from tsgen.archive.clock import parse_datetime
from tsgen.archive.load import decode, parse_front_matter
from tsgen.archive.model import ERROR, Problem, RawDocument
from tsgen.archive.problems import format_problems
from tsgen.archive.schema import TICKET_FIELDS
from tsgen.archive.validate import KB_ID, ticket_id_pattern, validate_article, validate_ticket
from tsgen.config import Config
from tsgen.edit import roundtrip
from tsgen.errors import ArchiveError
from tsgen.repo.identity import git_user_name

_ORDER = tuple(f.key for f in TICKET_FIELDS)

# What each command writes into the log, in the archive's language.
_ACTIONS = {
    "zh": {"respond": "首次响应客户", "locate": "定位原因", "locate_cause": "定位原因：{cause}",
           "escalate": "升级至 {to}", "resolve": "解决：{solution}"},
    "en": {"respond": "First response to the customer", "locate": "Cause located", "locate_cause": "Cause located: {cause}",
           "escalate": "Escalated to {to}", "resolve": "Resolved: {solution}"},
}


class EditRefused(ArchiveError):
    """The edit would leave the document invalid; nothing was written."""

    def __init__(self, path: str, problems: list[Problem]) -> None:
        self.problems = problems
        errors = [p for p in problems if p.severity == ERROR]
        super().__init__(f"{path} was not changed: the edit would leave "
                         f"{len(errors)} error{'s' * (len(errors) != 1)}:\n" + format_problems(errors, "text"))


@dataclass
class EditResult:
    """What an editing command did: the file, the keys it set, and the warnings the new file has."""

    path: Path
    changed: list[str]
    warnings: list[Problem] = field(default_factory=list)
    summary: str = ""


def operator(root: Path, by: str | None) -> str:
    """Who did it: `--by`, else `git config user.name`; an error saying how to set it otherwise."""
    if by is not None and by.strip():
        return by.strip()
    name = git_user_name(root)
    if name:
        return name
    raise ArchiveError("who did this? pass --by NAME, or set your name once with "
                       "`git config --global user.name \"王工\"`")


def moment(config: Config, at: str | None) -> datetime:
    """`--at` in any format `validate` accepts (read in the configured timezone), else now, to the minute."""
    if at is None:
        return datetime.now(config.tz).replace(second=0, microsecond=0)
    try:
        return parse_datetime(at, config.tz).astimezone(config.tz)
    except ValueError as exc:
        raise ArchiveError(f"--at: {exc}") from None


def written(when: datetime, config: Config) -> str:
    """A time as the templates write it: local time of the configured timezone, to the minute."""
    local = when.astimezone(config.tz)
    return local.strftime("%Y-%m-%d %H:%M:%S" if local.second else "%Y-%m-%d %H:%M")


def find_ticket(root: Path, config: Config, tid: str) -> Path:
    """The file of ticket `tid`: tickets/YYYY/MM/<id>.md, else wherever under tickets/ it is."""
    tid = tid.strip()
    m = ticket_id_pattern(config.id_prefix).fullmatch(tid)
    if not m:
        raise ArchiveError(f"{tid!r} is not a ticket id: expected {config.id_prefix} + YYYYMMDD + 4 digits, "
                           f"like {config.id_prefix}202310270001")
    day = m.group(1)
    usual = root / "tickets" / day[:4] / day[4:6] / f"{tid}.md"
    if usual.is_file():
        return usual
    found = sorted((root / "tickets").rglob(f"{tid}.md")) if (root / "tickets").is_dir() else []
    if not found:
        raise ArchiveError(f"no ticket {tid}: there is no tickets/**/{tid}.md (create one with `tsgen new ticket`)")
    if len(found) > 1:
        raise ArchiveError(f"ticket {tid} is in {len(found)} files: "
                           + ", ".join(p.relative_to(root).as_posix() for p in found))
    return found[0]


def kb_exists(root: Path, kid: str) -> bool:
    """Whether kb/ holds an article file for `kid` (kb/**/<id>.md or kb/**/<id>-<slug>.md)."""
    base = root / "kb"
    if not base.is_dir():
        return False
    return any(p.stem == kid or p.stem.startswith(kid + "-") for p in base.rglob(f"{kid}*.md"))


def check(root: Path, path: Path, text: str, config: Config) -> list[Problem]:
    """Validate the would-be text of `path` as `tsgen validate` would; EditRefused on an error."""
    rel = path.relative_to(root).as_posix()
    kind = "kb" if rel.startswith("kb/") else "ticket"
    decoded, problem = decode(text.encode("utf-8"), rel)
    if problem is not None:
        raise EditRefused(rel, [problem])
    raw, problems = parse_front_matter(decoded, rel, kind)
    if raw is not None:
        problems += (validate_ticket if kind == "ticket" else validate_article)(raw, config)[1]
        problems += _links(root, raw, config)
    if any(p.severity == ERROR for p in problems):
        raise EditRefused(rel, problems)
    return problems


def _links(root: Path, raw: RawDocument, config: Config) -> list[Problem]:
    """The cross-document checks an edit can break: every KB id and ticket id named must exist."""
    out: list[Problem] = []
    kb = raw.meta.get("kb") if raw.kind == "ticket" else None
    for kid in ([kb] if isinstance(kb, str) else kb or []):
        if isinstance(kid, str) and KB_ID.fullmatch(kid.strip()) and not kb_exists(root, kid.strip()):
            out.append(Problem(raw.path, raw.key_lines.get("kb", 1), "kb", f"KB article {kid.strip()} does not exist"))
    tickets = raw.meta.get("tickets") if raw.kind == "kb" else None
    for tid in tickets or [] if isinstance(tickets, list) else []:
        if isinstance(tid, str):
            try:
                find_ticket(root, config, tid)
            except ArchiveError:
                out.append(Problem(raw.path, raw.key_lines.get("tickets", 1), "tickets", f"ticket {tid} does not exist"))
    return out


def edit_document(root: Path, config: Config, path: Path, change: Callable[[roundtrip.Document], str]) -> EditResult:
    """Read `path`, apply `change` (which returns a one-line summary), validate, write atomically."""
    doc = roundtrip.read(path)
    if path.relative_to(root).parts[0] == "tickets" and str(doc.data.get("archive", "")).strip() in ("archived", "已归档"):
        raise ArchiveError(f"{path.relative_to(root).as_posix()} is archived: its record is protected; "
                           "follow up in a new ticket with `related`")
    summary = change(doc)
    text = doc.render()
    warnings = check(root, path, text, config)
    if text != doc.text:
        roundtrip.write_atomic(path, text)
    return EditResult(path, list(doc.changed), warnings, summary)


def _after(key: str) -> tuple[str, ...]:
    """The keys a new `key` goes after: those before it in the contract's order."""
    return _ORDER[: _ORDER.index(key)] if key in _ORDER else _ORDER


def _append_log(doc: roundtrip.Document, when: datetime, by: str, action: str, config: Config) -> None:
    log = doc.data.get("log")
    if log is None:
        log = CommentedSeq()
        doc.set("log", log, after=_after("log"))
    elif not isinstance(log, list):
        raise ArchiveError(f"{doc.path}: log is not a list of steps; fix it first (`tsgen validate`)")
    doc.append("log", [CommentedMap([("at", written(when, config)), ("by", by), ("action", action)])])


def _already(doc: roundtrip.Document, key: str, what: str) -> None:
    value = doc.data.get(key)
    if value not in (None, ""):
        raise ArchiveError(f"{doc.path.name}: {what} is already recorded ({key}: {value}); "
                           "correct the file by hand if it is wrong")


def _words(config: Config) -> dict[str, str]:
    return _ACTIONS.get(config.language, _ACTIONS["zh"])


def log_step(root: Path, config: Config, tid: str, action: str, by: str | None = None,
             at: str | None = None) -> EditResult:
    """Append {at, by, action} to the ticket's log."""
    if not action.strip():
        raise ArchiveError("the step's action is empty: say what was done, e.g. \"电话联系客户，确认复现步骤\"")
    who, when = operator(root, by), moment(config, at)

    def change(doc: roundtrip.Document) -> str:
        _append_log(doc, when, who, action.strip(), config)
        return f"{tid}: logged {written(when, config)} {who}: {action.strip()}"

    return edit_document(root, config, find_ticket(root, config, tid), change)


def respond(root: Path, config: Config, tid: str, by: str | None = None, at: str | None = None,
            action: str | None = None) -> EditResult:
    """Set `responded` (the first response to the customer) and log it."""
    who, when = operator(root, by), moment(config, at)

    def change(doc: roundtrip.Document) -> str:
        _already(doc, "responded", "the first response")
        doc.set("responded", written(when, config), after=_after("responded"))
        _append_log(doc, when, who, (action or "").strip() or _words(config)["respond"], config)
        return f"{tid}: responded {written(when, config)}"

    return edit_document(root, config, find_ticket(root, config, tid), change)


def locate(root: Path, config: Config, tid: str, cause: str | None = None, by: str | None = None,
           at: str | None = None) -> EditResult:
    """Set `located` (the moment the cause was found) and log it, with the cause when given."""
    who, when = operator(root, by), moment(config, at)

    def change(doc: roundtrip.Document) -> str:
        _already(doc, "located", "the moment the cause was located")
        doc.set("located", written(when, config), after=_after("located"))
        words = _words(config)
        text = words["locate_cause"].format(cause=cause.strip()) if cause and cause.strip() else words["locate"]
        _append_log(doc, when, who, text, config)
        return f"{tid}: located {written(when, config)}"

    return edit_document(root, config, find_ticket(root, config, tid), change)


def escalate(root: Path, config: Config, tid: str, to: str, by: str | None = None, at: str | None = None) -> EditResult:
    """Set `escalated_to` and `escalated` and log it (escalating again names the new person)."""
    if not to.strip():
        raise ArchiveError("--to is empty: name who the ticket is escalated to, e.g. --to 高级工程师王*")
    who, when = operator(root, by), moment(config, at)

    def change(doc: roundtrip.Document) -> str:
        doc.set("escalated_to", to.strip(), after=_after("escalated_to"))
        doc.set("escalated", written(when, config), after=_after("escalated"))
        _append_log(doc, when, who, _words(config)["escalate"].format(to=to.strip()), config)
        return f"{tid}: escalated to {to.strip()} at {written(when, config)}"

    return edit_document(root, config, find_ticket(root, config, tid), change)


def _add_kb(doc: roundtrip.Document, kids: list[str]) -> None:
    """Add KB ids to `kb`, keeping its form: a single id stays a scalar until a second one comes."""
    current: Any = doc.data.get("kb")
    if current in (None, "", []):
        doc.set("kb", kids[0] if len(kids) == 1 else CommentedSeq(kids), after=_after("kb"))
        return
    if isinstance(current, str):
        if current.strip() in kids and len(kids) == 1:
            return
        merged = [current.strip()] + [k for k in kids if k != current.strip()]
        seq = CommentedSeq(merged)
        seq.fa.set_flow_style()
        doc.set("kb", seq)
        return
    if not isinstance(current, list):
        raise ArchiveError(f"{doc.path}: kb is neither a KB id nor a list of them; fix it first (`tsgen validate`)")
    new = [k for k in kids if k not in [str(c).strip() for c in current]]
    if new:
        doc.append("kb", new)


def link_kb(root: Path, config: Config, tid: str, kids: list[str]) -> EditResult:
    """Add KB articles to a ticket's `kb` (no log entry: linking is bookkeeping, not handling)."""
    def change(doc: roundtrip.Document) -> str:
        _add_kb(doc, kids)
        return f"{tid}: kb {', '.join(kids)}"

    return edit_document(root, config, find_ticket(root, config, tid), change)


def resolve(root: Path, config: Config, tid: str, solution: str, by: str | None = None, at: str | None = None,
            kb: list[str] | None = None, satisfaction: str | None = None, feedback: str | None = None) -> EditResult:
    """Set status resolved, `resolved`, `solution` (and `kb`, `satisfaction`, `feedback`) and log it."""
    if not solution.strip() or "\n" in solution.strip():
        raise ArchiveError("--solution: expected a one-line summary of the fix")
    kids = [k.strip() for k in kb or []]
    for kid in kids:
        if not KB_ID.fullmatch(kid):
            raise ArchiveError(f"--kb: expected a KB id like KB0003, got {kid!r}")
        if not kb_exists(root, kid):
            raise ArchiveError(f"--kb: KB article {kid} does not exist (no kb/{kid}-*.md); "
                               f"write it first with `tsgen promote {tid}` or `tsgen new kb`")
    if feedback is not None and not satisfaction and not feedback.strip():
        feedback = None
    who, when = operator(root, by), moment(config, at)

    def change(doc: roundtrip.Document) -> str:
        if str(doc.data.get("status", "")).strip() in ("resolved", "已解决"):
            raise ArchiveError(f"{doc.path.name}: already resolved (resolved: {doc.data.get('resolved')})")
        doc.set("status", "resolved")
        doc.set("resolved", written(when, config), after=_after("resolved"))
        doc.set("solution", solution.strip(), after=_after("solution"))
        if kids:
            _add_kb(doc, kids)
        if satisfaction:
            doc.set("satisfaction", satisfaction, after=_after("satisfaction"))
        if feedback is not None and feedback.strip():
            doc.set("feedback", feedback.strip(), after=_after("feedback"))
        _append_log(doc, when, who, _words(config)["resolve"].format(solution=solution.strip()), config)
        return f"{tid}: resolved {written(when, config)}"

    return edit_document(root, config, find_ticket(root, config, tid), change)


def archive_ticket(root: Path, config: Config, tid: str) -> EditResult:
    """Set `archive: archived` (the validator refuses it unless the ticket is resolved)."""
    def change(doc: roundtrip.Document) -> str:
        doc.set("archive", "archived", after=_after("archive"))
        return f"{tid}: archived"

    path = find_ticket(root, config, tid)
    if str(roundtrip.read(path).data.get("archive", "")).strip() in ("archived", "已归档"):
        return EditResult(path, [], [], f"{tid}: already archived")
    return edit_document(root, config, path, change)
