"""A real browser on the built site: the sample archive, built once, served on localhost, driven by Chromium.

What a person would do: open the home page, search in Chinese, open a KB article and a ticket, and
check that the site is whole (no console error, no failed request), private (no customer name or
contact), offline (no request leaves localhost) and safe (a ticket title of raw HTML shows as text).

Skips when /usr/bin/chromium or the Python playwright package is missing. Screenshots go to each
test's tmp_path; run `pytest -s tests/test_browser.py` to see their paths.
"""

from __future__ import annotations

import functools
import json
import re
import shutil
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import quote, urlsplit

import pytest
import yaml

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(not CHROMIUM.is_file(), reason=f"no Chromium at {CHROMIUM} (apt-get install chromium)")
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e '.[test]')")
expect = sync_api.expect

from tsgen.site.build import Generated, build_site  # noqa: E402  (after the skips)
from tsgen.config import load_config  # noqa: E402
from tsgen.search.index import WORDS, write_words  # noqa: E402
from tsgen.search.segment import BUCKETS  # noqa: E402

REPO = Path(__file__).parents[1]
TICKET = "TS202310270001"  # the sample ticket every check below looks at
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
               "--disable-component-update", "--disable-sync"]
TIMEOUT_MS = 10_000
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
VIEWPORT = {"width": 1280, "height": 900}


def front_matter(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8").split("---", 2)[1])


def sample_ticket() -> dict[str, Any]:
    return front_matter(next((REPO / "tickets").rglob(f"{TICKET}.md")))


# --- fixtures: site, server, browser, page -------------------------------------------------------------


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the stdlib's name
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A browser hanging up mid-response (page closed) is not worth a traceback on stderr."""


def serve(directory: Path) -> tuple[ThreadingHTTPServer, str]:
    """Serve `directory` on 127.0.0.1 (a free port) from a daemon thread; returns (server, base URL)."""
    server = _Server(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(directory)))
    threading.Thread(target=server.serve_forever, name="site-server", daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Generated]:
    """A copy of the repository's sample archive, built once for the module (nothing is written into the repo)."""
    root = tmp_path_factory.mktemp("browser")
    for name in ("tickets", "kb"):
        shutil.copytree(REPO / name, root / name)
    shutil.copyfile(REPO / "mkdocs.yml", root / "mkdocs.yml")
    site = root / "site"
    gen, _warnings, _seconds = build_site(root, load_config(root), site_dir=site)
    assert (site / "index.html").is_file()
    return site, gen


@pytest.fixture(scope="module")
def base_url(sample: tuple[Path, Generated]) -> Iterator[str]:
    server, url = serve(sample[0])
    yield url
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        yield b
        b.close()


class Watch:
    """What a page did: every request URL; console errors, uncaught exceptions, failed requests; dialogs."""

    def __init__(self, page: Any) -> None:
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("console", lambda m: self.errors.append(f"console: {m.text} {m.location}") if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))
        # a request cut short by the next navigation (ERR_ABORTED) is no fault of the site
        page.on("requestfailed", lambda r: None if "ERR_ABORTED" in (r.failure or "")
                else self.errors.append(f"request failed: {r.url} {r.failure}"))
        page.on("response", lambda r: self.errors.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)

        def on_dialog(dialog: Any) -> None:
            self.dialogs.append(f"{dialog.type}: {dialog.message}")
            dialog.dismiss()

        page.on("dialog", on_dialog)

    def foreign(self) -> list[str]:
        """Requests to anything but the local server (fonts, CDNs, analytics ...); data:/blob: stay local."""
        return [u for u in self.requests
                if urlsplit(u).scheme not in ("data", "blob", "about") and urlsplit(u).hostname not in LOCAL_HOSTS]

    def assert_clean(self) -> None:
        assert self.requests, "the page made no request at all?"
        assert not self.foreign(), f"requests left localhost: {self.foreign()}"
        assert not self.errors, "console errors / failed requests:\n" + "\n".join(self.errors)
        assert not self.dialogs, f"dialogs opened: {self.dialogs}"


def new_page(browser: Any, color_scheme: str = "light") -> tuple[Any, Any, Watch]:
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN", color_scheme=color_scheme)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    return context, page, Watch(page)


@pytest.fixture
def tab(browser: Any) -> Iterator[tuple[Any, Watch]]:
    """A fresh page in its own context (no shared localStorage), with its Watch."""
    context, page, watch = new_page(browser)
    yield page, watch
    context.close()


def shot(page: Any, path: Path, full_page: bool = True) -> None:
    page.screenshot(path=str(path), full_page=full_page)
    print(f"\nscreenshot: {path}")


def after_heading(page: Any, heading: str) -> Any:
    """The first table after the h2 holding `heading` (Material wraps tables in scroll containers)."""
    return page.locator(f"xpath=//h2[contains(., '{heading}')]/following::table[1]")


def search(page: Any, query: str) -> tuple[list[str], list[str]]:
    """Search like a person: type into the header's box (IME-style input), press Enter, wait for the
    search page to finish (data-tsgen-search-done); returns the results' (texts, link paths) in rank order."""
    box = page.locator("form.tsgen-header-search input")
    expect(box).to_be_visible()
    box.click()
    box.fill("")
    page.keyboard.insert_text(query)  # Chinese comes from an IME: no key events ...
    page.keyboard.press("End")  # ... then a key, as a person would
    page.keyboard.press("Enter")
    page.wait_for_url("**/search/?q=*")
    return results(page)


def results(page: Any) -> tuple[list[str], list[str]]:
    """The finished search page's results: (texts, link paths), in rank order."""
    done = page.locator("#tsgen-search-results[data-tsgen-search-done]")
    expect(done).to_be_attached()
    items = page.locator("#tsgen-search-results li.tsgen-result")
    texts = items.all_inner_texts()
    hrefs = [urlsplit(a.get_attribute("href") or "").path for a in page.locator("#tsgen-search-results a").all()]
    return texts, hrefs


# --- the sample archive ----------------------------------------------------------------------------------


def test_home_page(tab: tuple[Any, Watch], base_url: str, sample: tuple[Path, Generated], tmp_path: Path) -> None:
    page, watch = tab
    archive = sample[1].archive
    site_name = load_config(REPO).site_name
    page.goto(base_url)
    expect(page).to_have_title(re.compile(re.escape(site_name)))
    expect(page.locator("h1").first).to_contain_text(site_name)

    summary = page.locator("article p", has_text="本知识库收录").first
    expect(summary).to_be_visible()
    numbers = [int(n) for n in summary.locator("strong").all_inner_texts()]
    n_open = sum(t.status != "resolved" for t in archive.tickets.values())
    assert numbers == [len(archive.tickets), len(archive.articles), n_open], summary.inner_text()

    for name, target in (("知识库", "kb"), ("工单列表", "lists")):
        link = page.locator("article").get_by_role("link", name=name, exact=True)
        expect(link).to_be_visible()
        assert link.get_attribute("href").rstrip("/").endswith(target), link.get_attribute("href")
    for heading in ("最常用的知识库文章", "未解决工单", "最近工单"):
        expect(page.get_by_role("heading", name=heading)).to_be_visible()
    recent = after_heading(page, "最近工单")
    newest = max(archive.tickets.values(), key=lambda t: (t.created, t.id))
    expect(recent.locator("tbody tr").first.get_by_role("link", name=newest.id)).to_be_visible()
    expect(recent.locator("tbody tr")).to_have_count(min(10, len(archive.tickets)))
    expect(page.locator("nav.md-nav--primary").get_by_role("link", name="知识库").first).to_be_attached()
    shot(page, tmp_path / "home.png")
    watch.assert_clean()


def test_search_in_chinese(tab: tuple[Any, Watch], base_url: str, tmp_path: Path) -> None:
    page, watch = tab
    page.goto(base_url)

    texts, hrefs = search(page, "权限不足")
    shot(page, tmp_path / "search-权限不足.png", full_page=False)
    assert any(h.endswith(f"/tickets/{TICKET}/") for h in hrefs), \
        f"the ticket {TICKET} is not among the results for 权限不足: {hrefs}"
    kb_hits = [t for t, h in zip(texts, hrefs) if re.search(r"/kb/KB\d+/$", h) and "权限" in t]
    assert kb_hits, f"no KB article about 权限不足 among the results: {list(zip(texts, hrefs))}"
    assert "权限不足" in texts[0] or "权限" in texts[0], f"the best result is unrelated: {texts[0]}"

    texts, hrefs = search(page, "数据库连接超时")
    assert any("数据库连接超时" in t for t in texts), texts

    texts, hrefs = search(page, TICKET)
    assert hrefs[0].endswith(f"/tickets/{TICKET}/"), f"searching {TICKET} does not find it first: {hrefs}"
    page.locator("#tsgen-search-results a").first.click()
    page.wait_for_url(f"**/tickets/{TICKET}/**")
    expect(page.locator("h1").first).to_contain_text(TICKET)
    watch.assert_clean()


def _documents_containing(archive: Any, text: str) -> set[str]:
    """Link paths of the tickets and articles whose title or body contains `text` (as written)."""
    found = {f"/tickets/{t.id}/" for t in archive.tickets.values() if text in t.title or text in t.body}
    return found | {f"/kb/{a.id}/" for a in archive.articles.values() if text in a.title or text in a.body}


def test_search_precise_chinese_kb_first(tab: tuple[Any, Watch], base_url: str, sample: tuple[Path, Generated],
                                         tmp_path: Path) -> None:
    """权限不足 returns the documents that contain 权限不足 (not every page with 权 or 限), the KB article first,
    the whole word highlighted; the page URL is shareable."""
    page, watch = tab
    archive = sample[1].archive
    page.goto(f"{base_url}search/?q=权限不足")
    texts, hrefs = results(page)
    shot(page, tmp_path / "search-page.png", full_page=False)
    wanted = _documents_containing(archive, "权限不足")
    assert 2 <= len(wanted) < len(archive.tickets) // 2
    assert set(hrefs) == wanted, f"extra: {set(hrefs) - wanted}, missing: {wanted - set(hrefs)}"
    assert re.search(r"/kb/KB\d+/$", hrefs[0]), f"a KB article first: {hrefs}"
    # the tickets that article solved (their `kb` names it) come right after it, if they hold the words
    lead = hrefs[0].split("/")[2]
    cases = {f"/tickets/{t.id}/" for t in archive.tickets.values() if lead in t.kb} & wanted
    assert cases and set(hrefs[1:1 + min(5, len(cases))]) <= cases, (lead, hrefs[:6], cases)
    marks = page.locator("#tsgen-search-results mark").all_inner_texts()
    assert "权限不足" in marks, f"the word is highlighted whole: {marks[:10]}"
    first = page.locator("#tsgen-search-results li.tsgen-result").first
    expect(first.locator(".tsgen-result-id")).to_have_text(re.compile(r"^KB\d+$"))
    expect(first.locator(".tsgen-badge").first).to_be_visible()
    expect(first.locator(".tsgen-result-date")).to_have_text(re.compile(r"^\d{4}-\d{2}-\d{2}$"))
    watch.assert_clean()


def test_search_with_a_large_vocabulary_in_files_by_character(tab: tuple[Any, Watch], base_url: str,
                                                              sample: tuple[Path, Generated], tmp_path: Path) -> None:
    """The vocabulary of a large archive comes in files by first character (search/index.py: write_words):
    the same site with its vocabulary written that way gives the same results, and a query fetches only
    the files of its own characters."""
    page, watch = tab
    page.goto(f"{base_url}search/?q=数据库连接超时 权限不足")
    _, expected = results(page)
    site = tmp_path / "site"
    shutil.copytree(sample[0], site)
    words = json.loads((site / "pagefind" / WORDS).read_text(encoding="utf-8"))
    write_words(site / "pagefind", words, single=0)
    assert json.loads((site / "pagefind" / WORDS).read_text(encoding="utf-8")) == {"buckets": BUCKETS}
    fetched: list[str] = []
    page.on("request", lambda r: fetched.append(urlsplit(r.url).path))
    server, url = serve(site)
    try:
        page.goto(f"{url}search/?q=数据库连接超时 权限不足")
        _, hrefs = results(page)
    finally:
        server.shutdown()
        server.server_close()
    assert hrefs == expected and hrefs, (hrefs, expected)
    files = sorted(p for p in fetched if "/tsgen-words/" in p)
    wanted = sorted({f"/pagefind/tsgen-words/{ord(c) % BUCKETS}.json" for c in "数据库连接超时权限不足"})
    assert files == wanted, f"only the files of the query's characters: {files}"
    watch.assert_clean()


def test_search_multi_word_error_string_and_filter(tab: tuple[Any, Watch], base_url: str,
                                                   sample: tuple[Path, Generated]) -> None:
    page, watch = tab
    archive = sample[1].archive
    # several words: the pages holding all of them come first
    page.goto(f"{base_url}search/?q=登录 权限")
    texts, hrefs = results(page)
    both = _documents_containing(archive, "登录") & _documents_containing(archive, "权限")
    assert len(both) >= 3
    assert set(hrefs[:len(both)]) <= both | {h for h in hrefs if h in both}
    assert all(h in both for h in hrefs[:3]), f"the first results hold both words: {hrefs[:3]}"
    # an exact error string finds the article that explains it first
    for query, kid in (("DB_CONN_TIMEOUT", "KB0002"), ("ORDER_VIEW_DENIED", "KB0001"), ("报错“权限不足”", "KB0001")):
        page.goto(f"{base_url}search/?q={quote(query)}")
        _texts, hrefs = results(page)
        assert hrefs and hrefs[0] == f"/kb/{kid}/", f"{query}: {hrefs[:5]}"
    # a Java exception: the class name alone, with its package or a tail of it, finds the text that quotes
    # it with its package (java.net.SocketTimeoutException), whatever the page's language cuts the query into
    quoting = {h for h in _documents_containing(archive, "java.net.SocketTimeoutException")}
    assert quoting
    for query in ("java.net.SocketTimeoutException", "SocketTimeoutException", "net.SocketTimeoutException",
                  "SocketTimeoutException: connect timed out"):
        page.goto(f"{base_url}search/?q={quote(query)}")
        _texts, hrefs = results(page)
        assert quoting <= set(hrefs[:10]), f"{query}: {hrefs[:10]} lacks {quoting}"
    # filler words and punctuation do not exclude results
    page.goto(f"{base_url}search/?q={quote('客户说登录以后老是提示权限不足，怎么办？')}")
    _texts, hrefs = results(page)
    assert hrefs and set(hrefs[:5]) & _documents_containing(archive, "权限不足"), hrefs[:5]
    # a filter: KB articles only, with counts per value, kept in the URL
    page.goto(f"{base_url}search/?q=权限不足")
    results(page)
    page.locator("#tsgen-search-filter-box summary").click()  # the counts load with the filter box
    kind = page.locator("select[name=kind]")
    expect(kind.locator("option[value=kb]")).to_have_text(re.compile(r"\(\d+\)$"))
    kind.select_option("kb")
    expect(page).to_have_url(re.compile(r"kind=kb"))
    _texts, hrefs = results(page)
    assert hrefs and all(h.startswith("/kb/") for h in hrefs), hrefs
    # newest first: dates never rise down the list, the newest matching ticket first
    page.goto(f"{base_url}search/?q=权限&sort=newest")
    _texts, hrefs = results(page)
    dates = page.locator("#tsgen-search-results .tsgen-result-date").all_inner_texts()
    assert len(dates) >= 5 and dates == sorted(dates, reverse=True), dates
    newest = max((t for t in archive.tickets.values() if "权限" in t.title or "权限" in t.body),
                 key=lambda t: (t.created, t.id))
    assert dates[0] >= newest.created.strftime("%Y-%m-%d"), (dates[0], newest.id)
    # zero results still finish
    page.goto(f"{base_url}search/?q=zzzzqqqq")
    assert results(page) == ([], [])
    watch.assert_clean()


def test_kb_article(tab: tuple[Any, Watch], base_url: str, tmp_path: Path) -> None:
    page, watch = tab
    page.goto(f"{base_url}tickets/{TICKET}/")
    kb_link = page.locator("#tsgen-answer a[href*='kb/KB']").first
    expect(kb_link).to_be_visible()
    kb_link.click()
    page.wait_for_url("**/kb/KB*/")
    kid = re.search(r"/kb/(KB\d+)/", page.url).group(1)
    linked = sample_ticket()["kb"]
    assert kid in (linked if isinstance(linked, list) else [linked]), (kid, linked)
    expect(page.locator("h1").first).to_contain_text(kid)

    box = page.locator(".admonition", has_text="适用场景").first
    expect(box).to_be_visible()
    expect(box.locator(".admonition-title")).to_have_text("适用场景")
    expect(box).to_contain_text("状态")

    expect(page.get_by_role("heading", name=re.compile("引用此文的工单"))).to_be_visible()
    backlinks = after_heading(page, "引用此文的工单")
    expect(backlinks.get_by_role("link", name=TICKET)).to_be_visible()
    shot(page, tmp_path / f"{kid}.png")

    page.goto(f"{base_url}kb/")  # the KB index lists the article too
    expect(page.locator(f"article a[href*='{kid}']").first).to_be_visible()
    watch.assert_clean()


def test_ticket_page(tab: tuple[Any, Watch], base_url: str, tmp_path: Path) -> None:
    page, watch = tab
    fm = sample_ticket()
    page.goto(f"{base_url}tickets/{TICKET}/")
    expect(page.locator("h1").first).to_contain_text(f"{TICKET} {fm['title']}")

    record = after_heading(page, "工单记录")
    rows = {}
    for tr in record.locator("tbody tr").all():
        cells = tr.locator("td").all_inner_texts()
        if len(cells) == 2:
            rows[cells[0].strip()] = cells[1].strip()
    for name in ("工单编号", "问题类型", "优先级", "处理结果", "客户满意度", "知识库", "归档状态"):
        assert name in rows, f"no {name} row in the record table: {list(rows)}"
    assert not [k for k in rows if re.fullmatch(r"[A-Za-z_.]+", k)], f"untranslated labels: {list(rows)}"
    assert rows["工单编号"] == TICKET
    assert rows["问题类型"] == "故障" and rows["处理结果"] == "已解决" and rows["归档状态"] == "已归档", rows
    assert rows["优先级"].startswith("P1"), rows
    assert rows["客户满意度"].startswith("满意"), rows
    # sub-fields in Chinese too, not their YAML keys
    assert "操作系统" in rows["环境信息"] and "os:" not in rows["环境信息"], rows["环境信息"]
    assert "功能验证" in rows["效果验证"] and "functional" not in rows["效果验证"], rows["效果验证"]
    kb = record.locator("tr", has_text="知识库").locator("a[href*='kb/KB']").first
    expect(kb).to_be_visible()
    expect(kb).to_contain_text("KB0001")

    expect(page.get_by_role("heading", name="处理时间线")).to_be_visible()
    timeline = after_heading(page, "处理时间线")
    times = timeline.locator("tbody tr td:first-child").all_inner_texts()
    assert [t.strip()[-5:] for t in times] == ["10:00", "10:15", "10:20"], times

    badge = page.locator(".tsgen-badge", has_text="SLA")
    expect(badge).to_be_visible()
    expect(badge).to_have_class(re.compile(r"\btsgen-sla-met\b"))  # P1, located after 14 minutes: within 30
    expect(badge).to_contain_text("按时响应")

    customer = fm.get("customer") or {}
    text, html = page.locator("body").inner_text(), page.content()
    for key in ("name", "contact"):
        value = str(customer.get(key, ""))
        assert value, f"the sample ticket should carry a customer {key} for this check"
        assert value not in text, f"the customer's {key} {value!r} is shown on the ticket page"
        assert value not in html, f"the customer's {key} {value!r} is in the ticket page's HTML"
    similar = page.locator("#tsgen-similar")
    expect(similar.locator("a[href*='kb/KB0001']").first).to_be_visible()
    expect(similar.locator("a[href*='TS20']").first).to_be_visible()
    shot(page, tmp_path / "ticket.png")
    watch.assert_clean()


PHONE = {"width": 390, "height": 844}


def test_ticket_page_answers_first_on_a_phone(browser: Any, base_url: str, tmp_path: Path) -> None:
    """On a 390 x 844 phone the solution and the linked KB article are on the first screen, before the record."""
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale="zh-CN")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    watch = Watch(page)
    try:
        page.goto(f"{base_url}tickets/{TICKET}/")
        solution = page.locator("#tsgen-answer .tsgen-solution")
        expect(solution).to_have_text(str(sample_ticket()["solution"]))
        kb = page.locator("#tsgen-answer a[href*='kb/KB0001']")
        for what, element in (("solution", solution), ("KB article", kb)):
            box = element.bounding_box()
            assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], \
                f"the {what} is not within the first 390x844 screen: {box}"
        record = page.get_by_role("heading", name="工单记录").bounding_box()
        assert record is not None and record["y"] > kb.bounding_box()["y"], "the record table comes after the answer"
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"the page scrolls sideways on a phone: {width}px wide"
        shot(page, tmp_path / "ticket-phone.png", full_page=False)
        watch.assert_clean()
    finally:
        context.close()


def test_ticket_page_dark(browser: Any, base_url: str, tmp_path: Path) -> None:
    """The slate palette follows the system preference; a screenshot to look at, and still a clean page."""
    context, page, watch = new_page(browser, color_scheme="dark")
    try:
        page.goto(f"{base_url}tickets/{TICKET}/")
        expect(page.locator("body")).to_have_attribute("data-md-color-scheme", "slate")
        expect(page.locator(".tsgen-badge", has_text="SLA")).to_be_visible()
        shot(page, tmp_path / "ticket-dark.png")
        watch.assert_clean()
    finally:
        context.close()


def test_navigation_pages_clean(tab: tuple[Any, Watch], base_url: str) -> None:
    """Every page of the navigation opens with a heading, no console error and nothing fetched from elsewhere."""
    page, watch = tab
    page.goto(base_url)
    hrefs = page.evaluate("() => [...document.querySelectorAll('nav.md-nav--primary a.md-nav__link[href]')]"
                          ".map(a => a.href)")
    urls = sorted({h.split("#")[0] for h in hrefs if h.startswith(base_url)})
    assert len(urls) >= 4, urls
    for url in urls:
        page.goto(url)
        expect(page.locator("article h1").first).to_be_visible()
    watch.assert_clean()


# --- a ticket title made of HTML ------------------------------------------------------------------------


def test_script_title_is_text(browser: Any, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from tsgen.cli import main

    root = tmp_path / "archive"
    (root / "tickets").mkdir(parents=True)
    (root / "kb").mkdir()
    shutil.copyfile(REPO / "mkdocs.yml", root / "mkdocs.yml")
    title = "<script>alert(1)</script>"
    result = CliRunner().invoke(main, ["new", "ticket", "--root", str(root), "--title", title,
                                       "--created", "2023-10-27 10:00"])
    assert result.exit_code == 0, result.output
    tid = Path(result.stdout.strip().splitlines()[0]).stem
    site = tmp_path / "site"
    build_site(root, load_config(root), site_dir=site)
    server, url = serve(site)
    context, page, watch = new_page(browser)
    try:
        page.goto(f"{url}tickets/{tid}/")
        expect(page.locator("h1").first).to_contain_text(f"{tid} {title}")
        expect(page.get_by_text(title).first).to_be_visible()
        assert page.locator("article script").count() == 0
        page.goto(url)  # the home page lists it too
        expect(page.locator("article").get_by_text(title).first).to_be_visible()
        texts, _hrefs = search(page, tid)  # and so does search, as text
        assert any(title in t for t in texts), texts
        page.wait_for_timeout(200)  # a late script would have fired by now
        assert not watch.dialogs, f"the title ran as script: {watch.dialogs}"
        watch.assert_clean()
    finally:
        context.close()
        server.shutdown()
        server.server_close()


def test_icons_show_under_file_urls(browser: Any, sample: tuple[Path, Generated], tmp_path: Path) -> None:
    """The site opened from disk (file://, no server) draws Material's icons: they are CSS masks of
    data: URLs in one stylesheet (site/minify.py), never an SVG <use> of another file, which a browser
    refuses there. The palette toggle is painted: its box holds pixels of the header's icon colour."""
    site, _ = sample
    context, page, watch = new_page(browser)
    try:
        page.goto((site / "tickets" / TICKET / "index.html").as_uri())
        toggle = page.locator("form[data-md-component=palette] label:not([hidden]) svg").first
        expect(toggle).to_be_visible()
        box = toggle.bounding_box()
        assert box and box["width"] >= 16 and box["height"] >= 16
        assert page.evaluate("s => getComputedStyle(s).maskImage", toggle.element_handle()).startswith('url("data:')
        assert page.locator("svg use").count() == 0, "no icon drawn from another file"
        drawn = toggle.screenshot()
        toggle.evaluate("s => { s.style.backgroundColor = 'transparent' }")
        blank = toggle.screenshot()
        toggle.evaluate("s => { s.style.backgroundColor = ''; s.style.mask = s.style.webkitMask = 'none' }")
        square = toggle.screenshot()
        assert drawn != blank, "the icon is painted (in the header's icon colour)"
        assert drawn != square, "through its mask (the drawing, not a filled square)"
        page.locator("form[data-md-component=palette] label:not([hidden])").click()  # written by its script
        expect(page.locator("body")).to_have_attribute("data-md-color-scheme", "slate")
        assert not watch.errors, watch.errors
    finally:
        context.close()
