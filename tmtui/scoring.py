"""Score files of answers: the engine behind ``tmtui score`` (headless, no UI imports).

One scoring path for everything: official results files, tmtui model runs and human attempts
all become (instance, answer) items, parsed by the chosen parser and scored by the core.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tmtui.core.align import CODE_VERDICT
from tmtui.core.parsed import ParserMode
from tmtui.core.prompts import prompt_sha256
from tmtui.core.score import (
    DatasetScore,
    SampleScore,
    ScoreAccumulator,
    compat_verdicts,
    parse_answer,
    score_sample,
)
from tmtui.io.sources import (
    ItemError,
    OfficialSource,
    Resolver,
    ScoreItem,
    SourceError,
    official_items,
    open_source,
)
from tmtui.workers import cpu_count, run_parts

__all__ = ["Disagreement", "FileScore", "ScoreReport", "score_files"]


@dataclass
class Disagreement:
    """A sample the strict parser and the official regex read differently."""

    source: str
    where: str
    instance_id: str
    index: int
    strict: str  # verdict letters
    compat: str
    steps: list[dict]  # step, strict queue, compat queue, and both verdicts

    def to_dict(self) -> dict:
        return {
            "source": self.source,
            "where": self.where,
            "instance_id": self.instance_id,
            "index": self.index,
            "strict_verdicts": self.strict,
            "compat_verdicts": self.compat,
            "strict_passed": bool(self.strict) and set(self.strict) == {"c"},
            "compat_passed": bool(self.compat) and set(self.compat) == {"c"},
            "steps": self.steps,
        }


@dataclass
class FileScore:
    source: str
    kind: str
    mode: ParserMode
    result: DatasetScore | None = None
    other: DatasetScore | None = None  # the other parser's figures (--compare)
    per_sample: list[SampleScore] = field(default_factory=list)
    errors: list[ItemError] = field(default_factory=list)
    skipped: int = 0  # official samples without "ans"
    models: set[str] = field(default_factory=set)
    truth_mismatches: list[str] = field(default_factory=list)

    def to_dict(self, per_sample: bool) -> dict:
        d = self.result.to_dict() if self.result else {}
        d = {"source": self.source, "kind": self.kind, **d}
        d["skipped_without_answer"] = self.skipped
        d["errors"] = [{"where": e.where, "message": e.message} for e in self.errors]
        d["models"] = sorted(self.models)
        if self.truth_mismatches:
            d["truth_mismatches"] = self.truth_mismatches
        if self.other is not None:
            d["other_parser"] = self.other.to_dict()
        if per_sample:
            d["per_sample"] = [s.to_dict() for s in self.per_sample]
        return d


@dataclass
class ScoreReport:
    mode: ParserMode
    files: list[FileScore]
    pooled: DatasetScore | None = None
    pooled_other: DatasetScore | None = None
    disagreements: list[Disagreement] = field(default_factory=list)
    fatal: list[str] = field(default_factory=list)  # files that could not be read at all

    @property
    def n_errors(self) -> int:
        return sum(len(f.errors) for f in self.files)


def _steps_diff(a: SampleScore, b: SampleScore) -> list[dict]:
    out = []
    pa = a.parse.steps if a.parse else {}
    pb = b.parse.steps if b.parse else {}
    for i, (va, vb) in enumerate(zip(a.verdicts, b.verdicts, strict=False)):
        qa = pa[i].queue if i in pa else None
        qb = pb[i].queue if i in pb else None
        if va != vb or qa != qb:
            out.append(
                {
                    "step": i,
                    "strict": qa,
                    "compat": qb,
                    "strict_verdict": CODE_VERDICT[va].value,
                    "compat_verdict": CODE_VERDICT[vb].value,
                }
            )
    return out


def score_files(
    paths: Sequence[str | Path],
    *,
    mode: ParserMode = ParserMode.STRICT,
    per_sample: bool = False,
    compare: bool = False,
    bootstrap: int = 1000,
    seed: int = 0,
    resolver: Resolver | None = None,
    on_error: Callable[[ItemError], None] | None = None,
    template: str = "tmbench",
) -> ScoreReport:
    """Score every file; one bad record never costs the good ones."""
    mode = ParserMode.of(mode)
    other_mode = mode.other
    report = ScoreReport(mode=mode, files=[])
    pooled = ScoreAccumulator(mode=mode)
    pooled_other = ScoreAccumulator(mode=other_mode) if compare else None
    prompt_hashes: dict[str, str] = {}
    for path in paths:
        try:
            src = open_source(path)
        except SourceError as exc:
            report.fatal.append(str(exc))
            continue
        official = src if isinstance(src, OfficialSource) else None
        n_steps = official.official.max_step if official is not None else None
        fs = FileScore(source=str(path), kind=src.kind, mode=mode)
        acc = ScoreAccumulator(n_steps=n_steps, mode=mode)
        acc_other = ScoreAccumulator(n_steps=n_steps, mode=other_mode) if compare else None
        checked_truth: set[str] = set()
        if mode is ParserMode.TMBENCH and official is not None and not (per_sample or compare):
            _score_official_compat(official, fs, acc, checked_truth, on_error, template)
            items: Iterator[ScoreItem | ItemError] = iter(())
        else:
            items = src.items(resolver)
        for item in items:
            if isinstance(item, ItemError):
                fs.errors.append(item)
                if on_error is not None:
                    on_error(item)
                continue
            fs.models.add(item.model)
            if item.truth is not None and item.instance.id not in checked_truth:
                checked_truth.add(item.instance.id)
                if item.truth != item.instance.run.states():
                    fs.truth_mismatches.append(
                        f"{item.where}: stored step_results disagree with the rules"
                    )
            sample = _score_item(item, mode, per_sample or compare, prompt_hashes, template)
            acc.add(sample)
            if per_sample:
                fs.per_sample.append(sample)
            if compare and acc_other is not None:
                other = _score_item(item, other_mode, True, prompt_hashes, template)
                acc_other.add(other)
                if other.verdicts != sample.verdicts:
                    strict, compat = (
                        (sample, other) if mode is ParserMode.STRICT else (other, sample)
                    )
                    report.disagreements.append(
                        Disagreement(
                            source=item.source,
                            where=item.where,
                            instance_id=item.instance.id,
                            index=item.instance.index,
                            strict=strict.verdicts,
                            compat=compat.verdicts,
                            steps=_steps_diff(strict, compat),
                        )
                    )
                if not per_sample:
                    sample.parse = sample.alignment = None
        if src.skipped:
            fs.skipped = len(src.skipped)
        fs.result = acc.result(bootstrap=bootstrap, seed=seed) if acc.n else None
        if acc_other is not None and acc_other.n:
            fs.other = acc_other.result(bootstrap=bootstrap, seed=seed)
            assert pooled_other is not None
            pooled_other.merge(acc_other)
        pooled.merge(acc)
        report.files.append(fs)
    if len(report.files) > 1 and pooled.n:
        report.pooled = pooled.result(bootstrap=bootstrap, seed=seed)
        if pooled_other is not None and pooled_other.n:
            report.pooled_other = pooled_other.result(bootstrap=bootstrap, seed=seed)
    return report


# Official results files in compat mode without per-sample output (the common headless case):
# a sample only adds its verdicts and diagnosis kind to the accumulator, so a big file is split
# into contiguous ranges of samples scored by forked workers, whose compact events come back in
# file order and are accumulated exactly as the loop in score_files accumulates items.
PARALLEL_MIN_SAMPLES = 2000  # samples per worker, at least (a fork costs a few milliseconds)
MAX_WORKERS = 4


def _score_official_compat(
    src: OfficialSource,
    fs: FileScore,
    acc: ScoreAccumulator,
    checked_truth: set[str],
    on_error: Callable[[ItemError], None] | None,
    template: str,
) -> None:
    assert src.official is not None
    n = len(src.official)
    parts = max(1, min(cpu_count(), MAX_WORKERS, n // PARALLEL_MIN_SAMPLES))
    bounds = [n * k // parts for k in range(parts + 1)]
    ranges = [(src, bounds[k], bounds[k + 1], template) for k in range(parts)]
    src.skipped = []
    for events, skipped in run_parts(_compat_events, ranges):
        src.skipped.extend(skipped)
        for ev in events:
            if isinstance(ev, ItemError):
                fs.errors.append(ev)
                if on_error is not None:
                    on_error(ev)
                continue
            verdicts, kind, fatal, model, instance_id, where, truth_ok = ev
            fs.models.add(model)
            if truth_ok is not None and instance_id not in checked_truth:
                checked_truth.add(instance_id)
                if not truth_ok:
                    fs.truth_mismatches.append(
                        f"{where}: stored step_results disagree with the rules"
                    )
            acc.add_outcome(verdicts, kind, fatal)


def _compat_events(part: tuple[OfficialSource, int, int, str]) -> tuple[list, list[int]]:
    """Score samples start..stop: an ItemError or (verdicts, diagnosis kind, fatal, model,
    instance id, where, stored truth agrees with the rules) each (the last two None when the
    truth was not checked here), and the samples skipped for having no answer."""
    src, start, stop, template = part
    assert src.official is not None
    skipped: list[int] = []
    events: list = []
    checked: set[str] = set()
    patterns: dict[str, str] = {}  # one string per verdict pattern: compact, pickled once
    for item in official_items(src.official, skipped, start, stop):
        if isinstance(item, ItemError):
            events.append(item)
            continue
        truth_ok = where = None
        instance_id = item.instance.id
        if item.truth is not None and instance_id not in checked:
            checked.add(instance_id)
            truth_ok = item.truth == item.instance.run.states()
            where = item.where
        sample = _score_item(item, ParserMode.TMBENCH, False, None, template)
        d = sample.diagnosis
        events.append(
            (
                patterns.setdefault(sample.verdicts, sample.verdicts),
                None if d is None else d.kind.value,
                True if d is None else d.fatal,
                item.model,
                instance_id,
                where,
                truth_ok,
            )
        )
    return events, skipped


def _score_item(
    item: ScoreItem,
    mode: ParserMode,
    keep: bool,
    prompt_hashes: dict[str, str] | None,
    template: str,
) -> SampleScore:
    """One item's score; ``prompt_hashes`` None: no prompt hash (nothing shows it)."""
    inst = item.instance
    truth = item.truth if (mode is ParserMode.TMBENCH and item.truth is not None) else None
    if truth is not None and not keep:
        # the fast path: the official verdicts, and a diagnosis only for failures
        verdicts, extra = compat_verdicts(item.answer, truth)
        if verdicts and set(verdicts) == {"c"} and not extra:
            return SampleScore(
                instance_id=inst.id,
                index=inst.index,
                model=item.model,
                mode=mode,
                verdicts=verdicts,
                passed=True,
                n_truth=len(truth),
                status=item.status,
                source=item.source,
            )
    ph = "" if prompt_hashes is None else _prompt_hash(item, prompt_hashes, template)
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
        prompt_sha256=ph,
    )


def _prompt_hash(item: ScoreItem, cache: dict[str, str], template: str) -> str:
    inst = item.instance
    key = inst.id + "\x00" + inst.rules_sha256()
    ph = cache.get(key)
    if ph is None:
        tpl = item.record.prompt_template if item.record is not None else template
        try:
            ph = prompt_sha256(inst, tpl)
        except KeyError:
            ph = ""
        cache[key] = ph
    return ph


def parse_both(answer: str, alphabet: Sequence[str] | None):
    """Both readings of an answer (for the parse inspector)."""
    return parse_answer(answer, "strict", alphabet), parse_answer(answer, "tmbench", alphabet)
