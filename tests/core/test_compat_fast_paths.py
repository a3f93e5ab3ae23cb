"""Official files in compat mode take fast paths (score_item): a passing answer, a passing
answer with steps past the truth, and a failing one whose strict reading is read one step at a
time. Each gives the score the full path (score_sample: parse, align, diagnose with the whole
strict reading) gives."""

from __future__ import annotations

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tmtui.core.answer import format_answer
from tmtui.core.diagnose import Kind
from tmtui.core.mutate import flawed_steps
from tmtui.core.parsed import ParserMode
from tmtui.core.score import score_sample
from tmtui.io.sources import ScoreItem
from tmtui.scoring.sample import score_item

from .test_parse_strict import DS, answers


def _key(sc) -> dict:
    d = sc.to_dict()
    d.pop("prompt_sha256")
    d.pop("deviations")  # the official reading has none
    return d


def _same(item: ScoreItem) -> None:
    fast = score_item(item, ParserMode.TMBENCH)
    full = score_sample(
        item.instance, item.answer, mode=ParserMode.TMBENCH, truth=item.truth, source=item.source
    )
    assert _key(fast) == _key(full)  # the rules' hash included, on every path


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(answers(), st.integers(0, 1 << 16))
def test_fast_compat_scores_are_the_full_ones(answer, seed):
    inst, text = answer
    truth = list(inst.run)
    rng = random.Random(seed)
    if rng.random() < 0.2 and len(truth) > 1:
        truth = truth[: rng.randrange(1, len(truth))]  # stored truth shorter than the trace
    _same(ScoreItem("f", "sample 0", inst, text, truth=truth))


def test_steps_after_halt_and_failure_to_halt_take_the_fast_path_with_their_finding():
    halting = [inst for inst in DS if inst.run.halted and len(inst.run) > 2]
    seen = set()
    for inst in halting[:10]:
        for kind in (Kind.STEPS_AFTER_HALT, Kind.FAILURE_TO_HALT):
            steps = flawed_steps(inst, {-1: kind}, rng=random.Random(1))
            text = format_answer(steps)
            item = ScoreItem("f", "sample 0", inst, text, truth=list(inst.run))
            fast = score_item(item, ParserMode.TMBENCH)
            assert fast.passed and fast.extra_steps and fast.diagnosis is not None
            seen.add(fast.diagnosis.kind)
            _same(item)
    assert seen == {Kind.STEPS_AFTER_HALT, Kind.FAILURE_TO_HALT}
