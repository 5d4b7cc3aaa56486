"""osTicket's ticket queue export (Tickets -> Export, CSV).

Format source: osTicket/osTicket include/class.export.php (Export::dumpTickets with
CustomQueue::getExportableFields: Ticket Number, Date Created, Subject, From, From Email, Priority,
Department, Help Topic, Source, Current Status, Last Updated, SLA Due Date, Due Date, Closed Date,
Overdue, Answered, Agent Assigned, Team Assigned, Thread Count, Reopen Count, Attachment Count;
CsvResultsExporter writes a UTF-8 BOM and uses ';' where the locale's decimal mark is a comma).
Dates are the database's `YYYY-MM-DD HH:MM:SS` without an offset. Priorities are the shipped
Low, Normal, High, Emergency; sources Web, Email, Phone, API, Other; statuses Open, Resolved,
Closed, Archived, Deleted. The queue export carries no message text, so the body says so.

Translated exports: the headers are written through osTicket's `__()` (class.queue.php,
getExportableFields), so an agent whose language is Chinese exports Chinese headers, and a help
desk installed from the Chinese language pack names its statuses and priorities in Chinese. The
language packs are built from osTicket's Crowdin project and are not in the source repository,
so the Chinese headers accepted here (`_ZH_COLUMNS`) are the usual Simplified and Traditional
renderings of each English header; a spelling not listed is mapped with a --map file
(`columns: {工单号码: id}`), and the error for a file without the needed columns says so.
Older osTicket versions (CsvResultsExporter) prefix a cell starting with = - + @ with `'` against
spreadsheet formulas; that quote is removed again.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterator

from tsgen.importers.core import Format
from tsgen.importers.mapping import Mapping
from tsgen.importers.sources import SourceRecord, read_table

_COLUMNS = {
    "Ticket Number": "id", "Date Created": "created", "Subject": "title", "From": "customer.from",
    "From Email": "customer.contact", "Priority": "priority", "Help Topic": "tags", "Source": "channel",
    "Current Status": "status", "Last Updated": "updated", "Closed Date": "resolved",
    "Agent Assigned": "assignee",
}
# the same headers as a Chinese-language agent exports them (Simplified, then Traditional)
_ZH_COLUMNS = {
    "id": ("工单编号", "工单号", "工单号码", "票据编号", "工單編號", "工單號碼"),
    "created": ("创建日期", "创建时间", "建立日期", "建立時間", "建立日期時間"),
    "title": ("主题", "主題"),
    "customer.from": ("来自", "发件人", "來自", "寄件者"),
    "customer.contact": ("来自邮箱", "来自电子邮件", "发件人邮箱", "發件人電子郵件", "來自電子郵件", "寄件者電子郵件"),
    "priority": ("优先级", "優先級", "優先順序", "優先權"),
    "tags": ("帮助主题", "說明主題", "幫助主題"),
    "channel": ("来源", "來源"),
    "status": ("当前状态", "目前状态", "目前狀態", "當前狀態"),
    "updated": ("最后更新", "最后更新时间", "最後更新", "最後更新時間"),
    "resolved": ("关闭日期", "关闭时间", "關閉日期", "關閉時間"),
    "assignee": ("分配的客服", "指派的客服", "已分配客服", "负责客服", "指派的專員", "已指派專員", "指派客服"),
}
_FORMULA = re.compile(r"'[=\-+@]")

MAPPING = Mapping(
    columns={**_COLUMNS, **{zh: target for target, names in _ZH_COLUMNS.items() for zh in names}},
    values={
        "priority": {"emergency": "P0", "high": "P1", "normal": "P2", "low": "P3",
                     "紧急": "P0", "緊急": "P0", "高": "P1", "普通": "P2", "一般": "P2", "正常": "P2", "中": "P2",
                     "低": "P3"},
        "status": {"open": "pending", "resolved": "resolved", "closed": "resolved", "archived": "resolved",
                   "deleted": "skip",
                   "打开": "pending", "开启": "pending", "开放": "pending", "開啟": "pending", "已解决": "resolved",
                   "已解決": "resolved", "已关闭": "resolved", "已關閉": "resolved", "关闭": "resolved",
                   "已归档": "resolved", "已歸檔": "resolved", "已删除": "skip", "已刪除": "skip"},
        "channel": {"web": "web", "email": "email", "phone": "phone", "api": "ticket-system", "other": "other",
                    "网页": "web", "网站": "web", "網頁": "web", "邮件": "email", "电子邮件": "email",
                    "電子郵件": "email", "电话": "phone", "電話": "phone", "其他": "other"},
    },
)


def read(path: Path, encoding: str | None) -> Iterator[SourceRecord]:
    """The queue export's rows, with the formula guard (a leading `'` before = - + @) taken off again."""
    for record in read_table(path, encoding):
        values = record.values
        for key, value in values.items():
            if isinstance(value, str) and _FORMULA.match(value):
                values[key] = value[1:]
        yield record


FORMAT = Format("osticket", read, MAPPING, no_body="osTicket's queue export")
