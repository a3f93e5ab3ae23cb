"""The fetch a tail answer states (docs/tail.md), judged against the run.

A tail step says where it read from: "Read: C from position 4 (written by step 2)". When that is
not where the rules read, and the step read a symbol other than the true head, the mistake is
the wrong read itself (kind ``wrong-read``): :func:`wrong_fetch` at the first divergence, where
the model's previous queue is still right; :func:`own_wrong_read` after it, against the model's
own previous queue. The official regex reads only queues: :func:`stated_fetch` then takes the
fetch from the strict reading of the same step, and the message says so.
"""

from __future__ import annotations

from tmtui.core.parsed import ParsedStep, ParseResult, StepOccurrence
from tmtui.core.strict_step import StrictReading
from tmtui.core.tagsystem import Run

__all__ = ["own_wrong_read", "stated_fetch", "wrong_fetch"]

_BORROWED = "the fetch the answer states, as the strict parser reads it: the official regex reads only queues"


def stated_fetch(
    ps: StepOccurrence | None, strict: ParseResult | StrictReading | None, k: int
) -> tuple[StepOccurrence | None, bool]:
    """The step's stated fetch and head: its own, or (the official regex reads only queues)
    the strict reading's of the same step when that reads the same queue. True: borrowed."""
    if ps is not None and ps.fetch is not None:
        return ps, False
    if strict is None:
        other = None
    elif isinstance(strict, StrictReading):
        other = strict.occurrence(k)
    else:
        other = strict.steps.get(k)
    if ps is not None and other is not None and other.fetch is not None and other.queue == ps.queue:
        return other, True
    return ps, False


def wrong_fetch(
    run: Run, k: int, claims: StepOccurrence | None, borrowed: bool
) -> tuple[str, dict] | None:
    """(message, detail) when step k's stated fetch is not the true one and the step read a
    symbol other than the true head (or does not say which); None otherwise."""
    if claims is None or claims.fetch is None:
        return None
    pos, writer = claims.fetch
    want_pos, want_writer = run.read_cell(k), run.read_from_step(k)
    if (pos, writer) == (want_pos, want_writer):
        return None
    head = run.head_read(k)
    read = claims.head_claim
    if read == head:
        return None  # the right symbol read: the fetch is mis-stated, not the cause
    detail = {
        "position": pos,
        "written_by": writer,
        "expected_position": want_pos,
        "expected_written_by": want_writer,
        "head": head,
        "read": read,
        "claimed": True,
    }
    if pos == want_pos:
        msg = (
            f"read the wrong cell: took position {pos} as written by step {writer}; "
            f"step {want_writer} wrote it"
        )
    else:
        msg = (
            f"read the wrong cell: took position {pos} (written by step {writer}) "
            f"instead of position {want_pos} (written by step {want_writer})"
        )
    if read is not None:
        msg += f", read {read} instead of {head}"
    if borrowed:
        msg += f" ({_BORROWED})"
        detail["borrowed"] = True
    return msg, detail


def own_wrong_read(step: int, m: int, prev: str, cur: ParsedStep) -> str | None:
    """A tail answer's stated fetch off its own head: a symbol other than the head of its own
    previous queue, read from a position other than that head's (m*(step-1))."""
    if cur.fetch is None or not prev or cur.head_claim in (None, prev[0]):
        return None
    pos, writer = cur.fetch
    if pos == m * (step - 1):
        return None
    return (
        f"read the wrong cell: took position {pos} (written by step {writer}) instead of "
        f"position {m * (step - 1)} (the head of its own queue), read {cur.head_claim} "
        f"instead of {prev[0]}"
    )
