"""Hostile input: no scanner in tsgen can be stalled by a body or field written to make it backtrack.

Each test feeds a scanner tens of thousands of openers that never close (`<!--`, fences, backticks,
`[`, `url(`, long runs of letters before an `@`, ...), a size at which a quadratic scan takes minutes
and a linear one well under a second, and checks what it found. These are correctness tests that
complete, not timing assertions: the timings are printed by bench/bench_hostile.py.

The rewritten scanners must find exactly what the regular expressions they replace found; the
`*_matches_reference` tests compare the two on many small random texts.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from tsgen.archive import body

N = 40_000  # openers per hostile text

# The expressions the body scanners replace (quadratic on unclosed openers), kept as the reference.
REF_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
REF_CODE = re.compile(r"(^(```|~~~)[^\n]*\n.*?^\2[ \t]*$|`+[^`\n]*`+)", re.DOTALL | re.MULTILINE)


def random_texts(tokens: list[str], count: int, seed: int = 1, longest: int = 25):
    rnd = random.Random(seed)
    for _ in range(count):
        yield "".join(rnd.choice(tokens) for _ in range(rnd.randint(0, longest)))


BODY_TOKENS = ["`", "``", "```", "~~~", "~~", "\n", " ", "\t", "a", "中", "<!--", "-->", "--", "<!-", "x`y",
               "\n```\n", "\n~~~ \n", "\n```py\n", "![a](b.png)", "<img src=x>"]


def test_body_scanners_match_reference() -> None:
    for text in random_texts(BODY_TOKENS, 30_000):
        assert [m.span() for m in body.COMMENT.finditer(text)] == [m.span() for m in REF_COMMENT.finditer(text)], text
        assert [m.span() for m in body.CODE.finditer(text)] == [m.span() for m in REF_CODE.finditer(text)], text
        assert body.CODE.sub(" ", text) == REF_CODE.sub(" ", text)
        assert body.COMMENT.sub(lambda m: "<" + m.group(0) + ">", text) == \
            REF_COMMENT.sub(lambda m: "<" + m.group(0) + ">", text)


def test_span_behaves_like_a_match() -> None:
    m = next(body.CODE.finditer("a `b` c"))
    assert (m.start(), m.end(), m.span(), m.group(), m.group(0), m[0]) == (2, 5, (2, 5), "`b`", "`b`", "`b`")


@pytest.mark.parametrize("unit", ["<!--", "```x\n", "~~~x\n", "``\n", "` \n", "`", "<!-- ```x\n", "```\n<!--\n"])
def test_body_functions_are_linear_on_unclosed_openers(unit: str) -> None:
    text = unit * N + "\n![a](images/late.png)\n"
    spans = list(body.CODE.finditer(text))
    comments = list(body.COMMENT.finditer(text))
    if unit.startswith("<!--"):
        assert comments == []
    assert all(m.end() > m.start() for m in spans)
    found = [t for _, t in body.images(text)]
    if unit in ("<!--", "~~~x\n", "``\n", "` \n", "`", "<!-- ```x\n"):
        assert found == ["images/late.png"]
    list(body.resources(text))
    list(body.chunks(text))
    body.drop_empty_sections(text)
    body.separate_list_items(text)
    assert "".join(piece for piece, _ in body.chunks(text)) == text


def test_fence_closed_at_the_end_after_many_unclosed() -> None:
    text = "```\n" + "```x\n" * N + "```\nafter"
    spans = list(body.CODE.finditer(text))
    assert spans[0].span() == (0, len(text) - len("\nafter"))


@pytest.mark.parametrize("unit", ["url(", "url(a", 'url("', "url('", "<p style='", "<style>", "<img src=", "![", "![a]",
                                  "[a]:", "<", "<a ", "&#"])
def test_resources_are_linear_on_unclosed_openers(unit: str) -> None:
    text = "<p style=\"" + unit * N + "\">x</p>\n" + unit * N + "\n<img src=\"late.png\">"
    assert ("late.png" in [t for _, t, _ in body.resources(text)]) or unit in ("<p style='", "<", "<a ", "<img src=")


def test_css_url_still_found() -> None:
    text = '<p style="background: url( a.png ); x: url(\'b.png\')">x</p><style>p{background:url("c.png")}</style>'
    assert [t for _, t, _ in body.resources(text)] == ["a.png", "b.png", "c.png"]


# --- every scanner over untrusted text, on every kind of opener -----------------------------------

from tsgen.archive import markup, privacy  # noqa: E402
from tsgen.archive.load import parse_front_matter  # noqa: E402
from tsgen.archive.scan import AtSign, inline_links  # noqa: E402
from tsgen.archive.validate import validate_ticket  # noqa: E402
from tsgen.config import Config  # noqa: E402
from tsgen.importers import sobot  # noqa: E402
from tsgen.search import records, similar  # noqa: E402
from tsgen.site import mentions  # noqa: E402

OPENERS = ["<!--", "```x\n", "~~~x\n", "``\n", "`", "[", "[a](", "](", "![", "![a]", "url(", "<a ", "<", "{:", "{",
           "ab", "a.", "1", "1-", "@", "a@", " ", "\t", "\n", " \n", "**_", "_", "*", "|", "-", "#", "http://x",
           "www.", "&#", "\\"]
TAIL = "\n正文 TS202310270001 其他人的邮箱 li.si@corp.cn\n"
HOSTILE_N = 20_000  # the replaced patterns took 35-85 s here; linear scanners take well under a second
TICKET = """---
id: TS202310270001
title: 登录失败
type: fault
priority: P2
created: 2023-10-27 10:00
status: pending
channel: phone
customer:
  name: 张三
  contact: "13800138000"
---
"""


def test_privacy_lint_is_linear_and_still_finds_the_address() -> None:
    for unit in OPENERS:
        found = privacy.personal_data(unit * HOSTILE_N + TAIL)
        if unit not in ("ab", "a.", "1", "1-", "_", "-", "\\"):  # these run into the address (one longer word)
            assert ("email", "li.si@corp.cn") in [(k, v) for _, k, v in found], unit


def test_validate_of_a_hostile_body_completes_with_its_warnings() -> None:
    for unit in OPENERS:
        raw, problems = parse_front_matter(TICKET + unit * HOSTILE_N + TAIL, "tickets/2023/10/TS202310270001.md", "ticket")
        assert raw is not None and not problems, unit
        ticket, problems = validate_ticket(raw, Config())
        assert ticket is not None, (unit, problems)
        list(body.resources(raw.body))
        list(markup.unsafe_markup(raw.body))


def test_site_and_search_scanners_on_hostile_text() -> None:
    ids = mentions.id_pattern("TS")
    for unit in OPENERS:
        text = unit * HOSTILE_N + TAIL
        linked = mentions.markdown_links(text, ids, lambda i: "t.md")
        if unit not in ("[", "![", "<", "{", "1", "_", "#", "-", "\\", "ab", "a.", "1-"):
            assert "[TS202310270001](t.md)" in linked, unit
        records._sections(text, 1.0)
        similar.description(text)
        similar.error_strings(text)
        assert "li.si@corp.cn" not in similar._without_contacts(text) or unit in ("ab", "a.", "_", "-", "1", "1-", "\\")


def test_sobot_rich_text_is_linear() -> None:
    for unit in ("<", "<br", "<p ", "<a href='", "&#"):
        out = sobot._text(unit * HOSTILE_N + "<p>正文</p>")
        assert out.strip().endswith("正文")


# --- the rewritten scanners find what the patterns they replace found ----------------------------------

def test_email_scanner_matches_reference() -> None:
    ref = privacy._EMAIL_AT
    tokens = ["a", "1", ".", "_", "%", "+", "-", "\\", "@", "b.c", ".com", "x@y.cn", " ", "中", "@@", ".co", "A"]
    for text in random_texts(tokens, 30_000, seed=2, longest=20):
        assert list(privacy._EMAILS.spans(text)) == [m.span() for m in ref.finditer(text)], text
    ref = similar._EMAIL
    for text in random_texts(tokens + ["é", "_x"], 30_000, seed=3, longest=20):
        assert list(similar._EMAILS.spans(text)) == [m.span() for m in ref.finditer(text)], text
        assert similar._EMAILS.sub(" ", text) == ref.sub(" ", text)


def test_email_scanner_without_first_class() -> None:
    at = AtSign(r"\w.", r"\w+(?:\.\w+)+")
    assert [m.group() for m in at.finditer("mail a.b@c.d, x@y and z@w.q")] == ["a.b@c.d", "z@w.q"]


def test_link_scanner_matches_reference() -> None:
    ref = re.compile(r"(!?)\[([^\]]*)\]\([^)]*\)")
    for text in random_texts(["[", "]", "(", ")", "!", "a", "\n", "![", "](", "x)", "[a]"], 30_000, seed=4, longest=16):
        assert list(inline_links(text)) == [(m.start(), m.end(), bool(m.group(1)), m.group(2)) for m in ref.finditer(text)]


def test_mentions_skips_match_reference() -> None:
    tokens = ["[", "]", "(", ")", "!", "![", "a", " ", "\n", "    ", "\t", "://", "www.", "@", "ww", "w", ":/", "x.y",
              "中", "[a]", "(b)", "\n    ", "]("]
    for text in random_texts(tokens, 30_000, seed=5, longest=20):
        assert list(mentions._skips(text)) == [m.span() for m in mentions._SKIP.finditer(text)], text


def test_heading_scanner_matches_reference() -> None:
    from tsgen.archive.scan import HEADINGS
    ref = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)
    tokens = ["#", "##", "#######", " ", "\t", "\n", "a", "中", "# ", " #", "\n# ", "\u3000", "\x0c", "\n\n", "x y"]
    for text in random_texts(tokens, 30_000, seed=6, longest=14):
        assert [(m.start(), m.end(), m.group(1)) for m in HEADINGS.finditer(text)] == \
            [(m.start(), m.end(), m.group(1)) for m in ref.finditer(text)], text
        assert HEADINGS.findall(text) == ref.findall(text)


@pytest.mark.parametrize("unit", [" ", "\t", " #", "# a ", "\n", "a "])
def test_heading_scanner_is_linear(unit: str) -> None:
    from tsgen.archive.scan import HEADINGS
    text = "## 解决方案 " + unit * N + "b\n正文\n## 下一节\n"
    found = HEADINGS.findall(text)
    assert found[-1] == "下一节"


def test_tsgen_validate_of_an_archive_of_hostile_bodies(archive_root) -> None:
    """The whole command, end to end: each body 20,000 openers of one kind, then a javascript: link."""
    from conftest import assert_clean, run_cli, ticket_path, ticket_text, write

    units = ["<!--", "```x\n", "[", "![", "url(", "<a ", "{:", "ab", "1", " ", "\n", "# a ", "[a](", "`"]
    for i, unit in enumerate(units):
        tid = f"TS20231027{i + 1:04d}"
        write(archive_root, ticket_path(tid), ticket_text(body=unit * HOSTILE_N + "\n\n[x](javascript:alert(1))\n",
                                                          id=tid))
    result = run_cli(["validate", "--root", archive_root])
    assert_clean(result)
    assert result.exit_code == 0, result.output
    # every ticket's link is found (the first two units open a comment or a fence that never closes)
    assert result.output.count("javascript:") >= len(units) - 2, result.output


# --- Python-Markdown itself, in the build: a body it cannot convert is shown as text ------------------

def test_a_body_markdown_cannot_convert_is_shown_as_text_and_named(tmp_path: Path) -> None:
    """Thousands of nested list markers exhaust Python-Markdown's recursion; the build goes on, the page
    shows the text (escaped), and the warning names the file."""
    from conftest import TICKET_PATH, quoted_html, ticket_text, write
    from tsgen.config import load_config
    from tsgen.site.build import build_site

    write(tmp_path, "mkdocs.yml", "site_name: t\ntheme:\n  name: material\n")
    hostile = "- " * 8000 + "<img src=x onerror=alert(1)>\n"
    write(tmp_path, TICKET_PATH, ticket_text(body="## 问题描述\n\n" + hostile))
    site = tmp_path / "site"
    _gen, warnings, _s = build_site(tmp_path, load_config(tmp_path), site_dir=site)
    assert any(w.startswith(TICKET_PATH + ": body: shown as plain text") for w in warnings), warnings
    page = quoted_html((site / "tickets/TS202310270001/index.html").read_text(encoding="utf-8"))
    assert 'class="tsgen-unformatted"' in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "<img src=x" not in page and "onerror=" not in page.replace("onerror=alert(1)&gt;", "")


def test_a_conversion_past_its_deadline_falls_back(monkeypatch: pytest.MonkeyPatch) -> None:
    from tsgen.site import prose as prose_module

    monkeypatch.setattr(prose_module, "CONVERT_SECONDS", 0.05)
    p = prose_module.Prose.for_site(None)
    out = p.html("![" * 6000 + "x", source="kb/KB0001.md")
    assert p.unformatted == [("kb/KB0001.md", "took over 0.05 s")]
    assert out.startswith('<pre class="tsgen-unformatted"><code>![![')
    assert p.html("**ok**") == "<p><strong>ok</strong></p>" and len(p.unformatted) == 1, "the next text converts"
