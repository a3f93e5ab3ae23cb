"""End to end: the debugger streaming from the embedded synthetic server through the real
client (loopback, no mocks), and what it saves scores like any record."""

from __future__ import annotations

from tests.live.livekit import TMBENCH
from tests.tui.tuikit import wait_stream
from tmtui.core.prompts import messages
from tmtui.core.score import score_sample
from tmtui.io.jsonl import iter_jsonl
from tmtui.model.client import ClientConfig
from tmtui.model.feed import ClientFeed
from tmtui.model.recorder import Recorder
from tmtui.model.serve import ServeOptions
from tmtui.tui.app import TmtuiApp
from tmtui.tui.plans import WatchPlan
from tmtui.tui.widgets.status import StatusBar


def _plan(tmp_path, index: int = 0, **serve) -> WatchPlan:
    inst = TMBENCH[index]
    msgs = messages(inst)
    config = ClientConfig(base_url="http://127.0.0.1:0/v1", model="synthetic", max_retries=2)
    feed = ClientFeed(config, msgs, serve=ServeOptions(**serve))

    def recorder() -> Recorder:
        return Recorder(
            instance=inst,
            model="synthetic",
            dataset="tmbench",
            params=config.params(),
            messages=msgs,
        )

    return WatchPlan(inst, feed, make_recorder=recorder, save_path=tmp_path / "watch.jsonl")


async def test_watch_streams_from_the_synthetic_server(tmp_path) -> None:
    # a model that errs (fixed seed): the status bar must show the scorer's diagnosis
    plan = _plan(tmp_path, tokens_per_second=0, reasoning="field", error_rate=0.03, seed=0)
    app = TmtuiApp(plan, clock=None)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_stream(app, pilot)
        scr = app.screen
        tr = scr.trace
        assert scr.status.state == "done"
        assert plan.feed.config.base_url.startswith("http://127.0.0.1:")
        assert tr.final and tr.reasoning.length > 0
        # the live reading is the scorer's reading of the same text
        sc = score_sample(TMBENCH[0], tr.answer.text)
        assert tr.alignment().verdicts() == sc.verdicts
        assert tr.first_divergence == sc.first_divergence
        assert sc.diagnosis is not None and sc.first_divergence is not None
        status = scr.query_one(StatusBar).render().plain
        assert f"first divergence: step {sc.first_divergence} — {sc.diagnosis.message}" in status
        assert scr.status.tokens is not None  # the server's usage arrived
        await pilot.press("s")
        recs = [r for _n, r in iter_jsonl(tmp_path / "watch.jsonl")]
        assert len(recs) == 1
        rec = recs[0]
        assert rec.answer == tr.answer.text and rec.reasoning == tr.reasoning.text
        assert rec.status == "complete" and rec.model == "synthetic" and rec.chunks
        assert score_sample(TMBENCH[0], rec.answer).verdicts == sc.verdicts
        await pilot.press("q")
    assert plan.feed._server is None  # the embedded server was closed


async def test_watch_retries_and_shows_it(tmp_path) -> None:
    """The first request fails with a 500: the status says retrying, then the answer comes."""
    plan = _plan(tmp_path, tokens_per_second=0, error_rate=0.0, fail_first=1, status=500)
    plan.feed.config.backoff_base = 0.05
    app = TmtuiApp(plan, clock=None)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_stream(app, pilot)
        scr = app.screen
        assert scr.status.retries == 1
        assert scr.status.state == "done"
        assert scr.trace.passed
        assert "✓ every step correct" in scr.query_one(StatusBar).render().plain


async def test_watch_a_tail_answer_shows_the_stated_fetch_beside_the_true_one(tmp_path) -> None:
    """`tmtui watch --template tail` on the embedded model: its first mistake (seed 0, #23) is
    a wrong fetch; the status says so and the step panel shows both fetches."""
    from tmtui.tui.widgets.detail import StepDetail

    inst = TMBENCH[23]
    msgs = messages(inst, "tail")
    config = ClientConfig(base_url="http://127.0.0.1:0/v1", model="synthetic", max_retries=2)
    serve = ServeOptions(tokens_per_second=0, error_rate=0.03, seed=0)
    feed = ClientFeed(config, msgs, serve=serve)
    plan = WatchPlan(inst, feed, make_recorder=lambda: None, save_path=tmp_path / "w.jsonl")
    app = TmtuiApp(plan, clock=None)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_stream(app, pilot)
        scr = app.screen
        sc = score_sample(inst, scr.trace.answer.text)
        assert "- Read: " in scr.trace.answer.text
        assert sc.diagnosis is not None and sc.diagnosis.kind.value == "wrong-read"
        status = scr.query_one(StatusBar).render().plain
        assert "read the wrong cell: took position" in status
        await pilot.press("d")
        await pilot.pause()
        text = " ".join(scr.query_one(StepDetail).plain.split())
        k = sc.diagnosis.step
        d = sc.diagnosis.detail
        assert f"the rules read {inst.run.head_read(k)} at cell {d['expected_position']}" in text
        assert f"at cell {d['position']} (written by step {d['written_by']}) ✗" in text
        await pilot.press("q")
