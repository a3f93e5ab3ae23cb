"""Rows, comparisons and the per-row sample lists of a report, from what the builder
(:mod:`tmtui.report.accumulate`) accumulated: figures from the accumulators, curves, which file's
bad records belong to which row, and the paired comparisons asked for.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tmtui.io.sources import SourceError
from tmtui.report.accumulate import ALL_PAIRS_ROWS, Builder
from tmtui.report.curves import make_curves, queue_bin_width
from tmtui.report.digest import FileDigest
from tmtui.report.groups import HUMANS_POOLED, category, dimension_value, file_system, sort_key
from tmtui.report.paired import Comparison, compare_rows
from tmtui.report.tables import Row, SampleRef

__all__ = ["ReportError", "comparisons", "rows", "sample_reader"]


class ReportError(ValueError):
    """Bad report options (one clear line)."""


def rows(
    b: Builder, read: list[tuple[int, Path, FileDigest]], bootstrap: int, seed: int
) -> list[Row]:
    states = [
        rs for rs in b.rows.values() if not (rs.pooled and len(rs.members) < 2)
    ]  # one participant: the pooled row would only repeat theirs
    # a file whose samples all went to one row lends it its bad records and skipped samples
    owner: dict[int, tuple[str, ...]] = {}
    for fi, touched in enumerate(b.file_rows):
        if len(touched) == 1:
            owner[fi] = next(iter(touched))
    longest = max((max(i.queue_lengths, default=0) for i in b.instances), default=0)
    width = queue_bin_width(longest)
    first_seen: dict[tuple[int, str], int] = {}
    for rs in b.rows.values():
        for d, v in enumerate(rs.key):
            first_seen.setdefault((d, v), rs.first_seen)
    states.sort(
        key=lambda rs: tuple(
            sort_key(dim, v, first_seen[(d, v)])
            for d, (dim, v) in enumerate(zip(b.by, rs.key, strict=True))
        )
    )
    out = []
    digests = {fi: d for fi, _, d in read}
    for rs in states:
        acc = b.groups.accumulator(rs.key)
        fis = sorted(rs.files)
        if len(fis) == 1 and digests[fis[0]].n_steps is not None:
            acc.n_steps = digests[fis[0]].n_steps  # as tmtui score scores one official file
        score = acc.result(bootstrap=bootstrap, seed=seed) if acc.n else None
        other = None
        oacc = b.others.groups.get(rs.key)
        if oacc is not None and oacc.n:
            oacc.n_steps = acc.n_steps
            other = oacc.result(bootstrap=bootstrap, seed=seed)
        mix: dict[str, int] = {}
        for kind, n in acc.diagnoses.items():
            c = category(kind)
            mix[c] = mix.get(c, 0) + n
        kind = "humans" if rs.pooled else (next(iter(rs.kinds)) if len(rs.kinds) == 1 else "mixed")
        row = Row(
            label=" · ".join(rs.key),
            group=dict(zip(b.by, rs.key, strict=True)),
            kind=kind,
            mode=b.mode,
            score=score,
            other=other,
            read_differently=rs.differ if b.compare and rs.compared else None,
            tokens_per_step=rs.tokens / rs.token_steps if rs.token_steps else None,
            token_samples=rs.token_samples,
            seconds_per_step=rs.seconds / rs.second_steps if rs.second_steps else None,
            timed_samples=rs.timed_samples,
            mix=mix,
            sources=[str(read[i][1]) for i in fis],
            source_kinds=[read[i][2].kind for i in fis],
            models=sorted(rs.models),
            not_attempted=rs.not_attempted,
        )
        if score is not None:
            row.curves = make_curves(
                score, acc.patterns, rs.pairs.pairs().items(), b.instances, b.patterns, width
            )
        for fi in fis:
            if owner.get(fi) == rs.key and not rs.pooled:
                d = read[fi][2]
                row.errors += [{"where": w, "message": m} for w, m in d.errors]
                row.skipped += d.skipped
                row.truth_mismatches += [
                    f"{w}: stored step_results disagree with the rules" for w in d.truth_mismatches
                ]
        out.append(row)
    return out


def comparisons(
    b: Builder, rows: list[Row], vs: str | None, bootstrap: int, seed: int, notes: list[str]
) -> list[Comparison]:
    by_label = {r.label: b.rows[tuple(r.group[d] for d in b.by)] for r in rows}
    pairs: list[tuple[Row, Row]] = []
    if vs is not None:
        ref = _find_row(rows, vs)
        pairs = [(ref, r) for r in rows if r is not ref]
    elif len(rows) <= ALL_PAIRS_ROWS:
        # every pair of systems; the pooled humans only when asked for (--vs): paired by
        # occurrence, they would repeat the first participant's comparison
        plain = [r for r in rows if r.kind != "humans"]
        pairs = [(plain[i], plain[j]) for i in range(len(plain)) for j in range(i + 1, len(plain))]
    elif len(rows) > 1:
        notes.append(
            f"{len(rows)} rows: no pairwise comparisons (give --vs ROW to compare each row with one)"
        )
    out = []
    for ra, rb in pairs:
        if {ra.kind, rb.kind} == {"humans", "human"} or ra.n == 0 or rb.n == 0:
            continue  # the pooled humans hold every participant's attempts
        c = compare_rows(
            ra.label,
            by_label[ra.label].pairs,
            rb.label,
            by_label[rb.label].pairs,
            b.patterns,
            bootstrap=bootstrap,
            seed=seed,
        )
        if c is not None:
            out.append(c)
    return out


def _find_row(rows: list[Row], name: str) -> Row:
    exact = [r for r in rows if r.label == name]
    if exact:
        return exact[0]
    low = name.lower()
    near = [r for r in rows if low in r.label.lower()]
    if len(near) == 1:
        return near[0]
    labels = ", ".join(r.label for r in rows) or "none"
    if not near:
        raise ReportError(f"--vs {name!r}: no such row (rows: {labels})")
    raise ReportError(f"--vs {name!r} names several rows: {', '.join(r.label for r in near)}")


def sample_reader(
    b: Builder, read: list[tuple[int, Path, FileDigest]]
) -> Callable[[Row], list[SampleRef]]:
    """Report.samples: the attempts of a row, from the digests (kept in memory when the
    report is small, else read again from the cache or scored again)."""
    kept = list(b.digests)
    paths = [p for _, p, _ in read]

    def samples(row: Row) -> list[SampleRef]:
        out: list[SampleRef] = []
        for fi, path in enumerate(paths):
            d = kept[fi] if fi < len(kept) else None
            if d is None:
                try:
                    d, _ = b.digest(path)
                except (SourceError, OSError):
                    continue
            out.extend(_refs(b, row, d, path))
        return out

    return samples


def _refs(b: Builder, row: Row, d: FileDigest, path: Path) -> list[SampleRef]:
    cols = d.columns()
    name = file_system(path)
    want = tuple(row.group[dim] for dim in b.by)
    match: dict[tuple[int, int], bool] = {}
    out = []
    for j in range(len(cols)):
        pi, ii = cols.profile[j], cols.inst[j]
        ok = match.get((pi, ii))
        if ok is None:
            prof, inst = d.profiles[pi], d.instances[ii]
            key = [dimension_value(dim, prof, inst, name) for dim in b.by]
            if row.kind == "humans" and b.model_dim is not None and prof.kind == "human":
                key[b.model_dim] = HUMANS_POOLED
            ok = match[(pi, ii)] = tuple(key) == want
        if ok:
            o = d.outcomes[cols.outcome[j]]
            out.append(
                SampleRef(
                    str(path),
                    d.where(j, cols.pos[j]),
                    d.instances[ii].id,
                    o.verdicts,
                    o.diagnosis,
                    o.status,
                )
            )
    return out
