"""`tsgen promote`: turn a solved ticket into a KB draft, prefilled from the ticket and linked both ways."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from tsgen.archive.body import drop_comments
from tsgen.archive.scan import HEADINGS
from tsgen.archive.load import read_document
from tsgen.archive.model import ERROR, Problem, Ticket
from tsgen.archive.problems import format_problems
from tsgen.archive.validate import validate_ticket
from tsgen.config import Config
from tsgen.edit.authoring import new_article
from tsgen.edit.workflow import _ACTIONS as RESOLVE_WORDS, check, find_ticket, link_kb
from tsgen.errors import ArchiveError

MASK = {"zh": "〔已隐藏〕", "en": "[hidden]"}
_SECTION = HEADINGS  # ^#{1,6}\s+(.+?)\s*#*\s*$ (MULTILINE), read in linear time (archive/scan.py)
_DESCRIPTION = ("问题描述", "problem", "description")
_INTAKE = ("接收问题，创建工单",)  # the template's first log step says nothing about the fix


@dataclass
class Promotion:
    """What `tsgen promote` did: the new article and the warnings both files now have."""

    kb_id: str
    path: Path
    ticket_path: Path
    ticket_linked: bool = True  # False for an archived ticket: only the article names it
    warnings: list[Problem] = field(default_factory=list)


def mask_customer(text: str, ticket: Ticket, language: str = "zh") -> str:
    """`text` with the ticket's customer name and contact replaced by an inert mask.

    A minimal stand-in for the archive's privacy module (not on this branch yet): exact repetitions
    of the name and contact (as written and in NFKC form), and the contact's digits however they are spaced.
    """
    mask = MASK.get(language, MASK["zh"])
    for key in ("name", "contact"):
        value = str(ticket.customer.get(key) or "").strip()
        if not value.replace("*", ""):
            continue
        for form in {value, unicodedata.normalize("NFKC", value)}:
            text = re.sub(re.escape(form), mask, text, flags=re.IGNORECASE)
        digits = re.sub(r"\D", "", value)
        if len(digits) >= 6:  # a phone number written with spaces or dashes
            text = re.sub(r"[\s-]*".join(digits), mask, text)
    return text


def _section(body: str, names: tuple[str, ...]) -> str:
    """The text under the first heading that starts with one of `names`, without comments."""
    body = drop_comments(body)
    headings = list(_SECTION.finditer(body))
    for i, m in enumerate(headings):
        if m.group(1).strip().lower().startswith(names):
            end = headings[i + 1].start() if i + 1 < len(headings) else len(body)
            return body[m.end():end].strip()
    return ""


def _bookkeeping(action: str) -> bool:
    """A log step about the ticket rather than the fix: the intake, the first response, an escalation."""
    if action in _INTAKE:
        return True
    for words in RESOLVE_WORDS.values():
        if action == words["respond"] or action.startswith(words["escalate"].split("{")[0]):
            return True
    return False


def _steps(ticket: Ticket) -> str:
    """解决步骤 from the ticket: the log's actions in order (not the bookkeeping ones), then the solution."""
    actions = [e.action for e in ticket.log if e.action and not _bookkeeping(e.action)]
    if ticket.solution:
        logged = {words["resolve"].format(solution=ticket.solution) for words in RESOLVE_WORDS.values()}
        actions = [a for a in actions if a not in logged]  # the step `tsgen resolve` wrote repeats the solution
        actions.append(ticket.solution)
    return "\n".join(f"{i}. {a}" for i, a in enumerate(actions, 1))


def read_ticket(root: Path, config: Config, tid: str) -> tuple[Ticket, Path]:
    """Read and validate one ticket; an ArchiveError listing its errors when it has any."""
    path = find_ticket(root, config, tid)
    rel = path.relative_to(root).as_posix()
    raw, problems = read_document(root, rel, "ticket")
    ticket = None
    if raw is not None:
        ticket, more = validate_ticket(raw, config)
        problems += more
    if ticket is None:
        errors = [p for p in problems if p.severity == ERROR]
        raise ArchiveError(f"{rel} has errors; fix them first:\n{format_problems(errors, 'text')}")
    return ticket, path


def promote(root: Path, config: Config, tid: str, title: str | None = None) -> Promotion:
    """Write a KB draft from ticket `tid` and link the two both ways; return what was written."""
    ticket, ticket_path = read_ticket(root, config, tid)
    language = config.language
    problem = mask_customer(_section(ticket.body, _DESCRIPTION) or ticket.title, ticket, language)
    steps = mask_customer(_steps(ticket), ticket, language)
    version = ticket.environment.get("version")
    kid, path = new_article(root, config, mask_customer((title or ticket.title).strip(), ticket, language),
                            tags=list(ticket.tags),
                            tickets=[ticket.id], versions=[version] if version else [],
                            problem=problem, steps=steps)
    try:
        warnings = check(root, path, path.read_text(encoding="utf-8"), config)
        if ticket.archive != "archived":  # an archived record is protected: the article's `tickets` links it
            warnings += link_kb(root, config, ticket.id, [kid]).warnings
    except ArchiveError:
        path.unlink()  # the draft is ours, made a moment ago: leave the archive as it was
        raise
    return Promotion(kid, path, ticket_path, ticket.archive != "archived", warnings)
