"""Study plans: which participant solves which instances, in which order.

Every instance is solved by exactly K participants, every participant gets as many instances
as the others (give or take one), and nobody gets an instance twice: the instances, shuffled
once with the plan's seed, are laid end to end K times and cut into one run per participant
(a run of at most N consecutive places never holds an instance twice).

Orders are counterbalanced: participant j works through their instances in a Williams order
(0, 1, c-1, 2, c-2, ...) rotated by j, and mirrored for every second round of rotations. When
every participant solves every instance this is a balanced Latin square: each instance comes
at each position equally often, and (for an even number of instances, or twice as many
participants as instances when it is odd) each one follows each other one equally often.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

__all__ = ["PlanError", "make_plan", "williams_order"]


class PlanError(ValueError):
    """A plan that cannot be made (one clear line)."""


def williams_order(c: int, row: int) -> list[int]:
    """Row ``row`` of a Williams design on ``c`` items: positions 0..c-1 in the order this
    row takes them."""
    if c <= 0:
        return []
    base = [0]
    lo, hi = 1, c - 1
    while len(base) < c:
        base.append(lo)
        lo += 1
        if len(base) < c:
            base.append(hi)
            hi -= 1
    order = [(b + row) % c for b in base]
    if (row // c) % 2 == 1:
        order.reverse()
    return order


def make_plan(
    participants: Sequence[str], samples: Sequence[int], per_instance: int, seed: int
) -> dict[str, list[int]]:
    """Each participant's instances (sample indices) in the order they solve them."""
    n, N, K = len(participants), len(samples), per_instance
    if n == 0:
        raise PlanError("no participants")
    if len(set(participants)) != n:
        raise PlanError("a participant is listed twice")
    if N == 0:
        raise PlanError("no instances")
    if len(set(samples)) != N:
        raise PlanError("an instance is listed twice")
    if not 1 <= K <= n:
        raise PlanError(
            f"--per-instance must be between 1 and the number of participants ({n}): "
            "nobody solves an instance twice"
        )
    order = list(samples)
    random.Random(seed).shuffle(order)
    laid = order * K
    base, extra = divmod(N * K, n)
    plan: dict[str, list[int]] = {}
    start = 0
    for j, who in enumerate(participants):
        size = base + (1 if j < extra else 0)
        run = laid[start : start + size]
        start += size
        plan[who] = [run[k] for k in williams_order(len(run), j)]
    return plan
