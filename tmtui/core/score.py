"""Scoring: per sample (verdicts, pass, first divergence, diagnosis) and per dataset (ACC(i),
SWA uniform and linear, pass rate, intervals), as in the TMBench paper.

* ACC(i): correct / samples whose ground truth has step i (the official denominator).
* SWA uniform: mean of ACC(i) over steps 0..S-1; SWA linear: weighted by (i + 1). S is the
  dataset's number of states (31 for TMBench: steps 0..30). A step no sample reaches has no
  ACC and is left out of both sums (the official script would divide by zero there).
* Pass rate: samples with every ground-truth step correct. All figures are percentages 0-100.
* Intervals: Wilson 95 % for the pass rate; a seeded Poisson bootstrap (resampling samples) for
  both SWAs.

Unparsable and missing steps are counted apart from wrong ones; all three are "not correct".
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from operator import mul

from tmtui.core.align import Alignment, Verdict, align
from tmtui.core.compat import (
    compat_steps,
    parse_compat,
    scan_text,
    step_number,
)
from tmtui.core.datasets import Instance
from tmtui.core.diagnose import Diagnosis, Kind, diagnose
from tmtui.core.parse import parse_strict
from tmtui.core.parsed import ParseResult, ParserMode
from tmtui.core.stats import percentile_interval, poisson, wilson
from tmtui.core.strict_step import StrictReading
from tmtui.core.tagsystem import Run

__all__ = [
    "NOT_ATTEMPTED",
    "SCORER_VERSION",
    "DatasetScore",
    "SampleScore",
    "ScoreAccumulator",
    "parse_answer",
    "score_sample",
]

SCORER_VERSION = "score-1"

# Records of attempts that did not happen: a request that failed, a stream interrupted before
# its end. They are counted apart, never scored as a model's wrong answer.
NOT_ATTEMPTED = frozenset({"error", "interrupted"})


def parse_answer(
    text: str, mode: ParserMode | str, alphabet: Sequence[str] | None = None
) -> ParseResult:
    """The answer as the given parser reads it."""
    alpha = tuple(alphabet) if alphabet else None
    if ParserMode.of(mode) is ParserMode.STRICT:
        return parse_strict(text, alpha)
    return parse_compat(text, alpha)


@dataclass
class SampleScore:
    """The score of one answer to one instance."""

    instance_id: str
    index: int
    model: str
    mode: ParserMode
    verdicts: str  # one letter per ground-truth step: c w m u
    passed: bool
    n_truth: int
    first_divergence: int | None = None
    divergence_position: int | None = None
    diagnosis: Diagnosis | None = None
    extra_steps: int = 0
    deviations: list[str] = field(default_factory=list)
    status: str = "complete"
    source: str = ""
    rules_sha256: str = ""
    prompt_sha256: str = ""
    alignment: Alignment | None = None  # kept only when asked for
    parse: ParseResult | None = None

    @property
    def n_correct(self) -> int:
        return self.verdicts.count("c")

    def swa(self, linear: bool = False) -> float:
        """This sample's own step-weighted accuracy (percent) over its ground-truth steps."""
        if not self.verdicts:
            return 0.0
        if linear:
            num = sum(i + 1 for i, v in enumerate(self.verdicts) if v == "c")
            return 100.0 * num / sum(range(1, len(self.verdicts) + 1))
        return 100.0 * self.n_correct / len(self.verdicts)

    def to_dict(self) -> dict:
        d = {
            "instance_id": self.instance_id,
            "index": self.index,
            "model": self.model,
            "passed": self.passed,
            "verdicts": self.verdicts,
            "n_truth": self.n_truth,
            "correct": self.n_correct,
            "wrong": self.verdicts.count("w"),
            "missing": self.verdicts.count("m"),
            "unparsable": self.verdicts.count("u"),
            "extra_steps": self.extra_steps,
            "first_divergence": self.first_divergence,
            "divergence_position": self.divergence_position,
            "diagnosis": self.diagnosis.to_dict() if self.diagnosis else None,
            "swa_uniform": round(self.swa(), 4),
            "deviations": self.deviations,
            "status": self.status,
            "attempted": self.status not in NOT_ATTEMPTED,
            "rules_sha256": self.rules_sha256,
            "prompt_sha256": self.prompt_sha256,
        }
        if not d["attempted"]:  # no answer to score: no figure, no pass or fail
            d["passed"] = d["first_divergence"] = d["swa_uniform"] = None
        if self.source:
            d["source"] = self.source
        return d


def score_sample(
    inst: Instance,
    answer: str,
    *,
    mode: ParserMode = ParserMode.STRICT,
    truth: Sequence[str] | None = None,
    model: str = "",
    status: str = "complete",
    finish_reason: str | None = None,
    source: str = "",
    keep: bool = False,
    diagnose_it: bool = True,
    prompt_sha256: str = "",
) -> SampleScore:
    """Score one answer. ``truth`` overrides the simulated ground truth (official files carry
    their own ``step_results``; compat mode scores against them, exactly as acc.py does)."""
    if status in NOT_ATTEMPTED:
        diagnose_it = False  # no answer to explain: the attempt did not happen
    run = inst.run
    states: Sequence[str] = truth if truth is not None else run  # states read from the tape
    parse = parse_answer(answer, mode, inst.alphabet)
    al = align(states, parse)
    diag = None
    div = al.first_divergence
    if diagnose_it and div is not None and div.step >= len(run):
        diag = _past_the_trace(div.step, run)  # stored truth longer than the rules' trace
    elif diagnose_it:
        strict: StrictReading | None = None
        if parse.mode is ParserMode.TMBENCH and not al.passed:
            # the official reading failed: is it the answer, or the regex's reading of it?
            # (read lazily: one step's strict reading, unless the diagnosis needs them all)
            strict = StrictReading(answer, inst.alphabet)
        diag = diagnose(
            al,
            run,
            parse,
            status=status,
            finish_reason=finish_reason,
            answer_empty=not answer.strip(),
            strict=strict,
        )
    return SampleScore(
        instance_id=inst.id,
        index=inst.index,
        model=model,
        mode=ParserMode.of(mode),
        verdicts=al.verdicts(),
        passed=al.passed,
        n_truth=al.n_truth,
        first_divergence=div.step if div else None,
        divergence_position=div.position if div else None,
        diagnosis=diag,
        extra_steps=len(al.extra_steps),
        deviations=list(parse.deviations),
        status=status,
        source=source,
        rules_sha256=inst.rules_sha256(),
        prompt_sha256=prompt_sha256,
        alignment=al if keep else None,
        parse=parse if keep else None,
    )


def _past_the_trace(step: int, run: Run) -> Diagnosis:
    """The first divergence is at a step of the stored truth that the rules never reach: a
    diagnosis replays the rules, so there is none to make (the verdicts stand, as acc.py's)."""
    return Diagnosis(
        Kind.OTHER,
        step,
        f"step {step} is past the rules' trace (it ends at step {run.last_step}: "
        f"{run.halt_description()}); the stored step_results disagree with the rules, so it "
        "is not diagnosed",
        {"last_step": run.last_step},
    )


# b"0", b"1", ...: the step numbers of an answer that writes every step once, in order
_IN_ORDER = tuple(str(i).encode() for i in range(256))


def compat_verdicts(answer: str, truth: Sequence[str]) -> tuple[str, int]:
    """The official per-step verdicts and the number of steps written past the truth, fast
    (no spans, no diagnosis)."""
    n = len(truth)
    found = scan_text(answer)
    if found is None:
        got = compat_steps(answer)
    else:
        if n and len(found) == n and n <= len(_IN_ORDER):
            digits, written, _ = zip(*found, strict=True)
            if digits == _IN_ORDER[:n] and b"\n".join(written).translate(None, b" ,") == "\n".join(
                truth
            ).encode("utf-8", "surrogatepass"):
                # steps 0..n-1 written once each, in order, all right (the queues hold no
                # "\n", so the joined texts are equal exactly when every queue is)
                return "c" * n, 0
        got = {step_number(d): q.translate(None, b" ,").decode("utf-8") for d, q, _ in found}
    out = []
    for i, want in enumerate(truth):
        q = got.get(i)
        out.append("m" if q is None else ("c" if q == want else "w"))
    extra = sum(1 for k in got if k >= n) if len(got) > len(out) or n == 0 else 0
    return "".join(out), extra


@dataclass
class DatasetScore:
    """Dataset-level figures (percentages)."""

    n_samples: int
    passed: int
    pass_rate: float
    swa_uniform: float
    swa_linear: float
    step_accuracy: list[float | None]
    step_counts: list[dict[str, int]]
    intervals: dict[str, tuple[float, float] | None]
    diagnoses: dict[str, int]
    findings: dict[str, int]
    n_steps: int
    mode: ParserMode
    parser_version: str
    scorer_version: str = SCORER_VERSION
    bootstrap: int = 0
    request_errors: int = 0  # records of failed requests (status error), not scored
    incomplete: int = 0  # records of interrupted streams (status interrupted), not scored

    def to_dict(self) -> dict:
        return {
            "n_samples": self.n_samples,
            "passed": self.passed,
            "pass_rate": self.pass_rate,
            "swa_uniform": self.swa_uniform,
            "swa_linear": self.swa_linear,
            "step_accuracy": self.step_accuracy,
            "step_counts": self.step_counts,
            "intervals": {k: (list(v) if v else None) for k, v in self.intervals.items()},
            "diagnoses": self.diagnoses,
            "findings": self.findings,
            "n_steps": self.n_steps,
            "parser": {"mode": self.mode, "version": self.parser_version},
            "scorer_version": self.scorer_version,
            "bootstrap_resamples": self.bootstrap,
            "request_errors": self.request_errors,
            "incomplete": self.incomplete,
        }


class ScoreAccumulator:
    """Adds sample verdicts one at a time; memory is per distinct verdict pattern, not per
    sample, so a file of any size scores in flat memory."""

    def __init__(self, n_steps: int | None = None, mode: ParserMode = ParserMode.STRICT) -> None:
        self.n_steps = n_steps
        self.mode = ParserMode.of(mode)
        self.patterns: Counter[str] = Counter()
        self.diagnoses: Counter[str] = Counter()
        self.findings: Counter[str] = Counter()
        self.not_attempted: Counter[str] = Counter()  # status -> records (error, interrupted)

    def add(self, s: SampleScore) -> None:
        d = s.diagnosis
        self.add_outcome(
            s.verdicts, None if d is None else d.kind.value, d is None or d.fatal, s.status
        )

    def add_outcome(
        self,
        verdicts: str,
        kind: str | None = None,
        fatal: bool = True,
        status: str = "complete",
    ) -> None:
        """What :meth:`add` keeps of a sample: its verdicts and its diagnosis kind (a fatal
        one is a first divergence, else a finding on a passing sample). A record of an attempt
        that did not happen (status error or interrupted) is only counted, apart."""
        if status in NOT_ATTEMPTED:
            self.not_attempted[status] += 1
            return
        self.patterns[verdicts] += 1
        if kind is not None:
            (self.diagnoses if fatal else self.findings)[kind] += 1

    def merge(self, other: ScoreAccumulator) -> None:
        self.patterns.update(other.patterns)
        self.diagnoses.update(other.diagnoses)
        self.findings.update(other.findings)
        self.not_attempted.update(other.not_attempted)

    @property
    def n(self) -> int:
        return sum(self.patterns.values())

    @property
    def steps(self) -> int:
        """S: the steps the SWA runs over (the dataset's states, else the longest truth)."""
        if self.n_steps is not None:
            return self.n_steps
        return max((len(p) for p in self.patterns), default=0)

    def _sums(self, weights: Iterable[tuple[str, float]]) -> tuple[list[float], list[float]]:
        S = self.steps
        correct = [0.0] * S
        total = [0.0] * S
        for pat, w in weights:
            if not w:
                continue
            for i, v in enumerate(pat[:S]):
                total[i] += w
                if v == "c":
                    correct[i] += w
        return correct, total

    def _bootstrap(self, resamples: int, seed: int) -> dict[str, tuple[float, float]]:
        # patterns in a fixed order (not the order the samples came in): the same samples give
        # the same intervals however a file orders them (a run with concurrent requests writes
        # records as they finish)
        return _bootstrap_swa(sorted(self.patterns.items()), self.steps, resamples, seed)

    @staticmethod
    def _swa(correct: list[float], total: list[float]) -> tuple[float, float]:
        uni_num = uni_den = lin_num = lin_den = 0.0
        for i, (c, t) in enumerate(zip(correct, total, strict=True)):
            if t <= 0:
                continue
            acc = c / t
            uni_num += acc
            uni_den += 1
            lin_num += acc * (i + 1)
            lin_den += i + 1
        if not uni_den:
            return 0.0, 0.0
        return 100 * uni_num / uni_den, 100 * lin_num / lin_den

    def result(self, bootstrap: int = 1000, seed: int = 0) -> DatasetScore:
        S = self.steps
        correct, total = self._sums(self.patterns.items())
        n = self.n
        passed = sum(c for p, c in self.patterns.items() if p and set(p) == {"c"})
        uni, lin = self._swa(correct, total)
        counts = []
        for i in range(S):
            tally = Counter()
            for pat, c in self.patterns.items():
                if i < len(pat):
                    tally[pat[i]] += c
            counts.append(
                {
                    "total": tally.total(),
                    "correct": tally["c"],
                    "wrong": tally["w"],
                    "missing": tally["m"],
                    "unparsable": tally["u"],
                }
            )
        intervals: dict[str, tuple[float, float] | None] = {
            "pass_rate": wilson(passed, n) if n else None,
            "swa_uniform": None,
            "swa_linear": None,
        }
        if bootstrap > 0 and n > 1:
            intervals.update(self._bootstrap(bootstrap, seed))
        return DatasetScore(
            n_samples=n,
            passed=passed,
            pass_rate=100 * passed / n if n else 0.0,
            swa_uniform=uni,
            swa_linear=lin,
            step_accuracy=[
                (100 * c / t if t else None) for c, t in zip(correct, total, strict=True)
            ],
            step_counts=counts,
            intervals=intervals,
            diagnoses=dict(self.diagnoses.most_common()),
            findings=dict(self.findings.most_common()),
            n_steps=S,
            mode=self.mode,
            parser_version=self.mode.version,
            bootstrap=bootstrap if n > 1 else 0,
            request_errors=self.not_attempted["error"],
            incomplete=self.not_attempted["interrupted"],
        )


def _bootstrap_swa(
    patterns: list[tuple[str, int]], n_steps: int, resamples: int, seed: int
) -> dict[str, tuple[float, float]]:
    """Poisson bootstrap of both SWAs: each distinct verdict pattern p (n_p samples) gets the
    weight Poisson(n_p) per resample, the sum of n_p independent Poisson(1) sample weights.
    A resample that draws no sample at all is drawn again (it has no SWA; counting it as 0
    would drag a small group's interval down to 0)."""
    rng = random.Random(seed)
    counts = [c for _, c in patterns]
    # steps no sample reaches have no ACC in any resample: left out, the SWAs are the same
    n_steps = min(n_steps, max((len(p) for p, _ in patterns), default=0))
    # Step i's weighted correct and total counts are integer sums over one 0/1 column each;
    # many steps share a column, so each distinct column is summed once per resample (the
    # sums are exact, so the figures are the same as summing every column).
    columns: dict[tuple[int, ...], int] = {}
    correct_col = [
        columns.setdefault(col, len(columns))
        for col in (
            tuple(1 if i < len(p) and p[i] == "c" else 0 for p, _ in patterns)
            for i in range(n_steps)
        )
    ]
    total_col = [
        columns.setdefault(col, len(columns))
        for col in (tuple(1 if i < len(p) else 0 for p, _ in patterns) for i in range(n_steps))
    ]
    distinct = list(columns)
    unis, lins = [], []
    for _ in range(resamples):
        w = [poisson(rng, c) for c in counts]
        while not any(w):  # a resample with no sample in it has no SWA: draw it again
            w = [poisson(rng, c) for c in counts]
        sums = [sum(map(mul, w, col)) for col in distinct]
        u, li = ScoreAccumulator._swa([sums[j] for j in correct_col], [sums[j] for j in total_col])
        unis.append(u)
        lins.append(li)
    return {"swa_uniform": percentile_interval(unis), "swa_linear": percentile_interval(lins)}


__all__ += ["Verdict", "compat_verdicts"]
