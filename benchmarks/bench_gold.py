"""How fast `tmtui export-gold` writes gold traces, and that its memory stays flat (issue 13).

    python benchmarks/bench_gold.py                 # 100,000 traces; the figures in docs/tail.md
    python benchmarks/bench_gold.py --n 20000       # quicker

A pool of N instances is drawn once (`tmtui generate --n N --seed 7`, into benchmarks/out/).
Baseline, measured in the same run: `tmtui generate` of that pool (the same traces simulated
and written in the official format). Measured: `tmtui export-gold` of the pool in each
format, and of the first tenth of the pool (`--limit N/10`) for memory. Each command runs as
its own process, best of ``--repeat`` wall times; peak RSS from ``os.wait4``. Goals: peak RSS
of the whole export within 1.25x of the tenth's (flat: memory does not grow with the traces
written); the tail export within 5x of the baseline's time per trace.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
PY = sys.executable


def tmtui() -> list[str]:
    return [shutil.which("tmtui", path=str(Path(PY).parent)) or "tmtui"]


def run_once(cmd: list[str]) -> tuple[float, float]:
    """(wall seconds, peak RSS in MB) of one run."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}")
    return wall, usage.ru_maxrss / 1024


def best(cmd: list[str], repeat: int) -> tuple[float, float]:
    runs = [run_once(cmd) for _ in range(repeat)]
    return min(r[0] for r in runs), max(r[1] for r in runs)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    OUT.mkdir(exist_ok=True)
    n = args.n
    pool = OUT / f"gold-pool-{n}.json"
    gen = [*tmtui(), "generate", "--n", str(n), "--seed", "7", "-o", str(pool)]
    base_wall, base_rss = best(gen, args.repeat)
    rows = [("generate (baseline)", n, base_wall, base_rss, "")]
    tenth_rss = 0.0
    for fmt in ("tmbench", "tail", "indexed"):
        out = OUT / f"gold-{fmt}-{n}.jsonl"
        cmd = [*tmtui(), "export-gold", str(pool), "--format", fmt, "-o", str(out)]
        if fmt == "tail":
            small = [*cmd[:-2], "--limit", str(n // 10), "-o", str(OUT / "gold-tenth.jsonl")]
            w, tenth_rss = best(small, args.repeat)
            rows.append((f"export-gold {fmt} --limit {n // 10:,}", n // 10, w, tenth_rss, ""))
        wall, rss = best(cmd, args.repeat)
        size = out.stat().st_size / 1e6
        rows.append((f"export-gold {fmt}", n, wall, rss, f"{size:,.0f} MB written"))
    print("| command | traces | wall | per trace vs baseline | peak RSS | note |")
    print("|---|---|---|---|---|---|")
    for name, count, wall, rss, note in rows:
        ratio = (wall / count) / (base_wall / n)
        print(f"| {name} | {count:,} | {wall:.2f} s | {ratio:.2f}x | {rss:.0f} MB | {note} |")
    tail_wall = next(r[2] for r in rows if r[0] == "export-gold tail")
    tail_rss = next(r[3] for r in rows if r[0] == "export-gold tail")
    flat = tail_rss <= 1.25 * tenth_rss
    fast = tail_wall <= 5 * base_wall
    print(f"\nflat memory (tail, all vs a tenth: {tail_rss / tenth_rss:.2f}x <= 1.25x): {flat}")
    print(f"tail within 5x of the baseline per trace ({tail_wall / base_wall:.2f}x): {fast}")


if __name__ == "__main__":
    main()
