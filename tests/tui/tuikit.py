"""Helpers for the TUI tests: a stream source that needs no network, apps built on it, and
waiting for them (the answers themselves come from :mod:`tests.live.livekit`)."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from tests.live.livekit import TMBENCH
from tmtui.live.feeds import replay_events
from tmtui.tui.app import TmtuiApp
from tmtui.tui.plans import ViewPlan, WatchPlan


class FakeFeed:
    """A recorded answer as a live stream, in process (no server, no network)."""

    def __init__(
        self,
        answer: str,
        reasoning: str = "",
        chunks: list[list[float]] | None = None,
        *,
        speed: float = 0.0,
        model: str = "fake-model",
        piece: int = 48,
    ) -> None:
        self.answer = answer
        self.reasoning = reasoning
        self.chunks = chunks
        self.speed = speed
        self.model = model
        self.piece = piece
        self.closed = False
        self.opened = 0

    def events(self, cancel: asyncio.Event):
        self.opened += 1
        return replay_events(
            self.answer,
            self.reasoning,
            self.chunks,
            speed=self.speed,
            cancel=cancel,
            piece=self.piece,
        )

    async def close(self) -> None:
        self.closed = True


def watch_app(answer: str, *, index: int = 0, tmp_path: Path | None = None, **kw) -> TmtuiApp:
    feed = FakeFeed(
        answer, **{k: v for k, v in kw.items() if k in ("reasoning", "speed", "chunks")}
    )
    # never the working directory: a test that saves must not leave a file in the checkout
    save = (tmp_path or Path(tempfile.mkdtemp(prefix="tmtui-test-"))) / "saved.jsonl"
    inst = TMBENCH[index]

    def recorder():
        from tmtui.model.recorder import Recorder

        return Recorder(instance=inst, model=feed.model, dataset="tmbench")

    plan = WatchPlan(inst, feed, make_recorder=recorder, save_path=save, title="test")
    return TmtuiApp(plan, clock=None, theme=kw.get("theme", "dark"))


def view_app(path: Path, *, sample: int | None = None, compare: Path | None = None, **kw):
    plan = ViewPlan(path, sample=sample, compare=compare, save_path=path.parent / "saved.jsonl")
    return TmtuiApp(plan, clock=None, theme=kw.get("theme", "dark"))


async def wait_stream(app: TmtuiApp, pilot) -> None:
    """Until the debugger's stream has finished and been flushed."""
    screen = app.screen
    for _ in range(200):
        c = getattr(screen, "controller", None)
        if c is not None and c.finished.is_set():
            break
        await asyncio.sleep(0.02)
    await pilot.pause()


async def wait_for(pilot, predicate, timeout: float = 10.0) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not predicate():
        if loop.time() > end:
            raise AssertionError("timed out waiting")
        await asyncio.sleep(0.02)
    await pilot.pause()


def screen_lines(app: TmtuiApp) -> list[str]:
    """The text of every line of the current screen, as the terminal would show it."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


class FailingFeed(FakeFeed):
    """A request that fails before any text (a 404 for an unknown model, say)."""

    def __init__(self, error: str, *, text: str = "", model: str = "gpt-4.1") -> None:
        super().__init__(text, model=model)
        self.error = error

    def events(self, cancel: asyncio.Event):
        from tmtui.io.events import Content, Failed, Finish, Started

        async def gen():
            yield Started(0.0)
            if self.answer:
                yield Content(self.answer, 1.0)
            yield Failed(self.error)
            yield Finish("error", error=self.error)

        self.opened += 1
        return gen()


def watch_plan_app(inst, feed, *, tmp_path: Path, mode=None, size_theme: str = "dark") -> TmtuiApp:
    """An app on any feed (``watch_app`` builds its own)."""
    from tmtui.core.parsed import ParserMode

    plan = WatchPlan(
        inst, feed, save_path=tmp_path / "saved.jsonl", title="test", mode=mode or ParserMode.STRICT
    )
    return TmtuiApp(plan, clock=None, theme=size_theme)


async def quiet(pilot) -> None:
    """Before a snapshot: no messages (the key bar shows its keys again) and no blinking
    cursor."""
    from textual.widgets import Input

    app = pilot.app
    app.clear_notifications()
    for inp in app.screen.query(Input):
        inp.cursor_blink = False
    await pilot.pause()
    await pilot.pause()
