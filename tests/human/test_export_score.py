"""One scoring path: the exported attempts, scored by `tmtui score` with either parser, give
exactly the verdicts of the steps as typed (early halts, corrections, assists, every preset
alphabet); the database itself scores the same; `tmtui view` takes the export as a model run."""

from __future__ import annotations

import json
import os
import random
import re
import stat

import pytest

from tests.cli.clihelp import invoke
from tmtui.core.parsed import ParserMode
from tmtui.human import Assist, Feedback
from tmtui.human.export import export_records
from tmtui.io.humanrecords import scored_records
from tmtui.io.jsonl import iter_jsonl
from tmtui.io.sources import ScoreItem, open_source
from tmtui.scoring import score_item

from .humankit import FakeClock, current, db_at, session, truth, type_queue


def _mutate(rng: random.Random, q: str, alphabet: tuple[str, ...]) -> str:
    """A queue with one slip: a symbol dropped, doubled or replaced, or nothing at all."""
    how = rng.choice(["drop", "double", "replace", "empty"] if q else ["replace"])
    if how == "empty":
        return ""
    if not q:
        return rng.choice(alphabet)
    i = rng.randrange(len(q))
    if how == "drop":
        return q[:i] + q[i + 1 :]
    if how == "double":
        return q[: i + 1] + q[i:]
    other = [s for s in alphabet if s != q[i]]
    return q[:i] + rng.choice(other) + q[i + 1 :]


def _entry(q: str, rng: random.Random) -> str:
    if not q:
        return "[]"
    style = rng.choice(["spaces", "commas", "packed", "brackets", "lower"])
    if style == "commas":
        return ", ".join(q)
    if style == "packed":
        return q
    if style == "brackets":
        return "[" + " ".join(q) + "]"
    if style == "lower":
        return " ".join(q).lower()
    return " ".join(q)


def _play(s, clock, rng: random.Random) -> dict[int, str]:
    """Type the instance in progress with slips, corrections and an early or late halt; the
    queues as finally submitted, by step."""
    inst = current(s)
    states = truth(s)
    n = len(states)
    stop = rng.choice([n - 1, n - 1, rng.randrange(0, n), min(inst.max_step, n + 2)])
    typed: dict[int, str] = {}
    for k in range(1, stop + 1):
        mine_before = typed.get(k - 1, inst.init) if k > 1 else inst.init
        right = states[k] if k < n else (inst.system.next_queue(mine_before) or mine_before)
        q = right if rng.random() < 0.75 else _mutate(rng, right, inst.alphabet)
        kept = mine_before[inst.m :]
        assist = s.settings.assist
        if assist is Assist.APPEND:
            if not q.startswith(kept):
                q = kept + q[len(kept) :]  # under append only the tail can be typed
            text = _entry(q[len(kept) :], rng) if q[len(kept) :] else "[]"
        else:
            text = _entry(q, rng)
        u = type_queue(s, clock, text, think=rng.uniform(0.5, 3), typing=rng.uniform(0.5, 3))
        assert u.ok, (text, u.error)
        typed[k] = q
        if k == inst.max_step:  # the cap ended it
            return typed
        if rng.random() < 0.15:  # a second thought about this step
            other = right if q != right else _mutate(rng, right, inst.alphabet)
            if assist is Assist.APPEND and other.startswith(kept):
                fix = _entry(other[len(kept) :], rng) if other[len(kept) :] else "[]"
            elif assist is Assist.APPEND:
                continue  # under append only the tail can be corrected
            else:
                fix = _entry(other, rng)
            if s.correct(fix).ok:
                typed[k] = other
    s.halt()
    return typed


def _expected(states: list[str], typed: dict[int, str]) -> tuple[str, int]:
    verdicts = "c" + "".join(
        ("c" if typed[k] == states[k] else "w") if k in typed else "m"
        for k in range(1, len(states))
    )
    return verdicts, sum(1 for k in typed if k >= len(states))


@pytest.mark.parametrize(
    ("preset", "assist", "seed"),
    [
        ("tmbench", Assist.NONE, 1),
        ("tmbench", Assist.PREFILL, 2),
        ("tmbench", Assist.APPEND, 3),
        ("tmbench-greek", Assist.NONE, 4),
        ("tmbench-special", Assist.APPEND, 5),
        ("tmbench-number", Assist.NONE, 6),
    ],
)
def test_the_exported_answer_scores_exactly_the_steps_as_typed(tmp_path, preset, assist, seed):
    rng = random.Random(seed)
    samples = [6, 13, 16, 24, *rng.sample(range(100), 6)]  # some halt early, most do not
    db, clock = db_at(tmp_path), FakeClock()
    s = session(db, clock, dataset=preset, samples=",".join(map(str, dict.fromkeys(samples))),
                assist=assist)  # fmt: skip
    expected = []
    while s.attempt is not None and s.view().instance is not None:
        states = truth(s)
        typed = _play(s, clock, rng)
        expected.append(_expected(states, typed))
    out = tmp_path / "human.jsonl"
    assert export_records(db, out) == len(expected)
    records = [rec for _n, rec in iter_jsonl(out)]
    assert all(r.kind == "human" and r.participant == "P01" for r in records)
    for path in (out, tmp_path / "study.sqlite"):
        items = list(open_source(path).items())
        assert len(items) == len(expected)
        for item, (verdicts, extra) in zip(items, expected, strict=True):
            assert isinstance(item, ScoreItem)
            for mode in ParserMode:
                sc = score_item(item, mode)
                assert (sc.verdicts, sc.extra_steps) == (verdicts, extra), (mode, item.answer)


def test_tmtui_score_reads_the_database_and_the_export_alike(tmp_path):
    db, clock = db_at(tmp_path), FakeClock()
    s = session(db, clock, samples="0,1,2", feedback=Feedback.NONE)
    rng = random.Random(11)
    for _ in range(3):
        _play(s, clock, rng)
    s.close()
    dbpath, out = tmp_path / "study.sqlite", tmp_path / "h.jsonl"
    assert invoke("human", "export", "--db", str(dbpath), "-o", str(out)).code == 0
    for parser in ("strict", "tmbench"):
        a = invoke("score", str(dbpath), "--json", "--per-sample", "--parser", parser)
        b = invoke("score", str(out), "--json", "--per-sample", "--parser", parser)
        assert a.code == b.code == 0, a.err
        ja, jb = a.json(), b.json()
        assert ja["n_samples"] == jb["n_samples"] == 3
        for key in ("pass_rate", "swa_uniform", "swa_linear", "step_accuracy", "diagnoses"):
            assert ja[key] == jb[key]
        assert [p["verdicts"] for p in ja["per_sample"]] == [
            p["verdicts"] for p in jb["per_sample"]
        ]
        assert ja["models"] == jb["models"] == ["human:P01"]
    table = invoke("score", str(dbpath))
    assert table.code == 0 and "study.sqlite" in table.stdout
    assert re.search(r"samples\s+│\s+3 │", table.stdout)


def test_view_takes_the_export_as_a_model_run(tmp_path):
    from tmtui.live.catalog import entry_sample, load_entries

    db, clock = db_at(tmp_path), FakeClock()
    s = session(db, clock, samples="0,6")
    _play(s, clock, random.Random(3))
    _play(s, clock, random.Random(4))
    out = tmp_path / "h.jsonl"
    export_records(db, out)
    entries = list(load_entries(out))
    assert [e.model for e in entries] == ["human:P01", "human:P01"]
    sample = entry_sample(entries[0])
    assert sample.answer == entries[0].item.answer and sample.model == "human:P01"
    assert sample.chunks and sum(c[1] for c in sample.chunks) == len(sample.answer)
    # the seconds of each step, where a model has tokens
    seconds = entries[0].item.record.meta["human"]["step_seconds"]
    assert seconds[0] is None and all(x > 0 for x in seconds[1:])


def test_practice_and_unfinished_attempts_are_not_exported(tmp_path):
    db, clock = db_at(tmp_path), FakeClock()
    s = session(db, clock, samples="0,1", practice=1)
    type_queue(s, clock, truth(s)[1])
    s.halt()
    s.next()
    type_queue(s, clock, truth(s)[1])
    s.halt()
    type_queue(s, clock, truth(s)[1])  # instance 1 in progress
    s.close()
    out = tmp_path / "h.jsonl"
    recs = [r for _a, r in scored_records(db_at(tmp_path))]
    assert [r.index for r in recs] == [0]
    n = export_records(db_at(tmp_path), out)
    assert n == 1 and len(out.read_text().splitlines()) == 1
    rec = json.loads(out.read_text())
    assert rec["kind"] == "human" and rec["model"] == "human:P01" and rec["session"] == s.uid
    assert rec["prompt_template"] == "human" and rec["meta"]["human"]["practice"] is False


# -- the output: only a tmtui record file is replaced (issue 9, class 2) ----------------------


def _one_export(tmp_path):
    db, clock = db_at(tmp_path), FakeClock()
    s = session(db, clock, samples="0")
    _play(s, clock, random.Random(5))
    s.close()
    return tmp_path / "study.sqlite"


def _not_ours(tmp_path, kind: str):
    p = tmp_path / f"out-{kind}"
    if kind == "dataset":  # a dataset written without a final newline
        p.write_text(json.dumps({"symbol_set": ["A"], "samples": []}, indent=1))
    elif kind == "one-line":
        p.write_text('{"results": [1, 2, 3]}')
    elif kind == "fifo":
        os.mkfifo(p)
    elif kind == "dir":
        p.mkdir()
    elif kind == "chardev":  # a device node of our own (never a real /dev entry)
        os.mknod(p, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    return p


KINDS = ["dataset", "one-line", "fifo", "dir"] + (["chardev"] if os.geteuid() == 0 else [])


@pytest.mark.parametrize("kind", KINDS)
def test_export_refuses_an_output_that_is_no_record_file(tmp_path, kind):
    """`human export -o` onto a dataset, a results file, a FIFO, a directory or a device:
    one line, exit 2, the output as it was (before: it was replaced by the export, a FIFO
    or a device node by a regular file)."""
    dbpath = _one_export(tmp_path)
    out = _not_ours(tmp_path, kind)
    before = os.lstat(out)
    content = out.read_bytes() if kind in ("dataset", "one-line") else None
    r = invoke("human", "export", "--db", str(dbpath), "-o", str(out))
    assert r.code == 2, r.stderr
    err = r.stderr
    assert err.startswith(f"tmtui: error: refusing to write {out}") and err.count("\n") == 1
    after = os.lstat(out)
    assert stat.S_IFMT(after.st_mode) == stat.S_IFMT(before.st_mode)
    assert after.st_ino == before.st_ino
    if content is not None:
        assert out.read_bytes() == content
    assert sorted(x.name for x in tmp_path.iterdir() if x.name.startswith(".")) == []


def test_export_never_follows_a_planted_side_file(tmp_path):
    """The file written before it takes the output's place has a name nobody can guess
    (before: ``.OUT.PID.part``; a link planted there to a record file had the export appended
    to that file, then replaced the output by the link)."""
    dbpath = _one_export(tmp_path)
    victim = tmp_path / "victim.jsonl"
    invoke("human", "export", "--db", str(dbpath), "-o", str(victim))
    victim_bytes = victim.read_bytes()
    out = tmp_path / "h.jsonl"
    for pid in range(os.getpid() - 5, os.getpid() + 50):  # this process's, and the next
        (tmp_path / f".h.jsonl.{pid}.part").symlink_to(victim)
    r = invoke("human", "export", "--db", str(dbpath), "-o", str(out))
    assert r.code == 0, r.stderr
    assert victim.read_bytes() == victim_bytes
    assert not out.is_symlink() and out.read_bytes() == victim_bytes


def test_export_replaces_its_own_earlier_export(tmp_path):
    dbpath = _one_export(tmp_path)
    out = tmp_path / "h.jsonl"
    for _ in range(2):
        r = invoke("human", "export", "--db", str(dbpath), "-o", str(out))
        assert r.code == 0, r.stderr
    assert len(out.read_text().splitlines()) == 1
    assert [x.name for x in tmp_path.iterdir() if x.name.startswith(".")] == []
