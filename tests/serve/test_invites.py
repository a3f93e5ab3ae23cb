"""Invitation links: tokens of 256 random bits, only their hash stored, a new link replacing
the old, gone with the participant; `tmtui human invite` prints links only, one per line."""

from __future__ import annotations

import re
import sqlite3

import pytest

from tests.cli.clihelp import invoke
from tmtui.io.humandb import SCHEMA_VERSION, HumanDb
from tmtui.io.humaninvites import (
    invite,
    invited,
    link,
    participant_for,
    participants,
    token_hash,
)
from tmtui.io.humanstudy import delete_participant

LINK = re.compile(r"http://127\.0\.0\.1:8000/s/([A-Za-z0-9_-]{43})")


def _plan(db, names=("P01", "P02", "P03")):
    r = invoke("human", "plan", "--db", str(db), "--participants", ",".join(names),
               "--samples", "0-5")  # fmt: skip
    assert r.code == 0, r.stderr


def _one_error_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("tmtui: error: "), err
    return lines[0]


def test_a_token_opens_its_participant_only_and_only_its_hash_is_stored(tmp_path):
    db_path = tmp_path / "s.sqlite"
    _plan(db_path)
    with HumanDb(db_path) as db:
        made = invite(db, ["P01", "P02"])
        assert [n for n, _ in made] == ["P01", "P02"]
        tokens = [t for _, t in made]
        assert len(set(tokens)) == 2
        for t in tokens:
            assert re.fullmatch(r"[A-Za-z0-9_-]{43}", t)  # 32 bytes, URL-safe base64
        assert participant_for(db, tokens[0]) == "P01"
        assert participant_for(db, tokens[1]) == "P02"
        assert invited(db) == ["P01", "P02"]
        stored = db.all("SELECT token_sha256 FROM invites ORDER BY participant_id")
        assert stored == [(token_hash(tokens[0]),), (token_hash(tokens[1]),)]
        # near misses open nothing
        t = tokens[0]
        for forged in ("", t[:-1], t + "A", t[:-1] + ("A" if t[-1] != "A" else "B"),
                       t.upper() if t.upper() != t else t.lower(), "../" + t[3:],
                       token_hash(t), " " + t[1:]):  # fmt: skip
            assert participant_for(db, forged) is None, forged
    data = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    for t in tokens:
        assert t.encode() not in data


def test_inviting_again_replaces_the_link_and_deleting_removes_it(tmp_path):
    db_path = tmp_path / "s.sqlite"
    _plan(db_path)
    with HumanDb(db_path) as db:
        [(_, old)] = invite(db, ["P01"])
        [(_, new)] = invite(db, ["P01"])
        assert old != new
        assert participant_for(db, old) is None
        assert participant_for(db, new) == "P01"
        assert db.one("SELECT count(*) FROM invites") == (1,)
        assert delete_participant(db, "P01") is not None
        assert participant_for(db, new) is None
        assert db.one("SELECT count(*) FROM invites") == (0,)


def test_an_unknown_participant_invites_nobody(tmp_path):
    db_path = tmp_path / "s.sqlite"
    _plan(db_path)
    with HumanDb(db_path) as db:
        with pytest.raises(KeyError):
            invite(db, ["P01", "P99"])
        assert invited(db) == []  # P01's link was not made either: one transaction


def test_a_schema_1_database_gains_the_invites_table_and_keeps_its_data(tmp_path):
    db_path = tmp_path / "s.sqlite"
    _plan(db_path)
    c = sqlite3.connect(db_path)
    c.execute("DROP TABLE invites")
    c.execute("PRAGMA user_version = 1")
    c.commit()
    c.close()
    with HumanDb(db_path) as db:
        assert db.schema_version == SCHEMA_VERSION == 2
        assert participants(db) == ["P01", "P02", "P03"]
        [(_, t)] = invite(db, ["P02"])
        assert participant_for(db, t) == "P02"


def test_link_format():
    t = "x" * 43
    assert link("127.0.0.1", 8000, t) == f"http://127.0.0.1:8000/s/{t}"
    assert link("::1", 9, t) == f"http://[::1]:9/s/{t}"
    assert link("lab-pc.local", 80, t) == f"http://lab-pc.local:80/s/{t}"


def test_invite_prints_links_only_one_per_line(tmp_path):
    db = tmp_path / "s.sqlite"
    _plan(db)
    r = invoke("human", "invite", "--db", str(db), "--all")
    assert r.code == 0, r.stderr
    lines = r.stdout.splitlines()
    assert len(lines) == 3 and r.stdout.endswith("\n")
    tokens = [LINK.fullmatch(line).group(1) for line in lines]
    with HumanDb(db) as store:
        assert [participant_for(store, t) for t in tokens] == ["P01", "P02", "P03"]
    assert "in this order: P01, P02, P03" in r.stderr
    one = invoke("human", "invite", "--db", str(db), "--participant", "P02",
                 "--host", "10.1.2.3", "--port", "8765")  # fmt: skip
    assert one.code == 0, one.stderr
    (line,) = one.stdout.splitlines()
    m = re.fullmatch(r"http://10\.1\.2\.3:8765/s/([A-Za-z0-9_-]{43})", line)
    assert m
    with HumanDb(db) as store:
        assert participant_for(store, m.group(1)) == "P02"
        assert participant_for(store, tokens[1]) is None  # replaced
        assert participant_for(store, tokens[0]) == "P01"  # the others keep theirs


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "name who to invite: --participant ID or --all"),
        (["--participant", "P01", "--all"], "name who to invite: --participant ID or --all"),
        (["--participant", "P99"], "no participant 'P99' in"),
        (["--all", "--host", "a b"], "bad --host 'a b'"),
        (["--all", "--host", "x/y"], "bad --host 'x/y'"),
        (["--all", "--port", "0"], "bad --port 0"),
        (["--all", "--port", "70000"], "bad --port 70000"),
    ],
)
def test_invite_bad_input_is_one_line(tmp_path, args, message):
    db = tmp_path / "s.sqlite"
    _plan(db)
    r = invoke("human", "invite", "--db", str(db), *args)
    assert r.code == 2
    assert message in _one_error_line(r.stderr)
    assert r.stdout == ""


def test_invite_bad_database_is_one_line(tmp_path):
    r = invoke("human", "invite", "--db", str(tmp_path / "none.sqlite"), "--all")
    assert r.code == 2 and "no such database" in _one_error_line(r.stderr)
    (tmp_path / "text.sqlite").write_text("hello\n")
    r = invoke("human", "invite", "--db", str(tmp_path / "text.sqlite"), "--all")
    assert r.code == 2 and "not a SQLite database" in _one_error_line(r.stderr)
    empty = tmp_path / "empty.sqlite"
    HumanDb(empty).close()
    r = invoke("human", "invite", "--db", str(empty), "--all")
    assert r.code == 2 and "no participants in" in _one_error_line(r.stderr)
