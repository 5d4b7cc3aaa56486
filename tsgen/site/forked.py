"""Work shared with forked copies of this process, one per extra CPU core (POSIX only).

Rendering 100,000 ticket pages is pure Python: one core does it in about six minutes while the
other waits. `Shares` forks the process (the archive, templates and similar cases are already in
memory, shared copy-on-write: nothing is pickled or loaded again), lets each child do every n-th
item and send back a small result, and does its own share meanwhile. The children write their
output themselves; what they return is only what the parent needs to know (paths, warnings).

A failure in a child is raised in the parent as BuildError with the child's message; Ctrl-C or any
other exception in the parent stops the children. Where there is no `fork` (Windows), or one core,
or too little work to be worth a process, the parent does it all alone, with the same result.
"""

from __future__ import annotations

import gc
import os
import pickle
import signal
import sys
import traceback
from typing import Any, Callable, Sequence, TypeVar

from tsgen.errors import BuildError

T = TypeVar("T")
R = TypeVar("R")

MIN_PER_WORKER = 500  # fewer items than this per process: a fork costs more than it saves


def workers(requested: int | None = None) -> int:
    """How many processes share the work: TSGEN_JOBS or `requested` if set, else the usable cores (at most 4)."""
    env = os.environ.get("TSGEN_JOBS", "").strip()
    if env.isdigit() and int(env) > 0:
        return int(env)
    if requested:
        return max(1, requested)
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return max(1, min(cores, 4))


def can_fork(jobs: int | None = None) -> bool:
    """Whether work can go to forked processes: two or more workers (`workers(jobs)`) and `fork`
    (Windows has none)."""
    return workers(jobs) >= 2 and hasattr(os, "fork")


class Shares:
    """The children's shares of `items` started at once: share i >= 1 (items dealt in turn) is `work`ed
    on in child i; the parent does its own share, `self.mine` (all of them with one process; `mine`
    times a child's share, less when the parent has other work to do meanwhile), whenever it likes,
    then `join()` returns the children's results in order. `cancel()` stops them (on a failure)."""

    def __init__(self, items: Sequence[T], work: Callable[[Sequence[T]], R], jobs: int | None = None,
                 mine: float = 1.0) -> None:
        n = min(workers(jobs), max(1, len(items) // MIN_PER_WORKER)) if can_fork(jobs) else 1
        parts = _split(items, n, mine)
        self.mine: Sequence[T] = parts[0]
        self.children: list[tuple[int, int]] = []  # (pid, read end of its pipe)
        try:
            for i in range(1, n):
                self.children.append(_fork(lambda i=i: work(parts[i])))
        except BaseException:
            self.cancel()
            raise

    def join(self) -> list[Any]:
        children, self.children = self.children, []
        results: list[Any] = []
        try:
            while children:
                results.append(_answer(*children[0]))
                children.pop(0)
        finally:
            for pid, read in children:  # one failed: stop the others
                _stop(pid, read)
        return results

    def cancel(self) -> None:
        children, self.children = self.children, []
        for pid, read in children:
            _stop(pid, read)


def _split(items: Sequence[T], n: int, mine: float) -> list[list[T]]:
    """items dealt in turn to n shares, share 0 (the parent's) getting `mine` times a child's number."""
    if n == 1:
        return [list(items)]
    weights = [mine] + [1.0] * (n - 1)
    parts: list[list[T]] = [[] for _ in range(n)]
    for item in items:
        i = min(range(n), key=lambda k: (len(parts[k]) + 1) / weights[k])
        parts[i].append(item)
    return parts


def _stop(pid: int, read: int) -> None:
    try:
        os.kill(pid, signal.SIGTERM)
    except OSError:
        pass
    _reap(pid, read)


def _fork(job: Callable[[], Any]) -> tuple[int, int]:
    """A child that runs `job` and sends its answer on a pipe: (its pid, the pipe's read end)."""
    read, write = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # the child: its job, its answer on the pipe, and out without any cleanup
        os.close(read)
        _child(write, job)
    os.close(write)
    return pid, read


def _die_with_parent() -> None:
    """Linux: this child gets SIGKILL when its parent dies (a killed build leaves no worker behind)."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _terminated(_signum: int, _frame: Any) -> None:
    raise SystemExit(1)


def _child(write: int, job: Callable[[], Any]) -> None:
    status = 0
    try:
        _die_with_parent()
        signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C reaches the whole group; the parent reports
        # the parent stops a job it no longer wants (cancel) with SIGTERM: the job's own cleanup runs
        # (its temporary folders, a program it started), then the child exits
        signal.signal(signal.SIGTERM, _terminated)
        gc.freeze()  # what the parent made stays out of the child's collections (heap.py): shared, unscanned
        data = pickle.dumps(("ok", job()), protocol=pickle.HIGHEST_PROTOCOL)
    except BaseException as exc:  # noqa: BLE001 - everything goes to the parent, which raises it
        message = str(exc) if isinstance(exc, BuildError) else \
            "".join(traceback.format_exception_only(type(exc), exc)).strip()
        data = pickle.dumps(("error", message), protocol=pickle.HIGHEST_PROTOCOL)
        status = 1
    try:
        with os.fdopen(write, "wb") as out:
            out.write(data)
    finally:
        os._exit(status)


def _answer(pid: int, read: int) -> Any:
    with os.fdopen(read, "rb") as pipe:
        data = pipe.read()
    os.waitpid(pid, 0)
    try:
        kind, value = pickle.loads(data)
    except Exception as exc:  # noqa: BLE001 - a child killed before it answered
        raise BuildError(f"a forked build process ended without an answer ({exc.__class__.__name__}); "
                         "was it killed for lack of memory? Set TSGEN_JOBS=1 to build in one process") from None
    if kind != "ok":
        raise BuildError(f"a forked build process failed: {value}")
    return value


def _reap(pid: int, read: int) -> None:
    try:
        os.close(read)
    except OSError:
        pass
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass


class Background:
    """`job()` in a forked copy of this process while the parent goes on; `result()` waits for it.

    Without `fork` the job runs in `result()` instead. `cancel()` stops a job whose result is no
    longer wanted (the parent failed or was interrupted). `job` writes its output itself and returns
    something small and picklable.
    """

    def __init__(self, job: Callable[[], R], jobs: int | None = None) -> None:
        self.job: Callable[[], R] | None = job
        self.pid = self.read = 0
        if not can_fork(jobs):
            return
        self.pid, self.read = _fork(job)
        self.job = None

    def result(self) -> Any:
        if self.job is not None:  # not forked: the job runs now
            job, self.job = self.job, None
            return job()
        pid, self.pid = self.pid, 0
        return _answer(pid, self.read) if pid else None

    def cancel(self) -> None:
        self.job = None
        if self.pid:
            _stop(self.pid, self.read)
            self.pid = 0
