"""The trace debugger on big, fast content (issue 4), headless, against `tmtui serve --replay`
in another process.

    /work/venv/bin/python benchmarks/bench_tui.py            # the figures in docs/performance.md
    /work/venv/bin/python benchmarks/bench_tui.py --quick    # smaller and faster

The transcript: a correct 1,000-step answer to a 2-tag system whose queue grows to about
2,000 symbols (2.2 million characters, about 1.07 million token-sized chunks), saved as a
record and served by `tmtui serve --replay FILE --tokens-per-second 0 --port 0`.

1. Replay at unlimited rate. Baseline: the client (`tmtui.model.client.ModelClient`, the same
   path the app uses) consuming the stream with nothing else. App: `tmtui watch`'s app, headless
   at 120x40 (`App.run_test`), streaming the same answer through the same client into the
   debugger (recorder, incremental parser, live alignment, virtual panels, status bar) until
   the last step is aligned and drawn. Alternating rounds, medians. Target: app / baseline
   <= 1.5.
2. Key latency while a 5,000 chunks/s stream arrives (`--tokens-per-second 5000`): keys
   (j, k, d, n, p, G, g) pressed one at a time; for each, the time from the key event to its
   action having run (handled) and to the next screen update after it (drawn). Target: p95 of
   handled <= 100 ms. The achieved stream rate is measured too.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tmtui.core.answer import format_answer  # noqa: E402
from tmtui.core.datasets import Instance, instance_id  # noqa: E402
from tmtui.core.mutate import flawed_steps  # noqa: E402
from tmtui.core.prompts import messages  # noqa: E402
from tmtui.io.records import Record, encode_record, spec_of  # noqa: E402

RULES = {"A": "BCDAE", "B": "CAE", "C": "DAEB", "D": "EBCA", "E": "ABDC"}
INIT = "ABCDEABCDE"


def big_instance(steps: int) -> Instance:
    return Instance(
        id=instance_id(INIT, RULES), init=INIT, rules=RULES, max_states=steps + 1, dataset="bench"
    )


def write_record(inst: Instance, path: Path) -> tuple[int, int]:
    text = format_answer(flawed_steps(inst) or [])
    rec = Record(
        instance_id=inst.id,
        dataset="bench",
        index=0,
        model="big",
        status="complete",
        answer=text,
        instance=spec_of(inst),
    )
    path.write_bytes(encode_record(rec))
    from tmtui.model.synthetic import split_tokens

    return len(text), len(split_tokens(text))


def start_server(record: Path, tps: float) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "tmtui", "serve", "--replay", str(record), "--port", "0",
         "--tokens-per-second", f"{tps:g}"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )  # fmt: skip
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if "listening on" not in line:
        proc.kill()
        raise SystemExit(f"the server did not start: {line!r}")
    return proc, line.split("listening on ", 1)[1].split(" ", 1)[0]


def config(url: str):
    from tmtui.model.client import ClientConfig

    return ClientConfig(base_url=url, model="replay", max_tokens=None, max_retries=0)


async def baseline(url: str, inst: Instance) -> tuple[float, int]:
    """The client alone: read the whole stream, keep the text."""
    from tmtui.io.events import Content
    from tmtui.model.client import ModelClient

    client = ModelClient(config(url))
    parts: list[str] = []
    t0 = time.perf_counter()
    async with contextlib.aclosing(client.stream(messages(inst))) as events:
        async for ev in events:
            if type(ev) is Content:
                parts.append(ev.text)
    text = "".join(parts)
    elapsed = time.perf_counter() - t0
    await client.aclose()
    return elapsed, len(text)


def make_app(url: str, inst: Instance):
    from tmtui.model.recorder import Recorder
    from tmtui.tui.app import TmtuiApp, WatchPlan
    from tmtui.tui.feeds import ClientFeed

    feed = ClientFeed(config(url), messages(inst))
    starts: list[float] = []
    events = feed.events

    def timed_events(cancel):
        starts.append(time.perf_counter())
        return events(cancel)

    feed.events = timed_events  # type: ignore[method-assign]
    plan = WatchPlan(inst, feed, make_recorder=lambda: Recorder(instance=inst, model="replay"))
    return TmtuiApp(plan, clock=time.monotonic), starts


async def through_app(url: str, inst: Instance) -> tuple[float, float, int, int]:
    """(stream to the last step aligned, ... and drawn, steps aligned, characters)."""
    app, starts = make_app(url, inst)
    async with app.run_test(size=(120, 40)) as pilot:
        scr = app.screen
        while not starts:
            await asyncio.sleep(0.001)
        await scr.controller.finished.wait()
        aligned = time.perf_counter() - starts[0]
        await pilot.pause()
        drawn = time.perf_counter() - starts[0]
        tr = scr.trace
        assert tr.final and tr.passed, "the debugger did not read the whole answer"
        return aligned, drawn, tr.written, tr.answer.length


async def key_latency(url: str, inst: Instance, presses: int) -> dict:
    from textual import events
    from textual.screen import Screen

    app, _starts = make_app(url, inst)
    frames: list[float] = []
    orig = Screen._on_timer_update

    def frame(self) -> None:
        orig(self)
        frames.append(time.perf_counter())

    Screen._on_timer_update = frame  # type: ignore[method-assign]
    handled: list[float] = []
    try:
        async with app.run_test(size=(120, 40)):
            scr = app.screen
            for name in ("action_step", "action_first_divergence", "action_next_wrong",
                         "action_prev_wrong", "action_top", "action_end"):  # fmt: skip
                fn = getattr(scr, name)

                def hooked(*a, _fn=fn, **k):
                    r = _fn(*a, **k)
                    handled.append(time.perf_counter())
                    return r

                setattr(scr, name, hooked)
            while scr.status.chunks < 2000:  # the stream is flowing
                await asyncio.sleep(0.05)
            c0, t0 = scr.status.chunks, time.perf_counter()
            keys = ["j", "k", "j", "d", "n", "p", "G", "g"]
            lat_handled, lat_drawn = [], []
            for i in range(presses):
                await asyncio.sleep(0.15)
                n = len(handled)
                # the path a terminal's key takes (pilot.press would wait for an idle app,
                # and an app receiving a stream is never idle)
                key = keys[i % len(keys)]
                ev = events.Key(key, key)
                ev.set_sender(app)
                sent = time.perf_counter()
                app._driver.send_message(ev)
                while len(handled) == n:
                    await asyncio.sleep(0.001)
                done = handled[n]
                lat_handled.append(done - sent)
                while not frames or frames[-1] < done:
                    await asyncio.sleep(0.001)
                lat_drawn.append(next(f for f in frames if f >= done) - sent)
            rate = (scr.status.chunks - c0) / (time.perf_counter() - t0)
            scr.controller.stop()
    finally:
        Screen._on_timer_update = orig  # type: ignore[method-assign]
    return {"handled": lat_handled, "drawn": lat_drawn, "rate": rate}


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(q * len(s)))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="300 steps, 2 rounds, 12 keys")
    ap.add_argument("--steps", type=int, default=None)
    ap.add_argument("--rounds", type=int, default=None)
    ap.add_argument("--keys", type=int, default=None)
    args = ap.parse_args()
    steps = args.steps or (300 if args.quick else 1000)
    rounds = args.rounds or (2 if args.quick else 3)
    presses = args.keys or (12 if args.quick else 30)
    inst = big_instance(steps)
    with tempfile.TemporaryDirectory() as tmp:
        record = Path(tmp) / "big.jsonl"
        chars, chunks = write_record(inst, record)
        print(f"transcript: {steps} steps, last queue {inst.run.length(-1):,} symbols, "
              f"{chars:,} characters, {chunks:,} chunks")  # fmt: skip
        proc, url = start_server(record, 0)
        try:
            base, app_aligned, app_drawn = [], [], []
            for r in range(rounds):
                b, n = asyncio.run(baseline(url, inst))
                assert n == chars
                a, d, aligned_steps, n2 = asyncio.run(through_app(url, inst))
                assert n2 == chars and aligned_steps == steps + 1
                base.append(b)
                app_aligned.append(a)
                app_drawn.append(d)
                print(f"  round {r + 1}: client alone {b:.2f} s · through the app {a:.2f} s "
                      f"(drawn {d:.2f} s)")  # fmt: skip
        finally:
            proc.kill()
        mb, ma, md = (statistics.median(x) for x in (base, app_aligned, app_drawn))
        print(f"replay at unlimited rate: client alone {mb:.2f} s ({chunks / mb:,.0f} chunks/s), "
              f"through the app {ma:.2f} s, drawn {md:.2f} s; ratio {ma / mb:.2f} "
              f"(drawn {md / mb:.2f}); target <= 1.5")  # fmt: skip
        proc, url = start_server(record, 5000)
        try:
            kl = asyncio.run(key_latency(url, inst, presses))
        finally:
            proc.kill()
        h, d = kl["handled"], kl["drawn"]
        print(f"keys during a {kl['rate']:,.0f} chunks/s stream ({len(h)} presses): handled "
              f"p50 {1e3 * pct(h, 0.5):.1f} ms, p95 {1e3 * pct(h, 0.95):.1f} ms, "
              f"max {1e3 * max(h):.1f} ms; drawn p50 {1e3 * pct(d, 0.5):.1f} ms, "
              f"p95 {1e3 * pct(d, 0.95):.1f} ms, max {1e3 * max(d):.1f} ms; target p95 <= 100 ms")  # fmt: skip


if __name__ == "__main__":
    main()
