"""One sample scored: the entry point every caller uses (``tmtui score``, the ``view`` list,
the batch runner, the parse inspector, human attempts and reports).

:func:`score_item` scores an answer to an instance with either parser; in compat mode it
scores against the truth stored in an official file, exactly as the official evaluator does.
:func:`parser_disagreements` reads one answer with both parsers and says, step by step,
where the two readings differ and why.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from tmtui.core.align import Alignment, Verdict, align
from tmtui.core.compat import compat_steps
from tmtui.core.datasets import Instance
from tmtui.core.diagnose import halting_finding
from tmtui.core.parsed import ParsedStep, ParseResult, ParserMode
from tmtui.core.prompts import prompt_sha256
from tmtui.core.score import (
    NOT_ATTEMPTED,
    SampleScore,
    compat_verdicts,
    parse_answer,
    score_sample,
)
from tmtui.core.text import one_line
from tmtui.io.sources import ScoreItem

__all__ = [
    "ParserComparison",
    "PromptHashes",
    "StepDisagreement",
    "parser_disagreements",
    "score_item",
]


class PromptHashes:
    """The prompt hash of each (instance, template) scored, computed once."""

    def __init__(self, template: str = "tmbench") -> None:
        self.template = template
        self._cache: dict[str, str] = {}

    def of(self, item: ScoreItem) -> str:
        inst = item.instance
        tpl = item.record.prompt_template if item.record is not None else self.template
        key = inst.id + "\x00" + inst.rules_sha256() + "\x00" + tpl
        ph = self._cache.get(key)
        if ph is None:
            try:
                ph = prompt_sha256(inst, tpl)
            except KeyError:
                ph = ""
            self._cache[key] = ph
        return ph


def score_item(
    item: ScoreItem,
    parser: ParserMode | str = ParserMode.STRICT,
    *,
    keep: bool = False,
    hashes: PromptHashes | None = None,
    diagnose: bool = True,
) -> SampleScore:
    """The score of one item (an answer to an instance, from any source).

    ``keep``: keep the parse and the alignment (for screens that show the steps). ``hashes``:
    fill in the prompt hash (None: left empty, nothing shows it). ``diagnose``: explain the
    first divergence (False: verdicts only, for a running tally). In compat mode an item that
    carries stored truth (official files) is scored against it, as the official evaluator
    does; a passing answer then takes a fast path with no diagnosis to make.
    """
    mode = ParserMode.of(parser)
    inst = item.instance
    truth = item.truth if mode is ParserMode.TMBENCH else None
    if truth is not None and not keep:
        verdicts, extra = compat_verdicts(item.answer, truth)
        if verdicts and set(verdicts) == {"c"}:
            if not extra:
                return _passed(
                    item,
                    mode,
                    verdicts,
                    n_truth=len(truth),
                    rules_sha256=inst.rules_sha256(),
                    prompt_sha256="" if hashes is None else hashes.of(item),
                )
            return _passed_with_extra_steps(item, mode, verdicts, extra, hashes, diagnose)
    return score_sample(
        inst,
        item.answer,
        mode=mode,
        truth=truth,
        model=item.model,
        status=item.status,
        finish_reason=item.finish_reason,
        source=item.source,
        keep=keep,
        diagnose_it=diagnose,
        prompt_sha256="" if hashes is None else hashes.of(item),
    )


def _passed_with_extra_steps(
    item: ScoreItem,
    mode: ParserMode,
    verdicts: str,
    extra: int,
    hashes: PromptHashes | None,
    diagnose: bool,
) -> SampleScore:
    """A passing official answer that writes steps past the truth: its halting finding from
    the official matches alone (what :func:`score_sample` says, without aligning them)."""
    inst, n = item.instance, len(verdicts)
    diag = None
    if diagnose and item.status not in NOT_ATTEMPTED:
        written = {k: q for k, q in compat_steps(item.answer).items() if k >= n}
        diag = halting_finding(sorted(written), written, inst.run)
    return _passed(
        item,
        mode,
        verdicts,
        n_truth=n,
        diagnosis=diag,
        extra_steps=extra,
        rules_sha256=inst.rules_sha256(),
        prompt_sha256="" if hashes is None else hashes.of(item),
    )


def _passed(item: ScoreItem, mode: ParserMode, verdicts: str, **more: Any) -> SampleScore:
    """The score of an official answer that passes on the official matches alone."""
    inst = item.instance
    return SampleScore(
        instance_id=inst.id,
        index=inst.index,
        model=item.model,
        mode=mode,
        verdicts=verdicts,
        passed=True,
        status=item.status,
        source=item.source,
        **more,
    )


# -- both readings of one answer ---------------------------------------------------------


@dataclass(slots=True)
class StepDisagreement:
    """One step the strict parser and the official regex read differently."""

    step: int
    strict_verdict: Verdict
    compat_verdict: Verdict
    strict: ParsedStep | None
    compat: ParsedStep | None
    why: str

    @property
    def strict_queue(self) -> str | None:
        return None if self.strict is None else self.strict.queue

    @property
    def compat_queue(self) -> str | None:
        return None if self.compat is None else self.compat.queue

    def to_dict(self) -> dict:
        return {
            "step": self.step,
            "strict": self.strict_queue,
            "compat": self.compat_queue,
            "strict_verdict": self.strict_verdict.value,
            "compat_verdict": self.compat_verdict.value,
        }


@dataclass
class ParserComparison:
    """An answer read by both parsers against the same truth."""

    strict: ParseResult
    compat: ParseResult
    strict_alignment: Alignment
    compat_alignment: Alignment
    steps: list[StepDisagreement] = field(default_factory=list)

    @property
    def differ(self) -> bool:
        return bool(self.steps)

    @property
    def verdicts_differ(self) -> bool:
        return self.strict_alignment.verdicts() != self.compat_alignment.verdicts()

    def summary(self) -> str:
        def line(mode: ParserMode, al: Alignment) -> str:
            ok = al.count(Verdict.CORRECT)
            return f"{mode.label}: {ok}/{al.n_truth} correct ({'pass' if al.passed else 'fail'})"

        return (
            line(ParserMode.STRICT, self.strict_alignment)
            + "   ·   "
            + line(ParserMode.TMBENCH, self.compat_alignment)
        )


def _why(s: ParsedStep | None, c: ParsedStep | None) -> str:
    if c is None and s is not None:
        return (
            "the official regex needs 'step N:' … 'Queue State:' … '[…]' with only "
            "its symbol class inside; it found none for this step"
        )
    if s is None and c is not None:
        return "the strict parser read no step here (the official match crosses step blocks?)"
    parts = []
    if s is not None and s.note:
        parts.append("strict: " + s.note)
    if s is not None and s.why:
        parts.append("strict: " + s.why)
    if s is not None and s.problem:
        parts.append("strict: " + s.problem)
    if c is not None and c.why:
        parts.append("official: " + c.why)
    if not parts:
        parts.append("the two parsers took different text as this step's queue")
    return one_line("; ".join(parts), 400)


def parser_disagreements(
    instance: Instance,
    answer: str,
    *,
    truth: Sequence[str] | None = None,
    strict: ParseResult | None = None,
    compat: ParseResult | None = None,
) -> ParserComparison:
    """Both readings of ``answer`` aligned with ``truth`` (default: the simulated truth),
    and every step where the queues read or the verdicts differ, with why.

    Already-made readings can be passed in (``strict``, ``compat``) to save a parse."""
    states = truth if truth is not None else instance.run  # states read from the tape
    if strict is None:
        strict = parse_answer(answer, ParserMode.STRICT, instance.alphabet)
    if compat is None:
        compat = parse_answer(answer, ParserMode.TMBENCH, instance.alphabet)
    a_s = align(states, strict)
    a_c = align(states, compat)
    vs = {r.step: r.verdict for r in a_s.steps}
    vc = {r.step: r.verdict for r in a_c.steps}
    rows = []
    for k in sorted(set(strict.steps) | set(compat.steps) | set(range(len(states)))):
        s, c = strict.steps.get(k), compat.steps.get(k)
        v1 = vs.get(k, Verdict.EXTRA)
        v2 = vc.get(k, Verdict.EXTRA)
        sq = None if s is None else s.queue
        cq = None if c is None else c.queue
        if sq == cq and v1 == v2:
            continue
        rows.append(StepDisagreement(k, v1, v2, s, c, _why(s, c)))
    return ParserComparison(strict, compat, a_s, a_c, rows)
