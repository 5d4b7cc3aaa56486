"""Statistics pages: the overview, one report per month and per ISO week, from metrics.compute_periods.

The numbers are exactly those of `tsgen stats --format json`: every headline value is printed
with `data-metric`/`data-value` attributes holding the JSON value, and a test compares the two.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tsgen.stats import metrics
from tsgen.stats.digest import Digest, build_digest, format_markdown, lookup, show
from tsgen.stats.formats import percent
from tsgen.site.render import page_url, url_between
from tsgen.site.charts import Chart, Series, render_svg
from tsgen.config import PRIORITIES
from tsgen.archive.model import Archive


@dataclass(frozen=True)
class Metric:
    """A headline number: where it is in the metrics dict, how to show it, and what it means."""

    path: str
    zh: str
    en: str
    unit: str              # count | ratio | hours | minutes
    better: str            # up | down | none: which change is good news
    define_zh: str
    define_en: str


HEADLINE: tuple[Metric, ...] = (
    Metric("tickets", "工单数", "Tickets", "count", "none",
           "本期创建（接收时间落在本期内）的工单数", "Tickets whose `created` falls in the period"),
    Metric("resolved", "已解决", "Resolved", "count", "up",
           "本期创建且处理结果为“已解决”的工单数", "Tickets of the period with status resolved"),
    Metric("resolution_hours.median", "解决时长中位数", "Resolution time, median", "hours", "down",
           "已解决工单 解决时间 − 接收时间 的中位数（小时；偶数个取中间两个的平均）",
           "Median of resolved − created over resolved tickets, in hours (even count: mean of the middle two)"),
    Metric("resolution_hours.p90", "解决时长 P90", "Resolution time, p90", "hours", "down",
           "90% 的工单在此时长内解决（最近秩：第 ⌈0.9n⌉ 小的值）",
           "Nearest rank: the ceil(0.9·n)-th smallest resolution time"),
    Metric("first_response_minutes.median", "首次响应中位数", "First response, median", "minutes", "down",
           "首次响应时间（无则取晚于接收时间的最早处理步骤）− 接收时间 的中位数（分钟）",
           "Median of first response (responded, else the earliest log step after created) − created, in minutes"),
    Metric("sla.overall.compliance", "SLA 达标率", "SLA compliance", "ratio", "up",
           "有响应时限的工单（默认 P0 15 分钟、P1 30 分钟）中按时首次响应的比例；超过时限仍无响应记录视为超时，尚在时限内的未响应工单不计入",
           "Share of tickets with a target (P0 15 min, P1 30 min by default) answered in time; no response once the target has passed counts as breached, an unanswered ticket still inside its target is not counted yet"),
    Metric("escalation.rate", "升级率", "Escalation rate", "ratio", "none",
           "填写了“升级至”的工单占本期工单的比例", "Tickets with escalated_to divided by the period's tickets"),
    Metric("escalation.rule_violations", "违反升级规则", "Escalation rule broken", "count", "down",
           "P1 工单 30 分钟内未定位原因却未升级的数量", "P1 tickets not located within 30 minutes and not escalated"),
    Metric("repeat_rate", "重复问题率", "Repeat rate", "ratio", "down",
           "重复工单（标记 duplicate_of，或关联了更早工单也关联过的知识库文章）占本期工单的比例",
           "Repeats (duplicate_of, or linking a KB article an earlier ticket links) divided by tickets"),
    Metric("csat.score", "满意率", "CSAT", "ratio", "up",
           "评价为“满意”的工单占已评价工单的比例", "Satisfied divided by rated tickets"),
    Metric("kb_link_rate", "知识库关联率", "KB link rate", "ratio", "up",
           "已解决工单中关联至少一篇知识库文章的比例（KCS link rate，健康团队 60–80%）",
           "Resolved tickets linking at least one KB article, divided by resolved (healthy teams: 60–80%)"),
    Metric("knowledge_debt", "知识欠账", "Knowledge debt", "count", "down",
           "本期已解决、却未关联知识库文章的故障工单数", "Resolved fault tickets of the period that link no KB article"),
    Metric("backlog_end", "期末积压", "Backlog at period end", "count", "down",
           "截至期末已创建、但当时尚未解决的工单数", "Tickets created by the end of the period and not resolved by then"),
)


AGE_NAMES = {"lt_24h": ("< 24 小时", "< 24 h"), "h24_72": ("24–72 小时", "24–72 h"),
             "d3_7": ("3–7 天", "3–7 days"), "gt_7d": ("> 7 天", "> 7 days")}
RATE_NAMES = {"sla.overall.compliance": ("SLA 达标率", "SLA compliance", "s2"),
              "repeat_rate": ("重复问题率", "Repeat rate", "s4"),
              "kb_link_rate": ("知识库关联率", "KB link rate", "s1")}


def delta(now: Any, before: Any, metric: Metric, lang: str) -> tuple[str, str]:
    """(text, css class) of the change from the previous period."""
    if now is None or before is None:
        return "—", ""
    diff = now - before
    if diff == 0:
        return "±0", ""
    if metric.unit == "ratio":
        points = ("+" if diff > 0 else "-") + percent(abs(diff))[:-1]
        text = f"{points} pp" if lang == "en" else f"{points} 个百分点"
    elif metric.unit in ("hours", "minutes"):
        text = f"{diff:+.2f}".rstrip("0").rstrip(".")
    else:
        text = f"{diff:+d}" if isinstance(diff, int) else f"{diff:+g}"
    good = (diff > 0) == (metric.better == "up")
    css = "" if metric.better == "none" else ("tsgen-delta-up" if good else "tsgen-delta-down")
    return text, css


def digest_of(archive: Archive, periods: list[dict[str, Any]], key: str, kind: str,
              facts: dict[str, metrics.TicketFacts], *, today: Any, link: Any, partial: bool = False) -> Digest:
    """The review digest of one period from the published (masked) archive; `link(docs_path)` makes
    the URL of a page (relative on the site, under site_url for `tsgen report`)."""
    return build_digest(periods, key, kind, archive, facts, today=today, url=link, partial=partial)


def site_link(site_url: str, directory_urls: bool) -> Any:
    """`link(docs_path)` for `tsgen report`: the page's absolute URL under site_url, or None without it."""
    if not site_url:
        return lambda path: None
    base = site_url.rstrip("/") + "/"
    return lambda path: base + page_url(path, directory_urls)


class StatsPages:
    """Renders the statistics section through a SiteRenderer (for templates, labels and links)."""

    def __init__(self, renderer: Any, archive: Archive) -> None:
        self.r, self.archive = renderer, archive
        self.lang = archive.config.language
        facts = list(renderer.facts.values())  # derived once by the renderer, oldest first
        self.months = metrics.compute_periods(archive, "month", facts=facts)
        self.weeks = metrics.compute_periods(archive, "week", facts=facts)
        self.total = metrics.compute_total(archive, facts=facts)

    def _headline(self, row: dict[str, Any], prev: dict[str, Any] | None) -> list[dict[str, Any]]:
        out = []
        for m in HEADLINE:
            now = lookup(row, m.path)
            before = lookup(prev, m.path) if prev else None
            text, css = delta(now, before, m, self.lang)
            out.append({"path": m.path, "label": m.zh if self.lang == "zh" else m.en,
                        "define": m.define_zh if self.lang == "zh" else m.define_en,
                        "value": now, "shown": show(now, m.unit, self.lang),
                        "before": show(before, m.unit, self.lang) if prev else "—",
                        "delta": text, "css": css})
        return out

    def _pareto(self, row: dict[str, Any], cid: str) -> str:
        top = row["top_problems"]
        if not top:
            return ""
        zh = self.lang == "zh"
        chart = Chart(
            title=("问题帕累托图：" if zh else "Pareto of problems: ") + row["period"],
            desc="; ".join(f"{p['kb']} {p['title']}: {p['tickets']} ({percent(p['share'] or 0, 0)}, "
                           f"{'累计' if zh else 'cumulative'} {percent(p['cumulative'] or 0, 0)})" for p in top),
            categories=[p["kb"] for p in top],
            series=[Series("工单数" if zh else "Tickets", [p["tickets"] for p in top], "bar", css="s1"),
                    Series("累计占比" if zh else "Cumulative share", [p["cumulative"] for p in top], "line",
                           percent=True, css="s3")])
        return render_svg(self.r.env, chart, cid)

    def _trend(self, rows: list[dict[str, Any]], cid: str) -> tuple[str, str]:
        zh = self.lang == "zh"
        cats = [r["period"] for r in rows]
        volume = Chart(
            title="工单量与期末积压" if zh else "Tickets and backlog",
            desc="; ".join(f"{r['period']}: {r['tickets']} / {r['resolved']} / {r['backlog_end']}" for r in rows),
            categories=cats,
            series=[Series("新建工单" if zh else "Created", [r["tickets"] for r in rows], "bar", css="s1"),
                    Series("已解决" if zh else "Resolved", [r["resolved"] for r in rows], "bar", css="s2"),
                    Series("期末积压" if zh else "Backlog at end", [r["backlog_end"] for r in rows], "line", css="s3")])
        least = self.archive.config.chart_min_sample

        def rate(path: str, denominator: str) -> Series:
            """A ratio per period, left out (shown as "too few") when fewer than `least` tickets count."""
            few = [(lookup(r, denominator) or 0) < least for r in rows]
            values = [None if f else lookup(r, path) for r, f in zip(rows, few)]
            return Series(RATE_NAMES[path][0 if zh else 1], values, "line", percent=True, css=RATE_NAMES[path][2],
                          too_few=few)

        few_label = f"样本不足（少于 {least} 张）" if zh else f"too few (under {least} tickets)"
        rates = Chart(
            title="SLA 达标率、重复问题率、知识库关联率" if zh else "SLA compliance, repeat rate, KB link rate",
            desc="; ".join(f"{r['period']}: SLA {show(lookup(r, 'sla.overall.compliance'), 'ratio', self.lang)}, "
                           f"{show(r['repeat_rate'], 'ratio', self.lang)}, {show(r['kb_link_rate'], 'ratio', self.lang)}"
                           for r in rows) + (f" ({few_label}: ×)" if rows else ""),
            categories=cats,
            series=[rate("sla.overall.compliance", "sla.overall.measured"), rate("repeat_rate", "tickets"),
                    rate("kb_link_rate", "resolved")],
            too_few_label=few_label)
        return render_svg(self.r.env, volume, f"{cid}-v"), render_svg(self.r.env, rates, f"{cid}-r")

    def _ticket_refs(self, ids: list[str]) -> list[dict[str, Any]]:
        return [self.r.row(self.archive.tickets[i]) for i in ids if i in self.archive.tickets]

    def _report(self, kind: str, rows: list[dict[str, Any]]) -> None:
        for i, row in enumerate(rows):
            prev = rows[i - 1] if i else None
            path = f"stats/{kind}/{row['period']}.md"
            tags = [(p, v) for p, v in row["top_tags_by_priority"].items() if v]
            digest = digest_of(self.archive, rows, row["period"], kind, self.r.facts, today=self.r.today,
                               link=lambda target, page=path: url_between(target, page, self.r.directory_urls))
            self.r._page(path, "site/stats-report.md.j2", row=row, kind=kind, prev=prev,
                         digest=format_markdown(digest), ageing_labels=AGE_NAMES,
                         next=rows[i + 1] if i + 1 < len(rows) else None,
                         headline=self._headline(row, prev), pareto=self._pareto(row, f"p-{row['period']}"),
                         sla=[(p, row["sla"][p], self._ticket_refs(row["sla"][p]["breached"]),
                               self._ticket_refs(row["sla"][p]["not_responded"]))
                              for p in PRIORITIES if p in row["sla"]],
                         violations=self._ticket_refs(row["escalation"]["violations"]),
                         dissatisfied=[(self.r.row(self.archive.tickets[t]), self.archive.tickets[t].feedback)
                                       for t in row["csat"]["dissatisfied_tickets"] if t in self.archive.tickets],
                         debt=self._ticket_refs(row["knowledge_debt_tickets"]), tags=tags,
                         priorities=PRIORITIES)

    def render(self) -> list[Any]:
        """Write every statistics page; return the statistics part of the navigation."""
        zh = self.lang == "zh"
        self._report("month", self.months)
        self._report("week", self.weeks)
        volume, rates = self._trend(self.months, "trend-m")
        wvolume, wrates = self._trend(self.weeks[-26:], "trend-w")
        latest = self.months[-1] if self.months else None
        self.r._page("stats/index.md", "site/stats-index.md.j2", total=self.total, months=self.months,
                     weeks=self.weeks, volume=volume, rates=rates, wvolume=wvolume, wrates=wrates,
                     pareto=self._pareto(self.total, "p-all"), headline=self._headline(self.total, None),
                     latest=latest, metrics_defs=HEADLINE)
        self.r._page("stats/months.md", "site/stats-list.md.j2", kind="month", rows=list(reversed(self.months)))
        self.r._page("stats/weeks.md", "site/stats-list.md.j2", kind="week", rows=list(reversed(self.weeks)))
        return [{("概览" if zh else "Overview"): "stats/index.md"},
                {("月报" if zh else "Monthly reports"): "stats/months.md"},
                {("周报" if zh else "Weekly reports"): "stats/weeks.md"}]
