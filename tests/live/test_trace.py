"""The debugger's headless model: the live trace agrees with the core scorer for any chunking,
announces a divergence only once it is settled, and the helpers around it."""

from __future__ import annotations

import asyncio

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.live.livekit import KINDS, TMBENCH, flawed, record, truncated, write_records
from tmtui.core.align import Verdict
from tmtui.core.diagnose import Kind
from tmtui.core.explain import explain_step
from tmtui.core.score import score_sample
from tmtui.io.events import Content, Finish, Reasoning, Started
from tmtui.live.catalog import Search, load_entries, match_pairs
from tmtui.live.feeds import replay_events
from tmtui.live.readings import disagreements
from tmtui.live.text_lines import TextLines, symbol_offsets
from tmtui.live.timing import RecordedTiming
from tmtui.live.trace import Trace


def _feed(tr: Trace, text: str, cuts: list[int]) -> None:
    pos = 0
    for c in sorted(set(cuts)):
        tr.feed(text[pos:c])
        pos = c
    tr.feed(text[pos:])


@pytest.mark.parametrize(("index", "step", "kind"), KINDS)
def test_trace_matches_the_scorer_for_every_kind(index, step, kind) -> None:
    inst = TMBENCH[index]
    text = flawed(index, {step: kind})
    tr = Trace(inst)
    _feed(tr, text, list(range(0, len(text), 37)))
    tr.finish()
    sc = score_sample(inst, text)
    assert tr.alignment().verdicts() == sc.verdicts
    assert tr.first_divergence == sc.first_divergence == step
    d = tr.diagnosis()
    assert d is not None and d.kind is kind
    assert d.message == sc.diagnosis.message


@settings(max_examples=40, deadline=None)
@given(
    cuts=st.lists(st.integers(0, 6000), max_size=40),
    style=st.sampled_from(["official", "echo", "compact", "chinese"]),
)
def test_any_chunking_gives_the_same_alignment(cuts, style) -> None:
    inst = TMBENCH[0]
    text = flawed(0, {9: Kind.COPY_ERROR}, style=style)
    tr = Trace(inst)
    _feed(tr, text, [c for c in cuts if c <= len(text)])
    tr.finish()
    assert tr.alignment().verdicts() == score_sample(inst, text).verdicts


def test_echo_style_never_announces_a_false_divergence() -> None:
    """The echoed previous queue is read before the real one: the step is not settled yet."""
    inst = TMBENCH[0]
    text = flawed(0, style="echo")
    tr = Trace(inst)
    seen = set()
    for i in range(0, len(text), 5):
        tr.feed(text[i : i + 5])
        if tr.first_divergence is not None:
            seen.add(tr.first_divergence)
    tr.finish()
    assert seen == set()
    assert tr.passed


def test_live_verdicts_pending_then_missing_when_final() -> None:
    inst = TMBENCH[0]
    text = truncated(0, 20)
    tr = Trace(inst)
    tr.feed(text)
    assert tr.verdict(25) is Verdict.PENDING
    assert tr.first_divergence is None  # nothing settled is wrong yet
    tr.finish("complete")
    assert tr.verdict(25) is Verdict.MISSING
    assert tr.first_divergence == 20
    assert tr.diagnosis().kind is Kind.TRUNCATED


def test_extra_steps_after_a_halt_are_rows_past_the_truth() -> None:
    inst = TMBENCH[6]  # halts at step 4
    text = flawed(6, {-1: Kind.FAILURE_TO_HALT})
    tr = Trace(inst)
    tr.feed(text)
    tr.finish()
    assert tr.row_count == tr.n_truth + 1
    assert tr.verdict(tr.step_of_row(tr.n_truth)) is Verdict.EXTRA
    assert tr.passed
    assert tr.diagnosis().kind is Kind.FAILURE_TO_HALT


def test_mode_switch_reads_with_the_official_regex() -> None:
    inst = TMBENCH[0]
    text = flawed(0, style="compact")  # the official regex reads none of it
    tr = Trace(inst)
    tr.feed(text)
    tr.finish()
    assert tr.passed
    tr.set_mode("tmbench")
    assert tr.correct == 0 and tr.first_divergence == 0
    tr.set_mode("strict")
    assert tr.passed


def test_think_without_opening_resets_the_readings() -> None:
    inst = TMBENCH[0]
    answer = flawed(0)
    text = answer + "\n</think>\n" + answer
    tr = Trace(inst)
    tr.feed(text[: len(answer) + 3])
    assert tr.written > 0
    tr.feed(text[len(answer) + 3 :])
    tr.finish()
    assert tr.passed
    assert tr.parse_result().reasoning_spans[0][0] == 0


def test_spans_and_offsets_find_the_step_written_there() -> None:
    inst = TMBENCH[0]
    text = flawed(0)
    tr = Trace(inst)
    tr.feed(text)
    tr.finish()
    span = tr.positions.span_of(7)
    assert span is not None
    assert tr.positions.step_at(span[0]) == 7
    assert tr.positions.step_at(tr.positions.header_of(8)) == 8
    assert [s[2] for s in tr.positions.spans_between(span[0], span[1])] == [7]
    assert "".join(text[span[0] : span[1]].split()) == tr.truth[7]


def test_text_lines_and_symbol_offsets() -> None:
    tl = TextLines()
    assert tl.append("ab") == 0
    assert tl.append("c\nde\n") == 0
    assert tl.append("f") == 2
    assert tl.lines == ["abc", "de", "f"] and tl.starts == [0, 4, 7]
    assert tl.text == "abc\nde\nf" and tl.line_of(5) == 1 and tl.slice(4, 6) == "de"
    assert symbol_offsets("A, B 'C'") == [0, 3, 6]


def test_recorded_timing() -> None:
    tm = RecordedTiming(10, 4, [[100, 0, 4], [150, 5, 0], [300, 5, 0]], start_ms=100)
    assert tm.timed and tm.duration == 200
    assert tm.at(-1) == (0, 0)
    assert tm.at(0) == (0, 4)
    assert tm.at(60) == (5, 4)
    assert tm.at(200) == (10, 4)
    assert tm.time_of(6) == 200
    untimed = RecordedTiming(50)
    assert not untimed.timed and untimed.at(20) == (20, 0)


def test_replay_events_cover_the_text() -> None:
    async def collect():
        return [ev async for ev in replay_events("hello world", "why", speed=0, piece=4)]

    evs = asyncio.run(collect())
    assert isinstance(evs[0], Started) and isinstance(evs[-1], Finish)
    assert "".join(e.text for e in evs if isinstance(e, Content)) == "hello world"
    assert "".join(e.text for e in evs if isinstance(e, Reasoning)) == "why"


def test_catalog_search_and_pairs(tmp_path) -> None:
    inst = TMBENCH[0]
    a = write_records(
        tmp_path / "a.jsonl",
        [
            record(inst, flawed(0), model="m1"),
            record(TMBENCH[1], flawed(1, {7: Kind.COPY_ERROR}), model="m1"),
        ],
    )
    b = write_records(
        tmp_path / "b.jsonl", [record(inst, flawed(0, {3: Kind.WRONG_HEAD}), model="m2")]
    )
    ea, eb = list(load_entries(a)), list(load_entries(b))
    assert [e.passed for e in ea] == [True, False]
    assert ea[1].first_divergence == 7 and ea[1].kind == "copy error"
    pairs = match_pairs(ea, eb)
    assert len(pairs) == 1 and pairs[0][1].first_divergence == 3
    assert Search("STEP 7").filter(ea) == {0, 1}
    assert Search(r"re:Append\s+X").filter(ea) == set()
    assert Search("re:(").error


def test_inspector_finds_where_the_parsers_disagree() -> None:
    inst = TMBENCH[0]
    tr = Trace(inst)
    tr.feed(flawed(0, style="echo"))
    tr.finish()
    rows, summary, deviations = disagreements(tr)
    assert rows, "the official regex takes the echoed queue"
    assert "strict: 31/31 correct (pass)" in summary
    assert any("echo" in d or "repeats" in d for d in deviations)


@pytest.mark.parametrize(("index", "step", "kind"), KINDS)
def test_the_trace_explains_a_step_as_the_scored_sample_does(index, step, kind) -> None:
    """One explanation: the live trace's and a scored sample's (keep=True) are equal."""
    inst = TMBENCH[index]
    text = flawed(index, {step: kind, step + 6: Kind.WRONG_HEAD})
    tr = Trace(inst)
    _feed(tr, text, list(range(0, len(text), 53)))
    tr.finish()
    sc = score_sample(inst, text, keep=True)
    assert sc.parse is not None
    for k in range(tr.row_count):
        k = tr.step_of_row(k)
        want = explain_step(
            k,
            truth=inst.run.states(),
            run=inst.run,
            steps=sc.parse.steps,
            first_divergence=sc.first_divergence,
            diagnosis=sc.diagnosis,
        )
        assert tr.explain(k) == want, k
