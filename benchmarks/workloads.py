"""The benchmark workloads: input files and the measurements that run inside one process.

``run.py`` builds the inputs with the functions here and runs the in-process measurements in
fresh child processes (``python benchmarks/workloads.py engine-tape 1000000`` prints one JSON
line), so that peak memory is the child's own.
"""

from __future__ import annotations

import json
import os
import random
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# A growing system: m = 2 and every production has length 3, so the queue grows by one
# symbol a step and never halts.
GROWING_RULES = {"A": "BCA", "B": "CAB", "C": "ABC"}
GROWING_INIT = "ABC"

# The parser's transcript: productions of length 12 grow the queue by 10 symbols a step, so
# 1000 steps written as "[A B C ...]" make about 10 MB of text.
PARSER_RULES = {"A": "ABCABCABCABC", "B": "BCABCABCABCA", "C": "CABCABCABCAB"}


def max_rss_bytes() -> int:
    """This process's peak resident set size (ru_maxrss is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


# -- input files --------------------------------------------------------------------------
def build_official(source: Path, out: Path, n: int) -> Path:
    """An official results file of ``n`` samples: the samples of ``source`` repeated."""
    if out.exists() and out.with_suffix(".done").exists():
        return out
    with open(source, encoding="utf-8") as f:
        data = json.load(f)
    base = data["samples"]
    data["samples"] = [base[i % len(base)] for i in range(n)]
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=1)
    out.with_suffix(".done").write_text(str(n))
    return out


def record_lines(n_distinct: int = 200, seed: int = 7) -> list[bytes]:
    """Encoded tmtui JSONL records: TMBench instances answered by a flawed simulator (one
    injected mistake of a random kind, or none), each record carrying its instance."""
    from tmtui.core.answer import format_answer
    from tmtui.core.datasets import generate_preset
    from tmtui.core.mutate import flawed_steps, kinds_for
    from tmtui.io.records import Record, encode_record, spec_of

    ds = generate_preset("tmbench")
    rng = random.Random(seed)
    lines = []
    while len(lines) < n_distinct:
        inst = ds[len(lines) % len(ds)]
        errors = {}
        if rng.random() < 0.7:
            kind = rng.choice(list(kinds_for(inst)))
            step = -1 if kind.value in ("failure-to-halt", "steps-after-halt") else None
            errors = {step if step is not None else rng.randint(1, inst.max_states - 1): kind}
        steps = flawed_steps(inst, errors, rng=rng)
        if steps is None:
            steps = flawed_steps(inst, {}, rng=rng)
        assert steps is not None
        style = rng.choice(("official", "official", "official", "echo", "commas", "compact"))
        rec = Record(
            instance_id=inst.id,
            dataset="tmbench",
            index=inst.index,
            model="flawed-simulator",
            status="complete",
            answer=format_answer(steps, style=style),
            instance=spec_of(inst),
        )
        lines.append(encode_record(rec))
    return lines


def build_jsonl(out: Path, size: int) -> Path:
    """A tmtui JSONL file of about ``size`` bytes (distinct records, repeated)."""
    done = out.with_suffix(".done")
    if out.exists() and done.exists() and done.read_text() == str(size):
        return out
    lines = record_lines()
    block = b"".join(lines)
    out.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    with open(out, "wb") as f:
        while written < size:
            f.write(block)
            written += len(block)
    done.write_text(str(size))
    return out


# -- engine -------------------------------------------------------------------------------
def engine_tape(steps: int) -> dict:
    """Simulate ``steps`` steps with the engine (one append-only tape)."""
    from tmtui.core.tagsystem import TagSystem

    system = TagSystem(2, GROWING_RULES)
    before = max_rss_bytes()
    t0 = time.perf_counter()
    run = system.run(GROWING_INIT, steps + 1)
    seconds = time.perf_counter() - t0
    assert run.halt_reason is None and run.last_step == steps
    cells = len(run.tape)
    retained = sys.getsizeof(run.tape) + run._ends.itemsize * len(run._ends)
    # every state is still an O(1) slice: touch a few
    assert run.state(steps)[-3:] == run.production(steps)
    return {
        "steps": steps,
        "seconds": seconds,
        "cells": cells,
        "characters_of_all_states": sum(run.length(i) for i in range(0, len(run))),
        "retained_bytes": retained,
        "peak_growth_bytes": max_rss_bytes() - before,
    }


def engine_naive(steps: int) -> dict:
    """The reference generator's way: a list holding every state as its own string."""
    prods = GROWING_RULES
    before = max_rss_bytes()
    t0 = time.perf_counter()
    states = [GROWING_INIT]
    q = GROWING_INIT
    for _ in range(steps):
        q = q[2:] + prods[q[0]]
        states.append(q)
    seconds = time.perf_counter() - t0
    chars = sum(len(s) for s in states)
    retained = sys.getsizeof(states) + sum(sys.getsizeof(s) for s in states)
    return {
        "steps": steps,
        "seconds": seconds,
        "cells": len(GROWING_INIT) + 3 * steps,
        "characters_of_all_states": chars,
        "retained_bytes": retained,
        "peak_growth_bytes": max_rss_bytes() - before,
    }


# -- incremental parser -------------------------------------------------------------------
def transcript(steps: int) -> str:
    """A long answer in the official format whose queue grows by 10 symbols a step."""
    from tmtui.core.answer import format_answer
    from tmtui.core.datasets import Instance
    from tmtui.core.mutate import flawed_steps

    inst = Instance(
        id="benchmark",
        init="ABCAB",
        rules=PARSER_RULES,
        m=2,
        alphabet=("A", "B", "C"),
        max_states=steps + 1,
    )
    model_steps = flawed_steps(inst, {})
    assert model_steps is not None
    return format_answer(model_steps)


def parser(steps: int, repeat: int) -> dict:
    """One parse of the whole text against feeding it in 1-8 character chunks."""
    from tmtui.core.parse import StrictParser, parse_strict

    text = transcript(steps)
    alphabet = ("A", "B", "C")
    rng = random.Random(1)
    chunks = []
    i = 0
    while i < len(text):
        k = rng.randint(1, 8)
        chunks.append(text[i : i + k])
        i += k
    whole_best = chunked_best = float("inf")
    whole = chunked = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        whole = parse_strict(text, alphabet)
        whole_best = min(whole_best, time.perf_counter() - t0)
        t0 = time.perf_counter()
        p = StrictParser(alphabet)
        feed = p.feed
        for c in chunks:
            feed(c)
        chunked = p.finish()
        chunked_best = min(chunked_best, time.perf_counter() - t0)
    assert whole is not None and chunked is not None
    assert whole.steps == chunked.steps, "chunked parse differs from the whole parse"
    assert len(whole.steps) == steps + 1, len(whole.steps)
    return {
        "characters": len(text),
        "steps": steps,
        "chunks": len(chunks),
        "whole_seconds": whole_best,
        "chunked_seconds": chunked_best,
    }


# Hostile answers for the strict parser (issue 9): each makes a text of n repetitions of one
# thing a model (or an attacker) can repeat; the parser's work must stay linear in n.
HOSTILE = {
    "same-step": lambda n: "step 0: [D B E E A A]\n" * n,
    "headers-only": lambda n: "### step 3:\n" * n,
    "labels-one-line": lambda n: "step 1: " + "Queue State: " * n + "A B\n",
    "blank-lines": lambda n: (" " * n + "x\n") * 20,
    "verb-blanks": lambda n: ("step 1:\nAction: add" + " " * n + "x\n") * 20,
    "nested-brackets": lambda n: "step 1: " + "[" * n + "]\n",
}


def parser_hostile(shape: str, n: int, repeat: int) -> dict:
    """The strict parser on a hostile answer of n and of 2n repetitions (best CPU times)."""
    from tmtui.core.parse import parse_strict

    make = HOSTILE[shape]
    out: dict = {"shape": shape, "n": n}
    for key, size in (("seconds", n), ("seconds_double", 2 * n)):
        text = make(size)
        best = float("inf")
        for _ in range(repeat):
            t0 = time.process_time()
            parse_strict(text, ("A", "B", "C", "D", "E"))
            best = min(best, time.process_time() - t0)
        out[key] = best
        out["characters" if size == n else "characters_double"] = len(text)
    return out


# -- long runs (issue 9) --------------------------------------------------------------------
def _growing(steps: int):
    from tmtui.core.datasets import Dataset, Instance

    inst = Instance(
        id="long",
        init=GROWING_INIT,
        rules=GROWING_RULES,
        alphabet=("A", "B", "C"),
        max_states=steps + 1,
    )
    return inst, Dataset(samples=[inst], symbol_set=("A", "B", "C"))


def long_write(steps: int, how: str) -> dict:
    """Write the official file of one growing trace: streamed from the tape (``stream``), or
    the reference generator's way, every state listed and dumped at once (``list``)."""
    from tmtui.io.official import iter_official

    inst, ds = _growing(steps)
    symbols = inst.run.total_length()
    before = max_rss_bytes()
    t0 = time.perf_counter()
    if how == "stream":
        size = sum(len(piece) for piece in iter_official(ds))
    else:
        size = len(json.dumps(ds.to_official(), indent=1).encode("ascii"))
    return {
        "steps": steps,
        "symbols": symbols,
        "bytes": size,
        "seconds": time.perf_counter() - t0,
        "peak_growth_bytes": max_rss_bytes() - before,
    }


def long_refuse(how: str) -> dict:
    """Refuse a record asking for 10,000,000 states of a growing trace: under the limits
    (``bounded``, what size_problem does), or by simulating the cap first (``full``, before)."""
    from tmtui.io.instances import size_problem

    inst, _ = _growing(10_000_000 - 1)
    t0 = time.perf_counter()
    if how == "bounded":
        refused = size_problem(inst) is not None
    else:
        refused = inst.system.run(inst.init, inst.max_states).total_length() > 50_000_000
    assert refused
    return {"seconds": time.perf_counter() - t0}


def main(argv: list[str]) -> None:
    what = argv[0]
    if what == "engine-tape":
        out = engine_tape(int(argv[1]))
    elif what == "engine-naive":
        out = engine_naive(int(argv[1]))
    elif what == "parser":
        out = parser(int(argv[1]), int(argv[2]))
    elif what == "parser-hostile":
        out = parser_hostile(argv[1], int(argv[2]), int(argv[3]))
    elif what == "long-write":
        out = long_write(int(argv[1]), argv[2])
    elif what == "long-refuse":
        out = long_refuse(argv[1])
    else:
        raise SystemExit(f"unknown workload {what!r}")
    out["max_rss_bytes"] = max_rss_bytes()
    sys.stdout.write(json.dumps(out) + "\n")
    sys.stdout.flush()
    os._exit(0)  # skip freeing millions of objects at exit


if __name__ == "__main__":
    main(sys.argv[1:])
