"""Diagnosis: what went wrong at the first divergence, and where errors were new or inherited.

The first divergence is explained by replaying one rule step from the model's own previous
queue (at the first divergence that queue is still correct) and asking which single mistake
turns the right next queue into the one the model wrote: reading the wrong head symbol,
appending the wrong production, deleting the wrong number of symbols, or copying the retained
middle of the queue wrongly (symbols dropped, duplicated, inserted or substituted, at a position).
Format problems (nothing parsable, a step missing, a queue that cannot be read), halting
mistakes and a truncated answer are told apart from reasoning errors.

An answer in the tail format states where each step reads from (the tape position and the step
that wrote it). When that fetch is not the true one and the step read the wrong symbol, the
diagnosis is the wrong read itself: "read the wrong cell: took position 14 (written by step 6)
instead of position 12 (written by step 5)". The official regex reads only queues: in its
reading the fetch is taken from the strict reading of the same step, and the message says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from tmtui.core.align import Alignment, Verdict, align, differing_span, local_validity
from tmtui.core.fetch import stated_fetch, wrong_fetch
from tmtui.core.parsed import ParseResult, ParserMode, StepOccurrence
from tmtui.core.strict_step import StrictReading
from tmtui.core.tagsystem import Run, TagSystem
from tmtui.core.text import one_line

__all__ = ["Diagnosis", "Kind", "diagnose", "explain_transition", "halting_finding"]


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


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _copy_diff(expected: str, got: str) -> tuple[str, dict]:
    """Describe how ``got`` differs from ``expected`` as one edit at one position."""
    p, e_end, g_end = differing_span(expected, got)
    e_mid = expected[p:e_end]
    g_mid = got[p:g_end]
    # "index" is 0-based; messages speak of the 1-based position of the first symbol affected
    detail = {"index": p, "expected": e_mid, "got": g_mid}
    pos = p + 1
    if not g_mid:
        detail["op"] = "dropped"
        detail["count"] = len(e_mid)
        return f"dropped {_plural(len(e_mid), 'symbol')} at position {pos}", detail
    if not e_mid:
        n = len(g_mid)
        around = expected[max(0, p - n) : p] + "|" + expected[p : p + n]
        dup = expected[max(0, p - n) : p] == g_mid or expected[p : p + n] == g_mid
        detail["op"] = "duplicated" if dup else "inserted"
        detail["count"] = n
        detail["context"] = around
        verb = "duplicated" if dup else "inserted"
        return f"{verb} {_plural(n, 'symbol')} at position {pos}", detail
    if len(e_mid) == len(g_mid):
        n = sum(1 for a, b in zip(e_mid, g_mid, strict=True) if a != b)
        detail["op"] = "substituted"
        detail["count"] = n
        return f"substituted {_plural(n, 'symbol')} at position {pos}", detail
    detail["op"] = "garbled"
    detail["count"] = max(len(e_mid), len(g_mid))
    return (
        f"garbled {len(e_mid)} symbols into {len(g_mid)} at position {pos}",
        detail,
    )


def explain_transition(
    system: TagSystem, prev: str, got: str, claims: StepOccurrence | None = None
) -> tuple[Kind, str, dict]:
    """Which single mistake turns one rule step from ``prev`` into ``got``.

    ``prev`` must not be a halting queue; ``got`` differs from the right next queue. What the
    model said it did (its ``Head Symbol:`` and ``Action: Append ... Remove ...`` lines, in
    ``claims``) decides between explanations that give the same queue, e.g. a production never
    appended versus a block dropped from a periodic middle.
    """
    m = system.m
    res = system.step(prev)
    if res is None:
        return Kind.FAILURE_TO_HALT, "stepped from a halting queue", {}
    head, prod, rest = res.head, res.production, prev[m:]
    if got == prev:
        return Kind.STALE_STATE, "wrote the previous queue again unchanged", {}
    prods = system.productions
    claimed_head = claims.head_claim if claims else None
    claimed_app = claims.append_claim if claims else None
    claimed_rem = claims.remove_claim if claims else None
    # 1. what the model said it did, when that was wrong
    if (
        claimed_head
        and claimed_head != head
        and claimed_head in prods
        and (claimed_app is None or claimed_app == prods[claimed_head])
    ):
        return (
            Kind.WRONG_HEAD,
            f"read head {claimed_head} instead of {head}",
            {"head": head, "read": claimed_head, "claimed": True},
        )
    if claimed_app is not None and claimed_app != prod:
        for sym in system.alphabet:
            if sym != head and prods.get(sym) == claimed_app:
                return (
                    Kind.WRONG_HEAD,
                    f"read head {sym} instead of {head} (appended {sym}'s production)",
                    {"head": head, "read": sym, "appended": claimed_app, "claimed": True},
                )
        return (
            Kind.WRONG_PRODUCTION,
            f"appended {claimed_app or 'nothing'} instead of {prod} (head {head})",
            {"head": head, "production": prod, "appended": claimed_app, "claimed": True},
        )
    if claimed_rem is not None and len(claimed_rem) != m and claimed_rem:
        return (
            Kind.WRONG_DELETION,
            f"deleted {len(claimed_rem)} symbols instead of {m}",
            {"deleted": len(claimed_rem), "m": m, "claimed": True},
        )
    # 2. the queue alone
    if got.startswith(rest):
        tail = got[len(rest) :]
        for sym in system.alphabet:
            if sym != head and prods.get(sym) == tail:
                return (
                    Kind.WRONG_HEAD,
                    f"read head {sym} instead of {head} (appended {sym}'s production)",
                    {"head": head, "read": sym, "appended": tail},
                )
    # deleting the wrong number of symbols: none, one too few or too many, or twice m (a
    # larger count that fits is taken as symbols dropped from a periodic middle instead)
    if got.endswith(prod):
        kept = got[: len(got) - len(prod)]
        d = len(prev) - len(kept)
        if d != m and d in (0, m - 1, m + 1, 2 * m) and prev.endswith(kept):
            return (
                Kind.WRONG_DELETION,
                f"deleted {d} symbols instead of {m}",
                {"deleted": d, "m": m},
            )
        # production right: the retained middle was copied wrong
        msg, detail = _copy_diff(rest, kept)
        return Kind.COPY_ERROR, f"copy error: {msg}", detail
    if got.startswith(rest):
        tail = got[len(rest) :]
        return (
            Kind.WRONG_PRODUCTION,
            f"appended {tail or 'nothing'} instead of {prod} (head {head})",
            {"head": head, "production": prod, "appended": tail},
        )
    msg, detail = _copy_diff(rest + prod, got)
    return Kind.OTHER, f"queue differs: {msg}", detail


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
        msg, detail = _copy_diff(run.state(0), got)
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
