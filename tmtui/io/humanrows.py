"""Sessions, attempts and submitted steps in the human-attempt database: the rows, and the
reads (the writes are :mod:`tmtui.io.humanwrites`).

A session is worked on by one process at a time: the session row names it (:class:`Owner`:
pid, process start time, a token per opening), and a process that has ended, even by
``kill -9``, holds nothing.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tmtui.io.humandb import HumanDb, HumanDbError

__all__ = [
    "AttemptRow",
    "Clocks",
    "CorrectionRow",
    "Event",
    "NewStep",
    "Owner",
    "SessionRow",
    "StepRow",
    "attempt_rows",
    "events",
    "holder",
    "open_session_of",
    "session_row",
]


@dataclass(frozen=True, slots=True)
class Owner:
    """The process working on a session (at most one at a time): its pid, its start time
    (so a reused pid is not taken for it) and a token per opening."""

    pid: int
    started: str
    token: str

    def encode(self) -> str:
        return f"{self.pid}:{self.started}:{self.token}"

    @classmethod
    def decode(cls, text: str) -> Owner | None:
        parts = text.split(":", 2)
        if len(parts) != 3 or not parts[0].isdigit():
            return None
        return cls(int(parts[0]), parts[1], parts[2])

    @classmethod
    def me(cls) -> Owner:
        return cls(os.getpid(), _process_start(os.getpid()) or "", os.urandom(8).hex())

    def alive(self) -> bool:
        """Whether the process still runs (on this machine: WAL needs one machine anyway)."""
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            pass  # it exists, as another user
        except OSError:
            return False
        fields = _stat_fields(self.pid)
        if fields is None:  # no /proc to ask
            return True
        if fields[:1] == ["Z"]:  # a zombie: it has ended
            return False
        return not self.started or _process_start(self.pid) == self.started


def _stat_fields(pid: int) -> list[str] | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return raw.rpartition(")")[2].split()


def _process_start(pid: int) -> str | None:
    fields = _stat_fields(pid)
    if fields is None or len(fields) < 20:
        return None
    return fields[19]  # starttime, in clock ticks since boot


# -- rows --------------------------------------------------------------------------------------


@dataclass(slots=True)
class SessionRow:
    id: int
    uid: str  # the session's name in records and on screen
    participant: str
    plan_id: int | None
    dataset: str  # as given (a preset name or a file)
    dataset_name: str
    items: list[dict]  # the instances in order: {"practice", "dataset", "index", "instance"}
    settings: dict[str, Any]
    status: str  # open | finished | abandoned
    position: int  # the item being worked on, or the next one
    active_ms: float
    started_at: str
    updated_at: str
    finished_at: str | None
    owner: str | None


@dataclass(slots=True)
class CorrectionRow:
    old_queue: str
    old_typed: str
    new_queue: str
    new_typed: str
    at_ms: float
    corrected_at: str


@dataclass(slots=True)
class StepRow:
    id: int
    step: int
    queue: str  # the symbols, as read from the entry
    typed: str  # the entry as typed
    assist: str  # none | prefill | append
    prefill: str | None  # what the entry started with, or the part the tool wrote (append)
    first_key_ms: float | None  # from the step's start to its first key (active time)
    submit_ms: float  # from the step's start to its submission (active time)
    at_ms: float  # the attempt's active time at the submission
    submitted_at: str
    feedback: bool  # its verdict was shown (after-step feedback)
    corrections: list[CorrectionRow] = field(default_factory=list)


@dataclass(slots=True)
class AttemptRow:
    id: int
    session_id: int
    position: int
    practice: bool
    dataset: str
    sample: int
    instance_id: str
    instance: dict  # {id, m, alphabet, rules, init, max_states}
    status: str  # in_progress | finished | timed_out | abandoned
    end_reason: str | None  # halt | step-cap | time-limit | abandoned
    halt_step: int | None
    active_ms: float
    paused_ms: float
    started_at: str
    finished_at: str | None
    steps: list[StepRow] = field(default_factory=list)


@dataclass(slots=True)
class Event:
    kind: str
    attempt_id: int | None
    at_ms: float | None
    duration_ms: float | None
    detail: str | None
    at: str


@dataclass(frozen=True, slots=True)
class Clocks:
    """Active time to save with a write: the session's, and the current attempt's."""

    session_id: int
    session_ms: float
    attempt_id: int | None = None
    attempt_ms: float = 0.0
    paused_ms: float = 0.0


@dataclass(frozen=True, slots=True)
class NewStep:
    step: int
    queue: str
    typed: str
    assist: str
    prefill: str | None
    first_key_ms: float | None
    submit_ms: float
    at_ms: float
    feedback: bool


_SESSION_COLS = (
    "s.id, s.uid, p.name, s.plan_id, s.dataset, s.dataset_name, s.items, s.settings, s.status,"
    " s.position, s.active_ms, s.started_at, s.updated_at, s.finished_at, s.owner"
)
_ATTEMPT_COLS = (
    "id, session_id, position, practice, dataset, sample, instance_id, instance, status,"
    " end_reason, halt_step, active_ms, paused_ms, started_at, finished_at"
)
_STEP_COLS = (
    "id, attempt_id, step, queue, typed, assist, prefill, first_key_ms, submit_ms, at_ms,"
    " submitted_at, feedback"
)


def _session(r: tuple) -> SessionRow:
    return SessionRow(
        *r[:6],
        json.loads(r[6]),
        json.loads(r[7]),
        *r[8:],  # type: ignore[arg-type]
    )


def _attempt(r: tuple) -> AttemptRow:
    return AttemptRow(
        r[0],
        r[1],
        r[2],
        bool(r[3]),
        r[4],
        r[5],
        r[6],
        json.loads(r[7]),
        *r[8:],  # type: ignore[arg-type]
    )


# -- reads -------------------------------------------------------------------------------------


def session_row(db: HumanDb, session_id: int) -> SessionRow:
    r = db.one(
        f"SELECT {_SESSION_COLS} FROM sessions s JOIN participants p ON s.participant_id = p.id"
        " WHERE s.id = ?",
        (session_id,),
    )
    if r is None:
        raise HumanDbError(f"{db.path}: session {session_id} is not stored")
    return _session(r)


def open_session_of(db: HumanDb, participant: str) -> SessionRow | None:
    """The participant's unfinished session, if any."""
    r = db.one(
        f"SELECT {_SESSION_COLS} FROM sessions s JOIN participants p ON s.participant_id = p.id"
        " WHERE p.name = ? AND s.status = 'open'",
        (participant,),
    )
    return None if r is None else _session(r)


def attempt_rows(
    db: HumanDb,
    session_id: int | None = None,
    *,
    only: int | None = None,
    where: str = "",
    where_args: Sequence[Any] = (),
) -> list[AttemptRow]:
    """Attempts with their steps (and each step's corrections), in session order: of one
    session, one attempt (``only``), or those matching ``where`` (an SQL condition on the
    attempts table, with its ``?`` arguments in ``where_args``)."""
    cond: list[str] = []
    args: list[Any] = []
    if session_id is not None:
        cond.append("session_id = ?")
        args.append(session_id)
    if only is not None:
        cond.append("id = ?")
        args.append(only)
    if where:
        cond.append(f"({where})")
        args.extend(where_args)
    with db.snapshot():
        return _attempts(db, cond, args)


def _attempts(db: HumanDb, cond: list[str], args: list[Any]) -> list[AttemptRow]:
    sql = f"SELECT {_ATTEMPT_COLS} FROM attempts"
    if cond:
        sql += " WHERE " + " AND ".join(cond)
    attempts = [_attempt(r) for r in db.all(sql + " ORDER BY session_id, position", args)]
    if not attempts:
        return attempts
    by_id = {a.id: a for a in attempts}
    # the steps of the same attempts, by a subquery (no list of ids: there may be thousands)
    chosen = f"SELECT id FROM attempts{' WHERE ' + ' AND '.join(cond) if cond else ''}"
    steps: dict[int, StepRow] = {}
    for r in db.all(
        f"SELECT {_STEP_COLS} FROM steps WHERE attempt_id IN ({chosen}) ORDER BY attempt_id, step",
        args,
    ):
        row = StepRow(r[0], *r[2:11], bool(r[11]))  # type: ignore[arg-type]
        steps[row.id] = row
        by_id[r[1]].steps.append(row)
    if steps:
        for r in db.all(
            "SELECT step_id, old_queue, old_typed, new_queue, new_typed, at_ms, corrected_at"
            f" FROM corrections WHERE step_id IN (SELECT id FROM steps WHERE attempt_id IN"
            f" ({chosen})) ORDER BY id",
            args,
        ):
            steps[r[0]].corrections.append(CorrectionRow(*r[1:]))
    return attempts


def events(db: HumanDb, session_id: int, attempt_id: int | None = None) -> list[Event]:
    """A session's events in order (of one attempt, when given)."""
    sql = "SELECT kind, attempt_id, at_ms, duration_ms, detail, at FROM events WHERE session_id = ?"
    args: list[Any] = [session_id]
    if attempt_id is not None:
        sql += " AND attempt_id = ?"
        args.append(attempt_id)
    return [Event(*r) for r in db.all(sql + " ORDER BY id", args)]


def holder(session: SessionRow) -> Owner | None:
    """The live process working on a session, if any."""
    held = Owner.decode(session.owner) if session.owner else None
    return held if held is not None and held.alive() else None
