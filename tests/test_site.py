"""The built site: pages, links, personal data, safety, offline assets, and numbers equal to `tsgen stats`."""

from __future__ import annotations

import html
import json
import re
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from treeutil import digest
from tsgen.site.build import build_site
from tsgen.cli import main
from tsgen.config import load_config
from tsgen.archive.link import load_archive
from tsgen.search.index import read_fragments
from tsgen.search.runtime import POLL_MS
from tsgen.site.render_stats import lookup

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the sample archive, built once; returns the archive root (site in root/site)."""
    root = tmp_path_factory.mktemp("sample")
    for name in ("tickets", "kb"):
        shutil.copytree(REPO / name, root / name)
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    before = {name: digest(root / name) for name in ("tickets", "kb")}
    build_site(root, load_config(root))
    after = {name: digest(root / name) for name in ("tickets", "kb")}
    assert before == after, "build must never write into tickets/ or kb/"
    return root


def _site_text(root: Path) -> str:
    parts = [p.read_text(encoding="utf-8") for p in (root / "site").rglob("*.html")]
    parts += [p.read_text(encoding="utf-8") for p in (root / ".tsgen").rglob("*") if p.is_file() and p.suffix in (".md", ".yml")]
    parts += [json.dumps(f, ensure_ascii=False) for f in read_fragments(root / "site/pagefind")]
    parts += [p.read_text(encoding="utf-8") for p in sorted((root / "site/pagefind").glob("tsgen-words*.json"))]
    parts += [p.read_text(encoding="utf-8") for p in sorted((root / "site/pagefind").glob("tsgen-words/*.json"))]
    return "\n".join(parts)


def test_every_ticket_and_article_has_a_page(sample: Path) -> None:
    archive = load_archive(sample, load_config(sample))
    for tid in archive.tickets:
        assert (sample / "site/tickets" / tid / "index.html").is_file(), tid
    for kid in archive.articles:
        assert (sample / "site/kb" / kid / "index.html").is_file(), kid
    for page in ("index.html", "lists/type/index.html", "lists/priority/index.html", "lists/status/index.html",
                 "lists/debt/index.html", "kb/review/index.html", "stats/index.html", "stats/months/index.html"):
        assert (sample / "site" / page).is_file(), page


def test_customer_name_and_contact_never_reach_the_site(sample: Path) -> None:
    archive = load_archive(sample, load_config(sample))
    text = _site_text(sample)
    secrets = {v for t in archive.tickets.values() for k, v in t.customer.items() if k in ("name", "contact") and v}
    assert secrets, "the sample archive should have customer data to protect"
    leaked = sorted(s for s in secrets if s in text)
    assert leaked == []
    departments = {t.customer["department"] for t in archive.tickets.values() if t.customer.get("department")}
    assert any(d in text for d in departments), "the department may be shown"


def test_ticket_page_shows_record_timeline_and_backlinks(sample: Path) -> None:
    page = (sample / "site/tickets/TS202310270001/index.html").read_text(encoding="utf-8")
    for label in ("工单编号", "问题类型", "优先级", "接收时间", "处理结果", "客户满意度", "知识库", "归档状态", "处理时间线"):
        assert label in page, label
    assert "2023-10-27 10:15" in page and "问题解决了，谢谢！" in page
    assert "SLA" in page and ("按时响应" in page or "响应超时" in page)
    kb_ids = re.findall(r'href="?../../kb/(KB\d+)/"?', page)  # quotes are optional in minified HTML
    assert kb_ids, "the ticket links its KB article"
    article = (sample / f"site/kb/{kb_ids[0]}/index.html").read_text(encoding="utf-8")
    assert "引用此文的工单" in article and "TS202310270001" in article and "适用场景" in article


def test_navigation_holds_no_ticket(sample: Path) -> None:
    home = (sample / "site/index.html").read_text(encoding="utf-8")
    nav = home.split('class="md-nav md-nav--primary"', 1)[1].split("md-sidebar--secondary", 1)[0]
    assert "统计" in nav and "知识库" in nav and "工单列表" in nav
    assert "TS2023" not in nav, "tickets stay out of the navigation"


def test_no_request_to_another_host(sample: Path) -> None:
    for path in (sample / "site").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for m in re.finditer(r'<(?:script|link|img|iframe|source)\b[^>]*?(?:src|href)="([^"]+)"', text):
            url = m.group(1)
            assert not re.match(r"(https?:)?//", url), f"{path}: {url}"
        assert "fonts.googleapis" not in text and "fonts.gstatic" not in text


def test_tsgens_own_scripts_are_published_without_their_comments(sample: Path) -> None:
    for rel in ("assets/tsgen-search.js", "assets/tsgen.js"):
        source = (REPO / "templates" / rel).read_text(encoding="utf-8")
        published = (sample / "site" / rel).read_text(encoding="utf-8")
        assert len(published) < 0.8 * len(source), f"{rel}: minified"
        assert "/*" not in published.split("\n", 1)[0], f"{rel}: its header comment went"
        assert ('"use strict"' in published) == ('"use strict"' in source), f"{rel}: nothing but comments and spaces"
        assert (sample / ".tsgen/docs" / rel).read_text(encoding="utf-8") == source, "the source copy stays"


def test_search_index_has_tickets_ids_and_segmented_chinese(sample: Path) -> None:
    docs = list(read_fragments(sample / "site/pagefind"))
    archive = load_archive(sample, load_config(sample))
    assert len(docs) == len(archive.tickets) + len(archive.articles), "one record per ticket and article"
    assert any(d["meta"]["id"] == "TS202310270001" and d["url"] == "tickets/TS202310270001/" for d in docs)
    kb = next(d for d in docs if d["meta"]["id"] == "KB0001")
    assert " 权限 不足 " in kb["content"], "jieba cuts Chinese into space-separated words"
    assert kb["filters"]["kind"] == ["kb"] and kb["filters"]["status"] == ["published"]
    assert not any(d["url"].startswith(("lists/", "stats/", "search/")) for d in docs), "listings are not indexed"
    words = json.loads((sample / "site/pagefind/tsgen-words.json").read_text(encoding="utf-8"))
    assert "权限" in words and "不足" in words, "the browser's vocabulary for cutting queries (small: one file)"
    for name in ("pagefind.js", "pagefind-worker.js", "wasm.unknown.pagefind"):
        assert (sample / "site/pagefind" / name).is_file(), f"{name}: the search runs offline from site/"
    assert not (sample / "site/search/search_index.json").exists(), "Material's search is replaced"
    opensearch = (sample / "site/opensearch.xml").read_text(encoding="utf-8")
    assert 'template="/search/?q={searchTerms}"' in opensearch
    from conftest import quoted_html

    page = quoted_html((sample / "site/search/index.html").read_text(encoding="utf-8"))
    assert 'id="tsgen-search-results"' in page and "assets/tsgen-search.js" in page
    links = re.findall(r"<link [^>]*>", page)
    assert any("modulepreload" in k and "../pagefind/pagefind.js" in k for k in links), \
        "the search page fetches Pagefind's script while it loads"
    for name in ("pagefind.js", "pagefind-worker.js"):
        runtime = (sample / "site/pagefind" / name).read_text(encoding="utf-8")
        assert "asyncSleep(50)" not in runtime and runtime.count(f"asyncSleep({POLL_MS})") == 2, name


def metric_attributes(page: str) -> list[tuple[str, str]]:
    """(data-metric, data-value) of every element that has them; the minified HTML may drop the
    quotes and put the attributes in any order."""
    found = []
    for tag in re.findall(r"<[a-z]+ [^>]*data-metric=[^>]*>", page):
        attrs = {k: a or b for k, a, b in re.findall(r'(data-metric|data-value)=(?:"([^"]*)"|([^\s">]*))', tag)}
        found.append((attrs["data-metric"], attrs.get("data-value", "")))
    return found


def test_site_numbers_equal_stats_json(sample: Path) -> None:
    result = CliRunner().invoke(main, ["stats", "--root", str(sample), "--format", "json"])
    assert result.exit_code == 0, result.output
    periods = {p["period"]: p for p in json.loads(result.stdout)["periods"]}
    checked = 0
    for key, row in periods.items():
        page = (sample / "site/stats/month" / key / "index.html").read_text(encoding="utf-8")
        for path, value in metric_attributes(page):
            expected = lookup(row, path) if not path.startswith("top_problems.") else \
                row["top_problems"][int(path.split(".")[1])]["tickets"]
            assert value == ("null" if expected is None else str(expected)), (key, path)
            checked += 1
    assert checked > 50


def _tiny_archive(tmp_path: Path, title: str, language: str = "zh") -> Path:
    (tmp_path / "tickets/2023/10").mkdir(parents=True)
    (tmp_path / "kb").mkdir()
    cfg = (REPO / "mkdocs.yml").read_text(encoding="utf-8").replace("language: zh\n    sla", f"language: {language}\n    sla")
    (tmp_path / "mkdocs.yml").write_text(cfg, encoding="utf-8")
    (tmp_path / "tickets/2023/10/TS202310270001.md").write_text(
        "---\nid: TS202310270001\ntitle: " + json.dumps(title, ensure_ascii=False) + "\ntype: fault\npriority: P1\n"
        "created: 2023-10-27 10:00\nresponded: 2023-10-27 10:05\nlocated: 2023-10-27 10:10\nstatus: pending\n"
        "customer: {name: 赵*, contact: '13800001111', department: 财务部}\n---\n\n## 问题描述\n\n"
        "联系人 赵* 电话 13800001111。<img src=x onerror=alert(2)>\n", encoding="utf-8")
    return tmp_path


def test_title_and_body_html_is_shown_as_text(tmp_path: Path) -> None:
    root = _tiny_archive(tmp_path, "<script>alert(1)</script>")
    build_site(root, load_config(root))
    page = (root / "site/tickets/TS202310270001/index.html").read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in page
    assert "alert(1)" in html.unescape(re.sub(r"<[^>]+>", "", page))
    assert "<img src=x" not in page and "onerror=alert(2)" not in page.replace("&lt;img src=x onerror=alert(2)&gt;", "")
    assert "赵*" not in page and "13800001111" not in page and "联系人 〔已隐藏〕 电话 〔已隐藏〕。" in page


def test_english_site_language(tmp_path: Path) -> None:
    root = _tiny_archive(tmp_path, "Cannot log in", language="en")
    build_site(root, load_config(root))
    page = (root / "site/tickets/TS202310270001/index.html").read_text(encoding="utf-8")
    assert "Ticket ID" in page and "Priority" in page and "工单编号" not in page
    assert re.search(r'<html[^>]*\slang="?en\b', page), "the theme's own words follow the site language"


def test_repository_templates_override_the_defaults(tmp_path: Path) -> None:
    root = _tiny_archive(tmp_path, "override")
    (root / "templates/site").mkdir(parents=True)
    (root / "templates/site/home.md.j2").write_text("# Our own home page\n\n{{ n_tickets }} tickets\n", encoding="utf-8")
    build_site(root, load_config(root))
    assert "Our own home page" in (root / "site/index.html").read_text(encoding="utf-8")


def test_build_stops_on_errors_with_the_validate_report(tmp_path: Path) -> None:
    root = _tiny_archive(tmp_path, "ok")
    bad = root / "tickets/2023/10/TS202310270001.md"
    bad.write_text(bad.read_text(encoding="utf-8").replace("priority: P1", "priority: P9"), encoding="utf-8")
    result = CliRunner().invoke(main, ["build", "--root", str(root)])
    assert result.exit_code == 1
    assert "tickets/2023/10/TS202310270001.md:5: error: priority: expected one of" in result.output
    assert "Traceback" not in result.output and not (root / "site").exists()


def test_archive_without_mkdocs_yml_still_builds(tmp_path: Path) -> None:
    root = _tiny_archive(tmp_path, "no config")
    (root / "mkdocs.yml").unlink()
    build_site(root, load_config(root))
    assert "TS202310270001" in (root / "site/tickets/TS202310270001/index.html").read_text(encoding="utf-8")


def test_build_summary_line(tmp_path: Path) -> None:
    root = _tiny_archive(tmp_path, "ok")
    result = CliRunner().invoke(main, ["build", "--root", str(root), "--quiet"])
    assert result.exit_code == 0, result.output
    assert re.search(r"Built \d+ pages \(1 tickets, 0 articles\) into .* with \d+ warnings? in [\d.]+ s", result.output)


def test_record_and_timeline_stay_out_of_the_search_index(sample: Path) -> None:
    entries = [d for d in read_fragments(sample / "site/pagefind") if d["url"] == "tickets/TS202310270001/"]
    assert entries, "the ticket page is indexed"
    text = " ".join(d["meta"]["title"] + " " + d["content"] for d in entries)
    assert "跳转至" not in text and "Skip to" not in text, "the header's skip link is not indexed"
    assert "工单编号" not in text and "处理时间线" not in text
    assert "权限" in text, "the narrative is searchable"


def test_dimension_listings_show_the_newest_and_link_every_ticket(monkeypatch: pytest.MonkeyPatch) -> None:
    from datetime import date

    from tsgen.site import paginate, render
    from tsgen.templating import environment

    monkeypatch.setattr(render, "LISTING_LIMIT", 2)
    monkeypatch.setattr(paginate, "PART_ROWS", 4)
    monkeypatch.setattr(paginate.split, "__defaults__", (4,))
    archive = load_archive(REPO, load_config(REPO))
    pages = {p.path: p.text for p in render.SiteRenderer(archive, environment(REPO), today=date(2024, 3, 1)).render().pages}
    def html(path: str) -> str:  # a listing is all tables, rendered by tsgen into the front matter
        return yaml.load(pages[path].split("---\n", 2)[1], Loader=yaml.CSafeLoader)["tsgen_head"]

    status = html("lists/status.md")
    resolved = status.split(">已解决（", 1)[1].split("<h2", 1)[0]
    assert resolved.count("<tr><td><a") == 2 and "显示最新的 2 张" in resolved
    pending = status.split(">待解决（", 1)[1].split("<h2", 1)[0]
    n_pending = sum(t.status == "pending" for t in archive.tickets.values())
    assert n_pending > 2 and pending.count("<tr><td><a") == 2 and 'href="pending/"' in pending
    parts = [p for p in pages if p == "lists/status/pending.md" or p.startswith("lists/status/pending/")]
    assert len(parts) == -(-n_pending // 4) and sum(html(p).count("<tr><td><a") for p in parts) == n_pending
    assert f"共 {n_pending} 张，本页为第 1–4 张（第 1/{len(parts)} 页）" in html("lists/status/pending.md")
    if len(parts) > 1:
        assert 'href="2/" rel="next"' in html("lists/status/pending.md")
        assert 'rel="prev"' in html("lists/status/pending/2.md")
    month = {p for p in pages if p.startswith("lists/month/")}
    assert sum(html(p).count("<tr><td><a") for p in month) == len(archive.tickets), \
        "the month archive lists every ticket"
    assert all(html(p).count("<tr><td><a") <= 4 for p in month | set(parts)), "no part is longer than PART_ROWS"
    assert not any("显示最新的" in html(p) for p in month | set(parts)), \
        "a part of a whole listing says which range it shows, not that it shows only the newest"


def test_article_page_shows_its_newest_tickets_and_links_all_of_them(monkeypatch: pytest.MonkeyPatch) -> None:
    """An article's linked tickets do not grow its page: beyond LISTING_LIMIT, a listing in parts."""
    from datetime import date

    from tsgen.site import render
    from tsgen.templating import environment

    monkeypatch.setattr(render, "LISTING_LIMIT", 1)
    archive = load_archive(REPO, load_config(REPO))
    kid, back = max(archive.kb_backlinks.items(), key=lambda kv: len(kv[1]))
    assert len(back) > 1
    pages = {p.path: p.text for p in render.SiteRenderer(archive, environment(REPO), today=date(2024, 3, 1)).render().pages}
    foot = yaml.load(pages[f"kb/{kid}.md"].split("---\n", 2)[1], Loader=yaml.CSafeLoader)["tsgen_foot"]
    assert foot.count("<tr><td><a") == 1 and f"（{len(back)}）" in foot
    assert f'href="../../lists/kb/{kid}/"' in foot
    listing = yaml.load(pages[f"lists/kb/{kid}.md"].split("---\n", 2)[1], Loader=yaml.CSafeLoader)["tsgen_head"]
    assert all(tid in listing for tid in back)


def test_tags_that_slug_alike_get_pages_of_their_own() -> None:
    """`C++` and `C#` (and `a b` / `a-b`, and a tag that is a hex string) never share one page."""
    from tsgen.site.render import tag_slug

    tags = ["C++", "C#", "C", "a b", "a-b", "a/b", "!!!", "212121", "权限", "权限 不足", "权限-不足"]
    slugs = [tag_slug(t) for t in tags]
    assert len(set(slugs)) == len(tags), dict(zip(tags, slugs))
    assert tag_slug("权限") == "权限" and tag_slug("a-b") == "a-b", "a safe tag keeps its own name as its URL"
    assert all(re.fullmatch(r"[\w.\-]+", s) for s in slugs)
    assert tag_slug("C++") == tag_slug("C++"), "stable from build to build"


def test_a_duplicate_that_also_relates_is_listed_once() -> None:
    from datetime import date

    from tsgen.site import render
    from tsgen.templating import environment

    archive = load_archive(REPO, load_config(REPO))
    dup = next(t for t in archive.tickets.values() if t.duplicate_of and t.duplicate_of in t.related)
    pages = {p.path: p.text for p in render.SiteRenderer(archive, environment(REPO), today=date(2024, 3, 1)).render().pages}
    meta = yaml.load(pages[f"tickets/{dup.duplicate_of}.md"].split("---\n", 2)[1], Loader=yaml.CSafeLoader)
    links = meta["tsgen_foot"].split('id="tsgen-links"', 1)[1].split("<h2", 1)[0]
    assert links.count(f'/{dup.id}/"') == 1, f"{dup.id} is listed once among its original's links"


def test_custom_fields_are_shown_in_the_record_and_masked(tmp_path: Path) -> None:
    from conftest import TICKET_PATH, quoted_html, ticket_text, write

    write(tmp_path, "mkdocs.yml", "site_name: 测试\ntheme:\n  name: material\nextra:\n  tsgen:\n"
                                   "    custom_fields: [sales_rep, contract, source_import, modules]\n")
    write(tmp_path, TICKET_PATH, ticket_text(
        extra=['customer: {name: 张三丰, contact: "13812345678"}', "sales_rep: 王经理",
               'contract: "HT-2023-088（联系 138 1234 5678）"', "source_import: v1 ab12cd34",
               "modules: [订单, 库存]"]))
    site = tmp_path / "site"
    build_site(tmp_path, load_config(tmp_path), site_dir=site)
    page = quoted_html((site / "tickets/TS202310270001/index.html").read_text(encoding="utf-8"))
    record = page.split('id="tsgen-record"', 1)[1].split("</table>", 1)[0]
    assert "<tr><td>sales_rep<td>王经理<tr>" in record
    assert "<td>modules<td>订单；库存" in record
    assert "HT-2023-088" in record and "1234" not in page, "a custom field is masked like every published text"
    assert "source_import" not in record and "ab12cd34" not in page


def test_chrome_shared_by_many_pages_is_one_file(sample: Path) -> None:
    """issue 12: the navigation of a page outside it, a ticket's table of contents, Material's config and
    its JavaScript-only parts are written by scripts of shared files; the theme's unused files are gone."""
    site = sample / "site"
    ticket = (site / "tickets/TS202310270001/index.html").read_text(encoding="utf-8")
    scripts = re.findall(r'<script src="?\.\./\.\./(assets/tsgen-theme-[0-9a-f]+\.js)"?>', ticket)
    code = "".join((site / s).read_text(encoding="utf-8") for s in scripts)
    assert 'md-nav--primary' not in ticket and "md-nav--primary" in code and "工单列表" in code
    assert 'md-nav--secondary' not in ticket and "md-nav--secondary" in code
    assert "__config" not in ticket and '<script id=__config type=application/json>{' in code
    assert "md-top" in code and "md-dialog" in code
    assert 'name="generator"' not in ticket and "name=generator" not in ticket
    assert "工单记录" in ticket and "处理时间线" in ticket, "the page's own content stays in the page"
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "md-nav--primary" in home, "a page in the navigation keeps it inline"
    assert "opensearch.xml" in home and "opensearch.xml" not in ticket
    article = next(p for p in (site / "kb").glob("KB*/index.html")).read_text(encoding="utf-8")
    assert "md-nav--secondary" in article, "an article's table of contents stays in its page"
    js = site / "assets/javascripts"
    assert not (js / "workers").exists() and not (js / "lunr").exists() and not list(site.rglob("*.map"))
    assert list(js.glob("bundle.*.min.js")), "Material's bundle stays"


def test_pager_of_many_parts_links_first_last_and_neighbours() -> None:
    """A listing of 500 parts: each page links the previous and next, the first and last, and 4 on either side."""
    from tsgen.site.paginate import split
    from tsgen.templating import environment

    template = environment(REPO).get_template("site/_pager.html.j2")
    parts = [part for part, _ in split("lists/status/resolved", list(range(1000)), 2)]

    def pager(n: int) -> str:
        return template.render(part=parts[n - 1], t=lambda key: "%s%s%s%s%s" if key == "part_range" else key, url=lambda p: p).split("<nav", 1)[1]

    def numbers(text: str) -> list[str]:
        return re.findall(r">(\d+)</(?:a|strong)>", text)

    middle = pager(250)
    assert numbers(middle) == ["1", *map(str, range(246, 255)), "500"] and middle.count("…") == 2
    assert "<strong>250</strong>" in middle and 'href="lists/status/resolved/249.md" rel="prev"' in middle
    assert 'href="lists/status/resolved/251.md" rel="next"' in middle
    assert numbers(pager(1)) == [*map(str, range(1, 6)), "500"] and pager(1).count("…") == 1
    assert numbers(pager(500)) == ["1", *map(str, range(496, 501))]
    assert numbers(pager(6)) == [*map(str, range(1, 11)), "500"], "no gap between 1 and 2"
    small = [part for part, _ in split("x", list(range(6)), 2)]
    text = template.render(part=small[1], t=lambda key: "%s%s%s%s%s" if key == "part_range" else key, url=lambda p: p)
    assert numbers(text.split("<nav", 1)[1]) == ["1", "2", "3"] and "…" not in text
