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
