"""Practice instances: drawn like the study's, from a set that does not overlap it.

They are generated with the study's recipe (m, alphabet, production and initial-queue lengths,
step cap, all read off the study's own instances) and a seed of their own, and any drawn
instance whose id or rules belong to the study is skipped, so practice never shows a
participant a scored instance or its rules.
"""

from __future__ import annotations

from collections.abc import Sequence

from tmtui.core.datasets import DatasetError, GenerationSpec, Instance, generate

__all__ = ["MAX_PRACTICE", "PRACTICE_SEED", "practice_set"]

PRACTICE_SEED = 20_240_607  # any seed but the official one (1); stored with each session
MAX_PRACTICE = 50


def _rules_key(inst: Instance) -> tuple:
    return (inst.m, tuple(sorted(inst.rules.items())))


def practice_set(
    study: Sequence[Instance], n: int, *, seed: int = PRACTICE_SEED, name: str = "practice"
) -> list[Instance]:
    """``n`` instances like ``study``'s and disjoint from them (ids and rules)."""
    if n <= 0:
        return []
    if not study:
        raise DatasetError("no instances to draw practice instances like")
    first = study[0]
    productions = [len(p) for inst in study for p in inst.rules.values()]
    inits = [len(inst.init) for inst in study]
    ids = {inst.id for inst in study}
    rules = {_rules_key(inst) for inst in study}
    spec = GenerationSpec(
        n=n,
        seed=seed,
        m=first.m,
        alphabet=tuple(first.alphabet),
        rule_len=(min(productions, default=1), max(productions, default=1)),
        init_len=(min(inits), max(inits)),
        max_states=first.max_states,
        max_attempts=100_000,
    )
    ds = generate(
        spec,
        accept=lambda inst: inst.id not in ids and _rules_key(inst) not in rules,
        name=name,
    )
    return ds.samples
