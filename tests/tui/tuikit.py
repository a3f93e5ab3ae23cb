"""Helpers for the TUI tests: answers with a known first divergence of every diagnosis kind,
a stream source that needs no network, and apps built on them."""

from __future__ import annotations

import asyncio
import random
from pathlib import Path

from tmtui.core.answer import format_answer
from tmtui.core.datasets import Instance, generate_preset
from tmtui.core.diagnose import Kind
from tmtui.core.mutate import flawed_steps
from tmtui.io.records import Record, encode_record, spec_of
from tmtui.tui.app import TmtuiApp, ViewPlan, WatchPlan
from tmtui.tui.feeds import replay_events

TMBENCH = generate_preset("tmbench")

# (instance index, step, kind): each makes a flawed answer whose first divergence is that step
KINDS: list[tuple[int, int, Kind]] = [
    (0, 9, Kind.COPY_ERROR),
    (0, 6, Kind.WRONG_PRODUCTION),
    (0, 12, Kind.WRONG_HEAD),
    (0, 5, Kind.WRONG_DELETION),
    (0, 14, Kind.STALE_STATE),
    (0, 10, Kind.PREMATURE_HALT),
    (0, 8, Kind.STEP_MISSING),
    (0, 11, Kind.UNPARSABLE),
]


def flawed(index: int = 0, errors: dict[int, Kind] | None = None, style: str = "official") -> str:
    inst = TMBENCH[index]
    for seed in range(50):
        steps = flawed_steps(inst, errors or {}, rng=random.Random(seed))
        if steps is not None:
            return format_answer(steps, style=style)
    raise AssertionError(f"cannot make {errors} on instance {index}")


def truncated(index: int = 0, at_step: int = 20) -> str:
    text = flawed(index)
    cut = text.index(f"### step {at_step}:")
    return text[: cut + len(f"### step {at_step}:\n   - Head Symbol: ")]


def record(
    inst: Instance, answer: str, *, model: str = "fake", reasoning: str = "", **kw
) -> Record:
    return Record(
        instance_id=inst.id,
        dataset=inst.dataset or "tmbench",
        index=inst.index,
        model=model,
        status=kw.pop("status", "complete"),
        answer=answer,
        reasoning=reasoning,
        instance=spec_of(inst),
        **kw,
    )


def write_records(path: Path, records: list[Record]) -> Path:
    path.write_bytes(b"".join(encode_record(r) for r in records))
    return path


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
    save = (tmp_path or Path(".")) / "saved.jsonl"
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
