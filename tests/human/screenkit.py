"""Shared by the screen tests: a session on a hand-driven clock in the human app, and typing
into it with the pilot."""

from __future__ import annotations

from pathlib import Path

from tmtui.human import Assist, Feedback, SessionRequest, open_session
from tmtui.io.humandb import HumanDb
from tmtui.tui.human.app import HumanApp

from .humankit import FakeClock


def human_app(
    tmp_path: Path,
    clock: FakeClock | None = None,
    participant: str = "P01",
    *,
    db: str = "study.sqlite",
    timer: bool = False,
    **request,
) -> HumanApp:
    """The app on a new (or resumed) session; no timer unless asked (tests tick by hand)."""
    clock = clock or FakeClock()
    if isinstance(request.get("feedback"), str):
        request["feedback"] = Feedback(request["feedback"])
    if isinstance(request.get("assist"), str):
        request["assist"] = Assist(request["assist"])
    s = open_session(HumanDb(tmp_path / db), participant, SessionRequest(**request), clock=clock)
    return HumanApp(s, timer=timer)


async def type_entry(pilot, text: str, *, enter: bool = True, paste: bool = False) -> None:
    """Type ``text`` key by key on the entry line (``paste``: as one paste), then Enter."""
    if paste:
        from textual import events

        pilot.app.post_message(events.Paste(text))  # as a terminal sends it
        await pilot.pause()
    else:
        keys = ["space" if ch == " " else ch for ch in text]
        if keys:
            await pilot.press(*keys)
    if enter:
        await pilot.press("enter")
    await pilot.pause()


__all__ = ["FakeClock", "human_app", "type_entry"]
