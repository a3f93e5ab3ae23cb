"""One step explained (core.explain), the one verdict function (align.judge) and the differing
span shared by the diagnosis and every renderer."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tmtui.core.align import (
    BAD_VERDICTS,
    Verdict,
    align,
    common_suffix,
    differing_span,
    first_difference,
    judge,
)
from tmtui.core.answer import format_answer
from tmtui.core.datasets import generate_preset
from tmtui.core.diagnose import Kind
from tmtui.core.explain import Difference, ReasonKind, explain_step
from tmtui.core.mutate import flawed_steps
from tmtui.core.parse import parse_strict
from tmtui.core.parsed import ParsedStep
from tmtui.core.score import SampleScore, score_sample

DS = generate_preset("tmbench")
INST = next(i for i in DS.samples if len(i.run) == 31)


def _answer(errors: dict[int, Kind], style: str = "official") -> str:
    rng = random.Random(3)
    for _ in range(50):
        steps = flawed_steps(INST, errors, rng=rng)
        if steps is not None:
            return format_answer(steps, style=style)
    raise AssertionError(f"cannot make {errors}")


def _explain(sc: SampleScore, step: int, **kw):
    assert sc.parse is not None
    return explain_step(
        step,
        truth=INST.run.states(),
        run=INST.run,
        steps=sc.parse.steps,
        first_divergence=sc.first_divergence,
        diagnosis=sc.diagnosis,
        **kw,
    )


def _ps(step: int, queue: str | None) -> ParsedStep:
    return ParsedStep(step, queue, None, (0, 0))


# -- the verdict function ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("want", "parsed", "settled", "verdict", "diff"),
    [
        ("ABC", _ps(1, "ABC"), True, Verdict.CORRECT, None),
        ("ABC", _ps(1, "ABD"), True, Verdict.WRONG, 2),
        ("ABC", _ps(1, "AB"), True, Verdict.WRONG, 2),
        ("ABC", _ps(1, None), True, Verdict.UNPARSABLE, None),
        ("ABC", None, True, Verdict.MISSING, None),
        ("ABC", None, False, Verdict.PENDING, None),
        (None, _ps(9, "A"), True, Verdict.EXTRA, None),
    ],
)
def test_judge(want, parsed, settled, verdict, diff) -> None:
    assert judge(want, parsed, settled=settled) == (verdict, diff)


def test_one_definition_of_bad() -> None:
    assert {v for v in Verdict if v.bad} == BAD_VERDICTS
    assert {Verdict.WRONG, Verdict.MISSING, Verdict.UNPARSABLE, Verdict.EXTRA} == BAD_VERDICTS
    # align's navigation visits exactly the bad rows, extra steps included
    truth = ["AB", "BC", "CD", "DE"]
    al = align(
        truth, parse_strict("Step 0: [A B]\nStep 1: [B D]\nStep 3:\nQ: [D ... E]\nStep 5: [E]\n")
    )
    visited, k = [], -1
    while (k := al.next_wrong(k)) is not None:
        visited.append(k)
    assert visited == [s.step for s in al.steps if s.verdict.bad] == [1, 2, 3, 5]


@settings(max_examples=400, deadline=None)
@given(st.text("AB", max_size=10), st.text("AB", max_size=10))
def test_differing_span_is_one_maximal_edit(a: str, b: str) -> None:
    first, a_end, b_end = differing_span(a, b)
    assert first == first_difference(a, b)
    assert first <= a_end <= len(a) and first <= b_end <= len(b)
    assert a[:first] == b[:first] and a[a_end:] == b[b_end:]
    assert len(a) - a_end == len(b) - b_end == common_suffix(a, b, first)
    # the suffix cannot grow without eating into the common prefix
    assert not (a_end > first and b_end > first and a[a_end - 1] == b[b_end - 1])


# -- explain_step --------------------------------------------------------------------------


def test_first_divergence_carries_the_diagnosis_and_later_errors_are_new_or_inherited() -> None:
    text = _answer({5: Kind.COPY_ERROR, 12: Kind.WRONG_PRODUCTION})
    sc = score_sample(INST, text, keep=True)
    d = sc.diagnosis
    assert d is not None and d.step == 5 and sc.first_divergence == 5
    run = INST.run

    five = _explain(sc, 5)
    assert five.verdict is Verdict.WRONG and five.first_divergence and five.written
    assert five.reason is not None and five.reason.kind is ReasonKind.DIAGNOSIS
    assert (five.reason.message, five.reason.error) == (d.message, Kind.COPY_ERROR)
    assert five.expected == run.state(5) and five.got == sc.parse.steps[5].queue
    assert five.difference == Difference(*differing_span(five.expected, five.got))
    assert five.difference.position == sc.divergence_position + 1

    six = _explain(sc, 6)
    assert not six.first_divergence and six.verdict is Verdict.WRONG
    assert six.reason is not None and six.reason.kind is ReasonKind.INHERITED
    assert "follows correctly from the model's own step 5" in six.reason.message

    twelve = _explain(sc, 12)
    assert twelve.reason is not None and twelve.reason.kind is ReasonKind.NEW_ERROR
    assert twelve.reason.error is Kind.WRONG_PRODUCTION
    assert twelve.reason.message.startswith("new error (from the model's own step 11): ")
    # the same split the diagnosis made for the whole answer
    wrong = [k for k, v in enumerate(sc.verdicts) if v == "w"]
    kinds = {k: _explain(sc, k).reason.kind for k in wrong if k != 5}
    assert [k for k in wrong if k == 5 or kinds[k] is ReasonKind.NEW_ERROR] == d.new_errors
    assert [k for k, r in kinds.items() if r is ReasonKind.INHERITED] == d.inherited

    correct = _explain(sc, 3)
    assert correct.verdict is Verdict.CORRECT and correct.reason is None
    assert correct.difference is None and correct.got == correct.expected


def test_what_the_rules_do_and_what_the_model_said() -> None:
    sc = score_sample(INST, _answer({}), keep=True)
    run = INST.run
    m = INST.system.m
    ex = _explain(sc, 4)
    rules = ex.rules
    assert rules is not None
    assert rules.cell == m * 3 and rules.head == run.state(3)[0] == run.tape[rules.cell]
    assert rules.deleted == run.state(3)[:m]
    assert rules.appended == INST.system.productions[rules.head]
    assert run.state(4) == run.state(3)[m:] + rules.appended
    assert 0 <= rules.written_by <= 3
    claims = ex.claims
    assert claims is not None
    assert claims.head == rules.head
    assert claims.append == rules.appended and claims.remove == rules.deleted
    span = sc.parse.steps[4].span
    assert f"queue at characters {span[0]}–{span[1]} of the answer" in ex.notes
    # step 0 reads nothing
    assert _explain(sc, 0).rules is None


def test_missing_unparsable_pending_and_extra_steps() -> None:
    run = INST.run
    truth = run.states()
    lines = [f"Step {k}: [{' '.join(truth[k])}]" for k in range(len(truth))]
    lines[7] = "Step 7:\nQueue State: [A ... B]"  # unreadable
    del lines[9]  # missing
    lines.append("Step 40: [A]")  # past the last state
    sc = score_sample(INST, "\n".join(lines) + "\n", keep=True)
    assert sc.first_divergence == 7

    seven = _explain(sc, 7)
    assert seven.verdict is Verdict.UNPARSABLE and seven.written and seven.got is None
    assert seven.problem and seven.difference is None
    assert seven.reason is not None and seven.reason.message == sc.diagnosis.message

    nine = _explain(sc, 9)
    assert nine.verdict is Verdict.MISSING and not nine.written
    assert nine.got is None and nine.problem is None and nine.notes == ()
    assert nine.reason is None  # not the first divergence, not a wrong queue

    # the caller's verdict is kept (a live trace knows the step is still pending)
    assert _explain(sc, 9, verdict=Verdict.PENDING).verdict is Verdict.PENDING

    extra = _explain(sc, 40)
    assert extra.verdict is Verdict.EXTRA and extra.expected is None and extra.got == "A"
    assert extra.rules is None and extra.difference is None


def test_a_passing_answer_explains_its_finding_at_the_extra_step() -> None:
    truth = INST.run.states()
    text = "".join(f"Step {k}: [{' '.join(q)}]\n" for k, q in enumerate(truth))
    sc = score_sample(INST, text + f"Step {len(truth)}: [A]\n", keep=True)
    assert sc.passed and sc.diagnosis is not None and not sc.diagnosis.fatal
    k = sc.diagnosis.step
    ex = _explain(sc, k)
    assert ex.verdict is Verdict.EXTRA and not ex.first_divergence
    assert ex.reason is not None and ex.reason.kind is ReasonKind.DIAGNOSIS
    assert ex.reason.error is sc.diagnosis.kind
    # while the answer is still arriving, a finding is not claimed yet
    assert _explain(sc, k, final=False).reason is None


def test_the_differing_span_is_the_one_the_diagnosis_describes() -> None:
    """A copy error in the initial queue: the diagnosis and the explanation name the same
    differing middles (one helper for both)."""
    sc = score_sample(INST, _answer({}).replace("[", "[A A ", 1), keep=True)
    d = sc.diagnosis
    assert d is not None and d.kind is Kind.COPY_ERROR and d.step == 0
    ex = _explain(sc, 0)
    diff = ex.difference
    assert diff is not None and ex.expected is not None and ex.got is not None
    assert d.detail["index"] == diff.first
    assert d.detail["expected"] == ex.expected[diff.first : diff.expected_end]
    assert d.detail["got"] == ex.got[diff.first : diff.got_end]


def test_one_error_two_positions_are_both_given() -> None:
    """Symbols dropped from a repeating stretch: the diagnosis places the copy error (symbol
    33) before the queues first differ (symbol 37); the explanation carries both."""
    from tests.live.livekit import periodic_copy_error

    inst, text = periodic_copy_error()
    sc = score_sample(inst, text, keep=True)
    assert sc.parse is not None and sc.first_divergence == 19
    ex = explain_step(
        19,
        truth=inst.run.states(),
        run=inst.run,
        steps=sc.parse.steps,
        first_divergence=19,
        diagnosis=sc.diagnosis,
    )
    assert ex.difference is not None and ex.difference.position == 37
    assert ex.reason is not None and ex.reason.position == 33
    assert ex.reason.message == "copy error: dropped 4 symbols at position 33"
    assert not ex.reason.read_differently


def test_a_misreading_by_the_official_regex_is_flagged() -> None:
    """The official regex reads an echoed queue as the step's: the diagnosis says so, and
    the explanation flags it (the step panel offers the parse inspector)."""
    from tests.live.livekit import TMBENCH, flawed
    from tmtui.core.diagnose import diagnose
    from tmtui.core.parsed import ParserMode

    inst = TMBENCH[0]
    text = flawed(0, style="echo")
    compat = score_sample(inst, text, mode=ParserMode.TMBENCH, keep=True)
    strict = score_sample(inst, text, keep=True)
    assert compat.alignment is not None and compat.parse is not None and strict.parse is not None
    diag = diagnose(compat.alignment, inst.run, compat.parse, strict=strict.parse)
    assert diag is not None and diag.kind is Kind.READ_DIFFERENTLY and diag.step == 1
    ex = explain_step(
        1,
        truth=inst.run.states(),
        run=inst.run,
        steps=compat.parse.steps,
        first_divergence=1,
        diagnosis=diag,
    )
    assert ex.reason is not None and ex.reason.read_differently
