"""Alignment and diagnosis: injected mistakes are diagnosed as what they are."""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tmtui.core.align import Verdict, align, first_difference, local_validity
from tmtui.core.answer import STYLES, ModelStep, format_answer
from tmtui.core.datasets import Instance, generate_preset
from tmtui.core.diagnose import FINDINGS, Kind, explain_transition
from tmtui.core.mutate import TRANSITION_KINDS, flawed_steps, kinds_for
from tmtui.core.parse import parse_strict
from tmtui.core.score import score_sample
from tmtui.core.tagsystem import TagSystem

DS = generate_preset("tmbench")
AFTER_HALT = (Kind.FAILURE_TO_HALT, Kind.STEPS_AFTER_HALT)


def right_answer(inst, style="official", **kw) -> str:
    return format_answer(flawed_steps(inst), style=style, **kw)


@st.composite
def injections(draw):
    """(instance, kind, errors, style, seed) for one mistake of one kind at one step."""
    inst = DS[draw(st.integers(0, len(DS) - 1))]
    kind = draw(st.sampled_from(list(kinds_for(inst))))
    n = len(inst.run)
    if kind in AFTER_HALT:
        errors = {-1: kind}
    else:
        hi = n - 2 if kind is Kind.STEP_MISSING else n - 1  # a missing last step is a halt
        assume(hi >= 1)
        errors = {draw(st.integers(1, hi)): kind}
    return inst, kind, errors, draw(st.sampled_from(STYLES)), draw(st.integers(0, 1 << 16))


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(injections())
def test_one_injected_mistake_is_diagnosed_as_its_kind(case):
    inst, kind, errors, style, seed = case
    steps = flawed_steps(inst, errors, rng=random.Random(seed))
    assume(steps is not None)  # that mistake cannot be made unambiguously there
    text = format_answer(steps, style=style)
    sc = score_sample(inst, text)
    assert sc.diagnosis is not None
    assert sc.diagnosis.kind is kind, (sc.diagnosis.message, style, errors)
    if kind in FINDINGS:
        assert sc.passed and not sc.diagnosis.fatal
    else:
        assert not sc.passed and sc.diagnosis.fatal
        (k,) = errors
        expected_step = k - 1 if kind is Kind.PREMATURE_HALT else k
        if kind is Kind.PREMATURE_HALT:
            assert sc.first_divergence == k  # the first step not written
        else:
            assert sc.first_divergence == sc.diagnosis.step == expected_step
    if kind in TRANSITION_KINDS:
        # the mistake is new; everything after it follows the rules from the wrong queue
        assert sc.diagnosis.new_errors[:1] == [k]
        assert set(sc.diagnosis.new_errors) | set(sc.diagnosis.inherited) == {
            i for i, v in enumerate(sc.verdicts) if v == "w"
        }


@pytest.mark.parametrize("style", STYLES)
def test_every_kind_in_every_style(style):
    """Deterministic sweep: every kind, in this style, at a middle step of 20 instances."""
    rng = random.Random(11)
    tried: dict[Kind, int] = {}
    for inst in DS.samples[:20]:
        n = len(inst.run)
        for kind in kinds_for(inst):
            if kind in AFTER_HALT:
                errors = {-1: kind}
            elif n >= 4:
                errors = {n // 2: kind}
            else:
                continue
            steps = flawed_steps(inst, errors, rng=rng)
            if steps is None:
                continue
            sc = score_sample(inst, format_answer(steps, style=style))
            assert sc.diagnosis is not None and sc.diagnosis.kind is kind, (
                inst.index,
                errors,
                sc.diagnosis and sc.diagnosis.message,
            )
            tried[kind] = tried.get(kind, 0) + 1
    assert len(tried) == 10  # five transition kinds, halt, missing, unparsable, two findings


def test_every_kind_is_covered_by_some_instance():
    """The property test above is not vacuous: each kind can be injected somewhere."""
    made = set()
    rng = random.Random(0)
    for inst in DS.samples[:40]:
        for kind in kinds_for(inst):
            errors = {-1: kind} if kind in AFTER_HALT else {1: kind}
            if flawed_steps(inst, errors, rng=rng) is not None:
                made.add(kind)
    assert made == set(TRANSITION_KINDS) | {
        Kind.PREMATURE_HALT,
        Kind.STEP_MISSING,
        Kind.UNPARSABLE,
        Kind.FAILURE_TO_HALT,
        Kind.STEPS_AFTER_HALT,
    }


# -- truncated, nothing parsable ---------------------------------------------------------


@pytest.mark.parametrize("style", STYLES)
def test_text_cut_inside_a_step_is_truncated(style):
    inst = next(i for i in DS.samples if len(i.run) == 31)
    text = right_answer(inst, style)
    header = {"chinese": "### 步骤 7：", "compact": "Step 7:"}.get(style, "### step 7:")
    cut = text.index(header) + len(header) + 3
    sc = score_sample(inst, text[:cut])
    assert sc.diagnosis.kind is Kind.TRUNCATED
    assert sc.first_divergence == 7
    assert sc.verdicts[:7] == "c" * 7


def test_a_stream_cut_between_steps_is_truncated_not_a_halt():
    inst = next(i for i in DS.samples if len(i.run) == 31)
    text = right_answer(inst)
    cut = text.index("### step 12:")
    sc = score_sample(inst, text[:cut], status="cut")
    assert sc.diagnosis.kind is Kind.TRUNCATED
    assert "ends after step 11" in sc.diagnosis.message
    sc = score_sample(inst, text[:cut], finish_reason="length")
    assert sc.diagnosis.kind is Kind.TRUNCATED
    # the same text from a complete answer is a premature stop
    sc = score_sample(inst, text[:cut])
    assert sc.diagnosis.kind is Kind.PREMATURE_HALT
    assert "stopped after step 11" in sc.diagnosis.message


def test_empty_or_cut_before_any_step():
    inst = DS[0]
    assert score_sample(inst, "").diagnosis.kind is Kind.TRUNCATED
    sc = score_sample(inst, "Let me think about", status="cut")
    assert sc.diagnosis.kind is Kind.TRUNCATED
    assert "stops before any step" in sc.diagnosis.message


def test_prose_is_nothing_parsable():
    sc = score_sample(DS[0], "I am sorry, but I cannot simulate this tag system for you.")
    assert sc.diagnosis.kind is Kind.NOTHING_PARSABLE
    assert sc.verdicts == "m" * len(DS[0].run)
    assert not sc.passed


# -- the periodic copy error ---------------------------------------------------------------

PERIODIC = Instance(
    id="periodic",
    init="BX" + "AEEE" * 9,
    rules={"A": "E", "B": "AEEE", "E": "A", "X": "B"},
    m=2,
    alphabet=("A", "B", "E", "X"),
    max_states=3,
)


def _periodic_answer(append_words: str) -> str:
    run = PERIODIC.run
    assert run.state(1) == "AEEE" * 10  # retains AEEE x 9, appends AEEE
    return (
        f"### step 0:\n   - Action: Init\n   - Queue State: [{' '.join(run.state(0))}]\n\n"
        "### step 1:\n   - Head Symbol: B\n"
        f"   - Action: Append {append_words} to the end of the queue. Remove B X from the head.\n"
        f"   - Queue State: [{' '.join('AEEE' * 9)}]\n\n"
        f"### step 2:\n   - Queue State: [{' '.join(run.state(2))}]\n"
    )


def test_copy_error_in_a_periodic_queue_names_the_position():
    """The model claims the right action but writes AEEE x 9: one period of the middle lost."""
    sc = score_sample(PERIODIC, _periodic_answer("A E E E"))
    d = sc.diagnosis
    assert d.kind is Kind.COPY_ERROR
    assert d.message == "copy error: dropped 4 symbols at position 33"
    assert d.detail["index"] == 32 and d.detail["op"] == "dropped" and d.detail["count"] == 4
    assert sc.first_divergence == 1
    assert sc.divergence_position == 36  # expected AEEE x 10, got AEEE x 9: differs at the end


def test_the_same_queue_with_a_wrong_claim_is_a_wrong_production():
    """Same string, but the model says it appended nothing: its own words decide."""
    d = score_sample(PERIODIC, _periodic_answer("nothing")).diagnosis
    assert d.kind is Kind.WRONG_PRODUCTION
    assert "appended nothing instead of AEEE" in d.message


# -- explain_transition directly --------------------------------------------------------

SYS = TagSystem(2, {"A": "CC", "B": "D", "C": "AB", "D": "A"}, ("A", "B", "C", "D"))


@pytest.mark.parametrize(
    ("got", "kind", "message"),
    [
        ("CDBBDAB", Kind.WRONG_HEAD, "read head C instead of A"),
        ("CDBBDEE", Kind.WRONG_PRODUCTION, "appended EE instead of CC"),
        ("CDBBD", Kind.WRONG_PRODUCTION, "appended nothing instead of CC"),
        ("BCDBBDCC", Kind.WRONG_DELETION, "deleted 1 symbols instead of 2"),
        ("DBBDCC", Kind.WRONG_DELETION, "deleted 3 symbols instead of 2"),
        ("CDBDCC", Kind.COPY_ERROR, "dropped 1 symbol at position 4"),
        ("CDBBBDCC", Kind.COPY_ERROR, "duplicated 1 symbol at position 5"),
        ("CDABDCC", Kind.COPY_ERROR, "substituted 1 symbol at position 3"),
        ("ABCDBBD", Kind.STALE_STATE, "wrote the previous queue again unchanged"),
        ("DDDD", Kind.OTHER, "queue differs"),
    ],
)
def test_explain_transition(got, kind, message):
    prev = "ABCDBBD"  # head A, production CC; right next queue CDBBDCC
    assert SYS.step(prev).queue == "CDBBDCC"
    k, msg, _detail = explain_transition(SYS, prev, got)
    assert k is kind
    assert message in msg


def test_explain_transition_trusts_the_claims():
    from tmtui.core.parsed import StepOccurrence

    prev = "ABCDBBD"
    claims = StepOccurrence(step=1, queue=None, span=None, header_span=(0, 0), head_claim="D")
    claims.append_claim = "A"
    k, msg, _ = explain_transition(SYS, prev, "CDBBDA", claims)
    assert k is Kind.WRONG_HEAD and "read head D instead of A" in msg
    claims = StepOccurrence(step=1, queue=None, span=None, header_span=(0, 0), remove_claim="ABC")
    k, msg, _ = explain_transition(SYS, prev, "DBBDCC", claims)
    assert k is Kind.WRONG_DELETION and "deleted 3 symbols instead of 2" in msg


# -- local validity: new and inherited errors ---------------------------------------------


def test_new_and_inherited_errors():
    inst = next(i for i in DS.samples if len(i.run) == 31)
    rng = random.Random(3)
    steps = None
    while steps is None:
        steps = flawed_steps(inst, {5: Kind.COPY_ERROR, 12: Kind.WRONG_PRODUCTION}, rng=rng)
    text = format_answer(steps)
    sc = score_sample(inst, text, keep=True)
    d = sc.diagnosis
    assert d.kind is Kind.COPY_ERROR and d.step == 5
    assert d.new_errors == [5, 12]
    wrong = [i for i, v in enumerate(sc.verdicts) if v == "w"]
    assert d.inherited == [i for i in wrong if i not in (5, 12)]
    assert wrong[0] == 5
    valid = local_validity(inst.system, inst.init, sc.parse.steps, 30)
    assert valid[0] and valid[4] and not valid[5] and valid[6] and not valid[12]


def test_local_validity_skips_steps_without_a_previous_queue():
    inst = DS[0]
    run = inst.run
    text = f"Step 0: [{run.state(0)}]\nStep 2: [{run.state(2)}]\nStep 3: [{run.state(3)}]\n"
    r = parse_strict(text, inst.alphabet)
    assert local_validity(inst.system, inst.init, r.steps, 30) == {0: True, 3: True}


# -- alignment ---------------------------------------------------------------------------


def test_verdicts_of_every_kind():
    truth = ["AB", "BC", "CD", "DE"]
    text = "Step 0: [A B]\nStep 1: [B D]\nStep 3:\nQueue State: [D ... E]\nStep 5: [E]\n"
    al = align(truth, parse_strict(text))
    assert al.verdicts() == "cwmu"
    assert [s.verdict for s in al.steps] == [
        Verdict.CORRECT,
        Verdict.WRONG,
        Verdict.MISSING,
        Verdict.UNPARSABLE,
        Verdict.EXTRA,
    ]
    assert al.extra_steps == [5]
    assert not al.passed
    div = al.first_divergence
    assert (div.step, div.verdict, div.expected, div.got, div.position) == (
        1,
        Verdict.WRONG,
        "BC",
        "BD",
        1,
    )
    assert al.steps[1].first_diff == 1
    assert al.count(Verdict.WRONG) == 1 and al.correct_prefix() == 1
    assert al.next_wrong(1) == 2 and al.prev_wrong(3) == 2


def test_extra_steps_do_not_fail_a_sample():
    al = align(["AB", "B"], parse_strict("Step 0: [A B]\nStep 1: [B]\nStep 2: [B]\n"))
    assert al.passed and al.verdicts() == "cc" and al.extra_steps == [2]


def test_pending_steps_while_streaming():
    al = align(["AB", "BC", "CD"], parse_strict("Step 0: [A B]\n"), final=False)
    assert al.verdicts() == "cpp"
    assert al.first_divergence is None
    al = align(["AB", "BC", "CD"], parse_strict("Step 0: [A B]\nStep 2: [C D]\n"), final=False)
    assert al.verdicts() == "cmc"


def test_first_divergence_position():
    sc = score_sample(DS[0], right_answer(DS[0]).replace("[", "[A ", 1))
    assert sc.first_divergence == 0 and sc.divergence_position == 0
    assert sc.diagnosis.kind is Kind.COPY_ERROR
    assert "initial queue" in sc.diagnosis.message


@settings(max_examples=300, deadline=None)
@given(st.text("AB", max_size=12), st.text("AB", max_size=12))
def test_first_difference_matches_a_naive_scan(a, b):
    i = 0
    while i < min(len(a), len(b)) and a[i] == b[i]:
        i += 1
    assert first_difference(a, b) == i


# -- findings on passing samples ----------------------------------------------------------


def test_beyond_cap_finding():
    inst = next(i for i in DS.samples if not i.run.halted)
    steps = flawed_steps(inst)
    nxt = inst.system.step(inst.run.state(-1)).queue
    steps.append(ModelStep(31, nxt))
    sc = score_sample(inst, format_answer(steps))
    assert sc.passed
    assert sc.diagnosis.kind is Kind.BEYOND_CAP and not sc.diagnosis.fatal
    assert sc.extra_steps == 1


def test_a_correct_answer_has_no_diagnosis():
    for inst in DS.samples[:10]:
        for style in STYLES:
            sc = score_sample(inst, right_answer(inst, style))
            assert sc.passed and sc.diagnosis is None, (inst.index, style)
            assert sc.verdicts == "c" * len(inst.run)


def test_unknown_symbols_in_a_compact_answer_are_wrong_not_unparsable():
    inst = next(i for i in DS.samples if len(i.run) == 31)
    run = inst.run
    lines = [f"Step {i}: [{' '.join(run.state(i))}]" for i in range(31)]
    lines[5] = "Step 5: [A X B]"
    sc = score_sample(inst, "\n".join(lines[:6]))
    assert sc.verdicts[:6] == "cccccw"
    assert sc.diagnosis.kind is not Kind.TRUNCATED


def test_an_unreadable_last_step_marked_halt_is_not_a_truncation():
    inst = next(i for i in DS.samples if i.run.halted and len(i.run) > 3)
    steps = flawed_steps(inst, {len(inst.run) - 1: Kind.UNPARSABLE})
    text = format_answer(steps, style="compact")
    assert text.endswith("<halt>")
    assert score_sample(inst, text).diagnosis.kind is Kind.UNPARSABLE
    # cut before the marker, the same answer is truncated
    cut = text[: text.rindex(" <halt>") - 5]
    assert score_sample(inst, cut).diagnosis.kind is Kind.TRUNCATED


# -- compat mode: the official regex's reading is not blamed on the model ---------------------


def _long_instance():
    return next(inst for inst in DS if len(inst.run) == inst.max_states)


def test_compat_diagnosis_says_the_regex_missed_steps_the_answer_writes():
    """The official predict script's answers sometimes head later steps `Step 18: [...]` with
    no `Queue State:` label: the regex reads 17 steps, the answer writes all 31, all right."""
    from tmtui.core.parsed import ParserMode

    inst = _long_instance()
    steps = flawed_steps(inst)
    text = format_answer(steps[:18]) + format_answer(steps[18:], style="compact")
    compat = score_sample(inst, text, mode=ParserMode.TMBENCH)
    strict = score_sample(inst, text)
    assert strict.passed and not compat.passed
    d = compat.diagnosis
    assert d.kind is Kind.READ_DIFFERENTLY and d.step == 18
    assert "the official evaluator finds no step 18" in d.message
    assert "not a reasoning error" in d.message and "premature halt" not in d.message
    assert d.detail["written"] == inst.run.state(18)


def test_compat_diagnosis_of_an_echo_answer_is_a_reading_difference():
    """An answer that echoes the previous queue before writing the new one (Gemini sample 73
    does): the regex takes the echo; strict takes the queue after the action."""
    from tmtui.core.parsed import ParserMode

    inst = _long_instance()
    text = format_answer(flawed_steps(inst), style="echo")
    compat = score_sample(inst, text, mode=ParserMode.TMBENCH)
    assert score_sample(inst, text).passed
    d = compat.diagnosis
    assert d.kind is Kind.READ_DIFFERENTLY and d.step == 1
    assert "previous queue repeated" not in d.message
    assert f"reads step 1 as [{' '.join(inst.run.state(0))}]" in d.message
    assert f"writes it as [{' '.join(inst.run.state(1))}]" in d.message


def test_compat_diagnosis_keeps_a_real_mistake_and_says_how_it_was_read():
    """The answer is wrong at the step the regex misreads: the mistake is diagnosed from what
    the answer writes, with the official reading noted."""
    from tmtui.core.parsed import ParserMode

    inst = _long_instance()
    steps = next(
        st
        for k in range(3, 20)
        if (st := flawed_steps(inst, {k: Kind.COPY_ERROR}, rng=random.Random(2))) is not None
    )
    text = format_answer(steps, style="echo")
    d = score_sample(inst, text, mode=ParserMode.TMBENCH).diagnosis
    assert d.step == 1 and d.kind is Kind.READ_DIFFERENTLY  # step 1's echo comes first
    # a mistake at the very step the regex misreads: diagnosed from what the answer writes
    wrong1 = next(
        st
        for seed in range(50)
        if (st := flawed_steps(inst, {1: Kind.WRONG_PRODUCTION}, rng=random.Random(seed)))
    )
    d1 = score_sample(inst, format_answer(wrong1, style="echo"), mode=ParserMode.TMBENCH)
    d1 = d1.diagnosis
    assert d1.step == 1 and d1.kind is Kind.WRONG_PRODUCTION
    assert "the official evaluator reads step 1 as" in d1.message
    # where both parsers read the same wrong queue, the official diagnosis stands as it is
    plain = format_answer(steps)
    same = score_sample(inst, plain, mode=ParserMode.TMBENCH).diagnosis
    assert same.kind is Kind.COPY_ERROR and "official evaluator" not in same.message
