"""What a diagnosis says: the :class:`Kind` of mistake (or finding) and the :class:`Diagnosis`
record (re-exported by :mod:`tmtui.core.diagnose`, which makes them)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

__all__ = ["FINDINGS", "Diagnosis", "Kind"]


class Kind(StrEnum):
    NOTHING_PARSABLE = "format:nothing-parsable"
    STEP_MISSING = "format:step-missing"
    UNPARSABLE = "format:unparsable"
    WRONG_HEAD = "wrong-head"
    WRONG_READ = "wrong-read"  # a tail answer's stated fetch: the wrong cell read
    WRONG_PRODUCTION = "wrong-production"
    WRONG_DELETION = "wrong-deletion"
    COPY_ERROR = "copy-error"
    STALE_STATE = "stale-state"  # the previous queue written again unchanged
    PREMATURE_HALT = "premature-halt"
    FAILURE_TO_HALT = "failure-to-halt"
    STEPS_AFTER_HALT = "steps-after-halt"
    BEYOND_CAP = "beyond-cap"
    TRUNCATED = "truncated"
    READ_DIFFERENTLY = "format:read-differently"  # the official regex misread a right step
    OTHER = "other"

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def is_format(self) -> bool:
        return self.value.startswith("format:")


_LABELS = {
    Kind.NOTHING_PARSABLE: "format: nothing parsable",
    Kind.STEP_MISSING: "format: step missing",
    Kind.UNPARSABLE: "format: unparsable queue",
    Kind.WRONG_HEAD: "wrong head read",
    Kind.WRONG_READ: "wrong cell read",
    Kind.WRONG_PRODUCTION: "wrong production",
    Kind.WRONG_DELETION: "wrong deletion count",
    Kind.COPY_ERROR: "copy error",
    Kind.STALE_STATE: "previous queue repeated",
    Kind.PREMATURE_HALT: "premature halt",
    Kind.FAILURE_TO_HALT: "failure to halt",
    Kind.STEPS_AFTER_HALT: "steps after halting",
    Kind.BEYOND_CAP: "steps beyond the cap",
    Kind.TRUNCATED: "truncated answer",
    Kind.READ_DIFFERENTLY: "format: read differently",
    Kind.OTHER: "other error",
}

# Non-fatal findings: the sample still passes.
FINDINGS = frozenset({Kind.FAILURE_TO_HALT, Kind.STEPS_AFTER_HALT, Kind.BEYOND_CAP})


@dataclass
class Diagnosis:
    kind: Kind
    step: int
    message: str  # one line, e.g. "copy error: dropped 4 symbols at position 33"
    detail: dict = field(default_factory=dict)
    fatal: bool = True  # False for findings on a passing sample
    new_errors: list[int] = field(default_factory=list)  # steps that break the rules locally
    inherited: list[int] = field(default_factory=list)  # wrong but locally valid steps

    def to_dict(self) -> dict:
        return {
            "kind": self.kind.value,
            "step": self.step,
            "message": self.message,
            "detail": self.detail,
            "fatal": self.fatal,
            "new_errors": self.new_errors,
            "inherited": self.inherited,
        }
