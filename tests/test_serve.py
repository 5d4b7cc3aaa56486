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
    assert "rebuilt everything" in out and out.count(" changed: rendered ") >= 1


def test_a_save_rebuilds_its_page_and_listing_once_and_ctrl_c_stops(tmp_path: Path) -> None:
    """Issue 12: under `tsgen serve`, an edited ticket's page and its month listing change after one
    rebuild, although the editor wrote the file twice; an error shows on the page; Ctrl+C stops it."""
    import signal

    root = tmp_path / "archive"
    for name in ("tickets", "kb"):
        shutil.copytree(REPO / name, root / name)
    shutil.copyfile(REPO / "mkdocs.yml", root / "mkdocs.yml")
    ticket = root / "tickets/2023/10/TS202310270001.md"
    old = 'title: "登录后无法查看订单列表，报错‘权限不足’"'
    text = ticket.read_text(encoding="utf-8")
    assert old in text
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "tsgen", "serve", "--root", str(root), "--dev-addr",
                             f"127.0.0.1:{port}"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=tmp_path)
    base = f"http://127.0.0.1:{port}"
    try:
        assert _wait_for(f"{base}/tickets/TS202310270001/", "权限不足", 120), "the site is served"
        changed = text.replace(old, old[:-1] + '（第二版）"')
        ticket.write_text(changed, encoding="utf-8")
        time.sleep(0.05)
        ticket.write_text(changed, encoding="utf-8")  # editors often write a file twice on save
        assert _wait_for(f"{base}/tickets/TS202310270001/", "（第二版）", 60), "the ticket page changed"
        assert _wait_for(f"{base}/lists/month/2023-10/", "（第二版）", 5), "its listing changed with it"
        time.sleep(2)  # a second rebuild, if there were one, would have started by now
        ticket.write_text(changed.replace("priority: P1", "priority: P9"), encoding="utf-8")
        assert _wait_for(f"{base}/tickets/TS202310270001/", "got &#x27;P9&#x27;", 60), "the error is on the page"
        assert "（第二版）" in (_get(f"{base}/tickets/TS202310270001/") or ""), "the last good page stays"
        proc.send_signal(signal.SIGINT)
        start = time.monotonic()
        out = proc.communicate(timeout=30)[0].decode("utf-8", "replace")
        stopped = time.monotonic() - start
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert "Traceback" not in out, out
    assert out.count("TS202310270001.md changed: rendered") == 1, out  # one rebuild for the two writes
    assert "error: priority" in out and "the errors are shown on 1 page" in out, out
    assert stopped < 10 and "Stopped." in out, (stopped, out)
