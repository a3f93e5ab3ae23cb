"""tmtui's benchmarks (issue 2, section 8), all of them, as one command:

    python benchmarks/run.py            # the full set (a 1 GB JSONL file; several minutes)
    python benchmarks/run.py --quick    # small sizes, one run each (about a minute)

Sections: ``compat`` (scoring an official results file against the official evaluator),
``jsonl`` (memory stays flat on tmtui JSONL), ``engine`` (a million steps), ``parser`` (the
incremental parser fed in tiny chunks), ``hostile`` (the parser's work stays linear on answers
that repeat one thing: doubling the input at most doubles the time), ``long`` (a long trace's
official file written from the tape; an oversized record refused under the limits),
``client`` (the model client of issue 3: ``benchmarks/bench_client.py``, run and summarised),
``startup`` (how fast ``tmtui`` starts: ``benchmarks/bench_startup.py``). ``--only
compat,engine`` picks some. Every program
measured runs as its own process: wall time is the best of ``--repeat`` runs; memory is the
peak of the whole process tree: the larger of the peak resident set size of any one process
(``ru_maxrss``, over the timed runs) and the peak of the tree's summed proportional set size
(PSS: pages shared after a fork counted once), sampled every few milliseconds in one more,
untimed run.

Inputs are built into ``benchmarks/out/`` (git-ignored) and reused; the official file is built
from ``../shared/tmbench/gemini-2.5-pro.first20.json`` (``--shared DIR`` to point elsewhere).
Programs run with a bytecode cache in ``benchmarks/out/pycache`` (as an installed package has
one), also where the environment sets ``PYTHONDONTWRITEBYTECODE``.
Figures go in ``docs/performance.md``; ``--markdown`` prints the table ready to paste.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out"
sys.path.insert(0, str(HERE))

import workloads  # noqa: E402

PY = sys.executable
MB = 1 << 20
# every measured program: with a bytecode cache, kept out of the source tree
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
ENV["PYTHONPYCACHEPREFIX"] = str(OUT / "pycache")


# -- measuring a process ------------------------------------------------------------------
@dataclass
class Measured:
    seconds: float  # best wall time
    cpu: float  # best CPU time (user + system, the process and its waited-for children)
    peak_bytes: int  # peak memory of the process tree (see the module docstring)
    stdout: str  # of the last run


def _tree(pid: int) -> list[int]:
    """pid and its descendants (Linux /proc)."""
    out = [pid]
    i = 0
    while i < len(out):
        p = out[i]
        i += 1
        try:
            with open(f"/proc/{p}/task/{p}/children") as f:
                out.extend(int(c) for c in f.read().split())
        except OSError:
            pass
    return out


def _pss(pid: int) -> int:
    """Proportional set size of a process (its RSS where a page shared by k processes
    counts 1/k), in bytes."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, IndexError, ValueError):
        pass
    return 0


def run_once(
    cmd: list[str], env: dict | None = ENV, sample_memory: bool = False
) -> tuple[float, float, int, str]:
    """(wall seconds, CPU seconds, peak memory bytes, stdout) of one run of ``cmd``; the
    memory is ``ru_maxrss``, and with ``sample_memory`` the larger of that and the peak summed
    PSS of the process tree (sampled)."""
    with tempfile.TemporaryFile() as out:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.PIPE, env=env)
        peak = 0
        done = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not done.is_set():
                peak = max(peak, sum(_pss(p) for p in _tree(proc.pid)))
                done.wait(0.002)

        sampler = threading.Thread(target=sample, daemon=True)
        if sample_memory:
            sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - t0
        done.set()
        if sample_memory:
            sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
        err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
        if proc.stderr:
            proc.stderr.close()
        out.seek(0)
        text = out.read().decode()
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{err[-2000:]}")
    cpu = usage.ru_utime + usage.ru_stime
    return seconds, cpu, max(peak, usage.ru_maxrss * 1024), text


def measure(cmd: list[str], repeat: int, env: dict | None = ENV) -> Measured:
    best = best_cpu = float("inf")
    peak = 0
    text = run_once(cmd, env)[3]  # a warm-up run (caches, bytecode)
    for _ in range(repeat):
        s, c, p, text = run_once(cmd, env)
        best = min(best, s)
        best_cpu = min(best_cpu, c)
        peak = max(peak, p)
    peak = max(peak, run_once(cmd, env, sample_memory=True)[2])
    return Measured(best, best_cpu, peak, text)


def workload(*args: object, repeat: int = 1) -> tuple[dict, Measured]:
    m = measure([PY, str(HERE / "workloads.py"), *map(str, args)], repeat)
    return json.loads(m.stdout.strip().splitlines()[-1]), m


# -- the table ----------------------------------------------------------------------------
@dataclass
class Row:
    section: str
    measure: str
    tmtui: str
    baseline: str
    ratio: str
    goal: str
    met: bool | None = None


@dataclass
class Report:
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, *args, met: bool | None = None) -> None:
        self.rows.append(Row(*args, met=met))


def _mb(n: float) -> str:
    return f"{n / MB:.1f} MB"


def _s(x: float) -> str:
    return f"{x:.3f} s" if x < 10 else f"{x:.1f} s"


def _mark(met: bool | None) -> str:
    return "" if met is None else ("yes" if met else "NO")


def print_table(report: Report, markdown: bool) -> None:
    head = ("section", "measure", "tmtui", "baseline", "ratio", "goal", "met")
    rows = [
        (r.section, r.measure, r.tmtui, r.baseline, r.ratio, r.goal, _mark(r.met))
        for r in report.rows
    ]
    if markdown:
        print("| " + " | ".join(head) + " |")
        print("|" + "|".join("---" for _ in head) + "|")
        for r in rows:
            print("| " + " | ".join(r) + " |")
    else:
        widths = [max(len(str(x)) for x in col) for col in zip(head, *rows, strict=True)]
        line = "  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True))
        print(line)
        print("-" * len(line))
        for r in rows:
            print("  ".join(str(x).ljust(w) for x, w in zip(r, widths, strict=True)))
    for n in report.notes:
        print(f"- {n}" if markdown else f"note: {n}")


# -- a. scoring an official results file, compat mode -------------------------------------
def bench_compat(args: argparse.Namespace, report: Report) -> None:
    source = Path(args.shared) / "gemini-2.5-pro.first20.json"
    n = 2000 if args.quick else 10_000
    path = workloads.build_official(source, OUT / f"official-{n}.json", n)
    tmtui = shutil.which("tmtui", path=str(Path(PY).parent)) or "tmtui"
    official = [PY, str(HERE / "official_eval.py"), str(path)]
    ours = [tmtui, "score", str(path), "--compat", "tmbench"]
    base = measure(official, args.repeat)
    mine = measure(ours, args.repeat)
    # the numbers: tmtui's JSON output against the baseline's
    want = json.loads(base.stdout)
    got = json.loads(run_once([*ours, "--json"])[3])
    counts = got["step_counts"]
    same = (
        got["n_samples"] == want["n_samples"]
        and got["passed"] == want["passed"]
        and got["swa_uniform"] == want["swa_uniform"]
        and got["swa_linear"] == want["swa_linear"]
        and [c["correct"] for c in counts] == want["correct"]
        and [c["total"] for c in counts] == want["total"]
    )
    if not same:
        raise SystemExit(f"tmtui and the official evaluator disagree:\n{got}\n{want}")
    size = _mb(path.stat().st_size)
    sec = f"a. compat score, {n:,} samples ({size})"
    full = n == 10_000  # the goals are set for this size
    speed = base.seconds / mine.seconds
    report.add(
        sec,
        "wall time",
        _s(mine.seconds),
        _s(base.seconds),
        f"{speed:.2f}x faster",
        ">= 4x faster" if full else "(at 10,000)",
        met=speed >= 4 if full else None,
    )
    report.add(
        sec,
        "CPU time",
        _s(mine.cpu),
        _s(base.cpu),
        f"{base.cpu / mine.cpu:.2f}x less",
        "",
    )
    mem = mine.peak_bytes / base.peak_bytes
    report.add(
        sec,
        "peak RSS",
        _mb(mine.peak_bytes),
        _mb(base.peak_bytes),
        f"{mem:.2f}x",
        "<= 0.75x" if full else "(at 10,000)",
        met=mem <= 0.75 if full else None,
    )
    report.add(
        sec,
        "numbers",
        f"pass {got['passed']}, SWA {got['swa_uniform']:.4f}",
        f"pass {want['passed']}, SWA {want['swa_uniform']:.4f}",
        "identical",
        "same numbers",
        met=True,
    )
    # where tmtui's time goes: the fixed cost of starting the command
    tiny = workloads.build_official(source, OUT / "official-1.json", 1)
    fixed = measure([tmtui, "score", str(tiny), "--compat", "tmbench"], args.repeat)
    fixed_base = measure([PY, str(HERE / "official_eval.py"), str(tiny)], args.repeat)
    report.add(
        "a. compat score, 1 sample",
        "wall time (start-up)",
        _s(fixed.seconds),
        _s(fixed_base.seconds),
        f"{fixed_base.seconds / fixed.seconds:.2f}x",
        "",
    )
    work, work_base = mine.seconds - fixed.seconds, base.seconds - fixed_base.seconds
    report.add(
        sec,
        "wall time minus start-up",
        _s(work),
        _s(work_base),
        f"{work_base / work:.2f}x faster",
        "",
    )


# -- b. JSONL memory ----------------------------------------------------------------------
def bench_jsonl(args: argparse.Namespace, report: Report) -> None:
    big = int(args.jsonl_mb * MB)
    small = int(args.jsonl_small_mb * MB)
    tmtui = shutil.which("tmtui", path=str(Path(PY).parent)) or "tmtui"
    peaks = {}
    times = {}
    for size in (small, big):
        path = workloads.build_jsonl(OUT / f"records-{size // MB}MB.jsonl", size)
        cmd = [tmtui, "score", str(path), "--quiet"]
        warm = workloads.build_jsonl(OUT / "records-warm.jsonl", 1)  # one block of records
        run_once([tmtui, "score", str(warm), "--quiet"])  # warm the bytecode cache
        times[size], _, peaks[size], _ = run_once(cmd, sample_memory=True)
    flat = peaks[big] / peaks[small]
    sec = f"b. strict score, tmtui JSONL {big // MB:,} MB"
    report.add(
        sec,
        "peak RSS",
        _mb(peaks[big]),
        f"{_mb(peaks[small])} at {small // MB} MB",
        f"{flat:.2f}x",
        "< 150 MB; flat",
        met=peaks[big] < 150 * MB and flat < 1.25,
    )
    report.add(
        sec,
        "throughput",
        f"{big / MB / times[big]:.1f} MB/s",
        f"{small / MB / times[small]:.1f} MB/s",
        "",
        "",
    )


# -- c. engine ----------------------------------------------------------------------------
def bench_engine(args: argparse.Namespace, report: Report) -> None:
    steps = 100_000 if args.quick else 1_000_000
    big, _ = workload("engine-tape", steps, repeat=args.repeat)
    sec = f"c. engine, {steps:,} steps (m=2, productions of 3)"
    report.add(
        sec,
        "wall time",
        _s(big["seconds"]),
        "",
        "",
        "<= 2 s" if steps == 1_000_000 else "",
        met=big["seconds"] <= 2 if steps == 1_000_000 else None,
    )
    per_cell = big["retained_bytes"] / big["cells"]
    peak_cell = big["peak_growth_bytes"] / big["cells"]
    report.add(
        sec,
        "memory per tape cell",
        f"{per_cell:.1f} B kept, {peak_cell:.1f} B peak",
        "",
        "",
        "linear in the tape",
        met=peak_cell < 64,
    )
    small_steps = 20_000
    tape, _ = workload("engine-tape", small_steps, repeat=args.repeat)
    naive, _ = workload("engine-naive", small_steps, repeat=args.repeat)
    sec = f"c. engine, {small_steps:,} steps vs list of states"
    report.add(
        sec,
        "memory kept",
        _mb(tape["retained_bytes"]),
        _mb(naive["retained_bytes"]),
        f"{naive['retained_bytes'] / tape['retained_bytes']:.0f}x less",
        "",
    )
    report.add(
        sec,
        "wall time",
        _s(tape["seconds"]),
        _s(naive["seconds"]),
        f"{naive['seconds'] / tape['seconds']:.1f}x faster",
        "",
    )
    report.notes.append(
        f"engine: the list of states holds {naive['characters_of_all_states'] / 1e6:.0f} M "
        f"characters at {small_steps:,} steps; the tape holds {tape['cells']:,} cells"
    )


# -- d. incremental parser ----------------------------------------------------------------
def bench_parser(args: argparse.Namespace, report: Report) -> None:
    steps = 300 if args.quick else 1000
    res, _ = workload("parser", steps, args.repeat)
    ratio = res["chunked_seconds"] / res["whole_seconds"]
    sec = (
        f"d. strict parser, {res['characters'] / 1e6:.1f} M chars, {steps} steps, "
        f"{res['chunks'] / 1e6:.1f} M chunks of 1-8"
    )
    report.add(
        sec,
        "wall time",
        _s(res["chunked_seconds"]) + " fed in chunks",
        _s(res["whole_seconds"]) + " whole text",
        f"{ratio:.2f}x",
        "<= 2x",
        met=ratio <= 2,
    )


# -- d'. the strict parser on hostile answers (issue 9) -----------------------------------
# repetitions of each shape: large enough that the parse takes tens of milliseconds
HOSTILE_SIZES = {
    "same-step": 40_000,
    "headers-only": 100_000,
    "labels-one-line": 200_000,
    "blank-lines": 2_000_000,
    "verb-blanks": 200_000,
    "nested-brackets": 200_000,
}


def bench_hostile(args: argparse.Namespace, report: Report) -> None:
    for shape, n in HOSTILE_SIZES.items():
        if args.quick:
            n //= 4
        res, _ = workload("parser-hostile", shape, n, args.repeat)
        ratio = res["seconds_double"] / res["seconds"]
        report.add(
            f"d'. strict parser, hostile answer: {shape}",
            f"CPU time, {res['characters'] / 1e6:.2f} M -> {res['characters_double'] / 1e6:.2f} M chars",
            f"{_s(res['seconds'])} -> {_s(res['seconds_double'])}",
            "",
            f"{ratio:.2f}x",
            "<= 2.5x (linear; quadratic: 4x)",
            met=ratio <= 2.5,
        )


# -- d''. long runs (issue 9) ---------------------------------------------------------------
def bench_long(args: argparse.Namespace, report: Report) -> None:
    steps = 2000 if args.quick else 6000
    stream, ms = workload("long-write", steps, "stream", repeat=args.repeat)
    listed, ml = workload("long-write", steps, "list", repeat=args.repeat)
    if stream["bytes"] != listed["bytes"]:
        raise SystemExit("the streamed official file differs in size from json.dumps")
    sec = (
        f"d''. official file of one {steps:,}-step trace "
        f"({stream['symbols'] / 1e6:.0f} M symbols, {stream['bytes'] / MB:.0f} MB)"
    )
    report.add(
        sec,
        "peak RSS of the process",
        _mb(ms.peak_bytes),
        _mb(ml.peak_bytes) + " (every state listed)",
        f"{ml.peak_bytes / ms.peak_bytes:.1f}x less",
        "flat in the trace",
    )
    report.add(
        sec,
        "time to write",
        _s(stream["seconds"]),
        _s(listed["seconds"]),
        f"{listed['seconds'] / stream['seconds']:.2f}x",
        "",
    )
    bounded, mb_ = workload("long-refuse", "bounded", repeat=args.repeat)
    full, mf = workload("long-refuse", "full", repeat=1)
    sec = "d''. refusing a record that asks for 10,000,000 states"
    report.add(
        sec,
        "time",
        _s(bounded["seconds"]),
        _s(full["seconds"]) + " (cap simulated first)",
        f"{full['seconds'] / bounded['seconds']:.0f}x faster",
        "",
    )
    report.add(sec, "peak RSS of the process", _mb(mb_.peak_bytes), _mb(mf.peak_bytes), "", "")


# -- e. model client (issue 3: benchmarks/bench_client.py) -------------------------------
def bench_client(args: argparse.Namespace, report: Report) -> None:
    cmd = [PY, str(HERE / "bench_client.py"), "--json"] + (["--quick"] if args.quick else [])
    proc = subprocess.run(cmd, capture_output=True, text=True, env=ENV)
    try:
        res = json.loads(proc.stdout)
        t = res["throughput"]
        one = res["single_stream_5000"]
        bare = res["single_stream_5000_bare_sdk"]
    except (ValueError, KeyError) as exc:
        report.notes.append(
            f"client: bench_client.py gave no figures ({exc}): {proc.stderr[-300:]}"
        )
        return
    sec = f"e. model client, concurrency {t['concurrency']}, {t['samples']} samples"
    report.add(
        sec,
        "throughput",
        f"{t['tmtui_run_chunks_per_s']:,} chunks/s",
        f"{t['bare_sdk_chunks_per_s']:,} chunks/s (bare SDK loop)",
        f"{t['ratio']:.2f}x",
        ">= 0.7x",
        met=t["ratio"] >= 0.7,
    )
    report.add(
        "e. model client, one stream at 5,000 chunks/s",
        "client CPU",
        f"{100 * one['cpu_share']:.0f}% of a core",
        f"{100 * bare['cpu_share']:.0f}% (SDK iterator alone)",
        "",
        "< 50%",
        met=one["cpu_share"] < 0.5,
    )


# -- f. start-up (issue 7: benchmarks/bench_startup.py) ----------------------------------
def bench_startup(args: argparse.Namespace, report: Report) -> None:
    import bench_startup

    rows = bench_startup.report(bench_startup.measure(7 if args.quick else 21))
    by = {r["command"]: r for r in rows}
    bare = by["python -c pass"]
    typer = by['python -c "import typer"']
    for name in ("tmtui --help", "tmtui score (12 samples)", "tmtui run --help"):
        r = by[name]
        report.add(
            f"f. start-up, {name}",
            "wall time (median)",
            _s(r["wall_s"]),
            f"{_s(bare['wall_s'])} python -c pass; {_s(typer['wall_s'])} import typer",
            f"{r['x_python']:.2f}x; {r['x_import_typer']:.2f}x",
            "" if r["goal_s"] is None else f"< {r['goal_s']} s",
            met=r["met"],
        )


SECTIONS = {
    "compat": bench_compat,
    "jsonl": bench_jsonl,
    "engine": bench_engine,
    "parser": bench_parser,
    "hostile": bench_hostile,
    "long": bench_long,
    "client": bench_client,
    "startup": bench_startup,
}


def machine_note() -> str:
    cpus = os.cpu_count()
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{platform.python_implementation()} {platform.python_version()}, {platform.system()} "
        f"{platform.machine()}, {cpus} CPUs ({model or 'unknown CPU'})"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="small sizes, one run each")
    ap.add_argument("--only", default=",".join(SECTIONS), help="comma-separated sections")
    ap.add_argument("--repeat", type=int, default=None, help="runs per timing (best of N)")
    ap.add_argument("--jsonl-mb", type=float, default=None, help="the large JSONL file (MB)")
    ap.add_argument("--jsonl-small-mb", type=float, default=None, help="the small one (MB)")
    ap.add_argument(
        "--shared",
        default=str(ROOT.parent / "shared" / "tmbench"),
        help="folder with gemini-2.5-pro.first20.json",
    )
    ap.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    args = ap.parse_args()
    if args.repeat is None:
        args.repeat = 1 if args.quick else 5
    if args.jsonl_mb is None:
        args.jsonl_mb = 50 if args.quick else 1024
    if args.jsonl_small_mb is None:
        args.jsonl_small_mb = 10 if args.quick else 100
    report = Report()
    for name in args.only.split(","):
        name = name.strip()
        if name not in SECTIONS:
            raise SystemExit(f"unknown section {name!r}; choose from {', '.join(SECTIONS)}")
        print(f"running {name} ...", file=sys.stderr, flush=True)
        SECTIONS[name](args, report)
    report.notes.append(f"machine: {machine_note()}")
    report.notes.append("command: python benchmarks/run.py" + (" --quick" if args.quick else ""))
    print_table(report, args.markdown)


if __name__ == "__main__":
    main()
