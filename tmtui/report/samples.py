"""What a report keeps of one scored sample besides its verdicts: the instance's features
(for pairing, difficulty bins and queue lengths), the labels it is grouped by, and its cost
(tokens for a model, seconds for a person).

:func:`sample_info` is the ``info`` hook of :func:`tmtui.scoring.score_source`: it runs on
every item (in the forked workers on the official fast path) and returns a small picklable
:class:`SampleInfo`. Instance features are computed once per distinct instance.

Per-step seconds of a human attempt are read defensively from the record (the human export
is young): see :func:`human_seconds` for every place looked at, in order.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import msgspec

from tmtui.core.datasets import Instance
from tmtui.io.records import Record
from tmtui.io.sources import ScoreItem

__all__ = [
    "InstanceInfo",
    "Profile",
    "SampleInfo",
    "human_assist",
    "human_seconds",
    "instance_info",
    "sample_info",
    "temperature_label",
]


class InstanceInfo(msgspec.Struct, array_like=True, frozen=True):
    """The features of one instance a report needs (no answer, no truth text)."""

    id: str
    rules_sha256: str  # m, alphabet, rules, initial queue, step cap: pairs match on it
    m: int
    alphabet: tuple[str, ...]
    productions: tuple[int, ...]  # length of each production, in alphabet order
    init_length: int
    queue_lengths: tuple[int, ...]  # the length of every state of the simulated truth

    @property
    def states(self) -> int:
        return len(self.queue_lengths)

    @property
    def key(self) -> tuple[str, str]:
        return (self.id, self.rules_sha256)

    @property
    def mean_production(self) -> float:
        return sum(self.productions) / len(self.productions) if self.productions else 0.0


class Profile(NamedTuple):
    """The labels a sample is grouped by. None: not known (for ``model`` and ``dataset`` of
    an official results file: the file's name, filled in when the report is built, so a
    cached score does not depend on what the file is called)."""

    kind: str  # "model" or "human"
    model: str | None
    participant: str | None
    template: str | None
    temperature: str | None
    assist: str | None
    dataset: str | None


class SampleInfo(NamedTuple):
    instance: InstanceInfo
    profile: Profile
    tokens: float | None  # completion tokens of the answer (models)
    seconds: float | None  # active seconds of the attempt (humans)


def instance_info(inst: Instance) -> InstanceInfo:
    run = inst.run
    return InstanceInfo(
        id=inst.id,
        rules_sha256=inst.rules_sha256(),
        m=inst.m,
        alphabet=tuple(inst.alphabet),
        productions=tuple(len(inst.rules[s]) for s in inst.alphabet if s in inst.rules),
        init_length=len(inst.init),
        queue_lengths=tuple(run.length(i) for i in range(len(run))),
    )


def _number(v: Any) -> float | None:
    """A finite, non-negative number (never a bool), else None."""
    if isinstance(v, bool) or not isinstance(v, int | float):
        return None
    f = float(v)
    return f if math.isfinite(f) and f >= 0 else None


def temperature_label(params: dict[str, Any]) -> str | None:
    t = _number(params.get("temperature")) if isinstance(params, dict) else None
    return None if t is None else f"{t:g}"


_SECONDS_KEYS = ("active_seconds", "active_s", "seconds")
_MS_KEYS = ("active_ms", "submit_ms", "time_to_submit_ms", "ms")
_STEP_SECONDS_KEYS = ("seconds", "active_seconds", "active_s", "submit_s")


def _seconds_in(d: Any) -> float | None:
    if not isinstance(d, dict):
        return None
    for k in _SECONDS_KEYS:
        v = _number(d.get(k))
        if v is not None:
            return v
    for k in _MS_KEYS:
        v = _number(d.get(k))
        if v is not None:
            return v / 1000
    return None


def human_seconds(rec: Record) -> float | None:
    """The active seconds of a human attempt, from the first of: ``meta.human`` (what
    ``tmtui human export`` writes: ``active_ms``, the time the attempt was on screen and not
    paused; :mod:`tmtui.io.humanrecords`), then the same keys in ``meta`` itself
    (``active_seconds``, ``active_s`` or ``seconds``; ``active_ms``, ``submit_ms``,
    ``time_to_submit_ms`` or ``ms`` in milliseconds); ``meta.timing`` (the same keys);
    the sum over ``meta.steps`` (a list with one object per step, the same keys, every step
    timed); the record's ``timing.elapsed_ms``. Anything that is not a finite number >= 0
    is passed over; None when nothing is found."""
    meta = rec.meta if isinstance(rec.meta, dict) else {}
    for where in (meta.get("human"), meta, meta.get("timing")):
        v = _seconds_in(where)
        if v is not None:
            return v
    steps = meta.get("steps")
    if isinstance(steps, list) and steps:
        total = 0.0
        for st in steps:
            v = None
            if isinstance(st, dict):
                for k in _STEP_SECONDS_KEYS:
                    v = _number(st.get(k))
                    if v is not None:
                        break
                if v is None:
                    v = _seconds_in(st)
            if v is None:
                break
            total += v
        else:
            return total
    if rec.timing is not None:
        v = _number(rec.timing.elapsed_ms)
        if v is not None:
            return v / 1000
    return None


def human_assist(rec: Record) -> str | None:
    """A human attempt's assist level: ``meta.human.assist`` (what ``tmtui human export``
    writes), ``meta.assist``, ``meta.session.assist`` or ``params.assist`` (a word such as
    none, prefill, append)."""
    meta = rec.meta if isinstance(rec.meta, dict) else {}
    session = meta.get("session")
    human = meta.get("human")
    params = rec.params if isinstance(rec.params, dict) else {}
    for v in (
        human.get("assist") if isinstance(human, dict) else None,
        meta.get("assist"),
        session.get("assist") if isinstance(session, dict) else None,
        params.get("assist"),
    ):
        if isinstance(v, str) and v:
            return v
    return None


class SampleInfoMaker:
    """The ``info`` hook: a :class:`SampleInfo` per item, instance features made once."""

    def __init__(self) -> None:
        self._instances: dict[tuple, InstanceInfo] = {}

    def __call__(self, item: ScoreItem) -> SampleInfo:
        inst = item.instance
        key = (inst.id, inst.init, inst.m, inst.max_states, inst.alphabet, *inst.rules.items())
        info = self._instances.get(key)
        if info is None:
            info = instance_info(inst)
            if len(self._instances) < 100_000:
                self._instances[key] = info
        rec = item.record
        if rec is None:  # an official results file
            tokens = _number(item.num_token)
            profile = Profile("model", None, None, "tmbench", None, None, None)
            return SampleInfo(info, profile, tokens, None)
        human = rec.kind == "human"
        params = rec.params if isinstance(rec.params, dict) else {}
        profile = Profile(
            kind=rec.kind,
            model=rec.model,
            participant=rec.participant if human else None,
            template=rec.prompt_template,
            temperature=temperature_label(params),
            assist=human_assist(rec) if human else None,
            dataset=rec.dataset,
        )
        tokens = None
        if rec.usage is not None and not human:
            tokens = _number(rec.usage.completion_tokens)
        return SampleInfo(info, profile, tokens, human_seconds(rec) if human else None)


def sample_info() -> SampleInfoMaker:
    """A fresh ``info`` hook for :func:`tmtui.scoring.score_source`."""
    return SampleInfoMaker()
