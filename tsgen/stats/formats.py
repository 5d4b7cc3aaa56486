"""Period metrics (metrics.py dicts) -> the output formats of `tsgen stats`: table, json, csv.

No click and no printing here: every function returns a string for cli.py to write.
"""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from datetime import datetime, timedelta
from typing import Any, Iterable

from tsgen.config import PRIORITIES

MAX_IDS = 5  # ticket ids listed per line in the table before "+N more"


# --- json ---

def format_json(periods: list[dict[str, Any]], generated_for: dict[str, Any]) -> str:
    """`{"generated_for": {...}, "periods": [...]}`, UTF-8 text kept readable (ensure_ascii off)."""
    return json.dumps({"generated_for": generated_for, "periods": periods}, ensure_ascii=False, indent=2)


# --- csv ---

def csv_columns(sla_priorities: Iterable[str]) -> list[tuple[str, tuple[str, ...]]]:
    """(column name, key path into a period dict) for every scalar metric, in output order."""
    cols: list[tuple[str, tuple[str, ...]]] = [("period", ("period",)), ("start", ("start",)), ("end", ("end",)),
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
    return cols


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


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f}%"


def _change(now: float | None, before: float | None, kind: str) -> str:
    """` (+3)`, ` (-1.50)`, ` (+5.0 pt)`; empty when either side is unknown."""
    if now is None or before is None:
        return ""
    diff = now - before
    if kind == "count":
        text = f"{diff:+d}" if diff else "±0"
    elif kind == "ratio":
        text = f"{diff * 100:+.1f} pt" if round(diff * 100, 1) else "±0 pt"
    else:
        text = f"{diff:+.2f}" if round(diff, 2) else "±0"
    return f" ({text})"


def _ids(ids: list[str]) -> str:
    more = len(ids) - MAX_IDS
    return ", ".join(ids[:MAX_IDS]) + (f" +{more} more" if more > 0 else "")


def _dates(row: dict[str, Any]) -> str:
    start = datetime.fromisoformat(row["start"]).date()
    last = (datetime.fromisoformat(row["end"]) - timedelta(days=1)).date()
    return f"{start.isoformat()} .. {last.isoformat()}"


def _period_lines(row: dict[str, Any], prev: dict[str, Any] | None) -> list[str]:
    def was(*path: str) -> Any:
        return _get(prev, path) if prev is not None else None

    def line(label: str, text: str) -> str:
        return f"  {_pad(label, 24)}{text}"

    res, frm, sla = row["resolution_hours"], row["first_response_minutes"], row["sla"]
    esc, csat = row["escalation"], row["csat"]
    lines = [f"{row['period']}  ({_dates(row)})",
             line("tickets", f"{row['tickets']}{_change(row['tickets'], was('tickets'), 'count')}"),
             line("resolved", f"{row['resolved']}{_change(row['resolved'], was('resolved'), 'count')}")]
    for label, block, key, unit in (("resolution", res, "resolution_hours", "h"),
                                    ("first response", frm, "first_response_minutes", "min")):
        lines.append(line(label, f"median {_num(block['median'])} {unit}"
                                 f"{_change(block['median'], was(key, 'median'), 'float')}"
                                 f"   p90 {_num(block['p90'])} {unit}{_change(block['p90'], was(key, 'p90'), 'float')}"
                                 f"   of {block['count']}"))
    overall = sla["overall"]
    lines.append(line("SLA first response", f"{_pct(overall['compliance'])} ({overall['met']}/{overall['measured']})"
                                             f"{_change(overall['compliance'], was('sla', 'overall', 'compliance'), 'ratio')}"))
    for p, s in sla.items():
        if p == "overall":
            continue
        breached = f"   breached: {_ids(s['breached'])}" if s["breached"] else ""
        lines.append(line(f"  {p} within {s['target_minutes']} min",
                          f"{_pct(s['compliance'])} ({s['met']}/{s['measured']})"
                          f"{_change(s['compliance'], was('sla', p, 'compliance'), 'ratio')}{breached}"))
    lines.append(line("escalated", f"{esc['escalated']} ({_pct(esc['rate'])})"
                                    f"{_change(esc['escalated'], was('escalation', 'escalated'), 'count')}"))
    broken = f"   {_ids(esc['violations'])}" if esc["violations"] else ""
    lines.append(line("escalation rule broken", f"{esc['rule_violations']}"
                      f"{_change(esc['rule_violations'], was('escalation', 'rule_violations'), 'count')}{broken}"))
    lines.append(line("repeats", f"{row['repeats']} ({_pct(row['repeat_rate'])})"
                                  f"{_change(row['repeats'], was('repeats'), 'count')}"))
    unhappy = f"   dissatisfied: {_ids(csat['dissatisfied_tickets'])}" if csat["dissatisfied_tickets"] else ""
    lines.append(line("CSAT", f"{_pct(csat['score'])} satisfied of {csat['rated']} rated"
                               f"{_change(csat['score'], was('csat', 'score'), 'ratio')}{unhappy}"))
    debt = f"   {_ids(row['knowledge_debt_tickets'])}" if row["knowledge_debt_tickets"] else ""
    lines.append(line("knowledge debt", f"{row['knowledge_debt']}"
                                         f"{_change(row['knowledge_debt'], was('knowledge_debt'), 'count')}{debt}"))
    lines.append(line("KB link rate", f"{_pct(row['kb_link_rate'])}"
                                       f"{_change(row['kb_link_rate'], was('kb_link_rate'), 'ratio')}"))
    lines.append(line("backlog at end", f"{row['backlog_end']}"
                                         f"{_change(row['backlog_end'], was('backlog_end'), 'count')}"))
    if row["top_problems"]:
        lines.append("  top problems")
        width = max(_width(f"{p['kb']} {p['title']}") for p in row["top_problems"])
        for i, p in enumerate(row["top_problems"], 1):
            lines.append(f"  {i:>3}. {_pad(p['kb'] + ' ' + p['title'], width)}  {p['tickets']:>5}  "
                         f"{_pct(p['share']):>6}  cumulative {_pct(p['cumulative'])}")
    tags = [(p, t) for p, t in row["top_tags_by_priority"].items() if t]
    if tags:
        lines.append("  top tag per priority")
        for p, t in tags:
            lines.append(f"       {p}: {t['tag']}  {_pct(t['share'])} ({t['tickets']} of {row['by_priority'][p]})")
    return lines


def format_table(periods: list[dict[str, Any]], timezone: str = "", hide_before: datetime | None = None) -> str:
    """A terminal report, latest period first; each headline number shows its change from the period before.

    Periods ending at or before `hide_before` are not shown but still serve as the comparison for the
    first period shown (so `--since` does not lose the change of its first period).
    """
    shown = [i for i, row in enumerate(periods)
             if hide_before is None or datetime.fromisoformat(row["end"]) > hide_before]
    if not shown:
        return "no tickets in the selected range"
    blocks = ["\n".join(_period_lines(periods[i], periods[i - 1] if i else None)) for i in reversed(shown)]
    head = f"{len(shown)} period{'s' * (len(shown) != 1)}" + (f", times in {timezone}" if timezone else "")
    return head + "\n\n" + "\n\n".join(blocks)

