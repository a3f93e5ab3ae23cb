"""What a report holds: its rows (one per system, or per group of ``--by``), the paired
comparisons, the files read, and how it was made. Every figure of a row is the one
``tmtui score --json`` gives for the same samples and parser (:meth:`Row.to_dict` carries the
same keys, plus the row's group and its extras).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from tmtui.core.parsed import ParserMode
from tmtui.core.score import SCORER_VERSION, DatasetScore
from tmtui.report.curves import Curves
from tmtui.report.groups import CATEGORIES
from tmtui.report.paired import Comparison

__all__ = ["FileInfo", "Report", "Row", "SampleRef"]

# the keys of `tmtui score --json`'s figures, for a row with nothing scored
_EMPTY_FIGURES = {
    "n_samples": 0,
    "passed": 0,
    "pass_rate": None,
    "swa_uniform": None,
    "swa_linear": None,
    "step_accuracy": [],
    "step_counts": [],
    "intervals": {"pass_rate": None, "swa_uniform": None, "swa_linear": None},
    "diagnoses": {},
    "findings": {},
    "n_steps": 0,
    "bootstrap_resamples": 0,
}


@dataclass
class Row:
    """One row of the table: a system (or a group of ``--by``) and its figures."""

    label: str  # the group values joined: "gemini-2.5-pro", "human:P01 · greek"
    group: dict[str, str]  # dimension -> value
    kind: str  # "model", "human", "humans" (every participant pooled) or "mixed"
    mode: ParserMode
    score: DatasetScore | None  # None: nothing attempted was scored
    other: DatasetScore | None = None  # the other parser's figures (when compared)
    read_differently: int | None = None  # samples the two parsers read differently
    tokens_per_step: float | None = None  # completion tokens / steps written
    token_samples: int = 0  # samples with a token count
    seconds_per_step: float | None = None  # active seconds / steps written (humans)
    timed_samples: int = 0
    mix: dict[str, int] = field(default_factory=dict)  # category -> first divergences
    curves: Curves | None = None
    sources: list[str] = field(default_factory=list)
    source_kinds: list[str] = field(default_factory=list)
    models: list[str] = field(default_factory=list)
    not_attempted: list[dict] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)  # bad records of files wholly this row's
    skipped: int = 0  # official samples without an answer, of files wholly this row's
    truth_mismatches: list[str] = field(default_factory=list)

    @property
    def n(self) -> int:
        return self.score.n_samples if self.score is not None else 0

    @property
    def request_errors(self) -> int:
        return sum(1 for x in self.not_attempted if x["status"] == "error")

    @property
    def incomplete(self) -> int:
        return sum(1 for x in self.not_attempted if x["status"] == "interrupted")

    @property
    def differs(self) -> bool:
        """The two parsers read some sample of this row differently."""
        return bool(self.read_differently)

    @property
    def note(self) -> str:
        """A clear line for a row whose figures say little."""
        if self.score is None or not self.score.n_samples:
            parts = []
            if self.request_errors:
                parts.append(f"{self.request_errors} request errors")
            if self.incomplete:
                parts.append(f"{self.incomplete} incomplete")
            why = f" ({', '.join(parts)}, not scored)" if parts else ""
            return f"no scored sample{why}"
        if self.score.n_samples == 1:
            return "one sample: no SWA interval"
        return ""

    def to_dict(self) -> dict:
        d: dict = {"row": self.label, "group": dict(self.group), "system_kind": self.kind}
        if self.score is not None:
            d.update(self.score.to_dict())
        else:
            d.update(_EMPTY_FIGURES)
            d["parser"] = {"mode": self.mode, "version": self.mode.version}
            d["scorer_version"] = SCORER_VERSION
            d["n_steps"] = 0
        d["source"] = self.sources[0] if len(self.sources) == 1 else None
        d["sources"] = list(self.sources)
        kinds = sorted(set(self.source_kinds))
        d["kind"] = kinds[0] if len(kinds) == 1 else ("mixed" if kinds else None)
        d["request_errors"] = self.request_errors
        d["incomplete"] = self.incomplete
        d["not_attempted"] = list(self.not_attempted)
        d["skipped_without_answer"] = self.skipped
        d["errors"] = list(self.errors)
        d["models"] = sorted(self.models)
        if self.truth_mismatches:
            d["truth_mismatches"] = list(self.truth_mismatches)
        d["other_parser"] = self.other.to_dict() if self.other is not None else None
        d["read_differently"] = self.read_differently
        d["tokens_per_step"] = self.tokens_per_step
        d["token_samples"] = self.token_samples
        d["seconds_per_step"] = self.seconds_per_step
        d["timed_samples"] = self.timed_samples
        d["diagnosis_mix"] = {c: self.mix.get(c, 0) for c in CATEGORIES}
        d["curves"] = self.curves.to_dict() if self.curves is not None else None
        d["note"] = self.note
        return d


@dataclass
class FileInfo:
    path: str
    kind: str
    samples: int  # records or samples scored (attempted or not)
    errors: int  # bad records
    skipped: int  # official samples without an answer
    cached: bool  # the scores came from the cache

    def to_dict(self) -> dict:
        return {
            "path": self.path,
            "kind": self.kind,
            "samples": self.samples,
            "bad_records": self.errors,
            "skipped_without_answer": self.skipped,
            "cached": self.cached,
        }


@dataclass(frozen=True, slots=True)
class SampleRef:
    """One attempt of a row, where to find it, and how it went (for a list, worst first)."""

    source: str
    where: str  # "line 7", "sample 3"
    instance_id: str
    verdicts: str
    diagnosis: str | None
    status: str

    @property
    def swa(self) -> float:
        """The sample's own uniform SWA (percent) over its ground-truth steps."""
        v = self.verdicts
        return 100 * v.count("c") / len(v) if v else 0.0

    @property
    def first_error(self) -> int | None:
        for i, c in enumerate(self.verdicts):
            if c != "c":
                return i
        return None


@dataclass
class Report:
    """A report: rows, comparisons and the files they come from."""

    mode: ParserMode
    compared: bool
    by: list[str]
    rows: list[Row]
    comparisons: list[Comparison] = field(default_factory=list)
    files: list[FileInfo] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)  # every bad record: source, where, message
    fatal: list[str] = field(default_factory=list)  # files that could not be read at all
    notes: list[str] = field(default_factory=list)
    vs: str | None = None
    bootstrap: int = 1000
    seed: int = 0
    _samples: Callable[[Row], list[SampleRef]] | None = field(default=None, repr=False)

    def row(self, label: str) -> Row | None:
        return next((r for r in self.rows if r.label == label), None)

    def samples(self, row: Row | str) -> list[SampleRef]:
        """Every attempt of a row, worst first (lowest own SWA, then earliest first error),
        read again from the digests (kept, cached, or scored again)."""
        r = self.row(row) if isinstance(row, str) else row
        if r is None or self._samples is None:
            return []
        refs = self._samples(r)
        big = 1 << 62
        refs.sort(key=lambda s: (s.swa, big if s.first_error is None else s.first_error))
        return refs

    @property
    def n_samples(self) -> int:
        return sum(r.n for r in self.rows if r.kind != "humans")

    def to_dict(self) -> dict:
        other = self.mode.other
        return {
            "parser": {"mode": self.mode, "version": self.mode.version},
            "other_parser": {"mode": other, "version": other.version} if self.compared else None,
            "scorer_version": SCORER_VERSION,
            "by": list(self.by),
            "vs": self.vs,
            "bootstrap_resamples": self.bootstrap,
            "seed": self.seed,
            "rows": [r.to_dict() for r in self.rows],
            "comparisons": [c.to_dict() for c in self.comparisons],
            "files": [f.to_dict() for f in self.files],
            "errors": list(self.errors),
            "unreadable_files": list(self.fatal),
            "notes": list(self.notes),
        }
