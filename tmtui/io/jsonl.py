"""tmtui JSONL files: one record a line, appended by one writer, flushed and fsynced per record.

A crash (even ``kill -9``) can at worst leave a torn last line; readers report it and go on,
and :class:`RecordWriter` cuts it off before appending again, so a file never holds a partial
record in the middle.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import msgspec

from tmtui.core.text import invalid_utf8_at, one_line
from tmtui.io.inputs import open_input, strip_bom
from tmtui.io.records import Record, decode_record, encode_record

__all__ = [
    "BadLine",
    "NotRecordFile",
    "RecordWriter",
    "check_record_file",
    "create_new",
    "iter_jsonl",
    "open_output",
    "open_regular",
    "regular_or_absent",
    "repair_tail",
]


@dataclass(slots=True)
class BadLine:
    """A line that is not a valid record."""

    line: int  # 1-based
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


def _explain(exc: Exception) -> str:
    return one_line(str(exc), 160)


def _problem(raw: bytes, exc: Exception) -> str:
    """Why a line failed to decode, decided from its bytes: invalid UTF-8 anywhere in a
    complete line (or before the end of a torn one), else a torn last line, else the
    decoder's own message."""
    torn = not raw.endswith(b"\n")
    if invalid_utf8_at(raw, final=not torn) is not None:
        return "invalid UTF-8"
    if torn and type(exc) is msgspec.DecodeError:
        # the last line of a file cut while it was being written
        return "truncated last line (the writer was interrupted)"
    if isinstance(exc, msgspec.DecodeError | msgspec.ValidationError):
        return _explain(exc)
    return one_line(f"{type(exc).__name__}: {exc}", 160)


def iter_jsonl(path: str | Path) -> Iterator[tuple[int, Record | BadLine]]:
    """(line number, record or error) for every non-blank line, streaming (a pipe is read
    once, see :mod:`tmtui.io.inputs`); a byte order mark before the first line is skipped."""
    with open_input(path) as f:
        for n, raw in enumerate(f, 1):
            if n == 1:
                raw = strip_bom(raw)
            if not raw.strip():
                continue
            try:
                rec = decode_record(raw)
            except (
                msgspec.DecodeError,
                msgspec.ValidationError,
                UnicodeDecodeError,
                RecursionError,
                ValueError,
                TypeError,
            ) as exc:
                yield n, BadLine(n, _problem(raw, exc))
                continue
            yield n, rec


def repair_tail(path: str | Path) -> int:
    """Cut a torn last line (no final newline) off the file; return the bytes removed."""
    p = Path(path)
    if not p.exists():
        return 0
    with open(p, "rb+") as f:
        f.seek(0, os.SEEK_END)
        size = f.tell()
        if size == 0:
            return 0
        f.seek(size - 1)
        if f.read(1) == b"\n":
            return 0
        # walk back to the last newline
        pos = size
        block = 65536
        while pos > 0:
            start = max(0, pos - block)
            f.seek(start)
            chunk = f.read(pos - start)
            i = chunk.rfind(b"\n")
            if i >= 0:
                cut = start + i + 1
                break
            pos = start
        else:
            cut = 0
        f.truncate(cut)
        f.flush()
        os.fsync(f.fileno())
        return size - cut


class NotRecordFile(OSError):
    """An output that tmtui must not append records to (not a regular file, a link where
    none is followed, or not a tmtui JSONL): ``strerror`` says what it is, in a few words
    without the path. An OSError, so that a caller reporting ``exc.strerror`` for a file it
    cannot write says this too."""

    def __init__(self, path: str | Path, why: str) -> None:
        super().__init__(errno.EINVAL, why, str(path))


# the first field of every record line this writer writes (omit_defaults drops the ones
# equal to their default): a torn line that starts otherwise was not written by tmtui
_RECORD_FIELDS = frozenset(Record.__struct_fields__)
_FIRST_LINE_MAX = 256 << 20  # a first line longer than this is not read to check it
_BOM = b"\xef\xbb\xbf"


def _kind_of(mode: int) -> str:
    for test, name in (
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISFIFO, "a FIFO or pipe"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return name
    return "not a regular file"


def regular_or_absent(path: str | Path) -> bool:
    """True when ``path`` is a regular file (links followed), False when nothing is there;
    raises :class:`NotRecordFile` for a directory, FIFO, device or socket. Never opens it
    (a FIFO would block)."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return False
    except OSError as exc:  # a link loop, a path under a regular file, no permission
        why = (exc.strerror or str(exc)).lower()
        raise NotRecordFile(path, f"not a file tmtui can look at ({why})") from None
    if stat.S_ISREG(st.st_mode):
        return True
    raise NotRecordFile(path, f"{_kind_of(st.st_mode)}, not a regular file")


def open_regular(path: str | Path, flags: int, mode: int = 0o644, *, follow: bool = True) -> int:
    """``os.open`` that never blocks on a FIFO and refuses anything but a regular file
    (``follow=False``: nor a symbolic link, for side files whose names others can guess)."""
    flags |= os.O_NONBLOCK | os.O_CLOEXEC
    if not follow:
        flags |= os.O_NOFOLLOW
    try:
        fd = os.open(path, flags, mode)
    except OSError as exc:
        if exc.errno == errno.ELOOP and not follow:
            raise NotRecordFile(path, "a symbolic link (tmtui does not follow it)") from None
        if exc.errno == errno.ENXIO:  # a FIFO without a reader, opened to write
            raise NotRecordFile(path, "a FIFO or pipe, not a regular file") from None
        raise
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        os.close(fd)
        raise NotRecordFile(path, f"{_kind_of(st.st_mode)}, not a regular file")
    os.set_blocking(fd, True)
    return fd


def open_output(path: str | Path) -> BinaryIO:
    """A whole-file output named on the command line (a dataset, a report), open to write:
    a regular file (created or replaced in place; a link is followed, it was named), a
    device such as a terminal or ``/dev/null``, or a FIFO that someone reads
    (``-o >(gzip > x.gz)``). A FIFO that nobody reads is an OSError at once, never a wait."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NONBLOCK | os.O_CLOEXEC
    try:
        fd = os.open(path, flags, 0o666)
    except OSError as exc:
        if exc.errno == errno.ENXIO:  # a FIFO without a reader, opened to write
            raise OSError(errno.ENXIO, "a FIFO that nobody reads", str(path)) from None
        raise
    os.set_blocking(fd, True)
    return open(fd, "wb")


def create_new(path: Path, tries: int = 100) -> tuple[int, Path]:
    """A new regular file at ``path`` (its descriptor, open to write, and where it is), or at
    ``STEM-2.SUFFIX``, ``STEM-3.SUFFIX``... when something is there already: created
    exclusively and never through a link, so what is there (a file, a planted link, a FIFO)
    is never opened, overwritten or waited on."""
    for k in range(1, tries + 1):
        p = path if k == 1 else path.with_name(f"{path.stem}-{k}{path.suffix}")
        try:
            return open_regular(p, os.O_WRONLY | os.O_CREAT | os.O_EXCL, follow=False), p
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, f"it and {tries - 1} names after it are taken", str(path))


def _looks_like_torn_record(head: bytes) -> bool:
    """Whether a line without its end could be the start of a record this writer wrote."""
    head = head[:64]
    for name in _RECORD_FIELDS:
        key = b'{"' + name.encode() + b'":'
        if head.startswith(key) or key.startswith(head):
            return True
    return False


def _is_record(line: bytes) -> bool:
    try:
        decode_record(line)
    except (msgspec.DecodeError, msgspec.ValidationError, UnicodeDecodeError, RecursionError):
        return False
    except (ValueError, TypeError):
        return False
    return True


def check_record_file(path: str | Path) -> int:
    """Check that records may be appended to ``path``: nothing there, an empty file, or a
    tmtui JSONL (its first and last complete lines are records; a torn last line must be
    what could be a record's start: nothing else is ever cut). Returns the size of the torn last line to cut (0: none). Raises
    :class:`NotRecordFile` (saying why) otherwise; never blocks, whatever ``path`` is."""
    if not regular_or_absent(path):
        return 0
    fd = open_regular(path, os.O_RDONLY)
    with open(fd, "rb") as f:
        size = os.fstat(f.fileno()).st_size
        if size == 0:
            return 0
        first = f.readline(_FIRST_LINE_MAX)
        if not first.endswith(b"\n"):
            if len(first) == size and _looks_like_torn_record(first.removeprefix(_BOM)):
                return size  # one torn line: the first record's write was interrupted
            why = "it holds no complete line" if len(first) == size else "its first line is"
            if len(first) < size:
                why += f" longer than {_FIRST_LINE_MAX >> 20} MiB"
            raise NotRecordFile(path, f"not a tmtui record file ({why})")
        if not _is_record(first.removeprefix(_BOM)):
            raise NotRecordFile(path, "not a tmtui record file (its first line is not a record)")
        last_start, torn = _last_line(f, size)
        if torn:
            f.seek(size - torn)
            if not _looks_like_torn_record(f.read(64)):
                raise NotRecordFile(
                    path, "not a tmtui record file (its last line, without a newline, is no record)"
                )
        if last_start > 0:
            f.seek(last_start)
            last = f.read(size - torn - last_start)
            if last.strip() and not _is_record(last):
                raise NotRecordFile(path, "not a tmtui record file (its last line is not a record)")
        return torn


def _last_line(f: BinaryIO, size: int) -> tuple[int, int]:
    """(where the last complete line starts, the size of a torn line after it)."""
    f.seek(size - 1)
    torn_end = size if f.read(1) != b"\n" else None
    newlines: list[int] = []
    pos = size
    block = 65536
    while pos > 0 and len(newlines) < 2:
        start = max(0, pos - block)
        f.seek(start)
        chunk = f.read(pos - start)
        i = len(chunk)
        while len(newlines) < 2:
            i = chunk.rfind(b"\n", 0, i)
            if i < 0:
                break
            newlines.append(start + i)
        pos = start
    if torn_end is not None:
        # the torn line starts after the last newline; the last complete line before it
        end = newlines[0] if newlines else -1
        before = newlines[1] if len(newlines) > 1 else -1
        return before + 1, size - (end + 1)
    before = newlines[1] if len(newlines) > 1 else -1
    return before + 1, 0


class RecordWriter:
    """Appends records to a JSONL file: one write, flush and fsync per record.

    The file must be absent, empty or a tmtui JSONL (:func:`check_record_file`); a torn
    last line is cut off first (``repaired`` says how many bytes). Anything else (another
    kind of file, a FIFO, a device, a directory) raises :class:`NotRecordFile`, an OSError,
    before a byte is written. ``follow=False``: a symbolic link at ``path`` is refused too
    (the screens' save key, whose file may be a default name nobody chose).
    """

    def __init__(self, path: str | Path, *, sync: bool = True, follow: bool = True) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if not follow and self.path.is_symlink():  # checked again by O_NOFOLLOW below
            raise NotRecordFile(self.path, "a symbolic link (tmtui does not follow it)")
        torn = check_record_file(self.path)
        self.repaired = repair_tail(self.path) if torn else 0
        fd = open_regular(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, follow=follow)
        self._f = open(fd, "ab")  # noqa: SIM115 - closed in close()
        self._sync = sync
        self.written = 0

    def write(self, rec: Record) -> None:
        data = encode_record(rec)
        self._f.write(data)
        self._f.flush()
        if self._sync:
            os.fsync(self._f.fileno())
        self.written += 1

    def close(self) -> None:
        if not self._f.closed:
            self._f.flush()
            if self._sync:
                os.fsync(self._f.fileno())
            self._f.close()

    def __enter__(self) -> RecordWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
