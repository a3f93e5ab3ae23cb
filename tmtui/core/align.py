"""Alignment: every ground-truth step against what the model wrote for it.

How one step's reading is judged (:func:`judge`) and which verdicts count as bad
(:attr:`Verdict.bad`) are defined here once: :func:`align` (the scorer) and the live trace
(:class:`tmtui.live.trace.Trace`) both use them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from tmtui.core.parsed import MAX_STEP_NUMBER, ParsedStep, ParseResult
from tmtui.core.tagsystem import TagSystem

__all__ = [
    "BAD_VERDICTS",
    "Alignment",
    "Divergence",
    "StepAlignment",
    "Verdict",
    "align",
    "common_suffix",
    "differing_span",
    "first_difference",
    "judge",
]


class Verdict(StrEnum):
    CORRECT = "correct"
    WRONG = "wrong"
    MISSING = "missing"  # no step with this number was written
    UNPARSABLE = "unparsable"  # the step was written but no queue could be read
    EXTRA = "extra"  # a step after the last ground-truth state
    PENDING = "pending"  # not written yet (live streams)

    @property
    def mark(self) -> str:
        return _MARKS[self]

    @property
    def bad(self) -> bool:
        """A step that counts against the answer (what "next wrong step" visits): wrong,
        missing, unparsable, or written past the last true state."""
        return self in BAD_VERDICTS


# the one definition of "bad": every verdict but correct and pending
BAD_VERDICTS = frozenset({Verdict.WRONG, Verdict.MISSING, Verdict.UNPARSABLE, Verdict.EXTRA})

_MARKS = {
    Verdict.CORRECT: "✓",
    Verdict.WRONG: "✗",
    Verdict.MISSING: "·",
    Verdict.UNPARSABLE: "?",
    Verdict.EXTRA: "+",
    Verdict.PENDING: "…",
}

# one letter per verdict, for compact per-sample records
_CODES = {
    Verdict.CORRECT: "c",
    Verdict.WRONG: "w",
    Verdict.MISSING: "m",
    Verdict.UNPARSABLE: "u",
    Verdict.EXTRA: "x",
    Verdict.PENDING: "p",
}
CODE_VERDICT = {v: k for k, v in _CODES.items()}


def first_difference(a: str, b: str) -> int:
    """The first position where a and b differ (len of the shorter if one is a prefix)."""
    n = min(len(a), len(b))
    if a[:n] == b[:n]:
        return n
    lo, hi = 0, n  # binary search on prefix equality: O(n) total, fast slices
    while lo < hi:
        mid = (lo + hi) // 2
        if a[lo : mid + 1] == b[lo : mid + 1]:
            lo = mid + 1
        else:
            hi = mid
    return lo


def common_suffix(a: str, b: str, prefix: int) -> int:
    """The length of the common suffix of a and b that does not overlap their common
    ``prefix`` (the first ``prefix`` symbols, equal in both)."""
    limit = min(len(a), len(b)) - prefix
    if limit <= 0:
        return 0
    # the common prefix of the reversed tails (slices and comparisons in C: a queue of
    # thousands of symbols is compared in microseconds, row after row of a view)
    return first_difference(a[len(a) - limit :][::-1], b[len(b) - limit :][::-1])


def differing_span(expected: str, got: str) -> tuple[int, int, int]:
    """Where ``got`` differs from ``expected``, as one edit: ``(first, expected_end, got_end)``
    — the first differing position, and the ends (exclusive) of the differing middles
    ``expected[first:expected_end]`` and ``got[first:got_end]`` once the common prefix and the
    common suffix (not overlapping it) are set aside. Either middle may be empty."""
    first = first_difference(expected, got)
    s = common_suffix(expected, got, first)
    return first, len(expected) - s, len(got) - s


def judge(
    want: str | None, parsed: ParsedStep | None, *, settled: bool = True
) -> tuple[Verdict, int | None]:
    """How one step's reading is judged: its verdict, and for a wrong queue the first
    differing position.

    ``want`` is the true state at the step (None past the last one: EXTRA); ``parsed`` what the
    model wrote for it (None: not written). A step not written is MISSING once ``settled`` (a
    later step was written, or the text is final), PENDING before.
    """
    if want is None:
        return Verdict.EXTRA, None
    if parsed is None:
        return (Verdict.MISSING if settled else Verdict.PENDING), None
    got = parsed.queue
    if got is None:
        return Verdict.UNPARSABLE, None
    if got == want:
        return Verdict.CORRECT, None
    return Verdict.WRONG, first_difference(want, got)


@dataclass(slots=True)
class StepAlignment:
    step: int
    verdict: Verdict
    expected: str | None  # None for extra steps
    got: str | None  # None when missing or unparsable
    first_diff: int | None = None  # wrong steps: first differing position
    parsed: ParsedStep | None = None


@dataclass(slots=True)
class Divergence:
    step: int
    verdict: Verdict
    expected: str
    got: str | None
    position: int | None


@dataclass
class Alignment:
    steps: list[StepAlignment]  # ground-truth steps 0..n_truth-1, then extra steps
    n_truth: int
    passed: bool
    first_divergence: Divergence | None
    extra_steps: list[int] = field(default_factory=list)
    final: bool = True

    def verdicts(self) -> str:
        """One letter per ground-truth step (c w m u p)."""
        return "".join(_CODES[s.verdict] for s in self.steps[: self.n_truth])

    def count(self, verdict: Verdict) -> int:
        return sum(1 for s in self.steps if s.verdict is verdict)

    def correct_prefix(self) -> int:
        """Number of leading correct steps."""
        n = 0
        for s in self.steps[: self.n_truth]:
            if s.verdict is not Verdict.CORRECT:
                break
            n += 1
        return n

    def next_wrong(self, after: int) -> int | None:
        for s in self.steps:
            if s.step > after and s.verdict.bad:
                return s.step
        return None

    def prev_wrong(self, before: int) -> int | None:
        for s in reversed(self.steps):
            if s.step < before and s.verdict.bad:
                return s.step
        return None


def align(
    truth: Sequence[str], parsed: ParseResult | dict[int, ParsedStep], *, final: bool = True
) -> Alignment:
    """Compare ``truth`` (the states 0..n-1) with the parsed steps.

    With ``final=False`` (a stream still arriving) steps after the last one written are
    PENDING rather than MISSING.
    """
    steps = parsed.steps if isinstance(parsed, ParseResult) else parsed
    n = len(truth)
    last_written = max((k for k in steps if k <= MAX_STEP_NUMBER), default=-1)
    out: list[StepAlignment] = []
    passed = True
    first: Divergence | None = None
    for i in range(n):
        want = truth[i]
        ps = steps.get(i)
        verdict, pos = judge(want, ps, settled=final or i < last_written)
        row = StepAlignment(i, verdict, want, None if ps is None else ps.queue, pos, ps)
        out.append(row)
        if row.verdict is not Verdict.CORRECT:
            passed = False
            if first is None and row.verdict is not Verdict.PENDING:
                first = Divergence(i, row.verdict, want, row.got, row.first_diff)
    extra = sorted(k for k in steps if k >= n)
    for k in extra:
        ps = steps[k]
        verdict, _pos = judge(None, ps)
        out.append(StepAlignment(k, verdict, None, ps.queue, parsed=ps))
    return Alignment(out, n, passed, first, extra, final)


def local_validity(
    system: TagSystem, init: str, steps: dict[int, ParsedStep], upto: int
) -> dict[int, bool]:
    """For each step k <= upto the model wrote, does its queue follow from its own step k-1?

    Step 0 is valid when it equals the initial queue. A step whose previous step is missing or
    unparsable is left out (nothing to replay from).
    """
    out: dict[int, bool] = {}
    for k in sorted(s for s in steps if s <= upto):
        got = steps[k].queue
        if got is None:
            continue
        if k == 0:
            out[0] = got == init
            continue
        prev = steps.get(k - 1)
        if prev is None or prev.queue is None:
            continue
        out[k] = system.next_queue(prev.queue) == got
    return out
