"""Statistics: a linked Archive -> plain dicts of numbers per period (data contract section 5).

Pure functions: no printing, no click, no disk. `compute_periods` gives one dict per ISO week or
month, `compute_total` the same dict over the whole archive (the site's overview).

Definitions that the contract leaves open, decided here (the README repeats them):

- Every duration (first response, resolution, SLA, escalation) uses `clock.minutes_between`:
  wall-clock minutes, or business minutes when `business_hours` is configured.
- Only a ticket with `status: resolved` counts as resolved, at its `resolved` time. A pending or
  awaiting-customer ticket is open, even if it carries a `resolved` time (e.g. reopened); this
  holds for `resolved`, `resolution_hours`, `knowledge_debt`, `kb_link_rate` and `backlog_end`.
- "Links a KB article" means either direction: the ticket's `kb` or the article's `tickets`
  (`archive.ticket_kb`).
- Repeats: "created earlier" orders tickets by (created, id), the order link.py uses for
  `duplicate_of`; two tickets created at the same minute are ordered by id.
- `top_problems.cumulative` is the share of the period's tickets linking at least one of the
  articles listed so far (a ticket linking two listed articles counts once, so it never passes 1).
  The list holds the `top` most linked articles (default 10, None for all).
- `top_tags_by_priority` counts a tag once per ticket; ties go to the alphabetically first tag;
  a priority without tagged tickets maps to None.
- Rounding: hours and minutes to 2 decimals; ratios (compliance, rates, shares, score) are not
  rounded at all, so a percentage made from one is rounded once, correctly (14/17 is 82.4%, not
  the 82.3% that a ratio already rounded to 0.8235 gives). Medians and p90 are computed on exact
  values and rounded last. Ratios are None when their denominator is 0.
- `since`/`until` (dates in the configured timezone, both inclusive) select the periods that
  overlap them; each selected period is always reported whole, so numbers stay comparable.
  The range never extends past the first and last ticket's periods.
- `start`/`end_exclusive` are ISO datetimes in the configured timezone (the end is the start of
  the next period); `last_day` is the period's last calendar day, for people.
- Workload (`workload`): per person, over the period's tickets: `handled` (tickets whose
  `assignee` they are), `resolved` and `resolution_hours_median` of those, `sla_breaches` (of
  those, tickets with a target not answered in time), `escalations_received` (tickets whose
  `escalated_to` they are). Tickets without an assignee count under `null`.
- Backlog ageing (`backlog_ageing`): the tickets open at the period's end (as `backlog_end`),
  by age at that moment (wall clock): `lt_24h` [0, 24 h), `h24_72` [24 h, 72 h), `d3_7`
  [3 days, 7 days), `gt_7d` 7 days or more; overall and per priority. For a period that has not
  ended yet, ages are measured now.
- Knowledge reuse (`kcs`), over the period's resolved tickets that link a KB article: `known`
  when one of its articles was already linked by an earlier ticket (reuse of an existing
  article), else `new` (the first ticket an article was linked to: the article was written for
  it); `reuse_rate = known / (known + new)`; `articles_first_linked` counts the articles whose
  first linking ticket falls in the period (articles put to use, the archive's own record of a
  new article; git dates are not used so the numbers do not depend on the clone).
- For `compute_total` (period "all"), `start`/`end` are the first and last `created`, and
  `backlog_end` is the number of tickets open now.
"""

from __future__ import annotations

import heapq
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Iterable

from tsgen import heap
from tsgen.archive.clock import minutes_between, next_period, period_bounds, period_key
from tsgen.config import PRIORITIES, Config
from tsgen.archive.model import Archive, Ticket
from tsgen.archive.schema import CHANNELS, TICKET_TYPES
from tsgen.archive.sla import BREACHED, Sla, sla_of
from tsgen.archive.validate import escalation_broken

PERIODS = ("week", "month")
TYPES = tuple(c.value for c in TICKET_TYPES)
CHANNEL_VALUES = tuple(c.value for c in CHANNELS)
NO_CHANNEL = "none"


@dataclass(frozen=True, slots=True)
class TicketFacts:
    """Everything the metrics need from one ticket, derived once."""

    ticket: Ticket
    created_ts: float
    resolved_ts: float | None          # only for status resolved
    first_response_min: float | None
    resolution_h: float | None
    kbs: tuple[str, ...]
    repeat: bool
    sla_target: int | None
    sla_met: bool | None               # None when the priority has no target or it is not decided yet
    escalation_broken: bool
    sla: Sla                           # archive/sla.py: first response and state (met, breached, waiting, none)
    new_kbs: tuple[str, ...] = ()      # articles this ticket is the first (oldest) to link


def ticket_facts(archive: Archive, now: datetime | None = None) -> list[TicketFacts]:
    """Derive every ticket's facts in one pass, oldest first (by created, then id).

    `now` (default: the current time) decides whether an unanswered ticket's target has passed.
    """
    with heap.paused():
        return _derive(archive, now or datetime.now(archive.config.tz))


def _derive(archive: Archive, now: datetime) -> list[TicketFacts]:
    config = archive.config
    seen_kb: set[str] = set()
    out: list[TicketFacts] = []
    for t in archive.tickets_sorted():
        kbs = tuple(archive.ticket_kb.get(t.id, t.kb))
        repeat = bool(t.duplicate_of) or any(k in seen_kb for k in kbs)
        new_kbs = tuple(k for k in kbs if k not in seen_kb)
        seen_kb.update(kbs)
        sla = sla_of(t, config, now)
        resolved = t.resolved if t.status == "resolved" else None
        res_h = minutes_between(t.created, resolved, config) / 60 if resolved is not None else None
        met = sla.state == "met" if sla.decided else None
        out.append(TicketFacts(t, t.created.timestamp(), resolved.timestamp() if resolved is not None else None,
                               sla.minutes, res_h, kbs, repeat, sla.target, met, escalation_broken(t, config, now),
                               sla, new_kbs))
    return out


def median(values: list[float]) -> float | None:
    """The middle of sorted `values`; the mean of the two middle ones for an even count; None if empty."""
    n = len(values)
    if not n:
        return None
    mid = n // 2
    return values[mid] if n % 2 else (values[mid - 1] + values[mid]) / 2


def p90(values: list[float]) -> float | None:
    """Nearest rank: the ceil(0.9 n)-th smallest of sorted `values` (integer arithmetic, no float slop)."""
    n = len(values)
    return values[(9 * n + 9) // 10 - 1] if n else None


def ratio(part: int, whole: int) -> float | None:
    """part / whole, unrounded (formats round it once); None when whole is 0."""
    return part / whole if whole else None


def _r2(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _spread(values: Iterable[float]) -> dict[str, Any]:
    ordered = sorted(values)
    return {"median": _r2(median(ordered)), "p90": _r2(p90(ordered)), "count": len(ordered)}


def _ids(facts: Iterable[TicketFacts]) -> list[str]:
    return [f.ticket.id for f in facts]   # facts are already oldest first


def _top_problems(group: list[TicketFacts], archive: Archive, top: int | None) -> list[dict[str, Any]]:
    linking: dict[str, list[int]] = {}
    for i, f in enumerate(group):
        for k in f.kbs:
            linking.setdefault(k, []).append(i)
    ranked = sorted(linking.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    if top is not None:
        ranked = ranked[:top]
    covered: set[int] = set()
    rows = []
    for kb, members in ranked:
        covered.update(members)
        article = archive.articles.get(kb)
        rows.append({"kb": kb, "title": article.title if article else kb, "tickets": len(members),
                     "share": ratio(len(members), len(group)), "cumulative": ratio(len(covered), len(group))})
    return rows


def _top_tags(group: list[TicketFacts]) -> dict[str, dict[str, Any] | None]:
    out: dict[str, dict[str, Any] | None] = {}
    for p in PRIORITIES:
        members = [f.ticket for f in group if f.ticket.priority == p]
        counts = Counter(tag for t in members for tag in set(t.tags))
        if not counts:
            out[p] = None
            continue
        tag, n = min(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        out[p] = {"tag": tag, "tickets": n, "share": ratio(n, len(members))}
    return out


def _sla(group: list[TicketFacts], config: Config) -> dict[str, Any]:
    out: dict[str, Any] = {}
    measured = met = 0
    for p in PRIORITIES:
        target = config.sla_minutes.get(p)
        if target is None:
            continue
        members = [f for f in group if f.ticket.priority == p]
        decided = [f for f in members if f.sla.decided]  # an unanswered ticket inside its target: not yet
        ok = sum(1 for f in decided if f.sla_met)
        out[p] = {"target_minutes": target, "measured": len(decided), "met": ok,
                  "compliance": ratio(ok, len(decided)),
                  "breached": _ids(f for f in decided if f.sla.state == BREACHED),
                  "not_responded": _ids(f for f in members if not f.sla.responded),
                  "waiting": len(members) - len(decided)}
        measured, met = measured + len(decided), met + ok
    out["overall"] = {"measured": measured, "met": met, "compliance": ratio(met, measured)}
    return out


def _metrics(group: list[TicketFacts], archive: Archive, top: int | None) -> dict[str, Any]:
    """Every metric of section 5 over one group of tickets (oldest first), except backlog_end."""
    n = len(group)
    tickets = [f.ticket for f in group]
    resolved = [f for f in group if f.resolution_h is not None]
    by_channel = dict.fromkeys(CHANNEL_VALUES, 0)
    for t in tickets:
        key = t.channel or NO_CHANNEL
        by_channel[key] = by_channel.get(key, 0) + 1
    by_type = dict.fromkeys(TYPES, 0)
    by_priority = dict.fromkeys(PRIORITIES, 0)
    for t in tickets:
        by_type[t.type] += 1
        by_priority[t.priority] += 1

    resolution = _spread(f.resolution_h for f in resolved)
    resolution["by_priority"] = {p: _spread(f.resolution_h for f in resolved if f.ticket.priority == p)
                                 for p in PRIORITIES}
    escalated = sum(1 for t in tickets if t.escalated_to)
    violations = _ids(f for f in group if f.escalation_broken)
    repeats = sum(1 for f in group if f.repeat)
    rated = Counter(t.satisfaction for t in tickets if t.satisfaction)
    n_rated = sum(rated.values())
    debt = _ids(f for f in resolved if f.ticket.type == "fault" and not f.kbs)
    linked = sum(1 for f in resolved if f.kbs)
    return {
        "tickets": n,
        "by_type": by_type,
        "by_priority": by_priority,
        "by_channel": by_channel,
        "resolved": len(resolved),
        "resolution_hours": resolution,
        "first_response_minutes": _spread(f.first_response_min for f in group if f.first_response_min is not None),
        "sla": _sla(group, archive.config),
        "escalation": {"escalated": escalated, "rate": ratio(escalated, n),
                       "rule_violations": len(violations), "violations": violations},
        "repeats": repeats,
        "repeat_rate": ratio(repeats, n),
        "top_problems": _top_problems(group, archive, top),
        "top_tags_by_priority": _top_tags(group),
        "csat": {"rated": n_rated, "satisfied": rated["satisfied"], "neutral": rated["neutral"],
                 "dissatisfied": rated["dissatisfied"], "score": ratio(rated["satisfied"], n_rated),
                 "dissatisfied_tickets": _ids(f for f in group if f.ticket.satisfaction == "dissatisfied")},
        "knowledge_debt": len(debt),
        "knowledge_debt_tickets": debt,
        "kb_link_rate": ratio(linked, len(resolved)),
        "kcs": _kcs(resolved, group),
        "workload": _workload(group),
    }


def _kcs(resolved: list[TicketFacts], group: list[TicketFacts]) -> dict[str, Any]:
    linking = [f for f in resolved if f.kbs]
    new = sum(1 for f in linking if len(f.new_kbs) == len(f.kbs))
    known = len(linking) - new
    return {"known": known, "new": new, "reuse_rate": ratio(known, known + new),
            "articles_first_linked": sum(len(f.new_kbs) for f in group)}


def _workload(group: list[TicketFacts]) -> list[dict[str, Any]]:
    people: dict[str | None, list[TicketFacts]] = {}
    received: Counter[str] = Counter()
    for f in group:
        people.setdefault(f.ticket.assignee or None, []).append(f)
        if f.ticket.escalated_to:
            received[f.ticket.escalated_to] += 1
    for name in received:
        people.setdefault(name, [])
    rows = []
    for name, members in people.items():
        done = sorted(f.resolution_h for f in members if f.resolution_h is not None)
        rows.append({"assignee": name, "handled": len(members), "resolved": len(done),
                     "resolution_hours_median": _r2(median(done)),
                     "sla_breaches": sum(1 for f in members if f.sla_met is False),
                     "escalations_received": received[name] if name else 0})
    return sorted(rows, key=lambda r: (-r["handled"], -r["escalations_received"], r["assignee"] is None,
                                       r["assignee"] or ""))


AGE_BUCKETS = (("lt_24h", 24.0), ("h24_72", 72.0), ("d3_7", 168.0), ("gt_7d", float("inf")))


def _ageing(open_facts: Iterable[TicketFacts], end_ts: float) -> dict[str, Any]:
    """Open tickets at `end_ts` by age bucket, overall and per priority."""
    total = dict.fromkeys((b for b, _ in AGE_BUCKETS), 0)
    by_priority = {p: dict(total) for p in PRIORITIES}
    for f in open_facts:
        age_h = (end_ts - f.created_ts) / 3600
        bucket = next(b for b, limit in AGE_BUCKETS if age_h < limit)
        total[bucket] += 1
        by_priority[f.ticket.priority][bucket] += 1
    return {**total, "by_priority": by_priority}


def compute_periods(archive: Archive, period: str = "month", since: date | None = None,
                    until: date | None = None, *, top: int | None = 10,
                    facts: list[TicketFacts] | None = None, now: datetime | None = None) -> list[dict[str, Any]]:
    """One metrics dict per ISO week or month, oldest first, empty periods included (section 5).

    `now` (default: the current time) is when an unanswered ticket's SLA is judged (archive/sla.py),
    and when the backlog of a period still running is aged (a period that has ended is aged at its end).
    """
    if period not in PERIODS:
        raise ValueError(f"period must be one of {', '.join(PERIODS)}, got {period!r}")
    facts = ticket_facts(archive, now) if facts is None else facts  # callers making several reports derive them once
    if not facts:
        return []
    tz = archive.config.tz

    def starts(key: str) -> datetime:
        return period_bounds(key, tz)[0]

    buckets: dict[str, list[TicketFacts]] = {}
    for f in facts:
        buckets.setdefault(period_key(f.ticket.created, period, tz), []).append(f)
    first = period_key(facts[0].ticket.created, period, tz)
    last = period_key(facts[-1].ticket.created, period, tz)
    if since is not None:  # period keys are compared by their start, never as strings
        first = max(first, period_key(datetime.combine(since, time(0), tz), period, tz), key=starts)
    if until is not None:
        last = min(last, period_key(datetime.combine(until, time(0), tz), period, tz), key=starts)

    # A sweep over the periods keeps the tickets open at each period's end: tickets are added as
    # their creation passes and dropped once their resolution has passed (one heap pop each), so
    # the ageing costs O(tickets log tickets + periods x open tickets), not periods x tickets.
    now_ts = (now or datetime.now(tz)).timestamp()
    open_now: dict[int, TicketFacts] = {}
    closing: list[tuple[float, int]] = []
    added = 0
    out: list[dict[str, Any]] = []
    key = first
    stop = starts(last)
    while starts(key) <= stop:
        start, end = period_bounds(key, tz)
        end_ts = end.timestamp()
        while added < len(facts) and facts[added].created_ts < end_ts:
            f = facts[added]
            open_now[added] = f
            if f.resolved_ts is not None:
                heapq.heappush(closing, (f.resolved_ts, added))
            added += 1
        while closing and closing[0][0] < end_ts:
            open_now.pop(heapq.heappop(closing)[1], None)
        row: dict[str, Any] = {"period": key, "start": start.isoformat(), "end_exclusive": end.isoformat(),
                               "last_day": (end - timedelta(days=1)).date().isoformat()}
        row.update(_metrics(buckets.get(key, []), archive, top))
        # open at the end: created before it and not resolved before it (resolved >= created always)
        row["backlog_end"] = len(open_now)
        row["backlog_ageing"] = _ageing(open_now.values(), min(end_ts, now_ts))  # a running period: ages now
        out.append(row)
        key = next_period(key, tz)
    return out


DEFAULT_WINDOW = {"month": 12, "week": 13}  # what `tsgen stats` shows without --since or --all


def window_start(periods: list[dict[str, Any]], period: str, count: int | None = None) -> date | None:
    """The first day of the `count` periods (default DEFAULT_WINDOW) that end with the newest period
    holding tickets: the default range of `tsgen stats`. None when there are no periods."""
    with_tickets = [row for row in periods if row["tickets"]]
    if not with_tickets:
        return None
    n = (count or DEFAULT_WINDOW[period]) - 1
    last = datetime.fromisoformat(with_tickets[-1]["start"]).date()
    if period == "week":
        return last - timedelta(weeks=n)
    months = last.year * 12 + last.month - 1 - n
    return date(months // 12, months % 12 + 1, 1)


def trim_empty(periods: list[dict[str, Any]], since: date | None = None) -> list[dict[str, Any]]:
    """The periods from `since` on, without the empty ones before the first and after the last period
    that has tickets (the empty ones between them stay: a quiet week is news)."""
    rows = [row for row in periods
            if since is None or datetime.fromisoformat(row["end_exclusive"]).date() > since]
    busy = [i for i, row in enumerate(rows) if row["tickets"]]
    return rows[busy[0]:busy[-1] + 1] if busy else []


def compute_total(archive: Archive, *, top: int | None = 10,
                  facts: list[TicketFacts] | None = None, now: datetime | None = None) -> dict[str, Any]:
    """The same metrics over every ticket (period "all"); backlog_end is the number open now, and
    their ageing is measured `now` (default: the current time)."""
    facts = ticket_facts(archive, now) if facts is None else facts
    tz = archive.config.tz
    row: dict[str, Any] = {
        "period": "all",
        "start": facts[0].ticket.created.astimezone(tz).isoformat() if facts else None,
        "end": facts[-1].ticket.created.astimezone(tz).isoformat() if facts else None,
    }
    row.update(_metrics(facts, archive, top))
    row["backlog_end"] = sum(1 for f in facts if f.resolved_ts is None)
    now_ts = (now or datetime.now(tz)).timestamp()
    row["backlog_ageing"] = _ageing((f for f in facts if f.resolved_ts is None), now_ts)
    return row

