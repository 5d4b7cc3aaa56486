"""Search records: what of each ticket and article is indexed, with which weight, filters and meta.

A record is plain data built from the archive (never from the built HTML): the text that answers
"have we seen this before?", cut into weighted parts, plus the fields the search page filters and
sorts on. The customer block is never read here, and the texts come in already masked: the caller
gives the published archive (archive/privacy.py's Masker, as the pages are made from).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tsgen.archive.body import CODE, drop_comments
from tsgen.archive.scan import HEADINGS, sub_inline_links
from tsgen.archive.model import Article, Ticket

# Pagefind weights (0-10; 1 is ordinary text): a title and error strings decide more than boilerplate.
TITLE, KEY, MAIN, REST = 10.0, 6.0, 3.0, 0.5

# Section headings (## ...) of the guide and their weight; others count as REST for tickets.
_SECTION_WEIGHT = {
    "问题描述": MAIN, "problem": MAIN, "description": MAIN, "现象": MAIN,
    "原因分析": MAIN, "cause": MAIN, "原因": MAIN,
    "解决方案": KEY, "solution": KEY, "解决步骤": MAIN, "resolution": MAIN, "处理方法": MAIN,
}
_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)  # the reference of scan.HEADINGS
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
# Leading blanks are taken whole ((?=(...))\N: an atomic group that runs on Python 3.10 too): `^\s*` rescanned
# every following blank line from each line start, and `[-:| ]{3,}\|?\s*$` a long run of spaces from each
# of its characters. What the search index sees differs only in whitespace, and in a line of two dashes
# after leading spaces ("  --"), which is no longer read as a table rule.
_MARKUP = re.compile(r"(\*\*|__|~~|^(?=([^\S\n]*))\2[-*+>]\s+|^(?=([^\S\n]*))\3\d+\.\s+"
                     r"|^(?=([^\S\n]*))\4\|?(?=([-:| ]{3,}))\5\|?\s*$|\|)", re.MULTILINE)
_FENCE = re.compile(r"^(```|~~~)[^\n]*$", re.MULTILINE)
_SPACE = re.compile(r"\s+")


@dataclass
class Record:
    """One search result-to-be: its URL (relative to the site root), weighted texts, filters, meta, sort."""

    url: str
    kind: str                                   # "ticket" or "kb"
    id: str
    title: str
    parts: list[tuple[float, str]] = field(default_factory=list)   # (weight, plain text)
    filters: dict[str, list[str]] = field(default_factory=dict)
    meta: dict[str, str] = field(default_factory=dict)
    sort: dict[str, str] = field(default_factory=dict)


def plain(markdown: str) -> str:
    """Markdown as the words a reader sees: no emphasis marks, link targets, table bars or fences."""
    text = sub_inline_links(_FENCE.sub(" ", markdown), lambda image, label: label)  # _LINK.sub(r"\1"), linear
    text = _MARKUP.sub(" ", text).replace("`", " ")
    return _SPACE.sub(" ", text).strip()


def _sections(body: str, default: float) -> list[tuple[float, str]]:
    """The body cut at its headings, each piece weighted by its heading; code (error strings) weighs KEY."""
    body = drop_comments(body)
    parts: list[tuple[float, str]] = []
    codes = [m.group(0) for m in CODE.finditer(body)]
    if codes:
        parts.append((KEY, plain(" ".join(codes))))
        body = CODE.sub(" ", body)
    heads = [m.span() + (m.group(1),) for m in HEADINGS.finditer(body)]  # _HEADING.finditer, linear
    pieces = [(default, body[:heads[0][0]] if heads else body)]
    for i, (_, head_end, title) in enumerate(heads):
        end = heads[i + 1][0] if i + 1 < len(heads) else len(body)
        name = re.sub(r"[\s：:]+", "", title).lower()
        pieces.append((_SECTION_WEIGHT.get(name, default), body[head_end:end]))
    parts += [(w, plain(t)) for w, t in pieces if t.strip()]
    return [(w, t) for w, t in parts if t]


def ticket_record(ticket: Ticket, url: str) -> Record:
    """A ticket's record: title and id; tags, solution, linked KB ids and error strings; description; the
    rest lightly."""
    created = ticket.created.strftime("%Y-%m-%d %H:%M")
    # the KB articles it links (`kb`): the search page puts the tickets an answering article solved after it
    key = [*ticket.tags, ticket.solution or "", *ticket.kb]
    parts = [(TITLE, f"{ticket.id} {ticket.title}"), (KEY, " ".join(k for k in key if k))]
    parts += _sections(ticket.body, REST)
    version = ticket.environment.get("version") if isinstance(ticket.environment, dict) else None
    filters = {"kind": ["ticket"], "type": [ticket.type], "priority": [ticket.priority], "status": [ticket.status],
               "tag": list(ticket.tags), "month": [created[:7]]}
    if version:
        filters["version"] = [str(version)]
    meta = {"id": ticket.id, "title": ticket.title, "kind": "ticket", "date": created[:10],
            "status": ticket.status, "priority": ticket.priority, "type": ticket.type}
    return Record(url, "ticket", ticket.id, ticket.title, [(w, t) for w, t in parts if t.strip()],
                  {k: v for k, v in filters.items() if v}, meta, {"date": created})


def article_record(article: Article, url: str) -> Record:
    """A KB article's record: the whole body counts (the article is the answer); drafts rank lower."""
    day = article.updated.isoformat() if article.updated else ""
    versions = [str(v) for v in (article.applies_to.get("versions") or [])] \
        if isinstance(article.applies_to, dict) else []
    parts = [(TITLE, f"{article.id} {article.title}"), (KEY, " ".join(article.tags))]
    parts += _sections(article.body, 1.0)
    filters = {"kind": ["kb"], "status": [article.status], "tag": list(article.tags), "version": versions,
               "month": [day[:7]] if day else [],
               # only KB articles carry `rank`, so its filter chunk stays small at 100,000 tickets:
               # the search page reads it to rank articles above tickets, drafts and retired ones below
               "rank": ["published" if article.status == "published" else "other"]}
    meta = {"id": article.id, "title": article.title, "kind": "kb", "date": day, "status": article.status}
    return Record(url, "kb", article.id, article.title, [(w, t) for w, t in parts if t.strip()],
                  {k: v for k, v in filters.items() if v}, meta, {"date": day or "0000-00-00"})
