"""Resolve ids across the archive: uniqueness, references that must exist, backlinks, knowledge debt."""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Any

from tsgen import heap
from tsgen.config import Config
from tsgen.archive.files import scan
from tsgen.archive.load import read_document
from tsgen.archive.media import check_resources
from tsgen.archive.markup import unsafe_markup
from tsgen.archive.model import WARNING, Archive, Article, Problem, RawDocument, Ticket
from tsgen.archive.validate import KB_ID, ticket_id_pattern, validate_article, validate_ticket



def load_archive(root: Path, config: Config, paths: list[tuple[str, str]] | None = None,
                 cache: dict[str, Any] | None = None) -> Archive:
    """Load, validate and link every document under `root` (or the given paths): the whole pipeline up to stats.

    `cache` (kept by the caller between loads, as `tsgen serve` does) maps a path to what reading and
    validating it gave, keyed by the file's size and modification time: an unchanged file is not read
    again, only linked. Links are always resolved over the whole archive.
    """
    archive = Archive(root=root, config=config)
    raw_ids: dict[str, dict[str, tuple[str, int]]] = {"ticket": {}, "kb": {}}
    unreadable: dict[str, str] = {}  # the id a file that cannot be read is named for -> its path
    partial: list[RawDocument] = []  # read, but invalid: their references are still checked
    found = scan(root)  # also when `paths` are given: the files that may not be read are errors
    archive.problems.extend(found.problems)
    archive.assets = found.assets
    archive.documents = paths if paths is not None else found.documents
    seen: set[str] = set()
    with heap.paused():
        for path, kind in archive.documents:
            key = None
            if cache is not None:
                seen.add(path)
                try:
                    st = (root / path).stat()
                    key = (kind, st.st_size, st.st_mtime_ns)
                except OSError:
                    key = None
            hit = cache.get(path) if cache is not None and key is not None else None
            if hit is not None and hit[0] == key:
                raw, problems, doc, doc_problems = hit[1:]
            else:
                raw, problems = read_document(root, path, kind)
                doc, doc_problems = (None, []) if raw is None else \
                    (validate_ticket if kind == "ticket" else validate_article)(raw, config)
                if doc is not None:  # images, HTML src and CSS url(): of tickets and articles both
                    doc_problems = list(doc_problems)
                    check_resources(root, raw.path, doc.body, raw.body_line, doc_problems)
                    _check_markup(raw, doc_problems)
                if cache is not None and key is not None:
                    cache[path] = (key, raw, problems, doc, doc_problems)
            archive.problems.extend(problems)
            if raw is None:
                unreadable.setdefault(_named_id(path, kind), path)
                continue
            _remember_id(raw, raw_ids, archive.problems)
            archive.problems.extend(doc_problems)
            if isinstance(doc, Ticket):
                archive.tickets.setdefault(doc.id, doc)
            elif isinstance(doc, Article):
                archive.articles.setdefault(doc.id, doc)
            else:
                partial.append(raw)
        link(archive, known_tickets=set(raw_ids["ticket"]), known_kb=set(raw_ids["kb"]),
             unreadable=unreadable, partial=partial)
    if cache is not None:
        for gone in set(cache) - seen:
            del cache[gone]
    return archive


def _named_id(path: str, kind: str) -> str:
    """The id a file's name gives it (tickets/…/TS202310270001.md, kb/KB0001-slug.md)."""
    stem = PurePosixPath(path).stem
    return stem.split("-", 1)[0] if kind == "kb" else stem


def _references(raw: RawDocument) -> list[tuple[str, str]]:
    """(field, id) of every reference a document that failed validation still names, as written."""
    def ids(value: object) -> list[str]:
        items = [value] if isinstance(value, str) else value if isinstance(value, list) else []
        return [i.strip() for i in items if isinstance(i, str) and i.strip()]

    meta = raw.meta
    if raw.kind == "kb":
        return [("tickets", i) for i in ids(meta.get("tickets"))]
    return ([("kb", i) for i in ids(meta.get("kb"))] + [("related", i) for i in ids(meta.get("related"))]
            + [("duplicate_of", i) for i in ids(meta.get("duplicate_of"))])


def _remember_id(raw: RawDocument, seen: dict[str, dict[str, tuple[str, int]]], problems: list[Problem]) -> None:
    """Record the id a file declares, even when the file has other errors, and report duplicates."""
    value = raw.meta.get("id")
    if not isinstance(value, str):
        return
    value = value.strip()
    ids = seen[raw.kind]
    line = raw.key_lines.get("id", 1)
    if value in ids:
        first_path, first_line = ids[value]
        problems.append(Problem(raw.path, line, "id", f"duplicate id {value}: already used by {first_path}:{first_line}"))
    else:
        ids[value] = (raw.path, line)


def _check_markup(raw: RawDocument, problems: list[Problem]) -> None:
    """Warn about links and attribute lists the site drops (the sanitizer removes them either way)."""
    for offset, message in unsafe_markup(raw.body):
        problems.append(Problem(raw.path, raw.body_line + raw.body.count("\n", 0, offset), "body", message, WARNING))


def link(archive: Archive, known_tickets: set[str], known_kb: set[str], unreadable: dict[str, str] | None = None,
         partial: list[RawDocument] | None = None) -> None:
    """Check references between documents and build the backlink tables of `archive`.

    `unreadable` (id -> path of a file that could not be read) turns "does not exist" into "cannot
    be read (see above)"; the references of the `partial` documents (read but invalid) are checked too.
    """
    tickets, articles, problems = archive.tickets, archive.articles, archive.problems
    unreadable = unreadable or {}

    def missing(doc: Ticket | Article | RawDocument, field: str, target: str, what: str, known: set[str]) -> bool:
        if target in known:
            return False  # exists (perhaps with errors of its own, reported there)
        lines = doc.key_lines if isinstance(doc, RawDocument) else doc.lines
        if target in unreadable:
            message = f"{what} {target} cannot be read (see above: {unreadable[target]})"
        else:
            message = f"{what} {target} does not exist"
        problems.append(Problem(doc.path, lines.get(field, 1), field, message))
        return True

    for raw in partial or []:
        for field, target in _references(raw):
            is_kb = field == "kb"
            if (KB_ID if is_kb else ticket_id_pattern(archive.config.id_prefix)).fullmatch(target):
                missing(raw, field, target, "KB article" if is_kb else "related ticket" if field == "related"
                        else "ticket", known_kb if is_kb else known_tickets)

    kb_back: dict[str, set[str]] = {k: set() for k in articles}
    ticket_kb: dict[str, set[str]] = {t: set() for t in tickets}
    dups: dict[str, list[str]] = {}
    related: dict[str, set[str]] = {t: set() for t in tickets}
    for t in tickets.values():
        for k in t.kb:
            if not missing(t, "kb", k, "KB article", known_kb) and k in articles:
                kb_back[k].add(t.id)
                ticket_kb[t.id].add(k)
        for r in t.related:
            if r == t.id:
                problems.append(Problem(t.path, t.lines.get("related", 1), "related", "a ticket cannot relate to itself"))
            elif not missing(t, "related", r, "related ticket", known_tickets) and r in tickets:
                related[t.id].add(r)
                related[r].add(t.id)
        if t.duplicate_of and not missing(t, "duplicate_of", t.duplicate_of, "ticket", known_tickets):
            original = tickets.get(t.duplicate_of)
            if original is not None:
                if (original.created, original.id) >= (t.created, t.id):
                    problems.append(Problem(t.path, t.lines.get("duplicate_of", 1), "duplicate_of",
                                            f"must point to an earlier ticket: {original.id} was created "
                                            f"{original.created.astimezone(archive.config.tz).strftime('%Y-%m-%d %H:%M')}, after this one"))
                else:
                    dups.setdefault(original.id, []).append(t.id)
    for a in articles.values():
        for tid in a.tickets:
            if not missing(a, "tickets", tid, "ticket", known_tickets) and tid in tickets:
                kb_back[a.id].add(tid)
                ticket_kb[tid].add(a.id)
    def newest_first(ids: set[str] | list[str]) -> list[str]:
        return sorted(ids, key=lambda i: (tickets[i].created, i), reverse=True)

    archive.kb_backlinks = {k: newest_first(v) for k, v in kb_back.items()}
    archive.ticket_kb = {t: sorted(v) for t, v in ticket_kb.items()}
    archive.duplicates = {k: newest_first(v) for k, v in dups.items()}
    archive.related_back = {k: newest_first(v) for k, v in related.items() if v}
    for t in tickets.values():
        if archive.in_knowledge_debt(t):
            problems.append(Problem(t.path, t.lines.get("kb", t.lines.get("status", 1)), "kb",
                                    "knowledge debt: a resolved fault that links no KB article; "
                                    "write one with `tsgen new kb` or link an existing one", WARNING))
