"""Long runs in the trace debugger (issue 13): `tmtui view` and `tmtui watch` on a 2,000-step
run whose queue grows to about 4,000 symbols, against the same on a 30-step run (the named
baseline), measured in the same run.

    /work/venv/bin/python benchmarks/bench_longrun.py            # the figures in docs/performance.md
    /work/venv/bin/python benchmarks/bench_longrun.py --quick    # fewer presses and jumps

The runs: a 2-tag system whose productions are 3-5 symbols long, answered step by step in the
official format with one copy error at 60 % of the run (every later step wrong, inherited),
saved as a tmtui record. The long answer is about 16 MB of text; its 30-step baseline is the
first 30 steps of the same instance, with its copy error at step 18.

The real app (`TmtuiApp`, the one `tmtui view FILE --sample 0` opens), headless at 120x40
(`App.run_test`), driven the way a terminal drives it:

1. Keys in the debugger: j k pagedown pageup n p d G g m (parser switch) 1 2 3 4 (panels), each
   sent as a terminal's key arrives (the driver's message queue). For each, the time to its
   action having run ("handled") and to the next screen update after it ("drawn"). Goal:
   handled <= 100 ms.
2. Jump to any step: a random step selected (what a click on a row, the parse inspector or
   the timeline does: every panel scrolls to it), time to the next screen update. Goal:
   <= 50 ms.
3. Scroll: the alignment and the model output panels scrolled to a random place (a wheel or
   a scroll bar drag), time to the next screen update. Goal: <= 50 ms.
4. `tmtui watch`: the long answer streamed live into the debugger (the replay path `tmtui
   watch` and `r` share: 64-character chunks, as fast as the app takes them); the keys above
   pressed while it streams, time to handled.

p50 and p95 of each, for the long run and the 30-step baseline, and their ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tmtui.core.answer import format_answer  # noqa: E402
from tmtui.core.datasets import Instance, instance_id  # noqa: E402
from tmtui.core.diagnose import Kind  # noqa: E402
from tmtui.core.mutate import flawed_steps  # noqa: E402
from tmtui.io.records import Record, encode_record, spec_of  # noqa: E402

RULES = {"A": "BCDAE", "B": "CAE", "C": "DAEB", "D": "EBCA", "E": "ABDC"}
INIT = "ABCDEABCDE"
KEYS = ["j", "k", "pagedown", "pageup", "n", "p", "d", "G", "g", "m", "m", "1", "2", "3", "4",
        "i", "escape", "z", "z", "question_mark", "escape"]  # fmt: skip
SIZE = (120, 40)


def instance(steps: int) -> Instance:
    return Instance(
        id=instance_id(INIT, RULES), init=INIT, rules=RULES, max_states=steps + 1, dataset="long"
    )


def write_record(inst: Instance, path: Path, stream_seconds: float = 0.0) -> dict:
    """The answer as a record; with ``stream_seconds``, with chunk times that spread its
    64-character chunks evenly over that long (what a replay streams at)."""
    n = len(inst.run)
    steps = flawed_steps(inst, {int(n * 0.6): Kind.COPY_ERROR}, rng=random.Random(7))
    text = format_answer(steps or [])
    chunks: list[list[float]] = []
    if stream_seconds:
        pieces = range(0, len(text), 64)
        per = stream_seconds * 1e3 / len(pieces)
        chunks = [[i * per, min(64, len(text) - at), 0] for i, at in enumerate(pieces)]
    rec = Record(
        instance_id=inst.id,
        dataset="long",
        index=0,
        model="bench",
        status="complete",
        answer=text,
        instance=spec_of(inst),
        chunks=chunks,
    )
    path.write_bytes(encode_record(rec))
    return {"steps": n - 1, "chars": len(text), "queue": inst.run.length(-1)}


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(q * len(s)))]


class Frames:
    """The time (and this process's CPU time) of every screen update (Screen._on_timer_update,
    where Textual paints)."""

    def __init__(self) -> None:
        from textual.screen import Screen

        self.times: list[tuple[float, float]] = []
        self._orig = Screen._on_timer_update
        frames = self.times
        orig = self._orig

        def frame(scr) -> None:
            orig(scr)
            frames.append((time.perf_counter(), time.process_time()))

        Screen._on_timer_update = frame  # type: ignore[method-assign]

    def close(self) -> None:
        from textual.screen import Screen

        Screen._on_timer_update = self._orig  # type: ignore[method-assign]

    async def after(self, t: float, timeout: float = 5.0) -> float:
        """The first screen update at or after ``t``."""
        return (await self.after_cpu(t, timeout))[0]

    async def after_cpu(self, t: float, timeout: float = 5.0) -> tuple[float, float]:
        """(time, CPU time) at the end of the first screen update at or after ``t``."""
        end = time.perf_counter() + timeout
        while True:
            for f in self.times[-64:]:
                if f[0] >= t:
                    return f
            if time.perf_counter() > end:
                raise TimeoutError("no screen update")
            await asyncio.sleep(0.0005)


def hook_actions(scr, handled: list[float]) -> None:
    """Record when each action of a screen (the debugger, the inspector, the help) has run."""
    if getattr(scr, "_bench_hooked", False):
        return
    scr._bench_hooked = True
    for name in dir(scr):
        if not name.startswith("action_") or name == "action_quit":
            continue
        fn = getattr(scr, name)
        if asyncio.iscoroutinefunction(fn):
            continue

        def hooked(*a, _fn=fn, **k):
            r = _fn(*a, **k)
            handled.append((time.perf_counter(), time.process_time()))
            return r

        setattr(scr, name, hooked)


async def press(app, key: str, handled: list, frames: Frames) -> tuple[float, float, float]:
    """A key sent the way a terminal's key arrives: (handled, drawn, CPU time to handled), in
    seconds. The CPU time is this process's: other processes' load does not count in it."""
    from textual import events

    hook_actions(app.screen, handled)
    n = len(handled)
    ev = events.Key(key, None if len(key) > 1 else key)
    ev.set_sender(app)
    cpu = time.process_time()
    sent = time.perf_counter()
    app._driver.send_message(ev)
    end = sent + 10
    while len(handled) == n:
        if time.perf_counter() > end:
            raise TimeoutError(f"key {key!r} was not handled")
        await asyncio.sleep(0.0005)
    done, done_cpu = handled[n]
    drawn = await frames.after(done)
    return done - sent, drawn - sent, done_cpu - cpu


async def open_debugger(path: Path):
    from tmtui.tui.app import TmtuiApp
    from tmtui.tui.plans import ViewPlan
    from tmtui.tui.screens.watch import DebuggerScreen

    app = TmtuiApp(ViewPlan(path, sample=0), clock=None)
    return app, DebuggerScreen


async def bench_view(path: Path, presses: int, jumps: int, seed: int) -> dict:
    app, debugger = await open_debugger(path)
    frames = Frames()
    rng = random.Random(seed)
    out: dict = {
        "handled": [], "drawn": [], "cpu": [], "jump": [], "jump_cpu": [], "scroll": [],
        "scroll_cpu": [], "by_key": {},
    }  # fmt: skip
    try:
        t0 = time.perf_counter()
        async with app.run_test(size=SIZE) as pilot:
            while not isinstance(app.screen, debugger):
                await asyncio.sleep(0.002)
            scr = app.screen
            await pilot.pause()
            out["open"] = time.perf_counter() - t0
            handled: list = []
            for i in range(presses):
                key = KEYS[i % len(KEYS)]
                h, d, c = await press(app, key, handled, frames)
                out["handled"].append(h)
                out["drawn"].append(d)
                out["cpu"].append(c)
                out["by_key"].setdefault(key, []).append(h)
                await asyncio.sleep(0.03)
            await pilot.pause()
            n = scr.trace.row_count
            for _ in range(jumps):
                step = scr.trace.step_of_row(rng.randrange(n))
                c, t = time.process_time(), time.perf_counter()
                scr.select(step, origin="alignment")
                drawn, cpu = await frames.after_cpu(time.perf_counter())
                out["jump"].append(drawn - t)
                out["jump_cpu"].append(cpu - c)
                await asyncio.sleep(0.03)
            from tmtui.tui.widgets.alignment import AlignmentTable
            from tmtui.tui.widgets.transcript import TranscriptView

            panels = [scr.query_one(AlignmentTable), scr.query_one("#transcript", TranscriptView)]
            for i in range(jumps):
                w = panels[i % 2]
                y = rng.randrange(max(1, int(w.max_scroll_y) + 1))
                c, t = time.process_time(), time.perf_counter()
                w.scroll_to(y=y, animate=False, immediate=True)
                w.refresh()
                drawn, cpu = await frames.after_cpu(time.perf_counter())
                out["scroll"].append(drawn - t)
                out["scroll_cpu"].append(cpu - c)
                await asyncio.sleep(0.03)
            assert scr.trace.final
    finally:
        frames.close()
    return out


async def bench_watch(path: Path, presses: int, pause: float) -> dict:
    """The answer streamed live (the replay `r` starts, at its recorded chunk times: the path
    of `tmtui watch`'s stream through the controller), keys pressed meanwhile."""
    app, debugger = await open_debugger(path)
    frames = Frames()
    out: dict = {"handled": [], "drawn": [], "cpu": []}
    try:
        async with app.run_test(size=SIZE) as pilot:
            while not isinstance(app.screen, debugger):
                await asyncio.sleep(0.002)
            scr = app.screen
            await pilot.pause()
            handled: list = []
            await press(app, "r", handled, frames)  # restart: the sample streams live
            t0 = time.perf_counter()
            keys = [k for k in KEYS if k not in ("m", "G", "i", "escape", "question_mark", "z")]
            i = 0
            while scr.controller is not None and scr.controller.running and i < presses:
                await asyncio.sleep(pause)
                h, d, c = await press(app, keys[i % len(keys)], handled, frames)
                out["handled"].append(h)
                out["drawn"].append(d)
                out["cpu"].append(c)
                i += 1
            while scr.controller is not None and scr.controller.running:
                await asyncio.sleep(0.01)
            out["stream"] = time.perf_counter() - t0
            out["written"] = scr.trace.written
    finally:
        frames.close()
    return out


def ms(x: float) -> str:
    return f"{1e3 * x:.1f} ms"


def _p(values: list[float]) -> str:
    return f"p50 {ms(pct(values, 0.5)):>9} p95 {ms(pct(values, 0.95)):>9}"


ROWS = [
    # (label, section, figure, goal in seconds)
    ("view: key handled", "view", "handled", 0.100),
    ("view: key drawn", "view", "drawn", None),
    ("view: key handled, CPU", "view", "cpu", None),
    ("view: jump to a step, drawn", "view", "jump", 0.050),
    ("view: jump to a step, CPU", "view", "jump_cpu", None),
    ("view: scroll, drawn", "view", "scroll", 0.050),
    ("view: scroll, CPU", "view", "scroll_cpu", None),
    ("watch: key handled while streaming", "watch", "handled", 0.100),
    ("watch: key drawn while streaming", "watch", "drawn", None),
]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="fewer presses and jumps")
    ap.add_argument("--steps", type=int, default=2000)
    ap.add_argument("--baseline-steps", type=int, default=30)
    ap.add_argument("--keys", type=int, default=None, help="key presses (default 63)")
    ap.add_argument("--jumps", type=int, default=None, help="jumps and scrolls (default 40)")
    ap.add_argument("--stream-seconds", type=float, default=None, help="watch (default 12)")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = ap.parse_args()
    presses = args.keys or (len(KEYS) if args.quick else 3 * len(KEYS))
    jumps = args.jumps or (20 if args.quick else 40)
    secs = args.stream_seconds or (6.0 if args.quick else 12.0)
    figures: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, steps in (("baseline", args.baseline_steps), ("long", args.steps)):
            path, streamed = Path(tmp) / f"{name}.jsonl", Path(tmp) / f"{name}-stream.jsonl"
            info = write_record(instance(steps), path)
            write_record(instance(steps), streamed, stream_seconds=secs)
            print(f"{name}: {info['steps']:,} steps, last queue {info['queue']:,} symbols, "
                  f"{info['chars']:,} characters", flush=True)  # fmt: skip
            v = asyncio.run(bench_view(path, presses, jumps, seed=1))
            slow = sorted(((max(x), k) for k, x in v["by_key"].items()), reverse=True)[:5]
            print(f"  opened in {v['open']:.2f} s; slowest keys (handled): "
                  + ", ".join(f"{k} {ms(x)}" for x, k in slow), flush=True)  # fmt: skip
            w = asyncio.run(bench_watch(streamed, presses // 3, secs / (presses // 3 + 2)))
            print(f"  watch: {w['written']:,} steps streamed in {w['stream']:.1f} s, "
                  f"{len(w['handled'])} keys pressed meanwhile", flush=True)  # fmt: skip
            figures[name] = {"run": info, "view": v, "watch": w}
    b, lg = figures["baseline"], figures["long"]
    print(f"\n{'':36} {'long run (' + str(args.steps) + ' steps)':>26} | "
          f"{'baseline (' + str(args.baseline_steps) + ' steps)':>26} | ratio p95 | goal")  # fmt: skip
    for label, sec, fig, goal in ROWS:
        x, y = lg[sec][fig], b[sec][fig]
        if not x or not y:
            continue
        met = (
            ""
            if goal is None
            else f"<= {goal * 1e3:.0f} ms: {'yes' if pct(x, 0.95) <= goal else 'NO'}"
        )
        print(f"{label:36} {_p(x)} | {_p(y)} | {pct(x, 0.95) / pct(y, 0.95):8.2f}x | {met}")
    if args.json:
        print(json.dumps(figures, default=float))


if __name__ == "__main__":
    main()
