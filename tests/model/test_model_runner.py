"""The batch runner: records, resume, adaptive concurrency, cuts, budget forcing."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.model.modelkit import FAKE_KEY, config, serving
from tmtui.core.score import score_sample
from tmtui.io.jsonl import iter_jsonl
from tmtui.io.records import Record, encode_record, instance_of
from tmtui.model.limits import AdaptiveLimiter
from tmtui.model.runner import RunError, Runner, RunSpec, parse_samples


def records(path: Path) -> list[Record]:
    out = []
    for _, item in iter_jsonl(path):
        assert isinstance(item, Record), item
        out.append(item)
    return out


def spec(srv, tmbench, out, **kw) -> RunSpec:
    client_kw = kw.pop("client", {})
    return RunSpec(
        dataset=tmbench,
        output=out,
        client=config(srv, **client_kw),
        dataset_name="tmbench",
        **kw,
    )


def test_parse_samples():
    assert parse_samples("0-3,7, 2", 10) == [0, 1, 2, 3, 7]
    for bad in ("x", "5-2", "0-10", "-1", ""):
        with pytest.raises(RunError):
            parse_samples(bad, 10)


async def test_run_writes_one_record_per_sample_and_resumes(tmp_path, tmbench):
    out = tmp_path / "out.jsonl"
    async with serving() as srv:
        stats = await Runner(spec(srv, tmbench, out, samples=list(range(8)), repeat=2)).run()
        assert stats.done == 16 and stats.errors == 0
        recs = records(out)
        assert sorted((r.index, r.repeat) for r in recs) == [
            (i, r) for i in range(8) for r in (0, 1)
        ]
        r = recs[0]
        assert r.status == "complete" and r.model == "synthetic" and r.dataset == "tmbench"
        assert r.instance is not None and instance_of(r).id == tmbench[r.index].id
        assert r.prompt_sha256 and r.params["temperature"] == 0 and r.params["max_tokens"] == 16384
        assert r.usage.source == "server" and r.chunks and r.timing.started_at
        assert FAKE_KEY.encode() not in out.read_bytes()
        # the same run again: nothing to do
        runner = Runner(spec(srv, tmbench, out, samples=list(range(8)), repeat=2))
        assert runner.plan() == [] and runner.stats.skipped == 16
        runner.unlock()
        # a wider run only does the new samples
        runner = Runner(spec(srv, tmbench, out, samples=list(range(10)), repeat=2))
        stats = await runner.run()
        assert stats.skipped == 16 and stats.done == 4
    assert len(records(out)) == 20


async def test_resume_redoes_unfinished_and_repairs_a_torn_line(tmp_path, tmbench):
    out = tmp_path / "out.jsonl"
    async with serving() as srv:
        await Runner(spec(srv, tmbench, out, samples=[0, 1, 2, 3])).run()
        recs = records(out)
        # sample 2 was interrupted, sample 3 errored; a kill left a torn line
        data = b""
        for r in recs:
            if r.index == 2:
                r.status, r.answer = "interrupted", r.answer[:100]
            if r.index == 3:
                r.status, r.answer, r.error = "error", "", "gave up after 7 tries: 503"
            data += encode_record(r)
        out.write_bytes(data + encode_record(recs[0])[:57])
        runner = Runner(spec(srv, tmbench, out, samples=[0, 1, 2, 3]))
        todo = runner.plan()
        assert sorted(i.index for i, _ in todo) == [2, 3] and runner.stats.superseded == 2
        assert not (tmp_path / "out.jsonl.compact.tmp").exists()
        stats = await runner.run(todo)
        assert stats.done == 2 and stats.repaired_bytes == 57
    recs = records(out)
    assert sorted(r.index for r in recs) == [0, 1, 2, 3]
    assert all(r.status == "complete" for r in recs)
    side = records(tmp_path / "out.jsonl.superseded.jsonl")
    assert sorted((r.index, r.status) for r in side) == [(2, "interrupted"), (3, "error")]


async def test_stop_after_divergence_cuts_streams(tmp_path, tmbench):
    out = tmp_path / "cut.jsonl"
    async with serving(error_rate=0.15, seed=4, tokens_per_second=0) as srv:
        stats = await Runner(
            spec(srv, tmbench, out, samples=list(range(16)), stop_after_divergence=1)
        ).run()
    recs = records(out)
    cut = [r for r in recs if r.status == "cut"]
    assert stats.cut == len(cut) >= 4
    for r in cut:
        inst = tmbench[r.index]
        s = score_sample(inst, r.answer, status="cut", keep=True)
        div = r.meta["cut"]["first_divergence"]
        assert s.first_divergence == div
        # cut once step div+K+1 began (a step is judged once the next one starts)
        assert max(s.parse.steps) <= div + 2
    for r in recs:
        if r.status == "complete":
            s = score_sample(tmbench[r.index], r.answer, keep=True)
            # passed, or the answer ended before step div+K+1 could begin
            assert s.passed or max(s.parse.steps) <= s.first_divergence + 2


async def test_continue_until_halt(tmp_path, tmbench):
    out = tmp_path / "long.jsonl"
    async with serving(error_rate=0) as srv:
        stats = await Runner(
            spec(
                srv,
                tmbench,
                out,
                samples=[0, 1, 6],
                max_steps=45,
                continue_until_halt=True,
                token_budget=100_000,
                client={"max_tokens": 700},
            )
        ).run()
    assert stats.done == 3
    for r in records(out):
        inst = instance_of(r)
        assert inst.max_step == 45 and r.max_steps == 45
        s = score_sample(inst, r.answer)
        assert s.passed, (r.index, s.verdicts)
        if len(inst.run) > 10:  # a long trace needed several turns
            assert r.timing.turns and r.timing.turns > 1
            assert r.meta["continuation"]["stopped"] in ("reached the step cap", "halted")
        assert sum(c[1] for c in r.chunks) == len(r.answer)


async def test_continue_until_halt_on_a_long_run(tmp_path):
    """Issue 13: a 300-step trace whose queue grows to hundreds of symbols, answered over many
    turns, is scored whole: every step of the long run in one record, passing."""
    from tmtui.core.datasets import GenerationSpec, generate

    long = generate(GenerationSpec(n=1, seed=5, max_states=301, min_states=301), name="long")
    inst = long[0]
    assert len(inst.run) == 301 and inst.run.length(-1) > 100
    out = tmp_path / "long-run.jsonl"
    async with serving(error_rate=0) as srv:
        stats = await Runner(
            RunSpec(
                dataset=long,
                output=out,
                client=config(srv, max_tokens=4000),
                dataset_name="long",
                max_steps=300,
                continue_until_halt=True,
                token_budget=2_000_000,
            )
        ).run()
    assert stats.done == 1
    (r,) = records(out)
    s = score_sample(instance_of(r), r.answer)
    assert s.passed and s.n_truth == 301, s.verdicts
    assert r.timing.turns and r.timing.turns > 5
    assert r.meta["continuation"]["stopped"] == "reached the step cap"


async def test_budget_stops_continuations(tmp_path, tmbench):
    out = tmp_path / "budget.jsonl"
    async with serving(error_rate=0) as srv:
        await Runner(
            spec(
                srv,
                tmbench,
                out,
                samples=[1],
                max_steps=60,
                continue_until_halt=True,
                token_budget=1500,
                client={"max_tokens": 600},
            )
        ).run()
    (r,) = records(out)
    assert r.meta["continuation"]["stopped"] == "token budget spent"
    assert r.usage.completion_tokens <= 1500 + 600


def test_adaptive_limiter_aimd():
    now = [0.0]
    lim = AdaptiveLimiter(16, cooldown=5, clock=lambda: now[0])
    lim.rate_limited(None)
    assert lim.limit == 8
    lim.rate_limited(None)  # within the cool-down: no second cut
    assert lim.limit == 8
    for _ in range(20):
        lim.succeeded()
    assert lim.limit == 8  # no growth during the cool-down
    now[0] = 6
    for _ in range(8):
        lim.succeeded()
    assert lim.limit == 9
    lim.rate_limited(30)
    assert lim.limit == 4
    now[0] = 20
    lim.succeeded()
    assert lim.limit == 4  # Retry-After 30 lengthened the cool-down
    for _ in range(3):
        lim.rate_limited(None)
    now[0] = 100
    lim.rate_limited(None)
    lim.rate_limited(None)
    assert lim.limit >= 1


async def test_limiter_bounds_requests_in_flight():
    lim = AdaptiveLimiter(3)
    peak = 0

    async def job():
        nonlocal peak
        await lim.acquire()
        peak = max(peak, lim.in_flight)
        await asyncio.sleep(0.01)
        lim.release()

    lim.limit = 2
    await asyncio.gather(*(job() for _ in range(10)))
    assert peak == 2 and lim.in_flight == 0
    # a cancelled waiter gives its place back
    await lim.acquire()
    await lim.acquire()
    waiter = asyncio.create_task(lim.acquire())
    await asyncio.sleep(0)
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    lim.release()
    lim.release()
    assert lim.in_flight == 0 and not lim._waiters


async def test_rate_limited_server_lowers_concurrency(tmp_path, tmbench):
    out = tmp_path / "rl.jsonl"
    async with serving(status=429, retry_after=0.05, fail_rate=0.3, seed=1) as srv:
        runner = Runner(
            spec(
                srv,
                tmbench,
                out,
                samples=list(range(24)),
                concurrency=8,
                client={"max_retries": 20},
            )
        )
        stats = await runner.run()
    assert stats.done == 24 and stats.errors == 0
    assert stats.rate_limited >= 3 and runner.limiter.decreases >= 1
    assert all(r.status == "complete" for r in records(out))


async def test_two_runs_cannot_write_the_same_file(tmp_path, tmbench):
    out = tmp_path / "locked.jsonl"
    async with serving() as srv:
        first = Runner(spec(srv, tmbench, out, samples=[0]))
        first.plan()
        with pytest.raises(RunError, match="another tmtui run"):
            Runner(spec(srv, tmbench, out, samples=[0])).plan()
        await first.run([])
        assert not (tmp_path / "locked.jsonl.lock").exists()
        Runner(spec(srv, tmbench, out, samples=[0])).plan()
