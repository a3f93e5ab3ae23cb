"""``tmtui human``: a participant's session, and the study commands around it.

``tmtui human [DATASET] --participant ID ...`` is the session; ``tmtui human plan|status|
delete|export ...`` are the study's commands (``invite`` and ``serve``: :mod:`tmtui.cli.humanserve`).
The click group they share is :mod:`tmtui.cli.humangroup`'s.
"""

from __future__ import annotations

import difflib
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from tmtui.cli.app import app, fail, load_keymap_or_fail, warn
from tmtui.cli.humangroup import DB_HELP, PANEL, HumanGroup, commands, open_db
from tmtui.cli.lazy import PlainCommand
from tmtui.human.settings import Assist, Feedback

if TYPE_CHECKING:
    from tmtui.human.session import Session


def _served() -> bool:
    """Run by ``tmtui human serve``: Textual's web driver draws the session in a browser."""
    return bool(os.environ.get("TEXTUAL_DRIVER"))


def _can_show_screens() -> bool:
    """A terminal to draw in, or Textual's web driver (the session served to a browser)."""
    return _served() or (sys.stdin.isatty() and sys.stdout.isatty())


def _tell_served_participant(message: str | None = None) -> None:
    """Served to a browser, a session that cannot go on says so in the participant's tab
    (``message``, about their own session; None: a plain word that the store failed, its
    details kept for the server's output)."""
    if not _served():
        return
    from tmtui.tui.human.notice import STORE_PROBLEM, NoticeApp

    NoticeApp(message or STORE_PROBLEM).run()


def _run_screen(session: Session) -> None:
    """Run the session's screens (tmtui.tui.human) until the participant leaves or is done;
    the session is closed (its clocks saved) whatever happens."""
    from tmtui.io.humandb import HumanDbError

    if not _can_show_screens():
        session.close()
        raise fail(
            "the session screen needs a terminal (or a browser, served): the session is "
            "stored and the same command resumes it"
        )
    try:
        keymap = load_keymap_or_fail(None)
    except typer.Exit:
        session.close()
        raise
    from tmtui.tui.human.app import HumanApp

    tui = HumanApp(session, keymap=keymap)
    try:
        tui.run()
    finally:
        try:
            session.close()
        except HumanDbError as exc:
            tui.error = tui.error or str(exc)
    if tui.error:
        raise fail(tui.error)


@app.command("human", cls=HumanGroup, rich_help_panel=PANEL)
def human(
    ctx: typer.Context,
    dataset: Annotated[
        str | None,
        typer.Argument(
            help="A dataset file or preset (default: tmbench); a plan's participant needs none."
        ),
    ] = None,
    participant: Annotated[
        str | None,
        typer.Option("--participant", help="The participant's pseudonym (e.g. P01)."),
    ] = None,
    db: Annotated[Path | None, typer.Option("--db", help=DB_HELP)] = None,
    samples: Annotated[
        str | None,
        typer.Option("--samples", help="Instances by index, in this order (e.g. 0-9,72)."),
    ] = None,
    shuffle_seed: Annotated[
        int | None,
        typer.Option("--shuffle-seed", help="Shuffle the instances with this seed (stored)."),
    ] = None,
    practice: Annotated[
        int | None,
        typer.Option(
            "--practice", help="Practice instances first (not scored, always with feedback)."
        ),
    ] = None,
    time_limit: Annotated[
        float | None,
        typer.Option("--time-limit", help="Seconds of active time per instance (a countdown)."),
    ] = None,
    feedback: Annotated[
        Feedback | None,
        typer.Option("--feedback", help="What the participant is told (default: none, blind)."),
    ] = None,
    assist: Annotated[
        Assist | None,
        typer.Option("--assist", help="Help that changes the task, logged (default: none)."),
    ] = None,
    record_keys: Annotated[
        bool, typer.Option("--record-keys", help="Store every key typed, with its time.")
    ] = False,
    new_session: Annotated[
        bool,
        typer.Option(
            "--new-session",
            help="Give up the participant's unfinished session and start a new one.",
        ),
    ] = False,
) -> None:
    """Human baselines: timed, blind, crash-safe sessions, study plans, progress and export.

    [bold]tmtui human [DATASET] --participant ID[/bold] runs a participant's session: the same instances as the models, every submitted step stored at once, scored like a model run. The same command again resumes their unfinished session where it stopped; a participant with an assignment ([bold]tmtui human plan[/bold]) works through it.

    [bold]tmtui human COMMAND[/bold] runs one of the study's commands below; the command comes first ([bold]tmtui human status --db study.sqlite[/bold]).
    """
    if ctx.invoked_subcommand is not None:
        return
    from tmtui.human.opening import NothingToDo, SessionError, SessionRequest, open_session
    from tmtui.io.humandb import HumanDbError

    if participant is None:
        raise fail("missing --participant ID (the participant's pseudonym, e.g. P01)")
    if dataset is not None and not Path(dataset).exists():
        close = difflib.get_close_matches(dataset, list(commands_names()), n=1, cutoff=0.75)
        if dataset in commands_names() or close:
            name = dataset if dataset in commands_names() else close[0]
            raise fail(f"{dataset!r}: did you mean the command 'tmtui human {name}'?")
    request = SessionRequest(
        dataset=dataset,
        samples=samples,
        shuffle_seed=shuffle_seed,
        practice=practice,
        time_limit=time_limit,
        feedback=feedback,
        assist=assist,
        record_keys=True if record_keys else None,
    )
    store = open_db(db, write=True, create=True)
    try:
        session = open_session(store, participant, request, new_session=new_session)
    except NothingToDo as exc:
        store.close()
        warn(str(exc))
        _tell_served_participant(f"{exc}. Thank you: there is nothing more to do.")
        raise typer.Exit(0) from None
    except (SessionError, HumanDbError) as exc:
        store.close()
        err = fail(str(exc))
        _tell_served_participant()
        raise err from None
    view = session.view()
    if session.resumed is not None:
        warn(f"{participant}: session {session.uid} in {store.path}: {session.resumed.message}")
    else:
        warn(f"{participant}: new session {session.uid} in {store.path}: {view.total} instances")
    try:
        _run_screen(session)
    except HumanDbError as exc:
        raise fail(str(exc)) from None


def commands_names() -> list[str]:
    return [c.name or "" for c in commands.registered_commands]


# -- the study commands -------------------------------------------------------------------------


@commands.command("plan", cls=PlainCommand)
def plan(
    dataset: Annotated[
        str, typer.Argument(help="A dataset file or preset (default: tmbench).")
    ] = "tmbench",
    participants: Annotated[
        str, typer.Option("--participants", help="Pseudonyms, comma-separated (P01,P02,...).")
    ] = "",
    db: Annotated[Path | None, typer.Option("--db", help=DB_HELP)] = None,
    samples: Annotated[
        str | None,
        typer.Option("--samples", help="The study's instances by index (default: all)."),
    ] = None,
    per_instance: Annotated[
        int, typer.Option("--per-instance", help="How many participants solve each instance.")
    ] = 1,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the assignment (stored).")] = 0,
) -> None:
    """Assign instances to participants: each solved by K of them, orders counterbalanced."""
    from tmtui.cli.app import load_dataset_or_fail
    from tmtui.human.opening import (
        SessionError,
        check_participant,
        instance_json,
        parse_samples,
    )
    from tmtui.human.plan import PlanError, make_plan
    from tmtui.io.humandb import HumanDbError
    from tmtui.io.humanstudy import add_plan, assigned

    names = [p.strip() for p in participants.split(",") if p.strip()]
    if not names:
        raise fail("missing --participants P01,P02,... (their pseudonyms)")
    try:
        for name in names:
            check_participant(name)
    except SessionError as exc:
        raise fail(str(exc)) from None
    ds = load_dataset_or_fail(dataset)
    try:
        chosen = list(range(len(ds))) if samples is None else list(parse_samples(samples, len(ds)))
        orders = make_plan(names, chosen, per_instance, seed)
    except (SessionError, PlanError) as exc:
        raise fail(str(exc)) from None
    store = open_db(db, write=True, create=True)
    try:
        taken = assigned(store, names)
        if taken:
            raise fail(
                f"{', '.join(taken)} already have an assignment in {store.path} "
                "(tmtui human delete removes a participant)"
            )
        plan_id = add_plan(
            store,
            dataset=dataset,
            dataset_name=ds.name or dataset,
            instances=[{"index": i, "instance": instance_json(ds[i])} for i in chosen],
            per_instance=per_instance,
            seed=seed,
            orders=orders,
        )
    except HumanDbError as exc:
        raise fail(str(exc)) from None
    finally:
        store.close()
    for name, order in orders.items():
        first = ", ".join(map(str, order[:8])) + (", ..." if len(order) > 8 else "")
        print(f"{name}\t{len(order)} instances\t{first}")
    warn(
        f"plan {plan_id} stored in {store.path}: {len(names)} participants, {len(chosen)} "
        f"instances, each solved by {per_instance}"
    )


@commands.command("status", cls=PlainCommand)
def status(
    db: Annotated[Path | None, typer.Option("--db", help=DB_HELP)] = None,
    participant: Annotated[
        str | None, typer.Option("--participant", help="Only this participant.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Each participant's progress: done, in progress, time spent."""
    from tmtui.io.humandb import HumanDbError
    from tmtui.io.humanstudy import plans, progress

    store = open_db(db, write=False)
    try:
        rows = progress(store, participant)
        plan_rows = plans(store)
    except HumanDbError as exc:
        raise fail(str(exc)) from None
    finally:
        store.close()
    if participant is not None and not rows:
        raise fail(f"no participant {participant!r} in {store.path}")
    if as_json:
        out = {
            "db": str(store.path),
            "participants": [r.to_dict() for r in rows],
            "plans": plan_rows,
        }
        from tmtui.core.text import json_safe

        # names from the database as JSON escapes where they could act on a terminal
        sys.stdout.write(json_safe(json.dumps(out, ensure_ascii=False, indent=1)) + "\n")
        return
    _status_table(store.path, rows)


def _duration(ms: float) -> str:
    s = round(ms / 1000)
    h, rest = divmod(s, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def _status_table(path: Path, rows: list) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from tmtui.core.text import visible

    table = Table(title=Text(f"tmtui human · {visible(str(path))}"), title_justify="left")
    for col, justify in (
        ("participant", "left"),
        ("done", "right"),
        ("timed out", "right"),
        ("practice", "right"),
        ("in progress", "left"),
        ("time", "right"),
        ("last activity", "left"),
    ):
        table.add_column(col, justify=justify)  # type: ignore[arg-type]
    for r in rows:
        done = f"{r.done}/{r.assigned}" if r.assigned else str(r.done)
        doing = "-"
        if r.open_session:
            doing = f"{r.open_session}: {r.at_instance}/{r.of_instances}, step {r.at_step}"
            if r.working:
                doing += " (working)"
        table.add_row(
            Text(visible(r.participant)),
            done,
            str(r.timed_out),
            str(r.practice),
            Text(doing),
            _duration(r.active_ms),
            Text((r.last_activity or "-").replace("T", " ")[:19]),
        )
    Console(highlight=False).print(table)
    if not rows:
        print("no participants yet")


def _interactive() -> bool:
    return sys.stdin.isatty()


@commands.command("delete", cls=PlainCommand)
def delete(
    participant: Annotated[
        str, typer.Option("--participant", help="The participant whose data goes.")
    ] = "",
    db: Annotated[Path | None, typer.Option("--db", help=DB_HELP)] = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Remove everything stored about a participant (sessions, attempts, steps, keys, plan)."""
    from tmtui.io.humandb import HumanDbError
    from tmtui.io.humanstudy import delete_participant, progress

    if not participant:
        raise fail("missing --participant ID")
    store = open_db(db, write=True)
    try:
        found = progress(store, participant)
        if not found:
            raise fail(f"no participant {participant!r} in {store.path}")
        p = found[0]
        if not yes:
            if not _interactive():
                raise fail("not a terminal to ask in: add --yes to delete without asking")
            what = f"{p.sessions} session(s), {p.done + p.practice} finished attempt(s)"
            if not typer.confirm(f"Delete {participant} and all their data ({what})?"):
                raise fail("nothing deleted")
        counts = delete_participant(store, participant)
    except HumanDbError as exc:
        raise fail(str(exc)) from None
    finally:
        store.close()
    counts = counts or {}
    warn(
        f"deleted {participant} from {store.path}: "
        + ", ".join(f"{v} {k}" for k, v in counts.items())
    )


@commands.command("export", cls=PlainCommand)
def export(
    output: Annotated[Path, typer.Option("--output", "-o", help="The JSONL file to write.")],
    db: Annotated[Path | None, typer.Option("--db", help=DB_HELP)] = None,
    participant: Annotated[
        str | None, typer.Option("--participant", help="Only this participant's attempts.")
    ] = None,
) -> None:
    """Write one tmtui record per finished or timed-out scored attempt (tmtui score reads it)."""
    from tmtui.human.export import export_records
    from tmtui.io.humandb import HumanDbError
    from tmtui.io.humanstudy import progress
    from tmtui.io.jsonl import NotRecordFile

    store = open_db(db, write=False)
    try:
        if participant is not None and not progress(store, participant):
            raise fail(f"no participant {participant!r} in {store.path}")
        n = export_records(store, output, participant)
    except HumanDbError as exc:
        raise fail(str(exc)) from None
    except NotRecordFile as exc:
        raise fail(
            f"refusing to write {output}: it is {exc.strerror}; tmtui human export replaces "
            "only a tmtui record file (choose another -o)"
        ) from None
    except OSError as exc:
        raise fail(f"cannot write {output}: {exc.strerror or exc}") from None
    finally:
        store.close()
    warn(f"wrote {n} record(s) to {output}" + ("" if n else " (no finished attempts yet)"))


# the browser commands (invite, serve) register on the same group, after the study's (the order
# `tmtui human --help` lists them in); humanserve itself imports only the group
from tmtui.cli import humanserve as _humanserve  # noqa: E402, F401
