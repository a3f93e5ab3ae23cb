"""``tmtui human invite`` and ``tmtui human serve``: sessions in a browser.

``invite`` prints each participant's secret link (and keeps only its hash); ``serve`` runs the
web server that opens a participant's own session for their link and nothing for anything
else (:mod:`tmtui.tui.serve`).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from tmtui.cli.app import fail, warn
from tmtui.cli.humangroup import DB_HELP, commands, open_db
from tmtui.cli.lazy import PlainCommand
from tmtui.cli.serving import check_host, is_loopback
from tmtui.io.humaninvites import DEFAULT_PORT, LOOPBACK

HOST_HELP = "The address the server listens on (default 127.0.0.1: this machine only)."
PORT_HELP = f"The port (default {DEFAULT_PORT}; 0 for any free one, said when listening)."


def _check_port(port: int, *, any_free: bool) -> int:
    low = 0 if any_free else 1
    if not low <= port <= 65535:
        raise fail(f"bad --port {port}: a port from {low} to 65535")
    return port


@commands.command("invite", cls=PlainCommand)
def invite(
    db: Annotated[Path | None, typer.Option("--db", help=DB_HELP)] = None,
    participant: Annotated[
        str | None, typer.Option("--participant", help="The participant to invite.")
    ] = None,
    everyone: Annotated[
        bool, typer.Option("--all", help="Every participant in the database.")
    ] = False,
    host: Annotated[
        str,
        typer.Option("--host", help="The address participants reach the server at."),
    ] = LOOPBACK,
    port: Annotated[int, typer.Option("--port", help="The server's port.")] = DEFAULT_PORT,
) -> None:
    """Print each participant's secret link to their browser session, one per line.

    A new link replaces the participant's previous one (which stops working at once). Only a hash of each link's token is stored: print them again and they change.
    """
    from tmtui.io.humandb import HumanDbError
    from tmtui.io.humaninvites import invite as make_invites
    from tmtui.io.humaninvites import link, participants

    if (participant is None) == (not everyone):
        raise fail("name who to invite: --participant ID or --all")
    check_host(host)
    _check_port(port, any_free=False)
    store = open_db(db, write=True)
    try:
        names = [participant] if participant is not None else participants(store)
        if not names:
            raise fail(f"no participants in {store.path} yet (tmtui human plan adds them)")
        tokens = make_invites(store, names)
    except KeyError as exc:
        raise fail(
            f"no participant {exc.args[0]!r} in {store.path} (tmtui human plan adds them)"
        ) from None
    except HumanDbError as exc:
        raise fail(str(exc)) from None
    finally:
        store.close()
    sys.stdout.write("".join(link(host, port, token) + "\n" for _, token in tokens))
    sys.stdout.flush()
    warn(
        f"{len(tokens)} link(s), in this order: {', '.join(n for n, _ in tokens)}; "
        "each replaces the participant's earlier link. Send each only to its participant."
    )


@commands.command("serve", cls=PlainCommand)
def serve(
    db: Annotated[Path | None, typer.Option("--db", help=DB_HELP)] = None,
    host: Annotated[str, typer.Option("--host", help=HOST_HELP)] = LOOPBACK,
    port: Annotated[int, typer.Option("--port", help=PORT_HELP)] = DEFAULT_PORT,
) -> None:
    """Serve the participants' sessions in web browsers, each behind its invite link.

    Each link opens its participant's session (as tmtui human --participant ID would), in a process of its own; anything else gets 403. Ctrl+C stops the server and closes the sessions (all that was submitted is stored).
    """
    from tmtui.io.humandb import HumanDb, HumanDbError
    from tmtui.io.humaninvites import invited, participant_for
    from tmtui.tui.serve import ServeError, SessionServer, session_argv
    from tmtui.tui.serve import serve as run

    check_host(host)
    _check_port(port, any_free=True)
    store = open_db(db, write=True)  # upgrades an older schema once
    path = store.path.resolve()
    store.close()
    try:
        reader = HumanDb(path, write=False)
        people = invited(reader)
    except HumanDbError as exc:
        raise fail(str(exc)) from None

    def lookup(token: str) -> str | None:
        try:
            return participant_for(reader, token)
        except HumanDbError as exc:
            warn(f"a link could not be checked: {exc}")
            return None

    server = SessionServer(lookup, lambda name: session_argv(path, name), host=host, port=port)

    def listening(url: str) -> None:
        reach = (
            "this machine only"
            if is_loopback(host)
            else "from the network, plain HTTP: a trusted lab network only"
        )
        warn(f"serving {path} on {url} ({reach}); Ctrl+C stops")
        if not people:
            warn(f"nobody is invited yet: tmtui human invite --db {path} --all")
        else:
            warn(f"{len(people)} participant(s) invited; their links are /s/TOKEN on this address")
        sys.stderr.flush()

    try:
        run(server, listening)
    except ServeError as exc:
        raise fail(str(exc)) from None
    finally:
        reader.close()
