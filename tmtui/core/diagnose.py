"""Diagnosis: what went wrong at the first divergence, and where errors were new or inherited.

The first divergence is explained by replaying one rule step from the model's own previous
queue (at the first divergence that queue is still correct) and asking which single mistake
turns the right next queue into the one the model wrote: reading the wrong head symbol,
appending the wrong production, deleting the wrong number of symbols, or copying the retained
middle of the queue wrongly (symbols dropped, duplicated, inserted or substituted, at a position):
that step is :mod:`tmtui.core.transition`, and the kinds and the record are
:mod:`tmtui.core.kinds` (both re-exported here). Format problems (nothing parsable, a step missing, a queue that cannot be read), halting
mistakes and a truncated answer are told apart from reasoning errors.

An answer in the tail format states where each step reads from (the tape position and the step
that wrote it). When that fetch is not the true one and the step read the wrong symbol, the
diagnosis is the wrong read itself: "read the wrong cell: took position 14 (written by step 6)
instead of position 12 (written by step 5)". The official regex reads only queues: in its
reading the fetch is taken from the strict reading of the same step, and the message says so.
"""

from __future__ import annotations

from tmtui.core.align import Alignment, Verdict, align, local_validity
from tmtui.core.fetch import stated_fetch, wrong_fetch
from tmtui.core.kinds import FINDINGS, Diagnosis, Kind
from tmtui.core.parsed import ParseResult, ParserMode, StepOccurrence
from tmtui.core.strict_step import StrictReading
from tmtui.core.tagsystem import Run
from tmtui.core.text import one_line
from tmtui.core.transition import copy_diff, explain_transition

__all__ = ["FINDINGS", "Diagnosis", "Kind", "diagnose", "explain_transition", "halting_finding"]


def _halt_claim_before(parse: ParseResult, step: int) -> int | None:
    for k in sorted(parse.steps):
        if k >= step:
            break
        if parse.steps[k].halt:
            return k
    return None


def _queue_words(queue: str | None) -> str:
    if queue is None:
        return "no readable queue"
    return f"[{one_line(' '.join(queue), 80)}]"


def _reading_note(c: StepOccurrence | None, s_written: bool, s_queue: str | None, k: int) -> str:
    """'the official evaluator reads step 1 as [A B]; the answer writes it as [C D]'."""
    official = (
        f"the official evaluator finds no step {k}"
        if c is None
        else f"the official evaluator reads step {k} as {_queue_words(c.queue)}"
    )
    if not s_written:
        return f"{official}; the answer writes no step {k} the strict parser can read"
    return (
        f"{official}; the answer writes {'it' if c is not None else f'step {k}'} as "
        f"{_queue_words(s_queue)}"
    )


def _strict_step(strict: ParseResult | StrictReading, k: int) -> tuple[bool, str | None]:
    if isinstance(strict, StrictReading):
        return strict.step(k)
    s = strict.steps.get(k)
    return (s is not None, None if s is None else s.queue)


def _reading_difference(
    alignment: Alignment,
    run: Run,
    parse: ParseResult,
    strict: ParseResult | StrictReading,
    k: int,
    **context,
) -> Diagnosis | None:
    """At the official reading's first divergence k: when the strict reading of step k is
    not the official one, say so, and blame the model only for what the answer writes."""
    c = parse.steps.get(k)
    s_written, s_queue = _strict_step(strict, k)
    c_queue = None if c is None else c.queue
    if c_queue == s_queue and (c is None) == (not s_written):
        return None  # both parsers read step k alike: the official reading's diagnosis stands
    if isinstance(strict, StrictReading):
        strict = strict.result  # the answer is diagnosed from its whole strict reading
    note = _reading_note(c, s_written, s_queue, k)
    detail = {"official": c_queue, "written": s_queue, "read_differently": True}
    want = alignment.steps[k].expected if k < alignment.n_truth else None
    if s_queue is not None and s_queue == want:
        return Diagnosis(
            Kind.READ_DIFFERENTLY,
            k,
            f"format: {note} — a format difference, not a reasoning error "
            "(the parse inspector shows both readings)",
            detail,
        )
    # the answer is wrong here too: diagnose what it writes, and say how it was read
    truth = [row.expected or "" for row in alignment.steps[: alignment.n_truth]]
    own = diagnose(align(truth, strict), run, strict, **context)
    if own is None or own.step != k:
        return Diagnosis(Kind.READ_DIFFERENTLY, k, f"format: {note}", detail)
    own.message = f"{own.message} ({note})"
    own.detail = {**own.detail, **detail}
    return own


def diagnose(
    alignment: Alignment,
    run: Run,
    parse: ParseResult,
    *,
    status: str | None = None,
    finish_reason: str | None = None,
    answer_empty: bool = False,
    strict: ParseResult | StrictReading | None = None,
) -> Diagnosis | None:
    """Explain the first divergence (or, for a passing sample, a halting finding).

    ``strict``: when ``parse`` is the official (compat) reading, the strict reading of the same
    answer (a :class:`StrictReading` reads only the step it needs); where the two read the
    first divergent step differently, the diagnosis says so and describes what the answer
    writes, not the regex's misreading of it."""
    system = run.system
    stopped = status in ("cut", "interrupted", "error") or finish_reason == "length"
    if alignment.passed:
        return _findings(alignment, run)
    div = alignment.first_divergence
    if div is None:  # only pending steps: nothing to say yet
        return None
    k = div.step
    if strict is not None and parse.mode is ParserMode.TMBENCH:
        context = {"status": status, "finish_reason": finish_reason, "answer_empty": answer_empty}
        differs = _reading_difference(alignment, run, parse, strict, k, **context)
        if differs is not None:
            differs.new_errors, differs.inherited = _validity(alignment, run, parse)
            return differs
    new, inherited = _validity(alignment, run, parse)
    base = {"new_errors": new, "inherited": inherited}
    if parse.empty:
        if stopped or answer_empty:
            why = "the answer is empty" if answer_empty else "the answer stops before any step"
            return Diagnosis(Kind.TRUNCATED, k, f"truncated answer: {why}", **base)
        return Diagnosis(
            Kind.NOTHING_PARSABLE, k, "format: no step could be read from the answer", **base
        )
    last = max((s for s in parse.steps if s < alignment.n_truth), default=-1)
    if div.verdict is Verdict.UNPARSABLE:
        ps = alignment.steps[k].parsed
        problem = (ps.problem if ps else "") or "no queue"
        if k == last and (stopped or parse.truncated):
            return Diagnosis(
                Kind.TRUNCATED,
                k,
                f"truncated answer: it ends inside step {k}",
                {"last_step": k, "status": status, "finish_reason": finish_reason},
                **base,
            )
        return Diagnosis(Kind.UNPARSABLE, k, f"format: step {k} unparsable ({problem})", **base)
    if div.verdict is Verdict.MISSING:
        if k < last:
            return Diagnosis(
                Kind.STEP_MISSING, k, f"format: step {k} missing (later steps were written)", **base
            )
        if stopped or parse.truncated:
            return Diagnosis(
                Kind.TRUNCATED,
                k,
                f"truncated answer: it ends after step {last}",
                {"last_step": last, "status": status, "finish_reason": finish_reason},
                **base,
            )
        halted_at = _halt_claim_before(parse, k)
        if halted_at is not None:
            msg = (
                f"premature halt: declared halting at step {halted_at}; "
                f"the machine runs to step {run.last_step}"
            )
        else:
            msg = (
                f"premature halt: stopped after step {last}; "
                f"the machine runs to step {run.last_step}"
            )
        return Diagnosis(
            Kind.PREMATURE_HALT,
            k,
            msg,
            {"halt_claimed_at": halted_at, "last_written": last},
            **base,
        )
    # a wrong queue
    got = div.got or ""
    if k == 0:
        msg, detail = copy_diff(run.state(0), got)
        return Diagnosis(
            Kind.COPY_ERROR, 0, f"copy error in the initial queue: {msg}", detail, **base
        )
    prev = run.state(k - 1)
    ps = alignment.steps[k].parsed
    claims, borrowed = stated_fetch(ps, strict, k)
    wrong_read = wrong_fetch(run, k, claims, borrowed)
    if wrong_read is not None:
        return Diagnosis(Kind.WRONG_READ, k, wrong_read[0], wrong_read[1], **base)
    kind, msg, detail = explain_transition(system, prev, got, ps)
    if kind is Kind.OTHER and ps is not None and ps.halt and system.halts_on(got) is not None:
        return Diagnosis(
            Kind.PREMATURE_HALT,
            k,
            f"premature halt at step {k}: wrote a halting queue the rules do not give",
            {"got": got},
            **base,
        )
    if kind is Kind.STALE_STATE:
        msg = f"previous queue repeated: step {k} is step {k - 1}'s queue unchanged"
    elif not msg.startswith(("copy error", "premature")):
        msg = f"{kind.label}: {msg}"
    return Diagnosis(kind, k, msg, detail, **base)


def _findings(alignment: Alignment, run: Run) -> Diagnosis | None:
    written = {s.step: s.got for s in alignment.steps[alignment.n_truth :]}
    return halting_finding(alignment.extra_steps, written, run)


def halting_finding(extra: list[int], written: dict[int, str | None], run: Run) -> Diagnosis | None:
    """The finding on an answer whose every ground-truth step is right: steps written past the
    trace (``extra``, ascending; ``written`` maps them to the queue read, None if unreadable)
    are steps beyond the cap, a failure to halt, or the halting queue restated."""
    if not extra:
        return None
    first = extra[0]
    last_state = run.state(-1)
    if not run.halted:
        return Diagnosis(
            Kind.BEYOND_CAP,
            first,
            f"steps beyond the cap: wrote {len(extra)} step(s) after step {run.last_step}",
            {"extra_steps": len(extra)},
            fatal=False,
        )
    changed = [k for k in extra if written.get(k) is not None and written[k] != last_state]
    if changed:
        return Diagnosis(
            Kind.FAILURE_TO_HALT,
            first,
            f"failure to halt: kept stepping after the machine halted at step {run.last_step} "
            f"({run.halt_description()})",
            {"extra_steps": len(extra)},
            fatal=False,
        )
    return Diagnosis(
        Kind.STEPS_AFTER_HALT,
        first,
        f"steps after halting: restated the halting queue as step {first}",
        {"extra_steps": len(extra)},
        fatal=False,
    )


def _validity(alignment: Alignment, run: Run, parse: ParseResult) -> tuple[list[int], list[int]]:
    """Wrong steps that break the rules from the model's own previous queue (new errors) and
    wrong steps that follow correctly from an earlier mistake (inherited)."""
    wrong = [s.step for s in alignment.steps[: alignment.n_truth] if s.verdict is Verdict.WRONG]
    if not wrong:
        return [], []
    valid = local_validity(run.system, run.state(0), parse.steps, alignment.n_truth - 1)
    new = [k for k in wrong if valid.get(k) is False]
    inherited = [k for k in wrong if valid.get(k) is True]
    return new, inherited
