"""智齿 (Sobot) ticket records as its open API returns them (工单中心, 查询工单列表 getTicketList).

Format source: Sobot's developer documentation (www.sobot.com/developerdocs/service/work_order_center.html
and the help-centre page "查询工单列表"): `{"code": ..., "data": {"items": [...]}}` with, per
ticket, ticketId, ticketCode (工单编号, a number), ticketTitle, ticketContent (问题描述, may hold
HTML), ticketLevel (0 低, 1 中, 2 高, 3 紧急), ticketStatus (0 未受理, 1 受理中, 2 等待回复,
3 已解决, 99 已关闭, 98 已删除), startType (0 客服, 1 普通用户) and startName (发起人),
dealUserName (受理人), dealGroupName, createTime / updateTime (epoch milliseconds),
ticketTypeName (一级/二级/三级) and ticketFrom (0 工单中心, 1 PC 留言, 2 H5 留言, 3 微信, 4 APP,
5 微博, 6 在线工作台-PC, 7 客户中心, 8 呼叫中心, 9-11 在线工作台 微信/H5/App). Deleted tickets (98)
are skipped. The file is the API response, its `data`, a list of tickets, or JSON Lines of responses.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any, Iterator

from tsgen.importers.core import Format
from tsgen.importers.mapping import Mapping
from tsgen.importers.sources import ImportError_, SourceRecord, read_json

MAPPING = Mapping(
    columns={
        "ticketCode": "id", "ticketTitle": "title", "ticketContent": "body", "ticketLevel": "priority",
        "ticketStatus": "status", "dealUserName": "assignee", "createTime": "created", "updateTime": "updated",
        "customerName": "customer.name", "ticketTypeName": "tags", "ticketFrom": "channel",
        "customerContact": "customer.contact", "satisfaction": "satisfaction",
    },
    values={
        "priority": {"3": "P0", "2": "P1", "1": "P2", "0": "P3"},
        "status": {"0": "pending", "1": "pending", "2": "awaiting-customer", "3": "resolved", "99": "resolved",
                   "98": "skip", "受理中": "pending", "未受理": "pending", "等待回复": "awaiting-customer",
                   "已关闭": "resolved", "已删除": "skip"},
        "channel": {"0": "ticket-system", "1": "web", "2": "web", "3": "im", "4": "im", "5": "other", "6": "web",
                    "7": "web", "8": "phone", "9": "im", "10": "web", "11": "im"},
    },
)

_TAG = re.compile(r"<[^>]*>")
_BREAK = re.compile(r"<\s*(br|/p|/div|/li)\b[^>]*>", re.IGNORECASE)


def _items(data: Any) -> list[Any]:
    if isinstance(data, list):
        if data and all(isinstance(d, dict) and ("data" in d or "items" in d) for d in data):
            return [item for page in data for item in _items(page)]
        return data
    if isinstance(data, dict):
        if "items" in data:
            return list(data["items"] or [])
        if "data" in data:
            return _items(data["data"])
    raise ImportError_("expected a 智齿 getTicketList response: {\"data\": {\"items\": [...]}}")


def _text(content: Any) -> Any:
    """ticketContent from the rich-text editor -> plain text (the site shows raw HTML as text)."""
    if not isinstance(content, str) or "<" not in content:
        return content
    last = content.rfind(">") + 1  # no tag after the last ">": the patterns would rescan the rest from every "<"
    return html.unescape(_TAG.sub("", _BREAK.sub("\n", content[:last])) + content[last:])


def read(path: Path, encoding: str | None) -> Iterator[SourceRecord]:
    for index, item in enumerate(_items(read_json(path, encoding))):
        if not isinstance(item, dict):
            yield SourceRecord({}, f"items[{index}]")
            continue
        values = dict(item)
        values["ticketContent"] = _text(item.get("ticketContent"))
        if isinstance(item.get("ticketTypeName"), str):  # 一级/二级/三级: one tag per level
            values["ticketTypeName"] = [p for p in item["ticketTypeName"].split("/") if p.strip()]
        if str(item.get("startType")) == "1" and not item.get("customerName"):
            values["customerName"] = item.get("startName")  # started by the customer: 发起人 is the customer
        yield SourceRecord(values, f"items[{index}] (ticketCode {item.get('ticketCode')})")


FORMAT = Format("sobot", read, MAPPING)
