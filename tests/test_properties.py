"""Any input gives a clean result or a clean list of problems, never an exception (hypothesis).

Covers each stage on its own (decode, parse_front_matter, validate_ticket, validate_article) and the
whole pipeline (load_archive + every output format) on a temporary folder.
"""

from __future__ import annotations

import json
import tempfile
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import KB_FIELDS as KB_DEFAULTS
from conftest import TICKET_FIELDS as TICKET_DEFAULTS
from conftest import write
from tsgen.config import Config
from tsgen.archive.link import load_archive
from tsgen.archive.load import decode, parse_front_matter
from tsgen.archive.model import ERROR, WARNING, Archive, Article, Problem, RawDocument, Ticket
from tsgen.archive.problems import format_problems
from tsgen.archive.schema import KB_FIELDS, TICKET_FIELDS
from tsgen.archive.validate import validate_article, validate_ticket

FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
CONFIG = Config()
PATH = "tickets/2023/10/TS202310270001.md"

# Spellings that reach deeper code paths than random text would: real ids, dates, enum values and aliases.
LIKELY = [
    "TS202310270001", "TS202310270002", "TS202310260001", "KB0001", "KB0002", "KB12",
    "2023-10-27 10:00", "2023-10-27 11:30", "2023-10-26T16:30:00Z", "2023/10/27 10:00", "2023-13-45 10:00",
    "P0", "P1", "P2", "P9", "高", "fault", "故障", "resolved", "已解决", "pending", "archived", "电话",
    "satisfied", "draft", "published", "",
]
KNOWN_KEYS = sorted({f.key for f in TICKET_FIELDS} | {f.key for f in KB_FIELDS} | {"at", "by", "action"}
                    | {"name", "department", "contact", "os", "version", "versions", "permissions", "note"})

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=30),
    st.sampled_from(LIKELY),
    st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 1, 1)),
    st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2100, 1, 1),
                 timezones=st.sampled_from([None, timezone.utc, timezone(timedelta(hours=8))])),
)
keys = st.one_of(st.sampled_from(KNOWN_KEYS), st.text(max_size=12))
values = st.recursive(
    scalars,
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(keys, children, max_size=4)),
    max_leaves=12,
)
mappings = st.dictionaries(keys, values, max_size=10)


@st.composite
def near_valid(draw: st.DrawFn, defaults: dict[str, str]) -> dict[str, object]:
    """A valid document's fields with some replaced, removed or added: exercises the rules across fields."""
    meta: dict[str, object] = {k: yaml.safe_load(f"v: {v}")["v"] for k, v in defaults.items()}
    for key in draw(st.lists(st.sampled_from(KNOWN_KEYS), max_size=6)):
        if draw(st.booleans()):
            meta[key] = draw(values)
        else:
            meta.pop(key, None)
    meta.update(draw(st.dictionaries(keys, values, max_size=3)))
    return meta


front_matters = st.one_of(mappings, near_valid(TICKET_DEFAULTS), near_valid(KB_DEFAULTS))
bodies = st.one_of(st.text(max_size=200), st.sampled_from([
    "## 问题描述\n\nx\n\n## 原因分析\n\ny\n\n## 解决步骤\n\nz\n",
    "![图](images/a.png)\n![远程](https://example.com/a.png)\n<!-- ![注释](x.png) -->\n",
    "---\n\n## 问题描述\n",
]))


def document(meta: object, body: str) -> str:
    """Front matter dumped by PyYAML between fences, then the body."""
    return "---\n" + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False) + "---\n" + body


def check_problems(problems: list[Problem], path: str, text: str | None = None) -> None:
    """Every problem is well formed: the right path, a line inside the file, a known severity, a message."""
    last = text.count("\n") + 1 if text is not None else None
    for p in problems:
        assert isinstance(p, Problem)
        assert p.path == path
        assert isinstance(p.line, int) and p.line >= 1
        if last is not None:
            assert p.line <= last, (p, text)
        assert p.severity in (ERROR, WARNING)
        assert isinstance(p.field, str) and isinstance(p.message, str) and p.message
        p.format()
        json.dumps(p.as_dict())


def check_parsed(raw: RawDocument | None, problems: list[Problem], text: str) -> None:
    check_problems(problems, PATH, text)
    if raw is None:
        assert problems and all(p.severity == ERROR for p in problems)
        return
    assert isinstance(raw.meta, dict) and all(isinstance(k, str) for k in raw.meta)
    assert set(raw.key_lines) <= set(raw.meta)
    assert 1 <= raw.body_line <= text.count("\n") + 2


def check_validated(doc: Ticket | Article | None, problems: list[Problem], text: str) -> None:
    check_problems(problems, PATH, text)
    if doc is not None:
        assert not any(p.severity == ERROR for p in problems)
        if isinstance(doc, Ticket):
            assert doc.created.utcoffset() is not None
    else:
        assert any(p.severity == ERROR for p in problems)


@FAST
@given(st.binary(max_size=300))
def test_decode_any_bytes(data: bytes) -> None:
    text, problem = decode(data, PATH)
    assert (text is None) != (problem is None)
    if text is not None:
        assert "\r" not in text and not text.startswith("\ufeff")
    else:
        check_problems([problem], PATH)


@FAST
@given(st.text(max_size=300))
def test_parse_any_text(text: str) -> None:
    raw, problems = parse_front_matter(text, PATH, "ticket")
    check_parsed(raw, problems, text)


@FAST
@given(st.text(max_size=300))
def test_parse_any_text_inside_fences(text: str) -> None:
    full = f"---\n{text}\n---\nbody\n"
    raw, problems = parse_front_matter(full, PATH, "kb")
    check_parsed(raw, problems, full)


@FAST
@given(st.binary(max_size=300))
def test_decode_then_parse_any_bytes(data: bytes) -> None:
    text, problem = decode(b"---\n" + data, PATH)
    if text is not None:
        raw, problems = parse_front_matter(text, PATH, "ticket")
        check_parsed(raw, problems, text)


@FAST
@given(front_matters, bodies)
def test_validate_any_ticket(meta: dict[str, object], body: str) -> None:
    text = document(meta, body)
    raw, problems = parse_front_matter(text, PATH, "ticket")
    check_parsed(raw, problems, text)
    if raw is not None:
        check_validated(*validate_ticket(raw, CONFIG), text)


@FAST
@given(front_matters, bodies)
def test_validate_any_article(meta: dict[str, object], body: str) -> None:
    path = "kb/KB0001-x.md"
    text = document(meta, body)
    raw, problems = parse_front_matter(text, path, "kb")
    check_problems(problems, path, text)
    if raw is not None:
        doc, problems = validate_article(raw, CONFIG)
        check_problems(problems, path, text)
        assert (doc is None) == any(p.severity == ERROR for p in problems)


@FAST
@given(values)
def test_any_top_level_value(value: object) -> None:
    """Whatever YAML document stands between the fences (a list, a scalar, a mapping)."""
    text = document(value, "")
    raw, problems = parse_front_matter(text, PATH, "ticket")
    check_parsed(raw, problems, text)
    if raw is not None:
        check_validated(*validate_ticket(raw, CONFIG), text)


def _no_nan(value: object) -> bool:
    if isinstance(value, float):
        return value == value
    if isinstance(value, dict):
        return all(_no_nan(v) for v in value.values())
    if isinstance(value, list):
        return all(_no_nan(v) for v in value)
    return True


@FAST
@given(st.one_of(mappings, near_valid(TICKET_DEFAULTS)).filter(_no_nan),
       st.sampled_from(["", "x: &a [1, 2]\ny: *a\n", "base: &b {k: v}\nmerged:\n  <<: *b\n  j: 1\n"]))
def test_parse_agrees_with_yaml_load(meta: dict[str, object], tail: str) -> None:
    """load.py's own constructor (a speed-up) builds exactly what yaml.load builds."""
    fm = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False) + tail if meta else tail or "a: 1\n"
    expected = yaml.load(fm, Loader=yaml.CSafeLoader)
    raw, problems = parse_front_matter(f"---\n{fm}---\n", PATH, "ticket")
    assert raw is not None, problems
    assert raw.meta == {k: v for k, v in expected.items() if isinstance(k, str)}


files = st.one_of(
    front_matters.map(lambda m: document(m, "## 问题描述\n")),
    st.text(max_size=200),
    st.binary(max_size=200),
)
ticket_names = st.sampled_from(["TS202310270001", "TS202310270002", "TS202310260001", "other"])
kb_names = st.sampled_from(["KB0001-x", "KB0001", "KB0002-y", "notes"])


@SLOW
@given(st.lists(st.tuples(ticket_names, files), max_size=5), st.lists(st.tuples(kb_names, files), max_size=3),
       st.sampled_from(["", "extra:\n  tsgen:\n    custom_fields: [sales_rep]\n    timezone: UTC\n"]))
def test_whole_pipeline_on_any_archive(tickets: list[tuple[str, object]], articles: list[tuple[str, object]],
                                      mkdocs: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for i, (name, content) in enumerate(tickets):
            write(root, f"tickets/2023/{10 + i % 2}/{name}.md", content)
        for name, content in articles:
            write(root, f"kb/{name}.md", content)
        cfg = Config(custom_fields=("sales_rep",), timezone="UTC") if mkdocs else CONFIG
        archive = load_archive(root, cfg)
        assert isinstance(archive, Archive)
        for p in archive.problems:
            assert isinstance(p, Problem) and p.line >= 0 and p.message
        assert set(archive.ticket_kb) == set(archive.tickets)
        for fmt in ("text", "json", "github"):
            format_problems(archive.problems, fmt)
        assert isinstance(json.loads(format_problems(archive.problems, "json")), list)
