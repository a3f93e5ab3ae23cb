"""The client against a real tmtui server over loopback, with the real openai SDK (no mocks)."""

from __future__ import annotations

import asyncio
import contextlib
import time

import pytest

from tests.model.modelkit import FAKE_KEY, collect, config, serving
from tmtui.core.datasets import generate_preset
from tmtui.core.diagnose import Kind
from tmtui.core.prompts import messages
from tmtui.core.prompts import parse_messages as parse_problem
from tmtui.core.score import score_sample
from tmtui.io.events import Content, Failed, Finish, Reasoning, Retry, Started, UsageReport
from tmtui.model.client import ModelClient
from tmtui.model.synthetic import SyntheticModel
from tmtui.model.wire import ThinkSplitter, sse_payloads


def _kinds(events):
    return [type(e).__name__ for e in events if not isinstance(e, Content | Reasoning)]


async def test_perfect_answers_score_perfectly(tmbench):
    greek = generate_preset("tmbench-greek")
    async with serving(error_rate=0) as srv:
        client = ModelClient(config(srv))
        try:
            for inst in [*[tmbench[i] for i in range(8)], greek[0], greek[13]]:
                rec, events = await collect(client, inst, messages(inst))
                r = rec.record()
                assert r.status == "complete" and r.finish_reason == "stop"
                assert isinstance(events[0], Started) and isinstance(events[-1], Finish)
                score = score_sample(inst, r.answer)
                assert score.passed and score.swa() == 100.0, (inst.index, score.verdicts)
                assert r.usage is not None and r.usage.source == "server"
                assert r.usage.completion_tokens and r.usage.prompt_tokens
                assert sum(c[1] for c in r.chunks) == len(r.answer)
                assert r.chunks == sorted(r.chunks, key=lambda c: c[0])
                assert "api_key" not in r.params and FAKE_KEY not in str(r.params)
        finally:
            await client.aclose()


async def test_diagnoses_match_injected_kinds(tmbench):
    rate, seed = 0.12, 3
    model = SyntheticModel(rate, seed)
    seen: set[Kind] = set()
    async with serving(error_rate=rate, seed=seed) as srv:
        client = ModelClient(config(srv))
        try:
            for i in range(40):
                inst = tmbench[i]
                msgs = messages(inst)
                expected = model.answer(parse_problem(msgs).instance)
                rec, _ = await collect(client, inst, msgs)
                answer = rec.record().answer
                assert answer == expected.text
                fatal = [(k, kind) for k, kind in expected.injected if k >= 0]
                score = score_sample(inst, answer)
                if not fatal:
                    assert score.passed
                    continue
                step, kind = fatal[0]
                assert score.diagnosis is not None
                assert (score.diagnosis.kind, score.diagnosis.step) == (kind, step)
                seen.add(kind)
        finally:
            await client.aclose()
    assert {Kind.COPY_ERROR, Kind.WRONG_PRODUCTION} <= seen and len(seen) >= 4


async def test_429_honours_retry_after(tmbench):
    inst = tmbench[0]
    async with serving(status=429, retry_after=0.3, fail_first=2) as srv:
        client = ModelClient(config(srv))
        t = time.monotonic()
        rec, events = await collect(client, inst, messages(inst))
        took = time.monotonic() - t
        await client.aclose()
    retries = [e for e in events if isinstance(e, Retry)]
    assert [r.status_code for r in retries] == [429, 429]
    assert all(r.retry_after == pytest.approx(0.3) and r.wait_s >= 0.3 for r in retries)
    assert took >= 0.6
    r = rec.record()
    assert r.status == "complete" and score_sample(inst, r.answer).verdicts
    assert len(r.tries) == 2 and "429" in r.tries[0].error
    assert isinstance(events[-1], Finish) and events[-1].attempts == 3


async def test_500_is_retried_then_gives_up(tmbench):
    inst = tmbench[1]
    async with serving(status=500, fail_first=1) as srv:
        client = ModelClient(config(srv))
        rec, events = await collect(client, inst, messages(inst))
        assert rec.record().status == "complete"
        assert _kinds(events) == ["Started", "Retry", "Started", "UsageReport", "Finish"]
        await client.aclose()
    async with serving(status=503) as srv:
        client = ModelClient(config(srv, max_retries=2))
        rec, events = await collect(client, inst, messages(inst))
        await client.aclose()
    fin = events[-1]
    assert isinstance(fin, Finish) and fin.status == "error" and fin.attempts == 3
    assert fin.error.startswith("gave up after 3 tries: 503")
    assert rec.record().status == "error" and len(rec.record().tries) == 2


async def test_stream_dropped_midway_is_redone_and_partial_text_kept(tmbench):
    inst = tmbench[2]
    async with serving(drop_after_chars=700, fail_first=1) as srv:
        client = ModelClient(config(srv))
        rec, events = await collect(client, inst, messages(inst))
        await client.aclose()
    retry = next(e for e in events if isinstance(e, Retry))
    assert "broke midway" in retry.error and len(retry.partial) >= 700
    r = rec.record()
    assert r.status == "complete" and score_sample(inst, r.answer, mode="strict").verdicts
    assert r.tries[0].partial == retry.partial
    assert r.answer.startswith(retry.partial)  # the redone try wrote the same text again
    assert sum(c[1] for c in r.chunks) == len(r.answer)  # the failed try's chunks are gone
    assert r.timing.answer_start_ms is not None and r.timing.answer_start_ms > 0


async def test_stall_is_detected_and_retried(tmbench):
    inst = tmbench[3]
    async with serving(stall_seconds=2.0, fail_first=1) as srv:
        client = ModelClient(config(srv, stall_seconds=0.4))
        t = time.monotonic()
        rec, events = await collect(client, inst, messages(inst))
        took = time.monotonic() - t
        await client.aclose()
    retry = next(e for e in events if isinstance(e, Retry))
    assert retry.error.startswith("stalled: no data for 0.4 s") and retry.partial
    assert rec.record().status == "complete"
    assert took < 1.8  # it did not wait for the stall to end


@pytest.mark.parametrize(
    ("options", "model", "code", "words"),
    [
        ({"status": 401}, "synthetic", 401, "401 Unauthorized"),
        ({"api_key": "the-right-key"}, "synthetic", 401, "check the API key"),
        ({}, "gpt-unknown", 404, "'gpt-unknown'"),
        ({"status": 403}, "synthetic", 403, "403 Forbidden"),
    ],
)
async def test_errors_retrying_cannot_fix_stop_with_one_line(tmbench, options, model, code, words):
    inst = tmbench[0]
    async with serving(**options) as srv:
        client = ModelClient(config(srv, model=model))
        rec, events = await collect(client, inst, messages(inst))
        await client.aclose()
        assert srv.requests <= 1
    failed = [e for e in events if isinstance(e, Failed)]
    assert len(failed) == 1 and failed[0].status_code == code
    msg = failed[0].message
    assert words in msg and "\n" not in msg and FAKE_KEY not in msg
    assert not any(isinstance(e, Retry) for e in events)
    r = rec.record()
    assert r.status == "error" and r.error == msg


async def test_not_a_tmbench_prompt_is_a_bad_request():
    async with serving() as srv:
        client = ModelClient(config(srv))
        events = []
        async with contextlib.aclosing(
            client.stream([{"role": "user", "content": "hello"}])
        ) as stream:
            async for ev in stream:
                events.append(ev)
        await client.aclose()
    failed = [e for e in events if isinstance(e, Failed)]
    # the first 400 is taken for a server that rejects stream_options, then it is final
    assert failed and failed[0].status_code == 400 and "not a TMBench prompt" in failed[0].message


async def test_server_rejecting_stream_options_gets_asked_without(tmbench):
    inst = tmbench[4]
    async with serving(reject_stream_options=True) as srv:
        client = ModelClient(config(srv))
        rec, events = await collect(client, inst, messages(inst))
        assert not any(isinstance(e, UsageReport) for e in events)
        assert rec.record().status == "complete"
        # the client remembers: no second rejection
        _, events2 = await collect(client, inst, messages(inst))
        assert not any(isinstance(e, Retry) for e in events2)
        await client.aclose()


@pytest.mark.parametrize("mode", ["field", "think"])
async def test_reasoning_is_kept_apart_from_the_answer(tmbench, mode):
    inst = tmbench[5]
    async with serving(error_rate=0, reasoning=mode) as srv:
        client = ModelClient(config(srv))
        rec, events = await collect(client, inst, messages(inst))
        await client.aclose()
    r = rec.record()
    assert any(isinstance(e, Reasoning) for e in events)
    assert r.reasoning.strip().startswith("The deletion number is m = 2")
    assert "<think>" not in r.answer and "The deletion number" not in r.answer
    assert score_sample(inst, r.answer).passed
    assert sum(c[2] for c in r.chunks) == len(r.reasoning)
    if mode == "field":
        assert r.usage.reasoning_tokens


async def test_cancel_event_interrupts_and_keeps_what_was_received(tmbench):
    inst = tmbench[6 + 1]
    cancel = asyncio.Event()
    seen = 0

    def on_event(ev):
        nonlocal seen
        if isinstance(ev, Content):
            seen += 1
            if seen == 50:
                cancel.set()

    async with serving(tokens_per_second=2000) as srv:
        client = ModelClient(config(srv))
        t = time.monotonic()
        rec, events = await collect(client, inst, messages(inst), cancel=cancel, on_event=on_event)
        assert time.monotonic() - t < 1.0
        # the client still works afterwards
        short = ModelClient(config(srv, max_tokens=20))
        tail, _ = await collect(short, inst, messages(inst))
        assert tail.record().finish_reason == "length"
        await short.aclose()
        await client.aclose()
    async with serving() as fast:  # the same answer, at once
        client = ModelClient(config(fast))
        rec2, _ = await collect(client, inst, messages(inst))
        await client.aclose()
    fin = events[-1]
    assert isinstance(fin, Finish) and fin.status == "interrupted"
    r = rec.record()
    assert r.status == "interrupted" and 0 < len(r.answer) < len(rec2.record().answer)
    assert rec2.record().answer.startswith(r.answer)


async def test_cancel_while_waiting_for_data_and_consumer_awaits_are_safe(tmbench):
    """A cancel that arrives while the stream waits for the network ends it at once; the
    consumer's own awaits between events are never hit by the client's cancellation."""
    inst = tmbench[8]
    cancel = asyncio.Event()
    async with serving(stall_seconds=5, fail_first=1) as srv:
        client = ModelClient(config(srv, stall_seconds=30))
        asyncio.get_running_loop().call_later(0.3, cancel.set)
        events = []
        t = time.monotonic()
        async with contextlib.aclosing(client.stream(messages(inst), cancel=cancel)) as stream:
            async for ev in stream:
                events.append(ev)
                await asyncio.sleep(0)  # the consumer's own await
        assert time.monotonic() - t < 2
        await client.aclose()
    assert isinstance(events[-1], Finish) and events[-1].status == "interrupted"


async def test_task_cancellation_propagates(tmbench):
    inst = tmbench[9]
    async with serving(tokens_per_second=500) as srv:
        client = ModelClient(config(srv))

        async def consume():
            await collect(client, inst, messages(inst))

        task = asyncio.create_task(consume())
        await asyncio.sleep(0.2)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await client.aclose()
        client = ModelClient(config(srv, max_tokens=30))
        rec, _ = await collect(client, tmbench[0], messages(tmbench[0]))
        await client.aclose()
    assert rec.record().status == "complete"


def test_think_splitter_handles_tags_across_chunks():
    text = "<think>\nabc <b> d</think>\n\nanswer <x> ok"
    for size in (1, 2, 3, 5, 7, 100):
        sp = ThinkSplitter()
        pieces = []
        for i in range(0, len(text), size):
            pieces += sp.feed(text[i : i + size])
        pieces += sp.flush()
        reasoning = "".join(p for r, p in pieces if r)
        answer = "".join(p for r, p in pieces if not r)
        assert reasoning == "\nabc <b> d", size
        assert answer == "\n\nanswer <x> ok", size


async def test_sse_decoder():
    async def gen(blocks):
        for b in blocks:
            yield b

    body = (
        b": keep-alive\r\n\r\n"
        b'data: {"a":1}\r\n\r\n'
        b"data: line1\n"
        b"data: line2\n\n"
        b"event: error\n"
        b'data: {"message":"boom"}\n\n'
        b"data: [DONE]\n\n"
        b'data: {"after":1}\n\n'
    )
    for size in (1, 3, 7, len(body)):
        blocks = [body[i : i + size] for i in range(0, len(body), size)]
        out = [p async for batch in sse_payloads(gen(blocks)) for p in batch]
        assert out == [b'{"a":1}', b"line1\nline2", b'{"error":{"message":"boom"}}'], size


async def test_error_event_in_stream_is_retried(tmbench):
    """An SSE error event from the server is a failed try, not an answer."""
    from tmtui.model.wire import StreamError, decode_chunk

    chunk = decode_chunk(b'{"error":{"message":"overloaded"}}')
    assert chunk.error == {"message": "overloaded"}
    with pytest.raises(StreamError):
        decode_chunk(b"not json")
    odd = decode_chunk(b'{"choices":[{"delta":{"content":["x"],"reasoning":"r"}}],"usage":7}')
    assert odd.choices[0].delta.content is None and odd.choices[0].delta.reasoning == "r"


async def test_connection_refused_and_the_try_deadline(tmbench):
    import socket

    from tmtui.model.client import ClientConfig

    inst = tmbench[0]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed once the block ends: nothing listens there
    client = ModelClient(
        ClientConfig(
            base_url=f"http://127.0.0.1:{port}/v1",
            model="synthetic",
            max_retries=1,
            backoff_base=0.01,
        )
    )
    rec, events = await collect(client, inst, messages(inst))
    await client.aclose()
    fin = events[-1]
    assert fin.status == "error" and fin.error.startswith("gave up after 2 tries: cannot connect")
    async with serving(tokens_per_second=300) as srv:
        client = ModelClient(config(srv, timeout=0.3, max_retries=0))
        rec, events = await collect(client, inst, messages(inst))
        await client.aclose()
    assert events[-1].error == "gave up after 1 tries: the try took longer than 0.3 s"
    assert rec.record().status == "error"
