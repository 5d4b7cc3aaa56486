"""Zendesk's incremental ticket export (GET /api/v2/incremental/tickets/cursor.json?include=users,metric_sets).

Format source: Zendesk developer docs, "Incremental Exports" and "Ticket Metrics"
(developer.zendesk.com/api-reference/ticketing/ticket-management/incremental_exports/): a page is
`{"tickets": [...], "users": [...], "metric_sets": [...], "after_cursor": ..., "end_of_stream": ...}`;
a ticket has id, created_at / updated_at (ISO 8601 UTC, `Z`), subject, description, priority
(urgent, high, normal, low or null), status (new, open, pending, hold, solved, closed, deleted), type
(problem, incident, question, task or null), tags, via.channel, requester_id, assignee_id,
satisfaction_rating {score: good/bad/offered/unoffered, comment}; a metric set has ticket_id,
reply_time_in_minutes and full_resolution_time_in_minutes ({calendar, business}) and solved_at.
Side-loaded users (id, name, email, phone) give the requester and the assignee. The file is one
page, a list of pages, or JSON Lines with one page per line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

from tsgen.importers.core import Format
from tsgen.importers.mapping import Mapping
from tsgen.importers.sources import ImportError_, SourceRecord, flatten, read_json

MAPPING = Mapping(
    columns={
        "id": "id", "subject": "title", "description": "body", "priority": "priority", "status": "status",
        "type": "type", "tags": "tags", "created_at": "created", "updated_at": "updated",
        "via.channel": "channel", "satisfaction_rating.score": "satisfaction",
        "satisfaction_rating.comment": "feedback", "requester.name": "customer.name",
        "requester.contact": "customer.contact", "organization.name": "source", "assignee.name": "assignee",
        "metric_set.solved_at": "resolved",
        "metric_set.reply_time_in_minutes.calendar": "first_response_minutes",
        "metric_set.full_resolution_time_in_minutes.calendar": "resolution_minutes",
    },
    values={
        "priority": {"urgent": "P0", "high": "P1", "normal": "P2", "low": "P3"},
        "status": {"new": "pending", "open": "pending", "pending": "awaiting-customer", "hold": "awaiting-customer",
                   "solved": "resolved", "closed": "resolved", "deleted": "skip"},
        "type": {"problem": "fault", "incident": "fault", "question": "consultation", "task": "other"},
        "satisfaction": {"good": "satisfied", "bad": "dissatisfied", "offered": "", "unoffered": ""},
        "channel": {"email": "email", "web": "web", "web_form": "web", "web_widget": "web", "chat": "im",
                    "native_messaging": "im", "whatsapp": "im", "line": "im", "wechat": "im", "sms": "im",
                    "voice": "phone", "api": "ticket-system", "mobile": "web", "mobile_sdk": "web"},
    },
)


def _pages(data: Any) -> list[dict[str, Any]]:
    if isinstance(data, dict):
        return [data]
    if isinstance(data, list) and all(isinstance(p, dict) for p in data):
        if data and "tickets" not in data[0] and "subject" in data[0]:
            return [{"tickets": data}]  # a bare list of tickets
        return data
    raise ImportError_("expected a Zendesk export page: {\"tickets\": [...], \"users\": [...], ...}")


def read(path: Path, encoding: str | None) -> Iterator[SourceRecord]:
    pages = _pages(read_json(path, encoding))
    users: dict[Any, dict[str, Any]] = {}
    orgs: dict[Any, dict[str, Any]] = {}
    metrics: dict[Any, dict[str, Any]] = {}
    for page in pages:
        users.update({u.get("id"): u for u in page.get("users") or [] if isinstance(u, dict)})
        orgs.update({o.get("id"): o for o in page.get("organizations") or [] if isinstance(o, dict)})
        metrics.update({m.get("ticket_id"): m for m in page.get("metric_sets") or [] if isinstance(m, dict)})
    index = 0
    for page in pages:
        tickets = page.get("tickets")
        if not isinstance(tickets, list):
            raise ImportError_(f"{path}: a page without a \"tickets\" list")
        for ticket in tickets:
            index += 1
            if not isinstance(ticket, dict):
                yield SourceRecord({}, f"tickets[{index - 1}]")
                continue
            values = flatten({k: v for k, v in ticket.items() if k not in ("metric_set", "custom_fields", "fields")})
            requester = users.get(ticket.get("requester_id")) or {}
            assignee = users.get(ticket.get("assignee_id")) or {}
            values["requester.name"] = requester.get("name")
            values["requester.contact"] = ", ".join(str(c) for c in (requester.get("email"), requester.get("phone")) if c)
            values["assignee.name"] = assignee.get("name")
            values["organization.name"] = (orgs.get(ticket.get("organization_id")) or {}).get("name")
            metric = ticket.get("metric_set") if isinstance(ticket.get("metric_set"), dict) \
                else metrics.get(ticket.get("id")) or {}
            values.update(flatten(metric, "metric_set"))
            yield SourceRecord(values, f"tickets[{index - 1}] (id {ticket.get('id')})")


FORMAT = Format("zendesk", read, MAPPING)
