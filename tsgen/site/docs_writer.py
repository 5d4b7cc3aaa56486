"""The process that writes the generated pages to disk while tsgen renders the next ones.

Creating ten thousand small files is mostly kernel time (1.5 to 5 s for 10,000 files on a VM's
ext4). A thread cannot hide it: every open, write and close hands the GIL back and forth with the
renderer. A separate process has its own interpreter and runs on the second core, so the files are
written while the renderer works. It is started as `python -m tsgen.site.docs_writer` and reads the
pages from its stdin; it imports nothing but the standard library, so it starts in a few tens of
milliseconds (and, unlike multiprocessing's spawn, it never re-imports the caller's main script).

A page whose file already holds the same text is not rewritten: a rebuild touches only the pages
that changed, and a running `mkdocs serve` sees only those.
"""

from __future__ import annotations

import os
import sys


def write_batch(folder: str, batch: list[tuple[str, str]], made: set[str]) -> int:
    """Write each (docs-relative path, text) under folder unless the file already holds it; returns writes."""
    written = 0
    for path, text in batch:
        target = os.path.join(folder, path)
        data = text.encode("utf-8")
        try:
            with open(target, "rb") as old:
                if old.read() == data:
                    continue
        except FileNotFoundError:
            parent = os.path.dirname(target)
            if parent not in made:
                os.makedirs(parent, exist_ok=True)
                made.add(parent)
        try:
            with open(target, "wb") as out:
                out.write(data)
        except OSError as exc:
            raise OSError(f"{path}: {exc.strerror or exc}") from exc
        written += 1
    return written


def main(folder: str) -> int:
    """Run as `python -m tsgen.site.docs_writer FOLDER`: write the pickled batches read from stdin until
    it closes; print `ok N` (files written) or `error MESSAGE` on stdout."""
    import pickle

    made: set[str] = set()
    written = 0
    error: str | None = None
    stdin = sys.stdin.buffer
    while True:
        try:
            batch = pickle.load(stdin)
        except EOFError:
            break
        if error is not None:
            continue  # keep reading, so the sender never blocks; the first failure is reported
        try:
            written += write_batch(folder, batch, made)
        except OSError as exc:
            error = str(exc)
    sys.stdout.write(f"error {error}\n" if error is not None else f"ok {written}\n")
    return 0


if __name__ == "__main__":
    import signal

    # Ctrl-C reaches the whole process group: the build stops itself and closes this process's
    # input, which ends it; here it would only print a traceback
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    sys.exit(main(sys.argv[1]))
