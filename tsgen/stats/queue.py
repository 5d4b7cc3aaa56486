"""The queue: open tickets (pending, awaiting customer), most urgent first, with what is due.

Pure functions over a linked archive and a moment `now`; `tsgen queue` prints them and the site's
home page shows the same list, stamped with the build time.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import datetime

from tsgen.archive.clock import minutes_between
from tsgen.archive.model import Archive, Ticket
from tsgen.config import PRIORITIES

OPEN = ("pending", "awaiting-customer")


@dataclass
class QueueEntry:
    """One open ticket in the queue, with the state of its first response and its escalation."""

    id: str
    title: str
    priority: str
    status: str
    created: datetime
    age_minutes: float
    assignee: str | None
    kb: list[str] = field(default_factory=list)
    # first response: "responded", "due" (minutes left), "overdue" (minutes over), "none" (no target)
    response: str = "none"
    response_minutes: float | None = None
    # escalation: "escalated", "located" (in time), "due" (minutes left), "overdue" (limit passed, not escalated), "none"
    escalation: str = "none"
    escalation_minutes: float | None = None


def _response(ticket: Ticket, archive: Archive, now: datetime) -> tuple[str, float | None]:
    if ticket.first_response is not None:
        return "responded", None
    target = archive.config.sla_minutes.get(ticket.priority)
    if target is None:
        return "none", None
    elapsed = minutes_between(ticket.created, now, archive.config)
    return ("due", target - elapsed) if elapsed <= target else ("overdue", elapsed - target)


def _escalation(ticket: Ticket, archive: Archive, now: datetime) -> tuple[str, float | None]:
    limit = archive.config.escalation_minutes.get(ticket.priority)
    if limit is None:
        return "none", None
    if ticket.escalated_to:
        return "escalated", None
    config = archive.config
    if ticket.located is not None:
        took = minutes_between(ticket.created, ticket.located, config)
        return ("located", None) if took <= limit else ("overdue", took - limit)
    elapsed = minutes_between(ticket.created, now, config)
    return ("due", limit - elapsed) if elapsed <= limit else ("overdue", elapsed - limit)


def build_queue(archive: Archive, now: datetime, assignee: str | None = None,
                priority: str | None = None) -> list[QueueEntry]:
    """Open tickets, highest priority first, then oldest first; optionally one assignee's or one priority's."""
    rank = {p: i for i, p in enumerate(PRIORITIES)}
    entries: list[QueueEntry] = []
    for t in archive.tickets.values():
        if t.status not in OPEN:
            continue
        if assignee is not None and (t.assignee or "").strip() != assignee.strip():
            continue
        if priority is not None and t.priority != priority:
            continue
        response, response_minutes = _response(t, archive, now)
        escalation, escalation_minutes = _escalation(t, archive, now)
        entries.append(QueueEntry(t.id, t.title, t.priority, t.status, t.created,
                                  max((now - t.created).total_seconds() / 60, 0.0), t.assignee,
                                  list(archive.ticket_kb.get(t.id, [])) or list(t.kb),
                                  response, response_minutes, escalation, escalation_minutes))
    entries.sort(key=lambda e: (rank.get(e.priority, len(rank)), e.created, e.id))
    return entries


def span(minutes: float | None) -> str:
    """A duration for people: 45m, 2h05m, 3d04h."""
    if minutes is None:
        return ""
    m = int(round(minutes))
    if m < 60:
        return f"{m}m"
    if m < 24 * 60:
        return f"{m // 60}h{m % 60:02d}m"
    return f"{m // (24 * 60)}d{(m // 60) % 24:02d}h"


def describe(entry: QueueEntry) -> tuple[str, str]:
    """(first response, escalation) as short English phrases for the text table."""
    response = {"responded": "responded", "none": "-",
                "due": f"due in {span(entry.response_minutes)}",
                "overdue": f"OVERDUE by {span(entry.response_minutes)}"}[entry.response]
    escalation = {"escalated": "escalated", "located": "located in time", "none": "-",
                  "due": f"locate within {span(entry.escalation_minutes)}",
                  "overdue": f"LIMIT PASSED by {span(entry.escalation_minutes)}, not escalated"}[entry.escalation]
    return response, escalation


def format_queue_text(entries: list[QueueEntry], now: datetime, tz: object) -> str:
    """An aligned table, one ticket a line, with a header and the moment it describes."""
    stamp = now.astimezone(tz).strftime("%Y-%m-%d %H:%M")  # type: ignore[arg-type]
    if not entries:
        return f"No open tickets (as of {stamp})."
    rows = [("ID", "P", "STATUS", "AGE", "FIRST RESPONSE", "ESCALATION", "ASSIGNEE", "KB", "TITLE")]
    for e in entries:
        response, escalation = describe(e)
        rows.append((e.id, e.priority, e.status, span(e.age_minutes), response, escalation,
                     e.assignee or "-", ",".join(e.kb) or "-", e.title))
    widths = [max(_width(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    lines = ["  ".join(cell + " " * (w - _width(cell)) for cell, w in zip(r, widths)) + "  " + r[-1] for r in rows]
    lines.append(f"{len(entries)} open ticket{'s' * (len(entries) != 1)} as of {stamp}")
    return "\n".join(lines)


def _width(text: str) -> int:
    """Columns a text takes in a terminal (CJK characters take two)."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def format_queue_json(entries: list[QueueEntry], now: datetime) -> str:
    """{"as_of": ..., "tickets": [...]} with ISO times and minutes rounded to 2 decimals."""
    out = []
    for e in entries:
        d = asdict(e)
        d["created"] = e.created.isoformat()
        for key in ("age_minutes", "response_minutes", "escalation_minutes"):
            if d[key] is not None:
                d[key] = round(d[key], 2)
        out.append(d)
    return json.dumps({"as_of": now.isoformat(), "tickets": out}, ensure_ascii=False, indent=2)
