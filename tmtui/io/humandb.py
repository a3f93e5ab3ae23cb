"""The store of human attempts: one SQLite database (the standard library's sqlite3, WAL).

Every write is one short transaction (``BEGIN IMMEDIATE`` … ``COMMIT``) with
``synchronous=FULL``: when a call that stores a submitted step returns, the step is on disk, and
``kill -9``, a closed terminal or a power cut loses at most the entry being typed. Many
processes (one per participant, one per browser tab) share one database: WAL lets readers and
the one writer of the moment work at once, and a busy timeout makes the others wait for the
write lock instead of failing.

The schema has a version (``PRAGMA user_version``) and an application id (``PRAGMA
application_id``, "tmtu"): a database from a newer tmtui, a SQLite database made by something
else, a damaged or unreadable file, a directory, a read-only file and a full disk are each one
clear line (:class:`HumanDbError`), and nothing already stored is touched. Older schemas are
migrated in one transaction (:data:`MIGRATIONS`).

Tables (docs/human.md lists every field): ``participants`` (a pseudonym only), ``plans`` and
``assignments`` (studies), ``sessions`` (settings, the ordered instances, clocks, the process
working on it), ``attempts`` (one per instance per session), ``steps`` (each submitted queue,
as typed and as read, with its times and assist), ``corrections`` (the old values), ``events``
(pauses, focus, starts and ends), ``keys`` (the optional key log) and ``invites`` (the hash
of each participant's browser link, :mod:`tmtui.io.humaninvites`).

This module opens the database (checks, schema, migrations, transactions, one-line errors).
:mod:`tmtui.io.humanrows` reads sessions, attempts and steps; :mod:`tmtui.io.humanwrites`
writes them; :mod:`tmtui.io.humanstudy` keeps plans, progress and deletion;
:mod:`tmtui.io.humanrecords` turns attempts into tmtui records (what ``tmtui score`` reads).
"""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tmtui.core.text import one_line

__all__ = [
    "APPLICATION_ID",
    "ATTEMPT_STATUSES",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "HumanDb",
    "HumanDbError",
    "default_db_path",
    "dump_json",
    "now_iso",
]

SCHEMA_VERSION = 2
APPLICATION_ID = 0x746D7475  # "tmtu": marks a tmtui human-attempt database
SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_S = 10.0  # how long a writer waits for another process's write lock
ATTEMPT_STATUSES = ("in_progress", "finished", "timed_out", "abandoned")


class HumanDbError(Exception):
    """The database cannot be used as asked (one clear line, naming the file)."""


def default_db_path() -> Path:
    """Where the database is kept unless ``--db`` says otherwise: the user data directory
    (``$XDG_DATA_HOME/tmtui/human.sqlite``, else ``~/.local/share/tmtui/human.sqlite``; on
    macOS ``~/Library/Application Support/tmtui``, on Windows ``%LOCALAPPDATA%\\tmtui``)."""
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        xdg = os.environ.get("XDG_DATA_HOME")
        base = Path(xdg).expanduser() if xdg else Path.home() / ".local" / "share"
    return base / "tmtui" / "human.sqlite"


def now_iso() -> str:
    """The wall clock, ISO 8601 UTC (for people reading the database; never for durations)."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


# -- the schema ------------------------------------------------------------------------------

_V1 = (
    """CREATE TABLE participants (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL)""",
    """CREATE TABLE plans (
        id INTEGER PRIMARY KEY,
        dataset TEXT NOT NULL,
        dataset_name TEXT NOT NULL,
        instances TEXT NOT NULL,
        per_instance INTEGER NOT NULL,
        seed INTEGER NOT NULL,
        created_at TEXT NOT NULL)""",
    """CREATE TABLE assignments (
        participant_id INTEGER NOT NULL REFERENCES participants(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        plan_id INTEGER NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
        sample INTEGER NOT NULL,
        instance_id TEXT NOT NULL,
        PRIMARY KEY (participant_id, position))""",
    """CREATE TABLE sessions (
        id INTEGER PRIMARY KEY,
        uid TEXT NOT NULL UNIQUE,
        participant_id INTEGER NOT NULL REFERENCES participants(id) ON DELETE CASCADE,
        plan_id INTEGER REFERENCES plans(id) ON DELETE SET NULL,
        dataset TEXT NOT NULL,
        dataset_name TEXT NOT NULL,
        items TEXT NOT NULL,
        settings TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('open', 'finished', 'abandoned')),
        position INTEGER NOT NULL DEFAULT 0,
        active_ms REAL NOT NULL DEFAULT 0,
        started_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        finished_at TEXT,
        owner TEXT,
        tmtui_version TEXT NOT NULL)""",
    "CREATE UNIQUE INDEX one_open_session ON sessions(participant_id) WHERE status = 'open'",
    """CREATE TABLE attempts (
        id INTEGER PRIMARY KEY,
        session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        practice INTEGER NOT NULL,
        dataset TEXT NOT NULL,
        sample INTEGER NOT NULL,
        instance_id TEXT NOT NULL,
        instance TEXT NOT NULL,
        status TEXT NOT NULL
            CHECK (status IN ('in_progress', 'finished', 'timed_out', 'abandoned')),
        end_reason TEXT,
        halt_step INTEGER,
        active_ms REAL NOT NULL DEFAULT 0,
        paused_ms REAL NOT NULL DEFAULT 0,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        UNIQUE (session_id, position))""",
    "CREATE INDEX attempts_by_status ON attempts(status, practice)",
    """CREATE TABLE steps (
        id INTEGER PRIMARY KEY,
        attempt_id INTEGER NOT NULL REFERENCES attempts(id) ON DELETE CASCADE,
        step INTEGER NOT NULL,
        queue TEXT NOT NULL,
        typed TEXT NOT NULL,
        assist TEXT NOT NULL,
        prefill TEXT,
        first_key_ms REAL,
        submit_ms REAL NOT NULL,
        at_ms REAL NOT NULL,
        submitted_at TEXT NOT NULL,
        feedback INTEGER NOT NULL DEFAULT 0,
        UNIQUE (attempt_id, step))""",
    """CREATE TABLE corrections (
        id INTEGER PRIMARY KEY,
        step_id INTEGER NOT NULL REFERENCES steps(id) ON DELETE CASCADE,
        old_queue TEXT NOT NULL,
        old_typed TEXT NOT NULL,
        new_queue TEXT NOT NULL,
        new_typed TEXT NOT NULL,
        at_ms REAL NOT NULL,
        corrected_at TEXT NOT NULL)""",
    "CREATE INDEX corrections_by_step ON corrections(step_id)",
    """CREATE TABLE events (
        id INTEGER PRIMARY KEY,
        session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        attempt_id INTEGER REFERENCES attempts(id) ON DELETE CASCADE,
        kind TEXT NOT NULL,
        at_ms REAL,
        duration_ms REAL,
        detail TEXT,
        at TEXT NOT NULL)""",
    "CREATE INDEX events_by_session ON events(session_id)",
    "CREATE INDEX events_by_attempt ON events(attempt_id)",
    """CREATE TABLE keys (
        id INTEGER PRIMARY KEY,
        attempt_id INTEGER NOT NULL REFERENCES attempts(id) ON DELETE CASCADE,
        step INTEGER NOT NULL,
        at_ms REAL NOT NULL,
        key TEXT NOT NULL)""",
    "CREATE INDEX keys_by_attempt ON keys(attempt_id)",
)

# schema 2: browser invitations (tmtui human invite / serve). One link per participant; only
# the SHA-256 of its token is kept (a copy of the database does not open anyone's session).
_V2 = (
    """CREATE TABLE invites (
        participant_id INTEGER PRIMARY KEY REFERENCES participants(id) ON DELETE CASCADE,
        token_sha256 TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL)""",
)

# MIGRATIONS[v - 1] takes a database from schema v - 1 to v (0: an empty database). Each runs
# inside the one transaction that also sets the new version: it happens whole or not at all.
MIGRATIONS: list[Sequence[str]] = [_V1, _V2]


# -- opening -----------------------------------------------------------------------------------


def _explain(exc: sqlite3.Error, path: Path) -> str:
    """One line for an SQLite error."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    msg = str(exc)
    if name == "SQLITE_FULL" or "full" in msg:
        return f"{path}: the disk is full: the last change was not stored (nothing stored before it is lost)"
    if name.startswith("SQLITE_READONLY") or "readonly" in msg:
        return f"{path}: read-only: nothing can be stored in it"
    if name == "SQLITE_NOTADB" or "not a database" in msg:
        return f"{path}: not a SQLite database (damaged, or another kind of file)"
    if name.startswith("SQLITE_CORRUPT") or "malformed" in msg:
        return f"{path}: the database is damaged ({one_line(msg, 120)})"
    if name.startswith("SQLITE_BUSY") or "locked" in msg:
        return f"{path}: busy: another process kept it locked for over {BUSY_TIMEOUT_S:g} s"
    if name.startswith("SQLITE_CANTOPEN") or "unable to open" in msg:
        return f"{path}: cannot open the database ({one_line(msg, 120)})"
    if name.startswith("SQLITE_IOERR") or "I/O error" in msg:
        return f"{path}: disk I/O error ({one_line(msg, 120)})"
    return f"{path}: {one_line(msg, 200)}"


def _check_file(path: Path, *, create: bool, write: bool) -> bool:
    """Refuse what cannot be a database before SQLite touches it; True if it exists."""
    if path.is_dir():
        raise HumanDbError(f"{path}: is a directory, not a database")
    if not path.exists():
        if not create:
            raise HumanDbError(f"{path}: no such database")
        parent = path.parent
        if not parent.is_dir():
            raise HumanDbError(f"{path}: no such directory: {parent}")
        if not os.access(parent, os.W_OK | os.X_OK):
            raise HumanDbError(f"{path}: cannot create the database: {parent} is read-only")
        return False
    try:
        mode = path.stat().st_mode
        if not stat.S_ISREG(mode):  # never opened: a FIFO would wait for a writer for good
            what = "a FIFO or pipe" if stat.S_ISFIFO(mode) else "a device or socket"
            raise HumanDbError(f"{path}: {what}, not a database file")
        with open(path, "rb") as f:
            head = f.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise HumanDbError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if head and head != SQLITE_HEADER:
        raise HumanDbError(f"{path}: not a SQLite database (damaged, or another kind of file)")
    if write:
        if not os.access(path, os.W_OK):
            raise HumanDbError(f"{path}: read-only: nothing can be stored in it")
        wal = path.with_name(path.name + "-wal")
        if not wal.exists() and not os.access(path.parent, os.W_OK | os.X_OK):
            raise HumanDbError(
                f"{path}: its directory is read-only (SQLite needs to write {wal.name} beside it)"
            )
    return bool(head)


class HumanDb:
    """One open database. ``write``: open for storing (migrating an older schema first);
    otherwise read-only. ``create``: make the file when it does not exist (writing only).

    Raises :class:`HumanDbError` (one line) for anything it cannot use, and from every call
    below for any SQLite failure (a full disk, a lock held too long, a damaged page)."""

    def __init__(self, path: str | Path, *, write: bool = True, create: bool = True) -> None:
        self.path = Path(path).expanduser()
        self.write = write
        existed = _check_file(self.path, create=create and write, write=write)
        try:
            self.conn = self._connect()
            self._setup(existed)
        except sqlite3.Error as exc:
            self.close()
            if not self._archived():
                raise HumanDbError(_explain(exc, self.path)) from None
            # a database in a read-only place, its log checkpointed: read it as it is
            try:
                self.conn = self._connect(immutable=True)
                self._setup(existed)
            except sqlite3.Error as exc2:
                self.close()
                raise HumanDbError(_explain(exc2, self.path)) from None
            except HumanDbError:
                self.close()
                raise
        except HumanDbError:
            self.close()
            raise

    def _connect(self, *, immutable: bool = False) -> sqlite3.Connection:
        if self.write:
            return sqlite3.connect(
                self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
            )
        uri = self.path.resolve().as_uri() + ("?immutable=1" if immutable else "?mode=ro")
        return sqlite3.connect(
            uri, uri=True, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
        )

    def _archived(self) -> bool:
        """Read-only, in a directory nobody can write (so no process can be writing to it),
        with no write-ahead log left to read: WAL cannot open it (it needs its -shm file), but
        the file alone is the whole database."""
        if self.write or os.access(self.path.parent, os.W_OK | os.X_OK):
            return False
        wal = self.path.with_name(self.path.name + "-wal")
        try:
            return wal.stat().st_size == 0
        except FileNotFoundError:
            return True
        except OSError:
            return False

    def _setup(self, existed: bool) -> None:
        c = self.conn
        c.execute("PRAGMA foreign_keys = ON")
        c.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        version = c.execute("PRAGMA user_version").fetchone()[0]
        app = c.execute("PRAGMA application_id").fetchone()[0]
        tables = c.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        if app != APPLICATION_ID and (tables or version):
            raise HumanDbError(
                f"{self.path}: a SQLite database, but not a tmtui human-attempt database"
            )
        if version > SCHEMA_VERSION:
            raise HumanDbError(
                f"{self.path}: made by a newer tmtui (schema {version}; this tmtui knows up to "
                f"{SCHEMA_VERSION}): upgrade tmtui to open it"
            )
        if existed and tables:
            bad = c.execute("PRAGMA quick_check(1)").fetchone()[0]
            if bad != "ok":
                raise HumanDbError(f"{self.path}: the database is damaged ({one_line(bad, 120)})")
        if not self.write:
            if version < SCHEMA_VERSION:
                raise HumanDbError(
                    f"{self.path}: an older or empty database (schema {version}); open it "
                    "with write access once (any `tmtui human` command) to upgrade it"
                )
            return
        if c.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
            c.execute("PRAGMA journal_mode = WAL")
        c.execute("PRAGMA synchronous = FULL")
        if version < SCHEMA_VERSION:
            self._migrate()

    def _migrate(self) -> None:
        with self.transaction() as c:
            # read again under the write lock: another process may have migrated meanwhile
            version = c.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise HumanDbError(f"{self.path}: made by a newer tmtui (schema {version})")
            for v in range(version, SCHEMA_VERSION):
                for statement in MIGRATIONS[v]:
                    c.execute(statement)
            c.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            c.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    @property
    def schema_version(self) -> int:
        row = self.one("PRAGMA user_version")
        return int(row[0]) if row else 0

    def close(self) -> None:
        conn = getattr(self, "conn", None)
        if conn is not None:
            with suppress(sqlite3.Error):
                conn.close()

    def __enter__(self) -> HumanDb:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- statements ------------------------------------------------------------------------
    def error(self, exc: sqlite3.Error) -> HumanDbError:
        return HumanDbError(_explain(exc, self.path))

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: the write lock taken at once (``BEGIN IMMEDIATE``, waiting
        up to the busy timeout), committed, or rolled back whole on any error."""
        c = self.conn
        try:
            c.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise self.error(exc) from None
        try:
            yield c
            c.execute("COMMIT")
        except BaseException as exc:
            if c.in_transaction:
                with suppress(sqlite3.Error):
                    c.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error):
                raise self.error(exc) from None
            raise

    @contextmanager
    def snapshot(self) -> Iterator[sqlite3.Connection]:
        """Reads that see one state of the database (a read transaction), whatever other
        processes commit meanwhile."""
        c = self.conn
        if c.in_transaction:  # already inside one
            yield c
            return
        try:
            c.execute("BEGIN")
        except sqlite3.Error as exc:
            raise self.error(exc) from None
        try:
            yield c
        finally:
            with suppress(sqlite3.Error):
                c.execute("COMMIT")

    def all(self, sql: str, args: Sequence[Any] = ()) -> list[tuple]:
        try:
            return self.conn.execute(sql, args).fetchall()
        except sqlite3.Error as exc:
            raise self.error(exc) from None

    def one(self, sql: str, args: Sequence[Any] = ()) -> tuple | None:
        try:
            return self.conn.execute(sql, args).fetchone()
        except sqlite3.Error as exc:
            raise self.error(exc) from None


def dump_json(obj: object) -> str:
    """Compact JSON for a TEXT column (non-ASCII kept as is)."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
