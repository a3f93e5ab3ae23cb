"""`tmtui serve`: the HTTP surface, the synthetic model, replays, the CLI."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import openai
import pytest

from tests.model.modelkit import collect, config, serving
from tmtui.core.datasets import PRESETS, generate_preset
from tmtui.core.prompts import messages
from tmtui.core.prompts import parse_messages as parse_problem
from tmtui.core.score import score_sample
from tmtui.model.client import ModelClient
from tmtui.model.replay import ReplayError, ReplayStore
from tmtui.model.serve import ServeOptions, start_server_thread
from tmtui.model.synthetic import SyntheticModel, split_tokens


def _get(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def _post(url: str, body: bytes) -> tuple[int, dict]:
    req = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


@pytest.mark.parametrize("preset", sorted(PRESETS))
def test_prompts_of_every_alphabet_are_recognised(preset):
    ds = generate_preset(preset)
    for inst in ds.samples[:25]:
        for tpl in ("tmbench", "zero-shot"):
            for cap in (None, 57):
                p = parse_problem(messages(inst, tpl, max_step=cap))
                assert p is not None
                got = p.instance
                assert (got.m, got.alphabet, got.init, got.rules) == (
                    inst.m,
                    inst.alphabet,
                    inst.init,
                    inst.rules,
                )
                assert got.max_step == (cap if cap is not None else inst.max_step)
    assert parse_problem([{"role": "user", "content": "What is 2+2?"}]) is None


def test_error_rate_zero_is_perfect_on_all_of_tmbench(tmbench):
    model = SyntheticModel(0)
    for inst in tmbench:
        assert score_sample(inst, model.answer(inst).text).passed


def test_default_error_rate_gives_a_pass_rate_between_30_and_60(tmbench):
    rates = []
    for seed in (0, 1):
        model = SyntheticModel(seed=seed)
        passed = 0
        for inst in tmbench:
            p = parse_problem(messages(inst))
            passed += score_sample(inst, model.answer(p.instance).text).passed
        rates.append(passed)
    assert all(30 <= r <= 60 for r in rates), rates


def test_split_tokens_keeps_every_character():
    text = "### step 12:\n   - Queue State: [α β γ] <halt>\n\nWeird  \t text 12345!"
    pieces = split_tokens(text)
    assert "".join(pieces) == text and len(pieces) > 10


def test_endpoints():
    with start_server_thread(ServeOptions(error_rate=0)) as srv:
        base = srv.base_url
        root = base[: -len("/v1")]
        assert _get(root + "/health") == (200, {"status": "ok", "models": ["synthetic"]})
        status, models = _get(base + "/models")
        assert status == 200 and [m["id"] for m in models["data"]] == ["synthetic"]
        status, err = _get(base + "/nowhere")
        assert status == 404 and "error" in err
        status, err = _post(base + "/chat/completions", b"{not json")
        assert status == 400 and "not valid JSON" in err["error"]["message"]
        status, err = _post(base + "/chat/completions", b'{"model":"synthetic"}')
        assert status == 400 and "messages" in err["error"]["message"]


async def test_the_sdk_own_stream_and_plain_completions(tmbench):
    """The SDK's own parsed objects read what the server sends (streaming and not)."""
    inst = tmbench[0]
    async with serving(error_rate=0) as srv:
        sdk = openai.AsyncOpenAI(base_url=srv.base_url, api_key="x", max_retries=0)
        stream = await sdk.chat.completions.create(
            model="synthetic",
            messages=messages(inst),
            stream=True,
            stream_options={"include_usage": True},
        )
        parts, finish, usage = [], None, None
        async for chunk in stream:
            if chunk.choices:
                parts.append(chunk.choices[0].delta.content or "")
                finish = chunk.choices[0].finish_reason or finish
            if chunk.usage:
                usage = chunk.usage
        text = "".join(parts)
        assert score_sample(inst, text).passed and finish == "stop"
        assert usage.completion_tokens == len(split_tokens(text))
        plain = await sdk.chat.completions.create(model="synthetic", messages=messages(inst))
        assert plain.choices[0].message.content == text
        assert plain.usage.completion_tokens == usage.completion_tokens
        short = await sdk.chat.completions.create(
            model="synthetic", messages=messages(inst), max_tokens=50
        )
        assert short.choices[0].finish_reason == "length"
        assert text.startswith(short.choices[0].message.content)
        models = await sdk.models.list()
        assert [m.id for m in models.data] == ["synthetic"]
        await sdk.close()


def test_threaded_server_with_the_sync_sdk(tmbench):
    inst = tmbench[1]
    with start_server_thread(ServeOptions(tokens_per_second=0, error_rate=0)) as srv:
        sdk = openai.OpenAI(base_url=srv.base_url, api_key="x", max_retries=0)
        out = sdk.chat.completions.create(model="synthetic", messages=messages(inst))
        sdk.close()
    assert score_sample(inst, out.choices[0].message.content).passed


async def test_temperature_and_seed_vary_the_answer(tmbench):
    inst = tmbench[2]
    async with serving(error_rate=0.3) as srv:
        sdk = openai.AsyncOpenAI(base_url=srv.base_url, api_key="x", max_retries=0)

        async def ask(**kw):
            r = await sdk.chat.completions.create(model="synthetic", messages=messages(inst), **kw)
            return r.choices[0].message.content

        a, b = await ask(temperature=0), await ask(temperature=0)
        assert a == b
        varied = {await ask(temperature=1.0) for _ in range(4)}
        assert len(varied) > 1
        assert await ask(seed=5, temperature=1) == await ask(seed=5, temperature=1)
        await sdk.close()


# -- replay --------------------------------------------------------------------------------


async def test_replay_serves_recorded_answers(tmp_path, tmbench):
    from tmtui.io.jsonl import RecordWriter

    recs = []
    async with serving(error_rate=0.1, tokens_per_second=8000) as srv:
        client = ModelClient(config(srv))
        for i in range(3):
            rec, _ = await collect(client, tmbench[i], messages(tmbench[i]))
            recs.append(rec.record())
        await client.aclose()
    path = tmp_path / "rec.jsonl"
    with RecordWriter(path) as w:
        for r in recs:
            w.write(r)
    # original timing
    async with serving(synthetic=False, replay=path, tokens_per_second=None) as srv:
        assert srv.models == ["replay"]
        client = ModelClient(config(srv, model="replay"))
        for r in recs:
            got, _ = await collect(client, tmbench[r.index], messages(tmbench[r.index]))
            g = got.record()
            assert g.answer == r.answer and g.status == "complete"
            # the recorded pacing is kept (within loopback noise)
            assert g.timing.elapsed_ms >= 0.6 * (r.chunks[-1][0] - r.chunks[0][0])
        # a prompt that was not recorded
        _, events = await collect(client, tmbench[50], messages(tmbench[50]))
        assert events[-1].status == "error" and "no recorded answer" in events[-1].error
        await client.aclose()
    # as fast as possible, matched by problem even with another prompt template
    async with serving(synthetic=False, replay=path, tokens_per_second=0) as srv:
        client = ModelClient(config(srv, model="replay"))
        got, _ = await collect(client, tmbench[2], messages(tmbench[2], "zero-shot"))
        assert got.record().answer == recs[2].answer
        await client.aclose()


async def test_replay_of_an_official_results_file(tmbench):
    path = "examples/tmbench-mini.results.json"
    obj = json.loads(Path(path).read_text())
    async with serving(synthetic=False, replay=path) as srv:
        client = ModelClient(config(srv, model="replay"))
        for i in (0, 1, 5):
            got, _ = await collect(client, tmbench[i], messages(tmbench[i]))
            assert got.record().answer == obj["samples"][i]["ans"]
        await client.aclose()


async def test_replay_sends_the_recorded_token_counts(tmp_path, tmbench):
    """What was recorded is replayed: an official file's num_token, a record's usage (not a
    count of the pieces served); an answer cut by max_tokens is counted as served."""
    path = Path("examples/tmbench-mini.results.json")
    obj = json.loads(path.read_text())
    obj["samples"][1]["num_token"] = 7299
    official = tmp_path / "TMBench_some-model_chat.json"
    official.write_text(json.dumps(obj))
    async with serving(synthetic=False, replay=official) as srv:
        client = ModelClient(config(srv, model="replay"))
        for i in (0, 1):
            got, _ = await collect(client, tmbench[i], messages(tmbench[i]))
            assert got.record().usage.completion_tokens == obj["samples"][i]["num_token"]
        cut = ModelClient(config(srv, model="replay", max_tokens=50))
        got, _ = await collect(cut, tmbench[1], messages(tmbench[1]))
        r = got.record()
        assert r.finish_reason == "length" and r.usage.completion_tokens == 50
        await client.aclose()
        await cut.aclose()
    from tmtui.io.jsonl import RecordWriter
    from tmtui.io.records import Usage

    async with serving(error_rate=0, tokens_per_second=0) as srv:
        client = ModelClient(config(srv))
        rec, _ = await collect(client, tmbench[3], messages(tmbench[3]))
        await client.aclose()
    record = rec.record()
    record.usage = Usage(prompt_tokens=1111, completion_tokens=2222, reasoning_tokens=33)
    recorded = tmp_path / "rec.jsonl"
    with RecordWriter(recorded) as w:
        w.write(record)
    for tps in (None, 0):  # recorded timing, and token-sized pieces
        async with serving(synthetic=False, replay=recorded, tokens_per_second=tps) as srv:
            client = ModelClient(config(srv, model="replay"))
            got, _ = await collect(client, tmbench[3], messages(tmbench[3]))
            await client.aclose()
        u = got.record().usage
        assert (u.prompt_tokens, u.completion_tokens, u.reasoning_tokens) == (1111, 2222, 33)


def test_replay_of_a_bad_file_is_one_clear_error(tmp_path):
    bad = tmp_path / "x.json"
    bad.write_text("[1, 2]")
    with pytest.raises(ReplayError, match="not a TMBench"):
        ReplayStore.load(bad)
    with pytest.raises(ReplayError, match="no such file"):
        ReplayStore.load(tmp_path / "missing.jsonl")


# -- the command ---------------------------------------------------------------------------


def _serve(*args: str, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "tmtui", "serve", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )


def test_serve_command_port_zero_and_loopback_warning(tmbench):
    proc = _serve("--port", "0", "--tokens-per-second", "0", "--error-rate", "0")
    try:
        line = proc.stdout.readline()
        assert "listening on http://127.0.0.1:" in line
        url = line.split("listening on ", 1)[1].split(" ", 1)[0]
        port = int(url.rsplit(":", 1)[1].split("/", 1)[0])
        assert port > 0
        sdk = openai.OpenAI(base_url=url, api_key="x", max_retries=0)
        out = sdk.chat.completions.create(model="synthetic", messages=messages(tmbench[0]))
        assert score_sample(tmbench[0], out.choices[0].message.content).passed
        sdk.close()
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(10)
    assert proc.returncode == 0
    proc = _serve("--host", "0.0.0.0", "--port", "0")
    try:
        assert "listening on" in proc.stdout.readline()
    finally:
        proc.kill()
        _, err = proc.communicate(timeout=10)
    assert "reachable from other machines" in err


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--error-rate", "2"], "--error-rate"),
        (["--status", "200"], "--status"),
        (["--replay", "/no/such/file.jsonl", "--port", "0"], "no such file"),
    ],
)
def test_serve_bad_input_is_one_line(args, words):
    out = subprocess.run(
        [sys.executable, "-m", "tmtui", "serve", *args], capture_output=True, text=True, timeout=30
    )
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and words in lines[0] and "Traceback" not in out.stderr
