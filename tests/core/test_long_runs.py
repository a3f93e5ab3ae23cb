"""Long runs (issue 9): generated, checked, written and scored from the tape, never from a
list of every state; where a limit remains it is said in one line, before the work."""

from __future__ import annotations

import json
import random
import tracemalloc
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tmtui.core.datasets import (
    Dataset,
    DatasetError,
    GenerationSpec,
    Instance,
    generate,
    generate_preset,
)
from tmtui.core.limits import MAX_RUN_STATES, MAX_TAPE, MAX_TRUTH, bounds
from tmtui.core.parsed import ParserMode
from tmtui.core.score import score_sample
from tmtui.core.tagsystem import TagSystem, TraceTooLarge
from tmtui.io.official import dump_official, iter_official

# m = 2 and productions of 3: the queue grows one symbol a step, forever
GROWING = TagSystem(2, {"A": "BCA", "B": "CAB", "C": "ABC"})
# m = 2 and productions of 2: the queue keeps its length, forever
LEVEL = TagSystem(2, {"A": "BC", "B": "CA", "C": "AB"})


def _reference_json(ds: Dataset) -> bytes:
    """What the official generator writes: json.dump of every state, indent 1."""
    return json.dumps(ds.to_official(), indent=1).encode("ascii")


# -- the engine --------------------------------------------------------------------------


def test_a_symbol_budget_stops_a_growing_run_early():
    with pytest.raises(TraceTooLarge) as exc:
        GROWING.run("ABC", 10**7, max_symbols=1_000_000)
    err = exc.value
    # stopped within one stretch of 1,024 states of the limit, not at the cap of 10 million
    assert err.symbols > 1_000_000 and err.states < 3_000
    assert "already hold" in str(err) and "1,000,000" in str(err)


def test_a_symbol_budget_changes_nothing_within_it():
    for system, init in ((GROWING, "ABC"), (LEVEL, "ABCA")):
        for cap in (1, 2, 1023, 1024, 1025, 5000):
            plain = system.run(init, cap)
            bounded = system.run(init, cap, max_symbols=plain.total_length())
            assert bounded.tape == plain.tape and list(bounded._ends) == list(plain._ends)
            assert bounded.halt_reason == plain.halt_reason
            if plain.total_length() > 0:
                with pytest.raises(TraceTooLarge):
                    system.run(init, cap, max_symbols=plain.total_length() - 1)


def test_halting_inside_a_stretch_is_found():
    # B has no production: the run halts at the first B it reads
    s = TagSystem(1, {"A": "A"}, alphabet=("A", "B"))
    run = s.run("A" * 1500 + "B", 10**6, max_symbols=10**12)
    assert len(run) == 1501 and run.halted and run.head(-1) == "B"
    plain = s.run("A" * 1500 + "B", 10**6)
    assert run.tape == plain.tape and run.halt_reason == plain.halt_reason


@settings(max_examples=300, deadline=None)
@given(
    st.integers(1, 3),
    st.dictionaries(st.sampled_from("ABC"), st.text("ABC", max_size=4), min_size=1),
    st.text("ABC", min_size=0, max_size=6),
    st.integers(1, 40),
)
def test_tape_reads_equal_the_states(m, rules, init, cap):
    run = TagSystem(m, rules, alphabet=("A", "B", "C")).run(init, cap)
    states = run.states()
    assert run.matches(states)
    assert run.repeats() == any(a == b for a, b in pairwise(states))
    assert run.total_length() == sum(map(len, states))
    if states:
        assert not run.matches(states[:-1])
        assert not run.matches([*states[:-1], states[-1] + "A"])


def test_a_repeat_far_into_a_long_queue_is_found():
    # a queue of 5,000 A's and m = 1, A -> A: every state equals the one before
    run = TagSystem(1, {"A": "A"}).run("A" * 5000, 3)
    assert run.repeats()
    # period 2 (ABAB...) with m = 1 is not a repeat; with m = 2 it is
    assert not TagSystem(1, {"A": "A", "B": "B"}).run("AB" * 2000, 3).repeats()
    assert TagSystem(2, {"A": "AB", "B": "BA"}).run("AB" * 2000, 3).repeats()


# -- bounds from the parameters ------------------------------------------------------------


def test_bounds_are_upper_bounds():
    rng = random.Random(5)
    for _ in range(300):
        m = rng.randint(1, 3)
        rules = {s: "".join(rng.choices("ABC", k=rng.randint(0, 5))) for s in "ABC"}
        init = "".join(rng.choices("ABC", k=rng.randint(0, 8)))
        cap = rng.randint(1, 60)
        run = TagSystem(m, rules).run(init, cap)
        b = bounds(m, len(init), max(map(len, rules.values())), cap)
        assert len(run.tape) <= b.tape and run.total_length() <= b.truth
    # beyond the run limit, the bounds stop one state past it
    assert bounds(2, 9, 5, 10**7).states == MAX_RUN_STATES + 1


# -- generation ----------------------------------------------------------------------------


def test_generating_a_million_steps_is_refused_in_one_line():
    """The issue's `generate --n 1 --max-steps 1000000` grew to 17.6 GB (the CLI test
    measures the process's peak memory)."""
    with pytest.raises(DatasetError) as exc:
        generate(GenerationSpec(n=1, max_states=1_000_001))
    msg = str(exc.value)
    assert "\n" not in msg and "official format" in msg and f"{MAX_TRUTH:,}" in msg
    assert "1,000,001 states" in msg


def test_generation_refuses_up_front_what_it_could_never_write_or_simulate():
    # every production longer than m: every trace grows past the limit, whatever is drawn
    with pytest.raises(DatasetError, match="every trace would hold at least"):
        generate(GenerationSpec(n=1, rule_len=(3, 5), max_states=20_000))
    # ... but not when an initial queue may be shorter than m (such a trace halts at once)
    GenerationSpec(n=1, rule_len=(3, 5), init_len=(1, 9), max_states=20_000).check()
    with pytest.raises(DatasetError, match="at most 1,000,000 steps"):
        generate(GenerationSpec(n=1, max_states=MAX_RUN_STATES + 1))
    with pytest.raises(DatasetError, match="tape"):
        generate(GenerationSpec(n=1, rule_len=(1, 100), max_states=MAX_TAPE // 50))


def test_long_runs_are_generated_and_written_as_the_official_generator_does():
    spec = GenerationSpec(n=3, seed=4, alphabet=("A", "B", "C"), rule_len=(1, 3), max_states=2001)
    ds = generate(spec)
    assert all(len(i.run) >= 1 for i in ds.samples)
    assert b"".join(iter_official(ds)) == _reference_json(ds) == dump_official(ds)


def test_the_streamed_file_is_the_reference_for_every_shape():
    pre = generate_preset("tmbench-greek")  # non-ASCII symbols, escaped
    cases = [
        Dataset(samples=[]),
        Dataset(samples=pre.samples[:3], symbol_set=pre.symbol_set, name="g"),
        Dataset(samples=[Instance(id="x", init="", rules={}, alphabet=())], symbol_set=("A",)),
        Dataset(
            samples=[Instance(id='q"\\', init="A\u2028B", rules={"A": "", "B": "\u00e9"})],
            symbol_set=("A", "B"),
        ),
    ]
    for ds in cases:
        assert b"".join(iter_official(ds)) == _reference_json(ds)


def test_writing_a_long_trace_keeps_one_state_at_a_time():
    inst = Instance(id="long", init="ABC", rules=GROWING.productions, alphabet=("A", "B", "C"))
    inst = inst.replace(max_states=6000)  # 18 M symbols in all its states
    ds = Dataset(samples=[inst], symbol_set=("A", "B", "C"))
    inst.run  # noqa: B018 - simulated before measuring
    tracemalloc.start()
    try:
        size = 0
        for piece in iter_official(ds):
            size += len(piece)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert size > inst.run.total_length()
    assert peak < 8 * 2**20  # a few pieces of a MB, not 18 M symbols


# -- scoring -------------------------------------------------------------------------------


def test_scoring_reads_the_truth_from_the_tape():
    inst = Instance(id="lvl", init="ABCA", rules=LEVEL.productions, alphabet=("A", "B", "C"))
    inst = inst.replace(max_states=200_001)
    answer = "".join(f"step {i}: [{' '.join(inst.run.state(i))}]\n" for i in range(3))
    sc = score_sample(inst, answer, mode=ParserMode.STRICT)
    assert sc.n_truth == 200_001
    assert sc.verdicts == "ccc" + "m" * 199_998
    assert sc.first_divergence == 3 and sc.diagnosis is not None
