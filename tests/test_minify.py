"""site/minify.py: smaller pages that show the same, with escaped text kept escaped."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

from tsgen.site import minify
from tsgen.site.minify import ICONS, SCRIPTS, MinifyPages, compact, dest_of

ICON = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><path d="M3 6h18v2H3z"/></svg>')
PAGE = f"""<!doctype html>
<html lang="zh">
  <head>
    <title>&lt;script&gt;alert(1)&lt;/script&gt; 标题</title>
    <script>__md_scope=new URL("../..",location),__md_get=(e,_=localStorage,t=__md_scope)=>JSON.parse(_.getItem(t.pathname+"."+e))</script>
  </head>
  <body>
    <label class="md-icon">
      {ICON}
    </label>
    <p title="&lt;img src=x onerror=alert(2)&gt;">
        &lt;b&gt;粗体&lt;/b&gt; &amp; &quot;引号&quot;
    </p>
    <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 720 300" role="img"><rect width="10" height="5"/></svg>
    <article><script>var inside_the_article_stays_where_it_is = "a long enough script for the size limit, here";</script></article>
    <script id="__config" type="application/json">{{"translations": {{"copy": "\\u590d\\u5236", "search.result.none": "x"}}, "x": "</"}}</script>
  </body>
</html>
"""


def test_compact_keeps_what_is_shown_and_escaped_text_escaped() -> None:
    icons: dict[str, str] = {}
    small = compact(PAGE, "tickets/TS202310270001/index.html", icons)
    assert len(small) < len(PAGE)
    assert "<script>alert(1)</script>" not in small and "&lt;script&gt;alert(1)&lt;/script&gt; 标题" in small
    assert "<img src=x" not in small and "&lt;b&gt;粗体&lt;/b&gt; &amp; &quot;引号&quot;" in small
    (key, rule), = ((k, v) for k, v in icons.items() if k.startswith(ICONS))
    name = key.split("#")[1]
    assert f"class=tsgen-i-{name}></svg>" in small, "an empty svg, painted by the stylesheet (quotes optional)"
    assert f"<link href=../../{ICONS} rel=stylesheet>" in small
    assert rule.startswith(f'.tsgen-i-{name}{{--tsgen-i:url("data:image/svg+xml,') and "M3 6h18v2H3z" in rule
    assert "M3 6h18v2H3z" not in small, "the icon's drawing is in the stylesheet"
    assert 'viewbox="0 0 720 300"' in small.lower() and "<rect" in small, "a chart stays inline"
    assert '"copy":"复制"' in small and "\\u003c/" in small, "config JSON without escapes, never a </ inside"
    assert "search.result" not in small, "no texts of Material's search box on a page without one"
    (script, code), = ((k, v) for k, v in icons.items() if k.startswith(SCRIPTS))
    assert f"<script src=../../{script}></script>" in small and "__md_scope" in code and "__md_scope" not in small
    assert "<script>var inside_the_article" in small, "a script in the article (none there but tests') stays"


def test_dest_of_follows_mkdocs() -> None:
    assert dest_of("index.md", True) == "index.html"
    assert dest_of("tickets/TS1.md", True) == "tickets/TS1/index.html"
    assert dest_of("lists/tag/数据库/2.md", True) == "lists/tag/数据库/2/index.html"
    assert dest_of("tickets/TS1.md", False) == "tickets/TS1.html"
    assert dest_of("kb/index.md", False) == "kb/index.html"


def test_pages_are_minified_as_mkdocs_logs_them(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "tickets" / "TS1").mkdir(parents=True)
    (site / "tickets" / "TS1" / "index.html").write_text(PAGE, encoding="utf-8")
    (site / "404.html").write_text(PAGE, encoding="utf-8")
    log = logging.getLogger("mkdocs.commands.build")
    with MinifyPages(site, directory_urls=True) as minifier:
        log.debug("Building page tickets/TS1.md")
        minifier.finish()
    assert minifier.pages == 2 and minifier.after < minifier.before
    assert not log.filters
    page = (site / "tickets" / "TS1" / "index.html").read_text(encoding="utf-8")
    assert "    " not in page
    css = (site / ICONS).read_text(encoding="utf-8").splitlines()
    assert len(css) == 2 and "mask:var(--tsgen-i)" in css[0] and "data:image/svg+xml" in css[1]


def test_palette_switch_is_written_by_its_script() -> None:
    """Material's palette form (the same on every page, useless without JavaScript) moves into the file of
    the script that follows it, which writes it back in the same place before anything else runs."""
    form = ('<form class="md-header__option" data-md-component="palette">\n  <input class="md-option" '
            'aria-label="切换到深色模式" type="radio" name="__palette" id="__palette_0">\n'
            f'  <label class="md-header__button md-icon" for="__palette_1" hidden>{ICON}</label>\n</form>')
    code = 'var palette=__md_get("__palette");if(palette&&palette.color){document.body.setAttribute("x",1)}'
    page = f"<!doctype html><html><head><title>t</title></head><body><nav>{form}\n    <script>{code}</script></nav></body></html>"
    files: dict[str, str] = {}
    small = compact(page, "tickets/TS1/index.html", files)
    assert "<form" not in small and "__palette_0" not in small
    (path, js), = ((k, v) for k, v in files.items() if k.startswith(SCRIPTS))
    assert f"<nav><script src=../../{path}></script></nav>" in small
    assert js.startswith('document.currentScript.insertAdjacentHTML("beforebegin","<form class=md-header__option')
    assert "__palette_0" in js and "tsgen-i-" in js and js.rstrip().endswith(code)


def _chrome(nav_class: str, site_name: str = "知识库") -> str:
    link = (f'<a href="../.." class="{nav_class}">\n  <span class="md-ellipsis">\n    首页\n  </span>\n</a>')
    toc = ('<nav class="md-nav md-nav--secondary" aria-label="目录">\n<ul class="md-nav__list">\n<li class="md-nav__item">'
           '<a href="#_1" class="md-nav__link">\n <span class="md-ellipsis">\n 详细记录\n </span>\n </a>\n'
           '<nav class="md-nav" aria-label="详细记录"><ul class="md-nav__list"><li class="md-nav__item">'
           '<a href="#_2" class="md-nav__link"><span class="md-ellipsis">问题描述</span></a></li></ul></nav></li></ul></nav>')
    return ('<!doctype html><html><head><meta name="generator" content="mkdocs-1.6.1, mkdocs-material-9.8.2">'
            f'<title>t</title></head><body><div data-md-component="announce">\n</div><div class="md-sidebar__inner"><nav class="md-nav md-nav--primary" '
            f'aria-label="导航栏"><label class="md-nav__title">{site_name}</label><ul class="md-nav__list"><li>{link}'
            f'<nav class="md-nav"><ul><li>x</li></ul></nav></li></ul></nav></div><div class="md-sidebar__inner">{toc}</div>'
            '<article class="md-content__inner"><h1>标题</h1></article>'
            '<script>var target=document.getElementById(location.hash.slice(1));target&&target.name&&'
            '(target.checked=target.name.startsWith("__tabbed_"))</script>'
            '<button type="button" class="md-top md-icon" data-md-component="top" hidden>\n  回到页面顶部\n</button>'
            '<div class="md-dialog" data-md-component="dialog">\n <div class="md-dialog__inner md-typeset"></div>\n</div>\n'
            '<script id="__config" type="application/json">{"base": "../..", "translations": {}}</script></body></html>')


def test_chrome_of_a_page_outside_the_navigation_is_written_by_shared_scripts() -> None:
    files: dict[str, str] = {}
    small = compact(_chrome("md-nav__link"), "tickets/TS1/index.html", files)
    assert "md-nav--primary" not in small and "md-nav--secondary" not in small and "__config" not in small
    assert "md-top" not in small and "md-dialog" not in small and "generator" not in small
    assert "<h1>标题</h1>" in small and "announce" not in small and "__tabbed_" not in str(files)
    code = "".join(v for k, v in files.items() if k.startswith(SCRIPTS))
    assert small.count("<script src=../../assets/tsgen-theme-") == 4 == len(files)
    assert '<span class=md-ellipsis>首页<\\/span><\\/a>' in code, "no spaces at the edges of the links' flex boxes"
    assert "<\\/a><nav aria-label=详细记录 class=md-nav>" in code and '{\\"base\\":\\"../..\\"' in code
    again: dict[str, str] = {}
    assert compact(_chrome("md-nav__link"), "tickets/TS2/index.html", again) == small and again == files, \
        "every ticket page shares the same files"
    article = compact(_chrome("md-nav__link"), "kb/KB1/index.html", {})
    assert "md-nav--primary" not in article and "md-nav--secondary" in article, "an article keeps its contents"


def test_navigation_stays_inline_in_the_navigation_or_with_references() -> None:
    files: dict[str, str] = {}
    small = compact(_chrome("md-nav__link md-nav__link--active"), "lists/type/index.html", files)
    assert "md-nav--primary" in small and "md-nav--secondary" in small and "<span class=md-ellipsis>首页</span>" in small
    escaped = compact(_chrome("md-nav__link", "R&amp;D &lt;知识库&gt;"), "tickets/TS1/index.html", {})
    assert "md-nav--primary" in escaped and "R&amp;D &lt;知识库&gt;" in escaped, "escaped text stays as written"


@pytest.mark.parametrize("html", [
    "<p>no article</p>",
    "<article>a</article><article>b</article>",
    "<articles>x</articles><article class='md'>y</article>",
    "<article_x>x</article_x><article\n>y</article>tail",
    "<article>never closed",
    "<articlex><article>a</article>",
])
def test_the_article_span_is_the_patterns(html: str) -> None:
    """minify._article finds with str.find what `<article\\b.*?</article>` (re.S) found."""
    found = re.search(r"<article\b.*?</article>", html, re.S)
    assert minify._article(html) == ((found.start(), found.end()) if found else (len(html), len(html)))
