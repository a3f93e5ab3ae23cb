"""Writes of sessions, attempts and submitted steps in the human-attempt database.

Every write is one transaction (:meth:`tmtui.io.humandb.HumanDb.transaction`) that also saves
the clocks (:class:`~tmtui.io.humanrows.Clocks`: the session's and the attempt's active time)
and any keys logged since the last write, so what the database says about time is never older
than the last thing stored. When a call returns, its write is on disk (``synchronous=FULL``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from tmtui import __version__
from tmtui.io.humandb import HumanDb, HumanDbError, dump_json, now_iso
from tmtui.io.humanrows import (
    AttemptRow,
    Clocks,
    NewStep,
    Owner,
    SessionRow,
    attempt_rows,
    session_row,
)

__all__ = [
    "abandon",
    "add_step",
    "claim",
    "correct_step",
    "create_session",
    "end_attempt",
    "finish_session",
    "release",
    "save",
    "start_attempt",
]

Keys = Sequence[tuple[int, float, str]]  # (step, attempt active ms, key)
_STEP_INSERT = (
    "attempt_id, step, queue, typed, assist, prefill, first_key_ms, submit_ms, at_ms,"
    " submitted_at, feedback"
)


def _save(c: sqlite3.Connection, clocks: Clocks, *, position: int | None = None) -> None:
    at = now_iso()
    if position is None:
        c.execute(
            "UPDATE sessions SET active_ms = ?, updated_at = ? WHERE id = ?",
            (clocks.session_ms, at, clocks.session_id),
        )
    else:
        c.execute(
            "UPDATE sessions SET active_ms = ?, updated_at = ?, position = ? WHERE id = ?",
            (clocks.session_ms, at, position, clocks.session_id),
        )
    if clocks.attempt_id is not None:
        c.execute(
            "UPDATE attempts SET active_ms = ?, paused_ms = ? WHERE id = ?",
            (clocks.attempt_ms, clocks.paused_ms, clocks.attempt_id),
        )


def _event(
    c: sqlite3.Connection,
    clocks: Clocks,
    kind: str,
    *,
    duration_ms: float | None = None,
    detail: str | None = None,
    attempt: bool = True,
) -> None:
    c.execute(
        "INSERT INTO events (session_id, attempt_id, kind, at_ms, duration_ms, detail, at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            clocks.session_id,
            clocks.attempt_id if attempt else None,
            kind,
            clocks.session_ms,
            duration_ms,
            detail,
            now_iso(),
        ),
    )


def _keys(c: sqlite3.Connection, attempt_id: int | None, keys: Keys) -> None:
    if keys and attempt_id is not None:
        c.executemany(
            "INSERT INTO keys (attempt_id, step, at_ms, key) VALUES (?, ?, ?, ?)",
            [(attempt_id, k, t, key) for k, t, key in keys],
        )


def create_session(
    db: HumanDb,
    participant: str,
    *,
    uid: str,
    plan_id: int | None,
    dataset: str,
    dataset_name: str,
    items: list[dict],
    settings: dict[str, Any],
    owner: Owner,
) -> SessionRow:
    """A new open session (the participant is added if new); refused when the participant
    has an open one already (another process may have just made it)."""
    at = now_iso()
    try:
        with db.transaction() as c:
            pid = _participant(c, participant)
            cur = c.execute(
                "INSERT INTO sessions (uid, participant_id, plan_id, dataset, dataset_name,"
                " items, settings, status, position, active_ms, started_at, updated_at, owner,"
                " tmtui_version) VALUES (?, ?, ?, ?, ?, ?, ?, 'open', 0, 0, ?, ?, ?, ?)",
                (
                    uid,
                    pid,
                    plan_id,
                    dataset,
                    dataset_name,
                    dump_json(items),
                    dump_json(settings),
                    at,
                    at,
                    owner.encode(),
                    __version__,
                ),
            )
            sid = int(cur.lastrowid or 0)
            _event(c, Clocks(sid, 0.0), "session-start", attempt=False)
    except sqlite3.IntegrityError:
        raise HumanDbError(
            f"{db.path}: {participant} has an unfinished session already (just opened elsewhere?)"
        ) from None
    return session_row(db, sid)


def _participant(c: sqlite3.Connection, name: str) -> int:
    row = c.execute("SELECT id FROM participants WHERE name = ?", (name,)).fetchone()
    if row is not None:
        return int(row[0])
    cur = c.execute("INSERT INTO participants (name, created_at) VALUES (?, ?)", (name, now_iso()))
    return int(cur.lastrowid or 0)


def claim(db: HumanDb, session_id: int, owner: Owner) -> Owner | None:
    """Make ``owner`` the process working on the session; returns the live process that
    holds it instead (nothing changed), or None when claimed."""
    with db.transaction() as c:
        row = c.execute("SELECT owner FROM sessions WHERE id = ?", (session_id,)).fetchone()
        held = Owner.decode(row[0]) if row and row[0] else None
        if held is not None and held.token != owner.token and held.alive():
            return held
        c.execute("UPDATE sessions SET owner = ? WHERE id = ?", (owner.encode(), session_id))
    return None


def release(db: HumanDb, session_id: int, owner: Owner) -> None:
    with db.transaction() as c:
        c.execute(
            "UPDATE sessions SET owner = NULL WHERE id = ? AND owner = ?",
            (session_id, owner.encode()),
        )


def abandon(db: HumanDb, session_id: int) -> None:
    """Give a session up: it and its attempt in progress are marked abandoned."""
    at = now_iso()
    with db.transaction() as c:
        c.execute(
            "UPDATE attempts SET status = 'abandoned', end_reason = 'abandoned', finished_at = ?"
            " WHERE session_id = ? AND status = 'in_progress'",
            (at, session_id),
        )
        c.execute(
            "UPDATE sessions SET status = 'abandoned', finished_at = ?, updated_at = ?,"
            " owner = NULL WHERE id = ?",
            (at, at, session_id),
        )
        ms = c.execute("SELECT active_ms FROM sessions WHERE id = ?", (session_id,)).fetchone()
        _event(c, Clocks(session_id, ms[0] if ms else 0.0), "session-abandon", attempt=False)


def finish_session(db: HumanDb, clocks: Clocks, position: int) -> None:
    at = now_iso()
    with db.transaction() as c:
        _save(c, clocks, position=position)
        c.execute(
            "UPDATE sessions SET status = 'finished', finished_at = ? WHERE id = ?",
            (at, clocks.session_id),
        )
        _event(c, clocks, "session-finish", attempt=False)


def start_attempt(
    db: HumanDb, clocks: Clocks, *, position: int, item: dict, keys: Keys = ()
) -> AttemptRow:
    """A new attempt at the session's item ``position`` (``item``: practice, dataset, index,
    instance), in progress from now."""
    inst = item["instance"]
    with db.transaction() as c:
        cur = c.execute(
            "INSERT INTO attempts (session_id, position, practice, dataset, sample,"
            " instance_id, instance, status, active_ms, paused_ms, started_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, 'in_progress', 0, 0, ?)",
            (
                clocks.session_id,
                position,
                int(bool(item["practice"])),
                item["dataset"],
                item["index"],
                inst["id"],
                dump_json(inst),
                now_iso(),
            ),
        )
        aid = int(cur.lastrowid or 0)
        _save(c, clocks, position=position)
        _event(c, Clocks(clocks.session_id, clocks.session_ms, aid), "instance-start")
    return attempt_rows(db, clocks.session_id, only=aid)[0]


def add_step(db: HumanDb, clocks: Clocks, step: NewStep, keys: Keys = ()) -> int:
    """Store a submitted step (and the clocks, and the keys typed for it); its id."""
    with db.transaction() as c:
        cur = c.execute(
            f"INSERT INTO steps ({_STEP_INSERT}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                clocks.attempt_id,
                step.step,
                step.queue,
                step.typed,
                step.assist,
                step.prefill,
                step.first_key_ms,
                step.submit_ms,
                step.at_ms,
                now_iso(),
                int(step.feedback),
            ),
        )
        _keys(c, clocks.attempt_id, keys)
        _save(c, clocks)
        return int(cur.lastrowid or 0)


def correct_step(
    db: HumanDb,
    clocks: Clocks,
    step_id: int,
    *,
    queue: str,
    typed: str,
    at_ms: float,
    feedback: bool,
    keys: Keys = (),
) -> None:
    """Replace a step's queue, keeping the old value as a correction."""
    with db.transaction() as c:
        old = c.execute("SELECT queue, typed FROM steps WHERE id = ?", (step_id,)).fetchone()
        if old is None:
            raise HumanDbError(f"{db.path}: step {step_id} is not stored")
        c.execute(
            "INSERT INTO corrections (step_id, old_queue, old_typed, new_queue, new_typed,"
            " at_ms, corrected_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (step_id, old[0], old[1], queue, typed, at_ms, now_iso()),
        )
        c.execute(
            "UPDATE steps SET queue = ?, typed = ?, feedback = ? WHERE id = ?",
            (queue, typed, int(feedback), step_id),
        )
        _keys(c, clocks.attempt_id, keys)
        _save(c, clocks)


def end_attempt(
    db: HumanDb,
    clocks: Clocks,
    *,
    status: str,
    end_reason: str,
    halt_step: int | None,
    next_position: int,
    keys: Keys = (),
) -> None:
    """An attempt ends (finished or timed out); the session moves on to ``next_position``."""
    with db.transaction() as c:
        c.execute(
            "UPDATE attempts SET status = ?, end_reason = ?, halt_step = ?, finished_at = ?"
            " WHERE id = ? AND status = 'in_progress'",
            (status, end_reason, halt_step, now_iso(), clocks.attempt_id),
        )
        _keys(c, clocks.attempt_id, keys)
        _save(c, clocks, position=next_position)
        _event(c, clocks, "instance-end", detail=end_reason)


def save(
    db: HumanDb,
    clocks: Clocks,
    *,
    event: str | None = None,
    duration_ms: float | None = None,
    detail: str | None = None,
    keys: Keys = (),
) -> None:
    """Save the clocks (and the keys logged), with an event when one is given."""
    with db.transaction() as c:
        _keys(c, clocks.attempt_id, keys)
        _save(c, clocks)
        if event is not None:
            _event(c, clocks, event, duration_ms=duration_ms, detail=detail)
