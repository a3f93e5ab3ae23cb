"""The instance an answer is scored against: found for records that do not carry theirs, and
checked before anything is simulated.

Scoring materialises every ground-truth state, so the size of a trace is bounded: a record or
file can describe any tag system (a TMBench trace is a few thousand symbols).
"""

from __future__ import annotations

from collections.abc import Callable

from tmtui.core.datasets import PRESETS, Dataset, Instance, generate_preset
from tmtui.core.text import one_line
from tmtui.io.records import Record, instance_of

__all__ = [
    "MAX_TAPE",
    "MAX_TRUTH",
    "Resolver",
    "dataset_resolver",
    "preset_resolver",
    "record_instance",
    "size_problem",
]

# finds the instance of a record that does not carry one (None: not found)
Resolver = Callable[[Record], Instance | None]

MAX_TAPE = 50_000_000  # worst-case tape before simulating: init + (states - 1) * production
MAX_TRUTH = 50_000_000  # summed length of all ground-truth states
MAX_STATES = 10_000_000  # the largest step cap a record may ask for


def size_problem(inst: Instance) -> str | None:
    """Why an instance's ground truth is too large to score, or None."""
    longest = max(map(len, inst.rules.values()), default=0)
    tape = len(inst.init) + (inst.max_states - 1) * longest
    if tape > MAX_TAPE:
        return (
            f"bad instance: its trace could need {tape:,} symbols "
            f"({inst.max_states:,} states, productions up to {longest:,}); "
            f"the limit is {MAX_TAPE:,}"
        )
    total = inst.run.total_length()
    if total > MAX_TRUTH:
        return (
            f"bad instance: its {len(inst.run):,} ground-truth states hold {total:,} symbols; "
            f"the limit is {MAX_TRUTH:,}"
        )
    return None


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
        if inst.max_states < 1 or inst.max_states > MAX_STATES:
            return "bad instance: max_states out of range"
    problem = size_problem(inst)
    return inst if problem is None else problem
