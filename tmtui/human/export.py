"""Exporting attempts: one tmtui JSONL record per finished or timed-out scored attempt.

The records are those :mod:`tmtui.io.humanrecords` makes (the very ones ``tmtui score
study.sqlite`` scores), written to a file beside the output and moved into place once
complete: an export is whole or absent, never half a file, and exporting again replaces it.

Only what an export may replace is replaced: the output must be absent or a regular tmtui
record file (an earlier export); a dataset, a results file, a FIFO, a device or a directory
is refused (:class:`~tmtui.io.jsonl.NotRecordFile`) before anything is written. The file
written first has a name nobody can guess, is created exclusively without following a link,
and takes the output's place only if the output is still one tmtui may replace. An output
that is a link is written through it (its target is replaced), as ``tmtui run`` does.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

from tmtui.io.humandb import HumanDb
from tmtui.io.humanrecords import scored_records
from tmtui.io.jsonl import check_record_file, open_regular
from tmtui.io.records import encode_record

__all__ = ["export_records"]


def export_records(db: HumanDb, out: str | Path, participant: str | None = None) -> int:
    """Write the records (of one participant, when given) to ``out``; how many. Raises
    :class:`~tmtui.io.jsonl.NotRecordFile` (an OSError) when ``out`` is not absent nor a
    tmtui record file, leaving it as it was."""
    out = Path(out)
    check_record_file(out)
    real = Path(os.path.realpath(out))
    real.parent.mkdir(parents=True, exist_ok=True)
    tmp = real.with_name(f".{real.name}.{secrets.token_hex(8)}.part")
    n = 0
    fd = open_regular(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, follow=False)
    try:
        with open(fd, "wb", buffering=1 << 20) as f:
            for _attempt, rec in scored_records(db, participant):
                f.write(encode_record(rec))
                n += 1
            f.flush()
            os.fsync(f.fileno())  # one fsync for the whole file: it is not in place before
        check_record_file(real)  # nothing else took the output's place meanwhile
        os.replace(tmp, real)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    with contextlib.suppress(OSError):
        dfd = os.open(real.parent, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    return n
