"""The one scoring path: any source → per-sample scores → accumulators grouped by any key.

Everything that scores goes through here — ``tmtui score``, the ``view`` list, the batch
runner, the parse inspector, human attempts and reports — so a person's attempt, a model's
answer and an official results file are scored by the same code with the same numbers.

* :func:`score_item` — one item (an answer to an instance) with either parser;
* :func:`parser_disagreements` — one answer read by both parsers, step by step;
* :func:`score_source` — a whole source as a stream of :class:`Scored` samples;
* :class:`ScoreGroups` — accumulators keyed by whatever the caller chooses;
* :func:`score_files` — files per file and pooled (``tmtui score``).

Headless: imports no UI library.
"""

from __future__ import annotations

from tmtui.scoring.files import Disagreement, FileScore, ScoreReport, score_files
from tmtui.scoring.sample import (
    ParserComparison,
    PromptHashes,
    StepDisagreement,
    parser_disagreements,
    score_item,
)
from tmtui.scoring.stream import Scored, ScoreGroups, score_source

__all__ = [
    "Disagreement",
    "FileScore",
    "ParserComparison",
    "PromptHashes",
    "ScoreGroups",
    "ScoreReport",
    "Scored",
    "StepDisagreement",
    "parser_disagreements",
    "score_files",
    "score_item",
    "score_source",
]
