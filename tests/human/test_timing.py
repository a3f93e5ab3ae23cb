"""Time, on a hand-driven monotonic clock: per step (to the first key, to the submission), per
instance (active time, pauses and focus loss left out and logged), per session; the time
limit; and a session taken up again keeps its time."""

from __future__ import annotations

import pytest

from tmtui.human import EventKind, Phase
from tmtui.io import humanrows as rows
from tmtui.io.humanrecords import scored_records

from .humankit import FakeClock, db_at, session, truth, type_queue


def test_step_times_count_from_the_previous_submission(tmp_path):
    db, clock = db_at(tmp_path), FakeClock()
    s = session(db, clock, samples="0")
    states = truth(s)
    type_queue(s, clock, states[1], think=4.0, typing=6.0)  # first key at 4 s, submitted at 10 s
    type_queue(s, clock, states[2], think=1.5, typing=2.5)  # then 1.5 s, 4 s
    clock.advance(7)
    s.submit(states[3])  # no key typed before it (a paste): no first key
    steps = rows.attempt_rows(db, s.id)[0].steps
    assert [(st.first_key_ms, st.submit_ms, st.at_ms) for st in steps] == [
        (pytest.approx(4000.0), pytest.approx(10000.0), pytest.approx(10000.0)),
        (pytest.approx(1500.0), pytest.approx(4000.0), pytest.approx(14000.0)),
        (None, pytest.approx(7000.0), pytest.approx(21000.0)),
    ]
    s.halt()
    (_a, rec) = next(scored_records(db))
    assert rec.meta["human"]["step_seconds"] == [None, 10.0, 4.0, 7.0]
    assert rec.timing.elapsed_ms == pytest.approx(21000.0)
    assert rec.timing.first_token_ms == pytest.approx(4000.0)
    # chunks place each step's block when it was submitted, and add up to the answer
    assert [c[0] for c in rec.chunks] == [0.0, 10000.0, 14000.0, 21000.0]
    assert sum(c[1] for c in rec.chunks) == len(rec.answer)


def test_pauses_and_focus_loss_are_left_out_of_active_time_and_logged(tmp_path):
    db, clock = db_at(tmp_path), FakeClock()
    s = session(db, clock, samples="0")
    states = truth(s)
    clock.advance(3)
    assert s.pause().kinds() == [EventKind.PAUSED]
    clock.advance(100)  # paused
    assert "paused" in (s.submit(states[1]).error or "")
    s.type_key("a")  # keys are not taken while paused
    assert s.resume().kinds() == [EventKind.RESUMED]
    clock.advance(2)
    s.submit(states[1])  # 5 s of work
    clock.advance(1)
    s.focus_lost()
    clock.advance(50)  # in another window
    s.type_key("a")  # typing brings the focus back
    assert s.focused
    clock.advance(3)
    s.submit(states[2])
    s.focus_lost()
    clock.advance(20)
    assert s.focus_gained().kinds() == [EventKind.FOCUS_GAINED]
    clock.advance(2)
    s.halt()
    (a,) = rows.attempt_rows(db, s.id)
    assert a.active_ms == pytest.approx(11000.0)
    assert a.paused_ms == pytest.approx(170000.0)
    assert [st.submit_ms for st in a.steps] == [pytest.approx(5000.0), pytest.approx(4000.0)]
    assert a.steps[1].first_key_ms == pytest.approx(1000.0)  # the key that brought focus back
    held = [(e.kind, e.duration_ms) for e in rows.events(db, s.id) if e.duration_ms is not None]
    assert held == [
        ("resume", pytest.approx(100000.0)),
        ("focus-gained", pytest.approx(50000.0)),
        ("focus-gained", pytest.approx(20000.0)),
    ]
    kinds = [e.kind for e in rows.events(db, s.id, a.id)]
    assert kinds.count("pause") == 1 and kinds.count("focus-lost") == 2
    # the session's own clock left the same time out
    assert s.view().session_active_s == pytest.approx(11.0)


def test_the_time_limit_ends_the_instance_with_what_was_submitted(tmp_path):
    db, clock = db_at(tmp_path), FakeClock()
    s = session(db, clock, samples="0,1", time_limit=60)
    states = truth(s)
    assert s.view().instance.remaining_s == pytest.approx(60.0)
    type_queue(s, clock, states[1], think=10, typing=10)
    assert s.view().instance.remaining_s == pytest.approx(40.0)
    clock.advance(30)
    assert s.tick().events == ()  # 10 s left
    s.pause()
    clock.advance(500)  # a pause does not spend the time
    s.resume()
    assert s.tick().events == ()
    clock.advance(10.4)
    u = s.tick()
    assert [e.kind for e in u.events] == [EventKind.INSTANCE_ENDED, EventKind.INSTANCE_STARTED]
    assert u.events[0].reason == "time-limit" and "time is up" in u.events[0].message
    (a, rec) = next(scored_records(db))
    assert a.status == "timed_out" and a.end_reason == "time-limit"
    assert a.active_ms == pytest.approx(60000.0)  # the limit, not the tick that saw it
    assert rec.status == "cut" and rec.finish_reason == "time-limit"
    assert [st.queue for st in a.steps] == [states[1]]


def test_a_submission_after_the_time_is_up_is_refused(tmp_path):
    db, clock = db_at(tmp_path), FakeClock()
    s = session(db, clock, samples="0", time_limit=30)
    states = truth(s)
    type_queue(s, clock, states[1])
    clock.advance(40)  # no tick came in between
    u = s.submit(states[2])
    assert not u.ok and "time is up" in (u.error or "")
    assert EventKind.INSTANCE_ENDED in u.kinds() and u.view.phase is Phase.DONE
    (a,) = rows.attempt_rows(db, s.id)
    assert a.status == "timed_out" and len(a.steps) == 1


def test_the_clocks_are_saved_every_few_seconds_while_running(tmp_path):
    db, clock = db_at(tmp_path), FakeClock()
    s = session(db, clock, samples="0")
    clock.advance(3)
    s.tick()
    assert rows.attempt_rows(db, s.id)[0].active_ms == 0.0  # not yet
    clock.advance(3)
    s.tick()
    assert rows.attempt_rows(db, s.id)[0].active_ms == pytest.approx(6000.0)
    assert rows.session_row(db, s.id).active_ms == pytest.approx(6000.0)


def test_a_session_taken_up_again_goes_on_at_its_step_with_its_time(tmp_path):
    db, clock = db_at(tmp_path), FakeClock()
    s = session(db, clock, samples="0,1", practice=1)
    practice = truth(s)
    for k in range(1, 3):
        type_queue(s, clock, practice[k])
    s.halt()
    s.next()  # past the practice's feedback
    states = truth(s)
    for k in range(1, 6):
        type_queue(s, clock, states[k], think=1, typing=1)  # 2 s a step
    clock.advance(1.5)
    s.close()
    before = rows.session_row(db_at(tmp_path), s.id)
    clock.advance(3600)  # an hour away: not counted
    db2 = db_at(tmp_path)
    from tmtui.human import open_session

    t = open_session(db2, "P01", clock=clock)
    v = t.view()
    assert v.phase is Phase.INTRO and v.resumed is not None
    assert v.resumed.step == 6 and v.resumed.position == 1
    assert "instance 1 of 2, step 6" in v.resumed.message
    assert v.session_active_s == pytest.approx(before.active_ms / 1000)
    u = t.start()
    assert u.kinds() == [EventKind.SESSION_RESUMED, EventKind.INSTANCE_STARTED]
    assert u.view.instance.entry.step == 6
    assert [st.queue for st in u.view.instance.steps] == states[1:6]
    assert u.view.instance.active_s == pytest.approx(11.5)
    clock.advance(2)
    t.submit(states[6])
    (a,) = [x for x in rows.attempt_rows(db2, t.id) if not x.practice]
    assert a.steps[-1].submit_ms == pytest.approx(3500.0)  # 1.5 s before the break, 2 s after
    assert t.view().session_active_s > before.active_ms / 1000
