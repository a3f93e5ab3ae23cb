"""The files tmtui reads answers and datasets from, opened so that no input can hang it or
make it read without end.

* A regular file is read by its path, as often as a reader needs.
* A pipe or FIFO (``tmtui score <(cat f)``, ``/dev/stdin`` in a pipeline, a ``mkfifo``) can
  be read only once: the first reader reads it whole (at most :data:`MAX_PIPE_BYTES`) and
  every later reader of it in this process gets those same bytes, so that sniffing its kind
  never consumes what scoring then needs. It is opened without blocking, so a FIFO that no
  writer opens is one clear line after :data:`WRITER_WAIT` seconds, not a hang.
* Anything else (a device such as ``/dev/zero``, ``/dev/urandom`` or a terminal, a socket, a
  directory) is refused in one line before anything is read.

A UTF-8 byte order mark at the start of a file is the readers' business
(:func:`strip_bom`): it is not part of the first record.
"""

from __future__ import annotations

import io
import os
import select
import stat
from pathlib import Path
from typing import BinaryIO

__all__ = [
    "BOM",
    "MAX_PIPE_BYTES",
    "WRITER_WAIT",
    "InputError",
    "open_input",
    "read_head",
    "read_input",
    "strip_bom",
]

MAX_PIPE_BYTES = 256 << 20  # the most read from one pipe (it is kept in memory)
WRITER_WAIT = 10.0  # seconds a FIFO may stay without a writer before it is given up
BOM = b"\xef\xbb\xbf"

# what was read from each pipe in this process, by (device, inode)
_PIPES: dict[tuple[int, int], bytes] = {}


class InputError(Exception):
    """An input that cannot be read (one clear line, naming the path)."""


def strip_bom(data: bytes) -> bytes:
    """``data`` without a leading UTF-8 byte order mark."""
    return data[3:] if data.startswith(BOM) else data


def _kind(mode: int) -> str | None:
    """What a non-regular, non-pipe file is, for the refusal (None: a regular file or pipe)."""
    if stat.S_ISREG(mode) or stat.S_ISFIFO(mode):
        return None
    if stat.S_ISDIR(mode):
        return "is a directory"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "is a device, not a file (tmtui reads regular files and pipes)"
    if stat.S_ISSOCK(mode):
        return "is a socket, not a file (tmtui reads regular files and pipes)"
    return "is not a regular file or a pipe"


def _open(path: Path) -> tuple[int, os.stat_result]:
    """A descriptor on ``path`` opened without blocking (a FIFO with no writer returns at
    once), and what it is."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None
    try:
        st = os.fstat(fd)
    except OSError as exc:
        os.close(fd)
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None
    why = _kind(st.st_mode)
    if why is not None:
        os.close(fd)
        raise InputError(f"{path}: {why}")
    return fd, st


def _read_pipe(path: Path, fd: int, st: os.stat_result) -> bytes:
    key = (st.st_dev, st.st_ino)
    data = _PIPES.get(key)
    if data is not None:
        return data
    # data, or the end of a writer, within WRITER_WAIT seconds (Linux reports neither on a
    # FIFO that no writer has opened yet, so poll waits for one, but not for ever)
    poller = select.poll()
    poller.register(fd, select.POLLIN | select.POLLHUP)
    if not poller.poll(int(WRITER_WAIT * 1000)):
        raise InputError(
            f"{path}: nothing was written to it within {WRITER_WAIT:g} s (a FIFO with no writer?)"
        )
    os.set_blocking(fd, True)
    chunks = []
    size = 0
    while True:
        try:
            chunk = os.read(fd, 1 << 20)
        except OSError as exc:
            raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None
        if not chunk:
            break
        size += len(chunk)
        if size > MAX_PIPE_BYTES:
            raise InputError(
                f"{path}: more than {MAX_PIPE_BYTES >> 20} MiB from a pipe; save it to a file "
                "and pass the file"
            )
        chunks.append(chunk)
    data = _PIPES[key] = b"".join(chunks)
    return data


def read_head(path: str | Path, size: int) -> bytes:
    """The first ``size`` bytes of a file or pipe (a pipe is read whole, once)."""
    p = Path(path)
    fd, st = _open(p)
    try:
        if stat.S_ISFIFO(st.st_mode):
            return _read_pipe(p, fd, st)[:size]
        os.set_blocking(fd, True)
        parts = []
        while size > 0:
            chunk = os.read(fd, size)
            if not chunk:
                break
            parts.append(chunk)
            size -= len(chunk)
        return b"".join(parts)
    except OSError as exc:
        raise InputError(f"{p}: cannot read ({exc.strerror or exc})") from None
    finally:
        os.close(fd)


def read_input(path: str | Path) -> bytes:
    """Every byte of a file or pipe."""
    p = Path(path)
    fd, st = _open(p)
    try:
        if stat.S_ISFIFO(st.st_mode):
            return _read_pipe(p, fd, st)
        os.set_blocking(fd, True)
        with os.fdopen(os.dup(fd), "rb") as f:
            return f.read()
    except OSError as exc:
        raise InputError(f"{p}: cannot read ({exc.strerror or exc})") from None
    finally:
        os.close(fd)


def open_input(path: str | Path) -> BinaryIO:
    """A binary stream of a file (read as it goes) or of a pipe (its bytes, read once)."""
    p = Path(path)
    fd, st = _open(p)
    if stat.S_ISFIFO(st.st_mode):
        try:
            return io.BytesIO(_read_pipe(p, fd, st))
        finally:
            os.close(fd)
    os.set_blocking(fd, True)
    return os.fdopen(fd, "rb")
