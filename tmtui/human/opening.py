"""Opening a participant's session: a new one from the options (or from their assignment in a
plan), or their unfinished one, taken up where it stopped.

The same command run again resumes: a participant has at most one unfinished session per
database, and it keeps the settings it was made with (options given again must agree;
``new_session`` gives the unfinished one up instead). A session is worked on by one process
at a time (a second terminal, or a second browser tab, is refused while the first runs).
"""

from __future__ import annotations

import math
import random
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

import msgspec

from tmtui.core.datasets import Dataset, DatasetError, Instance
from tmtui.human.clock import Clock
from tmtui.human.practice import MAX_PRACTICE, PRACTICE_SEED, practice_set
from tmtui.human.session import Session, instance_of_item
from tmtui.human.settings import Assist, Feedback, SessionSettings
from tmtui.io import humanrows as rows
from tmtui.io import humanstudy as study
from tmtui.io import humanwrites as writes
from tmtui.io.humandb import HumanDb
from tmtui.io.records import spec_of
from tmtui.io.sources import SourceError, load_dataset

__all__ = [
    "NothingToDo",
    "SessionError",
    "SessionRequest",
    "check_participant",
    "instance_json",
    "open_session",
    "parse_samples",
]

_PSEUDONYM = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


class SessionError(Exception):
    """The session cannot be opened as asked (one clear line)."""


class NothingToDo(SessionError):
    """The participant has done everything assigned to them."""


@dataclass(frozen=True, slots=True)
class SessionRequest:
    """The options given for a session; None: not given (a new session takes the default, a
    resumed one keeps its own)."""

    dataset: str | None = None
    samples: str | None = None  # "0-9,72"
    shuffle_seed: int | None = None
    practice: int | None = None
    time_limit: float | None = None  # seconds per instance
    feedback: Feedback | None = None
    assist: Assist | None = None
    record_keys: bool | None = None


def check_participant(name: str) -> str:
    """A participant ID: a pseudonym of 1-64 letters, digits, '.', '_' or '-'."""
    if not _PSEUDONYM.fullmatch(name):
        raise SessionError(
            f"bad participant ID {name!r}: a pseudonym of 1-64 letters, digits, '.', '_' "
            "or '-', starting with a letter or digit (e.g. P01); nothing else personal is stored"
        )
    return name


def parse_samples(text: str, n: int | None = None) -> tuple[int, ...]:
    """``"0-9,72"`` -> (0, 1, ..., 9, 72): indices in the order given, each once (and below
    ``n`` when given)."""
    out: list[int] = []
    for part in text.replace(" ", "").split(","):
        m = re.fullmatch(r"(\d+)(?:-(\d+))?", part)
        if m is None:
            raise SessionError(f"bad --samples {text!r}: expected indices and ranges like 0-9,72")
        lo = int(m[1])
        hi = int(m[2]) if m[2] is not None else lo
        if hi < lo:
            raise SessionError(f"bad --samples range {part!r}: it runs backwards")
        out.extend(range(lo, hi + 1))
    if n is not None:
        bad = [i for i in out if i >= n]
        if bad:
            raise SessionError(f"--samples: index {bad[0]} is outside the dataset (0-{n - 1})")
    seen: set[int] = set()
    for i in out:
        if i in seen:
            raise SessionError(f"--samples: index {i} is listed twice")
        seen.add(i)
    return tuple(out)


def _check(request: SessionRequest) -> None:
    tl = request.time_limit
    if tl is not None and (not math.isfinite(tl) or tl <= 0):
        raise SessionError("--time-limit must be a number of seconds above 0")
    p = request.practice
    if p is not None and not 0 <= p <= MAX_PRACTICE:
        raise SessionError(f"--practice must be between 0 and {MAX_PRACTICE}")
    if request.samples is not None:
        parse_samples(request.samples)


def _item(inst: Instance, *, practice: bool, dataset: str) -> dict:
    return {
        "practice": practice,
        "dataset": dataset,
        "index": inst.index,
        "instance": instance_json(inst),
    }


def instance_json(inst: Instance) -> dict:
    """An instance as stored with sessions and plans (the record's ``instance`` object)."""
    return msgspec.structs.asdict(spec_of(inst))


def _differences(request: SessionRequest, row: rows.SessionRow) -> list[str]:
    """The options given that disagree with an unfinished session's own."""
    have = SessionSettings.from_json(row.settings)
    out = []
    if request.dataset is not None and request.dataset not in (row.dataset, row.dataset_name):
        out.append(f"dataset {row.dataset}")
    if row.plan_id is not None and request.samples is not None:
        out.append(f"the instances of plan {row.plan_id}")
    elif request.samples is not None and parse_samples(request.samples) != have.samples:
        shown = "all" if have.samples is None else ",".join(map(str, have.samples[:10]))
        out.append(
            f"--samples {shown}" + ("..." if have.samples and len(have.samples) > 10 else "")
        )
    given = {
        "--shuffle-seed": (request.shuffle_seed, have.shuffle_seed),
        "--practice": (request.practice, have.practice),
        "--time-limit": (request.time_limit, have.time_limit),
        "--feedback": (request.feedback, have.feedback),
        "--assist": (request.assist, have.assist),
        "--record-keys": (request.record_keys, have.record_keys),
    }
    for flag, (asked, stored) in given.items():
        if asked is not None and asked != stored:
            shown = "none" if stored is None else str(stored).lower()
            out.append(f"{flag} {shown}")
    return out


def open_session(
    db: HumanDb,
    participant: str,
    request: SessionRequest = SessionRequest(),
    *,
    clock: Clock = time.monotonic,
    new_session: bool = False,
    load: Callable[[str], Dataset] = load_dataset,
    heartbeat_s: float | None = None,
) -> Session:
    """The participant's session, ready for :meth:`Session.start`: their unfinished one,
    or a new one. Raises SessionError (one line) when it cannot be opened as asked, and
    :class:`~tmtui.io.humandb.HumanDbError` when the database fails."""
    check_participant(participant)
    _check(request)
    owner = rows.Owner.me()
    extra = {} if heartbeat_s is None else {"heartbeat_s": heartbeat_s}
    row = rows.open_session_of(db, participant)
    if row is not None:
        held = rows.holder(row)
        if held is not None and held.token != owner.token:
            raise SessionError(
                f"{participant}'s session {row.uid} is open in another process (pid {held.pid}); "
                "close it there first"
            )
        if new_session:
            writes.abandon(db, row.id)
            row = None
    if row is not None:
        differ = _differences(request, row)
        if differ:
            raise SessionError(
                f"{participant} has an unfinished session {row.uid}, made with "
                f"{', '.join(differ)}; run the command without those options to go on with it, "
                "or add --new-session to give it up and start a new one"
            )
        refused = writes.claim(db, row.id, owner)
        if refused is not None:
            raise SessionError(
                f"{participant}'s session {row.uid} is open in another process "
                f"(pid {refused.pid}); close it there first"
            )
        return Session(db, rows.session_row(db, row.id), owner, clock=clock, **extra)
    row = _create(db, participant, request, owner, load)
    return Session(db, row, owner, clock=clock, **extra)


def _create(
    db: HumanDb,
    participant: str,
    request: SessionRequest,
    owner: rows.Owner,
    load: Callable[[str], Dataset],
) -> rows.SessionRow:
    plan = study.assignment(db, participant)
    plan_id = None
    if plan is not None:
        if request.samples is not None:
            raise SessionError(
                f"{participant} is assigned instances by plan {plan.plan_id}: --samples cannot "
                "change them"
            )
        if request.shuffle_seed is not None:
            raise SessionError(
                f"{participant}'s order is set by plan {plan.plan_id}: --shuffle-seed cannot "
                "change it"
            )
        if request.dataset is not None and request.dataset not in (
            plan.dataset,
            plan.dataset_name,
        ):
            raise SessionError(
                f"{participant} is assigned instances of {plan.dataset} by plan "
                f"{plan.plan_id}, not of {request.dataset}"
            )
        done = {
            a.sample
            for a in rows.attempt_rows(
                db,
                where="practice = 0 AND status IN ('finished', 'timed_out') AND session_id IN"
                " (SELECT s.id FROM sessions s JOIN participants p ON s.participant_id = p.id"
                " WHERE p.name = ? AND s.plan_id = ?)",
                where_args=(participant, plan.plan_id),
            )
        }
        todo = [it for it in plan.items if it["index"] not in done]
        if not todo:
            raise NothingToDo(
                f"{participant} has done every instance of their assignment "
                f"({len(plan.items)} of {len(plan.items)})"
            )
        plan_id, dataset, name = plan.plan_id, plan.dataset, plan.dataset_name
        study_set = [instance_of_item({**it, "dataset": name}) for it in plan.items]
        chosen = [instance_of_item({**it, "dataset": name}) for it in todo]
        samples: tuple[int, ...] | None = tuple(inst.index for inst in chosen)
    else:
        dataset = request.dataset or "tmbench"
        try:
            ds = load(dataset)
        except (DatasetError, SourceError) as exc:
            raise SessionError(str(exc)) from None
        name = ds.name or dataset
        samples = None if request.samples is None else parse_samples(request.samples, len(ds))
        study_set = list(ds.samples)
        chosen = [ds[i] for i in samples] if samples is not None else list(ds.samples)
        if not chosen:
            raise SessionError(f"{dataset}: no instances to solve")
        if request.shuffle_seed is not None:
            random.Random(request.shuffle_seed).shuffle(chosen)
    n_practice = request.practice or 0
    try:
        practice = practice_set(study_set, n_practice, name=f"{name}-practice")
    except DatasetError as exc:
        raise SessionError(f"cannot draw {n_practice} practice instances: {exc}") from None
    settings = SessionSettings(
        dataset=dataset,
        samples=samples,
        shuffle_seed=request.shuffle_seed,
        practice=n_practice,
        practice_seed=PRACTICE_SEED if n_practice else None,
        time_limit=request.time_limit,
        feedback=request.feedback or Feedback.NONE,
        assist=request.assist or Assist.NONE,
        record_keys=bool(request.record_keys),
    )
    items = [_item(p, practice=True, dataset=f"{name}-practice") for p in practice]
    items += [_item(inst, practice=False, dataset=name) for inst in chosen]
    return writes.create_session(
        db,
        participant,
        uid="s" + secrets.token_hex(4),
        plan_id=plan_id,
        dataset=dataset,
        dataset_name=name,
        items=items,
        settings=settings.to_json(),
        owner=owner,
    )
