"""osTicket's ticket queue export (Tickets -> Export, CSV).

Format source: osTicket/osTicket include/class.export.php (Export::dumpTickets with
CustomQueue::getExportableFields: Ticket Number, Date Created, Subject, From, From Email, Priority,
Department, Help Topic, Source, Current Status, Last Updated, SLA Due Date, Due Date, Closed Date,
Overdue, Answered, Agent Assigned, Team Assigned, Thread Count, Reopen Count, Attachment Count;
CsvResultsExporter writes a UTF-8 BOM and uses ';' where the locale's decimal mark is a comma).
Dates are the database's `YYYY-MM-DD HH:MM:SS` without an offset. Priorities are the shipped
Low, Normal, High, Emergency; sources Web, Email, Phone, API, Other; statuses Open, Resolved,
Closed, Archived, Deleted. The queue export carries no message text, so the body says so.
"""

from __future__ import annotations

from tsgen.importers.core import Format
from tsgen.importers.mapping import Mapping
from tsgen.importers.sources import read_table

MAPPING = Mapping(
    columns={
        "Ticket Number": "id", "Date Created": "created", "Subject": "title", "From": "customer.from",
        "From Email": "customer.contact", "Priority": "priority", "Help Topic": "tags", "Source": "channel",
        "Current Status": "status", "Last Updated": "updated", "Closed Date": "resolved",
        "Agent Assigned": "assignee",
    },
    values={
        "priority": {"emergency": "P0", "high": "P1", "normal": "P2", "low": "P3"},
        "status": {"open": "pending", "resolved": "resolved", "closed": "resolved", "archived": "resolved",
                   "deleted": "skip"},
        "channel": {"web": "web", "email": "email", "phone": "phone", "api": "ticket-system", "other": "other"},
    },
)

FORMAT = Format("osticket", lambda path, enc: read_table(path, enc), MAPPING,
                no_body="osTicket's queue export")
