"""Client-side cost of tmtui's model path (issue 3), against `tmtui serve` in another process.

    /work/venv/bin/python benchmarks/bench_client.py            # the figures in docs/performance.md
    /work/venv/bin/python benchmarks/bench_client.py --quick    # a smaller, faster run

1. Throughput at concurrency 16: the batch runner (`tmtui run`'s engine: the client, the
   recorder, the incremental parser and live alignment of every stream, scoring, one fsynced
   JSONL writer) against a bare loop that only consumes the
   same streams with the openai SDK, both against `tmtui serve --synthetic --tokens-per-second
   0`, measured side by side (alternating rounds, median). Target: ratio >= 0.7.
2. One stream at 5,000 chunks/s (`--tokens-per-second 5000`, a 200-step instance, about 31,000
   chunks) through the client, the recorder, the incremental parser and live alignment
   (`--stop-after-divergence`): CPU time of this process / wall time. Target: < 50 % of a core.
   For comparison, the same stream read with the SDK's own parsed iterator and nothing else.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tmtui.core.datasets import generate_preset  # noqa: E402
from tmtui.core.prompts import messages  # noqa: E402


def start_server(*args: str) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "tmtui", "serve", "--synthetic", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if "listening on" not in line:
        proc.kill()
        raise SystemExit(f"the server did not start: {line!r}")
    url = line.split("listening on ", 1)[1].split(" ", 1)[0]
    return proc, url


async def bare_loop(url: str, prompts: list[list[dict]], concurrency: int) -> tuple[int, float]:
    import openai

    client = openai.AsyncOpenAI(base_url=url, api_key="bench", max_retries=0)
    sem = asyncio.Semaphore(concurrency)
    chunks = 0

    async def one(msgs: list[dict]) -> None:
        nonlocal chunks
        async with sem:
            stream = await client.chat.completions.create(
                model="synthetic",
                messages=msgs,
                stream=True,
                max_tokens=16384,
                temperature=0,
                stream_options={"include_usage": True},
            )
            async for _chunk in stream:
                chunks += 1

    t = time.perf_counter()
    await asyncio.gather(*(one(m) for m in prompts))
    wall = time.perf_counter() - t
    await client.close()
    return chunks, wall


async def tmtui_run(url: str, n: int, concurrency: int, out: Path) -> tuple[int, float]:
    from tmtui.model.endpoint import ClientConfig
    from tmtui.model.runner import Runner, RunSpec

    out.unlink(missing_ok=True)
    spec = RunSpec(
        dataset=generate_preset("tmbench"),
        output=out,
        client=ClientConfig(base_url=url, model="synthetic", api_key="bench"),
        dataset_name="tmbench",
        samples=list(range(n)),
        concurrency=concurrency,
        # parse and align every stream live, as --stop-after-divergence does, without cutting
        stop_after_divergence=10**6,
    )
    runner = Runner(spec)
    t = time.perf_counter()
    stats = await runner.run()
    wall = time.perf_counter() - t
    # the bare loop counts every SSE chunk (the role chunk, the finish chunk and the usage
    # chunk too); the runner counts content chunks: add the three per stream
    return stats.chunks + 3 * stats.done, wall


async def single_stream(url: str, out: Path) -> dict:
    from tmtui.model.endpoint import ClientConfig
    from tmtui.model.runner import Runner, RunSpec

    out.unlink(missing_ok=True)
    spec = RunSpec(
        dataset=generate_preset("tmbench"),
        output=out,
        client=ClientConfig(base_url=url, model="synthetic", api_key="bench", max_tokens=10**6),
        dataset_name="tmbench",
        samples=[1],
        concurrency=1,
        max_steps=200,
        stop_after_divergence=0,
    )
    runner = Runner(spec)
    cpu0 = time.process_time()
    t = time.perf_counter()
    stats = await runner.run()
    wall = time.perf_counter() - t
    cpu = time.process_time() - cpu0
    return {
        "chunks": stats.chunks,
        "wall_s": round(wall, 2),
        "chunks_per_s": round(stats.chunks / wall),
        "cpu_s": round(cpu, 2),
        "cpu_share": round(cpu / wall, 3),
        "status_cut": stats.cut,
    }


async def single_stream_bare(url: str) -> dict:
    """The same stream consumed by the SDK's own parsed iterator (for comparison)."""
    import openai

    inst = generate_preset("tmbench")[1]
    client = openai.AsyncOpenAI(base_url=url, api_key="bench", max_retries=0)
    await client.models.list()  # warm up the connection and the SDK
    cpu0 = time.process_time()
    t = time.perf_counter()
    n = 0
    stream = await client.chat.completions.create(
        model="synthetic", messages=messages(inst, max_step=200), stream=True, max_tokens=10**6
    )
    async for _chunk in stream:
        n += 1
    wall = time.perf_counter() - t
    cpu = time.process_time() - cpu0
    await client.close()
    return {
        "chunks": n,
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
        "cpu_share": round(cpu / wall, 3),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--samples", type=int, default=100)
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="30 samples, 2 rounds")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    if args.quick:
        args.samples, args.rounds = 30, 2
    ds = generate_preset("tmbench")
    prompts = [messages(ds[i]) for i in range(args.samples)]
    tmp = Path(tempfile.mkdtemp(prefix="tmtui-bench-"))
    result: dict = {}
    proc, url = start_server("--tokens-per-second", "0")
    try:
        bare_rates, run_rates = [], []
        # warm up both paths (imports, connections)
        asyncio.run(bare_loop(url, prompts[:4], args.concurrency))
        asyncio.run(tmtui_run(url, 4, args.concurrency, tmp / "warm.jsonl"))
        for _ in range(args.rounds):
            c, w = asyncio.run(bare_loop(url, prompts, args.concurrency))
            bare_rates.append(c / w)
            c, w = asyncio.run(tmtui_run(url, args.samples, args.concurrency, tmp / "run.jsonl"))
            run_rates.append(c / w)
        bare, run = statistics.median(bare_rates), statistics.median(run_rates)
        result["throughput"] = {
            "samples": args.samples,
            "concurrency": args.concurrency,
            "rounds": args.rounds,
            "bare_sdk_chunks_per_s": round(bare),
            "tmtui_run_chunks_per_s": round(run),
            "ratio": round(run / bare, 3),
            "target": ">= 0.7",
        }
    finally:
        proc.kill()
        proc.wait()
    proc, url = start_server("--tokens-per-second", "5000", "--error-rate", "0")
    try:
        result["single_stream_5000"] = {
            **asyncio.run(single_stream(url, tmp / "one.jsonl")),
            "target": "cpu_share < 0.5",
        }
        result["single_stream_5000_bare_sdk"] = asyncio.run(single_stream_bare(url))
    finally:
        proc.kill()
        proc.wait()
    if args.json:
        print(json.dumps(result, indent=1))
        return
    t = result["throughput"]
    s = result["single_stream_5000"]
    print(
        f"throughput, concurrency {t['concurrency']}, {t['samples']} samples, "
        f"median of {t['rounds']} rounds:"
    )
    print(f"  bare openai SDK loop : {t['bare_sdk_chunks_per_s']:>8,} chunks/s")
    print(f"  tmtui run            : {t['tmtui_run_chunks_per_s']:>8,} chunks/s")
    print(f"  ratio                : {t['ratio']:.2f}   (target >= 0.7)")
    print(
        f"one stream at 5,000 chunks/s ({s['chunks']:,} chunks, {s['wall_s']} s, "
        f"{s['chunks_per_s']:,} chunks/s received):"
    )
    print(
        f"  client CPU           : {s['cpu_s']} s = {100 * s['cpu_share']:.0f}% of one core "
        "(target < 50%)"
    )
    b = result["single_stream_5000_bare_sdk"]
    print(f"  (the same stream read by the SDK's own parsed iterator: {100 * b['cpu_share']:.0f}%)")


if __name__ == "__main__":
    main()
