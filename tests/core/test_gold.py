"""Gold traces: every format, read back by tmtui's own parser and scorer, is right at every
step; the tail format states the true fetch; length bins and exclusion."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tmtui.core.compat import CLASS
from tmtui.core.datasets import ALPHABETS, GenerationSpec, generate, generate_preset
from tmtui.core.gold import FORMATS, Exclusion, GoldFilter, gold_answer, gold_steps
from tmtui.core.parse import parse_strict
from tmtui.core.parsed import ParserMode
from tmtui.core.prompts import TEMPLATES, answer_format, parse_prompt, render
from tmtui.core.score import score_sample

DS = generate_preset("tmbench")


@st.composite
def generated(draw):
    """A dataset drawn like the official generator, with other parameters."""
    alphabet = draw(st.sampled_from([*ALPHABETS.values(), ("a", "b"), tuple("xyzw0")]))
    lo = draw(st.integers(0, 3))
    spec = GenerationSpec(
        n=draw(st.integers(1, 4)),
        seed=draw(st.integers(0, 1 << 20)),
        m=draw(st.integers(1, 3)),
        alphabet=alphabet,
        rule_len=(lo, lo + draw(st.integers(0, 3))),
        init_len=(3, 3 + draw(st.integers(0, 6))),
        max_states=draw(st.integers(1, 80)),
    )
    return generate(spec, name="gen")


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(generated(), st.sampled_from(FORMATS))
def test_every_gold_trace_scores_100_percent(ds, fmt):
    for inst in ds:
        text = gold_answer(inst.run, fmt)
        sc = score_sample(inst, text)
        assert sc.passed, (fmt, sc.diagnosis and sc.diagnosis.message)
        assert sc.verdicts == "c" * len(inst.run)
        assert sc.diagnosis is None
        assert sc.extra_steps == 0
        # the official regex reads the tmbench and tail formats too, in its own alphabet
        if fmt != "indexed" and set(inst.alphabet) <= set(CLASS):
            assert score_sample(inst, text, mode=ParserMode.TMBENCH).passed


def test_gold_scores_100_percent_on_the_official_sets():
    for preset in ("tmbench", "tmbench-greek", "tmbench-number", "tmbench-special"):
        for inst in generate_preset(preset):
            for fmt in FORMATS:
                assert score_sample(inst, gold_answer(inst.run, fmt)).passed


def test_tmbench_gold_is_the_official_example_format():
    # the official prompt's worked example, answered by the gold writer, is the example
    prompt = render(DS[0])
    example = prompt.split("Simulation steps:\n", 1)[1].split("\n\n---", 1)[0]
    from tmtui.core.tagsystem import TagSystem

    run = TagSystem(2, {"A": "CAC", "B": "A", "C": "B"}, ("A", "B", "C")).run("BCA", 31)
    assert gold_answer(run, "tmbench") == example


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(generated())
def test_tail_states_the_true_fetch_rule_deletion_append_and_length(ds):
    for inst in ds:
        run = inst.run
        parsed = parse_strict(gold_answer(run, "tail"), inst.alphabet)
        for k in range(1, len(run)):
            ps = parsed.steps[k]
            assert ps.fetch == (run.read_cell(k), run.read_from_step(k))
            assert ps.head_claim == run.head_read(k)
            assert ps.remove_claim == run.deleted(k)
            assert ps.append_claim == run.production(k)
            assert ps.length_claim == run.length(k)
        assert parsed.steps[0].length_claim == len(inst.init)


def test_tail_step_lines_are_in_a_fixed_order():
    text = gold_answer(DS[0].run, "tail")
    block = text.split("### step 3:\n", 1)[1].split("\n\n", 1)[0]
    labels = [line.strip().split(":", 1)[0] for line in block.splitlines()]
    assert labels == ["- Read", "- Rule", "- Delete", "- Append", "- Length", "- Queue State"]


def test_the_halt_mark_only_where_the_machine_halts():
    halting = next(i for i in DS if i.run.halted)
    running = next(i for i in DS if not i.run.halted)
    for fmt in FORMATS:
        assert gold_answer(halting.run, fmt).endswith("<halt>")
        assert "<halt>" not in gold_answer(running.run, fmt)
        assert gold_answer(halting.run, fmt).count("<halt>") == 1


def test_indexed_queues_carry_tape_positions():
    run = DS[0].run
    steps = list(gold_steps(run, "indexed"))
    text = gold_answer(run, "indexed")
    q = run.state(2)
    at = 2 * run.m
    assert "[" + " ".join(f"{at + i}:{c}" for i, c in enumerate(q)) + "]" in text
    assert steps[2].at == at
    assert "queue written with positions (indexed)" in parse_strict(text).deviations


def test_templates_ask_for_their_format_and_read_back():
    for fmt in FORMATS:
        assert fmt in TEMPLATES
        text = render(DS[5], fmt)
        assert answer_format(text) == fmt
        back = parse_prompt(text)
        assert back is not None and back.id == DS[5].id and back.max_step == 30
    assert "## Answer format (tail):" in render(DS[5], "tail")
    assert "- Read: B from position 0 (written by step 0)" in render(DS[5], "tail")


def test_length_bins():
    f = GoldFilter(min_steps=10, max_steps=20, max_queue=30)
    assert f.admits(10, 30) and f.admits(20, 0)
    assert not f.admits(9, 5) and not f.admits(21, 5) and not f.admits(15, 31)
    assert GoldFilter(min_steps=5, max_steps=4).check() == "--min-steps 5 is above --max-steps 4"
    assert GoldFilter(min_queue=-1).check() == "--min-queue must be >= 0"
    assert GoldFilter().check() is None


def test_exclusion_by_id_and_by_rules_and_initial_queue():
    ex = Exclusion()
    inst = DS[3]
    ex.add(inst.id, inst.init, inst.rules)
    assert ex.drops(inst.id, "AB", {"A": "B"})  # the id alone
    assert ex.drops("another-id", inst.init, dict(reversed(list(inst.rules.items()))))
    assert not ex.drops("another-id", inst.init + "A", inst.rules)
    assert (ex.dropped_by_id, ex.dropped_by_problem, ex.dropped) == (1, 1, 2)
