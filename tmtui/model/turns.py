"""What ``tmtui run`` does with a sample's stream beyond recording it.

* :class:`LiveCut` (``--stop-after-divergence K``): reads the answer as it streams and says
  when to cut it, K steps after its first divergence;
* :func:`continuation` (``--continue-until-halt``, budget forcing): after a turn that ended
  before the machine halted, whether to ask for more, and :func:`continue_messages` the
  conversation that asks.
"""

from __future__ import annotations

from collections.abc import Sequence

from tmtui.core.align import align
from tmtui.core.datasets import Instance
from tmtui.core.parse import StrictParser, parse_strict

__all__ = ["CONTINUE_PROMPT", "MAX_TURNS", "LiveCut", "continuation", "continue_messages"]

CONTINUE_PROMPT = (
    "Continue the simulation from step {next} in exactly the same format, one step at a time. "
    "Stop upon reaching the halt condition or step {max_step}."
)
MAX_TURNS = 200


class LiveCut:
    """Watches the answer as it streams and says when to cut it (K steps after the first
    divergence). A step counts once a later step has been written (its reading is settled)."""

    def __init__(self, truth: list[str], alphabet: tuple[str, ...], k: int) -> None:
        self.truth = truth
        self.alphabet = alphabet
        self.k = k
        self.parser = StrictParser(alphabet)
        self.divergence: int | None = None
        self.at_step: int | None = None

    def restart(self) -> LiveCut:
        """A fresh reading (a try redone from scratch)."""
        return LiveCut(self.truth, self.alphabet, self.k)

    def feed(self, text: str) -> bool:
        events = self.parser.feed(text)
        if not events:
            return False
        steps = self.parser.steps
        if not steps:
            return False
        top = max(steps)
        settled = {k: s for k, s in steps.items() if k < top}
        if not settled:
            return False
        al = align(self.truth, settled, final=False)
        div = al.first_divergence
        if div is None:
            return False
        self.divergence = div.step
        if top - 1 >= div.step + self.k:
            self.at_step = top
            return True
        return False


def continuation(
    inst: Instance,
    answer: str,
    finish_reason: str | None,
    prev_last: int,
    tokens: int,
    budget: int | None,
) -> tuple[str | None, int]:
    """(why to stop, or None to continue; the last complete step written).

    When the turn was cut by the token limit its last step may be incomplete: it is left
    out and asked for again (a step written twice counts in its later reading)."""
    res = parse_strict(answer, inst.alphabet)
    run = inst.run
    truth = run.states()
    steps = dict(res.steps)
    if steps and (finish_reason == "length" or res.truncated):
        del steps[max(steps)]
    written = [k for k, s in steps.items() if s.queue is not None]
    last = max(written, default=-1)
    al = align(truth, steps, final=False)
    if al.first_divergence is not None:
        return "diverged", last
    if last >= len(truth) - 1:
        return ("halted" if run.halted else "reached the step cap"), last
    if budget is not None and tokens >= budget:
        return "token budget spent", last
    if last <= prev_last:
        return "no progress", last
    return None, last


def continue_messages(
    msgs: Sequence[dict[str, str]], answer: str, last: int, max_step: int
) -> list[dict[str, str]]:
    """The prompt, the answer so far, and the request to go on from step ``last + 1``."""
    return [
        *msgs,
        {"role": "assistant", "content": answer},
        {"role": "user", "content": CONTINUE_PROMPT.format(next=last + 1, max_step=max_step)},
    ]
