"""Studies in the human-attempt database: plans and assignments, each participant's progress,
and removing a participant's data."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass

from tmtui.io.humandb import HumanDb, HumanDbError, dump_json, now_iso
from tmtui.io.humanrows import Owner

__all__ = [
    "Assignment",
    "Progress",
    "add_plan",
    "assigned",
    "assignment",
    "delete_participant",
    "plans",
    "progress",
]


@dataclass(slots=True)
class Assignment:
    plan_id: int
    dataset: str  # as given to `tmtui human plan`
    dataset_name: str
    items: list[dict]  # {"index", "instance"} in the participant's order


@dataclass(slots=True)
class Progress:
    """One participant's progress, as `tmtui human status` shows it."""

    participant: str
    assigned: int | None  # instances in their plan (None: no plan)
    done: int  # scored instances finished or timed out
    timed_out: int
    practice: int  # practice instances done
    abandoned: int
    sessions: int
    open_session: str | None  # the unfinished session's name
    at_instance: int | None  # in it: the instance being worked on (1-based) ...
    of_instances: int | None  # ... of how many
    at_step: int | None  # the next step of the attempt in progress
    active_ms: float  # every session's active time
    last_activity: str | None
    working: bool  # a live process has the open session

    def to_dict(self) -> dict:
        return {
            "participant": self.participant,
            "assigned": self.assigned,
            "done": self.done,
            "timed_out": self.timed_out,
            "practice": self.practice,
            "abandoned": self.abandoned,
            "sessions": self.sessions,
            "open_session": self.open_session,
            "at_instance": self.at_instance,
            "of_instances": self.of_instances,
            "at_step": self.at_step,
            "active_seconds": round(self.active_ms / 1000, 3),
            "last_activity": self.last_activity,
            "working": self.working,
        }


def assigned(db: HumanDb, names: Sequence[str]) -> list[str]:
    """Which of these participants have an assignment already."""
    if not names:
        return []
    marks = ",".join("?" * len(names))
    rows = db.all(
        "SELECT DISTINCT p.name FROM assignments a JOIN participants p"
        f" ON a.participant_id = p.id WHERE p.name IN ({marks}) ORDER BY p.name",
        list(names),
    )
    return [r[0] for r in rows]


def add_plan(
    db: HumanDb,
    *,
    dataset: str,
    dataset_name: str,
    instances: list[dict],
    per_instance: int,
    seed: int,
    orders: dict[str, list[int]],
) -> int:
    """Store a plan: its ``instances`` (each ``{"index", "instance"}``) and each participant's
    order of sample indices (participants are added as needed). Refused, whole, when one of
    them has an assignment already."""
    by_index = {d["index"]: d["instance"]["id"] for d in instances}
    with db.transaction() as c:
        marks = ",".join("?" * len(orders))
        taken = c.execute(
            "SELECT p.name FROM assignments a JOIN participants p ON a.participant_id = p.id"
            f" WHERE p.name IN ({marks}) ORDER BY p.name LIMIT 1",
            list(orders),
        ).fetchone()
        if taken is not None:
            raise HumanDbError(f"{db.path}: {taken[0]} has an assignment already")
        cur = c.execute(
            "INSERT INTO plans (dataset, dataset_name, instances, per_instance, seed, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (dataset, dataset_name, dump_json(instances), per_instance, seed, now_iso()),
        )
        plan_id = int(cur.lastrowid or 0)
        for name, order in orders.items():
            row = c.execute("SELECT id FROM participants WHERE name = ?", (name,)).fetchone()
            if row is None:
                cur = c.execute(
                    "INSERT INTO participants (name, created_at) VALUES (?, ?)", (name, now_iso())
                )
                pid = int(cur.lastrowid or 0)
            else:
                pid = int(row[0])
            c.executemany(
                "INSERT INTO assignments (participant_id, position, plan_id, sample, instance_id)"
                " VALUES (?, ?, ?, ?, ?)",
                [(pid, k, plan_id, i, by_index[i]) for k, i in enumerate(order)],
            )
    return plan_id


def assignment(db: HumanDb, participant: str) -> Assignment | None:
    """A participant's assignment, in their order, or None."""
    with db.snapshot():
        rows = db.all(
            "SELECT a.plan_id, a.sample FROM assignments a JOIN participants p"
            " ON a.participant_id = p.id WHERE p.name = ? ORDER BY a.position",
            (participant,),
        )
        if not rows:
            return None
        plan = db.one(
            "SELECT dataset, dataset_name, instances FROM plans WHERE id = ?", (rows[0][0],)
        )
    if plan is None:
        return None
    by_index = {d["index"]: d for d in json.loads(plan[2])}
    return Assignment(rows[0][0], plan[0], plan[1], [by_index[r[1]] for r in rows])


def plans(db: HumanDb) -> list[dict]:
    """Every plan: id, dataset, instances, per_instance, seed, participants."""
    rows = db.all(
        "SELECT p.id, p.dataset, p.instances, p.per_instance, p.seed,"
        " (SELECT count(DISTINCT participant_id) FROM assignments a WHERE a.plan_id = p.id)"
        " FROM plans p ORDER BY p.id"
    )
    return [
        {
            "id": r[0],
            "dataset": r[1],
            "instances": len(json.loads(r[2])),
            "per_instance": r[3],
            "seed": r[4],
            "participants": r[5],
        }
        for r in rows
    ]


_PROGRESS = """
SELECT p.name,
  (SELECT count(*) FROM assignments a WHERE a.participant_id = p.id),
  (SELECT count(*) FROM attempts t JOIN sessions s ON t.session_id = s.id
     WHERE s.participant_id = p.id AND t.practice = 0 AND t.status IN ('finished', 'timed_out')),
  (SELECT count(*) FROM attempts t JOIN sessions s ON t.session_id = s.id
     WHERE s.participant_id = p.id AND t.practice = 0 AND t.status = 'timed_out'),
  (SELECT count(*) FROM attempts t JOIN sessions s ON t.session_id = s.id
     WHERE s.participant_id = p.id AND t.practice = 1 AND t.status IN ('finished', 'timed_out')),
  (SELECT count(*) FROM attempts t JOIN sessions s ON t.session_id = s.id
     WHERE s.participant_id = p.id AND t.status = 'abandoned'),
  (SELECT count(*) FROM sessions s WHERE s.participant_id = p.id),
  (SELECT coalesce(sum(s.active_ms), 0) FROM sessions s WHERE s.participant_id = p.id),
  (SELECT max(s.updated_at) FROM sessions s WHERE s.participant_id = p.id)
FROM participants p ORDER BY p.name
"""

_OPEN = """
SELECT p.name, s.uid, s.position, s.items, s.owner,
  (SELECT coalesce(max(st.step), 0) + 1 FROM attempts t JOIN steps st ON st.attempt_id = t.id
     WHERE t.session_id = s.id AND t.status = 'in_progress')
FROM sessions s JOIN participants p ON s.participant_id = p.id WHERE s.status = 'open'
"""


def progress(db: HumanDb, participant: str | None = None) -> list[Progress]:
    """Every participant's progress (or one's), by name."""
    with db.snapshot():
        rows = db.all(_PROGRESS)
        opened = {r[0]: r for r in db.all(_OPEN)}
    out = []
    for name, n_assigned, done, timed_out, practice, abandoned, sessions, ms, last in rows:
        if participant is not None and name != participant:
            continue
        op = opened.get(name)
        owner = Owner.decode(op[4]) if op is not None and op[4] else None
        out.append(
            Progress(
                participant=name,
                assigned=n_assigned or None,
                done=done,
                timed_out=timed_out,
                practice=practice,
                abandoned=abandoned,
                sessions=sessions,
                open_session=op[1] if op else None,
                at_instance=op[2] + 1 if op else None,
                of_instances=len(json.loads(op[3])) if op else None,
                at_step=op[5] if op else None,
                active_ms=float(ms),
                last_activity=last,
                working=owner is not None and owner.alive(),
            )
        )
    return out


def delete_participant(db: HumanDb, name: str) -> dict[str, int] | None:
    """Remove a participant and everything stored about them; the counts removed (None: no
    such participant). Refused while a live process works on their session. The freed pages
    are overwritten (``secure_delete``) and the write-ahead log is checkpointed, so the data
    does not linger in the files."""
    if db.one("SELECT 1 FROM participants WHERE name = ?", (name,)) is None:
        return None
    counts_sql = {
        "sessions": "SELECT count(*) FROM sessions s WHERE s.participant_id = p.id",
        "attempts": "SELECT count(*) FROM attempts t JOIN sessions s ON t.session_id = s.id"
        " WHERE s.participant_id = p.id",
        "steps": "SELECT count(*) FROM steps st JOIN attempts t ON st.attempt_id = t.id"
        " JOIN sessions s ON t.session_id = s.id WHERE s.participant_id = p.id",
        "assignments": "SELECT count(*) FROM assignments a WHERE a.participant_id = p.id",
    }
    try:
        db.conn.execute("PRAGMA secure_delete = ON")
    except sqlite3.Error as exc:
        raise db.error(exc) from None
    with db.transaction() as c:
        for (owner,) in c.execute(
            "SELECT s.owner FROM sessions s JOIN participants p ON s.participant_id = p.id"
            " WHERE p.name = ? AND s.status = 'open' AND s.owner IS NOT NULL",
            (name,),
        ).fetchall():
            held = Owner.decode(owner)
            if held is not None and held.alive():
                raise HumanDbError(
                    f"{db.path}: {name}'s session is open in process {held.pid}; close it first"
                )
        counts = {
            k: c.execute(f"SELECT ({q}) FROM participants p WHERE p.name = ?", (name,)).fetchone()[
                0
            ]
            for k, q in counts_sql.items()
        }
        c.execute("DELETE FROM participants WHERE name = ?", (name,))
        # a plan nobody is assigned to any more, and no session follows, goes too
        c.execute(
            "DELETE FROM plans WHERE id NOT IN (SELECT plan_id FROM assignments)"
            " AND id NOT IN (SELECT plan_id FROM sessions WHERE plan_id IS NOT NULL)"
        )
    with suppress(sqlite3.Error):
        db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return counts
