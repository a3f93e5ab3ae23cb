"""The engine against a naive list-of-states simulation, and its tape invariants."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tmtui.core.tagsystem import HaltReason, StepResult, TagSystem, TagSystemError

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# single code points: ASCII letters and digits, punctuation, Greek, CJK, and anything else
# hypothesis picks (surrogates excluded: they are not characters a file can hold)
POOL = "ABCDEabcde12345@#$%&*.,:;[]()'\"αβγδεΑΒΓΔΕσς中文步骤🙂\u0301"
symbol = st.one_of(
    st.sampled_from(POOL),
    st.characters(exclude_categories=("Cs",)),
)


@st.composite
def systems(draw):
    """(m, productions, alphabet, init, cap): random m-tag systems, some symbols haltless."""
    m = draw(st.integers(1, 4))
    alphabet = draw(st.lists(symbol, min_size=1, max_size=6, unique=True))
    word = st.lists(st.sampled_from(alphabet), max_size=7).map("".join)
    prods = {}
    for sym in alphabet:
        if draw(st.integers(0, 5)) == 0:
            continue  # no production: reading it halts
        prods[sym] = draw(word)  # may be empty
    init = draw(st.lists(st.sampled_from(alphabet), max_size=12).map("".join))
    cap = draw(st.integers(1, 60))
    return m, prods, tuple(alphabet), init, cap


def naive(m: int, prods: dict[str, str], init: str, cap: int):
    """Every state as its own string, exactly as the TMBench reference generator does."""
    states = [init]
    q = init
    while len(states) < cap:
        if len(q) < m:
            return states, HaltReason.SHORT
        if q[0] not in prods:
            return states, HaltReason.NO_PRODUCTION
        q = q[m:] + prods[q[0]]
        states.append(q)
    if len(q) < m:
        return states, HaltReason.SHORT
    if q[0] not in prods:
        return states, HaltReason.NO_PRODUCTION
    return states, None


@SETTINGS
@given(systems())
def test_run_equals_naive_simulation(spec):
    m, prods, alphabet, init, cap = spec
    run = TagSystem(m, prods, alphabet).run(init, cap)
    states, reason = naive(m, prods, init, cap)
    assert run.states() == states
    assert [run.state(i) for i in range(len(run))] == states
    assert list(run) == states
    assert len(run) == run.n_states == len(states)
    assert run.last_step == len(states) - 1
    assert run.halt_reason == reason
    assert run.halted == (reason is not None)
    assert run.state(-1) == states[-1]
    if reason is None:
        assert len(run) == cap  # only the cap stops a non-halting run


@SETTINGS
@given(systems())
def test_tape_invariants(spec):
    m, prods, alphabet, init, cap = spec
    system = TagSystem(m, prods, alphabet)
    run = system.run(init, cap)
    tape = run.tape
    # one append-only tape: the initial queue, then every production in step order
    assert tape == init + "".join(run.production(k) for k in range(1, len(run)))
    assert len(tape) == run.end(len(run) - 1)
    assert run.total_length() == sum(len(s) for s in run)
    for i in range(len(run)):
        s = run.state(i)
        assert s == tape[m * i : run.end(i)]
        assert run.length(i) == len(s)
        assert run.head(i) == (s[0] if s else None)
    for k in range(1, len(run)):
        prev, cur = run.state(k - 1), run.state(k)
        assert run.read_cell(k) == m * (k - 1)
        assert run.head_read(k) == prev[0] == tape[run.read_cell(k)]
        assert run.deleted(k) == prev[:m]
        assert len(run.deleted(k)) == m
        assert run.production(k) == prods[prev[0]]
        assert cur == prev[m:] + run.production(k)
        # the cell a step reads was written by an earlier step (or is the initial queue)
        writer = run.read_from_step(k)
        assert writer == run.writer(run.read_cell(k))
        assert 0 <= writer < k
        # the writer's production (or the initial queue) really covers that cell
        cell = run.read_cell(k)
        lo = 0 if writer == 0 else run.end(writer - 1)
        assert lo <= cell < run.end(writer)
        # the same step applied to the queue alone agrees
        res = system.step(prev)
        assert res == StepResult(cur, prev[0], prev[:m], prods[prev[0]])
    for cell in range(len(tape)):
        w = run.writer(cell)
        if cell < len(init):
            assert w == 0
        else:
            assert run.end(w - 1) <= cell < run.end(w)
    # the halting state really halts (and says why); a running one does not
    assert system.halts_on(run.state(-1)) == run.halt_reason
    if run.halted:
        assert system.step(run.state(-1)) is None


@SETTINGS
@given(
    st.integers(1, 4),
    st.dictionaries(symbol, st.text(max_size=6), max_size=5),
    st.text(max_size=15),
)
def test_step_on_arbitrary_queues(m, prods, queue):
    """``step`` applies one rule step to any queue, even one with symbols it has no rule for."""
    system = TagSystem(m, prods)
    res = system.step(queue)
    if len(queue) < m:
        assert res is None
        assert system.halts_on(queue) is HaltReason.SHORT
    elif queue[0] not in prods:
        assert res is None
        assert system.halts_on(queue) is HaltReason.NO_PRODUCTION
    else:
        assert system.halts_on(queue) is None
        assert res is not None
        assert res.head == queue[0]
        assert res.deleted == queue[:m]
        assert res.production == prods[queue[0]]
        assert res.queue == queue[m:] + prods[queue[0]]


def test_tmbench_prompt_example():
    """The worked example of the official prompt: halts at step 4 with [B] (shorter than m)."""
    system = TagSystem(2, {"A": "CAC", "B": "A", "C": "B"})
    run = system.run("BCA", 31)
    assert run.states() == ["BCA", "AA", "CAC", "CB", "B"]
    assert run.halt_reason is HaltReason.SHORT
    assert run.halt_description() == "queue shorter than m=2"
    assert run.read_cell(3) == 4  # step 3 reads the head of [C A C]: cell 4 of the tape
    assert run.tape == "BCAACACBB"
    assert run.writer(4) == 2  # ... which step 2 wrote
    assert run.read_from_step(3) == 2


def test_halts_on_a_symbol_without_production():
    run = TagSystem(1, {"A": "B"}, ("A", "B")).run("AA", 10)
    assert run.states() == ["AA", "AB", "BB"]
    assert run.halt_reason is HaltReason.NO_PRODUCTION
    assert run.halt_description() == "head symbol has no production"


def test_cap_reached_on_a_halting_state_is_still_halting():
    system = TagSystem(2, {"A": "A"})
    run = system.run("AAA", 2)  # AAA -> AA ; AA is not halting
    assert run.states() == ["AAA", "AA"] and run.halt_reason is None
    run = system.run("AA", 2)  # AA -> A ; A is shorter than m
    assert run.states() == ["AA", "A"] and run.halt_reason is HaltReason.SHORT
    assert run.halt_description() == "queue shorter than m=2"


def test_non_halting_run_describes_the_cap():
    run = TagSystem(1, {"A": "A"}).run("A", 5)
    assert run.states() == ["A"] * 5
    assert run.halt_reason is None and not run.halted
    assert run.halt_description() == "step cap reached (5 states)"


def test_empty_initial_queue():
    run = TagSystem(1, {"A": "A"}).run("", 31)
    assert run.states() == [""]
    assert run.head(0) is None
    assert run.halt_reason is HaltReason.SHORT


def test_index_errors():
    run = TagSystem(2, {"A": "CAC", "B": "A", "C": "B"}).run("BCA", 31)
    with pytest.raises(IndexError):
        run.state(5)
    with pytest.raises(IndexError):
        run.state(-6)
    with pytest.raises(IndexError):
        run.production(0)  # step 0 is the initial queue
    with pytest.raises(IndexError):
        run.read_cell(0)
    with pytest.raises(IndexError):
        run.writer(len(run.tape))
    with pytest.raises(IndexError):
        run.writer(-1)


@pytest.mark.parametrize(
    ("m", "prods", "alphabet"),
    [
        (0, {"A": "A"}, None),
        (-1, {"A": "A"}, None),
        (True, {"A": "A"}, None),
        (1.5, {"A": "A"}, None),
        ("2", {"A": "A"}, None),
        (2, {"AB": "A"}, None),
        (2, {"": "A"}, None),
        (2, {"A": 3}, None),
        (2, {"A": ["A"]}, None),
        (2, {"A": "A"}, ("A", "A")),
        (2, {"A": "A"}, ("A", "BC")),
        (2, {"A": "A", "B": "A"}, ("A",)),  # a production outside the alphabet
    ],
)
def test_bad_definitions_raise(m, prods, alphabet):
    with pytest.raises(TagSystemError):
        TagSystem(m, prods, alphabet)


def test_bad_cap_raises():
    with pytest.raises(TagSystemError):
        TagSystem(2, {"A": "A"}).run("AA", 0)


def test_error_is_a_value_error():
    assert issubclass(TagSystemError, ValueError)


def test_equality_and_hash():
    a = TagSystem(2, {"A": "B", "B": ""}, ("A", "B"))
    b = TagSystem(2, {"A": "B", "B": ""}, ("A", "B"))
    c = TagSystem(3, {"A": "B", "B": ""}, ("A", "B"))
    assert a == b and hash(a) == hash(b)
    assert a != c


def test_long_run_is_linear_in_the_tape():
    """A growing system: 20,000 steps store one tape, not 20,000 states."""
    system = TagSystem(2, {"A": "AAB", "B": "A"})
    run = system.run("AB", 20_001)
    assert len(run) == 20_001
    total_states = sum(run.length(i) for i in range(0, len(run), 1))
    assert len(run.tape) < 3 * 20_001 + 2  # at most 3 cells appended per step
    assert total_states > 10 * len(run.tape)  # storing every state would cost far more
    # spot-check against the naive simulation at the end
    states, _ = naive(2, {"A": "AAB", "B": "A"}, "AB", 2001)
    assert run.state(2000) == states[2000]
