"""Gold trace files (``tmtui export-gold``): one JSON line per instance, ready for chat
fine-tuning, written safely.

:class:`GoldRecord` is a line: the chat ``messages`` (system, the user prompt of the format's
template, the correct answer) and what a length split needs. :class:`GoldWriter` writes a whole
file or nothing: the lines go to a new hidden file beside the output (never a link, never
another's file), flushed as they come, fsynced, then renamed over the output. An output that
exists must be a regular file that is empty or a gold file written before (its first line is a
gold record): anything else (a dataset, a record file, a directory, a FIFO) is refused before
a byte is written.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import msgspec

from tmtui.core.datasets import Instance
from tmtui.core.gold import Exclusion, GoldFilter, gold_answer, longest_queue
from tmtui.core.prompts import messages
from tmtui.core.tagsystem import Run
from tmtui.io.instances import size_problem
from tmtui.io.jsonl import NotRecordFile, open_regular, regular_or_absent

__all__ = [
    "GOLD_SCHEMA_VERSION",
    "ExportCounts",
    "GoldRecord",
    "GoldWriter",
    "check_gold_output",
    "export_gold",
    "gold_record",
]

GOLD_SCHEMA_VERSION = 1
_FIRST_LINE_MAX = 64 << 20


class GoldRecord(msgspec.Struct, kw_only=True):
    """One gold trace: its chat messages and the facts of its trace."""

    schema_version: int = GOLD_SCHEMA_VERSION
    instance_id: str
    dataset: str
    format: str  # tmbench | tail | indexed (the template of the same name asked for it)
    steps: int  # the trace's last step (its length in steps)
    longest_queue: int  # the longest state of the trace, in symbols
    halted: bool  # the machine halts by itself (the answer ends with <halt>)
    messages: list[dict[str, str]]


_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder(GoldRecord)


def gold_record(inst: Instance, run: Run, fmt: str) -> GoldRecord:
    """The gold record of ``inst`` (whose trace is ``run``) in ``fmt``."""
    chat = messages(inst, fmt)
    chat.append({"role": "assistant", "content": gold_answer(run, fmt)})
    return GoldRecord(
        instance_id=inst.id,
        dataset=inst.dataset,
        format=fmt,
        steps=run.last_step,
        longest_queue=longest_queue(run),
        halted=run.halted,
        messages=chat,
    )


def check_gold_output(path: str | Path) -> None:
    """Refuse (:class:`~tmtui.io.jsonl.NotRecordFile`) an output that is not absent, empty or
    a gold file; never blocks, whatever ``path`` is."""
    if not regular_or_absent(path):
        return
    fd = open_regular(path, os.O_RDONLY)
    with open(fd, "rb") as f:
        first = f.readline(_FIRST_LINE_MAX)
    if not first.strip():
        if first:
            raise NotRecordFile(path, "not a gold trace file (its first line is blank)")
        return
    try:
        _decoder.decode(first)
    except (msgspec.DecodeError, msgspec.ValidationError, UnicodeDecodeError, RecursionError):
        raise NotRecordFile(
            path, "not a gold trace file (tmtui replaces only what export-gold wrote)"
        ) from None


class GoldWriter:
    """Writes a gold file whole or not at all (see the module doc). ``commit`` makes it the
    output; ``abort`` (or leaving a ``with`` block by an exception) leaves the output as it
    was."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        check_gold_output(self.path)
        parent = self.path.parent
        parent.mkdir(parents=True, exist_ok=True)
        self._tmp = parent / f".{self.path.name}.{secrets.token_hex(6)}.part"
        fd = open_regular(self._tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, follow=False)
        self._f = open(fd, "wb", buffering=1 << 20)  # noqa: SIM115 - closed in commit/abort
        self.written = 0

    def write(self, rec: GoldRecord) -> None:
        self._f.write(_encoder.encode(rec))
        self._f.write(b"\n")
        self.written += 1

    def commit(self) -> None:
        self._f.flush()
        os.fsync(self._f.fileno())
        self._f.close()
        check_gold_output(self.path)  # nothing else took its place meanwhile
        os.replace(self._tmp, self.path)
        with contextlib.suppress(OSError):
            dfd = os.open(self.path.parent, os.O_RDONLY)
            try:
                os.fsync(dfd)
            finally:
                os.close(dfd)

    def abort(self) -> None:
        if not self._f.closed:
            self._f.close()
        with contextlib.suppress(FileNotFoundError):
            self._tmp.unlink()

    def __enter__(self) -> GoldWriter:
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        if exc_type is not None or not self._f.closed:
            self.abort()


@dataclass
class ExportCounts:
    """What an export did with the instances it was given."""

    read: int = 0
    written: int = 0
    outside_bins: int = 0  # outside the length bins
    bad: int = 0  # samples that could not be read or simulated


def export_gold(
    items: Iterable[Instance | str],
    writer: GoldWriter,
    fmt: str,
    *,
    bins: GoldFilter,
    exclusion: Exclusion,
    limit: int | None = None,
    on_item: Callable[[ExportCounts], None] | None = None,
    on_bad: Callable[[str], None] | None = None,
) -> ExportCounts:
    """Write the gold record of every instance of ``items`` that is not held out and falls
    in the bins, one at a time (nothing but the current trace is held), until ``limit``
    records are written. A str in ``items`` is a sample that could not be read (its
    message): counted, told to ``on_bad``, and the export goes on."""
    counts = ExportCounts()
    for inst in items:
        if limit is not None and counts.written >= limit:
            break
        counts.read += 1
        if isinstance(inst, str):
            counts.bad += 1
            if on_bad is not None:
                on_bad(inst)
        elif not exclusion.drops(inst.id, inst.init, inst.rules):
            problem = size_problem(inst)
            if problem is not None:
                counts.bad += 1
                if on_bad is not None:
                    on_bad(f"{inst.dataset} sample {inst.index}: {problem}")
            else:
                # the trace is not kept on the instance (flat memory)
                run = (
                    inst.run
                    if "run" in inst.__dict__
                    else inst.system.run(inst.init, inst.max_states)
                )
                inst.__dict__.pop("run", None)
                if bins.admits(run.last_step, longest_queue(run)):
                    writer.write(gold_record(inst, run, fmt))
                    counts.written += 1
                else:
                    counts.outside_bins += 1
        if on_item is not None:
            on_item(counts)
    return counts
