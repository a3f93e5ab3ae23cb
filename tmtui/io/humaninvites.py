"""Browser invitations: one secret link per participant (``tmtui human invite`` and ``serve``).

A token is 32 random bytes from :mod:`secrets` (256 bits), URL-safe base64 without padding
(43 characters). The database keeps only its SHA-256 (``invites.token_sha256``): whoever reads
a copy of the database cannot open anyone's session with it, and the link itself is printed
once, by ``tmtui human invite``. A token this long needs no salt or slow hash: nobody can guess
one, so nobody can search for one either.

Inviting a participant again gives them a new link and the previous one stops working (the
way to replace a lost or leaked link). Deleting a participant deletes their link with them.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the command line imports the constants below without loading sqlite3
    from tmtui.io.humandb import HumanDb

__all__ = [
    "DEFAULT_PORT",
    "LOOPBACK",
    "TOKEN_BYTES",
    "invite",
    "invited",
    "link",
    "participant_for",
    "participants",
    "token_hash",
]

DEFAULT_PORT = 8000  # tmtui human serve and invite
LOOPBACK = "127.0.0.1"
TOKEN_BYTES = 32
# what secrets.token_urlsafe(TOKEN_BYTES) gives: anything else is refused without a lookup
_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")


def token_hash(token: str) -> str:
    """The SHA-256 of a token, in hex: what the database keeps."""
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def link(host: str, port: int, token: str) -> str:
    """A participant's link: ``http://HOST:PORT/s/TOKEN``."""
    where = f"[{host}]" if ":" in host else host
    return f"http://{where}:{port}/s/{token}"


def invite(db: HumanDb, names: Sequence[str]) -> list[tuple[str, str]]:
    """A new token for each participant named (each must be in the database), replacing any
    earlier one, in one transaction: ``[(name, token), ...]`` in the order given. A name not
    in the database raises ``KeyError(name)`` and nothing changes."""
    from tmtui.io.humandb import now_iso

    out: list[tuple[str, str]] = []
    with db.transaction() as c:
        for name in names:
            row = c.execute("SELECT id FROM participants WHERE name = ?", (name,)).fetchone()
            if row is None:
                raise KeyError(name)
            token = secrets.token_urlsafe(TOKEN_BYTES)
            c.execute(
                "INSERT INTO invites (participant_id, token_sha256, created_at) VALUES (?, ?, ?)"
                " ON CONFLICT (participant_id) DO UPDATE SET"
                " token_sha256 = excluded.token_sha256, created_at = excluded.created_at",
                (row[0], token_hash(token), now_iso()),
            )
            out.append((name, token))
    return out


def participant_for(db: HumanDb, token: str) -> str | None:
    """The participant a token opens, or None (malformed, unknown, replaced or deleted)."""
    if not _TOKEN.fullmatch(token):
        return None
    row = db.one(
        "SELECT p.name FROM invites i JOIN participants p ON p.id = i.participant_id"
        " WHERE i.token_sha256 = ?",
        (token_hash(token),),
    )
    return None if row is None else str(row[0])


def invited(db: HumanDb) -> list[str]:
    """The participants who have a link, by name."""
    rows = db.all(
        "SELECT p.name FROM invites i JOIN participants p ON p.id = i.participant_id"
        " ORDER BY p.name"
    )
    return [r[0] for r in rows]


def participants(db: HumanDb) -> list[str]:
    """Every participant in the database, in the order they were added."""
    return [r[0] for r in db.all("SELECT name FROM participants ORDER BY id")]
