"""tsgen/search: tokenising, the records (what is indexed, with which weight), the HTML Pagefind reads."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tsgen.archive.link import load_archive
from tsgen.config import load_config
from tsgen.search.index import record_html, write_words
from tsgen.search.records import KEY, REST, TITLE, article_record, plain, ticket_record
from tsgen.search.segment import BUCKETS, aliases, buckets, segment, vocabulary
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


def test_the_vocabulary_is_cut_into_files_by_the_first_character_of_each_word() -> None:
    words = vocabulary({"权限", "不足", "登录", "权益", "数据库", "连接", "超时"})
    files = buckets(words)
    assert len(files) == BUCKETS and sorted(w for f in files for w in f) == words, "each word once"
    for n, f in enumerate(files):
        assert f == sorted(f) and all(ord(w[0]) % BUCKETS == n for w in f), n
    assert "权益" in files[ord("权") % BUCKETS] and "权限" in files[ord("权") % BUCKETS]


def test_a_large_vocabulary_is_written_in_files_by_first_character(tmp_path: Path) -> None:
    words = vocabulary({"权限", "不足", "登录", "权益", "数据库"})
    write_words(tmp_path, words)
    assert json.loads((tmp_path / "tsgen-words.json").read_text(encoding="utf-8")) == words, "small: one list"
    large = tmp_path / "large"
    large.mkdir()
    write_words(large, words, single=3)
    assert json.loads((large / "tsgen-words.json").read_text(encoding="utf-8")) == {"buckets": BUCKETS}
    files = {int(p.stem): json.loads(p.read_text(encoding="utf-8")) for p in (large / "tsgen-words").glob("*.json")}
    assert sorted(files) == list(range(BUCKETS)), "every file the search page may ask for, empty ones too"
    assert files[ord("权") % BUCKETS] == ["权益", "权限"] and sorted(w for f in files.values() for w in f) == words


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


def _bundle(folder: Path) -> tuple[list, dict, dict, dict]:  # type: ignore[type-arg]
    """A Pagefind bundle decoded: meta, word -> {url: positions}, filter -> value -> urls, url -> length."""
    import gzip
    import json

    import cbor2

    def pf(path: Path) -> object:
        return cbor2.loads(gzip.decompress(path.read_bytes())[len(b"pagefind_dcd"):])

    entry = json.loads((folder / "pagefind-entry.json").read_text(encoding="utf-8"))
    (_, info), = entry["languages"].items()
    meta = pf(folder / f"pagefind.{info['hash']}.pf_meta")
    assert info["page_count"] == len(meta[1])  # type: ignore[index, arg-type]
    urls = [json.loads(gzip.decompress((folder / "fragment" / f"{h}.pf_fragment").read_bytes())[12:])["url"].lstrip("/")
            for h, _ in meta[1]]  # type: ignore[index]
    words: dict[str, dict[str, object]] = {}
    for _, _, h in meta[2]:  # type: ignore[index]
        for word, pages, _ in pf(folder / "index" / f"{h}.pf_index")[0]:  # type: ignore[index]
            page, words[word] = 0, {}
            for delta, locs, extra in pages:
                page += delta
                words[word][urls[page]] = (locs, extra)
    filters = {name: {v: sorted(urls[i] for i in ps) for v, ps in pf(folder / "filter" / f"{h}.pf_filter")[1]}  # type: ignore[index]
               for name, h in meta[3]}  # type: ignore[index]
    return meta, words, filters, {urls[i]: n for i, (_, n) in enumerate(meta[1])}  # type: ignore[index, arg-type]


def test_index_in_shards_is_merged_into_the_bundle_of_one_run(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A large archive is indexed in several Pagefind runs (memory), merged into bundles (merge.py): the
    KB articles alone in the first, the tickets after; each bundle the same words at the same positions
    of the same pages, the same filters, as one Pagefind run over its records."""
    import json

    from tsgen.search import index
    from tsgen.search.index import read_fragments, write_index

    archive = load_archive(REPO, load_config(REPO))
    n = len(archive.tickets) + len(archive.articles)
    one = write_index(records(archive), tmp_path / "one", total=n)
    monkeypatch.setattr(index, "SHARD", 20)
    monkeypatch.setattr(index, "SINGLE", 30)
    three = write_index(records(archive), tmp_path / "three", total=n)  # 53 tickets: three shards of 18
    assert one.records == three.records == n
    assert not list((tmp_path / "three").glob(".pagefind-shards*")), "the shards' bundles are removed"
    for run in ("one", "three"):  # the articles' bundle first, then one bundle of all tickets
        folder = tmp_path / run / "pagefind"
        assert json.loads((folder / "tsgen-shards.json").read_text(encoding="utf-8")) == ["part1/"]
        urls = [f["url"] for f in read_fragments(folder)]  # every bundle's pages
        assert len(urls) == len(set(urls)) == n and set(urls) == {r.url for r in records(archive)}
        assert set(_bundle(folder)[3]) == {r.url for r in records(archive) if r.kind == "kb"}
    for bundle in ("", "part1"):
        meta1, words1, filters1, lengths1 = _bundle(tmp_path / "one" / "pagefind" / bundle)
        meta3, words3, filters3, lengths3 = _bundle(tmp_path / "three" / "pagefind" / bundle)
        assert words3 == words1 and len(words1) > 300
        assert filters3 == filters1 and set(filters1) >= {"kind", "status", "tag", "month"}
        assert lengths3 == lengths1 and meta3[5] == meta1[5]
    folder = tmp_path / "three" / "pagefind" / "part1"
    assert (folder.parent / "pagefind.js").is_file() and not list(folder.glob("*.js")) \
        and not list(folder.glob("wasm.*")), "Pagefind's runtime in the first bundle only: the page loads it from there"
    assert "rank" in _bundle(tmp_path / "three" / "pagefind")[2] and "rank" not in filters3  # only articles
    # every length within 3 % of the word count in the page's fragment
    for f in read_fragments(folder):
        assert abs(lengths3[f["url"]] - f["word_count"]) <= f["word_count"] * 0.04, f["url"]
    # fragment names: a short counter after a tag of the index, not Pagefind's 7 hex digits
    names = [h for h, _ in meta3[1]]
    assert len(set(names)) == len(archive.tickets) and max(map(len, names)) <= 1 + 3 + 2
    # every word is found in the chunk Pagefind's lookup (from <= word <= to) picks, where it picks one
    chunks = {h: {w for w, _, _ in _chunk_words(folder, h)} for _, _, h in meta3[2]}
    for word in words3:
        hit = next((h for lo, hi, h in meta3[2] if lo <= word <= hi), None)
        assert hit is None or word in chunks[hit], word
    months = json.loads((tmp_path / "three" / "pagefind" / "tsgen-months.json").read_text(encoding="utf-8"))
    assert months == sorted({r.filters["month"][0] for r in records(archive)}, reverse=True)
    # more tickets than BUNDLE: consecutive shards merged into several bundles, listed for the search page;
    # together they hold every page once, each word's pages at the same positions, with names unique
    monkeypatch.setattr(index, "BUNDLE", 40)
    write_index(records(archive), tmp_path / "two", total=n)
    folder = tmp_path / "two" / "pagefind"
    parts = json.loads((folder / "tsgen-shards.json").read_text(encoding="utf-8"))
    assert parts == ["part1/", "part2/"]  # the articles; two shards of tickets (36); the third shard
    bundles = [_bundle(folder / b) for b in ("", "part1", "part2")]
    whole = [_bundle(tmp_path / "one" / "pagefind" / b) for b in ("", "part1")]
    assert sorted(u for b in bundles for u in b[3]) == sorted(u for b in whole for u in b[3])
    names = [h for b in bundles for h, _ in b[0][1]]
    assert len(names) == len(set(names)) == n
    for word in {w for b in whole for w in b[1]}:
        assert {u: p for b in bundles for u, p in b[1].get(word, {}).items()} == \
            {u: p for b in whole for u, p in b[1].get(word, {}).items()}, word


def _chunk_words(folder: Path, name: str) -> list:  # type: ignore[type-arg]
    import gzip

    import cbor2

    return cbor2.loads(gzip.decompress((folder / "index" / f"{name}.pf_index").read_bytes())[12:])[0]


def test_merge_refuses_a_bundle_it_does_not_know(tmp_path: Path) -> None:
    import pytest

    from tsgen.errors import BuildError
    from tsgen.search.merge import merge_bundles, round_length

    (tmp_path / "odd").mkdir()
    (tmp_path / "odd" / "pagefind-entry.json").write_text('{"languages": {}}', encoding="utf-8")
    with pytest.raises(BuildError, match="could not be read"):
        merge_bundles([tmp_path / "odd"], tmp_path / "out")
    assert [round_length(n) for n in (0, 7, 31, 32, 33, 100, 1000)] == [0, 7, 31, 32, 34, 100, 992]


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


def test_the_scratch_folders_of_killed_indexers_are_swept(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    from tsgen.search.index import SCRATCH, STALE, sweep

    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True, check=True).stdout.strip()  # a pid that has ended
    dead = tmp_path / f"{SCRATCH}{gone}-abc"
    (dead / "shard0").mkdir(parents=True)
    (dead / "shard0" / "index.html").write_text("x", encoding="utf-8")
    alive = tmp_path / f"{SCRATCH}{os.getpid()}-def"   # this process: still indexing
    alive.mkdir()
    recent = tmp_path / f"{SCRATCH}{gone}-new"         # changed a moment ago
    recent.mkdir()
    other = tmp_path / "tsgen-search-notmine"          # not named after a process
    other.mkdir()
    now = dead.stat().st_mtime + STALE + 1
    os.utime(recent, (now, now))
    assert sweep(tmp_path, now=now) == 1
    assert not dead.exists() and alive.is_dir() and recent.is_dir() and other.is_dir()


def test_pagefinds_wait_loops_are_shortened_in_the_installed_runtime(tmp_path: Path) -> None:
    from tsgen.search.runtime import POLL_MS, shorten_waits, tune

    # the loops as Pagefind 1.5 writes them; another version's files are left alone
    js = ("async getPtr(){while(this.raw_ptr===null){if(this.initError){throw this.initError;}await asyncSleep(50);}"
          "return this.raw_ptr}x;while(this.primary.wasm===null){await asyncSleep(50);}await asyncSleep(debounce);")
    out, n = shorten_waits(js)
    assert n == 2 and out.count(f"asyncSleep({POLL_MS})") == 2 and "asyncSleep(debounce)" in out
    other = "while(this.ptr===null){await sleep(50);}"
    (tmp_path / "pagefind.js").write_text(other, encoding="utf-8")
    assert tune(tmp_path) == 0 and (tmp_path / "pagefind.js").read_text(encoding="utf-8") == other
    # the installed Pagefind writes both loops in both files: an upgrade that changes them fails here
    from tsgen.search.index import write_index

    result = write_index([], tmp_path / "site")
    for name in ("pagefind.js", "pagefind-worker.js"):
        runtime = (result.folder / name).read_text(encoding="utf-8")
        assert "asyncSleep(50)" not in runtime and runtime.count(f"asyncSleep({POLL_MS})") == 2, name
