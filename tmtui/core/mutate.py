"""Injecting realistic mistakes into a simulation: the model steps a flawed simulator writes.

A model that errs at step k goes on simulating from its own wrong queue (so later steps are
locally valid but wrong: inherited errors). Each injector makes one mistake of one diagnosis
kind at one step and says, in its action line, what it did (as models do), so the diagnosis
can be checked against the injected kind. The synthetic model and the tests share this code.
"""

from __future__ import annotations

import random
from bisect import bisect_right
from collections.abc import Iterable, Sequence

from tmtui.core.answer import ModelStep
from tmtui.core.datasets import Instance
from tmtui.core.diagnose import Kind
from tmtui.core.tagsystem import TagSystem

__all__ = ["INJECTABLE", "flawed_steps", "positioned", "wrong_fetch", "wrong_transition"]

# kinds a single wrong transition can make (the others are about the whole answer)
TRANSITION_KINDS = (
    Kind.WRONG_HEAD,
    Kind.WRONG_PRODUCTION,
    Kind.WRONG_DELETION,
    Kind.COPY_ERROR,
    Kind.STALE_STATE,
)
INJECTABLE = (
    *TRANSITION_KINDS,
    Kind.PREMATURE_HALT,
    Kind.TRUNCATED,
    Kind.STEP_MISSING,
    Kind.UNPARSABLE,
    Kind.NOTHING_PARSABLE,
    Kind.FAILURE_TO_HALT,
    Kind.STEPS_AFTER_HALT,
)


def _right(system: TagSystem, prev: str, k: int) -> ModelStep | None:
    res = system.step(prev)
    if res is None:
        return None
    return ModelStep(
        step=k,
        queue=res.queue,
        head=res.head,
        appended=res.production,
        removed=res.deleted,
        prev=prev,
    )


def wrong_transition(
    system: TagSystem, prev: str, k: int, kind: Kind, rng: random.Random
) -> ModelStep | None:
    """One wrong step k from ``prev`` of the given kind, or None if ``prev`` cannot make one
    that is unambiguously that kind."""
    res = system.step(prev)
    if res is None:
        return None
    m = system.m
    head, prod, rest = res.head, res.production, prev[m:]
    right = res.queue
    prods = system.productions
    if kind is Kind.WRONG_HEAD:
        others = [s for s in system.alphabet if s != head and s in prods and prods[s] != prod]
        if not others:
            return None
        x = rng.choice(others)
        q = rest + prods[x]
        if q == prev:
            return None
        return ModelStep(k, q, head=x, appended=prods[x], removed=prev[:m], prev=prev)
    if kind is Kind.WRONG_PRODUCTION:
        alphabet = list(system.alphabet)
        for _ in range(20):
            n = max(1, len(prod) + rng.choice((-1, 0, 1)))
            w = "".join(rng.choice(alphabet) for _ in range(n))
            # a queue ending with the right production reads, without the action line, as
            # the middle copied wrong (or a wrong deletion count): not unambiguous
            q = rest + w
            if w != prod and w not in prods.values() and q != prev and not q.endswith(prod):
                return ModelStep(k, q, head=head, appended=w, removed=prev[:m], prev=prev)
        return None
    if kind is Kind.WRONG_DELETION:
        options = [d for d in (m - 1, m + 1, 0, 2 * m) if d != m and 0 <= d <= len(prev)]
        rng.shuffle(options)
        for d in options:
            q = prev[d:] + prod
            # one that reads as the retained queue plus another symbol's production is a
            # wrong head to the eye: not unambiguous
            if q != right and q != prev and not any(q == rest + p for p in prods.values()):
                return ModelStep(k, q, head=head, appended=prod, removed=prev[:d], prev=prev)
        return None
    if kind is Kind.COPY_ERROR:
        if len(rest) < 2:
            return None
        op = rng.choice(("drop", "dup", "sub"))
        i = rng.randrange(len(rest))
        if op == "drop":
            n = rng.randint(1, min(4, len(rest) - 1))
            i = min(i, len(rest) - n)
            kept = rest[:i] + rest[i + n :]
        elif op == "dup":
            n = rng.randint(1, min(3, len(rest)))
            i = min(i, len(rest) - n)
            kept = rest[: i + n] + rest[i : i + n] + rest[i + n :]
        else:
            choices = [s for s in system.alphabet if s != rest[i]]
            if not choices:
                return None
            kept = rest[:i] + rng.choice(choices) + rest[i + 1 :]
        q = kept + prod
        if q in (right, prev) or any(q == rest + p for p in prods.values()):
            return None
        # a copy error that also reads as a wrong deletion count is not unambiguous
        d = len(prev) - len(kept)
        if d in (0, m - 1, m + 1, 2 * m) and prev.endswith(kept):
            return None
        return ModelStep(k, q, head=head, appended=prod, removed=prev[:m], prev=prev)
    if kind is Kind.STALE_STATE:
        return ModelStep(k, prev, head=head, appended=prod, removed=prev[:m], prev=prev)
    raise ValueError(f"{kind} is not a single-transition mistake")


def wrong_fetch(system: TagSystem, prev: str, k: int, rng: random.Random) -> ModelStep | None:
    """Step k reading a cell after the head instead of the head (a wrong fetch: the next
    symbol, or the head of the next group of m, most often), then going on by the rules from
    what it read. None when no other cell of ``prev`` holds a symbol that makes a different
    queue."""
    res = system.step(prev)
    if res is None:
        return None
    m = system.m
    prods = system.productions
    offsets = [
        d
        for d in range(1, len(prev))
        if prev[d] != res.head and prev[d] in prods and prods[prev[d]] != res.production
    ]
    if not offsets:
        return None
    near = [d for d in offsets if d <= m] or offsets
    d = rng.choice(near)
    x = prev[d]
    q = prev[m:] + prods[x]
    if q == prev:
        return None
    return ModelStep(k, q, head=x, appended=prods[x], removed=prev[:m], prev=prev, read_offset=d)


def positioned(
    steps: Sequence[ModelStep], m: int, before: Iterable[tuple[int, str]] = ()
) -> Sequence[ModelStep]:
    """Give each step the tape positions the model itself keeps (for the tail and indexed
    formats): state k starts at position m*k; step k says it reads position m*(k-1) (plus its
    ``read_offset``) and names the step whose own queue ended past that position as its
    writer. ``before``: (step, queue) of steps written earlier (a continuation)."""
    order: list[int] = []
    ends: list[int] = []

    def wrote(k: int, queue: str) -> None:
        order.append(k)
        ends.append(max(m * k + len(queue), ends[-1] if ends else 0))

    for k, queue in before:
        wrote(k, queue)
    for s in steps:
        k = s.step
        s.at = m * k
        if k > 0 and s.head is not None:
            pos = m * (k - 1) + s.read_offset
            i = bisect_right(ends, pos)
            s.fetch = (pos, order[i] if i < len(order) else max(k - 1, 0))
        if s.queue is not None:
            wrote(k, s.queue)
    return steps


def step_past_halt(system: TagSystem, q: str, k: int, *, halt: bool = False) -> ModelStep:
    """Step k written from the halting queue ``q`` as if it could still step: the head's
    production (if any) appended and m symbols dropped (a failure to halt)."""
    head = q[0] if q else None
    prod = system.productions.get(head, "") if head else ""
    nxt = q[system.m :] + prod
    if nxt == q:
        nxt = q + (prod or system.alphabet[0])
    return ModelStep(k, nxt, head=head, appended=prod, removed=q[: system.m], prev=q, halt=halt)


def flawed_steps(
    inst: Instance,
    errors: dict[int, Kind] | None = None,
    *,
    rng: random.Random | None = None,
    max_states: int | None = None,
) -> list[ModelStep] | None:
    """The steps a model writes for ``inst`` with a mistake of ``errors[k]`` at step k.

    Transition mistakes make the model continue from its own wrong queue. Whole-answer kinds:
    PREMATURE_HALT stops at step k-1 declaring a halt; STEP_MISSING leaves step k out;
    UNPARSABLE writes step k with no readable queue; WRONG_READ reads a cell after the head
    (written with its stated fetch in the tail format); TRUNCATED is made by the caller (cutting
    the text); FAILURE_TO_HALT and STEPS_AFTER_HALT add steps after a halting trace.
    Returns None when an asked-for mistake cannot be made at that step.
    """
    rng = rng or random.Random(0)
    errors = dict(errors or {})
    system = inst.system
    cap = max_states if max_states is not None else inst.max_states
    steps: list[ModelStep] = [ModelStep(0, inst.init)]
    q = inst.init
    k = 1
    while k < cap:
        kind = errors.get(k)
        if kind is Kind.PREMATURE_HALT:
            if system.halts_on(q) is not None:
                return None
            steps[-1].halt = True
            return list(positioned(steps, system.m))
        if system.halts_on(q) is not None:
            break
        if kind is Kind.WRONG_READ:
            s = wrong_fetch(system, q, k, rng)
            if s is None:
                return None
        elif kind in TRANSITION_KINDS:
            s = wrong_transition(system, q, k, kind, rng)
            if s is None:
                return None
        else:
            s = _right(system, q, k)
            assert s is not None
        if kind is Kind.STEP_MISSING:
            q = s.queue or ""
            k += 1
            continue
        if kind is Kind.UNPARSABLE:
            s.raw_queue = "(the same as above, with the production appended)"
        steps.append(s)
        q = s.queue if s.queue is not None else q
        k += 1
    if system.halts_on(q) is not None and steps:
        steps[-1].halt = True
        last = steps[-1]
        after = errors.get(-1)
        if after is Kind.STEPS_AFTER_HALT:
            steps.append(ModelStep(last.step + 1, q, halt=True, prev=q))
        elif after is Kind.FAILURE_TO_HALT:
            last.halt = False
            steps.append(step_past_halt(system, q, last.step + 1))
    elif steps and len(steps) >= cap:
        steps[-1].stop = True
    return list(positioned(steps, system.m))


def kinds_for(inst: Instance) -> Sequence[Kind]:
    """The injectable kinds that make sense for this instance's trace."""
    out = [*list(TRANSITION_KINDS), Kind.PREMATURE_HALT, Kind.STEP_MISSING, Kind.UNPARSABLE]
    if inst.run.halted:
        out += [Kind.FAILURE_TO_HALT, Kind.STEPS_AFTER_HALT]
    return out


__all__ += ["TRANSITION_KINDS", "kinds_for", "step_past_halt"]
