"""`tsgen serve` serves the site and regenerates it when a ticket changes."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=2) as resp:
            return resp.read().decode("utf-8")
    except OSError:
        return None


def _wait_for(url: str, text: str, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        page = _get(url)
        if page is not None and text in page:
            return True
        time.sleep(0.3)
    return False


def test_serve_regenerates_on_change(tmp_path: Path) -> None:
    root = tmp_path / "archive"
    (root / "tickets/2023/10").mkdir(parents=True)
    (root / "kb").mkdir()
    shutil.copyfile(REPO / "mkdocs.yml", root / "mkdocs.yml")
    ticket = root / "tickets/2023/10/TS202310270001.md"
    ticket.write_text("---\nid: TS202310270001\ntitle: 第一版标题\ntype: fault\npriority: P2\n"
                      "created: 2023-10-27 10:00\nstatus: pending\n---\n\n## 问题描述\n\n内容\n", encoding="utf-8")
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "tsgen", "serve", "--root", str(root), "--dev-addr",
                             f"127.0.0.1:{port}"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=tmp_path)
    try:
        url = f"http://127.0.0.1:{port}/tickets/TS202310270001/"
        assert _wait_for(url, "第一版标题", 60), "the site is served"
        ticket.write_text(ticket.read_text(encoding="utf-8").replace("第一版标题", "第二版标题"), encoding="utf-8")
        assert _wait_for(url, "第二版标题", 60), "a changed ticket is regenerated and served"
    finally:
        proc.terminate()
        try:
            out = proc.communicate(timeout=10)[0].decode("utf-8", "replace")
        except subprocess.TimeoutExpired:
            proc.kill()
            out = proc.communicate()[0].decode("utf-8", "replace")
    assert "Traceback" not in out, out
    assert f"Serving on http://127.0.0.1:{port}/" in out
    assert out.count("regenerated") >= 2


def test_serve_shows_validation_errors_in_the_browser(tmp_path: Path) -> None:
    root = tmp_path / "archive"
    (root / "tickets/2023/10").mkdir(parents=True)
    (root / "kb").mkdir()
    shutil.copyfile(REPO / "mkdocs.yml", root / "mkdocs.yml")
    ticket = root / "tickets/2023/10/TS202310270001.md"
    good = ("---\nid: TS202310270001\ntitle: 标题\ntype: fault\npriority: P2\n"
            "created: 2023-10-27 10:00\nstatus: pending\n---\n\n## 问题描述\n\n内容\n")
    ticket.write_text(good, encoding="utf-8")
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "tsgen", "serve", "--root", str(root), "--dev-addr",
                             f"127.0.0.1:{port}"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=tmp_path)
    try:
        url = f"http://127.0.0.1:{port}/"
        assert _wait_for(url, "标题", 60), "the site is served"
        assert "tsgen-serve-errors" not in (_get(url) or "")
        ticket.write_text(good.replace("priority: P2", "priority: P9<b>"), encoding="utf-8")
        assert _wait_for(url, "tsgen validate: 1 error", 60), "the error is shown on the page"
        page = _get(url) or ""
        assert "tickets/2023/10/TS202310270001.md:5</code> error: priority: expected one of" in page
        assert "P9<b>" not in page and "P9&lt;b&gt;" in page  # the file's text is escaped
        ticket.write_text(good, encoding="utf-8")
        deadline = time.monotonic() + 60
        while "tsgen-serve-errors" in (_get(url) or "tsgen-serve-errors") and time.monotonic() < deadline:
            time.sleep(0.3)
        assert "tsgen-serve-errors" not in (_get(url) or ""), "the banner goes once the error is fixed"
    finally:
        proc.terminate()
        try:
            out = proc.communicate(timeout=10)[0].decode("utf-8", "replace")
        except subprocess.TimeoutExpired:
            proc.kill()
            out = proc.communicate()[0].decode("utf-8", "replace")
    assert "Traceback" not in out, out
