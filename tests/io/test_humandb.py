"""The human-attempt store: its schema, version and migrations; every file it cannot use is one
clear line and is left as it was; a full disk loses nothing stored; two processes write at
once without losing a step; deleted data leaves the file; `tmtui score` finds its attempts."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.human.humankit import FakeClock, session, truth, type_queue
from tmtui.io import humandb
from tmtui.io import humanrows as rows
from tmtui.io.humandb import APPLICATION_ID, SCHEMA_VERSION, HumanDb, HumanDbError
from tmtui.io.humanstudy import delete_participant
from tmtui.io.sources import HumanDbSource, SourceError, open_source, sniff

ROOT = Path(__file__).resolve().parents[2]


def _raw(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path, isolation_level=None)


def _one_line(exc: BaseException) -> str:
    msg = str(exc)
    assert "\n" not in msg and "Traceback" not in msg
    return msg


def test_a_new_database_has_the_schema_its_version_and_wal(tmp_path):
    path = tmp_path / "h.sqlite"
    with HumanDb(path) as db:
        assert db.schema_version == SCHEMA_VERSION
        assert db.one("PRAGMA application_id") == (APPLICATION_ID,)
        assert db.one("PRAGMA journal_mode") == ("wal",)
        assert db.one("PRAGMA synchronous") == (2,)  # FULL: every commit on disk
        assert db.one("PRAGMA foreign_keys") == (1,)
        tables = {r[0] for r in db.all("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert tables == {
        "participants",
        "plans",
        "assignments",
        "sessions",
        "attempts",
        "steps",
        "corrections",
        "events",
        "keys",
        "invites",
    }
    assert path.read_bytes().startswith(b"SQLite format 3\x00")
    assert sniff(path) == "human-db"


def test_reading_needs_an_existing_database(tmp_path):
    with pytest.raises(HumanDbError, match="no such database") as exc:
        HumanDb(tmp_path / "none.sqlite", write=False)
    _one_line(exc.value)
    assert not (tmp_path / "none.sqlite").exists()
    with pytest.raises(HumanDbError, match="no such directory"):
        HumanDb(tmp_path / "no" / "h.sqlite")


def test_a_database_from_a_newer_tmtui_is_refused_and_left_alone(tmp_path):
    path = tmp_path / "h.sqlite"
    HumanDb(path).close()
    with _raw(path) as c:
        c.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    c.close()
    before = path.read_bytes()
    for write in (True, False):
        with pytest.raises(HumanDbError) as exc:
            HumanDb(path, write=write)
        assert _one_line(exc.value) == (
            f"{path}: made by a newer tmtui (schema {SCHEMA_VERSION + 1}; this tmtui knows up "
            f"to {SCHEMA_VERSION}): upgrade tmtui to open it"
        )
    with pytest.raises(SourceError, match="made by a newer tmtui"):
        open_source(path)
    assert path.read_bytes() == before


def _v2(monkeypatch, statements):
    monkeypatch.setattr(humandb, "MIGRATIONS", [*humandb.MIGRATIONS, statements])
    monkeypatch.setattr(humandb, "SCHEMA_VERSION", SCHEMA_VERSION + 1)


def test_an_older_schema_is_migrated_and_keeps_its_data(tmp_path, monkeypatch):
    path = tmp_path / "h.sqlite"
    s = session(HumanDb(path), FakeClock(), samples="0")
    type_queue(s, FakeClock(), truth(s)[1])
    s.close()
    _v2(monkeypatch, ["ALTER TABLE participants ADD COLUMN token TEXT"])
    with HumanDb(path) as db:
        assert db.schema_version == SCHEMA_VERSION + 1
        assert db.all("SELECT name, token FROM participants") == [("P01", None)]
        assert len(rows.attempt_rows(db, s.id)[0].steps) == 1


def test_a_failing_migration_changes_nothing(tmp_path, monkeypatch):
    path = tmp_path / "h.sqlite"
    HumanDb(path).close()
    _v2(monkeypatch, ["CREATE TABLE extra (x)", "ALTER TABLE nowhere ADD COLUMN y"])
    with pytest.raises(HumanDbError, match="no such table: nowhere") as exc:
        HumanDb(path)
    _one_line(exc.value)
    monkeypatch.undo()
    with HumanDb(path) as db:
        assert db.schema_version == SCHEMA_VERSION
        assert db.one("SELECT count(*) FROM sqlite_master WHERE name = 'extra'") == (0,)


def test_two_processes_opening_a_new_database_at_once_both_succeed(tmp_path):
    path = tmp_path / "h.sqlite"
    code = "import sys; from tmtui.io.humandb import HumanDb; HumanDb(sys.argv[1]).close()"
    procs = [subprocess.Popen([sys.executable, "-c", code, str(path)], cwd=ROOT) for _ in range(4)]
    assert [p.wait(timeout=60) for p in procs] == [0, 0, 0, 0]
    with HumanDb(path) as db:
        assert db.schema_version == SCHEMA_VERSION


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"hello, I am a text file\n", "not a SQLite database"),
        (b"\x00" * 4096, "not a SQLite database"),
        (b"SQLite format 3\x00" + b"\xff" * 200, "not a SQLite database"),
    ],
    ids=["text", "zeros", "torn-header"],
)
def test_files_that_are_not_databases_are_one_line_and_untouched(tmp_path, data, message):
    path = tmp_path / "h.sqlite"
    path.write_bytes(data)
    for write in (True, False):
        with pytest.raises(HumanDbError, match=message) as exc:
            HumanDb(path, write=write)
        assert _one_line(exc.value).startswith(f"{path}: ")
    assert path.read_bytes() == data
    assert not (tmp_path / "h.sqlite-wal").exists()


def test_a_damaged_database_is_refused_and_left_as_it_is(tmp_path):
    path = tmp_path / "h.sqlite"
    s = session(HumanDb(path), FakeClock(), samples="0")
    for k in range(1, 6):
        type_queue(s, FakeClock(), truth(s)[k])
    s.close()
    with _raw(path) as c:
        c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        pages = c.execute("PRAGMA page_count").fetchone()[0]
    c.close()
    data = bytearray(path.read_bytes())
    page = len(data) // pages
    for p in range(1, pages):  # every page but the first (the header stays valid)
        data[p * page + 8 : p * page + 100] = os.urandom(92)
    path.write_bytes(bytes(data))
    damaged = path.read_bytes()
    with pytest.raises(HumanDbError, match=r"damaged|not a SQLite database") as exc:
        HumanDb(path)
    _one_line(exc.value)
    assert path.read_bytes() == damaged


def test_a_database_that_is_not_tmtuis_is_refused(tmp_path):
    path = tmp_path / "other.sqlite"
    with _raw(path) as c:
        c.execute("CREATE TABLE t (x)")
    c.close()
    with pytest.raises(HumanDbError, match="not a tmtui human-attempt database"):
        HumanDb(path)
    with pytest.raises(SourceError, match="not a tmtui human-attempt database"):
        open_source(path)


def test_a_directory_is_refused(tmp_path):
    with pytest.raises(HumanDbError) as exc:
        HumanDb(tmp_path)
    assert _one_line(exc.value) == f"{tmp_path}: is a directory, not a database"


_READ_ONLY = textwrap.dedent(
    """
    import os, pwd, sys
    import tmtui.io.humanrecords
    from tmtui.io.humandb import HumanDb, HumanDbError
    from tmtui.io.sources import open_source
    if os.geteuid() == 0:  # root writes anything: be nobody (everything is imported already)
        nobody = pwd.getpwnam("nobody")
        os.setgid(nobody.pw_gid)
        os.setuid(nobody.pw_uid)
    try:
        HumanDb(sys.argv[1])
    except HumanDbError as exc:
        print(exc)
    # reading it still works (exports, scores)
    print(len(list(open_source(sys.argv[1]).items())))
    """
)


@pytest.mark.parametrize("what", ["file", "directory"])
def test_a_read_only_database_is_one_line_and_untouched(what):
    import shutil
    import tempfile

    top = Path(tempfile.mkdtemp(prefix="tmtui-ro-"))  # under /tmp: reachable by nobody
    try:
        _read_only_case(top, what)
    finally:
        shutil.rmtree(top, ignore_errors=True)


def _read_only_case(tmp_path: Path, what: str) -> None:
    where = tmp_path / "ro"
    where.mkdir()
    path = where / "h.sqlite"
    s = session(HumanDb(path), FakeClock(), samples="0")
    type_queue(s, FakeClock(), truth(s)[1])
    s.halt()
    s.close()
    with _raw(path) as c:
        c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    c.close()
    for extra in (path.with_name("h.sqlite-wal"), path.with_name("h.sqlite-shm")):
        extra.unlink(missing_ok=True)
    before = path.read_bytes()
    os.chmod(path, 0o444 if what == "file" else 0o644)
    os.chmod(where, 0o555 if what == "directory" else 0o755)
    os.chmod(tmp_path, 0o755)
    try:
        env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1"}
        out = subprocess.run(
            [sys.executable, "-c", _READ_ONLY, str(path)],
            capture_output=True,
            text=True,
            timeout=60,
            env=env,
            cwd="/",
            check=False,
        )
    finally:
        os.chmod(where, 0o755)
        os.chmod(path, 0o644)
    assert out.returncode == 0, out.stderr
    line, readable = out.stdout.strip().split("\n")
    assert readable == "1"  # the one finished attempt
    assert "read-only" in line
    assert path.read_bytes() == before


def test_a_write_to_a_database_opened_read_only_is_one_line(tmp_path):
    path = tmp_path / "h.sqlite"
    HumanDb(path).close()
    with (
        HumanDb(path, write=False) as db,
        pytest.raises(HumanDbError, match="read-only") as exc,
        db.transaction() as c,
    ):
        c.execute("INSERT INTO participants (name, created_at) VALUES ('x', 'y')")
    _one_line(exc.value)


def test_a_full_disk_loses_nothing_stored_and_the_session_can_go_on(tmp_path):
    path = tmp_path / "h.sqlite"
    clock = FakeClock()
    s = session(HumanDb(path), clock, samples="0")
    states = truth(s)
    for k in range(1, 4):
        type_queue(s, clock, states[k])
    pages = s.db.one("PRAGMA page_count")[0]
    s.db.conn.execute(f"PRAGMA max_page_count = {pages}")  # the disk is full now
    long = "A " * 3000  # a step that needs new pages (a long wrong queue)
    with pytest.raises(HumanDbError) as exc:
        type_queue(s, clock, long)
    assert _one_line(exc.value) == (
        f"{path}: the disk is full: the last change was not stored (nothing stored before it "
        "is lost)"
    )
    stored = [st.queue for st in rows.attempt_rows(s.db, s.id)[0].steps]
    assert stored == states[1:4]
    assert s.view().instance.entry.step == 4  # the session did not move on
    assert s.db.one("PRAGMA integrity_check") == ("ok",)
    s.db.conn.execute("PRAGMA max_page_count = 1073741823")  # space again
    assert type_queue(s, clock, long).ok
    assert len(rows.attempt_rows(s.db, s.id)[0].steps) == 4


_WRITER = textwrap.dedent(
    """
    import sys, time
    from tmtui.io.humandb import HumanDb
    from tmtui.io import humanrows as rows
    from tmtui.io import humanwrites as writes
    path, name, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    db = HumanDb(path)
    owner = rows.Owner.me()
    item = {"practice": False, "dataset": "d", "index": 0,
            "instance": {"id": "x", "m": 2, "alphabet": ["A"], "rules": {"A": "A"},
                         "init": "AA", "max_states": 1000}}
    s = writes.create_session(db, name, uid="s" + name, plan_id=None, dataset="d",
                            dataset_name="d", items=[item], settings={}, owner=owner)
    a = writes.start_attempt(db, rows.Clocks(s.id, 0.0), position=0, item=item)
    while time.time() < float(sys.argv[4]):  # start together
        time.sleep(0.001)
    for k in range(1, n + 1):
        clocks = rows.Clocks(s.id, k * 10.0, a.id, k * 10.0, 0.0)
        writes.add_step(db, clocks, rows.NewStep(k, "AA", "a a", "none", None, 1.0, 10.0,
                                                k * 10.0, False), [(k, k * 10.0, "a")])
    print("done")
    """
)


def test_two_processes_writing_at_once_lose_no_step(tmp_path):
    import time

    path = tmp_path / "h.sqlite"
    HumanDb(path).close()
    n = 150
    go = str(time.time() + 1.0)
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _WRITER, str(path), name, str(n), go],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("A1", "B2")
    ]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    with HumanDb(path, write=False) as db:
        counts = db.all(
            "SELECT p.name, count(st.id), count(DISTINCT st.step) FROM participants p"
            " JOIN sessions s ON s.participant_id = p.id JOIN attempts a ON a.session_id = s.id"
            " JOIN steps st ON st.attempt_id = a.id GROUP BY p.name ORDER BY p.name"
        )
        assert counts == [("A1", n, n), ("B2", n, n)]
        assert db.one("SELECT count(*) FROM keys") == (2 * n,)
        assert db.one("PRAGMA integrity_check") == ("ok",)


def test_deleting_a_participant_removes_their_data_from_the_file(tmp_path):
    path = tmp_path / "h.sqlite"
    clock = FakeClock()
    for name in ("Zebra77", "Okapi42"):
        s = session(HumanDb(path), clock, name, samples="0", record_keys=True)
        for k in range(1, 4):
            type_queue(s, clock, truth(s)[k])
        s.halt()
        s.close()
    with HumanDb(path) as db:
        counts = delete_participant(db, "Zebra77")
        assert counts == {"sessions": 1, "attempts": 1, "steps": 3, "assignments": 0}
        assert delete_participant(db, "Zebra77") is None
        assert [n for _i, n in db.all("SELECT id, name FROM participants")] == ["Okapi42"]
        assert db.one("SELECT count(*) FROM steps") == (3,)
        assert db.one("SELECT count(*) FROM keys") > (0,)
        assert db.one("SELECT count(*) FROM events WHERE session_id NOT IN"
                      " (SELECT id FROM sessions)") == (0,)  # fmt: skip
    files = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("h.sqlite"))
    assert b"Zebra77" not in files and b"Okapi42" in files


def test_a_session_held_by_a_live_process_cannot_be_deleted(tmp_path):
    path = tmp_path / "h.sqlite"
    s = session(HumanDb(path), FakeClock(), samples="0")
    with HumanDb(path) as db, pytest.raises(HumanDbError, match="open in process"):
        delete_participant(db, "P01")
    s.close()
    with HumanDb(path) as db:
        assert delete_participant(db, "P01") is not None


def test_a_dead_process_does_not_hold_a_session():
    me = rows.Owner.me()
    assert me.alive()
    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    assert not rows.Owner(p.pid, "", "t").alive()
    assert not rows.Owner(os.getpid(), "1", "t").alive()  # our pid, another start: reused
    assert rows.Owner.decode(me.encode()) == me
    assert rows.Owner.decode("junk") is None


def test_the_source_kind_is_registered_last_and_reads_attempts(tmp_path):
    from tmtui.io.sources import KINDS, JsonlSource, OfficialSource

    assert KINDS[:2] == [JsonlSource, OfficialSource] and KINDS[-1] is HumanDbSource
    path = tmp_path / "h.sqlite"
    clock = FakeClock()
    s = session(HumanDb(path), clock, samples="0,1")
    type_queue(s, clock, truth(s)[1])
    s.halt()  # one finished attempt; the second in progress
    src = open_source(path)
    assert isinstance(src, HumanDbSource)
    (item,) = list(src.items())
    assert item.kind == "human" and item.model == "human:P01" and item.where.startswith("attempt ")
    assert item.record.participant == "P01" and item.record.session == s.uid
    s.close()
