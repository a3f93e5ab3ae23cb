"""Run one function over the parts of a job in forked worker processes (Linux), in order.

Scoring a big official results file is CPU-bound pure Python; splitting its samples into
contiguous ranges and scoring them in forked children uses every core without copying the
file: a child sees the parent's memory as it was at the fork (copy-on-write) and sends back
only its compact results, pickled through a pipe.

Forking is skipped (everything runs in this process) where it is not safe: anywhere but Linux
(macOS system libraries may run threads a forked child cannot have), or with other threads
running here (the child would inherit their locks). A child that fails for any reason is not
trusted: its part is computed again here, so the results never depend on the workers.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from typing import TypeVar

__all__ = ["cpu_count", "run_parts"]

P = TypeVar("P")
R = TypeVar("R")


def cpu_count() -> int:
    """The CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def can_fork() -> bool:
    return sys.platform.startswith("linux") and threading.active_count() == 1


def run_parts(fn: Callable[[P], R], parts: Sequence[P]) -> list[R]:
    """``[fn(p) for p in parts]``: the first part in this process, the others in forked
    children, all at once."""
    if len(parts) < 2 or not can_fork():
        return [fn(p) for p in parts]
    sys.stdout.flush()
    sys.stderr.flush()
    children: list[tuple[int, int]] = []  # (pid, read end of its pipe), not yet collected
    try:
        for part in parts[1:]:
            children.append(_fork(fn, part))
        results = [fn(parts[0])]
        for part in parts[1:]:
            results.append(_collect(*children[0], fn, part))
            children.pop(0)
        return results
    finally:
        for pid, fd in children:  # interrupted: leave no worker behind
            with contextlib.suppress(OSError):
                os.close(fd)
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)


def _fork(fn: Callable[[P], R], part: P) -> tuple[int, int]:
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: compute, send, and leave without running any exit handler
        code = 1
        try:
            os.close(r)
            data = pickle.dumps(fn(part), protocol=pickle.HIGHEST_PROTOCOL)
            with os.fdopen(w, "wb") as out:
                out.write(data)
            code = 0
        finally:
            os._exit(code)
    os.close(w)
    return pid, r


def _collect(pid: int, fd: int, fn: Callable[[P], R], part: P) -> R:
    with os.fdopen(fd, "rb") as f:
        data = f.read()
    _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) == 0 and data:
        with contextlib.suppress(Exception):  # a torn message: compute the part here instead
            return pickle.loads(data)
    return fn(part)
