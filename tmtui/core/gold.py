"""Gold traces: the correct answer to an instance, in one of three formats, ready for
fine-tuning (``tmtui export-gold``; docs/tail.md).

* ``tmbench``: the official answer format (the worked example of the official prompt), every
  step, the official ``<halt>`` mark on a halting state;
* ``tail``: every step as fixed, atomic lines: what it reads and where that was written (the
  tape position and the step that wrote it), the rule, the symbols deleted and appended, the
  new length, then the queue (linear, atomic, explicit fetches: the TAIL paper, arXiv
  2507.13332);
* ``indexed``: the official format with every queue symbol written with its tape position.

Each format is read by the prompt template of the same name (:mod:`tmtui.core.prompts`).
A gold record is one instance: its chat messages (system, the template's user prompt, the
answer) and the facts a length split needs (the trace's last step, its longest queue).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from tmtui.core.answer import ModelStep, format_step
from tmtui.core.tagsystem import Run

__all__ = ["FORMATS", "Exclusion", "GoldFilter", "gold_answer", "gold_steps", "longest_queue"]

FORMATS = ("tmbench", "tail", "indexed")

# the answer style of each format (tmbench: the official one)
_STYLE = {"tmbench": "official", "tail": "tail", "indexed": "indexed"}


def gold_steps(run: Run, fmt: str = "tmbench") -> Iterator[ModelStep]:
    """The steps of the correct answer, one at a time (nothing else of the run is copied)."""
    if fmt not in _STYLE:
        raise ValueError(f"unknown gold format {fmt!r}; choose from {', '.join(FORMATS)}")
    m = run.m
    last = run.last_step
    for k in range(last + 1):
        halt = k == last and run.halted
        if k == 0:
            yield ModelStep(0, run.state(0), halt=halt, at=0)
            continue
        cell = run.read_cell(k)
        yield ModelStep(
            k,
            run.state(k),
            head=run.head_read(k),
            appended=run.production(k),
            removed=run.deleted(k),
            halt=halt,
            fetch=(cell, run.read_from_step(k)),
            at=m * k,
        )


def gold_answer(run: Run, fmt: str = "tmbench") -> str:
    """The whole correct answer in ``fmt``, as the template's example writes it."""
    style = _STYLE.get(fmt)
    if style is None:
        raise ValueError(f"unknown gold format {fmt!r}; choose from {', '.join(FORMATS)}")
    return "".join(format_step(s, style) for s in gold_steps(run, fmt)).rstrip("\n")


def longest_queue(run: Run) -> int:
    """The length of the run's longest state."""
    return max(run.length(i) for i in range(len(run)))


@dataclass(frozen=True, slots=True)
class GoldFilter:
    """Length bins for train/test splits: the trace's last step and its longest queue
    (None: no bound)."""

    min_steps: int | None = None
    max_steps: int | None = None
    min_queue: int | None = None
    max_queue: int | None = None

    def check(self) -> str | None:
        """Why the bounds are inconsistent (None: they are fine)."""
        for lo, hi, name in (
            (self.min_steps, self.max_steps, "steps"),
            (self.min_queue, self.max_queue, "queue"),
        ):
            for v, flag in ((lo, f"--min-{name}"), (hi, f"--max-{name}")):
                if v is not None and v < 0:
                    return f"{flag} must be >= 0"
            if lo is not None and hi is not None and lo > hi:
                return f"--min-{name} {lo} is above --max-{name} {hi}"
        return None

    def admits(self, steps: int, queue: int) -> bool:
        return (
            (self.min_steps is None or steps >= self.min_steps)
            and (self.max_steps is None or steps <= self.max_steps)
            and (self.min_queue is None or queue >= self.min_queue)
            and (self.max_queue is None or queue <= self.max_queue)
        )


def _rules_key(init: str, rules: dict[str, str]) -> tuple[str, tuple[tuple[str, str], ...]]:
    return init, tuple(sorted(rules.items()))


class Exclusion:
    """The instances of held-out benchmark files: kept out of training data by id, and by
    rules and initial queue whatever the id (the same problem under another id)."""

    def __init__(self) -> None:
        self._ids: set[str] = set()
        self._problems: set[tuple[str, tuple[tuple[str, str], ...]]] = set()
        self.dropped_by_id = 0
        self.dropped_by_problem = 0

    def add(self, instance_id: str, init: str, rules: dict[str, str]) -> None:
        self._ids.add(instance_id)
        self._problems.add(_rules_key(init, rules))

    def __len__(self) -> int:
        return len(self._ids)

    def drops(self, instance_id: str, init: str, rules: dict[str, str]) -> bool:
        """True (and counted) when the instance is held out."""
        if instance_id in self._ids:
            self.dropped_by_id += 1
            return True
        if _rules_key(init, rules) in self._problems:
            self.dropped_by_problem += 1
            return True
        return False

    @property
    def dropped(self) -> int:
        return self.dropped_by_id + self.dropped_by_problem
