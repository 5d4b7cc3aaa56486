"""Golden pages: the generated Markdown of a few sample pages, compared byte for byte.

A deliberate change to a template or to the renderer shows up here as a diff to review. The HTML
that tsgen puts in a page's front matter (tsgen_head, tsgen_foot: one long YAML string each) is
stored decoded, as the HTML itself after the page, so a diff shows the lines that changed.
Regenerate after such a change with:

    TSGEN_UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py
"""

from __future__ import annotations

import os
import re
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
        if isinstance(meta[key], list):  # tsgen_parts: the body's HTML blocks, by their markers' numbers
            for number, part in enumerate(meta[key], 1):
                out += f"\n<!-- ===== {key} {number} ===== -->\n{part}\n"
        else:
            out += f"\n<!-- ===== {key} ===== -->\n{meta[key]}"
    return out


@pytest.mark.parametrize("page", PAGES)
def test_page_matches_golden(pages: dict[str, str], page: str) -> None:
    golden = GOLDEN / page.replace("/", "__")
    if os.environ.get("TSGEN_UPDATE_GOLDEN"):
        golden.write_text(readable(pages[page]), encoding="utf-8")
    assert golden.is_file(), f"no golden file for {page}; run with TSGEN_UPDATE_GOLDEN=1"
    assert readable(pages[page]) == golden.read_text(encoding="utf-8"), f"{page} changed; review, then regenerate the golden file"


def _markdown_of_the_site(text: str) -> str:
    """Markdown -> HTML with the extensions (and their settings) of the sample mkdocs.yml, as MkDocs runs them."""
    import markdown

    from tsgen.config import read_mkdocs_yml

    names, configs = [], {}
    for item in read_mkdocs_yml(REPO / "mkdocs.yml").get("markdown_extensions", []):
        name, settings = next(iter(item.items())) if isinstance(item, dict) else (item, None)
        names.append(name)
        if settings:
            configs[name] = settings
    return markdown.markdown(text, extensions=names, extension_configs=configs)


def test_kb0002_steps_render_like_github(pages: dict[str, str]) -> None:
    """Lists nested by 2 or 3 spaces (as GitHub and VS Code show them) stay nested, numbering runs on
    past the code blocks: mdx_truly_sane_lists, configured in mkdocs.yml and in `tsgen init`'s copy, and
    a blank line before an item that follows a nested item or a continuation line (body.separate_list_items)."""
    _, fm, body = pages["kb/KB0002.md"].split("---\n", 2)
    for number, part in enumerate(yaml.load(fm, Loader=yaml.CSafeLoader)["tsgen_parts"], 1):  # as the theme does
        body = body.replace(f"<!--tsgen-part-{number}-->", part)
    steps = body.split("## 解决步骤", 1)[1].split("\n## ", 1)[0].split("\n### ", 1)[0]
    html = _markdown_of_the_site(steps)
    # the code blocks' highlighting is Pygments' business (and changes with its version): only their place counts
    html = re.sub(r'<div class="highlight"><pre>.*?</pre></div>', '<div class="highlight"><pre>…</pre></div>',
                  html, flags=re.DOTALL)
    golden = GOLDEN / "kb__KB0002__steps.html"
    if os.environ.get("TSGEN_UPDATE_GOLDEN"):
        golden.write_text(html + "\n", encoding="utf-8")
    assert html + "\n" == golden.read_text(encoding="utf-8"), "KB0002's steps render differently; review, then regenerate"
    assert html.count("<ol>") == 1 and html.count("</ol>") == 1  # one list: numbering does not restart
    top = html.split("<ol>", 1)[1]
    assert top.count("<ul>") == 2  # step 2's and step 3's sub-lists stay nested
    assert "<ul>\n<li>满载 → 继续第 3 步；</li>" in html
    assert html.count("<li") == 12  # 8 steps and 4 sub-items: no step swallowed by the one before it
    for step in ("检查连接泄漏", "检查失效连接", "检查数据库上限", "检查锁等待", "恢复后验证"):
        assert re.search(rf"<li>(\n<p>)?<strong>{step}</strong>", html), step
