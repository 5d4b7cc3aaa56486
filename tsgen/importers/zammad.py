"""Zammad's ticket export (Reporting -> Download, or a ticket search exported to a spreadsheet).

Format source: zammad/zammad lib/excel_sheet/ticket.rb (ExcelSheet::Ticket#ticket_header): the
columns `#` (the ticket number), Title, State, Priority, Group, Owner, Customer, Organization,
Create Channel, Sender, Tags, Time Units Total, then Created At, Updated At, Closed At, Close
Escalation At, Close In Min, Close Diff In Min, First Response At, First Response Escalation At,
First Response In Min, First Response Diff In Min, Update ..., Last Contact ..., Article Count,
Escalation At. lib/excel_sheet.rb writes the sheet's title in row 1, the header in row 3, times as
`yyyy-mm-dd hh:mm:ss` in the exporting user's timezone without an offset, and a footer
`Timezone: Europe/Berlin` (the word translated) two rows below the last ticket: that footer sets
the timezone of the times unless the mapping gives one (else the archive's). Priorities are Zammad's shipped `1 low`, `2 normal`,
`3 high`; states `new`, `open`, `pending reminder`, `pending close`, `closed`, `merged`. The export
carries no description, so the body says so. The same columns are read from CSV (a saved copy).
`First Response In Min` / `Close In Min` are counted in the SLA calendar's working hours, so they
are used only when the matching `... At` timestamp is empty.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterator
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tsgen.importers.core import Format
from tsgen.importers.mapping import Mapping
from tsgen.importers.sources import SourceRecord, read_table

_FOOTER = re.compile(r"[^:：]{1,40}[:：]\s*([A-Za-z]+(?:/[A-Za-z0-9_+\-]+)+|UTC)")

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

def _footer_zone(record: SourceRecord) -> str | None:
    filled = [v for v in record.values.values() if v not in (None, "", [])]
    if len(filled) != 1 or not isinstance(filled[0], str):
        return None
    m = _FOOTER.fullmatch(filled[0].strip())
    if not m:
        return None
    try:
        ZoneInfo(m.group(1))
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return m.group(1)


def read(path: Path, encoding: str | None) -> Iterator[SourceRecord]:
    """The sheet's tickets, each told the timezone of the footer (the export's last line)."""
    records = list(read_table(path, encoding))
    zone = next((z for z in map(_footer_zone, reversed(records[-3:])) if z), None)
    for record in records:
        if zone is not None and _footer_zone(record) == zone:
            continue
        if zone is not None:
            record.extra["timezone"] = zone
        yield record


FORMAT = Format("zammad", read, MAPPING,
                no_body="Zammad's ticket export")
