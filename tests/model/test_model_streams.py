"""Recorded means true: every way a stream can end, and what the record says about it.

Only a stream that ended as the protocol says (an answer, and a finish reason or [DONE]) is
``complete``; anything else is retried like a broken stream and, when every try ends so, an
``error`` record with the reason (kept, and redone on resume). Timeouts bound a stream that
sends only keep-alives; what one stream may buffer is bounded.
"""

from __future__ import annotations

import asyncio
import resource
from types import SimpleNamespace

import pytest

from tests.model import hostile as H
from tests.model.modelkit import collect
from tmtui.core.prompts import messages
from tmtui.io.events import Finish, Retry
from tmtui.model.client import ClientConfig, ModelClient
from tmtui.model.endpoint import MIN_ANSWER_CHARS, resolve_endpoint
from tmtui.model.wire import MAX_EVENT_BYTES


async def _record(tmbench, scenario, **kw):
    inst = tmbench[0]
    kw.setdefault("max_retries", 0)
    async with H.hostile(scenario) as url:
        client = ModelClient(ClientConfig(base_url=url, model="m", backoff_base=0.01, **kw))
        try:
            rec, events = await asyncio.wait_for(collect(client, inst, messages(inst)), 60)
        finally:
            await client.aclose()
    fin = events[-1]
    assert isinstance(fin, Finish)
    return rec.record(fin.status), events


@pytest.mark.parametrize(
    ("scenario", "words"),
    [
        (H.no_finish, "no finish reason and no [DONE]"),
        (H.random_bytes, "no choices"),
        (H.empty_stream, "no choices"),
        (H.json_without_choices, "no choices"),
    ],
)
async def test_a_stream_that_ends_outside_the_protocol_is_not_complete(tmbench, scenario, words):
    rec, _ = await _record(tmbench, scenario)
    assert rec.status == "error" and words in rec.error
    if scenario is H.no_finish:  # the text that did arrive is kept
        assert rec.answer.startswith("### step 0:")


async def test_an_incomplete_stream_is_retried_like_a_broken_one(tmbench):
    rec, events = await _record(tmbench, H.no_finish, max_retries=2)
    retries = [e for e in events if isinstance(e, Retry)]
    assert len(retries) == 2 and all("no [DONE]" in r.error for r in retries)
    assert retries[0].partial.startswith("### step 0:")
    assert rec.status == "error" and rec.error.startswith("gave up after 3 tries")
    assert [t.partial[:11] for t in rec.tries] == ["### step 0:"] * 2


@pytest.mark.parametrize("scenario", [H.finish_no_done, H.done_only])
async def test_a_finish_reason_or_done_is_enough(tmbench, scenario):
    rec, _ = await _record(tmbench, scenario)
    assert rec.status == "complete" and rec.answer == "hello"


async def test_an_endless_line_is_refused_without_holding_it(tmbench):
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    rec, _ = await _record(tmbench, H.endless_line(3 * (MAX_EVENT_BYTES >> 20)))
    grew_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert rec.status == "error" and "stream event longer than" in rec.error
    assert grew_mb < 4 * (MAX_EVENT_BYTES >> 20)  # not the whole line, nor copies of it


@pytest.mark.parametrize("reasoning", [False, True])
async def test_an_answer_past_its_limit_is_cut_as_an_error(tmbench, reasoning):
    """Before: an endpoint that did not stop at max_tokens grew tmtui without bound (about
    200 MB a second over loopback, then a MemoryError traceback and no record)."""
    rec, events = await _record(
        tmbench, H.long_answer(4, reasoning=reasoning), max_answer_chars=1 << 20, max_retries=3
    )
    assert rec.status == "error" and rec.error.startswith("an answer longer than 1,048,576 ")
    assert not any(isinstance(e, Retry) for e in events) and rec.tries == []  # not retried
    received = len(rec.reasoning if reasoning else rec.answer)
    assert (1 << 20) < received < (1 << 20) + 200_000  # cut at the read that passed it


async def test_an_answer_within_its_limit_is_complete(tmbench):
    rec, _ = await _record(tmbench, H.long_answer(1), max_answer_chars=4 << 20)
    assert rec.status == "complete" and len(rec.answer) > (1 << 20)


def test_the_answer_limit_follows_the_tokens_asked_for():
    assert ClientConfig(base_url="u", model="m").answer_limit == MIN_ANSWER_CHARS
    assert ClientConfig(base_url="u", model="m", max_tokens=None).answer_limit == (16 << 20)
    assert ClientConfig(base_url="u", model="m", max_tokens=10**6).answer_limit == 32 * 10**6
    assert ClientConfig(base_url="u", model="m", max_answer_chars=0).answer_limit is None

    settings = SimpleNamespace(  # what resolve_endpoint reads of tmtui.config.Settings
        base_url="u", model="m", api_key=None, temperature=0, top_p=None, max_tokens=100,
        seed=None, reasoning_effort=None, timeout=None, extra_body={}, connect_timeout=10.0,
        stall_seconds=180.0, max_retries=6,
    )  # fmt: skip
    real = resolve_endpoint(settings)
    assert real.embedded is None and real.config.answer_limit == MIN_ANSWER_CHARS
    # tmtui's own models write answers as long as asked (a replay, a million steps)
    own = resolve_endpoint(settings, model="synthetic", synthetic_by_default=True)
    assert own.embedded == "synthetic" and own.config.answer_limit is None


async def test_the_timeout_bounds_a_stream_of_keep_alives(tmbench):
    rec, _ = await _record(tmbench, H.keepalives(0.05), timeout=0.5)
    assert rec.status == "error" and "longer than 0.5 s" in rec.error
    assert rec.timing.elapsed_ms < 10_000


async def test_the_timeout_bounds_a_silent_server(tmbench):
    async def silent(w: asyncio.StreamWriter) -> None:
        w.write(H.SSE_HEAD)
        await asyncio.sleep(3600)

    rec, _ = await _record(tmbench, silent, timeout=0.5)
    assert rec.status == "error" and "longer than 0.5 s" in rec.error


async def test_the_timeout_bounds_a_trickle_of_payload(tmbench):
    rec, _ = await _record(tmbench, H.trickle(0.05), timeout=0.5)
    assert rec.status == "error" and "longer than 0.5 s" in rec.error
    assert rec.answer.startswith("x") and rec.timing.elapsed_ms < 10_000
