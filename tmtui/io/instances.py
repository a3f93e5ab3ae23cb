"""The instance an answer is scored against: found for records that do not carry theirs, and
checked before anything is simulated.

Scoring aligns every ground-truth state, so the size of a trace is bounded
(:mod:`tmtui.core.limits`): a record or file can describe any tag system (a TMBench trace is
a few thousand symbols). :func:`size_problem` decides from an instance's parameters alone when
they settle it (almost always), and otherwise simulates under the limits themselves, so that a
refusal never costs what the instance's own step cap asks for.
"""

from __future__ import annotations

from collections.abc import Callable

from tmtui.core.datasets import PRESETS, Dataset, Instance, generate_preset
from tmtui.core.limits import MAX_RUN_STATES, MAX_STATES, MAX_TAPE, MAX_TRUTH, bounds
from tmtui.core.tagsystem import TraceTooLarge
from tmtui.core.text import one_line
from tmtui.io.records import Record, instance_of

__all__ = [
    "MAX_RUN_STATES",
    "MAX_STATES",
    "MAX_TAPE",
    "MAX_TRUTH",
    "Resolver",
    "dataset_resolver",
    "parameter_problem",
    "preset_resolver",
    "record_instance",
    "size_problem",
]

# finds the instance of a record that does not carry one (None: not found)
Resolver = Callable[[Record], Instance | None]


def parameter_problem(inst: Instance) -> str | None:
    """Why an instance's parameters alone rule it out (a step cap out of range, a tape that
    could outgrow the limit), or None. Nothing is simulated."""
    return _parameters(inst)[0]


def _parameters(inst: Instance) -> tuple[str | None, bool]:
    """(why the parameters rule the instance out, or None; True when they settle it: even
    its worst case is within every limit). Cheap: this runs for every sample scored."""
    cap = inst.max_states
    if not 1 <= cap <= MAX_STATES:
        return f"bad instance: max_states {cap:,} is outside 1..{MAX_STATES:,}", False
    longest = max(map(len, inst.rules.values()), default=0)
    worst = bounds(inst.m, len(inst.init), longest, cap)
    if worst.tape > MAX_TAPE:
        return (
            f"bad instance: its trace could need {worst.tape:,} symbols "
            f"({worst.states:,} states, productions up to {longest:,}); "
            f"the limit is {MAX_TAPE:,}"
        ), False
    return None, worst.settled


def size_problem(inst: Instance) -> str | None:
    """Why an instance's ground truth is too large to score, or None.

    The parameters first (:func:`parameter_problem`); when even their worst case fits every
    limit nothing is simulated here. Otherwise the trace is simulated under the limits (at
    most one state past ``MAX_RUN_STATES``, stopped as soon as its states hold more than
    ``MAX_TRUTH`` symbols), and kept as the instance's run when it is the whole trace."""
    problem, settled = _parameters(inst)
    if problem is not None or settled:
        return problem
    if "run" in inst.__dict__:
        run = inst.run
        if len(run) > MAX_RUN_STATES or run.total_length() > MAX_TRUTH:
            return _too_large(inst, len(run), run.total_length(), len(run) > MAX_RUN_STATES)
        return None
    states = min(inst.max_states, MAX_RUN_STATES + 1)
    try:
        run = inst.system.run(inst.init, states, max_symbols=MAX_TRUTH)
    except TraceTooLarge as exc:
        return _too_large(inst, exc.states, exc.symbols, False)
    if len(run) > MAX_RUN_STATES:
        return _too_large(inst, len(run), run.total_length(), True)
    if states == inst.max_states:
        inst.__dict__["run"] = run  # the whole trace (one that halted sooner runs again fast)
    return None


def _too_large(inst: Instance, states: int, symbols: int, long: bool) -> str:
    if long:
        return (
            f"bad instance: its trace runs past {MAX_RUN_STATES:,} states (the step cap asks "
            f"for {inst.max_states:,}); the limit is {MAX_RUN_STATES:,}"
        )
    return (
        f"bad instance: its ground-truth states hold {symbols:,} symbols by state "
        f"{states - 1:,} (the step cap asks for {inst.max_states:,} states); "
        f"the limit is {MAX_TRUTH:,}"
    )


def _find(ds: Dataset, rec: Record) -> Instance | None:
    if 0 <= rec.index < len(ds) and ds[rec.index].id == rec.instance_id:
        return ds[rec.index]
    return ds.by_id(rec.instance_id)


def preset_resolver(rec: Record) -> Instance | None:
    """Find a record's instance in a preset dataset named by its ``dataset`` field."""
    if rec.dataset not in PRESETS:
        return None
    return _find(generate_preset(rec.dataset), rec)


def dataset_resolver(ds: Dataset) -> Resolver:
    """Find a record's instance in ``ds`` (by index and id, else by id)."""
    return lambda rec: _find(ds, rec)


def record_instance(rec: Record, resolver: Resolver | None = None) -> Instance | str:
    """The instance a record answers, checked and small enough to score, or why not (one
    line): the record's own instance if it carries one, else the resolver's (presets by
    default)."""
    try:
        inst = instance_of(rec)
    except Exception as exc:
        return one_line(f"bad instance: {exc}", 160)
    if inst is None:
        inst = (resolver or preset_resolver)(rec)
        if inst is None:
            return (
                f"the record carries no instance and {rec.dataset!r} is not a known dataset "
                "(pass --dataset)"
            )
    else:
        try:
            inst.system  # noqa: B018 - validate the embedded tag system
        except ValueError as exc:
            return one_line(f"bad instance: {exc}", 160)
    problem = size_problem(inst)
    return inst if problem is None else problem
