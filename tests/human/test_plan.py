"""Study plans: each instance solved by exactly K participants, loads even, nobody solves an
instance twice, orders counterbalanced (a balanced Latin square when everyone solves
everything); participants then work through their assignment, across sessions."""

from __future__ import annotations

from collections import Counter
from itertools import pairwise

import pytest

from tmtui.human import NothingToDo, SessionError
from tmtui.human.plan import PlanError, make_plan, williams_order
from tmtui.io.humanstudy import add_plan, assignment

from .humankit import TMBENCH, FakeClock, db_at, session, truth, type_queue


@pytest.mark.parametrize(
    ("n", "N", "K"), [(3, 6, 2), (10, 100, 3), (7, 20, 7), (5, 3, 2), (12, 40, 1), (4, 4, 4)]
)
def test_every_instance_is_solved_by_k_participants_and_loads_are_even(n, N, K):
    people = [f"P{i:02d}" for i in range(n)]
    plan = make_plan(people, list(range(100, 100 + N)), K, seed=5)
    assert list(plan) == people
    counts = Counter(i for order in plan.values() for i in order)
    assert counts == dict.fromkeys(range(100, 100 + N), K)
    sizes = [len(order) for order in plan.values()]
    assert max(sizes) - min(sizes) <= 1 and sum(sizes) == N * K
    assert all(len(set(order)) == len(order) for order in plan.values())
    assert make_plan(people, list(range(100, 100 + N)), K, seed=5) == plan  # seeded
    assert make_plan(people, list(range(100, 100 + N)), K, seed=6) != plan or n >= N * K


@pytest.mark.parametrize("c", [4, 6, 10])
def test_everyone_solving_everything_is_a_balanced_latin_square(c):
    people = [f"P{i}" for i in range(c)]
    plan = make_plan(people, list(range(c)), c, seed=1)
    orders = list(plan.values())
    for position in range(c):  # each instance at each position once
        assert sorted(o[position] for o in orders) == list(range(c))
    pairs = Counter(p for o in orders for p in pairwise(o))  # each follows each other once
    assert len(pairs) == c * (c - 1) and set(pairs.values()) == {1}


def test_an_odd_number_of_instances_needs_two_rounds_to_balance():
    c = 5
    plan = make_plan([f"P{i}" for i in range(2 * c)], list(range(c)), 2 * c, seed=0)
    pairs = Counter(p for o in plan.values() for p in pairwise(o))
    assert len(pairs) == c * (c - 1) and set(pairs.values()) == {2}
    assert williams_order(5, 0) == [0, 1, 4, 2, 3] and williams_order(5, 5) == [3, 2, 4, 1, 0]


def test_positions_are_spread_when_instances_are_shared():
    plan = make_plan([f"P{i:02d}" for i in range(10)], list(range(30)), 5, seed=2)
    first = [order[0] for order in plan.values()]
    assert len(set(first)) == len(first)  # nobody starts where another does
    spots: dict[int, set[int]] = {}
    for order in plan.values():
        for pos, i in enumerate(order):
            spots.setdefault(i, set()).add(pos)
    assert sum(len(v) > 1 for v in spots.values()) >= 25  # instances move between positions


@pytest.mark.parametrize(
    ("people", "samples", "k", "message"),
    [
        ([], [1], 1, "no participants"),
        (["a", "a"], [1], 1, "listed twice"),
        (["a"], [], 1, "no instances"),
        (["a", "b"], [1, 1], 1, "listed twice"),
        (["a", "b"], [1, 2], 3, "between 1 and the number of participants"),
        (["a", "b"], [1, 2], 0, "between 1"),
    ],
)
def test_impossible_plans_say_why(people, samples, k, message):
    with pytest.raises(PlanError, match=message):
        make_plan(people, samples, k, seed=0)


def _store_plan(db, orders):
    chosen = sorted({i for o in orders.values() for i in o})
    return add_plan(
        db,
        dataset="tmbench",
        dataset_name="tmbench",
        instances=[{"index": i, "instance": _spec(i)} for i in chosen],
        per_instance=1,
        seed=0,
        orders=orders,
    )


def _spec(i: int) -> dict:
    from tmtui.human.opening import instance_json

    return instance_json(TMBENCH[i])


def test_a_participant_works_through_their_assignment_across_sessions(tmp_path):
    db = db_at(tmp_path)
    plan_id = _store_plan(db, {"P01": [6, 16, 3], "P02": [0]})
    got = assignment(db, "P01")
    assert got is not None and got.plan_id == plan_id
    assert [it["index"] for it in got.items] == [6, 16, 3]
    clock = FakeClock()
    s = session(db, clock)  # no dataset, no samples: the plan says
    assert s.view().instance.index == 6 and s.settings.samples == (6, 16, 3)
    with pytest.raises(SessionError, match="assigned instances by plan"):
        session(db_at(tmp_path), clock, "P02", samples="1")
    for k in range(1, 5):
        type_queue(s, clock, truth(s)[k])
    s.halt()  # instance 6 done
    type_queue(s, clock, truth(s)[1])
    s.close()
    # a new session (the old one given up) holds only what is left, in the plan's order
    t = session(db_at(tmp_path), clock, new_session=True)
    assert t.settings.samples == (16, 3) and t.view().instance.index == 16
    with pytest.raises(SessionError, match="--shuffle-seed"):
        session(db_at(tmp_path), clock, "P02", shuffle_seed=3)
    with pytest.raises(SessionError, match="not of tmbench-greek"):
        session(db_at(tmp_path), clock, "P02", dataset="tmbench-greek")
    for _ in range(2):
        states = truth(t)
        for k in range(1, min(len(states), 31)):
            type_queue(t, clock, states[k])
        if t.attempt is not None and not t.attempt.ended:
            t.halt()
    t.close()
    with pytest.raises(NothingToDo, match="every instance of their assignment"):
        session(db_at(tmp_path), clock)
