"""Zammad's ticket export (Reporting -> Download, or a ticket search exported to a spreadsheet).

Format source: zammad/zammad lib/excel_sheet/ticket.rb (ExcelSheet::Ticket#ticket_header): the
columns `#` (the ticket number), Title, State, Priority, Group, Owner, Customer, Organization,
Create Channel, Sender, Tags, Time Units Total, then Created At, Updated At, Closed At, Close
Escalation At, Close In Min, Close Diff In Min, First Response At, First Response Escalation At,
First Response In Min, First Response Diff In Min, Update ..., Last Contact ..., Article Count,
Escalation At. Times are written in the exporting user's timezone without an offset (read in the
mapping's `timezone`, else the archive's). Priorities are Zammad's shipped `1 low`, `2 normal`,
`3 high`; states `new`, `open`, `pending reminder`, `pending close`, `closed`, `merged`. The export
carries no description, so the body says so. The same columns are read from CSV (a saved copy).
"""

from __future__ import annotations

from tsgen.importers.core import Format
from tsgen.importers.mapping import Mapping
from tsgen.importers.sources import read_table

MAPPING = Mapping(
    columns={
        "#": "id", "Number": "id", "Title": "title", "State": "status", "Priority": "priority",
        "Owner": "assignee", "Customer": "customer.name", "Organization": "source",
        "Create Channel": "channel", "Tags": "tags", "Created At": "created", "Updated At": "updated",
        "Closed At": "resolved", "Close In Min": "resolution_minutes", "First Response At": "responded",
        "First Response In Min": "first_response_minutes",
    },
    values={
        "priority": {"1 low": "P3", "2 normal": "P2", "3 high": "P1", "low": "P3", "normal": "P2", "high": "P1"},
        "status": {"new": "pending", "open": "pending", "pending reminder": "awaiting-customer",
                   "pending close": "awaiting-customer", "closed": "resolved", "merged": "skip",
                   "removed": "skip"},
        "channel": {"email": "email", "phone": "phone", "web": "web", "chat": "im", "sms": "im",
                    "telegram personal-message": "im", "note": "other"},
    },
)

FORMAT = Format("zammad", lambda path, enc: read_table(path, enc), MAPPING,
                no_body="Zammad's ticket export")
