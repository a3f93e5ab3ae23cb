"""One step of an answer, explained: everything a step panel shows, computed once.

The verdict and whether the step is the first divergence; the expected and the written queue and
the span where they differ; why the step is wrong (the diagnosis at the first divergence; after
it, whether the error is new — it does not follow from the model's own previous queue, explained
the same way — or inherited); what the rules do at the step (the cell read, the step that wrote
it, the symbols deleted and appended); what the model said it did (its head and action lines,
and in the tail format the cell it says it read and the step that wrote it);
and what the parser noted.

The inputs are headless (the truth and the run, the parsed steps, the diagnosis), so the live
trace, a scored sample (``keep=True``: its parse and diagnosis) and a human attempt all explain a
step the same way; the debugger, the HTML report and the human feedback screen only render the
:class:`StepExplanation`. Strings in it are data (model output, dataset symbols): a renderer
makes them visible (:mod:`tmtui.core.text`), never markup.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from tmtui.core.align import Verdict, differing_span, judge
from tmtui.core.diagnose import Diagnosis, Kind, explain_transition
from tmtui.core.fetch import own_wrong_read
from tmtui.core.parsed import ParsedStep
from tmtui.core.tagsystem import Run
from tmtui.core.text import one_line

__all__ = [
    "Claims",
    "Difference",
    "Reason",
    "ReasonKind",
    "RuleStep",
    "StepExplanation",
    "explain_step",
]


class ReasonKind(StrEnum):
    DIAGNOSIS = "diagnosis"  # the diagnosis of the first divergence (or a passing answer's finding)
    NEW_ERROR = "new-error"  # wrong, and it does not follow from the model's own previous queue
    INHERITED = "inherited"  # wrong, but it follows from the model's own (wrong) previous queue


@dataclass(frozen=True, slots=True)
class Reason:
    """Why the step is wrong (one line), and which mistake when that is known.

    ``position``: where the mistake is, counted from 1, when the explanation places it (a copy
    error's dropped or duplicated symbols). It can come before the queues' first difference
    (:attr:`Difference.position`): symbols dropped from a repeating stretch leave the queues
    alike until the repetition runs out, so "where the copy went wrong" and "where the strings
    first differ" are two positions of one error, and a renderer says which is which.
    """

    kind: ReasonKind
    message: str
    error: Kind | None = None
    position: int | None = None

    @property
    def read_differently(self) -> bool:
        """The official regex reads this step differently from what the answer writes (a
        format difference: the parse inspector shows both readings)."""
        return self.error is Kind.READ_DIFFERENTLY


@dataclass(frozen=True, slots=True)
class Difference:
    """Where the written queue differs from the expected one, as one edit: the differing
    middles are ``expected[first:expected_end]`` and ``got[first:got_end]`` (either may be
    empty: symbols dropped or inserted)."""

    first: int  # the first differing position (0-based)
    expected_end: int
    got_end: int

    @property
    def position(self) -> int:
        """The first differing symbol, counted from 1 (as messages say it)."""
        return self.first + 1


@dataclass(frozen=True, slots=True)
class RuleStep:
    """What the rules do at a step (k >= 1): read the head, delete m symbols, append."""

    head: str  # the symbol read
    cell: int  # the tape cell it is read from
    written_by: int  # the step that wrote that cell (0: the initial queue)
    deleted: str  # the symbols deleted from the head
    appended: str  # the production appended (may be empty)


@dataclass(frozen=True, slots=True)
class Claims:
    """What the model said it did at the step (None: it did not say)."""

    head: str | None  # its "Head Symbol:"
    remove: str | None  # its "Remove ..." (symbols, "" for nothing)
    append: str | None  # its "Append ..." (symbols, "" for nothing)
    fetch: tuple[int, int] | None = None  # tail: the position it read and the step that wrote it


@dataclass(frozen=True, slots=True)
class StepExplanation:
    """Everything about one step that a step panel shows."""

    step: int
    verdict: Verdict
    first_divergence: bool  # this step is the answer's first divergence
    expected: str | None  # the true queue (None past the last true state)
    got: str | None  # the queue written (None: not written, or no queue could be read)
    written: bool  # a step with this number was read from the answer
    problem: str | None  # written but unreadable: why no queue could be read
    difference: Difference | None  # expected and got both present and different
    reason: Reason | None
    rules: RuleStep | None  # steps 1 .. the last true step
    claims: Claims | None  # when the model said anything about its head or action
    notes: tuple[str, ...]  # the parser's notes (which occurrence counted, odd symbols, ...)


def explain_step(
    step: int,
    *,
    truth: Sequence[str],
    run: Run,
    steps: Mapping[int, ParsedStep],
    first_divergence: int | None,
    diagnosis: Diagnosis | None = None,
    verdict: Verdict | None = None,
    final: bool = True,
) -> StepExplanation:
    """Explain one step of an answer.

    ``truth`` holds the true states (``run.states()``, or the states a results file carries),
    ``run`` the simulation (for the rules), ``steps`` the parsed steps by number (a parse
    result's ``steps``), ``first_divergence`` the answer's first divergence and ``diagnosis``
    its diagnosis. ``verdict`` is the step's verdict as the caller judged it (a live trace
    knows which unwritten steps are still pending); None judges it here, as in a final answer.
    ``final``: the answer is complete (a passing answer's finding explains its extra step).
    """
    expected = truth[step] if 0 <= step < len(truth) else None
    parsed = steps.get(step)
    if verdict is None:
        verdict = judge(expected, parsed)[0]
    got = parsed.queue if parsed is not None else None
    difference = None
    if expected is not None and got is not None and expected != got:
        difference = Difference(*differing_span(expected, got))
    problem = None
    if parsed is not None and got is None:
        problem = parsed.problem or "no readable queue"
    rules = None
    if 0 < step < len(truth) and step <= run.last_step:
        rules = RuleStep(
            head=run.head_read(step),
            cell=run.read_cell(step),
            written_by=run.read_from_step(step),
            deleted=run.deleted(step),
            appended=run.production(step),
        )
    claims = None
    if parsed is not None and (
        parsed.head_claim or parsed.append_claim or parsed.remove_claim or parsed.fetch
    ):
        claims = Claims(parsed.head_claim, parsed.remove_claim, parsed.append_claim, parsed.fetch)
    return StepExplanation(
        step=step,
        verdict=verdict,
        first_divergence=step == first_divergence,
        expected=expected,
        got=got,
        written=parsed is not None,
        problem=problem,
        difference=difference,
        reason=_reason(step, verdict, run, steps, first_divergence, diagnosis, final),
        rules=rules,
        claims=claims,
        notes=_notes(parsed) if parsed is not None else (),
    )


def _reason(
    step: int,
    verdict: Verdict,
    run: Run,
    steps: Mapping[int, ParsedStep],
    first_divergence: int | None,
    diagnosis: Diagnosis | None,
    final: bool,
) -> Reason | None:
    """The diagnosis at the first divergence (or at a passing answer's finding); after it, a
    wrong step's error as new or inherited."""
    fd = first_divergence
    diagnosed = step == fd or (fd is None and verdict is Verdict.EXTRA and final)
    if diagnosed and diagnosis is not None and diagnosis.step == step:
        return Reason(
            ReasonKind.DIAGNOSIS, diagnosis.message, diagnosis.kind, _position(diagnosis.detail)
        )
    if verdict is not Verdict.WRONG or step == 0:
        return None
    prev = steps.get(step - 1)
    cur = steps.get(step)
    if prev is None or prev.queue is None or cur is None or cur.queue is None:
        return None
    system = run.system
    res = system.step(prev.queue)
    if res is not None and res.queue == cur.queue:
        return Reason(
            ReasonKind.INHERITED,
            f"inherited: follows correctly from the model's own step {step - 1}, "
            "which was already wrong",
        )
    if res is None:
        return Reason(
            ReasonKind.NEW_ERROR,
            "new error: stepped on from a halting queue",
            Kind.FAILURE_TO_HALT,
        )
    own = f"new error (from the model's own step {step - 1})"
    wrong_read = own_wrong_read(step, run.m, prev.queue, cur)
    if wrong_read is not None:
        return Reason(ReasonKind.NEW_ERROR, f"{own}: {wrong_read}", Kind.WRONG_READ)
    # (a new error's position is in the model's own next queue, not in the true one the
    # step panel compares with: it is left to the message)
    kind, msg, _detail = explain_transition(system, prev.queue, cur.queue, cur)
    return Reason(ReasonKind.NEW_ERROR, f"{own}: {msg}", kind)


def _position(detail: Mapping[str, object]) -> int | None:
    """The 1-based position of the edit an explanation names (its detail's 0-based index)."""
    index = detail.get("index")
    return index + 1 if isinstance(index, int) and not isinstance(index, bool) else None


def _notes(ps: ParsedStep) -> tuple[str, ...]:
    notes = [n for n in (ps.why, ps.note) if n]
    if ps.unknown:
        notes.append(f"symbols outside the alphabet: {one_line(ps.unknown, 40)}")
    if ps.halt:
        notes.append("marked as halting")
    if ps.span is not None:
        notes.append(f"queue at characters {ps.span[0]}–{ps.span[1]} of the answer")
    return tuple(notes)
