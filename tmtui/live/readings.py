"""Where the official evaluator's regex and the strict parser read one answer differently,
step by step, so a reasoning error can be told from a format artefact (the parse inspector).

The comparison itself is the scoring layer's :func:`tmtui.scoring.parser_disagreements`;
this module only lays it out as rows for a table."""

from __future__ import annotations

from tmtui.core.align import Verdict
from tmtui.core.parsed import ParsedStep
from tmtui.core.text import one_line
from tmtui.live.trace import Trace
from tmtui.scoring import parser_disagreements

__all__ = ["disagreements"]


def _reading(v: Verdict, ps: ParsedStep | None) -> str:
    if ps is None:
        return f"{v.mark} not read"
    if ps.queue is None:
        return f"{v.mark} unreadable"
    return f"{v.mark} [{one_line(ps.queue, 60)}]"


def disagreements(tr: Trace) -> tuple[list[tuple[int, str, str, str]], str, list[str]]:
    """Rows (step, strict reading, official reading, why), a summary line, deviations. An
    attempt that did not happen is not scored: its summary says why (no '0/31 (fail)'), and
    with no text there is nothing to read."""
    reason = tr.not_attempted_reason()
    if reason is not None and not tr.answer.text.strip():
        return [], f"{reason}: nothing to read", []
    cmp = parser_disagreements(
        tr.instance,
        tr.answer.text,
        truth=tr.truth,
        strict=tr.strict_reading(),  # the readings the trace has made already are not made
        compat=tr.compat_reading(),  # again (each is a parse of the whole answer)
    )
    rows = [
        (d.step, _reading(d.strict_verdict, d.strict), _reading(d.compat_verdict, d.compat), d.why)
        for d in cmp.steps
    ]
    summary = cmp.summary() if reason is None else f"{reason}; what came is read below"
    return rows, summary, list(cmp.strict.deviations)
