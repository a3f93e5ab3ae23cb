"""The output file of ``tmtui run``: one writer at a time, and resuming.

:class:`RunOutput` takes the file's lock (``<out>.lock``, flock), finds which records are
already complete (:meth:`RunOutput.scan`) and moves unfinished ones aside into
``<out>.superseded.jsonl`` (:meth:`RunOutput.supersede`: the output is rewritten atomically,
a temporary file, fsync, rename), so the file ends with exactly one record per sample.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from tmtui.io.jsonl import decode_record

__all__ = ["RecordKey", "RunError", "RunOutput", "parse_samples", "record_key"]

# (instance id, index, repeat, model, prompt sha256): one record of a run
RecordKey = tuple[str, int, int, str, str]


class RunError(Exception):
    """Nothing more can be done (bad arguments, an endpoint that refuses us): one line."""


def record_key(inst_id: str, index: int, repeat: int, model: str, psha: str) -> RecordKey:
    return (inst_id, index, repeat, model, psha)


def parse_samples(spec: str, n: int) -> list[int]:
    """'0-9,17' -> [0, ..., 9, 17] (sorted, unique), checked against a dataset of n samples."""
    out: set[int] = set()
    for part in spec.split(","):
        part = part.strip()
        if not part:
            continue
        lo_s, sep, hi_s = part.partition("-")
        try:
            lo = int(lo_s)
            hi = int(hi_s) if sep else lo
        except ValueError:
            raise RunError(
                f"bad --samples {spec!r}: expected indices and ranges like 0-9,17"
            ) from None
        if lo < 0 or hi < lo:
            raise RunError(f"bad --samples range {part!r}")
        if hi >= n:
            raise RunError(f"--samples {part}: the dataset has samples 0..{n - 1}")
        out.update(range(lo, hi + 1))
    if not out:
        raise RunError("--samples selects no sample")
    return sorted(out)


class RunOutput:
    """The record file a run appends to."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock_fd: int | None = None
        self._lock_path: Path | None = None

    def lock(self) -> None:
        """Make sure no other run writes the same file (``<out>.lock``, flock)."""
        if self._lock_fd is not None:
            return
        import fcntl

        out = self.path
        path = out.with_name(out.name + ".lock")
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise RunError(f"cannot write next to {out}: {exc.strerror or exc}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise RunError(f"another tmtui run is writing {out}") from None
        self._lock_fd = fd
        self._lock_path = path

    def unlock(self) -> None:
        fd, self._lock_fd = self._lock_fd, None
        if fd is None:
            return
        with contextlib.suppress(OSError):
            os.unlink(self._lock_path)
        os.close(fd)

    def scan(self, wanted: set[RecordKey]) -> tuple[set[RecordKey], set[int]]:
        """Keys already complete, and line numbers of unfinished records to redo."""
        out = self.path
        done: set[RecordKey] = set()
        stale: set[int] = set()
        if not out.exists():
            return done, stale
        unfinished: dict[RecordKey, list[int]] = {}
        try:
            f = open(out, "rb")  # noqa: SIM115
        except OSError as exc:
            raise RunError(f"cannot read {out}: {exc.strerror or exc}") from None
        with f:
            for n, raw in enumerate(f, 1):
                if not raw.strip() or not raw.endswith(b"\n"):
                    continue
                try:
                    rec = decode_record(raw)
                except Exception:
                    continue
                key = record_key(
                    rec.instance_id, rec.index, rec.repeat, rec.model, rec.prompt_sha256
                )
                if key not in wanted:
                    continue
                if rec.status in ("complete", "cut"):
                    done.add(key)
                else:
                    unfinished.setdefault(key, []).append(n)
        for lines in unfinished.values():
            stale.update(lines)
        return done, stale

    def supersede(self, lines: set[int]) -> int:
        """Move the given lines out of the output file (atomically) into the sidecar;
        returns how many were moved."""
        out = self.path
        side = out.with_name(out.name + ".superseded.jsonl")
        tmp = out.with_name(out.name + ".compact.tmp")
        try:
            with open(out, "rb") as src, open(tmp, "wb") as dst, open(side, "ab") as aside:
                for n, raw in enumerate(src, 1):
                    if n in lines:
                        aside.write(raw if raw.endswith(b"\n") else raw + b"\n")
                    else:
                        dst.write(raw)
                aside.flush()
                os.fsync(aside.fileno())
                dst.flush()
                os.fsync(dst.fileno())
            os.replace(tmp, out)
            with contextlib.suppress(OSError):
                dfd = os.open(out.parent, os.O_RDONLY)
                try:
                    os.fsync(dfd)
                finally:
                    os.close(dfd)
        except OSError as exc:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise RunError(f"cannot rewrite {out}: {exc.strerror or exc}") from None
        return len(lines)
