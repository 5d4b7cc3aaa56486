"""Any spreadsheet (CSV or XLSX) with a mapping file: `tsgen import csv FILE --map mapping.yml`.

No columns are assumed except tsgen's own field names and their Chinese labels (标题, 优先级,
接收时间, ...), so a sheet whose headers are the data contract's labels imports without a map.
"""

from __future__ import annotations

from tsgen.archive.schema import TICKET_SPEC
from tsgen.importers.core import Format
from tsgen.importers.mapping import TARGETS, Mapping
from tsgen.importers.sources import read_table


def _own_columns() -> dict[str, str]:
    columns: dict[str, str] = {"工单编号": "id", "编号": "id", "source_id": "id", "问题描述": "body",
                               "description": "body", "对接人": "customer.name", "联系方式": "customer.contact",
                               "所属部门": "customer.department"}
    for key in TARGETS:
        if key in TICKET_SPEC:
            columns[key] = key
            columns[TICKET_SPEC[key].zh] = key
    return columns


MAPPING = Mapping(columns=_own_columns())

FORMAT = Format("csv", lambda path, enc: read_table(path, enc), MAPPING)
