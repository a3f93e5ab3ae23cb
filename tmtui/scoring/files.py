"""``tmtui score``: files of answers scored per file and pooled, on the one scoring path
(:func:`tmtui.scoring.stream.score_source` and :class:`~tmtui.scoring.stream.ScoreGroups`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tmtui.core.parsed import ParserMode
from tmtui.core.score import DatasetScore, SampleScore
from tmtui.core.text import one_line
from tmtui.io.sources import ItemError, OfficialSource, Resolver, SourceError, open_source
from tmtui.scoring.sample import PromptHashes, parser_disagreements
from tmtui.scoring.stream import Scored, ScoreGroups, score_source

__all__ = ["Disagreement", "FileScore", "NotAttempted", "ScoreReport", "score_files"]


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

    @property
    def verdicts_differ(self) -> bool:
        return self.strict != self.compat

    def to_dict(self) -> dict:
        return {
            "verdicts_differ": self.verdicts_differ,
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


@dataclass(slots=True)
class NotAttempted:
    """A record of an attempt that did not happen: counted and listed apart, never scored."""

    where: str
    status: str  # "error" (the request failed) or "interrupted" (the stream was cut)
    error: str  # why, as recorded

    def to_dict(self) -> dict:
        return {"where": self.where, "status": self.status, "error": self.error}


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
    # records of attempts that did not happen (failed requests, interrupted streams)
    not_attempted: list[NotAttempted] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for n in self.not_attempted if n.status == status)

    def to_dict(self, per_sample: bool) -> dict:
        d = self.result.to_dict() if self.result else {}
        d = {"source": self.source, "kind": self.kind, **d}
        d["request_errors"] = self.count("error")
        d["incomplete"] = self.count("interrupted")
        d["not_attempted"] = [n.to_dict() for n in self.not_attempted]
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


def _disagreement(s: Scored) -> Disagreement | None:
    """The --compare row of a sample the two parsers read differently: different verdicts,
    or the same verdicts from different queues."""
    assert s.score is not None and s.other is not None and s.item is not None
    strict, compat = (s.score, s.other) if s.score.mode is ParserMode.STRICT else (s.other, s.score)
    assert strict.parse is not None and compat.parse is not None
    item = s.item
    cmp = parser_disagreements(
        item.instance, item.answer, truth=item.truth, strict=strict.parse, compat=compat.parse
    )
    n = strict.n_truth
    steps = [d.to_dict() for d in cmp.steps if d.step < n]
    if not steps and strict.verdicts == compat.verdicts:
        return None
    return Disagreement(
        source=s.source,
        where=s.where,
        instance_id=s.instance_id,
        index=s.index,
        strict=strict.verdicts,
        compat=compat.verdicts,
        steps=steps,
    )


def score_files(
    paths: Sequence[str | Path],
    *,
    mode: ParserMode | str = ParserMode.STRICT,
    per_sample: bool = False,
    compare: bool = False,
    bootstrap: int = 1000,
    seed: int = 0,
    resolver: Resolver | None = None,
    on_error: Callable[[ItemError], None] | None = None,
    template: str = "tmbench",
) -> ScoreReport:
    """Score every file, per file and pooled; one bad record never costs the good ones."""
    mode = ParserMode.of(mode)
    report = ScoreReport(mode=mode, files=[])
    steps_of: dict[str, int | None] = {}
    groups = ScoreGroups(mode, n_steps=steps_of.get)  # keyed by the path given
    others = ScoreGroups(mode.other, n_steps=steps_of.get)
    hashes = PromptHashes(template) if per_sample else None
    for path in paths:
        try:
            src = open_source(path)
        except SourceError as exc:
            report.fatal.append(str(exc))
            continue
        name = str(path)
        steps_of[name] = src.official.max_step if isinstance(src, OfficialSource) else None
        fs = FileScore(source=name, kind=src.kind, mode=mode)
        acc = groups.accumulator(name)
        for s in score_source(
            src, mode, keep=per_sample, compare=compare, resolver=resolver, hashes=hashes
        ):
            if isinstance(s, ItemError):
                fs.errors.append(s)
                if on_error is not None:
                    on_error(s)
                continue
            fs.models.add(s.model)
            if not s.attempted:
                rec = s.item.record if s.item is not None else None
                why = (rec.error or "") if rec is not None else ""
                fs.not_attempted.append(NotAttempted(s.where, s.status, one_line(why, 200)))
                groups.add(s, key=name)
                if per_sample and s.score is not None:
                    fs.per_sample.append(s.score)
                continue
            if s.truth_ok is False:
                fs.truth_mismatches.append(
                    f"{s.where}: stored step_results disagree with the rules"
                )
            groups.add(s, key=name)
            if compare:
                assert s.other is not None
                others.accumulator(name).add(s.other)
                d = _disagreement(s)
                if d is not None:
                    report.disagreements.append(d)
            if per_sample:
                assert s.score is not None
                fs.per_sample.append(s.score)
            elif s.score is not None:
                s.score.parse = s.score.alignment = None
        if src.skipped:
            fs.skipped = len(src.skipped)
        fs.result = acc.result(bootstrap=bootstrap, seed=seed) if acc.n else None
        other = others.groups.get(name)
        if other is not None and other.n:
            fs.other = other.result(bootstrap=bootstrap, seed=seed)
        report.files.append(fs)
    pooled = groups.pooled()
    if len(report.files) > 1 and pooled.n:
        report.pooled = pooled.result(bootstrap=bootstrap, seed=seed)
        pooled_other = others.pooled()
        if compare and pooled_other.n:
            report.pooled_other = pooled_other.result(bootstrap=bootstrap, seed=seed)
    return report
