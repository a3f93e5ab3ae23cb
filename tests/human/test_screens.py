"""The session screens, driven by keys (Textual's pilot) on a hand-driven clock: what a
participant types reaches the database exactly as the session protocol would store it, and
the screen says where they are, what an entry reads as, and why one is refused."""

from __future__ import annotations

import pytest
from textual import events

from tmtui.core.diagnose import Kind
from tmtui.human import Phase
from tmtui.io import humanrows as rows
from tmtui.io.humandb import HumanDb
from tmtui.io.humanrecords import scored_records
from tmtui.tui.human.feedback import FeedbackScreen
from tmtui.tui.human.instance import InstanceScreen
from tmtui.tui.human.intro import DoneScreen, IntroScreen

from .screenkit import FakeClock, human_app, type_entry
from .test_session import _drop_one, _score

SIZE = (120, 40)


def _text(app, selector: str) -> str:
    w = app.screen.query_one(selector)
    return w.render().plain if hasattr(w.render(), "plain") else str(w.render())


def _states(app) -> list[str]:
    return app.session.attempt.instance.run.states()


def _stored(tmp_path, name: str = "study.sqlite"):
    with HumanDb(tmp_path / name, write=False) as store:
        return [(a, rec) for a, rec in scored_records(store)], rows.attempt_rows(store)


async def _begin(pilot) -> None:
    assert isinstance(pilot.app.screen, IntroScreen)
    await pilot.press("enter")
    await pilot.pause()
    assert isinstance(pilot.app.screen, InstanceScreen)


async def test_an_instance_typed_correctly_scores_100_percent(tmp_path):
    app = human_app(tmp_path, samples="6")
    async with app.run_test(size=SIZE) as pilot:
        await _begin(pilot)
        states = _states(app)
        assert len(states) == 5
        for k in range(1, 5):
            assert f"step {k} of 30" in _text(app, "#where")
            # lower case, with commas: the way a person might type it
            await type_entry(pilot, ", ".join(states[k]).lower())
        await type_entry(pilot, "halt")
        assert isinstance(app.screen, DoneScreen)
    ((_a, rec),), _ = _stored(tmp_path)
    sc = _score(rec)
    assert sc.passed and sc.swa() == 100.0 and sc.verdicts == "ccccc"


async def test_a_copy_mistake_is_diagnosed_as_a_copy_error_at_that_step(tmp_path):
    app = human_app(tmp_path, samples="0", feedback="after-instance")
    async with app.run_test(size=SIZE) as pilot:
        await _begin(pilot)
        states = _states(app)
        inst = app.session.attempt.instance
        for k in range(1, 5):
            await type_entry(pilot, states[k])
        await type_entry(pilot, " ".join(_drop_one(states[4], inst)))
        # blind while typing: nothing on screen says the step is wrong
        assert "✗" not in _text(app, "#steps")
        await type_entry(pilot, "halt")
        # after the instance: the debugger, at the first divergence
        assert isinstance(app.screen, FeedbackScreen)
        await pilot.pause()
        assert "first divergence at step 5" in _text(app, "#result")
        assert "copy error" in _text(app, "#status")
        assert app.screen.selected == 5
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, DoneScreen)
    ((_a, rec),), _ = _stored(tmp_path)
    sc = _score(rec)
    assert sc.first_divergence == 5 and sc.diagnosis.kind is Kind.COPY_ERROR


async def test_halt_declared_early_with_the_halt_key(tmp_path):
    app = human_app(tmp_path, samples="0,1")
    async with app.run_test(size=SIZE) as pilot:
        await _begin(pilot)
        states = _states(app)
        for k in range(1, 4):
            await type_entry(pilot, states[k])
        await pilot.press("ctrl+g")  # the halt key: the entry says halt, Enter confirms
        await pilot.pause()
        assert app.screen.query_one("#entry").value == "halt"
        assert "Enter declares step 3 final" in _text(app, "#entry-message")
        await pilot.press("enter")
        await pilot.pause()
        assert "Instance 2 of 2" in _text(app, "#where")
        assert "step 1 of 30" in _text(app, "#where")
    ((a, rec),), _ = _stored(tmp_path)
    assert a.halt_step == 3
    sc = _score(rec)
    assert sc.verdicts == "c" * 4 + "m" * 27 and sc.diagnosis.kind is Kind.PREMATURE_HALT


async def test_a_correction_replaces_the_last_step_until_the_next_is_submitted(tmp_path):
    app = human_app(tmp_path, samples="0")
    async with app.run_test(size=SIZE) as pilot:
        await _begin(pilot)
        states = _states(app)
        await type_entry(pilot, states[1])
        wrong = states[2][:-1]
        await type_entry(pilot, wrong)
        await pilot.press("up")  # correct step 2: the entry holds it
        await pilot.pause()
        entry = app.screen.query_one("#entry")
        assert entry.value == " ".join(wrong)
        assert "correcting step 2" in _text(app, "#where")
        assert "Correct step 2" in _text(app, "#entry-label")
        await pilot.press("ctrl+u")
        await type_entry(pilot, states[2])
        assert "step 3 of 30" in _text(app, "#where")
        assert "corrected" in _text(app, "#steps")
        # Esc leaves a correction begun by mistake as it was
        await type_entry(pilot, "ab", enter=False)
        await pilot.press("up")
        await pilot.press("escape")
        await pilot.pause()
        assert entry.value == "ab" and "Step 3" in _text(app, "#entry-label")
        await pilot.press("ctrl+u")
        await type_entry(pilot, states[3])
        # step 2 can no longer be corrected: ↑ now corrects step 3
        await pilot.press("up")
        await pilot.pause()
        assert "Correct step 3" in _text(app, "#entry-label")
    _recs, (a,) = _stored(tmp_path)
    assert [st.queue for st in a.steps] == [states[1], states[2], states[3]]
    with HumanDb(tmp_path / "study.sqlite", write=False) as store:
        fixes = store.all("SELECT old_queue, new_queue FROM corrections")
    assert [tuple(f) for f in fixes] == [(wrong, states[2])]


@pytest.mark.parametrize("typed", ["", "   ", "A B Z", "1 2", "[A", "halt!"])
async def test_bad_entries_are_never_submitted_and_say_why(tmp_path, typed):
    app = human_app(tmp_path, samples="0")
    async with app.run_test(size=SIZE) as pilot:
        await _begin(pilot)
        await type_entry(pilot, typed)
        message = _text(app, "#entry-message")
        assert message.startswith("not submitted: ")
        assert "step 1 of 30" in _text(app, "#where")
        assert app.screen.query_one("#entry").value == typed  # kept, to be fixed
    _recs, (a,) = _stored(tmp_path)
    assert a.steps == []


async def test_the_entry_says_what_it_reads_as_while_typing(tmp_path):
    app = human_app(tmp_path, samples="0")
    async with app.run_test(size=SIZE) as pilot:
        await _begin(pilot)
        await type_entry(pilot, "a,b c", enter=False)
        assert "reads as [A B C]" in _text(app, "#entry-message")
        await type_entry(pilot, "x", enter=False)
        assert "'x' (character 6) is not a symbol here" in _text(app, "#entry-message")


@pytest.mark.parametrize(
    ("preset", "shown"),
    [("tmbench-greek", "1 = α   2 = β   3 = γ   4 = δ   5 = ε"),
     ("tmbench-special", "1 = @   2 = #   3 = $   4 = %   5 = &")],
)  # fmt: skip
async def test_the_key_map_of_the_greek_and_special_presets(tmp_path, preset, shown):
    app = human_app(tmp_path, dataset=preset, samples="0")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert shown.replace("   ", " ").replace(" = ", "=") in _text(app, "#intro-text")
        await _begin(pilot)
        assert shown in _text(app, "#problem")
        states = _states(app)
        symbols = app.session.attempt.instance.alphabet
        keys = {s: str(i + 1) for i, s in enumerate(symbols)}
        typed = " ".join(keys[s] for s in states[1])
        await type_entry(pilot, typed, enter=False)
        assert f"reads as [{' '.join(states[1])}]" in _text(app, "#entry-message")
        await pilot.press("enter")
        await pilot.pause()
        # the symbols themselves work too
        await type_entry(pilot, states[2])
    _recs, (a,) = _stored(tmp_path)
    assert [st.queue for st in a.steps] == [states[1], states[2]]
    assert a.steps[0].typed == typed


async def test_the_time_limit_counts_down_and_ends_the_instance(tmp_path):
    clock = FakeClock()
    app = human_app(tmp_path, clock, samples="0,1", time_limit=60)
    async with app.run_test(size=SIZE) as pilot:
        await _begin(pilot)
        states = _states(app)
        assert "1:00 left" in _text(app, "#where")
        clock.advance(20)
        await type_entry(pilot, states[1])
        clock.advance(15)
        app.tick()
        await pilot.pause()
        assert "0:25 left" in _text(app, "#where")
        clock.advance(30)
        app.tick()
        await pilot.pause()
        # at zero the instance ended with what was submitted, and the next one began
        assert "Instance 2 of 2" in _text(app, "#where") and "1:00 left" in _text(app, "#where")
    (((a, rec),), _) = _stored(tmp_path)
    assert a.status == "timed_out" and [st.queue for st in a.steps] == [states[1]]
    assert a.active_ms == pytest.approx(60000.0) and rec.status == "cut"


async def test_pause_and_focus_loss_are_left_out_of_active_time(tmp_path):
    clock = FakeClock()
    app = human_app(tmp_path, clock, samples="0")
    async with app.run_test(size=SIZE) as pilot:
        await _begin(pilot)
        states = _states(app)
        clock.advance(4)
        await pilot.press("ctrl+p")
        await pilot.pause()
        held = app.screen.query_one("#held")
        assert held.display and "Paused" in _text(app, "#held") and "PAUSED" in _text(app, "#where")
        clock.advance(300)
        await pilot.press("a")  # nothing is typed while paused
        await pilot.press("enter")  # Enter goes on
        await pilot.pause()
        assert not held.display and app.screen.query_one("#entry").value == ""
        clock.advance(2)
        app.post_message(events.AppBlur())
        await pilot.pause()
        assert held.display and "lost focus" in _text(app, "#held")
        clock.advance(120)
        app.post_message(events.AppFocus())
        await pilot.pause()
        assert not held.display
        clock.advance(3)
        await type_entry(pilot, states[1])
        await type_entry(pilot, "halt")
    _recs, (a,) = _stored(tmp_path)
    assert a.active_ms == pytest.approx(9000.0)
    assert a.paused_ms == pytest.approx(420000.0)
    with HumanDb(tmp_path / "study.sqlite", write=False) as store:
        kinds = [e.kind for e in rows.events(store, app.session.id)]
    assert kinds.count("pause") == 1 and kinds.count("focus-lost") == 1
    assert kinds.count("focus-gained") == 1


async def test_prefill_starts_the_entry_with_the_previous_queue_minus_m(tmp_path):
    app = human_app(tmp_path, samples="0", assist="prefill")
    async with app.run_test(size=SIZE) as pilot:
        await _begin(pilot)
        states = _states(app)
        inst = app.session.attempt.instance
        entry = app.screen.query_one("#entry")
        assert entry.value == " ".join(states[0][inst.m :]) + " "
        await type_entry(pilot, " ".join(inst.rules[states[0][0]]))
        assert entry.value == " ".join(states[1][inst.m :]) + " "
        await type_entry(pilot, " ".join(inst.rules[states[1][0]]))
    _recs, (a,) = _stored(tmp_path)
    assert [st.queue for st in a.steps] == [states[1], states[2]]
    assert [st.assist for st in a.steps] == ["prefill", "prefill"]


async def test_append_types_only_the_production(tmp_path):
    app = human_app(tmp_path, samples="0", assist="append")
    async with app.run_test(size=SIZE) as pilot:
        await _begin(pilot)
        states = _states(app)
        inst = app.session.attempt.instance
        label = _text(app, "#entry-label")
        assert "type the symbols appended" in label
        assert " ".join(states[0][inst.m :]) in label
        prod = inst.rules[states[0][0]]
        await type_entry(pilot, prod, enter=False)
        assert f"reads as [{' '.join(states[1])}]" in _text(app, "#entry-message")
        await pilot.press("enter")
        await type_entry(pilot, inst.rules[states[1][0]])
    _recs, (a,) = _stored(tmp_path)
    assert [st.queue for st in a.steps] == [states[1], states[2]]
    assert [st.typed for st in a.steps] == [prod, inst.rules[states[1][0]]]


async def test_after_step_feedback_and_practice_mark_each_step(tmp_path):
    app = human_app(tmp_path, samples="0", practice=1)
    async with app.run_test(size=SIZE) as pilot:
        await _begin(pilot)
        assert "Practice 1 of 1" in _text(app, "#where")
        states = _states(app)
        await type_entry(pilot, states[1])
        assert "✓ right" in _text(app, "#steps")
        await type_entry(pilot, states[2][1:])
        assert "✗" in _text(app, "#steps")
        await type_entry(pilot, "halt")
        assert isinstance(app.screen, FeedbackScreen)  # practice: always the feedback
        await pilot.press("enter")
        await pilot.pause()
        assert "Instance 1 of 1" in _text(app, "#where")
    (recs, attempts) = _stored(tmp_path)
    assert recs == [] and attempts[0].practice  # practice is never exported


async def test_a_paste_is_entered_once_and_recorded_once(tmp_path):
    """A pasted queue (a terminal's bracketed paste) goes into the entry once, and
    --record-keys keeps it as one paste (it was once inserted twice)."""
    app = human_app(tmp_path, samples="0", record_keys=True)
    async with app.run_test(size=SIZE) as pilot:
        await _begin(pilot)
        states = _states(app)
        await type_entry(pilot, " ".join(states[1]), paste=True, enter=False)
        assert app.screen.query_one("#entry").value == " ".join(states[1])
        await pilot.press("enter")
        await pilot.pause()
    with HumanDb(tmp_path / "study.sqlite", write=False) as store:
        keys = [k for (k,) in store.all("SELECT key FROM keys ORDER BY id")]
    assert keys == ["paste:" + " ".join(states[1])]
    _recs, (a,) = _stored(tmp_path)
    assert [st.queue for st in a.steps] == [states[1]]


async def test_the_keys_are_recorded_with_their_times(tmp_path):
    clock = FakeClock()
    app = human_app(tmp_path, clock, samples="0", record_keys=True)
    async with app.run_test(size=SIZE) as pilot:
        await _begin(pilot)
        states = _states(app)
        clock.advance(2)
        for ch in states[1]:
            await pilot.press(ch.lower())
            clock.advance(0.5)
        await pilot.press("backspace")
        await type_entry(pilot, states[1][-1])
    with HumanDb(tmp_path / "study.sqlite", write=False) as store:
        keys = store.all("SELECT step, at_ms, key FROM keys ORDER BY id")
    typed = [k for _s, _t, k in keys]
    assert typed == [*states[1].lower(), "backspace", states[1][-1]]
    assert keys[0][1] == pytest.approx(2000.0) and all(s == 1 for s, _t, _k in keys)
    _recs, (a,) = _stored(tmp_path)
    assert a.steps[0].first_key_ms == pytest.approx(2000.0)


async def test_a_resumed_session_says_so_and_goes_on_at_its_step(tmp_path):
    clock = FakeClock()
    app = human_app(tmp_path, clock, samples="0")
    async with app.run_test(size=SIZE) as pilot:
        await _begin(pilot)
        states = _states(app)
        clock.advance(65)
        await type_entry(pilot, states[1])
        await type_entry(pilot, states[2])
    app.session.close()
    again = human_app(tmp_path, clock, samples="0")
    async with again.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "Welcome back" in _text(again, "#intro-resumed")
        assert "instance 1 of 1, step 3" in _text(again, "#intro-resumed")
        assert "Press Enter to go on" in _text(again, "#intro-prompt")
        await _begin(pilot)
        assert "step 3 of 30" in _text(again, "#where")
        assert "step 2" in _text(again, "#steps")


async def test_a_store_failure_ends_the_app_with_one_line(tmp_path, monkeypatch):
    from tmtui.io import humanwrites as writes
    from tmtui.io.humandb import HumanDbError

    app = human_app(tmp_path, samples="0")
    async with app.run_test(size=SIZE) as pilot:
        await _begin(pilot)
        states = _states(app)

        def broken(*args, **kwargs):
            raise HumanDbError("study.sqlite: the disk is full")

        monkeypatch.setattr(writes, "add_step", broken)
        await type_entry(pilot, states[1])
        await pilot.pause()
    assert app.error == "study.sqlite: the disk is full"
    assert app.session.phase is Phase.INSTANCE


async def test_the_app_has_no_command_palette_and_no_file_keys(tmp_path):
    app = human_app(tmp_path, samples="0", feedback="after-instance")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")  # pause, not a palette
        await pilot.pause()
        assert app.session.paused
        await pilot.press("ctrl+p")
        await _begin(pilot)
        await type_entry(pilot, "halt")
        assert isinstance(app.screen, FeedbackScreen)
        actions = {b.binding.action for b in app.screen.active_bindings.values()}
        for forbidden in ("save", "write_transcript", "copy_record", "copy_transcript",
                          "inspector", "help", "command_palette", "restart"):  # fmt: skip
            assert forbidden not in actions
        for key in ("s", "w", "y", "Y", "i", "question_mark", "r"):
            await pilot.press(key)
        await pilot.pause()
        assert isinstance(app.screen, FeedbackScreen)
        assert not list(tmp_path.glob("*.txt")) and not list(tmp_path.glob("*.jsonl"))
    assert app.ENABLE_COMMAND_PALETTE is False


async def test_the_step_cap_ends_the_instance_and_the_next_one_starts(tmp_path):
    app = human_app(tmp_path, samples="0,6")
    async with app.run_test(size=SIZE) as pilot:
        await _begin(pilot)
        states = _states(app)
        assert len(states) == 31
        for k in range(1, 31):  # the middle steps pasted, to keep the test short
            await type_entry(pilot, states[k], paste=1 < k < 30)
        where = _text(app, "#where")
        assert "Instance 2 of 2" in where and "step 1 of 30" in where
        assert _text(app, "#steps") == "no step submitted yet"
    ((a, rec),), _ = _stored(tmp_path)
    assert a.status == "finished" and a.end_reason == "step-cap" and len(a.steps) == 30
    assert _score(rec).passed


async def test_after_step_feedback_on_scored_instances(tmp_path):
    app = human_app(tmp_path, samples="0", feedback="after-step")
    async with app.run_test(size=SIZE) as pilot:
        await _begin(pilot)
        states = _states(app)
        await type_entry(pilot, states[1])
        assert "step 1: ✓ right" in _text(app, "#entry-message")
        await type_entry(pilot, states[2][:-1])
        assert "step 2: ✗" in _text(app, "#entry-message")
        steps = _text(app, "#steps")
        assert "✓ right" in steps and "✗ copy error" in steps


async def test_symbols_typed_at_once_after_enter_reach_the_entry(tmp_path):
    """A fast typist presses Enter on the first screen and types on at once: the keys arrive
    before the instance screen is drawn (they reached the first screen and were lost; the
    browser test lost two this way). They go to the entry line, recorded as typed."""
    app = human_app(tmp_path, samples="6", record_keys=True)
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, IntroScreen)
        # what the terminal delivers in one read: Enter and the first symbols
        app.post_message(events.Key("enter", "\r"))
        for ch in "ab":
            app.post_message(events.Key(ch, ch))
        await pilot.pause(0.3)
        assert isinstance(app.screen, InstanceScreen)
        assert app.screen.query_one("#entry").value == "ab"
        assert app.typed_ahead == []
        await pilot.press("c")
        assert app.screen.query_one("#entry").value == "abc"
