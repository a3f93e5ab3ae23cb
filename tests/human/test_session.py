"""The session protocol with a hand-driven clock: what is stored, scored and shown when a
participant types an instance right, makes a mistake, halts early, corrects a step, or types
something that is not a queue."""

from __future__ import annotations

import pytest

from tmtui.core.align import Verdict
from tmtui.core.diagnose import Kind
from tmtui.core.parsed import ParserMode
from tmtui.human import EventKind, Feedback, Phase, SessionError
from tmtui.io import humanrows as rows
from tmtui.io.humanrecords import scored_records
from tmtui.io.sources import ScoreItem
from tmtui.live.trace import Trace
from tmtui.scoring import score_item

from .humankit import FakeClock, current, db_at, session, truth, type_queue


def _drop_one(prev: str, inst) -> str:
    """One rule step from ``prev`` with one retained symbol dropped from the middle (one
    that differs from its neighbours, so nothing else explains the queue)."""
    kept = prev[inst.m :]
    p = next(i for i in range(2, len(kept) - 1) if kept[i] not in (kept[i - 1], kept[i + 1]))
    return kept[:p] + kept[p + 1 :] + inst.rules[prev[0]]


def _records(db):
    return [rec for _a, rec in scored_records(db)]


def _score(rec, mode=ParserMode.STRICT):
    from tmtui.io.records import instance_of

    inst = instance_of(rec)
    assert inst is not None
    item = ScoreItem("x", "y", inst, rec.answer, status=rec.status, kind="human", record=rec)
    return score_item(item, mode)


def test_an_instance_typed_correctly_scores_100_percent(tmp_path):
    db, clock = db_at(tmp_path), FakeClock()
    s = session(db, clock, samples="0")
    states = truth(s)
    assert len(states) == 31  # instance 0 runs to the step cap
    for k in range(1, 31):
        u = type_queue(s, clock, " ".join(states[k]).lower())
        assert u.ok and u.events[0].kind is EventKind.STEP_SUBMITTED
        assert u.events[0].feedback is None  # blind: nothing is said about the step
    # the step cap ended the instance by itself; nothing else was in the session
    assert [e.kind for e in u.events] == [
        EventKind.STEP_SUBMITTED,
        EventKind.INSTANCE_ENDED,
        EventKind.SESSION_FINISHED,
    ]
    assert u.events[1].reason == "step-cap" and u.view.phase is Phase.DONE
    (rec,) = _records(db)
    assert rec.kind == "human" and rec.model == "human:P01" and rec.participant == "P01"
    assert rec.session == s.uid and rec.status == "complete" and rec.finish_reason == "step-cap"
    for mode in ParserMode:
        sc = _score(rec, mode)
        assert sc.passed and sc.verdicts == "c" * 31 and sc.swa() == 100.0


def test_a_halting_instance_halted_at_the_right_step_passes(tmp_path):
    db, clock = db_at(tmp_path), FakeClock()
    s = session(db, clock, samples="6")
    states = truth(s)
    assert len(states) == 5 and current(s).run.halted
    for k in range(1, 5):
        type_queue(s, clock, states[k])
    u = s.submit("halt")
    assert [e.kind for e in u.events][:1] == [EventKind.INSTANCE_ENDED]
    assert u.events[0].reason == "halt"
    (rec,) = _records(db)
    assert rec.answer.rstrip().endswith("<halt>")
    assert rec.meta["human"]["halt_step"] == 4
    for mode in ParserMode:
        sc = _score(rec, mode)
        assert sc.passed and sc.verdicts == "ccccc"


def test_a_copy_mistake_is_diagnosed_as_a_copy_error_at_that_step(tmp_path):
    db, clock = db_at(tmp_path), FakeClock()
    s = session(db, clock, samples="0")
    states = truth(s)
    inst = current(s)
    for k in range(1, 5):
        type_queue(s, clock, states[k])
    # step 5: the production right, one retained symbol dropped from the middle
    wrong = _drop_one(states[4], inst)
    type_queue(s, clock, wrong)
    s.halt()
    (rec,) = _records(db)
    sc = _score(rec)
    assert sc.first_divergence == 5 and sc.verdicts[:6] == "cccccw"
    assert sc.diagnosis is not None and sc.diagnosis.kind is Kind.COPY_ERROR
    assert sc.diagnosis.message.startswith("copy error: dropped 1 symbol at position")


def test_halt_declared_early_is_a_premature_halt(tmp_path):
    db, clock = db_at(tmp_path), FakeClock()
    s = session(db, clock, samples="0,1")
    states = truth(s)
    for k in range(1, 8):
        type_queue(s, clock, states[k])
    u = s.halt()
    assert [e.kind for e in u.events] == [EventKind.INSTANCE_ENDED, EventKind.INSTANCE_STARTED]
    assert u.view.instance is not None and u.view.instance.index == 1  # the next one started
    (rec,) = _records(db)
    sc = _score(rec)
    assert sc.verdicts == "c" * 8 + "m" * 23
    assert sc.diagnosis is not None and sc.diagnosis.kind is Kind.PREMATURE_HALT
    assert "declared halting at step 7" in sc.diagnosis.message


def test_halt_before_any_step_declares_the_initial_queue_final(tmp_path):
    db, clock = db_at(tmp_path), FakeClock()
    s = session(db, clock, samples="0")
    s.submit(" HALT ")
    (a, rec) = next(scored_records(db))
    assert a.halt_step == 0 and a.steps == []
    assert "### step 0:\n   - Queue State: [D B E E A A] <halt>" in rec.answer
    assert _score(rec).verdicts == "c" + "m" * 30


def test_a_correction_replaces_the_last_step_and_keeps_the_old_value(tmp_path):
    db, clock = db_at(tmp_path), FakeClock()
    s = session(db, clock, samples="0")
    states = truth(s)
    type_queue(s, clock, states[1])
    type_queue(s, clock, states[2][:-1])  # a slip
    assert s.view().instance.correctable == 2
    clock.advance(4)
    u = s.correct(states[2])
    assert u.ok and u.events[0].kind is EventKind.STEP_CORRECTED and u.events[0].step == 2
    view = u.view.instance
    assert [st.queue for st in view.steps] == [states[1], states[2]]
    assert view.steps[1].corrections == 1
    # the same queue again is not a correction; nor is halt
    assert not s.correct(states[2]).ok
    assert "halt is not a queue" in (s.correct("halt").error or "")
    type_queue(s, clock, states[3])
    assert s.view().instance.correctable == 3  # only the last step may be corrected
    s.halt()
    (a, rec) = next(scored_records(db))
    step2 = a.steps[1]
    assert step2.queue == states[2]
    assert [(c.old_queue, c.new_queue) for c in step2.corrections] == [(states[2][:-1], states[2])]
    meta = rec.meta["human"]
    assert meta["corrections"] == 1
    assert meta["steps"][1]["corrections"][0]["old"] == states[2][:-1]
    assert _score(rec).verdicts[:4] == "cccc"


def test_nothing_to_correct_before_a_step(tmp_path):
    db, clock = db_at(tmp_path), FakeClock()
    s = session(db, clock, samples="0")
    u = s.correct("A B")
    assert not u.ok and "nothing to correct" in (u.error or "")


@pytest.mark.parametrize("typed", ["", "   ", "x y z", "A B !", "[A B", ",,"])
def test_bad_entries_are_never_submitted(tmp_path, typed):
    db, clock = db_at(tmp_path), FakeClock()
    s = session(db, clock, samples="0")
    type_queue(s, clock, truth(s)[1])
    before = rows.attempt_rows(db, s.id)[0].steps
    u = s.submit(typed)
    assert not u.ok and u.error
    assert u.events[0].kind is EventKind.ENTRY_REFUSED and u.events[0].message == u.error
    assert u.view.instance.entry.step == 2  # still waiting for step 2
    assert rows.attempt_rows(db, s.id)[0].steps == before


def test_after_step_feedback_says_what_the_debugger_says(tmp_path):
    db, clock = db_at(tmp_path), FakeClock()
    s = session(db, clock, samples="0", feedback=Feedback.AFTER_STEP)
    states = truth(s)
    inst = current(s)
    u = type_queue(s, clock, states[1])
    fb = u.events[0].feedback
    assert fb is not None and fb.correct and fb.message == "correct"
    wrong = _drop_one(states[1], inst)
    u = type_queue(s, clock, wrong)
    fb = u.events[0].feedback
    assert fb is not None and fb.verdict is Verdict.WRONG
    assert fb.message.startswith("copy error: dropped 1 symbol")
    assert fb.explanation.first_divergence and fb.explanation.expected == states[2]
    # the debugger, given the same two steps, says the same
    trace = Trace(inst)
    trace.feed(
        f"### step 0:\nQueue State: [{states[0]}]\n### step 1:\nQueue State: [{states[1]}]\n"
    )
    trace.feed(f"### step 2:\nQueue State: [{wrong}]\n")
    trace.finish()
    assert trace.explain(2).reason.message == fb.message
    # the view keeps each step's mark; a correction is marked again
    u = s.correct(states[2])
    assert u.events[0].feedback.correct
    assert [st.feedback.correct for st in u.view.instance.steps] == [True, True]
    # what the store says: the steps were shown
    assert all(st.feedback for st in rows.attempt_rows(db, s.id)[0].steps)


def test_blind_sessions_show_nothing_of_the_truth(tmp_path):
    db, clock = db_at(tmp_path), FakeClock()
    s = session(db, clock, samples="0,1")
    states = truth(s)
    u = type_queue(s, clock, states[1][::-1])
    assert u.events[0].feedback is None and u.view.instance.steps[0].feedback is None
    u = s.halt()
    assert u.events[0].result is None and u.view.result is None
    assert u.view.phase is Phase.INSTANCE  # straight on to the next instance


def test_after_instance_feedback_shows_the_scored_attempt_then_goes_on(tmp_path):
    db, clock = db_at(tmp_path), FakeClock()
    s = session(db, clock, samples="0,1", feedback=Feedback.AFTER_INSTANCE)
    states = truth(s)
    u = type_queue(s, clock, states[1])
    assert u.events[0].feedback is None  # not after each step
    type_queue(s, clock, states[2][::-1])
    u = s.halt()
    assert u.view.phase is Phase.FEEDBACK
    result = u.view.result
    assert result is not None and result.score.first_divergence == 2
    assert result.explanations[2].first_divergence
    assert result.explanations[2].reason is not None
    trace = result.trace()  # the debugger's model of the attempt
    assert trace.first_divergence == 2 and trace.final
    assert u.view.next == "instance 2 of 2"
    u = s.next()
    assert u.view.phase is Phase.INSTANCE and u.view.instance.index == 1


def test_the_instance_view_is_what_a_model_is_given(tmp_path):
    db, clock = db_at(tmp_path), FakeClock()
    s = session(db, clock, samples="3")
    inst = current(s)
    v = s.view().instance
    assert (v.m, v.alphabet, v.init, v.max_step) == (inst.m, inst.alphabet, inst.init, 30)
    assert dict(v.productions) == inst.rules
    assert [sym for sym, _ in v.productions] == list(inst.alphabet)
    assert v.number == 1 and v.count == 1 and not v.practice
    assert v.entry.step == 1 and v.entry.mode == "queue" and v.entry.prefill == ""
    assert v.key_map is None and v.remaining_s is None


def test_keys_are_logged_only_when_asked(tmp_path):
    db, clock = db_at(tmp_path), FakeClock()
    s = session(db, clock, samples="0", record_keys=True)
    type_queue(s, clock, truth(s)[1])
    s.type_key("backspace")
    s.halt()
    keys = db.all("SELECT step, at_ms, key FROM keys ORDER BY id")
    assert [k for _s, _t, k in keys] == [*truth_text(s, db), "backspace"]
    assert [st for st, _t, _k in keys] == [1] * (len(keys) - 1) + [2]
    times = [t for _s, t, _k in keys]
    assert times == sorted(times) and times[0] == pytest.approx(2000.0)
    db2, clock2 = db_at(tmp_path, "other.sqlite"), FakeClock()
    s2 = session(db2, clock2, samples="0")
    type_queue(s2, clock2, truth(s2)[1])
    s2.halt()
    assert db2.all("SELECT count(*) FROM keys") == [(0,)]


def truth_text(s, db) -> list[str]:
    (a,) = rows.attempt_rows(db, s.id)
    return list(a.steps[0].typed)


def test_one_process_at_a_time_works_on_a_session(tmp_path):
    db, clock = db_at(tmp_path), FakeClock()
    s = session(db, clock, samples="0")
    other = db_at(tmp_path)
    with pytest.raises(SessionError, match="open in another process"):
        session(other, clock, samples="0")
    s.close()
    again = session(other, clock, samples="0")
    assert again.uid == s.uid


def test_new_session_gives_the_unfinished_one_up(tmp_path):
    db, clock = db_at(tmp_path), FakeClock()
    s = session(db, clock, samples="0")
    type_queue(s, clock, truth(s)[1])
    s.close()
    db = db_at(tmp_path)
    with pytest.raises(SessionError, match="made with --samples 0"):
        session(db, clock, samples="1")
    t = session(db, clock, samples="1", new_session=True)
    assert t.uid != s.uid
    (old,) = rows.attempt_rows(db, s.id)
    assert old.status == "abandoned" and old.end_reason == "abandoned"
    assert rows.session_row(db, s.id).status == "abandoned"
    assert list(scored_records(db)) == []


@pytest.mark.parametrize("call", ["submit", "halt", "time-limit"])
def test_a_store_failure_leaves_the_session_where_it_was(tmp_path, monkeypatch, call):
    from tmtui.io import humanwrites as writes
    from tmtui.io.humandb import HumanDbError

    db, clock = db_at(tmp_path), FakeClock()
    s = session(db, clock, samples="0,1", time_limit=100)
    states = truth(s)
    type_queue(s, clock, states[1])

    def broken(*args, **kwargs):
        raise HumanDbError("study.sqlite: the disk is full")

    for name in ("add_step", "end_attempt", "start_attempt"):
        monkeypatch.setattr(writes, name, broken)
    with pytest.raises(HumanDbError, match="disk is full"):
        if call == "submit":
            s.submit(states[2])
        elif call == "halt":
            s.halt()
        else:
            clock.advance(200)
            s.tick()
    v = s.view()
    assert v.phase is Phase.INSTANCE and v.instance.index == 0
    assert v.instance.entry.step == 2 and len(v.instance.steps) == 1
    monkeypatch.undo()
    if call == "time-limit":
        u = s.tick()
        assert u.events[0].reason == "time-limit"
    else:
        assert s.submit(states[2]).ok and s.halt().ok
    assert s.view().instance.index == 1
    (a, _b) = rows.attempt_rows(db, s.id)
    assert a.status in ("finished", "timed_out")


def test_preview_shows_what_an_entry_would_submit_and_stores_nothing(tmp_path):
    from tmtui.human import Assist

    db, clock = db_at(tmp_path), FakeClock()
    s = session(db, clock, dataset="tmbench-greek", samples="0", assist=Assist.APPEND)
    inst = current(s)
    kept = inst.init[inst.m :]
    assert s.preview("1 2") == (kept + "αβ", None)
    queue, why = s.preview("1 9")
    assert queue is None and "'9' (character 3)" in why
    assert s.preview("halt") == (None, None)
    assert rows.attempt_rows(db, s.id)[0].steps == []
