"""Ids mentioned in text link to their pages (site/mentions.py), and text never becomes markup on the way."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from hypothesis import given, settings, strategies as st
from markupsafe import escape

from tsgen.archive.link import load_archive
from tsgen.config import load_config
from tsgen.site.mentions import html_links, id_pattern, markdown_links
from tsgen.site.render import SiteRenderer, safe_body
from tsgen.templating import environment

IDS = id_pattern("TS")
KNOWN = {"KB0001": "../kb/KB0001.md", "TS202310270001": "2023/TS202310270001.md"}
REPO = Path(__file__).resolve().parents[1]


def md(text: str) -> str:
    return markdown_links(text, IDS, KNOWN.get)


def test_ids_in_prose_become_markdown_links() -> None:
    assert md("排查方法整理为 KB0001。") == "排查方法整理为 [KB0001](../kb/KB0001.md)。"
    assert md("见KB0001和TS202310270001") == "见[KB0001](../kb/KB0001.md)和[TS202310270001](2023/TS202310270001.md)"
    assert md("**KB0001**, (KB0001).") == "**[KB0001](../kb/KB0001.md)**, ([KB0001](../kb/KB0001.md))."


def test_ids_are_left_alone_where_a_link_would_break_something() -> None:
    for text in ("[see KB0001](https://x.example/KB0001)", "![KB0001](images/KB0001.png)", "[KB0001][ref]",
                 "https://wiki.example/KB0001", "mail ops+KB0001@example.com", "KB00010 TS2023102700012 XKB0001",
                 "KB0001x kb0001 KB0001.md path/KB0001 KB0001-old", "    indented KB0001 (code block)",
                 "KB0002 is unknown", "\tKB0001 after a tab"):
        assert md(text) == text, text


def test_a_body_links_ids_outside_code_only() -> None:
    """The renderer links ids in the Markdown (outside code), then converts and sanitizes it."""
    archive = load_archive(REPO, load_config(REPO))
    r = SiteRenderer(archive, environment(REPO), today=date(2024, 3, 1))
    body = "见 KB0001，`KB0001` 不变。\n\n```\nKB0001 in a block\n```\n\n<b>KB0001</b>\n"
    source = "tickets/2023/10/TS202310270002.md"
    out = r._prose(r._mentions(source)(safe_body(body)), source, "tickets/TS202310270002.md")
    assert '<p>见 <a href="../../kb/KB0001/">KB0001</a>，<code>KB0001</code> 不变。</p>' in out
    assert "<code>KB0001 in a block\n</code>" in out
    assert '<p>&lt;b&gt;<a href="../../kb/KB0001/">KB0001</a>&lt;/b&gt;</p>' in out, "raw HTML is still text"


def test_html_links_escape_first() -> None:
    out = html_links('<b onclick="x">KB0001</b> & TS202310270001', IDS, lambda i: f"../{i}/" if i in KNOWN else None)
    assert str(out) == ('&lt;b onclick=&#34;x&#34;&gt;<a href="../KB0001/">KB0001</a>&lt;/b&gt; &amp; '
                        '<a href="../TS202310270001/">TS202310270001</a>')
    assert str(html_links(None, IDS, lambda i: None)) == ""


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["KB0001", "TS202310270001", "KB0002", "[", "]", "(", ")", "<", ">", "&", '"', "'",
                                 "`", " ", "\n", "    ", "https://", "/", ".", "x", "见", "*", "!", "@"]), max_size=30))
def test_linking_only_adds_links_around_ids(parts: list[str]) -> None:
    text = "".join(parts)
    out = md(text)
    assert re.sub(r"\[(KB0001|TS202310270001)\]\([^)]*\)", r"\1", out) == text
    html = str(html_links(text, IDS, lambda i: "u" if i in KNOWN else None))
    assert re.sub(r'<a href="u">(KB0001|TS202310270001)</a>', r"\1", html) == str(escape(text))


def test_rendered_ticket_links_its_mentions_and_tags() -> None:
    archive = load_archive(REPO, load_config(REPO))
    pages = {p.path: p.text for p in SiteRenderer(archive, environment(REPO), today=date(2024, 3, 1)).render().pages}
    page = pages["tickets/TS202310270001.md"]
    assert '排查方法整理为 <a href="../../kb/KB0001/">KB0001</a>。' in page
    assert "[TS202310270001]" not in page, "a page does not link itself"
    assert '<a href="../../lists/tag/权限/"><code>权限</code></a>' in page.replace("\\\"", '"'), "an IRI: the tag as written"


def test_iri_writes_only_letters_and_digits_as_themselves() -> None:
    from urllib.parse import quote

    from tsgen.site.iri import iri

    assert iri("../../lists/tag/" + quote("数据库连接超时") + "/") == "../../lists/tag/数据库连接超时/"
    for tag in ("a b", "R&D", "x%y", "\u200b隐", "“引号”", "<b>"):
        url = iri("../" + quote(tag, safe="") + "/")
        assert "%" in url and not any(c in url for c in " <>\u200b“”&"), url
    assert iri("../%E9%9A%90%ZZ/") == "../隐%ZZ/" and iri("../%FF/") == "../%FF/"
