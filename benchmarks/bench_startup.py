"""How fast `tmtui` starts (issue 7): whole commands as their own processes.

    python benchmarks/bench_startup.py              # 21 rounds; the figures in docs/performance.md
    python benchmarks/bench_startup.py --rounds 7   # quicker
    python benchmarks/bench_startup.py --json
    cd OTHER_TREE && python /path/to/benchmarks/bench_startup.py --module   # another version

Measured: `tmtui --help`, `tmtui score examples/tmbench-mini.jsonl` (12 samples, the default
1,000 bootstrap resamples), `tmtui score --help`, `tmtui run --help`, `tmtui --version`.
Baselines, measured in the same run: `python -c pass` (the interpreter's own start) and
`python -c "import typer"` (the CLI framework alone). Every command runs once per round, in
turn (the machine's speed drifts: a round sees the same machine for all), after one warm-up
round; figures are medians over the rounds, of wall time and of CPU time (user + system,
`os.wait4`). Programs run with a bytecode cache in `benchmarks/out/pycache` (as an installed
package has one), also where the environment sets `PYTHONDONTWRITEBYTECODE`.
Goals: `tmtui --help` < 0.2 s, `tmtui score` of the small file < 0.15 s.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out"
PY = sys.executable
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
ENV["PYTHONPYCACHEPREFIX"] = str(OUT / "pycache")
ENV["COLUMNS"] = "100"  # help output of a fixed size, whatever the terminal

GOALS = {"tmtui --help": 0.2, "tmtui score (12 samples)": 0.15}


def commands(module: bool = False) -> dict[str, list[str]]:
    """The commands measured; ``module``: run tmtui as ``python -m tmtui`` (the package in the
    current directory first: to compare two source trees)."""
    script = shutil.which("tmtui", path=str(Path(PY).parent)) or "tmtui"
    tmtui = [PY, "-m", "tmtui"] if module else [script]
    mini = str(ROOT / "examples" / "tmbench-mini.jsonl")
    return {
        "python -c pass": [PY, "-c", "pass"],
        'python -c "import typer"': [PY, "-c", "import typer"],
        "tmtui --help": [*tmtui, "--help"],
        "tmtui score (12 samples)": [*tmtui, "score", mini],
        "tmtui score --help": [*tmtui, "score", "--help"],
        "tmtui run --help": [*tmtui, "run", "--help"],
        "tmtui --version": [*tmtui, "--version"],
    }


def run_once(cmd: list[str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one run; its output is read and dropped."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=ENV)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.stderr:
        proc.stderr.close()
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({code}):\n{err[-2000:]}")
    return wall, usage.ru_utime + usage.ru_stime


def measure(rounds: int, module: bool = False) -> dict[str, dict[str, float]]:
    cmds = commands(module)
    for cmd in cmds.values():  # warm-up: caches, bytecode
        run_once(cmd)
    walls: dict[str, list[float]] = {name: [] for name in cmds}
    cpus: dict[str, list[float]] = {name: [] for name in cmds}
    for _ in range(rounds):
        for name, cmd in cmds.items():
            w, c = run_once(cmd)
            walls[name].append(w)
            cpus[name].append(c)
    return {
        name: {
            "wall_median": statistics.median(walls[name]),
            "wall_min": min(walls[name]),
            "wall_max": max(walls[name]),
            "cpu_median": statistics.median(cpus[name]),
        }
        for name in cmds
    }


def report(res: dict[str, dict[str, float]]) -> list[dict[str, object]]:
    bare = res["python -c pass"]["wall_median"]
    typer = res['python -c "import typer"']["wall_median"]
    rows = []
    for name, r in res.items():
        goal = GOALS.get(name)
        rows.append(
            {
                "command": name,
                "wall_s": round(r["wall_median"], 4),
                "wall_range_s": [round(r["wall_min"], 4), round(r["wall_max"], 4)],
                "cpu_s": round(r["cpu_median"], 4),
                "x_python": round(r["wall_median"] / bare, 2),
                "x_import_typer": round(r["wall_median"] / typer, 2),
                "goal_s": goal,
                "met": None if goal is None else r["wall_median"] < goal,
            }
        )
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=21, help="counted runs of each command")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    ap.add_argument(
        "--module",
        action="store_true",
        help="run `python -m tmtui` from the current directory (to compare two source trees)",
    )
    args = ap.parse_args()
    OUT.mkdir(exist_ok=True)
    rows = report(measure(args.rounds, args.module))
    if args.json:
        print(json.dumps({"rounds": args.rounds, "rows": rows}, indent=1))
        return
    print(
        f"{'command':28} {'wall (median)':>13} {'min-max':>15} {'cpu':>7} "
        f"{'x python':>9} {'x typer':>8}  goal"
    )
    for r in rows:
        lo, hi = r["wall_range_s"]
        goal = "" if r["goal_s"] is None else f"< {r['goal_s']} s: {'yes' if r['met'] else 'NO'}"
        print(
            f"{r['command']:28} {r['wall_s']:>11.3f} s {lo:>6.3f}-{hi:.3f} {r['cpu_s']:>7.3f} "
            f"{r['x_python']:>8.2f}x {r['x_import_typer']:>7.2f}x  {goal}"
        )
    print(f"{args.rounds} rounds; command: python benchmarks/bench_startup.py")


if __name__ == "__main__":
    main()
