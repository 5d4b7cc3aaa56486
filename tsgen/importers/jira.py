"""Jira Service Management's issue export (Filters -> Export -> Export Excel CSV (all fields)).

Format source: Atlassian's "Export issues" documentation and the CSV Jira writes: one header per
field (Summary, Issue key, Issue id, Issue Type, Status, Priority, Resolution, Assignee, Reporter,
Creator, Created, Updated, Resolved, Description, ...), a multi-valued field repeated as several
columns of the same name (Labels, Labels, Labels), custom fields as `Custom field (Name)`, and
dates in Jira's own format `27/Oct/23 10:05 AM` (dd/MMM/yy h:mm a, the exporting user's timezone).
Priorities are the shipped Highest, High, Medium, Low, Lowest. Workflow statuses are the
project's own: the shipped service-desk names are mapped, and any other status falls back to its
`Status Category` (Done -> resolved, To Do / In Progress -> pending). The Reporter of a service
request is the customer. Satisfaction is `Custom field (Satisfaction)`, a 1-5 rating. The SLA
fields (Time to first response / resolution) show the time left on a goal, not when the response
happened, so they are not read as times.
"""

from __future__ import annotations

from tsgen.importers.core import Format
from tsgen.importers.mapping import Mapping
from tsgen.importers.sources import read_table

MAPPING = Mapping(
    columns={
        "Issue key": "id", "Summary": "title", "Description": "body", "Issue Type": "type", "Status": "status",
        "Status Category": "status_category", "Priority": "priority", "Assignee": "assignee",
        "Reporter": "customer.name", "Created": "created", "Updated": "updated", "Resolved": "resolved",
        "Labels": "tags", "Custom field (Satisfaction)": "satisfaction",
        "Custom field (Satisfaction rating)": "satisfaction", "Custom field (Organizations)": "source",
    },
    values={
        "priority": {"highest": "P0", "high": "P1", "medium": "P2", "low": "P3", "lowest": "P4"},
        "status": {"open": "pending", "to do": "pending", "in progress": "pending", "work in progress": "pending",
                   "waiting for support": "pending", "escalated": "pending",
                   "waiting for customer": "awaiting-customer", "pending": "awaiting-customer",
                   "resolved": "resolved", "closed": "resolved", "done": "resolved", "canceled": "resolved",
                   "declined": "resolved"},
        "status_category": {"done": "resolved", "to do": "pending", "in progress": "pending"},
        "type": {"bug": "fault", "incident": "fault", "problem": "fault", "[system] incident": "fault",
                 "[system] problem": "fault", "service request": "consultation",
                 "[system] service request": "consultation", "question": "consultation", "support": "consultation",
                 "change": "requirement", "[system] change": "requirement", "new feature": "requirement",
                 "improvement": "requirement", "story": "requirement", "task": "other", "sub-task": "other",
                 "epic": "other"},
    },
)

FORMAT = Format("jira", lambda path, enc: read_table(path, enc), MAPPING)
