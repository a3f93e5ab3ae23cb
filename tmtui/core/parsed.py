"""What a parser reads out of a transcript: the shared result types of both parsers."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from enum import StrEnum

__all__ = [
    "COMPAT_VERSION",
    "MAX_STEP_NUMBER",
    "STRICT_VERSION",
    "ParseResult",
    "ParsedStep",
    "ParserMode",
    "StepOccurrence",
]

STRICT_VERSION = "strict-1"
COMPAT_VERSION = "tmbench-acc.py-1"


class ParserMode(StrEnum):
    """Which reading of an answer: tmtui's strict parser, or the official evaluator's regex
    (``tmbench``, compat mode). Equal to its value as a string (``"strict"``, ``"tmbench"``),
    so records and JSON keep the plain names."""

    STRICT = "strict"
    TMBENCH = "tmbench"

    @property
    def version(self) -> str:
        """The parser's version, written beside every score."""
        return STRICT_VERSION if self is ParserMode.STRICT else COMPAT_VERSION

    @property
    def other(self) -> ParserMode:
        """The other reading (for side-by-side comparisons)."""
        return ParserMode.TMBENCH if self is ParserMode.STRICT else ParserMode.STRICT

    @property
    def label(self) -> str:
        """How the reading is named on screen."""
        return "strict" if self is ParserMode.STRICT else "official regex (compat tmbench)"

    @classmethod
    def of(cls, value: str | ParserMode) -> ParserMode:
        """The mode named ``value``; ValueError with one line for anything else."""
        if value.__class__ is cls:
            return value  # the per-sample path: no enum lookup
        try:
            return cls(value)
        except ValueError:
            raise ValueError(
                f"unknown parser {value!r}; choose {' or '.join(m.value for m in cls)}"
            ) from None


# Step numbers above this are kept as written in the text but can never match a ground-truth
# step; they exist so that "step 99999999999999999999:" never sizes a list or a loop.
MAX_STEP_NUMBER = 10**9


@dataclass(slots=True)
class StepOccurrence:
    """One place in the text where a step was written."""

    step: int
    queue: str | None  # symbols, separators removed; None when no queue could be read
    span: tuple[int, int] | None  # the queue's text span (inside the brackets) in the answer
    header_span: tuple[int, int]
    halt: bool = False  # the model marked this state as halting (<halt>, "halts", 停机)
    stop: bool = False  # the model marked that it stopped at the step cap (<stop>)
    unknown: str = ""  # symbols outside the alphabet, in order of first appearance
    head_claim: str | None = None  # the "Head Symbol:" the model wrote for this step
    append_claim: str | None = None  # what its action line says it appends ("Append X Y ...")
    remove_claim: str | None = None  # what its action line says it removes ("Remove X Y ...")
    # tail format: the tape position it says it read and the step it says wrote it
    fetch: tuple[int, int] | None = None
    length_claim: int | None = None  # tail format: the length it says the new queue has
    note: str = ""  # how the queue was chosen (e.g. an echo of the previous state skipped)
    problem: str = ""  # why no queue could be read (unparsable)


@dataclass(slots=True)
class ParsedStep(StepOccurrence):
    """The reading of a step that counts, with what happened to the others."""

    occurrences: int = 1  # how many times the step number was written
    why: str = ""  # which occurrence won and why, when there were several

    @classmethod
    def of(cls, occ: StepOccurrence, occurrences: int, why: str) -> ParsedStep:
        """The reading of the occurrence that counts, among ``occurrences``."""
        step = cls(**{name: getattr(occ, name) for name in _OCCURRENCE_FIELDS})
        step.occurrences = occurrences
        step.why = why
        return step

    def reads_as(self, other: ParsedStep) -> bool:
        """The same reading (queue, where it stands, halt and stop marks, problem): what a
        live reader needs to hear about again when it changes."""
        return (self.queue, self.span, self.halt, self.stop, self.problem) == (
            other.queue,
            other.span,
            other.halt,
            other.stop,
            other.problem,
        )


_OCCURRENCE_FIELDS = tuple(f.name for f in fields(StepOccurrence))


@dataclass
class ParseResult:
    """The steps a parser read from an answer, by step number."""

    mode: ParserMode
    version: str
    steps: dict[int, ParsedStep] = field(default_factory=dict)
    duplicates: dict[int, list[StepOccurrence]] = field(default_factory=dict)
    deviations: list[str] = field(default_factory=list)  # format deviations (not errors)
    reasoning_spans: list[tuple[int, int]] = field(default_factory=list)
    truncated: bool = False  # the text ends inside a step (no queue yet, or an open bracket)
    halt_step: int | None = None  # first step marked as halting

    @property
    def empty(self) -> bool:
        return not self.steps

    def get(self, step: int) -> ParsedStep | None:
        return self.steps.get(step)

    def queue(self, step: int) -> str | None:
        s = self.steps.get(step)
        return None if s is None else s.queue

    def max_step(self) -> int:
        return max(self.steps, default=-1)

    def unparsable(self) -> list[int]:
        return sorted(k for k, s in self.steps.items() if s.queue is None)
