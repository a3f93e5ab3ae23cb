"""The baseline: the official TMBench evaluator's method, written out as a small script.

    python benchmarks/official_eval.py RESULTS.json

It does what the released evaluator does: ``json.load`` the whole results file, then for each
sample that has an ``ans`` run one case-insensitive, dot-matches-newline regex with
``re.findall`` (a later match for the same step overwrites an earlier one, spaces and commas are
removed from the queue), count the correct steps per step index against ``step_results``, and
report ACC per step, the step-weighted accuracy (uniform and linear) and the pass count.

It prints one JSON object, so the benchmark can check that ``tmtui score --compat tmbench``
gives the same numbers. The SWA sums are accumulated in the same order tmtui uses (step 0
upwards), so the two floats are expected to be identical, not just close.
"""

from __future__ import annotations

import json
import re
import sys

PATTERN = re.compile(
    r"(?i)step (\d+):.*?Queue State:.*?\[([ABCDE12345αβγδε@#$%&* ,]*)\]", re.DOTALL
)


def evaluate(path: str) -> dict:
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    n_steps = data.get("max_step", 31)
    correct = [0] * n_steps
    total = [0] * n_steps
    passed = 0
    n = 0
    for sample in data["samples"]:
        if "ans" not in sample:
            continue
        n += 1
        steps = {}
        for number, queue in PATTERN.findall(sample["ans"]):
            steps[int(number)] = queue.replace(" ", "").replace(",", "")
        ok = True
        for i, want in enumerate(sample["step_results"][:n_steps]):
            total[i] += 1
            if steps.get(i) == want:
                correct[i] += 1
            else:
                ok = False
        passed += ok
    uni_num = uni_den = lin_num = lin_den = 0.0
    for i in range(n_steps):
        if total[i]:
            acc = correct[i] / total[i]
            uni_num += acc
            uni_den += 1
            lin_num += acc * (i + 1)
            lin_den += i + 1
    return {
        "n_samples": n,
        "passed": passed,
        "swa_uniform": 100 * uni_num / uni_den if uni_den else 0.0,
        "swa_linear": 100 * lin_num / lin_den if lin_den else 0.0,
        "correct": correct,
        "total": total,
    }


if __name__ == "__main__":
    print(json.dumps(evaluate(sys.argv[1])))
