"""Exporting attempts: one tmtui JSONL record per finished or timed-out scored attempt.

The records are those :mod:`tmtui.io.humanrecords` makes (the very ones ``tmtui score
study.sqlite`` scores), written with :class:`tmtui.io.jsonl.RecordWriter` to a file beside the
output and moved into place once complete: an export is whole or absent, never half a file,
and exporting again replaces it.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from tmtui.io.humandb import HumanDb
from tmtui.io.humanrecords import scored_records
from tmtui.io.jsonl import RecordWriter

__all__ = ["export_records"]


def export_records(db: HumanDb, out: str | Path, participant: str | None = None) -> int:
    """Write the records (of one participant, when given) to ``out``; how many."""
    out = Path(out)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.part")
    n = 0
    try:
        # one fsync for the whole file (it is not in place before it is complete)
        with RecordWriter(tmp, sync=False) as writer:
            for _attempt, rec in scored_records(db, participant):
                writer.write(rec)
                n += 1
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, out)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    with contextlib.suppress(OSError):
        fd = os.open(out.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    return n
