"""Period metrics (metrics.py dicts) -> the output formats of `tsgen stats`: table, json, csv.

No click and no printing here: every function returns a string for cli.py to write.
"""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Iterable

from tsgen.config import PRIORITIES

MAX_IDS = 5  # ticket ids listed per line in the table before "+N more"


def percent(value: float | None, digits: int = 1, none: str = "-") -> str:
    """A ratio as a percentage, rounded once, half up, from the unrounded ratio: 14/17 -> 82.4%."""
    if value is None:
        return none
    exact = Decimal(value) * 100          # Decimal(float) is the float's exact binary value
    return f"{exact.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)}%"


def inclusive_dates(row: dict[str, Any], language: str = "en") -> str:
    """`2023-10-01 to 2023-10-31` / `2023-10-01 至 2023-10-31`: a period's first and last day."""
    return f"{row['start'][:10]} {'至' if language == 'zh' else 'to'} {row['last_day']}"


# label of each line of the table, (zh, en)
LABELS = {
    "tickets": ("工单数", "tickets"), "resolved": ("已解决", "resolved"),
    "resolution": ("解决时长", "resolution"), "first response": ("首次响应", "first response"),
    "sla": ("SLA 首次响应达标", "SLA first response"), "within": ("{p} {m} 分钟内", "{p} within {m} min"),
    "breached": ("超时", "breached"), "escalated": ("升级", "escalated"),
    "rule": ("违反升级规则", "escalation rule broken"), "repeats": ("重复问题", "repeats"),
    "csat": ("满意率", "CSAT"), "satisfied of": ("满意，共 {n} 个评价", "satisfied of {n} rated"),
    "dissatisfied": ("不满意", "dissatisfied"), "debt": ("知识欠账", "knowledge debt"),
    "link": ("知识库关联率", "KB link rate"), "backlog": ("期末积压", "backlog at end"),
    "ageing": ("积压账龄", "backlog ageing"), "kcs": ("知识复用（已有/新建）", "KB reuse (known/new)"),
    "top problems": ("高频问题", "top problems"), "cumulative": ("累计", "cumulative"),
    "top tag": ("各优先级最常见标签", "top tag per priority"), "of": ("共", "of"),
    "more": ("另 {n} 张", "+{n} more"), "median": ("中位数", "median"), "periods": ("个周期", "periods"),
    "h": ("小时", "h"), "min": ("分钟", "min"), "workload": ("工作量（处理/解决/超时/收到升级）",
                                                        "workload (handled/resolved/breached/escalations received)"),
    "unassigned": ("未分配", "unassigned"), "no tickets": ("所选范围内没有工单", "no tickets in the selected range"),
    "times in": ("时区", "times in"),
}
AGE_LABELS = {"lt_24h": ("<24 小时", "<24 h"), "h24_72": ("24–72 小时", "24–72 h"),
              "d3_7": ("3–7 天", "3–7 days"), "gt_7d": (">7 天", ">7 days")}


# --- json ---

def format_json(periods: list[dict[str, Any]], generated_for: dict[str, Any]) -> str:
    """`{"generated_for": {...}, "periods": [...]}`, UTF-8 text kept readable (ensure_ascii off)."""
    return json.dumps({"generated_for": generated_for, "periods": periods}, ensure_ascii=False, indent=2)


# --- csv ---

def csv_columns(sla_priorities: Iterable[str]) -> list[tuple[str, tuple[str, ...]]]:
    """(column name, key path into a period dict) for every scalar metric, in output order."""
    cols: list[tuple[str, tuple[str, ...]]] = [("period", ("period",)), ("start", ("start",)),
                                               ("end_exclusive", ("end_exclusive",)), ("last_day", ("last_day",)),
                                               ("tickets", ("tickets",))]
    cols += [(f"tickets_{p}", ("by_priority", p)) for p in PRIORITIES]
    cols += [
        ("resolved", ("resolved",)),
        ("resolution_hours_median", ("resolution_hours", "median")),
        ("resolution_hours_p90", ("resolution_hours", "p90")),
        ("first_response_minutes_median", ("first_response_minutes", "median")),
        ("first_response_minutes_p90", ("first_response_minutes", "p90")),
    ]
    cols += [(f"sla_{p}_compliance", ("sla", p, "compliance")) for p in sla_priorities]
    cols += [
        ("sla_overall_measured", ("sla", "overall", "measured")),
        ("sla_overall_met", ("sla", "overall", "met")),
        ("sla_overall_compliance", ("sla", "overall", "compliance")),
        ("escalated", ("escalation", "escalated")),
        ("escalation_rate", ("escalation", "rate")),
        ("rule_violations", ("escalation", "rule_violations")),
        ("repeats", ("repeats",)),
        ("repeat_rate", ("repeat_rate",)),
        ("csat_rated", ("csat", "rated")),
        ("csat_score", ("csat", "score")),
        ("knowledge_debt", ("knowledge_debt",)),
        ("kb_link_rate", ("kb_link_rate",)),
        ("backlog_end", ("backlog_end",)),
    ]
    cols += [(f"backlog_{b}", ("backlog_ageing", b)) for b in AGE_LABELS]
    cols += [("kcs_known", ("kcs", "known")), ("kcs_new", ("kcs", "new")), ("kcs_reuse_rate", ("kcs", "reuse_rate")),
             ("kcs_articles_first_linked", ("kcs", "articles_first_linked"))]
    return cols


WORKLOAD_COLUMNS = ("assignee", "handled", "resolved", "resolution_hours_median", "sla_breaches",
                    "escalations_received")


def format_workload_csv(periods: list[dict[str, Any]]) -> str:
    """One row per period and person (`tsgen stats --format csv --by-assignee`); no assignee is an empty cell."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["period", *WORKLOAD_COLUMNS])
    for row in periods:
        for person in row["workload"]:
            writer.writerow([row["period"], *("" if person[c] is None else person[c] for c in WORKLOAD_COLUMNS)])
    return buf.getvalue()


def _get(row: dict[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = row
    for key in path:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def format_csv(periods: list[dict[str, Any]], sla_priorities: Iterable[str] = ("P0", "P1")) -> str:
    """One row per period (oldest first) of scalar metrics; a null ratio is an empty cell."""
    cols = csv_columns(sla_priorities)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([name for name, _ in cols])
    for row in periods:
        writer.writerow(["" if (v := _get(row, path)) is None else v for _, path in cols])
    return buf.getvalue()


# --- table ---

def _width(text: str) -> int:
    """Terminal columns of `text`: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _change(now: float | None, before: float | None, kind: str) -> str:
    """` (+3)`, ` (-1.50)`, ` (+5.0 pt)`; empty when either side is unknown."""
    if now is None or before is None:
        return ""
    diff = now - before
    if kind == "count":
        text = f"{diff:+d}" if diff else "±0"
    elif kind == "ratio":
        points = percent(abs(diff))[:-1]
        text = "±0 pt" if points == "0.0" else f"{'+' if diff > 0 else '-'}{points} pt"
    else:
        text = f"{diff:+.2f}" if round(diff, 2) else "±0"
    return f" ({text})"


def _period_lines(row: dict[str, Any], prev: dict[str, Any] | None, lang: str) -> list[str]:
    zh = lang == "zh"

    def L(key: str, **kw: Any) -> str:
        return LABELS[key][0 if zh else 1].format(**kw)

    def ids(values: list[str]) -> str:
        more = len(values) - MAX_IDS
        return ", ".join(values[:MAX_IDS]) + (" " + L("more", n=more) if more > 0 else "")

    def was(*path: str) -> Any:
        return _get(prev, path) if prev is not None else None

    def line(label: str, text: str) -> str:
        return f"  {_pad(label, 24)}{text}"

    res, frm, sla = row["resolution_hours"], row["first_response_minutes"], row["sla"]
    esc, csat = row["escalation"], row["csat"]
    lines = [f"{row['period']}  ({inclusive_dates(row, lang)})",
             line(L("tickets"), f"{row['tickets']}{_change(row['tickets'], was('tickets'), 'count')}"),
             line(L("resolved"), f"{row['resolved']}{_change(row['resolved'], was('resolved'), 'count')}")]
    for label, block, key, unit in (("resolution", res, "resolution_hours", L("h")),
                                    ("first response", frm, "first_response_minutes", L("min"))):
        lines.append(line(L(label), f"{L('median')} {_num(block['median'])} {unit}"
                                    f"{_change(block['median'], was(key, 'median'), 'float')}"
                                    f"   p90 {_num(block['p90'])} {unit}{_change(block['p90'], was(key, 'p90'), 'float')}"
                                    f"   {L('of')} {block['count']}"))
    overall = sla["overall"]
    lines.append(line(L("sla"), f"{percent(overall['compliance'])} ({overall['met']}/{overall['measured']})"
                                f"{_change(overall['compliance'], was('sla', 'overall', 'compliance'), 'ratio')}"))
    for p, s in sla.items():
        if p == "overall":
            continue
        breached = f"   {L('breached')}: {ids(s['breached'])}" if s["breached"] else ""
        lines.append(line("  " + L("within", p=p, m=s["target_minutes"]),
                          f"{percent(s['compliance'])} ({s['met']}/{s['measured']})"
                          f"{_change(s['compliance'], was('sla', p, 'compliance'), 'ratio')}{breached}"))
    lines.append(line(L("escalated"), f"{esc['escalated']} ({percent(esc['rate'])})"
                                      f"{_change(esc['escalated'], was('escalation', 'escalated'), 'count')}"))
    broken = f"   {ids(esc['violations'])}" if esc["violations"] else ""
    lines.append(line(L("rule"), f"{esc['rule_violations']}"
                      f"{_change(esc['rule_violations'], was('escalation', 'rule_violations'), 'count')}{broken}"))
    lines.append(line(L("repeats"), f"{row['repeats']} ({percent(row['repeat_rate'])})"
                                    f"{_change(row['repeats'], was('repeats'), 'count')}"))
    unhappy = f"   {L('dissatisfied')}: {ids(csat['dissatisfied_tickets'])}" if csat["dissatisfied_tickets"] else ""
    lines.append(line(L("csat"), f"{percent(csat['score'])} {L('satisfied of', n=csat['rated'])}"
                                 f"{_change(csat['score'], was('csat', 'score'), 'ratio')}{unhappy}"))
    debt = f"   {ids(row['knowledge_debt_tickets'])}" if row["knowledge_debt_tickets"] else ""
    lines.append(line(L("debt"), f"{row['knowledge_debt']}"
                                 f"{_change(row['knowledge_debt'], was('knowledge_debt'), 'count')}{debt}"))
    lines.append(line(L("link"), f"{percent(row['kb_link_rate'])}"
                                 f"{_change(row['kb_link_rate'], was('kb_link_rate'), 'ratio')}"))
    kcs = row["kcs"]
    lines.append(line(L("kcs"), f"{kcs['known']}/{kcs['new']} ({percent(kcs['reuse_rate'])})"))
    lines.append(line(L("backlog"), f"{row['backlog_end']}"
                                    f"{_change(row['backlog_end'], was('backlog_end'), 'count')}"))
    ageing = row["backlog_ageing"]
    if row["backlog_end"]:
        lines.append(line(L("ageing"), "   ".join(f"{AGE_LABELS[b][0 if zh else 1]} {ageing[b]}" for b in AGE_LABELS)))
    if row["top_problems"]:
        lines.append("  " + L("top problems"))
        width = max(_width(f"{p['kb']} {p['title']}") for p in row["top_problems"])
        for i, p in enumerate(row["top_problems"], 1):
            lines.append(f"  {i:>3}. {_pad(p['kb'] + ' ' + p['title'], width)}  {p['tickets']:>5}  "
                         f"{percent(p['share']):>6}  {L('cumulative')} {percent(p['cumulative'])}")
    tags = [(p, t) for p, t in row["top_tags_by_priority"].items() if t]
    if tags:
        lines.append("  " + L("top tag"))
        for p, t in tags:
            lines.append(f"       {p}: {t['tag']}  {percent(t['share'])} ({t['tickets']}/{row['by_priority'][p]})")
    if row["workload"]:
        lines.append("  " + L("workload"))
        width = max(_width(w["assignee"] or L("unassigned")) for w in row["workload"])
        for w in row["workload"]:
            lines.append(f"       {_pad(w['assignee'] or L('unassigned'), width)}  {w['handled']}/{w['resolved']}/"
                         f"{w['sla_breaches']}/{w['escalations_received']}")
    return lines


def format_table(periods: list[dict[str, Any]], timezone: str = "", hide_before: datetime | None = None,
                 language: str = "en") -> str:
    """A terminal report in the site language, latest period first; each headline number shows its
    change from the period before.

    Periods ending at or before `hide_before` are not shown but still serve as the comparison for the
    first period shown (so `--since` does not lose the change of its first period).
    """
    zh = language == "zh"
    shown = [i for i, row in enumerate(periods)
             if hide_before is None or datetime.fromisoformat(row["end_exclusive"]) > hide_before]
    if not shown:
        return LABELS["no tickets"][0 if zh else 1]
    blocks = ["\n".join(_period_lines(periods[i], periods[i - 1] if i else None, language)) for i in reversed(shown)]
    n = len(shown)
    head = (f"{n} 个周期" + (f"，时区 {timezone}" if timezone else "")) if zh else \
        (f"{n} period{'s' * (n != 1)}" + (f", times in {timezone}" if timezone else ""))
    return head + "\n\n" + "\n\n".join(blocks)
