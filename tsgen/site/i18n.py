"""Words on the site that are not field labels, in the two site languages (zh default, en)."""

from __future__ import annotations

from datetime import date, datetime, tzinfo

STRINGS: dict[str, tuple[str, str]] = {
    "home": ("首页", "Home"),
    "kb": ("知识库", "Knowledge base"),
    "kb_all": ("全部文章", "All articles"),
    "kb_by_tag": ("文章标签", "Articles by tag"),
    "kb_review": ("待复审文章", "Articles due for review"),
    "tickets": ("工单", "Tickets"),
    "listings": ("工单列表", "Ticket listings"),
    "by_type": ("按问题类型", "By type"),
    "by_priority": ("按优先级", "By priority"),
    "by_status": ("按处理结果", "By status"),
    "by_month": ("按月归档", "By month"),
    "by_tag": ("按标签", "By tag"),
    "debt": ("待写知识库（知识欠账）", "Knowledge debt"),
    "stats": ("统计", "Statistics"),
    "recent": ("最近工单", "Recent tickets"),
    "open": ("未解决工单", "Open tickets"),
    "most_used": ("最常用的知识库文章", "Most-used KB articles"),
    "archive_holds": ("本知识库收录", "This archive holds"),
    "n_tickets": ("张工单", "tickets"),
    "n_articles": ("篇知识库文章", "KB articles"),
    "uses": ("引用次数", "Linked by"),
    "none": ("无", "none"),
    "sla_met": ("按时响应", "On time"),
    "sla_breached": ("响应超时", "Breached"),
    "sla_none": ("无时限要求", "No target"),
    "sla_waiting": ("尚未响应（未超时）", "Not yet responded (within target)"),
    "sla_unanswered": ("未响应，已超时", "Not responded: breached"),
    "not_responded": ("未响应", "Not responded"),
    "sla_target": ("目标", "target"),
    "minutes": ("分钟", "min"),
    "hours": ("小时", "h"),
    "timeline": ("处理时间线", "Timeline"),
    "time": ("时间", "Time"),
    "operator": ("操作人", "By"),
    "action": ("操作", "Action"),
    "record": ("工单记录", "Record"),
    "search": ("搜索", "Search"),
    "search_placeholder": ("报错信息、现象、工单编号……", "Error message, symptom, ticket id ..."),
    "search_any": ("全部", "Any"),
    "search_sort": ("排序", "Sort"),
    "search_filters": ("筛选与排序（类别、类型、优先级、状态、标签、版本、时间）", "Filter and sort (kind, type, priority, status, tag, version, date)"),
    "search_relevance": ("相关度", "Relevance"),
    "search_newest": ("最新优先", "Newest first"),
    "search_more": ("更多结果", "More results"),
    "search_noscript": ("搜索需要启用 JavaScript。", "Search needs JavaScript."),
    "search_kind": ("类别", "Kind"),
    "search_year": ("年份", "Year"),
    "search_month": ("月份", "Month"),
    "search_version": ("产品版本", "Version"),
    "search_results": ("条结果", "results"),
    "search_none": ("没有找到结果", "No results"),
    "search_partial": ("以下结果只包含部分搜索词", "The results below contain only some of the words"),
    "narrative": ("详细记录", "Narrative"),
    "links": ("关联", "Links"),
    "duplicate_of_this": ("此工单的重复工单", "Duplicates of this ticket"),
    "related_back": ("关联工单（双向）", "Related tickets (both directions)"),
    "escalation": ("升级", "Escalation"),
    "escalation_broken": ("违反升级规则：超时未定位原因且未升级", "Escalation rule broken: not located in time and not escalated"),
    "article_status": ("文章状态", "Article status"),
    "review_due": ("已过复审日期", "Review overdue"),
    "linked_tickets": ("引用此文的工单", "Tickets linking this article"),
    "no_tickets": ("暂无工单引用此文。", "No ticket links this article yet."),
    "history": ("修订历史", "History"),
    "first_committed": ("首次提交", "First committed"),
    "last_updated": ("最后更新", "Last updated"),
    "contributors": ("贡献者", "Contributors"),
    "by": ("由", "by"),
    "count": ("数量", "Count"),
    "all_listings": ("全部列表", "All listings"),
    "no_entries": ("暂无。", "Nothing here."),
    "created": ("创建", "Created"),
    "debt_note": ("已解决的故障工单，但尚未关联任何知识库文章。把解决方案写成文章：`tsgen new kb --ticket <工单号>`。",
                  "Resolved fault tickets that link no KB article. Write the fix up: `tsgen new kb --ticket <id>`."),
    "review_note": ("复审日期已过的文章，请负责人确认内容仍然有效并更新 `review_by`。",
                    "Articles past their review date: the owner should confirm they still hold and update `review_by`."),
    "unknown": ("未知", "unknown"),
    "similar": ("相似案例", "Similar cases"),
    "similar_kb": ("相似的知识库文章", "Similar KB articles"),
    "similar_tickets": ("相似工单", "Similar tickets"),
    "no_similar": ("暂无相似案例。", "No similar cases yet."),
    "linked": ("已关联", "linked"),
    "no_solution": ("尚无解决方案", "No solution recorded yet"),
    "see_similar": ("先看相似案例中的知识库文章", "Check the similar KB articles first"),
    "month_of": ("月份", "Month"),
    # punctuation: full-width in Chinese text, ASCII with a space in English
    "colon": ("：", ": "),
    "lparen": ("（", " ("),
    "rparen": ("）", ")"),
    "comma": ("，", ", "),
    "semicolon": ("；", "; "),
    "list_sep": ("、", ", "),
    "stop": ("。", "."),
    "queue_as_of": ("按优先级、接收时间排序的未解决工单；统计时间（站点生成时间）：", "Open tickets, most urgent first, as of the site's build: "),
    "queue_more": ("另有 %d 张未解决工单，见", "%d more open tickets are listed under "),
    "age": ("已等待", "Age"),
    "q_response": ("首次响应", "First response"),
    "q_escalation": ("升级", "Escalation"),
    "q_responded": ("已响应", "responded"),
    "q_due": ("剩余 ", "due in "),
    "q_overdue": ("已超时 ", "overdue by "),
    "q_escalated": ("已升级", "escalated"),
    "q_located": ("已按时定位", "located in time"),
    "q_locate_within": ("需在此时间内定位：", "locate within "),
    "q_limit_passed": ("超过升级时限且未升级：", "limit passed, not escalated: "),
    "showing_newest": ("显示最新的 %d 张，共 %d 张；全部工单见", "Showing the newest %d of %d; every ticket is in the archive "),
    # pages of a long listing (site/paginate.py, templates/site/_pager.html.j2)
    "newest_of": ("显示最新的 %d 张，共 %d 张：", "Showing the newest %d of %d: "),
    "see_all": ("查看全部", "see all"),
    "part_title": ("第 %d 页", "page %d"),
    "part_range": ("共 %d 张，本页为第 %d–%d 张（第 %d/%d 页）", "%d tickets; this page shows %d–%d (page %d of %d)"),
    "part_prev": ("上一页", "previous"),
    "part_next": ("下一页", "next"),
    "parts": ("分页", "Pages"),
}


def translator(language: str):
    """A function key -> text in `language` (the key itself when unknown, so a gap is visible)."""
    index = 0 if language == "zh" else 1

    def t(key: str) -> str:
        pair = STRINGS.get(key)
        return pair[index] if pair else key

    return t


def format_datetime(moment: datetime | None, tz: tzinfo) -> str:
    """`2023-10-27 10:00` in the configured timezone (ISO order reads well in both languages)."""
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M") if moment else ""


def format_date(day: date | None) -> str:
    return day.isoformat() if day else ""


def format_minutes(minutes: float | None, language: str) -> str:
    """A duration for people: `25 分钟`, `3 小时 20 分钟`, `2 天 4 小时` (or English)."""
    if minutes is None:
        return ""
    m = int(round(minutes))
    d, rest = divmod(m, 1440)
    h, mi = divmod(rest, 60)
    zh = language == "zh"
    parts = []
    if d:
        parts.append(f"{d} 天" if zh else f"{d} d")
    if h:
        parts.append(f"{h} 小时" if zh else f"{h} h")
    if mi or not parts:
        parts.append(f"{mi} 分钟" if zh else f"{mi} min")
    return " ".join(parts[:2])
