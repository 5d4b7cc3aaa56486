"""tsgen/search: tokenising, the records (what is indexed, with which weight), the HTML Pagefind reads."""

from __future__ import annotations

import re
from pathlib import Path

from tsgen.archive.link import load_archive
from tsgen.config import load_config
from tsgen.search.index import record_html
from tsgen.search.records import KEY, REST, TITLE, article_record, plain, ticket_record
from tsgen.search.segment import aliases, segment, vocabulary
from tsgen.site.search import records, search_labels, write_opensearch

REPO = Path(__file__).resolve().parents[1]


def test_segment_cuts_chinese_into_words_and_leaves_english_whole() -> None:
    seen: set[str] = set()
    text = segment("登录后报错“权限不足”，ORA-12170: TNS:Connect timeout；CORS 与 QPS、Redis", seen)
    assert " 权限 不足 " in text and " 登录 " in text
    for term in ("ORA-12170:", "TNS:Connect", "timeout", "CORS", "QPS", "Redis"):
        assert term in text.split(), term
    assert {"权限", "不足", "登录"} <= seen
    assert vocabulary(seen) == sorted(w for w in seen if len(w) > 1)


def test_compound_names_are_also_indexed_by_their_tails() -> None:
    text = "Caused by: java.net.SocketTimeoutException: Read timed out; NET::ERR_CERT_DATE_INVALID; 见 sqlnet.ora"
    tails = aliases(text)
    assert tails[:2] == ["net.SocketTimeoutException", "SocketTimeoutException"]
    assert "ERR_CERT_DATE_INVALID" in tails and "ora" not in tails, tails
    archive = load_archive(REPO, load_config(REPO))
    rec = next(r for r in records(archive) if "java.net.SocketTimeoutException" in " ".join(t for _, t in r.parts))
    assert "SocketTimeoutException</p>" in record_html(rec) or " SocketTimeoutException " in record_html(rec)


def test_plain_drops_markup_not_words() -> None:
    assert plain("**订单管理 > 订单列表** [KB0001](../kb/KB0001.md) | a | b |") == "订单管理 > 订单列表 KB0001 a b"


def test_ticket_record_weights_and_never_the_customer() -> None:
    archive = load_archive(REPO, load_config(REPO))
    ticket = archive.tickets["TS202310270001"]
    assert ticket.customer.get("name") and ticket.customer.get("contact")
    # what the site indexes: the published (masked) archive's records
    rec = next(r for r in records(archive) if r.url == "tickets/TS202310270001/")
    weights = dict((w, t) for w, t in rec.parts)
    assert rec.parts[0] == (TITLE, f"{ticket.id} {ticket.title}")
    assert KEY in weights and any(w == REST for w, _ in rec.parts), "boilerplate counts less, but counts"
    html = record_html(rec)
    for key in ("name", "contact"):
        assert ticket.customer[key] not in html, f"customer.{key} reaches the index"
    assert all(t.strip() != ticket.customer["department"] for _, t in rec.parts), "the customer block is not a part"
    assert "工单编号" not in html and "处理时间线" not in html, "no record table labels"
    assert 'data-pagefind-filter="priority">P1<' in html and 'data-pagefind-filter="month">2023-10<' in html
    assert "data-pagefind-sort" not in html, "no sort key: its page order would weigh on every query"
    assert "data-pagefind-filter=\"rank\"" not in html, "only articles carry rank"


def test_article_record_rank_and_versions() -> None:
    archive = load_archive(REPO, load_config(REPO))
    art = archive.articles["KB0001"]
    rec = article_record(art, "kb/KB0001/")
    assert rec.filters["rank"] == ["published"] and rec.filters["version"] == ["V3.2.x"]
    draft = article_record(type(art)(**{**art.__dict__, "status": "draft"}), "kb/KB0001/")
    assert draft.filters["rank"] == ["other"] and draft.meta["status"] == "draft"


def test_record_html_escapes_every_value() -> None:
    archive = load_archive(REPO, load_config(REPO))
    ticket = archive.tickets["TS202310270001"]
    evil = type(ticket)(**{**ticket.__dict__, "title": '<img src=x onerror=alert(1)>', "tags": ['"><script>']})
    html = record_html(ticket_record(evil, "tickets/x/"))
    assert "<img" not in html and "<script" not in html and "&lt;img" in html


def test_every_document_has_one_record() -> None:
    archive = load_archive(REPO, load_config(REPO))
    urls = [r.url for r in records(archive)]
    assert len(urls) == len(set(urls)) == len(archive.tickets) + len(archive.articles)
    assert "kb/KB0001/" in urls and "tickets/TS202310270001/" in urls
    assert "kb/KB0001.html" in [r.url for r in records(archive, directory_urls=False)]


def test_labels_and_opensearch(tmp_path: Path) -> None:
    labels = search_labels("zh")
    assert labels["priority"]["P1"].startswith("P1") and labels["status"]["retired"] and labels["kind"]["kb"]
    path = write_opensearch(tmp_path, "知识库 <&>", "https://kb.example.com/", "search/")
    text = path.read_text(encoding="utf-8")
    assert 'template="https://kb.example.com/search/?q={searchTerms}"' in text
    assert "知识库 &lt;&amp;&gt;" in text and re.search(r"<ShortName>[^<]+</ShortName>", text)


def test_index_in_shards_keeps_every_record(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A large archive is indexed in several Pagefind runs (memory); every record is in exactly one."""
    import json

    from tsgen.search import index
    from tsgen.search.index import read_fragments, write_index

    monkeypatch.setattr(index, "SHARD", 30)
    archive = load_archive(REPO, load_config(REPO))
    result = write_index(records(archive), tmp_path)
    shards = json.loads((tmp_path / "pagefind" / "tsgen-shards.json").read_text(encoding="utf-8"))
    n = len(archive.tickets) + len(archive.articles)
    assert result.records == n and len(shards) == (n - 1) // 30
    for part in ["", *shards]:
        entry = json.loads((tmp_path / "pagefind" / part / "pagefind-entry.json").read_text(encoding="utf-8"))
        assert entry["languages"], part
    urls = [f["url"] for f in read_fragments(tmp_path / "pagefind")]
    assert len(urls) == len(set(urls)) == n
    # with the number of records known, the shards are even (none of a handful of records), and a small
    # archive is one
    monkeypatch.setattr(index, "SINGLE", 40)
    even = write_index(records(archive), tmp_path / "even", total=n)
    parts = json.loads((tmp_path / "even" / "pagefind" / "tsgen-shards.json").read_text(encoding="utf-8"))
    assert even.records == n and len(parts) == -(-n // 30) - 1
    sizes = [sum(1 for _ in (tmp_path / "even" / "pagefind" / p / "fragment").glob("*")) for p in ["", *parts]]
    assert max(sizes) - min(sizes) <= 1 + len(parts), sizes
    months = json.loads((tmp_path / "even" / "pagefind" / "tsgen-months.json").read_text(encoding="utf-8"))
    assert months == sorted({r.filters["month"][0] for r in records(archive)}, reverse=True)
    monkeypatch.setattr(index, "SINGLE", n)
    write_index(records(archive), tmp_path / "one", total=n)
    assert json.loads((tmp_path / "one" / "pagefind" / "tsgen-shards.json").read_text(encoding="utf-8")) == []


def test_a_failing_pagefind_run_is_a_clear_build_error(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import pagefind.service
    import pytest

    from tsgen.errors import BuildError
    from tsgen.search.index import write_index

    monkeypatch.setattr(pagefind.service, "get_executable", lambda: Path("/bin/false"))
    archive = load_archive(REPO, load_config(REPO))
    with pytest.raises(BuildError, match=r"Pagefind could not index the search records into .*exit status 1"):
        write_index(records(archive), tmp_path)
    monkeypatch.setattr(pagefind.service, "get_executable", lambda: None)
    with pytest.raises(BuildError, match="Pagefind is not installed"):
        write_index(records(archive), tmp_path)
