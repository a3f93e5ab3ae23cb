"""Assists (logged per step and carried into the records), key maps for the Greek and special
presets, and practice instances (never the study's, always with feedback, never exported)."""

from __future__ import annotations

import pytest

from tmtui.core.diagnose import Kind
from tmtui.human import Assist, EventKind, Feedback, Phase, SessionError
from tmtui.io import humanrows as rows
from tmtui.io.humanrecords import scored_records
from tmtui.io.sources import ScoreItem
from tmtui.scoring import score_item

from .humankit import TMBENCH, FakeClock, current, db_at, session, truth, type_queue


def _scored(db):
    (a, rec) = next(scored_records(db))
    inst = current_of(rec)
    return a, rec, score_item(ScoreItem("x", "y", inst, rec.answer, status=rec.status))


def current_of(rec):
    from tmtui.io.records import instance_of

    return instance_of(rec)


def test_prefill_starts_the_entry_with_the_previous_queue_minus_m_symbols(tmp_path):
    db, clock = db_at(tmp_path), FakeClock()
    s = session(db, clock, samples="0", assist=Assist.PREFILL)
    states = truth(s)
    inst = current(s)
    entry = s.view().instance.entry
    assert entry.mode == "queue" and entry.prefill == " ".join(states[0][inst.m :]) + " "
    # the participant completes the prefilled entry
    type_queue(s, clock, entry.prefill + " ".join(inst.rules[states[0][0]]))
    # the next prefill comes from their own queue, not the truth
    mine = states[1][:-1]
    type_queue(s, clock, mine)
    assert s.view().instance.entry.prefill == " ".join(mine[inst.m :]) + " "
    s.halt()
    a, rec, sc = _scored(db)
    assert [st.assist for st in a.steps] == ["prefill", "prefill"]
    assert a.steps[0].prefill == " ".join(states[0][inst.m :])
    meta = rec.meta["human"]
    assert meta["assist"] == "prefill" and meta["steps"][1]["prefill"] == " ".join(
        states[1][inst.m :]
    )
    assert sc.verdicts[:3] == "ccw"


def test_append_types_only_the_production_and_separates_rule_errors(tmp_path):
    db, clock = db_at(tmp_path), FakeClock()
    s = session(db, clock, samples="0", assist=Assist.APPEND)
    states = truth(s)
    inst = current(s)
    entry = s.view().instance.entry
    assert entry.mode == "production" and entry.fixed == states[0][inst.m :]
    assert entry.prefill == ""
    u = type_queue(s, clock, inst.rules[states[0][0]].lower())
    assert u.view.instance.steps[0].queue == states[1]
    # step 2: the production of another symbol (a rule error: the head misread)
    head = states[1][0]
    other = next(x for x in inst.alphabet if inst.rules[x] != inst.rules[head])
    type_queue(s, clock, inst.rules[other])
    s.halt()
    a, rec, sc = _scored(db)
    assert [st.typed for st in a.steps] == [inst.rules[states[0][0]].lower(), inst.rules[other]]
    assert [st.prefill for st in a.steps] == [states[0][inst.m :], states[1][inst.m :]]
    assert rec.meta["human"]["assist"] == "append"
    assert sc.first_divergence == 2
    assert sc.diagnosis.kind in (Kind.WRONG_HEAD, Kind.WRONG_PRODUCTION)


def test_a_correction_under_append_is_a_production_too(tmp_path):
    db, clock = db_at(tmp_path), FakeClock()
    s = session(db, clock, samples="0", assist=Assist.APPEND)
    states = truth(s)
    inst = current(s)
    type_queue(s, clock, inst.rules[states[0][0]] + inst.rules[states[0][0]])
    assert s.correct(inst.rules[states[0][0]]).ok
    assert s.view().instance.steps[0].queue == states[1]


@pytest.mark.parametrize(
    ("preset", "keys"),
    [("tmbench-greek", "1=α 2=β 3=γ 4=δ 5=ε"), ("tmbench-special", "1=@ 2=# 3=$ 4=% 5=&")],
)
def test_the_key_map_of_the_greek_and_special_presets(tmp_path, preset, keys):
    db, clock = db_at(tmp_path), FakeClock()
    s = session(db, clock, dataset=preset, samples="0")
    assert preset.split("-")[1] in s.view().instance.dataset
    km = s.view().instance.key_map
    assert km is not None and km.describe() == keys
    assert keys in s.intro()
    states = truth(s)
    alphabet = current(s).alphabet
    as_keys = " ".join(str(alphabet.index(sym) + 1) for sym in states[1])
    u = type_queue(s, clock, as_keys)
    assert u.ok and u.view.instance.steps[0].queue == states[1]
    type_queue(s, clock, states[2])  # the symbols themselves work too
    s.halt()
    a, rec, sc = _scored(db)
    assert a.steps[0].typed == as_keys and a.steps[0].queue == states[1]
    assert sc.verdicts[:3] == "ccc"
    assert "[" + " ".join(states[1]) + "]" in rec.answer


def test_easy_presets_have_no_key_map(tmp_path):
    clock = FakeClock()
    for preset in ("tmbench", "tmbench-number"):
        s = session(db_at(tmp_path), clock, f"P-{preset}", dataset=preset, samples="0")
        assert s.view().instance.key_map is None
        s.close()


def test_practice_comes_first_with_feedback_and_is_never_exported(tmp_path):
    db, clock = db_at(tmp_path), FakeClock()
    s = session(db, clock, samples="0", practice=2)  # blind for the scored instance
    study_rules = {tuple(sorted(i.rules.items())) for i in TMBENCH}
    study_ids = {i.id for i in TMBENCH}
    for n in (1, 2):
        v = s.view().instance
        assert v.practice and v.number == n and v.count == 2 and v.feedback is Feedback.AFTER_STEP
        inst = current(s)
        assert inst.id not in study_ids and tuple(sorted(inst.rules.items())) not in study_rules
        assert (inst.m, inst.alphabet, inst.max_states) == (2, TMBENCH[0].alphabet, 31)
        u = type_queue(s, clock, truth(s)[1])
        assert u.events[0].feedback is not None and u.events[0].feedback.correct
        u = s.halt()
        assert u.view.phase is Phase.FEEDBACK and u.view.result is not None
        s.next()
    v = s.view().instance
    assert not v.practice and v.number == 1 and v.count == 1 and v.feedback is Feedback.NONE
    u = type_queue(s, clock, truth(s)[1])
    assert u.events[0].feedback is None
    s.halt()
    attempts = rows.attempt_rows(db, s.id)
    assert [a.practice for a in attempts] == [True, True, False]
    assert all(a.status == "finished" for a in attempts)
    exported = [a.id for a, _rec in scored_records(db)]
    assert exported == [attempts[2].id]
    # the practice set is the same for every participant (its seed is stored)
    t = session(db, FakeClock(), "P02", samples="0", practice=2)
    assert [it["instance"]["id"] for it in t.items[:2]] == [
        it["instance"]["id"] for it in s.items[:2]
    ]
    assert t.settings.practice_seed == s.settings.practice_seed is not None


def test_bad_session_options_are_one_line(tmp_path):
    db, clock = db_at(tmp_path), FakeClock()
    cases = [
        ({"samples": "0-200"}, "outside the dataset"),
        ({"samples": "3,3"}, "listed twice"),
        ({"samples": "5-2"}, "runs backwards"),
        ({"samples": "a"}, "bad --samples"),
        ({"time_limit": 0}, "--time-limit"),
        ({"time_limit": float("nan")}, "--time-limit"),
        ({"practice": -1}, "--practice"),
        ({"practice": 500}, "--practice"),
        ({"dataset": "nope.json"}, "no such file"),
    ]
    for request, message in cases:
        with pytest.raises(SessionError, match=message.replace("-", r"\-")) as exc:
            session(db, clock, **request)
        assert "\n" not in str(exc.value)
    for bad in ("", "a b", "me@example.org", "-x", "x" * 65, "P\x1b01"):
        with pytest.raises(SessionError, match="pseudonym"):
            session(db, clock, bad, samples="0")


def test_the_session_ends_after_its_last_instance(tmp_path):
    db, clock = db_at(tmp_path), FakeClock()
    s = session(db, clock, samples="6,16")  # two instances that halt at step 4 and 3
    for _ in range(2):
        states = truth(s)
        for k in range(1, len(states)):
            type_queue(s, clock, states[k])
        u = s.halt()
    assert u.kinds() == [EventKind.INSTANCE_ENDED, EventKind.SESSION_FINISHED]
    assert u.view.phase is Phase.DONE and u.view.done == u.view.total == 2
    assert rows.session_row(db, s.id).status == "finished"
    assert not s.submit("A").ok
    s.close()
    # a finished session is not resumed: the same command starts a new one
    db = db_at(tmp_path)
    t = session(db, FakeClock(), samples="6")
    assert t.uid != s.uid and t.resumed is None
