"""Document text -> sanitized HTML (site/prose.py, site/sanitize.py), front matter by the YAML dumper, and
Markdown-safe text in generated pages (templating.md_inline, front_matter).

The corpus of attacks built into a whole site is tests/test_injection.py; here each piece is checked on its
own, with hypothesis where "any text" is the claim.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from pathlib import Path

import markdown
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mkdocs.utils.meta import get_data

from markupsafe import escape

from tsgen.site.prose import Prose, layout, markdown_settings
from tsgen.site.sanitize import sanitize
from tsgen.templating import front_matter, md_inline

REPO = Path(__file__).resolve().parents[1]
SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def prose() -> Prose:
    return Prose.for_site(REPO / "mkdocs.yml")


@pytest.fixture(scope="module")
def mkdocs_md() -> markdown.Markdown:
    """The second pass: Python-Markdown as MkDocs runs it on a generated page, with the sample's extensions."""
    extensions, configs = markdown_settings(REPO / "mkdocs.yml")
    return markdown.Markdown(extensions=extensions, extension_configs=configs)


def test_raw_html_in_text_is_text_and_code_is_code(prose: Prose) -> None:
    body = ("## 截图示例\n\n![权限配置](images/a.png)\n\n```\n![代码](images/code.png) <b>kept</b>\n```\n\n"
            "行内 `<i>x</i>` 也是代码。<script>alert(1)</script>\n")
    out = str(prose.page(body, link=lambda url: "sub/" + url, demote=True))
    assert "### 截图示例" in out, "headings move one level down under the ticket's own section"
    assert '<img alt="权限配置" src="sub/images/a.png">' in out, "image paths go through the page's link function"
    assert "<code>![代码](images/code.png) &lt;b&gt;kept&lt;/b&gt;\n</code>" in out
    assert "<code>&lt;i&gt;x&lt;/i&gt;</code>" in out
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out and "<script" not in out


def test_what_authors_use_survives(prose: Prose) -> None:
    body = ("## 原因 {#cause}\n\n见 [原因](#cause)。\n\n| 项 | 值 |\n|:--|--:|\n| a | 1 |\n\n"
            "!!! warning \"注意\"\n    先备份。\n\n??? note \"详情\"\n    折叠。\n\n```python\nprint('hi')\n```\n\n"
            "术语\n:   解释\n\n[官网](https://example.com/a?b=1) [邮件](mailto:ops@example.com)\n")
    out = str(prose.page(body))
    assert "## 原因 {#cause}" in out and '<a href="#cause">' in out
    assert '<th style="text-align:left">' in out and '<td style="text-align:right">1</td>' in out
    assert '<div class="admonition warning">' in out and '<p class="admonition-title">注意</p>' in out
    assert '<details class="note">' in out and "<summary>详情</summary>" in out
    assert '<div class="highlight"><pre><span></span><code><span class="nb">print</span>' in out
    assert "<dt>术语</dt>" in out
    assert 'href="https://example.com/a?b=1"' in out and 'href="mailto:ops@example.com"' in out


@pytest.mark.parametrize("html_in, kept, gone", [
    ('<a href="JaVaScRiPt:alert(1)">x</a>', "<a>x</a>", "alert"),
    ('<a href="&#106;avascript:alert(1)">x</a>', "<a>x</a>", "alert"),
    ('<a href="\x01javascript:alert(1)">x</a>', "<a>x</a>", "alert"),
    ('<a href=" javascript:alert(1)">x</a>', "<a>x</a>", "alert"),
    ('<img src="data:image/svg+xml;base64,PHN2Zz4=" alt="a">', '<img alt="a">', "data:"),
    ('<a href="vbscript:msgbox(1)">x</a>', "<a>x</a>", "vbscript"),
    ('<p onclick="alert(1)" onmouseover="alert(2)">p</p>', "<p>p</p>", "alert"),
    ('<td style="text-align: right; background: url(javascript:alert(1))">c</td>', "", "url("),
    ('<svg onload="alert(1)"><text>t</text></svg>', "", "svg"),
    ('<iframe src="https://x"></iframe><object data="x"></object><embed src="x"><form action="x"><input type="text"></form>',
     "", "iframe"),
    ('<div class="admonition note md-header md-search">x</div>', '<div class="admonition note">x</div>', "md-"),
    ('<img src="x" name="querySelector">', '<img src="x">', "querySelector"),
])
def test_sanitizer_allow_list(html_in: str, kept: str, gone: str) -> None:
    out = sanitize(html_in)
    assert kept in out and gone not in out, out


# --- the page content MkDocs gets: its second Markdown pass must leave tsgen's HTML exactly as it is ----

class _Blocks(HTMLParser):
    """The text of the page's tsgen-prose blocks as events (tags, attributes, text), for comparing HTML."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.events: list[tuple] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.events.append(("start", tag, sorted(attrs)))

    def handle_endtag(self, tag: str) -> None:
        self.events.append(("end", tag))

    def handle_data(self, data: str) -> None:
        if data.strip():
            self.events.append(("text", data.strip()))


def _events(text: str) -> list[tuple]:
    parser = _Blocks()
    parser.feed(text)
    parser.close()
    return parser.events


def _without_headings(text: str) -> str:
    return re.sub(r"<h([1-6])[^>]*>.*?</h\1>", "", text, flags=re.DOTALL)


MARKDOWNISH = st.lists(st.sampled_from(list("`~{}[]()<>!*_#|:=-.\\\"' \n\tab1中") + [
    "```", "~~~", "{: onclick=x}", "{#id}", "](javascript:x)", "<img src=x onerror=y>", "--8<--", "{++a++}",
    "!!! note", "\n    ", "| a |\n|---|\n", "## h\n", "&#96;", "&lt;", "</div>", "<div markdown>", "\n\n"]), max_size=60).map("".join)


@SETTINGS
@given(MARKDOWNISH)
def test_mkdocs_second_pass_leaves_the_html_unchanged(prose: Prose, mkdocs_md: markdown.Markdown, text: str) -> None:
    """Fences, critic marks, snippets, attribute lists, indented lines: nothing in tsgen's HTML blocks is
    Markdown to MkDocs. Compared as parsed HTML (tags, attributes, text), wrappers and headings aside."""
    sanitized = prose.html(text)
    mkdocs_md.reset()
    final = mkdocs_md.convert(str(prose.page(text)))
    assert _events(_bare(final)) == _events(_bare(sanitized)), (text, sanitized, final)
    assert len(re.findall(r"<h[1-6]", final)) == len(re.findall(r"<h[1-6]", sanitized))
    assert not re.search(r"<[^>]+\son\w+\s*=", final)


def _bare(text: str) -> str:
    return re.sub(r"</?div[^>]*>", "", _without_headings(text))


# --- text that tsgen puts into Markdown it generates, and into front matter ---------------------------

TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=60)


@SETTINGS
@given(TEXT)
def test_md_inline_text_is_only_ever_text(mkdocs_md: markdown.Markdown, text: str) -> None:
    """In a table cell, a list item's link text and a heading, the text shows as written (controls as spaces)."""
    shown = " ".join(re.sub(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]", " ", text).split())
    cell = md_inline(text)
    for source, tag in ((f"| a |\n|---|\n| {cell} |\n", "td"), (f"- [KB0001 {cell}](x.md)\n", "a"),
                        (f"## {cell}\n", "h2")):
        mkdocs_md.reset()
        out = mkdocs_md.convert(source)
        found = re.search(rf"<{tag}\b([^>]*)>(.*?)</{tag}>", out, re.DOTALL)
        assert found, (source, out)
        if tag == "a":
            assert found.group(1) == ' href="x.md"', out
        else:
            assert not found.group(1).strip() or found.group(1).startswith(' id="'), out
        inner = re.sub(r"<a class=\"headerlink\".*?</a>", "", found.group(2))
        assert "<" not in inner.replace("&lt;", ""), out
        got = " ".join(html.unescape(inner).split())
        assert got == (f"KB0001 {shown}".strip() if tag == "a" else shown), (source, out)


LINES = st.lists(st.one_of(TEXT, st.sampled_from(["---", "...", "", " ", "  x", "\t", "- a", "#", "|", "'", '"'])),
                 max_size=5).map("\n".join)


@SETTINGS
@given(TEXT, st.lists(TEXT, max_size=3), LINES, st.sampled_from(["", "\n", "\n\n", " \n", "\n\n\n"]))
def test_front_matter_of_any_title_and_tags_is_valid(title: str, tags: list[str], extra: str, end: str) -> None:
    """Whatever a title or tag holds (quotes, C0/C1 controls, `---`, line separators), MkDocs reads the page's
    front matter back: the title (HTML-escaped, as the theme shows it) and the HTML strings unchanged."""
    head = "<h1>" + html.escape(title) + "</h1>\n" + "".join(f"<code>{html.escape(t)}</code>\n" for t in tags) \
        + extra + end
    page = str(front_matter(title=title, search={"exclude": True}, hide=["toc"], tsgen_head=head, tsgen_foot=extra)) \
        + "\n## 正文\n"
    body, meta = get_data(page)
    assert meta == {"title": str(escape(title)), "search": {"exclude": True},
                    "hide": ["toc"], "tsgen_head": head, "tsgen_foot": extra}, page
    assert body == "## 正文\n"


# --- on a built site: links, images beside the article, the table of contents ----------------------------

@pytest.mark.parametrize("directory_urls", [True, False])
def test_built_article_links_images_and_table_of_contents(tmp_path: Path, directory_urls: bool) -> None:
    from urllib.parse import unquote, urljoin

    from conftest import KB_PATH, TICKET_PATH, kb_text, quoted_html, ticket_text, write
    from tsgen.config import load_config
    from tsgen.site.build import build_site

    write(tmp_path, "mkdocs.yml", (REPO / "mkdocs.yml").read_text(encoding="utf-8")
          + f"use_directory_urls: {str(directory_urls).lower()}\n")
    write(tmp_path, TICKET_PATH, ticket_text())
    png = (REPO / "kb" / "images" / "kb0001-permission.png").read_bytes()
    write(tmp_path, "kb/images/截图1.png", png)
    write(tmp_path, "kb/images/b.png", png)
    body = ("## 问题描述 {#problem}\n\n见工单 [TS202310270001](../tickets/2023/10/TS202310270001.md#_1) 与"
            " [原因](#cause)。\n\n![截图](images/截图1.png)\n\n## 原因分析 {#cause}\n\n![b](images/b.png \"t\")\n\n"
            "## 解决步骤\n\n1. 步骤。\n\n![参考式][shot] ![简写]\n\n[shot]: images/b.png\n[简写]: <images/截图1.png> \"t\"\n")
    write(tmp_path, KB_PATH, kb_text(body=body))
    site = tmp_path / "site"
    build_site(tmp_path, load_config(tmp_path), site_dir=site)
    page = site / ("kb/KB0001/index.html" if directory_urls else "kb/KB0001.html")
    text = quoted_html(page.read_text(encoding="utf-8"))
    base = "file://" + page.as_posix()
    for src in re.findall(r'<img [^>]*src="([^"]+)"', text):
        assert Path(unquote(urljoin(base, src))[len("file://"):]).is_file(), src
    assert len(re.findall(r'<img [^>]*src="', text.split("<article", 1)[1])) == 4, "reference-style images too"
    href = re.search(r'<a href="([^"]+)">TS202310270001</a>', text.split("tsgen-prose", 1)[1]).group(1)
    target = unquote(urljoin(base, href.split("#")[0]))[len("file://"):]
    assert Path(target if not target.endswith("/") else target + "index.html").is_file(), href
    assert href.endswith("#_1")
    toc = text.split('class="md-nav md-nav--secondary"', 1)[1].split("</nav>", 1)[0]
    assert 'href="#problem"' in toc and 'href="#cause"' in toc and "解决步骤" in toc
    assert '<h2 id="cause">' in text and '<a href="#cause">原因</a>' in text
