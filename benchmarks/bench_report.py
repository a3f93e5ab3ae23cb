"""``tmtui report`` at scale (issue 12): flat memory over many files, and the score cache.

    python benchmarks/bench_report.py              # 100 files x 10,000 samples (~7.6 GB of input)
    python benchmarks/bench_report.py --quick      # 10 files x 2,000 samples
    python benchmarks/bench_report.py --files 20 --samples 10000 --json

Inputs (built into ``benchmarks/out/report/``, reused): official results files, each the 20
samples of ``../shared/tmbench/gemini-2.5-pro.first20.json`` repeated to ``--samples``, every
file with its own content (one sample's ``num_token`` differs), so each is scored on its own.

Measured, every program as its own process (peak memory: the process tree's, as in
``benchmarks/run.py``):

1. the baseline: ``tmtui score ONE_FILE --parser tmbench`` — the memory bound;
2. ``tmtui report DIR --parser tmbench --no-compare`` with an empty cache (cold), on a tenth
   of the files and on all of them: peak memory must stay at the baseline's (flat);
3. the same report again over the unchanged files (warm cache): goal <= 0.2x the cold time;
4. the default reading (strict, compared with tmbench) of one file, for its cost per sample.

The cache lives in a temporary directory (``TMTUI_CACHE_DIR``), never the user's.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import ENV, MB, PY, machine_note, run_once  # noqa: E402

OUT = HERE / "out" / "report"


def build_inputs(source: Path, files: int, samples: int) -> Path:
    """``files`` official results files of ``samples`` samples each, in one directory."""
    folder = OUT / f"{files}x{samples}"
    done = folder / ".done"
    if done.exists() and done.read_text() == f"{files} {samples}":
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    data = json.loads(source.read_text(encoding="utf-8"))
    base = data["samples"]
    data["samples"] = [base[i % len(base)] for i in range(samples)]
    marker = 987654321
    data["samples"][0] = {**data["samples"][0], "num_token": marker}
    text = json.dumps(data, indent=1)
    assert text.count(str(marker)) == 1
    for k in range(files):
        (folder / f"run-{k:03d}.json").write_text(text.replace(str(marker), str(marker + k)))
    done.write_text(f"{files} {samples}")
    return folder


def measure(cmd: list[str], env: dict, repeat: int = 1) -> dict:
    """Best wall and CPU time of ``repeat`` runs, and the peak memory (sampled run)."""
    best = cpu = float("inf")
    peak = 0
    out = ""
    for i in range(repeat):
        s, c, p, out = run_once(cmd, env, sample_memory=(i == 0))
        best, cpu, peak = min(best, s), min(cpu, c), max(peak, p)
    return {"wall_s": best, "cpu_s": cpu, "peak_bytes": peak, "stdout": out}


def tmtui(*args: object) -> list[str]:
    return [PY, "-m", "tmtui", *map(str, args)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--files", type=int, default=None)
    ap.add_argument("--samples", type=int, default=None)
    ap.add_argument("--quick", action="store_true", help="10 files x 2,000 samples")
    ap.add_argument("--repeat", type=int, default=1, help="runs per timing (best of N)")
    ap.add_argument(
        "--shared",
        default=str(HERE.parent.parent / "shared" / "tmbench"),
        help="folder with gemini-2.5-pro.first20.json",
    )
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--build-only", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    files = args.files or (10 if args.quick else 100)
    samples = args.samples or (2000 if args.quick else 10_000)
    source = Path(args.shared) / "gemini-2.5-pro.first20.json"
    if args.build_only:
        build_inputs(source, files, samples)
        return
    # built in a child process: a measured program started from this one would otherwise
    # inherit this process's memory high-water mark (Linux keeps ru_maxrss across exec)
    print(f"building {files} files x {samples:,} samples ...", file=sys.stderr, flush=True)
    subprocess.run(
        [PY, __file__, "--build-only", "--files", str(files), "--samples", str(samples),
         "--shared", args.shared],
        check=True,
    )  # fmt: skip
    folder = OUT / f"{files}x{samples}"
    inputs = sorted(folder.glob("run-*.json"))
    tenth = folder.parent / f"{files}x{samples}-tenth"
    if not tenth.exists():
        tenth.mkdir()
        for p in inputs[: max(1, files // 10)]:
            os.link(p, tenth / p.name)
    size = sum(p.stat().st_size for p in inputs)
    results: dict = {"files": files, "samples_per_file": samples, "input_bytes": size}
    with tempfile.TemporaryDirectory() as tmp:
        env = {**ENV, "TMTUI_CACHE_DIR": str(Path(tmp) / "cache")}
        report = ["report", "--parser", "tmbench", "--no-compare", "--json", "--bootstrap", "200"]
        steps = [
            ("score_one_file", tmtui("score", inputs[0], "--parser", "tmbench", "--json")),
            ("report_tenth_cold", tmtui(*report, tenth)),
            ("report_all_cold", tmtui(*report, folder)),
            ("report_all_warm", tmtui(*report, folder)),
        ]
        for name, cmd in steps:
            print(f"running {name} ...", file=sys.stderr, flush=True)
            if name.endswith("_cold"):
                shutil.rmtree(Path(tmp) / "cache", ignore_errors=True)
            m = measure(cmd, env, 1 if name.endswith("_cold") else args.repeat)
            out = json.loads(m.pop("stdout"))
            if name.startswith("report"):
                rows = out["rows"]
                m["samples"] = sum(r["n_samples"] for r in rows)
                m["cached_files"] = sum(f["cached"] for f in out["files"])
                m["pass_rate_first_row"] = rows[0]["pass_rate"]
            else:
                m["samples"] = out["n_samples"]
                m["pass_rate_first_row"] = out["pass_rate"]
            results[name] = m
        one = folder.parent / f"default-one-{min(samples, 2000)}"
        if not one.exists():  # the first 2,000 samples of one file (built in a child too)
            one.mkdir()
            code = (
                "import json, sys; d = json.load(open(sys.argv[1])); "
                "d['samples'] = d['samples'][: int(sys.argv[3])]; "
                "json.dump(d, open(sys.argv[2], 'w'))"
            )
            subprocess.run(
                [PY, "-c", code, str(inputs[0]), str(one / "one.json"), str(min(samples, 2000))],
                check=True,
            )
        print("running report_default_one_file ...", file=sys.stderr, flush=True)
        shutil.rmtree(Path(tmp) / "cache", ignore_errors=True)
        m = measure(tmtui("report", one, "--json", "--bootstrap", "200"), env)
        out = json.loads(m.pop("stdout"))
        m["samples"] = out["rows"][0]["n_samples"]
        results["report_default_one_file"] = m
    cold, warm = results["report_all_cold"], results["report_all_warm"]
    base = results["score_one_file"]
    results["warm_over_cold"] = warm["wall_s"] / cold["wall_s"]
    results["peak_over_score"] = cold["peak_bytes"] / base["peak_bytes"]
    results["peak_all_over_tenth"] = cold["peak_bytes"] / results["report_tenth_cold"]["peak_bytes"]
    results["machine"] = machine_note()
    if args.json:
        print(json.dumps(results, indent=1))
        return
    print(f"inputs: {files} files x {samples:,} samples, {size / MB:,.0f} MB")
    for name in (
        "score_one_file",
        "report_tenth_cold",
        "report_all_cold",
        "report_all_warm",
        "report_default_one_file",
    ):
        r = results[name]
        print(
            f"{name:24s} {r['wall_s']:8.2f} s wall {r['cpu_s']:8.2f} s CPU "
            f"{r['peak_bytes'] / MB:8.1f} MB peak  {r['samples']:,} samples"
            + (f" ({r['cached_files']} cached)" if "cached_files" in r else "")
        )
    print(f"warm / cold: {results['warm_over_cold']:.3f} (goal <= 0.2)")
    print(f"peak, report of all / score of one file: {results['peak_over_score']:.2f}")
    print(f"peak, report of all / report of a tenth: {results['peak_all_over_tenth']:.2f}")
    d = results["report_default_one_file"]
    print(f"default (strict + tmbench compared): {d['samples'] / d['wall_s']:,.0f} samples/s")
    print(f"machine: {results['machine']}")


if __name__ == "__main__":
    main()
