"""`tmtui human`: the session command (checked and stored; without a terminal, refused with one
line, the session kept for the same command in a terminal),
`plan`, `status`, `delete` and `export`, and one clear line with exit 2 for every bad database
or option."""

from __future__ import annotations

import json
import re

import pytest

from tests.cli.clihelp import invoke, run
from tmtui.io.humanrecords import scored_records
from tmtui.io.humanstudy import assignment

from .humankit import FakeClock, db_at, session, truth, type_queue

NO_TERMINAL = "the session screen needs a terminal"


def _one_error_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("tmtui: error: "), err
    assert "Traceback" not in err
    return lines[0]


def test_help_shows_the_session_and_the_commands():
    out = invoke("human", "--help").stdout
    assert "Usage: tmtui human [OPTIONS] [DATASET] | COMMAND [ARGS]..." in out
    for option in ("--participant", "--db", "--samples", "--shuffle-seed", "--practice",
                   "--time-limit", "--feedback", "--assist", "--record-keys", "--new-session"):  # fmt: skip
        assert option in out
    assert "[none|after-instance|after-step]" in out and "[none|prefill|append]" in out
    assert "$XDG_DATA_HOME/tmtui/human.sqlite" in out
    for command in ("plan", "status", "delete", "export"):
        assert re.search(rf"│ {command}\s+\S", out)
    plan = invoke("human", "plan", "--help").stdout
    assert "Usage: tmtui human plan [OPTIONS] [DATASET]" in plan and "--per-instance" in plan
    # alone, it shows the help
    alone = invoke("human")
    assert "Usage: tmtui human" in alone.stdout


def test_a_session_is_checked_stored_and_without_a_terminal_refused_in_one_line(tmp_path):
    db = tmp_path / "s.sqlite"
    r = invoke("human", "tmbench", "--participant", "P01", "--db", str(db), "--samples", "3,1",
               "--practice", "1", "--time-limit", "300", "--feedback", "after-instance",
               "--assist", "prefill", "--record-keys")  # fmt: skip
    assert r.code == 2
    lines = r.stderr.strip().splitlines()
    assert re.fullmatch(
        rf"tmtui: P01: new session s[0-9a-f]{{8}} in {re.escape(str(db))}: 3 instances", lines[0]
    )
    assert (
        lines[1]
        == f"tmtui: error: {NO_TERMINAL} (or a browser, served): the session is stored and the "
        "same command resumes it"
    )
    st = invoke("human", "status", "--db", str(db), "--json").json()
    (p,) = st["participants"]
    assert p["participant"] == "P01" and p["open_session"] and not p["working"]
    assert (p["at_instance"], p["of_instances"], p["at_step"]) == (1, 3, 1)
    # again: the same session, resumed (options that agree may be given again)
    r = invoke("human", "--participant", "P01", "--db", str(db), "--feedback", "after-instance")
    assert r.code == 2 and "Welcome back" in r.stderr and p["open_session"] in r.stderr
    r = invoke("human", "--participant", "P01", "--db", str(db), "--assist", "append")
    line = _one_error_line(r.stderr)
    assert "unfinished session" in line and "--assist prefill" in line and "--new-session" in line
    r = invoke("human", "--participant", "P01", "--db", str(db), "--new-session")
    assert r.code == 2 and "new session" in r.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "missing --participant"),
        (["--participant", "a b"], "bad participant ID"),
        (["--participant", "P1", "--samples", "0-200"], "outside the dataset"),
        (["--participant", "P1", "--time-limit", "-3"], "--time-limit"),
        (["--participant", "P1", "nope.json"], "nope.json: no such file"),
        (["--participant", "P1", "stauts"], "did you mean the command 'tmtui human status'"),
        (["--participant", "P1", "--feedback", "loud"], "Invalid value for '--feedback'"),
    ],
)
def test_bad_session_options_are_one_line_with_exit_2(tmp_path, args, message):
    r = run("human", "--db", str(tmp_path / "s.sqlite"), *args)
    assert r.code == 2
    assert message in r.stderr
    if "Invalid value" not in message:
        _one_error_line(r.stderr)


def test_bad_databases_are_one_line_with_exit_2(tmp_path):
    text = tmp_path / "notes.txt"
    text.write_text("hello\n")
    newer = tmp_path / "newer.sqlite"
    db_at(tmp_path, "newer.sqlite").close()
    import sqlite3

    with sqlite3.connect(newer) as c:
        c.execute("PRAGMA user_version = 99")
    c.close()
    cases = [
        (tmp_path, "is a directory"),
        (text, "not a SQLite database"),
        (newer, "made by a newer tmtui"),
        (tmp_path / "missing" / "s.sqlite", "no such directory"),
    ]
    for path, message in cases:
        for args in (
            ["human", "--participant", "P01", "--db", str(path)],
            ["human", "status", "--db", str(path)],
            ["human", "export", "--db", str(path), "-o", str(tmp_path / "o.jsonl")],
            ["human", "plan", "--db", str(path), "--participants", "P01", "--samples", "0"],
            ["human", "delete", "--db", str(path), "--participant", "P01", "--yes"],
        ):
            r = run(*args)
            assert r.code == 2, (args, r.stderr)
            line = _one_error_line(r.stderr)
            assert message in line or "no such database" in line, (args, line)
    assert text.read_text() == "hello\n"
    r = run("human", "status", "--db", str(tmp_path / "none.sqlite"))
    assert r.code == 2 and "no such database" in _one_error_line(r.stderr)
    assert not (tmp_path / "none.sqlite").exists()


def test_the_default_database_is_in_the_user_data_directory(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    r = invoke("human", "--participant", "P01", "--samples", "0")
    assert r.code == 2 and NO_TERMINAL in r.stderr
    where = tmp_path / "data" / "tmtui" / "human.sqlite"
    assert where.exists() and str(where) in r.stderr
    st = invoke("human", "status", "--json").json()
    assert st["db"] == str(where) and st["participants"][0]["participant"] == "P01"


def test_plan_status_export_delete(tmp_path):
    db = tmp_path / "s.sqlite"
    r = invoke("human", "plan", "--db", str(db), "--participants", "P01,P02,P03",
               "--samples", "0-5", "--per-instance", "2", "--seed", "3")  # fmt: skip
    assert r.code == 0, r.stderr
    rows = [line.split("\t") for line in r.stdout.strip().splitlines()]
    assert [row[0] for row in rows] == ["P01", "P02", "P03"]
    assert all(row[1] == "4 instances" for row in rows)
    assert "plan 1 stored" in r.stderr and "each solved by 2" in r.stderr
    store = db_at(tmp_path, "s.sqlite")
    orders = {p: [it["index"] for it in assignment(store, p).items] for p in ("P01", "P02", "P03")}
    assert sorted(i for o in orders.values() for i in o) == sorted(list(range(6)) * 2)
    # the same participants again: refused, nothing changed
    r = invoke("human", "plan", "--db", str(db), "--participants", "P03,P04", "--samples", "0")
    assert r.code == 2 and "P03 already have an assignment" in _one_error_line(r.stderr)
    # P01 works on their first instance and finishes it
    clock = FakeClock()
    s = session(store, clock)
    assert s.view().instance.index == orders["P01"][0]
    states = truth(s)
    for k in range(1, min(4, len(states))):
        type_queue(s, clock, states[k])
    s.halt()
    s.close()
    st = invoke("human", "status", "--db", str(db), "--json").json()
    by = {p["participant"]: p for p in st["participants"]}
    assert by["P01"]["done"] == 1 and by["P01"]["assigned"] == 4
    assert by["P01"]["active_seconds"] > 0 and by["P02"]["done"] == 0
    assert st["plans"] == [
        {"id": 1, "dataset": "tmbench", "instances": 6, "per_instance": 2, "seed": 3,
         "participants": 3}
    ]  # fmt: skip
    table = invoke("human", "status", "--db", str(db))
    assert table.code == 0 and "P01" in table.stdout and "1/4" in table.stdout
    out = tmp_path / "h.jsonl"
    r = invoke("human", "export", "--db", str(db), "-o", str(out))
    assert r.code == 0 and "wrote 1 record(s)" in r.stderr
    (rec,) = [json.loads(x) for x in out.read_text().splitlines()]
    assert rec["participant"] == "P01" and rec["model"] == "human:P01"
    assert rec["index"] == orders["P01"][0] and rec["meta"]["human"]["plan"] == 1
    r = invoke("human", "export", "--db", str(db), "--participant", "P02", "-o", str(out))
    assert r.code == 0 and out.read_text() == ""  # replaced, not appended
    r = invoke("human", "export", "--db", str(db), "--participant", "P09", "-o", str(out))
    assert r.code == 2 and "no participant 'P09'" in r.stderr
    # delete: asks unless --yes
    r = run("human", "delete", "--db", str(db), "--participant", "P01")
    assert r.code == 2 and "--yes" in _one_error_line(r.stderr)
    r = invoke("human", "delete", "--db", str(db), "--participant", "P01", "--yes")
    assert r.code == 0 and "deleted P01" in r.stderr and "4 assignments" in r.stderr
    assert [
        p["participant"]
        for p in invoke("human", "status", "--db", str(db), "--json").json()["participants"]
    ] == ["P02", "P03"]
    assert list(scored_records(db_at(tmp_path, "s.sqlite"))) == []
    r = invoke("human", "delete", "--db", str(db), "--participant", "P01", "--yes")
    assert r.code == 2 and "no participant 'P01'" in r.stderr


def test_delete_asks_in_a_terminal(tmp_path, monkeypatch):
    import tmtui.cli.human as cli

    db = tmp_path / "s.sqlite"
    invoke("human", "plan", "--db", str(db), "--participants", "P01", "--samples", "0")
    monkeypatch.setattr(cli, "_interactive", lambda: True)
    from typer.testing import CliRunner

    from tmtui.cli import app

    args = ["human", "delete", "--db", str(db), "--participant", "P01"]
    r = CliRunner().invoke(app, args, input="n\n")
    assert r.exit_code == 2 and "Delete P01 and all their data" in r.output
    assert "nothing deleted" in r.output
    assert assignment(db_at(tmp_path, "s.sqlite"), "P01") is not None
    r = CliRunner().invoke(app, args, input="y\n")
    assert r.exit_code == 0 and "deleted P01" in r.output
    assert assignment(db_at(tmp_path, "s.sqlite"), "P01") is None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--participants", ""], "missing --participants"),
        (["--participants", "P01,x y"], "bad participant ID"),
        (["--participants", "P01,P02", "--per-instance", "3"], "between 1 and the number"),
        (["--participants", "P01", "--samples", "7,7"], "listed twice"),
        (["--participants", "P01", "nope"], "no such file"),
    ],
)
def test_bad_plans_are_one_line_with_exit_2(tmp_path, args, message):
    r = run("human", "plan", "--db", str(tmp_path / "s.sqlite"), *args)
    assert r.code == 2 and message in _one_error_line(r.stderr)
    assert not (tmp_path / "s.sqlite").exists()  # nothing was made


def test_a_store_failure_on_the_screens_is_one_line_with_exit_2(tmp_path, monkeypatch):
    """The screens end with a store failure's line (a full disk): the command prints it, exits
    2, and the session (closed, its clocks saved) resumes later."""
    from tmtui.cli import human as human_cli
    from tmtui.tui.human.app import HumanApp

    def run(self):
        self.error = "s.sqlite: the disk is full (nothing of the last entry was stored)"

    monkeypatch.setattr(human_cli, "_can_show_screens", lambda: True)
    monkeypatch.setattr(HumanApp, "run", run)
    db = tmp_path / "s.sqlite"
    r = invoke("human", "--participant", "P01", "--db", str(db), "--samples", "0")
    assert r.code == 2
    assert r.stderr.strip().splitlines()[-1] == (
        "tmtui: error: s.sqlite: the disk is full (nothing of the last entry was stored)"
    )
    st = invoke("human", "status", "--db", str(db), "--json").json()
    (p,) = st["participants"]
    assert p["open_session"] and not p["working"]  # closed: the same command resumes it


def test_status_shows_names_from_a_crafted_database_as_text(tmp_path):
    """A database written by something else: a participant's name and a dataset's name that
    hold escapes, C1 and bidi controls reach neither the table nor the JSON raw (before:
    `status --json` printed U+009B and U+202E as they were)."""
    import sqlite3

    db = tmp_path / "s.sqlite"
    invoke("human", "tmbench", "--participant", "P01", "--db", str(db), "--samples", "1")
    evil = "P\x1b]2;PWNED\x07\u009b7777;7777H\u202e\u2066"
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE participants SET name = ?", (evil,))
        conn.execute("UPDATE sessions SET dataset_name = ?", ("ds" + evil,))
    raw = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
    r = run("human", "status", "--db", str(db), "--json")
    assert r.code == 0 and not raw.search(r.stdout + r.stderr), r.stdout
    assert json.loads(r.stdout)["participants"][0]["participant"] == evil  # exact, escaped
    r = run("human", "status", "--db", str(db))
    assert r.code == 0 and not raw.search(r.stdout + r.stderr) and "␛" in r.stdout
