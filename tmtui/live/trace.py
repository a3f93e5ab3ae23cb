"""One trace under the debugger: the instance, its truth, the text so far and the live alignment.

Headless (no Textual): the screens render a :class:`Trace`, the tests and the benchmark drive it
directly. Text arrives in batches (:meth:`Trace.feed`); the strict parser reads it
incrementally and every step whose reading changed is re-aligned on its own, so the work per
batch is proportional to the batch, not to the transcript.

A step's verdict is live (the step being written may still change); the *first divergence* only
counts steps that are settled: a later step has been written, or the text is final. An answer
that echoes the previous queue before each action is therefore never announced as diverging
for the moment between the echo and the real queue.

A stream that ended in an error (the request failed) or was interrupted is an attempt that did
not happen (:data:`tmtui.core.score.NOT_ATTEMPTED`, as the score counts it): the trace still
aligns whatever text arrived, but names no first divergence and diagnoses nothing — a failed
request is not a wrong answer (:attr:`Trace.attempted`, :meth:`Trace.not_attempted_reason`).
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Iterable
from dataclasses import dataclass, field

from tmtui.core.align import Alignment, Divergence, StepAlignment, Verdict, judge
from tmtui.core.compat import parse_compat
from tmtui.core.datasets import Instance
from tmtui.core.diagnose import Diagnosis, diagnose
from tmtui.core.explain import StepExplanation, explain_step
from tmtui.core.parse import ResetEvent, StrictParser
from tmtui.core.parsed import MAX_STEP_NUMBER, STRICT_VERSION, ParsedStep, ParseResult, ParserMode
from tmtui.core.score import NOT_ATTEMPTED
from tmtui.live.positions import Positions
from tmtui.live.text_lines import TextLines

__all__ = ["Changes", "Trace"]


@dataclass
class Changes:
    """What one batch changed (for the views to refresh only that)."""

    steps: set[int] = field(default_factory=set)
    first_line: int | None = None  # first answer line that changed
    reasoning_line: int | None = None
    reset: bool = False  # everything changed (a new try, a mode switch, a reset event)

    def __bool__(self) -> bool:
        return (
            bool(self.steps)
            or self.first_line is not None
            or self.reset
            or (self.reasoning_line is not None)
        )


class Trace:
    """The debugger's model of one answer to one instance."""

    def __init__(self, inst: Instance, *, mode: ParserMode | str = ParserMode.STRICT) -> None:
        mode = ParserMode.of(mode)
        self.instance = inst
        self.run = inst.run
        self.truth: list[str] = self.run.states()
        self.n_truth = len(self.truth)
        self.alphabet = tuple(inst.alphabet)
        self.mode = mode
        self.answer = TextLines()
        self.reasoning = TextLines()
        self.status: str | None = None
        self.finish_reason: str | None = None
        self.error: str = ""  # why the request failed or the stream stopped, if it did
        self._compat_stale = False
        self._clear()

    # -- state ------------------------------------------------------------------------
    def _clear(self) -> None:
        self.parser = StrictParser(self.alphabet)
        self._result: ParseResult | None = None  # the final strict result
        self._compat: ParseResult | None = None
        self._compat_at = -1  # the answer's length when _compat was read
        self.final = False
        self.version = 0
        self._clear_rows()

    def _clear_rows(self) -> None:
        n = self.n_truth
        self.steps: dict[int, ParsedStep] = {}  # the active parser's readings
        self._verdict: list[Verdict | None] = [None] * n
        self._diff: list[int | None] = [None] * n
        self.extra: dict[int, ParsedStep] = {}
        self.last_written = -1
        self.correct = 0
        self.written = 0
        self._bad: list[int] = []  # written steps judged bad (wrong, unparsable), in order
        self._contig = 0
        self.positions = Positions()  # where each step's header and queue are in the answer
        self._diag_key: tuple | None = None
        self._diag: Diagnosis | None = None

    def reset(self) -> Changes:
        """Forget the text (a new try of the stream, or a restart)."""
        self.answer = TextLines()
        self.reasoning = TextLines()
        self.status = None
        self.finish_reason = None
        self.error = ""
        self._clear()
        return Changes(reset=True)

    # -- feeding ----------------------------------------------------------------------
    def feed(self, content: str = "", reasoning: str = "") -> Changes:
        """Take the next batch of answer text (and reasoning)."""
        ch = Changes()
        if reasoning:
            ch.reasoning_line = self.reasoning.append(reasoning)
        if not content:
            return ch
        if self.final:
            raise RuntimeError("the trace is final")
        ch.first_line = self.answer.append(content)
        events = self.parser.feed(content)
        if self.mode is ParserMode.STRICT:
            self._apply_events(events, ch)
        else:
            self._compat_stale = True
        self.version += 1
        return ch

    def finish(
        self,
        status: str | None = None,
        finish_reason: str | None = None,
        error: str | None = None,
    ) -> Changes:
        """The text is complete: pending steps become missing, the last step settles.
        ``status`` error or interrupted: the attempt did not happen (``error`` says why)."""
        ch = Changes()
        if self.final:
            return ch
        self.status = status or self.status or "complete"
        self.finish_reason = finish_reason
        self.error = error or self.error
        self._result = self.parser.finish()
        events = self.parser.drain()
        self.final = True
        if self.mode is ParserMode.STRICT:
            self._apply_events(events, ch)
        else:
            self.refresh_compat(ch)
        ch.reset = True  # pending rows all change to missing
        self.version += 1
        return ch

    def refresh_compat(self, ch: Changes | None = None) -> Changes:
        """Re-read the whole text with the official regex (compat mode; not incremental)."""
        ch = ch if ch is not None else Changes()
        if self.mode is not ParserMode.TMBENCH:
            return ch
        self._load(self.compat_reading().steps, ch)
        return ch

    @property
    def compat_stale(self) -> bool:
        return self._compat_stale

    def set_mode(self, mode: ParserMode | str) -> Changes:
        """Switch between the strict parser and the official (compat) reading."""
        mode = ParserMode.of(mode)
        ch = Changes(reset=True)
        if mode == self.mode:
            return ch
        self.mode = mode
        if mode is ParserMode.TMBENCH:
            self.refresh_compat(ch)
        else:
            self._load(self.parser.steps, ch)
        self.version += 1
        return ch

    def _load(self, steps: dict[int, ParsedStep], ch: Changes) -> None:
        self._clear_rows()
        self.steps = dict(steps)
        for ps in steps.values():
            self._set(ps, ch)
        ch.reset = True

    def _apply_events(self, events: Iterable, ch: Changes) -> None:
        for ev in events:
            if isinstance(ev, ResetEvent):
                self._clear_rows()
                ch.reset = True
                continue
            ps = ev.step
            self.steps[ps.step] = ps
            self._set(ps, ch)

    # -- the alignment ------------------------------------------------------------------
    def _set(self, ps: ParsedStep, ch: Changes) -> None:
        k = ps.step
        ch.steps.add(k)
        self.positions.place(ps)
        if k <= MAX_STEP_NUMBER and k > self.last_written:
            self.last_written = k
        n = self.n_truth
        if k >= n:
            self.extra[k] = ps
            return
        old = self._verdict[k]
        if old is Verdict.CORRECT:
            self.correct -= 1
        elif old is not None and old.bad:
            i = bisect_left(self._bad, k)
            if i < len(self._bad) and self._bad[i] == k:
                del self._bad[i]
        if old is None:
            self.written += 1
        v, diff = judge(self.truth[k], ps)
        self._verdict[k] = v
        self._diff[k] = diff
        if v is Verdict.CORRECT:
            self.correct += 1
        elif v.bad:
            insort(self._bad, k)
        while self._contig < n and self._verdict[self._contig] is not None:
            self._contig += 1

    def verdict(self, k: int) -> Verdict:
        if k >= self.n_truth:
            return judge(None, self.extra.get(k))[0]
        v = self._verdict[k]
        if v is not None:
            return v
        return judge(self.truth[k], None, settled=self.settled(k))[0]

    def got(self, k: int) -> ParsedStep | None:
        if k >= self.n_truth:
            return self.extra.get(k)
        return self.steps.get(k) if self._verdict[k] is not None else None

    def diff_at(self, k: int) -> int | None:
        return self._diff[k] if 0 <= k < self.n_truth else None

    @property
    def row_count(self) -> int:
        """Ground-truth steps, then the extra steps written past the last one."""
        return self.n_truth + len(self.extra)

    def step_of_row(self, row: int) -> int:
        if row < self.n_truth:
            return row
        extra = sorted(self.extra)
        return extra[min(row - self.n_truth, len(extra) - 1)]

    def row_of_step(self, step: int) -> int:
        if step < self.n_truth:
            return step
        extra = sorted(self.extra)
        i = bisect_left(extra, step)
        return self.n_truth + min(i, max(0, len(extra) - 1))

    def settled(self, k: int) -> bool:
        return self.final or k < self.last_written

    @property
    def attempted(self) -> bool:
        """False once the stream has ended as an attempt that did not happen: the request
        failed (status error) or the stream was interrupted (status interrupted). Such a
        record is counted apart by the score, never scored or diagnosed."""
        return not (self.final and self.status in NOT_ATTEMPTED)

    def not_attempted_reason(self) -> str | None:
        """Why there is nothing to score (None while the attempt stands): one line, data
        (the error text is the server's: a renderer makes it visible)."""
        if self.attempted:
            return None
        why = f" ({self.error})" if self.error else ""
        if self.status == "error":
            return f"no answer: the request failed{why}"
        if not self.answer.text.strip():
            return f"no answer: the stream was interrupted before any text{why}"
        return (
            f"not scored: the stream was interrupted after {self.answer.length:,} characters{why}"
        )

    @property
    def first_divergence(self) -> int | None:
        """The first settled step that is not correct (wrong, unparsable or missing); None
        for an attempt that did not happen (see :attr:`attempted`)."""
        if not self.attempted:
            return None
        cands = []
        if self._bad:
            cands.append(self._bad[0])
        gap = self._contig
        if gap < self.n_truth and (self.final or gap < self.last_written):
            cands.append(gap)
        if not cands:
            return None
        k = min(cands)
        return k if self.settled(k) else None

    @property
    def passed(self) -> bool:
        return self.final and self.attempted and self.correct == self.n_truth

    def next_bad(self, after: int) -> int | None:
        for k in range(max(after + 1, 0), self.n_truth):
            if self.verdict(k).bad:
                return k
        for k in sorted(self.extra):
            if k > after and self.verdict(k).bad:
                return k
        return None

    def prev_bad(self, before: int) -> int | None:
        for k in sorted(self.extra, reverse=True):
            if k < before and self.verdict(k).bad:
                return k
        for k in range(min(before, self.n_truth) - 1, -1, -1):
            if self.verdict(k).bad:
                return k
        return None

    def accuracy(self) -> float | None:
        """Correct steps over the ground-truth steps (percent): the score's denominator, so
        an answer that stops early is not 100 % (None before any step is written)."""
        if not self.written or not self.n_truth:
            return None
        return 100.0 * self.correct / self.n_truth

    # -- core objects (for the diagnosis, the inspector, saving) -------------------------
    def parse_result(self) -> ParseResult:
        if self.mode is ParserMode.TMBENCH:
            return self.compat_reading()
        if self._result is not None:
            return self._result
        return ParseResult(mode=ParserMode.STRICT, version=STRICT_VERSION, steps=dict(self.steps))

    def compat_reading(self) -> ParseResult:
        """The official regex's reading of the answer as it stands (read once per text, in
        either mode: the parser switch and the parse inspector share it)."""
        n = self.answer.length
        if self._compat is None or self._compat_at != n:
            self._compat = parse_compat(self.answer.text, self.alphabet)
            self._compat_at = n
        self._compat_stale = False
        return self._compat

    def strict_reading(self) -> ParseResult | None:
        """The strict parser's reading of the whole answer, once the answer is final."""
        return self._result

    def alignment(self) -> Alignment:
        rows = []
        truth = self.truth
        for k in range(self.n_truth):
            v = self.verdict(k)
            ps = self.got(k)
            rows.append(StepAlignment(k, v, truth[k], ps.queue if ps else None, self._diff[k], ps))
        for k in sorted(self.extra):
            ps = self.extra[k]
            rows.append(StepAlignment(k, Verdict.EXTRA, None, ps.queue, parsed=ps))
        fd = self.first_divergence
        div = None
        if fd is not None:
            r = rows[fd]
            div = Divergence(fd, r.verdict, r.expected or "", r.got, r.first_diff)
        return Alignment(
            rows,
            self.n_truth,
            self.correct == self.n_truth,
            div,
            sorted(self.extra),
            self.final,
        )

    def diagnosis(self) -> Diagnosis | None:
        """The diagnosis of the first divergence (findings too, once final); cached."""
        fd = self.first_divergence
        got = self.got(fd) if fd is not None else None
        key = (
            fd,
            None if got is None else (got.queue, got.span),
            self.final,
            self.mode,
            len(self.extra) if self.final else 0,
            self.status,
            # in compat mode the strict reading of the same step can change the diagnosis
            self._strict_queue(fd) if self.mode is ParserMode.TMBENCH else None,
        )
        if key == self._diag_key:
            return self._diag
        self._diag_key = key
        if not self.attempted:  # nothing to diagnose: the attempt did not happen
            self._diag = None
            return None
        if fd is None and not (self.final and self.correct == self.n_truth):
            self._diag = None
            return None
        al = self.alignment()
        strict = None
        if self.mode is ParserMode.TMBENCH:  # both readings, so a misreading is said
            strict = self._result or ParseResult(
                mode=ParserMode.STRICT, version=STRICT_VERSION, steps=dict(self.parser.steps)
            )
        self._diag = diagnose(
            al,
            self.run,
            self.parse_result(),
            status=self.status if self.final else None,
            finish_reason=self.finish_reason,
            answer_empty=self.final and not self.answer.text.strip(),
            strict=strict,
        )
        return self._diag

    def _strict_queue(self, step: int | None) -> tuple[bool, str | None]:
        ps = None if step is None else self.parser.steps.get(step)
        return (ps is not None, None if ps is None else ps.queue)

    def explain(self, step: int) -> StepExplanation:
        """Everything the step panel shows about ``step`` (see :mod:`tmtui.core.explain`)."""
        return explain_step(
            step,
            truth=self.truth,
            run=self.run,
            steps=self.steps,
            first_divergence=self.first_divergence,
            diagnosis=self.diagnosis(),
            verdict=self.verdict(step),
            final=self.final,
        )
