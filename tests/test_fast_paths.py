"""The shortcuts that keep `tsgen validate` fast find exactly what the general way finds.

Each test compares a shortcut with the code it stands in for (kept here as the reference) on many
small random inputs, so a shortcut cannot quietly skip a case.
"""

from __future__ import annotations

import random
import re
from datetime import datetime, timedelta, timezone

from tsgen.archive import clock, load, markup
from tsgen.archive.body import IMAGE

REF_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
REF_CODE = re.compile(r"(^(```|~~~)[^\n]*\n.*?^\2[ \t]*$|`+[^`\n]*`+)", re.DOTALL | re.MULTILINE)


def _blank(m: re.Match[str]) -> str:
    return re.sub(r"[^\n]", " ", m.group(0))


def reference_unsafe_markup(body: str) -> list[tuple[int, str]]:
    """markup.unsafe_markup as it was: every body blanked, then both patterns run."""
    text = IMAGE.sub(_blank, REF_CODE.sub(_blank, REF_COMMENT.sub(_blank, body)))
    out = []
    for m in markup._URLS.finditer(text):
        url = next(g for g in m.groups() if g is not None)
        scheme = markup.scheme_of(url)
        if scheme is None or len(scheme) == 1:
            continue
        if scheme not in markup.WEB_SCHEMES and not (m.group(3) and scheme in ("ftp",)):
            out.append(m.start())
    out += [m.start() for m in markup._ATTR_LIST.finditer(text)]
    return out


def random_texts(tokens: list[str], count: int, seed: int, longest: int = 18):
    rnd = random.Random(seed)
    for _ in range(count):
        yield "".join(rnd.choice(tokens) for _ in range(rnd.randint(0, longest)))


def test_markup_lint_shortcut_matches_reference() -> None:
    tokens = ["[a](", "javascript:x", ")", "`", "```\n", "\n", "<!--", "-->", "{: onclick=x}", "{", "}", "![i](",
              "href=", "data:x", "<vbscript:y>", "[r]: ", "file:/z", " ", "a", "~~~\n", "style=", "&#106;ava"]
    for body in random_texts(tokens, 40_000, seed=11):
        assert [o for o, _ in markup.unsafe_markup(body)] == reference_unsafe_markup(body), body


def test_markup_lint_still_warns() -> None:
    assert list(markup.unsafe_markup("see [x](javascript:alert(1))"))
    assert list(markup.unsafe_markup("# t {: onclick=\"x\"}"))
    assert not list(markup.unsafe_markup("`[x](javascript:alert(1))`"))


def reference_parse_datetime(value: str, tz) -> object:
    m = clock._DATETIME.fullmatch(value.strip())
    if not m:
        return "error"
    y, mo, d, h, mi, s, frac, off = m.groups()
    try:
        return datetime(int(y), int(mo), int(d), int(h), int(mi), int(s or 0),
                        int((frac or "0").ljust(6, "0"))).replace(tzinfo=clock._offset(off) if off else tz)
    except ValueError:
        return "error"


def test_datetime_shortcut_matches_the_pattern() -> None:
    tz = timezone(timedelta(hours=8))
    rnd = random.Random(12)
    chars = "0123456789-: T/１+Z\u3000"
    for i in range(100_000):
        if i % 2:
            value = (f"{rnd.randint(0, 9999):04d}-{rnd.randint(0, 19):02d}-{rnd.randint(0, 39):02d} "
                     f"{rnd.randint(0, 29):02d}:{rnd.randint(0, 69):02d}")
        else:
            value = "".join(rnd.choice(chars) for _ in range(16))
        try:
            got: object = clock.parse_datetime(value, tz)
        except ValueError:
            got = "error"
        want = reference_parse_datetime(value, tz)
        assert got == want and (got == "error" or got.tzinfo == want.tzinfo), value  # type: ignore[union-attr]


def test_datetime_shortcut_keeps_the_error_message() -> None:
    tz = timezone(timedelta(hours=8))
    try:
        clock.parse_datetime("2023-02-30 10:00", tz)
    except ValueError as exc:
        assert "is not a real date and time" in str(exc)
    else:
        raise AssertionError("2023-02-30 accepted")


def test_closing_fence_matches_the_pattern() -> None:
    tokens = ["---", "-", "\n", " ", "\t", "a", "----", "--- x", "\n---\n", "-- ", "\r"]
    for text in random_texts(tokens, 50_000, seed=13, longest=12):
        for start in range(1, len(text) + 1):
            if text[start - 1] == "\n":
                continue  # parse_front_matter starts right after the opening fence, never at a line start
            want, got = load._FENCE.search(text, start), load._closing_fence(text, start)
            assert (want.span() if want else None) == (got.span() if got else None), (text, start)

