"""Golden pages: the generated Markdown of a few sample pages, compared byte for byte.

A deliberate change to a template or to the renderer shows up here as a diff to review. The HTML
that tsgen puts in a page's front matter (tsgen_head, tsgen_foot: one long YAML string each) is
stored decoded, as the HTML itself after the page, so a diff shows the lines that changed.
Regenerate after such a change with:

    TSGEN_UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest
import yaml

from tsgen.config import load_config
from tsgen.archive.link import load_archive
from tsgen.site.render import SiteRenderer
from tsgen.templating import environment

REPO = Path(__file__).resolve().parents[1]
GOLDEN = Path(__file__).parent / "golden"
PAGES = ["tickets/TS202310270001.md", "kb/KB0001.md", "stats/month/2023-10.md", "lists/debt.md"]


@pytest.fixture(scope="module")
def pages() -> dict[str, str]:
    archive = load_archive(REPO, load_config(REPO))
    rendered = SiteRenderer(archive, environment(REPO), history=None, today=date(2024, 3, 1)).render()
    return {p.path: p.text for p in rendered.pages}


def readable(text: str) -> str:
    """The page with each tsgen_* front-matter string decoded and appended as HTML (and checked to parse)."""
    _, fm, body = text.split("---\n", 2)
    meta = yaml.load(fm, Loader=yaml.CSafeLoader)
    out = text
    for key in sorted(k for k in meta if k.startswith("tsgen_")):
        out += f"\n<!-- ===== {key} ===== -->\n{meta[key]}"
    return out


@pytest.mark.parametrize("page", PAGES)
def test_page_matches_golden(pages: dict[str, str], page: str) -> None:
    golden = GOLDEN / page.replace("/", "__")
    if os.environ.get("TSGEN_UPDATE_GOLDEN"):
        golden.write_text(readable(pages[page]), encoding="utf-8")
    assert golden.is_file(), f"no golden file for {page}; run with TSGEN_UPDATE_GOLDEN=1"
    assert readable(pages[page]) == golden.read_text(encoding="utf-8"), f"{page} changed; review, then regenerate the golden file"
