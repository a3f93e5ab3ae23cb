"""tmtui JSONL files: one record a line, appended by one writer, flushed and fsynced per record.

A crash (even ``kill -9``) can at worst leave a torn last line; readers report it and go on,
and :class:`RecordWriter` cuts it off before appending again, so a file never holds a partial
record in the middle.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import msgspec

from tmtui.core.text import invalid_utf8_at, one_line
from tmtui.io.inputs import open_input, strip_bom
from tmtui.io.records import Record, decode_record, encode_record

__all__ = ["BadLine", "RecordWriter", "iter_jsonl", "repair_tail"]


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


class RecordWriter:
    """Appends records to a JSONL file: one write, flush and fsync per record."""

    def __init__(self, path: str | Path, *, sync: bool = True) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.repaired = repair_tail(self.path)
        self._f = open(self.path, "ab")  # noqa: SIM115 - closed in close()
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
