"""The review digest: one period's numbers, problems and to-dos as a short text to paste into a chat.

`build_digest` picks what a team lead reports on Monday from the period metrics (the same dicts as
`tsgen stats --format json`, so every number is one of those); `format_markdown`, `format_text`
and `format_html` write it. The Markdown uses only what DingTalk's and WeCom's Markdown messages
render: headings, bold, links and lists; no tables, no HTML, no code blocks.

Pure functions: no printing, no disk. The archive given is the published one, its customer data
already masked (`archive.privacy.Masker.published`), as the site's pages are made from.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Callable

from tsgen.archive.model import Archive
from tsgen.config import PRIORITIES
from tsgen.stats.formats import inclusive_dates, percent
from tsgen.stats.metrics import TicketFacts

TOP = 5  # problems listed

# (metric path in the period dict, zh label, en label, unit, which change is good news)
HEADLINE = (
    ("tickets", "新建工单", "Tickets", "count", "none"),
    ("resolved", "已解决", "Resolved", "count", "up"),
    ("resolution_hours.median", "解决时长中位数", "Resolution, median", "hours", "down"),
    ("resolution_hours.p90", "解决时长 P90", "Resolution, p90", "hours", "down"),
    ("first_response_minutes.median", "首次响应中位数", "First response, median", "minutes", "down"),
    ("sla.overall.compliance", "SLA 达标率", "SLA compliance", "ratio", "up"),
    ("escalation.rule_violations", "违反升级规则", "Escalation rule broken", "count", "down"),
    ("repeat_rate", "重复问题率", "Repeat rate", "ratio", "down"),
    ("csat.score", "满意率", "CSAT", "ratio", "up"),
    ("kb_link_rate", "知识库关联率", "KB link rate", "ratio", "up"),
    ("knowledge_debt", "知识欠账", "Knowledge debt", "count", "down"),
    ("backlog_end", "期末积压", "Backlog at end", "count", "down"),
)


def lookup(row: dict[str, Any] | None, path: str) -> Any:
    """row["a"]["b"] for path "a.b" (a number indexes a list: "workload.0.handled"); None when any
    part is missing. The paths are those of the site's data-metric attributes."""
    value: Any = row
    for part in path.split("."):
        if isinstance(value, list) and part.isdigit():
            value = value[int(part)] if int(part) < len(value) else None
        elif isinstance(value, dict):
            value = value.get(part)
        else:
            return None
    return value


@dataclass
class Digest:
    """What one period's digest says, before it is written as Markdown, text or HTML."""

    period: str
    kind: str                                   # month | week
    dates: str                                  # 2023-10-01 至 2023-10-31
    language: str
    partial: bool = False                       # the period has not ended yet (numbers so far)
    numbers: list[dict[str, Any]] = field(default_factory=list)      # path, label, value, before, shown, change
    breached: list[dict[str, Any]] = field(default_factory=list)     # id, title, priority, late, assignee, url
    violations: list[dict[str, Any]] = field(default_factory=list)   # id, title, assignee, url
    problems: list[dict[str, Any]] = field(default_factory=list)     # kb, title, tickets, share, cumulative, url
    findings: list[str] = field(default_factory=list)                # "P1：60% 为 数据库连接超时"
    unhappy: list[dict[str, Any]] = field(default_factory=list)      # id, words, url
    review_due: list[dict[str, Any]] = field(default_factory=list)   # kb, title, review_by, url
    debt: list[dict[str, Any]] = field(default_factory=list)         # id, title, url
    growing: list[dict[str, Any]] = field(default_factory=list)      # kb, title, share, before, url


def show(value: Any, unit: str, language: str) -> str:
    """A metric value for people: 83.3%, 2.5 h, 12 (the site's statistics pages use it too)."""
    if value is None:
        return "—"
    if unit == "ratio":
        return percent(value)
    if unit == "hours":
        return f"{value:g} 小时" if language == "zh" else f"{value:g} h"
    if unit == "minutes":
        return f"{value:g} 分钟" if language == "zh" else f"{value:g} min"
    return str(value)


def _change(now: Any, before: Any, unit: str, zh: bool) -> str:
    if now is None or before is None:
        return ""
    diff = now - before
    if unit == "ratio":
        points = percent(abs(diff))[:-1]
        if points == "0.0":
            return "±0"
        return f"{'+' if diff > 0 else '-'}{points} {'个百分点' if zh else 'pp'}"
    if not diff:
        return "±0"
    return f"{diff:+d}" if isinstance(diff, int) else f"{diff:+.2f}".rstrip("0").rstrip(".")


def default_period(periods: list[dict[str, Any]], now: datetime) -> tuple[dict[str, Any] | None, bool]:
    """The default of `tsgen report`: the newest period that has ended by `now`, or, when none has
    (a new archive), the current one; with whether that period is still running."""
    done = [row for row in periods if datetime.fromisoformat(row["end_exclusive"]) <= now]
    if done:
        return done[-1], False
    return (periods[-1], True) if periods else (None, False)


def build_digest(periods: list[dict[str, Any]], key: str, kind: str, archive: Archive,
                 facts: dict[str, TicketFacts], *, today: date, url: Callable[[str], str | None],
                 partial: bool = False) -> Digest:
    """The digest of period `key` (one of `periods`, oldest first, as compute_periods returns them).

    `archive` is the published (masked) archive; `facts` are the tickets' facts by id; `url(docs_path)`
    gives the link of a page (`tickets/ID.md`, `kb/ID.md`) or None.
    """
    index = next(i for i, row in enumerate(periods) if row["period"] == key)
    row, prev = periods[index], (periods[index - 1] if index else None)
    zh = archive.config.language == "zh"
    d = Digest(key, kind, inclusive_dates(row, archive.config.language), archive.config.language, partial)
    for path, label_zh, label_en, unit, _ in HEADLINE:
        now, before = lookup(row, path), lookup(prev, path)
        d.numbers.append({"path": path, "label": label_zh if zh else label_en, "value": now, "before": before,
                          "shown": show(now, unit, d.language), "change": _change(now, before, unit, zh)})
    for p in PRIORITIES:
        if p not in row["sla"]:
            continue
        s = row["sla"][p]
        now, before = s["compliance"], lookup(prev, f"sla.{p}.compliance")
        d.numbers.append({"path": f"sla.{p}.compliance", "label": f"{p} SLA {s['target_minutes']} 分钟" if zh
                          else f"{p} SLA {s['target_minutes']} min", "value": now, "before": before,
                          "shown": f"{show(now, 'ratio', d.language)} ({s['met']}/{s['measured']})",
                          "change": _change(now, before, "ratio", zh)})

    def ticket_ref(tid: str) -> dict[str, Any]:
        t = archive.tickets[tid]
        return {"id": tid, "title": t.title, "priority": t.priority, "assignee": t.assignee or None,
                "url": url(f"tickets/{tid}.md")}

    for p in PRIORITIES:
        for tid in row["sla"].get(p, {}).get("breached", []):
            ref = ticket_ref(tid)
            f = facts.get(tid)
            late = None
            if f is not None and f.first_response_min is not None and f.sla_target is not None:
                late = round(f.first_response_min - f.sla_target, 2)
            ref["late"] = late                       # None: no response recorded
            d.breached.append(ref)
    d.violations = [ticket_ref(tid) for tid in row["escalation"]["violations"]]
    for prob in row["top_problems"][:TOP]:
        d.problems.append({**prob, "url": url(f"kb/{prob['kb']}.md")})
    for p, top in row["top_tags_by_priority"].items():
        if top:
            d.findings.append(f"{p}：{percent(top['share'], 0)} 为 {top['tag']}" if zh
                              else f"{p}: {percent(top['share'], 0)} are {top['tag']}")
    for tid in row["csat"]["dissatisfied_tickets"]:
        t = archive.tickets[tid]
        d.unhappy.append({"id": tid, "words": t.feedback or "", "url": url(f"tickets/{tid}.md")})
    for a in sorted(archive.articles.values(), key=lambda a: a.id):
        if a.review_by is not None and a.review_by < today and a.status != "retired":
            d.review_due.append({"kb": a.id, "title": a.title, "review_by": a.review_by.isoformat(),
                                 "url": url(f"kb/{a.id}.md")})
    d.debt = [{k: v for k, v in ticket_ref(tid).items() if k in ("id", "title", "url")}
              for tid in row["knowledge_debt_tickets"]]
    before_share = {p["kb"]: p["share"] or 0 for p in (prev or {}).get("top_problems", [])}
    grown = [(prob["share"] - before_share.get(prob["kb"], 0), prob) for prob in row["top_problems"]
             if prob["share"] is not None and prob["share"] > before_share.get(prob["kb"], 0)]
    for growth, prob in sorted(grown, key=lambda g: (-g[0], g[1]["kb"]))[:3]:
        d.growing.append({"kb": prob["kb"], "title": prob["title"], "share": prob["share"],
                          "before": before_share.get(prob["kb"], 0), "url": url(f"kb/{prob['kb']}.md")})
    return d


# --- writing it ---

_WORDS = {
    "month": ("月报", "Monthly review"), "week": ("周报", "Weekly review"),
    "numbers": ("核心指标", "Headline numbers"), "breached": ("超时未响应", "First response breached"),
    "violations": ("违反升级规则", "Escalation rule broken"), "problems": ("高频问题 Top 5", "Top 5 problems"),
    "findings": ("各优先级主要问题", "Dominant problem per priority"),
    "unhappy": ("不满意的客户原话", "Dissatisfied customers' words"), "act": ("待办", "To act on"),
    "review_due": ("待复审文章", "Articles due for review"), "debt": ("知识欠账工单", "Knowledge-debt tickets"),
    "growing": ("占比上升最多的问题", "Problems whose share grew most"), "none": ("无", "none"),
    "late": ("晚 {m} 分钟", "{m} min late"), "no response": ("无响应记录", "no response recorded"),
    "previous": ("较上期", "vs previous"), "tickets": ("张", "tickets"), "cumulative": ("累计", "cumulative"),
    "review by": ("复审日期", "review by"), "unassigned": ("未分配", "unassigned"),
}


def _w(key: str, zh: bool, **kw: Any) -> str:
    return _WORDS[key][0 if zh else 1].format(**kw)


Item = tuple[str, str, "str | None"]   # (anchor: the id the link is on, or "", the rest of the line, link)


def _sections(d: Digest) -> list[tuple[str, list[Item]]]:
    """(heading, [(anchor, rest, link or None)]) in order: what every format writes. A line whose
    rest starts with `**label**` shows the label in bold."""
    zh = d.language == "zh"
    sep = "：" if zh else ": "
    out: list[tuple[str, list[Item]]] = []
    nums = []
    for n in d.numbers:
        change = f"（{_w('previous', zh)} {n['change']}）" if zh and n["change"] else \
            (f" ({n['change']} {_w('previous', zh)})" if n["change"] else "")
        nums.append(("", f"**{n['label']}**{sep}{n['shown']}{change}", None))
    out.append((_w("numbers", zh), nums))

    def ref(r: dict[str, Any], extra: str = "") -> Item:
        return (r["id"], f" {r['title']}{extra}", r.get("url"))

    def lateness(r: dict[str, Any]) -> str:
        late = _w("late", zh, m=f"{r['late']:g}") if r["late"] is not None else _w("no response", zh)
        return f" · {r['priority']} · {late} · {r['assignee'] or _w('unassigned', zh)}"

    if d.breached:
        out.append((_w("breached", zh), [ref(r, lateness(r)) for r in d.breached]))
    if d.violations:
        out.append((_w("violations", zh), [ref(r, f" · {r['assignee'] or _w('unassigned', zh)}")
                                           for r in d.violations]))
    if d.problems:
        comma = "，" if zh else ", "
        out.append((_w("problems", zh), [(p["kb"], f" {p['title']}{sep}{p['tickets']} {_w('tickets', zh)}{comma}"
                                          f"{percent(p['share'])}{comma}{_w('cumulative', zh)} {percent(p['cumulative'])}",
                                          p["url"]) for p in d.problems]))
    if d.findings:
        out.append((_w("findings", zh), [("", f, None) for f in d.findings]))
    if d.unhappy:
        out.append((_w("unhappy", zh), [(u["id"], f"{sep}“{u['words'] or '—'}”", u["url"]) for u in d.unhappy]))
    act: list[Item] = []
    act += [(a["kb"], f" {a['title']} · {_w('review_due', zh)} ({_w('review by', zh)} {a['review_by']})", a["url"])
            for a in d.review_due]
    act += [(t["id"], f" {t['title']} · {_w('debt', zh)}", t["url"]) for t in d.debt]
    act += [(g["kb"], f" {g['title']} · {_w('growing', zh)} {percent(g['before'])} → {percent(g['share'])}", g["url"])
            for g in d.growing]
    out.append((_w("act", zh), act or [("", _w("none", zh), None)]))
    return out


def _title(d: Digest) -> str:
    zh = d.language == "zh"
    so_far = ("，截至目前" if zh else ", so far") if d.partial else ""
    return f"{_w(d.kind, zh)} {d.period}（{d.dates}{so_far}）" if zh else f"{_w(d.kind, zh)} {d.period} ({d.dates}{so_far})"


def _md_text(text: str) -> str:
    """Text for a chat's Markdown: the characters that would start markup are backslash-escaped."""
    return "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in text)


_MD_SPECIAL = frozenset("\\`*_[]<>#|~")


def _bold(rest: str) -> tuple[str, str]:
    """(bold label, text after it) of a rest that starts with `**label**`, else ("", rest)."""
    if rest.startswith("**") and "**" in rest[2:]:
        label, after = rest[2:].split("**", 1)
        return label, after
    return "", rest


def format_markdown(d: Digest) -> str:
    """Markdown for DingTalk / WeCom / e-mail: headings, bold, links and lists only."""
    lines = [f"### {_md_text(_title(d))}", ""]
    for heading, items in _sections(d):
        lines += [f"#### {_md_text(heading)}", ""]
        for anchor, rest, link in items:
            label, after = _bold(rest)
            text = (f"**{_md_text(label)}**" if label else "") + _md_text(after)
            if anchor:
                anchor = f"[{_md_text(anchor)}]({link})" if link and _safe_url(link) else _md_text(anchor)
            lines.append(f"- {anchor}{text}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def format_text(d: Digest) -> str:
    """Plain text: the same lines without markup, links in parentheses."""
    lines = [_title(d), ""]
    for heading, items in _sections(d):
        lines.append(heading)
        for anchor, rest, link in items:
            label, after = _bold(rest)
            lines.append(f"  - {anchor}{label}{after}" + (f" ({link})" if link else ""))
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def format_html(d: Digest) -> str:
    """An HTML fragment for e-mail: every text escaped, links only to http(s) or relative pages."""
    parts = [f"<h3>{html.escape(_title(d))}</h3>"]
    for heading, items in _sections(d):
        parts.append(f"<h4>{html.escape(heading)}</h4>\n<ul>")
        for anchor, rest, link in items:
            label, after = _bold(rest)
            body = (f"<strong>{html.escape(label)}</strong>" if label else "") + html.escape(after)
            if anchor:
                a = html.escape(anchor)
                anchor = f'<a href="{html.escape(link, quote=True)}">{a}</a>' if link and _safe_url(link) else a
            parts.append(f"<li>{anchor}{body}</li>")
        parts.append("</ul>")
    return "\n".join(parts) + "\n"


def _safe_url(link: str) -> bool:
    return link.startswith(("https://", "http://")) or not (":" in link.split("/", 1)[0])


FORMATS: dict[str, Callable[[Digest], str]] = {"md": format_markdown, "text": format_text, "html": format_html}
