"""Scoring an official file in compat mode: the official evaluator's method, tmtui at an earlier
commit and tmtui now, run in turn (so that every round sees the same machine), medians of wall
and CPU time (each process and its workers). For a shared machine, where one run of each
(benchmarks/run.py) can land on a busy moment.

    git archive COMMIT tmtui | tar -x -C /tmp/before
    python benchmarks/compat_ab.py --before /tmp/before [--rounds 9] [FILE]

FILE: an official results file (default: benchmarks/out/official-10000.json, built by
`benchmarks/run.py --only compat`).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def once(cmd: list[str], env: dict) -> tuple[float, float]:
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, check=True, cwd="/")
    wall = time.perf_counter() - t
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("file", nargs="?", default=str(HERE / "out" / "official-10000.json"))
    ap.add_argument("--before", required=True, help="a source tree of tmtui (its tmtui/ package)")
    ap.add_argument("--rounds", type=int, default=9)
    args = ap.parse_args()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(HERE / "out" / "pycache")
    score = [sys.executable, "-m", "tmtui", "score", args.file, "--parser", "tmbench"]
    now = {**env, "PYTHONPATH": str(HERE.parent)}
    cmds = {
        "official": ([sys.executable, str(HERE / "official_eval.py"), args.file], env),
        "before": (score, {**env, "PYTHONPATH": str(Path(args.before).resolve())}),
        "now": (score, now),
    }
    res: dict[str, tuple[list[float], list[float]]] = {k: ([], []) for k in cmds}
    for cmd, e in cmds.values():
        once(cmd, e)  # warm-up
    for _ in range(args.rounds):
        for k, (cmd, e) in cmds.items():
            wall, cpu = once(cmd, e)
            res[k][0].append(wall)
            res[k][1].append(cpu)
    base = statistics.median(res["official"][0])
    base_cpu = statistics.median(res["official"][1])
    for k, (walls, cpus) in res.items():
        w, c = statistics.median(walls), statistics.median(cpus)
        print(f"{k:9} wall {w:.3f} s (best {min(walls):.3f})  CPU {c:.3f} s   "
              f"official / this: wall {base / w:.2f}x, CPU {base_cpu / c:.2f}x")  # fmt: skip
    print("load average: " + " ".join(f"{x:.1f}" for x in os.getloadavg()))


if __name__ == "__main__":
    main()
