"""A report page in a real browser: the digest's copy button copies the digest, with no error and
no request leaving localhost. Skips like tests/test_browser.py when Chromium is missing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from test_browser import Watch, base_url, browser, sample, shot, tab  # noqa: F401  (fixtures)


def test_the_digest_copy_button_copies_the_digest(base_url: str, browser: Any, tmp_path: Path) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base_url.rstrip("/"))
    page = context.new_page()
    watch = Watch(page)
    page.goto(base_url + "stats/month/2023-10/")
    button = page.locator("button.tsgen-copy")
    button.click()
    page.wait_for_selector("button.tsgen-copy[data-copied='true']")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith("### 月报 2023-10（2023-10-01 至 2023-10-31）")
    assert "#### 核心指标" in copied and "**SLA 达标率**" in copied
    assert copied == page.locator("#tsgen-digest-2023-10").text_content()
    shot(page, tmp_path / "report.png")
    watch.assert_clean()
    context.close()
