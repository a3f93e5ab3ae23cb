"""How large a trace tmtui simulates, scores and writes: the bounds, and what an instance's
parameters say about them before anything is simulated.

A record or a file can describe any tag system, so every instance that comes from outside is
checked (:func:`tmtui.io.instances.size_problem`): first from its parameters alone (the step
cap, the initial queue, the longest production), which settles almost every instance; only an
instance the parameters cannot settle is simulated, and then under these very limits, so that
refusing it costs what the largest accepted trace costs, never what its own cap asks for.
"""

from __future__ import annotations

from typing import NamedTuple

__all__ = [
    "MAX_RUN_STATES",
    "MAX_STATES",
    "MAX_TAPE",
    "MAX_TRUTH",
    "Bounds",
    "bounds",
]

# The largest step cap an instance may ask for (a machine that halts earlier is fine).
MAX_STATES = 10_000_000
# The most states simulated and scored: steps 0..1,000,000 (``run --max-steps``' limit).
MAX_RUN_STATES = 1_000_001
# The most tape cells a run could need, from its parameters (the engine's memory).
MAX_TAPE = 50_000_000
# The most symbols in all ground-truth states together: what scoring aligns, what the
# official format writes (``step_results`` holds every state), what the debugger shows.
MAX_TRUTH = 50_000_000


class Bounds(NamedTuple):
    """The worst a trace can be, from its parameters alone."""

    states: int  # states that can be simulated (the cap, or one past the limit)
    tape: int  # cells the tape can reach
    truth: int  # symbols all its states can hold together

    @property
    def settled(self) -> bool:
        """True when even the worst case is within every limit (nothing to simulate)."""
        return self.states <= MAX_RUN_STATES and self.tape <= MAX_TAPE and self.truth <= MAX_TRUTH


def bounds(m: int, init_len: int, longest: int, max_states: int) -> Bounds:
    """The worst case of a trace of at most ``max_states`` states (never more than one past
    :data:`MAX_RUN_STATES`: simulating further is never needed to refuse it) from an initial
    queue of ``init_len`` symbols, deleting ``m`` and appending at most ``longest`` a step.

    State i holds at most ``init_len + i * (longest - m)`` symbols when productions can be
    longer than m, else at most ``init_len``."""
    states = max(1, min(max_states, MAX_RUN_STATES + 1))
    tape = init_len + (states - 1) * longest
    truth = states * init_len
    if longest > m:
        truth += (longest - m) * (states * (states - 1) // 2)
    return Bounds(states, tape, truth)
