"""No script from content ever runs: the corpus of tests/injection_corpus.py built into a site (in a git
repository whose authors' names are attacks too), checked on every page.

Statically, with html.parser, on every HTML file of site/ and of a plain `mkdocs build -f .tsgen/mkdocs.yml`:
no `on*` attribute anywhere; no javascript:/data:/vbscript: (or other non-web) URL in any URL attribute; no
style attribute or element with `url(`/`expression(` in the content; no script but the theme's own (its
bundle, and inline scripts without the corpus' payloads); no iframe, object, embed, form, svg, math, base or
meta refresh from content (the theme's own icons and search form are outside `<article>`; tsgen's
statistics charts are its own SVG). In Chromium: every page opened, no dialog, no element with an event
handler attribute.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Iterator

import pytest
from mkdocs.utils.meta import get_data

from gitutil import GitRepo
from injection_corpus import AUTHORS, TITLES, write_corpus
from tsgen.archive.link import load_archive
from tsgen.config import load_config
from tsgen.site.build import build_site

URL_ATTRS = {"href", "src", "action", "formaction", "xlink:href", "poster", "data", "srcset", "background",
             "cite", "longdesc", "lowsrc", "dynsrc", "ping", "manifest", "codebase", "icon", "srcdoc"}
FOREIGN_IN_CONTENT = {"iframe", "object", "embed", "form", "math", "base", "frame", "frameset", "applet",
                      "portal", "audio", "video", "source", "textarea", "button", "select", "link", "meta", "style"}
# tsgen's own controls, written by its templates (the sanitizer lets no button out of a document)
OWN_CONTROLS = {("button", "md-button tsgen-copy")}
PAYLOAD = re.compile(r"alert\(|prompt\(|confirm\(|msgbox\(", re.IGNORECASE)
SAFE_SCHEMES = {"http", "https", "mailto"}


def _scheme(url: str) -> str | None:
    """The scheme a browser would see: leading C0 controls and spaces dropped, tabs and newlines removed."""
    url = re.sub(r"[\t\n\r]", "", url.lstrip("\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f\x10\x11\x12"
                                             "\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f "))
    m = re.match(r"([a-zA-Z][a-zA-Z0-9+.\-]*):", url)
    return m.group(1).lower() if m else None


class PageCheck(HTMLParser):
    """Collects every problem of one HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.stack: list[tuple[str, bool, bool]] = []  # (tag, in article, in a tsgen chart)
        self.script: list[str] | None = None
        self.style: list[str] | None = None
        self.in_form = False   # inside tsgen's own search form (templates/site/search page)

    @property
    def in_article(self) -> bool:
        return bool(self.stack) and self.stack[-1][1]

    @property
    def in_chart(self) -> bool:
        return bool(self.stack) and self.stack[-1][2]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._check(tag, attrs)
        classes = (dict(attrs).get("class") or "").split()
        if tag == "form" and "tsgen-search-form" in classes:
            self.in_form = True
        article = self.in_article or tag == "article"
        chart = self.in_chart or (tag == "div" and "tsgen-chart" in classes)
        if tag not in {"area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr",
                       "base", "param"}:
            self.stack.append((tag, article, chart))
        if tag == "script":
            self.script = []
            src = dict(attrs).get("src")
            # the theme's scripts and tsgen's own (assets/tsgen*.js), never one named by content
            if src is not None and not re.match(r"^/?(\.\./)*(\./)?assets/(javascripts/[\w./-]+|tsgen[\w.-]*)\.js$", src):
                self.problems.append(f"script from {src!r}")
            if self.in_article or article:
                self.problems.append("script element inside the content")
        if tag == "style":
            self.style = []

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._check(tag, attrs)

    def _check(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        where = f"<{tag} {' '.join(f'{k}={v!r}' for k, v in attrs)}>"
        for name, value in attrs:
            value = value or ""
            if name.startswith("on"):
                self.problems.append(f"event handler {name} on {where}")
            if name in URL_ATTRS:
                scheme = _scheme(value)
                if scheme is not None and scheme not in SAFE_SCHEMES:
                    self.problems.append(f"{scheme}: URL in {name} of {where}")
                if name == "srcdoc":
                    self.problems.append(f"srcdoc on {where}")
            if name == "style" and re.search(r"url\s*\(|expression\s*\(|javascript:", value, re.IGNORECASE):
                self.problems.append(f"style with url()/expression() on {where}")
            if name in ("http-equiv",) and value.lower() == "refresh":
                self.problems.append(f"meta refresh {where}")
            if PAYLOAD.search(value) and name not in ("title", "alt", "content", "value", "datetime"):
                self.problems.append(f"payload in attribute {name} of {where}")
        inside = self.in_article or tag == "article"
        classes = (dict(attrs).get("class") or "").split()
        # tsgen's own controls (the digest's copy button, the search page's form and what it holds) come
        # from its templates; the sanitizer lets no form, input, select or button out of a document
        own = self.in_form or (tag, " ".join(classes)) in OWN_CONTROLS or (tag == "form" and "tsgen-search-form" in classes) \
            or (tag == "button" and (dict(attrs).get("id") or "").startswith("tsgen-search"))
        if inside and tag in FOREIGN_IN_CONTENT and not own:
            self.problems.append(f"{tag} element inside the content: {where}")
        if inside and tag == "svg" and not self.in_chart:
            self.problems.append(f"svg inside the content (not a tsgen chart): {where}")
        if inside and tag == "input" and dict(attrs).get("type") not in ("checkbox", "radio") and not own:
            self.problems.append(f"input inside the content: {where}")
        if tag == "base":
            self.problems.append(f"base element {where}")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.in_form = False
        if tag == "script" and self.script is not None:
            text = "".join(self.script)
            if PAYLOAD.search(text):
                self.problems.append(f"script with a payload: {text[:80]!r}")
            self.script = None
        if tag == "style" and self.style is not None:
            text = "".join(self.style)
            if re.search(r"javascript:|expression\s*\(", text, re.IGNORECASE):
                self.problems.append(f"style element with script: {text[:80]!r}")
            self.style = None
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data: str) -> None:
        if self.script is not None:
            self.script.append(data)
        if self.style is not None:
            self.style.append(data)


def check_page(path: Path) -> list[str]:
    checker = PageCheck()
    checker.feed(path.read_text(encoding="utf-8"))
    checker.close()
    return checker.problems


def check_site(site: Path) -> dict[str, list[str]]:
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 40, f"the corpus site has only {len(pages)} pages"
    found = {p.relative_to(site).as_posix(): check_page(p) for p in pages}
    return {page: problems for page, problems in found.items() if problems}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The corpus archive in a git repository (articles and tickets committed by hostile author names), built."""
    base = tmp_path_factory.mktemp("injection")
    home = base / "_home"
    home.mkdir()
    (home / ".gitconfig").write_text("[init]\n\tdefaultBranch = main\n")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HOME", str(home))
        mp.setenv("GIT_CONFIG_NOSYSTEM", "1")
        mp.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
        root = base / "archive"
        repo = GitRepo(root)
        ids = write_corpus(root)
        for i, kid in enumerate(ids["articles"]):
            author = (AUTHORS[i % len(AUTHORS)], f"a{i}@example.com")
            repo.git("add", *[p.relative_to(root).as_posix() for p in (root / "kb").glob(f"{kid}-*.md")])
            repo.git("commit", "-q", "-m", f"add {kid}", author=author)
        repo.commit("tickets and the rest", author=(AUTHORS[-1], "z@example.com"))
        build_site(root, load_config(root), site_dir=root / "site")
        yield root


def test_every_page_of_the_built_site_is_clean(corpus: Path) -> None:
    problems = check_site(corpus / "site")
    assert not problems, "\n".join(f"{page}: {p}" for page, ps in problems.items() for p in ps[:5])


def test_the_contributors_page_shows_the_authors_as_text(corpus: Path) -> None:
    page = (corpus / "site" / "contributors" / "index.html").read_text(encoding="utf-8")
    import html as html_mod

    text = html_mod.unescape(re.sub(r"<[^>]+>", " ", page.split("<article", 1)[1]))
    names = set(GitRepo(corpus, init=False).git("log", "--format=%an").splitlines())  # git trims some
    assert len(names) == len(AUTHORS)
    for name in names:
        assert name in text, f"author {name!r} is not shown as written"


def test_titles_are_text_and_every_page_has_its_front_matter(corpus: Path) -> None:
    import html as html_mod

    docs = corpus / ".tsgen" / "docs"
    pages = sorted(docs.rglob("*.md"))
    for path in pages:
        body, meta = get_data(path.read_text(encoding="utf-8"))
        assert meta.get("title"), f"{path.relative_to(docs)}: the front matter did not load"
    archive = load_archive(corpus, load_config(corpus))
    for i, _ in enumerate(TITLES):
        tid = f"TS20231027{i + 1:04d}"
        title = archive.tickets[tid].title  # as the loader read it (surrounding white space trimmed)
        _body, meta = get_data((docs / "tickets" / f"{tid}.md").read_text(encoding="utf-8"))
        assert html_mod.unescape(meta["title"]) == f"{tid} {title}"
        assert "tsgen_head" in meta
        page = (corpus / "site" / "tickets" / tid / "index.html").read_text(encoding="utf-8")
        h1 = re.search(r"<h1[^>]*>(.*?)</h1>", page, re.DOTALL)
        # the minifier collapses runs of white space, as every browser shows them
        shown = re.sub(r"\s+", " ", html_mod.unescape(h1.group(1))) if h1 else None
        assert shown == re.sub(r"\s+", " ", f"{tid} {title}"), (title, h1 and h1.group(1))


def test_active_files_beside_the_documents_are_not_published(corpus: Path) -> None:
    site = corpus / "site"
    assert (site / "kb" / "images" / "ok.png").is_file()
    assert not list(site.rglob("evil.*")), "an SVG or HTML file beside an article would run on the site's host"


def test_plain_mkdocs_build_of_the_build_folder_is_clean(corpus: Path, tmp_path: Path) -> None:
    """What tsgen hands MkDocs is safe by itself: `mkdocs build -f .tsgen/mkdocs.yml` (or Zensical) gets
    sanitized HTML, not Markdown that a later parser could make live."""
    config = corpus / ".tsgen" / "mkdocs.yml"
    site = tmp_path / "plain"
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(config), "-d", str(site)],
                          cwd=corpus, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    problems = check_site(site)
    assert not problems, "\n".join(f"{page}: {p}" for page, ps in problems.items() for p in ps[:5])


def test_the_checker_finds_what_it_looks_for(tmp_path: Path) -> None:
    """The static check is not vacuous: each kind of live markup on a page is reported."""
    bad = ['<p onclick="x">', '<a href=" JaVaScript:x">', '<a href="&#x6A;avascript:x">', '<img src="data:x">',
           '<article><iframe></iframe></article>', '<article><svg></svg></article>', '<script src="//cdn/x.js"></script>',
           '<script>alert(1)</script>', '<div style="background:url(x)">', '<article><form></form></article>',
           '<a href="vbscript:x">', '<meta http-equiv="refresh" content="0">']
    for snippet in bad:
        path = tmp_path / "p.html"
        path.write_text(f"<html><body>{snippet}</body></html>", encoding="utf-8")
        assert check_page(path), snippet
    path.write_text('<html><body><svg></svg><form class="md-search__form"></form><article><div class="tsgen-chart">'
                    '<svg></svg></div><a href="../x/">x</a></article><script src="../assets/javascripts/bundle.js">'
                    '</script></body></html>', encoding="utf-8")
    assert check_page(path) == []


# --- in Chromium -----------------------------------------------------------------------------------------

CHROMIUM = Path("/usr/bin/chromium")


def test_no_page_runs_script_in_chromium(corpus: Path) -> None:
    """Every page of the corpus site, opened in a real browser: no dialog, no event-handler attribute in the DOM."""
    if not CHROMIUM.is_file():
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e '.[test]')")
    from test_browser import LAUNCH_ARGS, search, serve

    site = corpus / "site"
    server, base = serve(site)
    urls = [base + p.relative_to(site).as_posix().removesuffix("index.html") for p in sorted(site.rglob("index.html"))]
    dialogs: list[str] = []
    handlers: dict[str, Any] = {}
    try:
        with sync_api.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
            context = browser.new_context()
            context.set_default_timeout(15_000)
            page = context.new_page()
            page.on("dialog", lambda d: (dialogs.append(f"{page.url}: {d.type} {d.message}"), d.dismiss()))
            for url in urls:
                page.goto(url, wait_until="load")
                found = page.evaluate("""() => [...document.querySelectorAll('*')].flatMap(e =>
                    [...e.attributes].filter(a => a.name.toLowerCase().startsWith('on')
                        || /^\\s*(javascript|data|vbscript):/i.test(a.value) && ['href', 'src', 'action', 'formaction'].includes(a.name))
                    .map(a => e.tagName + ' ' + a.name + '=' + a.value))""")
                if found:
                    handlers[url] = found
            page.wait_for_timeout(300)  # a timer or a late image error would have fired by now
            page.goto(base)  # search results show the bodies' text: as text
            for query in ("onerror", "alert", "javascript"):
                texts, _hrefs = search(page, query)
                assert texts, query
            page.wait_for_timeout(300)
            found = page.evaluate("() => [...document.querySelectorAll('*')].flatMap(e => [...e.attributes]"
                                  ".filter(a => a.name.toLowerCase().startsWith('on')).map(a => e.tagName + ' ' + a.name))")
            if found:
                handlers["search results"] = found
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    assert len(urls) > 40
    assert not dialogs, f"script ran: {dialogs}"
    assert not handlers, f"event handlers or script URLs in the DOM: {handlers}"


def test_validate_warns_about_links_and_attribute_lists_the_site_drops(corpus: Path) -> None:
    """Each such input gets a warning naming the file, the line and what happens to it (the sanitizer
    removes it whatever the warning finds)."""
    import json

    from conftest import run_cli

    result = run_cli(["validate", "--root", str(corpus), "--format", "json"])
    assert result.exit_code == 0, result.output
    problems = json.loads(result.stdout)
    for path in sorted((corpus / "tickets").rglob("*.md")) + sorted((corpus / "kb").glob("*.md")):
        rel = path.relative_to(corpus).as_posix()
        lines = path.read_text(encoding="utf-8").split("\n")  # not splitlines: U+2028 is no line break to YAML
        for number, line in enumerate(lines, 1):
            expected = ("javascript:" if line.startswith("[a](javascript:alert(1))") else
                        "sets onclick" if line.startswith("[link](https://example.com){: onclick") else None)
            if expected:
                assert any(p["path"] == rel and p["line"] == number and p["severity"] == "warning"
                           and expected in p["message"] for p in problems), (rel, number, line)
