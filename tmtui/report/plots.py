"""The report's charts as inline SVG, drawn with matplotlib (imported here only, when a page
is written; no pyplot, no display). Every chart has labelled axes and a legend; intervals
are shaded bands or error bars. Text stays text (``svg.fonttype: none``), ids are stable
(``svg.hashsalt``), and nothing in the SVG points outside it: the XML prolog, the metadata
and the namespace declarations are taken out (an SVG inside HTML needs none of them).
"""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Sequence

from tmtui.core.text import one_line
from tmtui.report.curves import Point
from tmtui.report.tables import Row

__all__ = [
    "MAX_CURVES",
    "accuracy_chart",
    "first_failure_chart",
    "hazard_chart",
    "queue_chart",
    "standalone_svg",
    "survival_chart",
]

MAX_CURVES = 12  # rows drawn in one chart (the page says when there are more)
_RC = {
    "svg.fonttype": "none",
    "svg.hashsalt": "tmtui-report",
    "font.family": "DejaVu Sans",  # ships with matplotlib; the page's CSS picks the face
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "legend.frameon": False,
}


def _label(text: str) -> str:
    """A row's name as plain chart text: visible, one line, no mathtext."""
    return one_line(text, 48).replace("$", r"\$")


def _style(row: Row) -> dict:
    return {"linestyle": "--" if row.kind in ("human", "humans") else "-"}


def _svg(fig) -> str:
    import matplotlib

    buf = io.StringIO()
    with matplotlib.rc_context(_RC), warnings.catch_warnings():
        # text stays text (the browser draws it): a glyph matplotlib's font lacks is no matter
        warnings.filterwarnings(
            "ignore", message="Glyph .* missing from font", category=UserWarning
        )
        fig.savefig(buf, format="svg", metadata={"Date": None}, bbox_inches="tight")
    return clean_svg(buf.getvalue())


_PROLOG = re.compile(r"^.*?(?=<svg\b)", re.S)
_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.S)
_XMLNS = re.compile(r'\s+xmlns(?::\w+)?="[^"]*"')
_SIZE = re.compile(r'(<svg\b[^>]*?)\s+width="[^"]*"\s+height="[^"]*"')


def clean_svg(svg: str) -> str:
    """An SVG file's text made fit to inline in HTML: no prolog, doctype, metadata or
    namespace declarations; as wide as its container."""
    svg = _PROLOG.sub("", svg, count=1)
    svg = _METADATA.sub("", svg, count=1)
    svg = _XMLNS.sub("", svg)
    svg = _SIZE.sub(r'\1 class="chart" preserveAspectRatio="xMidYMid meet"', svg, count=1)
    return svg.strip()


def standalone_svg(svg: str) -> str:
    """A chart of the page as an SVG file of its own (its namespaces back; docs/report.md's
    figure is one)."""
    ns = 'xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
    return svg.replace("<svg ", "<svg " + ns, 1) + "\n"


def _figure(height: float = 3.3):
    import matplotlib
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure

    with matplotlib.rc_context(_RC):
        fig = Figure(figsize=(7.2, height))
        FigureCanvasSVG(fig)
        ax = fig.add_subplot()
    return fig, ax


def _band(
    ax, xs: Sequence[float], pts: Sequence[Point], row: Row, step: bool = False, alpha: float = 0.12
) -> None:
    import matplotlib

    with matplotlib.rc_context(_RC):
        ys = [p.value for p in pts]
        draw = ax.step if step else ax.plot
        kw = {"where": "post"} if step else {"marker": "o", "markersize": 2.5}
        (line,) = draw(
            xs,
            [float("nan") if y is None else y for y in ys],
            label=_label(row.label),
            **kw,
            **_style(row),
        )
        lo = [p.ci[0] if p.ci else float("nan") for p in pts]
        hi = [p.ci[1] if p.ci else float("nan") for p in pts]
        fb = {"step": "post"} if step else {}
        ax.fill_between(xs, lo, hi, alpha=alpha, color=line.get_color(), linewidth=0, **fb)


def _finish(ax, xlabel: str, ylabel: str, percent: bool = True) -> None:
    import matplotlib

    with matplotlib.rc_context(_RC):
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        if percent:
            ax.set_ylim(-2, 102)
        ax.legend(loc="best", fontsize=8)


def _alpha(rows: Sequence[Row]) -> float:
    """Fainter bands when many overlap."""
    return 0.12 if len(rows) <= 3 else 0.06


def accuracy_chart(rows: Sequence[Row]) -> str:
    fig, ax = _figure()
    for r in rows:
        assert r.curves is not None
        pts = r.curves.accuracy
        _band(ax, [p.x for p in pts], pts, r, alpha=_alpha(rows))
    _finish(ax, "step", "ACC(i): steps correct (%)")
    return _svg(fig)


def survival_chart(rows: Sequence[Row]) -> str:
    fig, ax = _figure()
    for r in rows:
        assert r.curves is not None
        pts = r.curves.survival
        _band(ax, [p.x for p in pts], pts, r, step=True, alpha=_alpha(rows))
    _finish(ax, "step t", "still fully correct after step t (%)")
    return _svg(fig)


def hazard_chart(rows: Sequence[Row]) -> str:
    import matplotlib

    fig, ax = _figure()
    k = len(rows)
    with matplotlib.rc_context(_RC):
        for n, r in enumerate(rows):
            assert r.curves is not None
            pts = [p for p in r.curves.hazard if p.value is not None and p.ci is not None]
            dx = (n - (k - 1) / 2) * (0.6 / max(k, 1))  # side by side within a step
            xs = [p.x + dx for p in pts]
            ys = [p.value for p in pts]
            err = [
                [max(0.0, p.value - p.ci[0]) for p in pts],
                [max(0.0, p.ci[1] - p.value) for p in pts],
            ]
            ax.errorbar(
                xs,
                ys,
                yerr=err,
                fmt="s" if r.kind in ("human", "humans") else "o",
                markersize=2.5,
                capsize=1.5,
                elinewidth=0.8,
                label=_label(r.label),
            )
    _finish(ax, "step t", "first error at t, if right before t (%)", percent=False)
    with matplotlib.rc_context(_RC):
        ax.set_ylim(bottom=0)
    return _svg(fig)


def queue_chart(rows: Sequence[Row]) -> str:
    fig, ax = _figure()
    for r in rows:
        assert r.curves is not None
        pts = r.curves.queue_length
        if not pts:
            continue
        xs = [(p.x + (p.x_hi if p.x_hi is not None else p.x)) / 2 for p in pts]
        _band(ax, xs, pts, r, alpha=_alpha(rows))
    _finish(ax, "length of the true queue (symbols)", "steps correct (%)")
    return _svg(fig)


def first_failure_chart(rows: Sequence[Row]) -> str:
    import matplotlib

    fig, ax = _figure()
    with matplotlib.rc_context(_RC):
        for r in rows:
            assert r.curves is not None
            ff = r.curves.first_failure
            if not ff:
                continue
            total = sum(c for _, c in ff) + r.curves.never_failed
            xs = [s for s, _ in ff]
            ys = [100 * c / total for _, c in ff]
            ax.plot(xs, ys, marker="o", markersize=2.5, label=_label(r.label), **_style(r))
    _finish(ax, "first failing step", "samples (%)", percent=False)
    return _svg(fig)
