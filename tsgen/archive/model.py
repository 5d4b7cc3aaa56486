"""Plain data passed between the pipeline stages: documents, problems and the linked archive."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from tsgen.config import Config

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one file: where, which field, and what was expected and found."""

    path: str
    line: int
    field: str
    message: str
    severity: str = ERROR

    def format(self) -> str:
        """`path:line: severity: field: message`, the form editors and CI logs understand."""
        where = f"{self.path}:{self.line}" if self.line else self.path
        label = f"{self.field}: " if self.field else ""
        return f"{where}: {self.severity}: {label}{self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {"path": self.path, "line": self.line, "field": self.field,
                "severity": self.severity, "message": self.message}


@dataclass
class RawDocument:
    """A file split into front matter and body, with the line of every top-level key; not judged yet."""

    path: str                      # relative to the archive root, POSIX separators
    kind: str                      # "ticket" or "kb"
    meta: dict[str, Any]
    body: str
    key_lines: dict[str, int]      # top-level key -> 1-based line in the file
    item_lines: dict[str, list[int]] = field(default_factory=dict)  # list key -> line of each item
    body_line: int = 1             # line of the first body line in the file
    sub_lines: dict[str, int] = field(default_factory=dict)  # "customer.contact" -> line of a mapping's key
    written: dict[str, str] = field(default_factory=dict)    # "customer.contact" -> a number as typed (02154321)


@dataclass(frozen=True)
class LogEntry:
    """One handling step: who did what, when."""

    at: datetime
    by: str
    action: str


@dataclass
class Ticket:
    """A ticket after validation: values normalised (English enum values, aware datetimes)."""

    id: str
    path: str
    title: str
    type: str
    priority: str
    created: datetime
    status: str
    channel: str | None = None
    source: str | None = None
    customer: dict[str, str] = field(default_factory=dict)
    environment: dict[str, str] = field(default_factory=dict)
    category: str | None = None
    assignee: str | None = None
    escalated_to: str | None = None
    escalated: datetime | None = None
    responded: datetime | None = None
    located: datetime | None = None
    resolved: datetime | None = None
    tags: list[str] = field(default_factory=list)
    kb: list[str] = field(default_factory=list)
    related: list[str] = field(default_factory=list)
    duplicate_of: str | None = None
    solution: str | None = None
    satisfaction: str | None = None
    feedback: str | None = None
    archive: str = "pending"
    log: list[LogEntry] = field(default_factory=list)
    backup: str | None = None
    verification: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)   # declared custom fields
    body: str = ""
    lines: dict[str, int] = field(default_factory=dict, repr=False, compare=False)  # field -> line in the file

    @property
    def first_response(self) -> datetime | None:
        """`responded`, else the earliest handling step later than `created` (data contract section 3):
        a step at the creation time records the intake, not a response. SLA states: archive/sla.py."""
        if self.responded is not None:
            return self.responded
        created = self.created
        return min((e.at for e in self.log if e.at > created), default=None)


@dataclass
class Article:
    """A knowledge-base article after validation."""

    id: str
    path: str
    title: str
    status: str = "published"
    tags: list[str] = field(default_factory=list)
    applies_to: dict[str, Any] = field(default_factory=dict)
    tickets: list[str] = field(default_factory=list)
    owner: str | None = None
    updated: date | None = None
    review_by: date | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    body: str = ""
    lines: dict[str, int] = field(default_factory=dict, repr=False, compare=False)


@dataclass
class Archive:
    """Every ticket and article of a repository, linked, with every problem found on the way."""

    root: Path
    config: Config
    tickets: dict[str, Ticket] = field(default_factory=dict)
    articles: dict[str, Article] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    # the files of tickets/ and kb/ that are not Markdown (screenshots), checked by files.scan:
    # (archive path, real file to copy); the site copies these and nothing else
    assets: list[tuple[str, Path]] = field(default_factory=list)
    documents: list[tuple[str, str]] = field(default_factory=list)  # (path, kind) of every file read
    # filled by link.py
    kb_backlinks: dict[str, list[str]] = field(default_factory=dict)        # KB id -> ticket ids (union, newest first)
    ticket_kb: dict[str, list[str]] = field(default_factory=dict)           # ticket id -> KB ids (union of both directions)
    duplicates: dict[str, list[str]] = field(default_factory=dict)          # ticket id -> tickets that are its duplicates
    related_back: dict[str, list[str]] = field(default_factory=dict)        # ticket id -> tickets relating to it (both directions)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == WARNING]

    def in_knowledge_debt(self, ticket: Ticket) -> bool:
        """A resolved fault linking no KB article in either direction (one naming a missing article
        is not debt: that `kb` is an error of its own). Needs link.py's `ticket_kb`."""
        return (ticket.type == "fault" and ticket.status == "resolved"
                and not self.ticket_kb.get(ticket.id) and not ticket.kb)

    def tickets_sorted(self) -> list[Ticket]:
        """Tickets oldest first (by created, then id)."""
        return sorted(self.tickets.values(), key=lambda t: (t.created, t.id))
