"""Human attempts as tmtui records: the answer written in the official answer format, so the
one scoring path scores a person exactly as it scores a model.

A finished or timed-out attempt becomes one :class:`~tmtui.io.records.Record` with
``kind="human"``, ``model="human:<participant>"``, its ``participant`` and ``session``, and an
answer holding one block per step::

    ### step 3:
       - Queue State: [C A D D]

Step 0 is the initial queue, which the session shows and tmtui writes; the steps after it are
the queues the participant submitted (corrections applied), and a declared halt marks the last
one ``<halt>``. No ``Action:`` line is written: the participant said nothing about heads or
productions, and the diagnosis must not read claims nobody made. Per-step times, the assist,
corrections and the session's settings go in ``meta["human"]`` (docs/records.md); ``chunks``
place each step's block at the moment it was submitted, so a replay shows the attempt in its
own time.

:func:`attempt_items` gives the scorable attempts of a database to
:class:`tmtui.io.sources.HumanDbSource` (``tmtui score study.sqlite``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tmtui.io.humandb import HumanDb, HumanDbError
from tmtui.io.humanrows import AttemptRow, StepRow, attempt_rows, session_row
from tmtui.io.instances import record_instance
from tmtui.io.items import ItemError, ScoreItem, SourceError
from tmtui.io.records import InstanceSpec, Record, Timing

__all__ = [
    "HALT_MARK",
    "PROMPT_TEMPLATE",
    "answer_blocks",
    "attempt_items",
    "attempt_record",
    "check_database",
    "human_model",
    "scored_records",
]

HALT_MARK = "<halt>"
PREAMBLE = "Simulation steps:\n"
PROMPT_TEMPLATE = "human"  # no prompt: the participant saw the tmtui human session screen
RECORD_STATUS = {"finished": "complete", "timed_out": "cut"}  # attempt status -> record status
SCORED = "practice = 0 AND status IN ('finished', 'timed_out')"


def human_model(participant: str) -> str:
    """The ``model`` of a participant's records."""
    return f"human:{participant}"


def _queue(symbols: str) -> str:
    return "[" + " ".join(symbols) + "]"


def answer_blocks(init: str, queues: list[str], halt_step: int | None) -> list[str]:
    """The answer's text in pieces: the preamble and step 0, then one block per submitted
    step (``queues[k - 1]`` is step k); ``halt_step`` marks a declared halting state."""

    def block(k: int, q: str) -> str:
        mark = f" {HALT_MARK}" if k == halt_step else ""
        return f"### step {k}:\n   - Queue State: {_queue(q)}{mark}\n\n"

    blocks = [PREAMBLE + block(0, init)]
    blocks.extend(block(k, q) for k, q in enumerate(queues, 1))
    blocks[-1] = blocks[-1].rstrip("\n") + "\n"
    return blocks


def _ms(ms: float) -> float:
    """Milliseconds to the microsecond (what a monotonic clock means; no float noise)."""
    return round(ms, 3)


def _step_meta(s: StepRow) -> dict[str, Any]:
    d: dict[str, Any] = {
        "step": s.step,
        "queue": s.queue,
        "typed": s.typed,
        "assist": s.assist,
        "first_key_ms": None if s.first_key_ms is None else _ms(s.first_key_ms),
        "submit_ms": _ms(s.submit_ms),
        "at_ms": _ms(s.at_ms),
        "submitted_at": s.submitted_at,
    }
    if s.prefill is not None:
        d["prefill"] = s.prefill
    if s.feedback:
        d["feedback"] = True
    if s.corrections:
        d["corrections"] = [
            {
                "old": c.old_queue,
                "old_typed": c.old_typed,
                "new": c.new_queue,
                "new_typed": c.new_typed,
                "at_ms": _ms(c.at_ms),
                "corrected_at": c.corrected_at,
            }
            for c in s.corrections
        ]
    return d


def attempt_record(
    a: AttemptRow,
    *,
    participant: str,
    session: str,
    settings: dict[str, Any],
    plan_id: int | None = None,
    repeat: int = 0,
) -> Record:
    """The record of one attempt (of any status; only finished and timed-out ones are
    exported and scored)."""
    steps = sorted(a.steps, key=lambda s: s.step)
    queues = [s.queue for s in steps]
    blocks = answer_blocks(a.instance["init"], queues, a.halt_step)
    chunks = [[0.0, float(len(blocks[0])), 0.0]]
    chunks.extend(
        [_ms(s.at_ms), float(len(b)), 0.0] for s, b in zip(steps, blocks[1:], strict=True)
    )
    first_key = steps[0].first_key_ms if steps and steps[0].step == 1 else None
    if first_key is not None:
        first_key = _ms(first_key)
    human: dict[str, Any] = {
        "attempt": a.id,
        "position": a.position,
        "practice": a.practice,
        "status": a.status,
        "ended": a.end_reason,
        "halt_step": a.halt_step,
        "active_ms": _ms(a.active_ms),
        "paused_ms": _ms(a.paused_ms),
        "step_seconds": [None] + [round(s.submit_ms / 1000, 3) for s in steps],
        "steps": [_step_meta(s) for s in steps],
        "corrections": sum(len(s.corrections) for s in steps),
        "feedback": settings.get("feedback"),
        "assist": settings.get("assist"),
        "time_limit_s": settings.get("time_limit"),
        "shuffle_seed": settings.get("shuffle_seed"),
        "plan": plan_id,
        "finished_at": a.finished_at,
    }
    return Record(
        kind="human",
        instance_id=a.instance_id,
        dataset=a.dataset,
        index=a.sample,
        model=human_model(participant),
        participant=participant,
        session=session,
        status=RECORD_STATUS.get(a.status, "interrupted"),  # type: ignore[arg-type]
        answer="".join(blocks),
        finish_reason=a.end_reason,
        instance=InstanceSpec(**a.instance),
        prompt_template=PROMPT_TEMPLATE,
        chunks=chunks,
        timing=Timing(
            started_at=a.started_at, first_token_ms=first_key, elapsed_ms=_ms(a.active_ms)
        ),
        repeat=repeat,
        run_id=session,
        created_at=a.finished_at or "",
        meta={"human": human},
    )


def scored_records(
    db: HumanDb, participant: str | None = None
) -> Iterator[tuple[AttemptRow, Record]]:
    """Every finished or timed-out scored attempt (not practice) as a record, in the order
    the sessions were made and the attempts made in them; of one participant when given.
    ``repeat`` counts a participant's earlier scored attempts at the same instance."""
    where = SCORED
    args: list[Any] = []
    if participant is not None:
        where += (
            " AND session_id IN (SELECT s.id FROM sessions s JOIN participants p"
            " ON s.participant_id = p.id WHERE p.name = ?)"
        )
        args.append(participant)
    with db.snapshot():
        attempts = attempt_rows(db, where=where, where_args=args)
        sessions = {sid: session_row(db, sid) for sid in {a.session_id for a in attempts}}
    seen: Counter[tuple[str, str]] = Counter()
    for a in attempts:
        s = sessions[a.session_id]
        key = (s.participant, a.instance_id)
        yield (
            a,
            attempt_record(
                a,
                participant=s.participant,
                session=s.uid,
                settings=s.settings,
                plan_id=s.plan_id,
                repeat=seen[key],
            ),
        )
        seen[key] += 1


def check_database(path: Path) -> None:
    """Raise SourceError (one line) unless ``path`` opens as a tmtui human-attempt database."""
    try:
        HumanDb(path, write=False).close()
    except HumanDbError as exc:
        raise SourceError(str(exc)) from None


def attempt_items(path: Path, *, with_prompts: bool = False) -> Iterator[ScoreItem | ItemError]:
    """The scorable attempts of a database, for the sources registry: one ScoreItem per
    finished or timed-out scored attempt, an ItemError for an attempt whose instance cannot be
    scored (and one for the whole file when it cannot be read)."""
    src = str(path)
    try:
        db = HumanDb(path, write=False)
        try:
            records = list(scored_records(db))
        finally:
            db.close()
    except HumanDbError as exc:
        yield ItemError(src, "file", str(exc))
        return
    for a, rec in records:
        where = f"attempt {a.id}"
        inst = record_instance(rec)
        if isinstance(inst, str):
            yield ItemError(src, where, inst)
            continue
        # a participant is shown the instance, not a prompt
        yield ScoreItem.of_record(src, where, inst, rec)
