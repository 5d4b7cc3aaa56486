"""Judge every file a document's page would load (images, HTML src, CSS url()): validate's image rules.

- A relative path must stay inside the archive, lead to a file under tickets/ or kb/ (the folders
  whose files are copied into the site) and exist; a symlink on the way must not lead out of
  them (archive/files.py). Errors.
- An absolute path (`/etc/passwd`, `C:\\…`, `file:`) names a file outside the archive: error.
- A file on another host (`https://…`, `//host/…`) makes the page load from outside when it is
  viewed, and the site must work on a closed network: a warning (an error with --strict).
- A missing file is an error for a Markdown image and a warning for raw HTML (`<img src=x>`).
- Inline data (`data:`) loads nothing and is left to the sanitiser.
"""

from __future__ import annotations

import posixpath
import re
from pathlib import Path
from urllib.parse import unquote

from tsgen.archive.body import resources
from tsgen.archive.files import KINDS, escapes
from tsgen.archive.model import ERROR, WARNING, Problem

_SCHEME = re.compile(r"([a-z][a-z0-9+.-]*):", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x20\x7f]")  # browsers drop tabs and newlines inside URLs, and trim spaces


def judge(target: str, source: str, root: Path) -> tuple[str, str] | None:
    """(severity, message) for one target referred to from archive file `source`, or None when fine."""
    url = _CONTROL.sub("", target).replace("\\", "/")  # a browser reads \ as / in a web address
    if not url or url.startswith("#"):
        return None
    scheme = _SCHEME.match(url)
    if url.startswith("//") or (scheme and scheme.group(1).lower() in ("http", "https")):
        return WARNING, ("is on another host: the page would load it from there when viewed; copy it next to "
                         "the document and link it relatively (the site must work offline)")
    if scheme and len(scheme.group(1)) > 1:
        name = scheme.group(1).lower()
        if name == "file":
            return ERROR, "is a file: URL, outside the archive: copy the file next to the document and link it relatively"
        return None  # data: loads nothing; other schemes (javascript:) are the sanitiser's
    if url.startswith("/") or scheme:  # /etc/passwd, C:/Users/...
        return ERROR, ("is an absolute path, outside the archive: copy the file next to the document and link "
                       "it relatively, e.g. images/screen.png")
    path = unquote(url.split("#")[0].split("?")[0])
    resolved = posixpath.normpath(posixpath.join(posixpath.dirname(source), path))
    if resolved == ".." or resolved.startswith("../"):
        return ERROR, "leaves the archive: only files under tickets/ and kb/ are published"
    if resolved.split("/")[0] not in KINDS:
        return ERROR, (f"resolves to {resolved}, outside tickets/ and kb/: only their files are published; "
                       "move the file next to the document")
    file = root / resolved
    why = escapes(root, file, tuple(KINDS))
    if why is not None:
        return ERROR, f"{why}: it is never published" if why != "does not exist" else "does not exist"
    if not file.is_file():
        return ERROR, "is a folder, not a file"
    return None


def check_resources(root: Path, source: str, body: str, body_line: int, problems: list[Problem]) -> None:
    """Append a problem for every file the body of `source` would load that is not a published file."""
    for offset, target, what in resources(body):
        verdict = judge(target, source, root)
        if verdict is None:
            continue
        severity, message = verdict
        if message == "does not exist" and what.startswith("<"):
            severity = WARNING  # raw HTML is not the way to show a screenshot; a missing one leaks nothing
        line = body_line + body.count("\n", 0, offset)
        noun = "image" if what == "image" else f"{what}"
        problems.append(Problem(source, line, "body", f"{noun} {target} {message}", severity))
