"""The output file of ``tmtui run``: one writer at a time, and resuming.

:class:`RunOutput` checks the output (a regular tmtui JSONL, or nothing yet), takes its lock
(``<out>.lock``, flock; a lock left by a killed run is taken over and said to be stale),
finds which records are already complete (:meth:`RunOutput.scan`) and moves unfinished ones
aside into ``<out>.superseded.jsonl`` (:meth:`RunOutput.supersede`: the output is rewritten
atomically, a fresh temporary file, fsync, rename), so the file ends with exactly one record
per sample. No side file is written through a symbolic link.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

from tmtui.io.jsonl import (
    NotRecordFile,
    check_record_file,
    decode_record,
    open_regular,
    regular_or_absent,
    repair_tail,
)

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
    """The record file a run appends to, and the side files next to it.

    The output must be absent, or a regular file that is a tmtui JSONL (anything else is
    refused before anything is created). Side files are created safely: the lock and
    ``OUT.superseded.jsonl`` are opened without following a symbolic link, and the
    rewritten output is a fresh temporary file (exclusive create, in the output's
    directory) renamed over it. A run that writes nothing leaves no empty output behind,
    nor a directory it created for it.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock_fd: int | None = None
        self._lock_path: Path | None = None
        self._existed = True
        self._made_dirs: list[Path] = []
        # the lock file was left by a run that ended without removing it (kill -9): what
        # it said about that run ("pid 1234"), once the lock is taken
        self.stale_lock: str | None = None

    def _refuse(self, exc: NotRecordFile) -> RunError:
        return RunError(
            f"refusing to write {self.path}: it is {exc.strerror}; tmtui run appends records "
            "only to a tmtui record file (choose another -o)"
        )

    def lock(self) -> None:
        """Make sure no other run writes the same file (``<out>.lock``, flock), after checking
        that the output may be written (a regular tmtui JSONL, or nothing yet)."""
        if self._lock_fd is not None:
            return
        out = self.path
        try:
            self._existed = regular_or_absent(out)
        except NotRecordFile as exc:
            raise self._refuse(exc) from None
        path = out.with_name(out.name + ".lock")
        try:
            self._make_dirs(out.parent)
            fd = self._take(path)
        except NotRecordFile as exc:
            self._remove_dirs()
            raise RunError(f"cannot lock {out}: {path.name} is {exc.strerror}") from None
        except OSError as exc:
            self._remove_dirs()
            raise RunError(f"cannot write next to {out}: {exc.strerror or exc}") from None
        self._lock_fd = fd
        self._lock_path = path
        try:
            check_record_file(out)
        except NotRecordFile as exc:
            self.unlock()
            raise self._refuse(exc) from None
        except OSError as exc:
            self.unlock()
            raise RunError(f"cannot read {out}: {exc.strerror or exc}") from None

    def _take(self, path: Path) -> int:
        """The lock file's descriptor, locked; RunError when another run holds it."""
        import fcntl

        for _ in range(20):
            fd = open_regular(path, os.O_RDWR | os.O_CREAT, follow=False)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                holder = _holder(fd)
                os.close(fd)
                who = f" ({holder})" if holder else ""
                raise RunError(f"another tmtui run{who} is writing {self.path}") from None
            try:
                same = os.path.samestat(os.fstat(fd), os.stat(path, follow_symlinks=False))
            except OSError:
                same = False
            if not same:  # the holder removed it as we opened it: take the new one
                os.close(fd)
                continue
            holder = _holder(fd)
            if holder:
                self.stale_lock = holder
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"pid {os.getpid()}\n".encode(), 0)
            return fd
        raise RunError(f"cannot lock {self.path}: its lock file keeps changing")

    def _make_dirs(self, d: Path) -> None:
        missing: list[Path] = []
        while not d.exists() and d != d.parent:
            missing.append(d)
            d = d.parent
        for m in reversed(missing):
            try:
                m.mkdir()
            except FileExistsError:  # another process made it: not ours to remove
                continue
            self._made_dirs.append(m)

    def _remove_dirs(self) -> None:
        for d in reversed(self._made_dirs):
            with contextlib.suppress(OSError):
                d.rmdir()  # only if empty
        self._made_dirs = []

    def unlock(self) -> None:
        """Release the lock (and remove its file); an output this run created and left
        empty is removed, and so are directories made for it."""
        fd, self._lock_fd = self._lock_fd, None
        if fd is None:
            return
        path = self._lock_path
        if path is not None:
            with contextlib.suppress(OSError):
                if os.path.samestat(os.fstat(fd), os.stat(path, follow_symlinks=False)):
                    os.unlink(path)
        if not self._existed:
            with contextlib.suppress(OSError):
                st = os.stat(self.path, follow_symlinks=False)
                if stat.S_ISREG(st.st_mode) and st.st_size == 0:
                    os.unlink(self.path)
        self._remove_dirs()
        os.close(fd)

    def scan(self, wanted: set[RecordKey]) -> tuple[set[RecordKey], set[int]]:
        """Keys already complete, and line numbers of unfinished records to redo."""
        out = self.path
        done: set[RecordKey] = set()
        stale: set[int] = set()
        unfinished: dict[RecordKey, list[int]] = {}
        try:
            if not regular_or_absent(out):
                return done, stale
            f = open(open_regular(out, os.O_RDONLY), "rb")  # noqa: SIM115
        except NotRecordFile as exc:
            raise self._refuse(exc) from None
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
        real = Path(os.path.realpath(out))  # an output that is a link: rewrite its target
        side = out.with_name(out.name + ".superseded.jsonl")
        tmp: str | None = None
        try:
            mode = stat.S_IMODE(os.stat(real).st_mode)
            if side.is_symlink():
                raise NotRecordFile(side, "a symbolic link (tmtui does not follow it)")
            torn = check_record_file(side)
            if torn:
                repair_tail(side)
            aside_fd = open_regular(side, os.O_WRONLY | os.O_APPEND | os.O_CREAT, follow=False)
            with open(aside_fd, "ab") as aside:
                dst_fd, tmp = tempfile.mkstemp(
                    prefix=f".{real.name}.", suffix=".compact.tmp", dir=real.parent
                )
                os.fchmod(dst_fd, mode)
                with open(open_regular(real, os.O_RDONLY), "rb") as src, open(dst_fd, "wb") as dst:
                    for n, raw in enumerate(src, 1):
                        if n in lines:
                            aside.write(raw if raw.endswith(b"\n") else raw + b"\n")
                        else:
                            dst.write(raw)
                    aside.flush()
                    os.fsync(aside.fileno())
                    dst.flush()
                    os.fsync(dst.fileno())
            os.replace(tmp, real)
            tmp = None
            with contextlib.suppress(OSError):
                dfd = os.open(real.parent, os.O_RDONLY)
                try:
                    os.fsync(dfd)
                finally:
                    os.close(dfd)
        except NotRecordFile as exc:
            raise RunError(
                f"cannot move unfinished records aside: {side.name} is {exc.strerror}"
            ) from None
        except OSError as exc:
            raise RunError(f"cannot rewrite {out}: {exc.strerror or exc}") from None
        finally:
            if tmp is not None:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
        return len(lines)


def _holder(fd: int) -> str:
    """What a lock file says about the run that took it ("pid 1234"), if anything."""
    try:
        data = os.pread(fd, 64, 0)
    except OSError:
        return ""
    text = data.decode("ascii", "replace").strip()
    return text if text.startswith("pid ") and text[4:].isdigit() else ""
