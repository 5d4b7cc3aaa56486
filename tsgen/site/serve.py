"""`tsgen serve`: regenerate the pages when a source changes; MkDocs' own server reloads the browser.

Two watchers in a chain: watchdog watches tickets/, kb/, templates/ and mkdocs.yml and re-renders
into .tsgen/docs (only files whose content changed are touched); `mkdocs serve` watches .tsgen/docs
and rebuilds and live-reloads as usual.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Callable

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from tsgen.site.build import InvalidArchive, generate
from tsgen.config import load_config
from tsgen.errors import TsgenError
from tsgen.archive.problems import format_problems
from tsgen.archive.model import ERROR, Problem
from tsgen.site.mkdocs import BUILD_DIR, THEME, quiet_jieba, write_config
from tsgen.templating import environment

WATCHED = ("tickets", "kb", "templates", "mkdocs.yml")


class _Regenerate(FileSystemEventHandler):
    """Debounced regeneration: a burst of saves (an editor, a git checkout) triggers one run."""

    def __init__(self, root: Path, echo: Callable[[str], None], delay: float = 0.3) -> None:
        self.root, self.echo, self.delay = root, echo, delay
        self.timer: threading.Timer | None = None
        self.lock = threading.Lock()

    def on_any_event(self, event: FileSystemEvent) -> None:
        path = Path(str(event.src_path))
        if BUILD_DIR in path.parts or event.event_type in ("opened", "closed_no_write"):
            return
        rel = path.relative_to(self.root) if path.is_relative_to(self.root) else path
        if not rel.parts or rel.parts[0] not in WATCHED:
            return
        with self.lock:
            if self.timer:
                self.timer.cancel()
            self.timer = threading.Timer(self.delay, self.run)
            self.timer.daemon = True
            self.timer.start()

    def run(self) -> bool:
        try:
            config = load_config(self.root)
            gen = generate(self.root, config)
            write_config(self.root, gen.nav, self.root / BUILD_DIR / "serve-site", config.language)
            self.echo(f"regenerated {len(gen.rendered.pages)} pages")
            return True
        except InvalidArchive as exc:
            self.echo(format_problems(exc.problems, "text"))
            self.echo(f"Error: {exc}; keeping the last good pages")
            show_errors(self.root, exc.problems)
        except TsgenError as exc:
            self.echo(f"Error: {exc}")
        return False


ERRORS_PAGE = "tsgen-errors.html"  # in .tsgen/theme: included by main.html at the top of every page
MAX_SHOWN = 50


def show_errors(root: Path, problems: list[Problem]) -> Path:
    """Put the validation errors on every served page: a banner the theme includes (MkDocs' server,
    watching the theme, rebuilds and reloads). The next good regeneration replaces .tsgen/theme without it."""
    errors = [p for p in problems if p.severity == ERROR]
    html = environment(root).get_template("site/serve-errors.html.j2").render(
        errors=len(errors), problems=errors[:MAX_SHOWN], more=max(len(errors) - MAX_SHOWN, 0))
    target = root / BUILD_DIR / THEME / ERRORS_PAGE
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(html, encoding="utf-8")
    return target


def serve_archive(root: Path, dev_addr: str, echo: Callable[[str], None]) -> None:
    """Generate once, then serve with live reload until interrupted."""
    from mkdocs.commands.serve import serve

    quiet_jieba()
    handler = _Regenerate(root, echo)
    if not handler.run():
        raise TsgenError("fix the errors above, then run `tsgen serve` again")
    observer = Observer()
    for name in WATCHED:
        target = root / name
        if target.is_dir():
            observer.schedule(handler, str(target), recursive=True)
    observer.schedule(handler, str(root), recursive=False)  # mkdocs.yml
    observer.daemon = True
    observer.start()
    echo(f"Serving on http://{dev_addr}/ ; watching {', '.join(WATCHED)} (Ctrl+C to stop)")
    try:
        serve(str(root / BUILD_DIR / "mkdocs.yml"), livereload=True, dev_addr=dev_addr, watch_theme=True)
    finally:
        observer.stop()
