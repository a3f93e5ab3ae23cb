"""Where the official evaluator's regex and the strict parser read one answer differently,
step by step, so a reasoning error can be told from a format artefact (the parse inspector)."""

from __future__ import annotations

from tmtui.core.align import Verdict, align
from tmtui.core.compat import parse_compat
from tmtui.core.parse import parse_strict
from tmtui.core.parsed import ParsedStep
from tmtui.core.text import one_line
from tmtui.live.trace import Trace

__all__ = ["disagreements"]


def _reading(v: Verdict, ps: ParsedStep | None) -> str:
    if ps is None:
        return f"{v.mark} not read"
    if ps.queue is None:
        return f"{v.mark} unreadable"
    return f"{v.mark} [{one_line(ps.queue, 60)}]"


def _why(step: int, s: ParsedStep | None, c: ParsedStep | None) -> str:
    if c is None and s is not None:
        return (
            "the official regex needs 'step N:' … 'Queue State:' … '[…]' with only "
            "its symbol class inside; it found none for this step"
        )
    if s is None and c is not None:
        return "the strict parser read no step here (the official match crosses step blocks?)"
    parts = []
    if s is not None and s.note:
        parts.append("strict: " + s.note)
    if s is not None and s.why:
        parts.append("strict: " + s.why)
    if s is not None and s.problem:
        parts.append("strict: " + s.problem)
    if c is not None and c.why:
        parts.append("official: " + c.why)
    if not parts:
        parts.append("the two parsers took different text as this step's queue")
    return one_line("; ".join(parts), 400)


def disagreements(tr: Trace) -> tuple[list[tuple[int, str, str, str]], str, list[str]]:
    """Rows (step, strict reading, official reading, why), a summary line, deviations."""
    text = tr.answer.text
    strict = parse_strict(text, tr.alphabet)
    compat = parse_compat(text, tr.alphabet)
    a_s = align(tr.truth, strict)
    a_c = align(tr.truth, compat)
    rows = []
    steps = sorted(set(strict.steps) | set(compat.steps) | set(range(tr.n_truth)))
    vs = {r.step: r.verdict for r in a_s.steps}
    vc = {r.step: r.verdict for r in a_c.steps}
    for k in steps:
        s, c = strict.steps.get(k), compat.steps.get(k)
        sq = s.queue if s is not None else None
        cq = c.queue if c is not None else None
        v1 = vs.get(k, Verdict.EXTRA)
        v2 = vc.get(k, Verdict.EXTRA)
        if sq == cq and v1 == v2:
            continue
        rows.append((k, _reading(v1, s), _reading(v2, c), _why(k, s, c)))

    def line(name: str, al) -> str:
        ok = al.count(Verdict.CORRECT)
        verdict = "pass" if al.passed else "fail"
        return f"{name}: {ok}/{al.n_truth} correct ({verdict})"

    summary = line("strict", a_s) + "   ·   " + line("official regex (compat tmbench)", a_c)
    return rows, summary, list(strict.deviations)
