"""The report screen's plot: one curve of every row (textual-plotext), the selected row's 95 %
interval beside it, and a caption with the n behind every point.

The curves are those of :class:`tmtui.report.curves.Curves` (accuracy by step, survival,
hazard, accuracy by queue length, first failing step). Row names come from files: they reach
plotext only through :func:`tmtui.tui.safe.shown` (plotext's output is read back as ANSI
text, so a raw escape sequence in a name would otherwise become a style or worse).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from textual_plotext import PlotextPlot

from tmtui.report.curves import Point
from tmtui.report.tables import Row
from tmtui.tui.safe import shown

__all__ = ["CURVES", "Curve", "CurvePlot", "curve_caption", "curve_points", "x_ticks"]

_DOTS = " · dotted: its 95 % interval"
MAX_LINES = 6  # rows drawn at once (the selected row is always one of them)
COLOURS = ("cyan", "orange", "green", "magenta", "blue", "red", "yellow", "white")


@dataclass(frozen=True)
class Curve:
    key: str
    title: str
    xlabel: str
    ylabel: str
    percent: bool = True


CURVES: tuple[Curve, ...] = (
    Curve("accuracy", "accuracy by step ACC(i)", "step", "% correct"),
    Curve("survival", "survival: % still fully correct after step t", "step t", "% of samples"),
    Curve("hazard", "hazard: % P(first error at t | right before t)", "step t", "%"),
    Curve("queue_length", "accuracy by true queue length", "queue length", "% correct"),
    Curve("first_failure", "first failing step: samples", "step", "samples", percent=False),
)


def curve_points(row: Row, key: str) -> list[Point]:
    """The points of one curve of a row (first failing step: counts, as points of value n)."""
    c = row.curves
    if c is None:
        return []
    if key == "first_failure":
        return [Point(s, n, n, float(n), None) for s, n in c.first_failure]
    return list(getattr(c, key))


def _runs(points: Sequence[Point]) -> str:
    """``20 (steps 0–18) · 17 (19–30)``: the n of consecutive points, in runs."""
    parts: list[str] = []
    i = 0
    while i < len(points):
        j = i
        while j + 1 < len(points) and points[j + 1].n == points[i].n:
            j += 1
        a, b = points[i].x, points[j].x
        parts.append(f"{points[i].n} ({a})" if a == b else f"{points[i].n} ({a}–{b})")
        i = j + 1
    return " · ".join(parts)


def curve_caption(row: Row, key: str) -> str:
    """What the plot cannot show of the selected row: the n behind every point (the hazard:
    first errors over the samples at risk at every step where some sample first fails)."""
    pts = curve_points(row, key)
    name = shown(row.label, 40)
    if not pts:
        return f"{name}: nothing to plot"
    if key == "hazard":
        hits = [f"t{p.x} {p.k}/{p.n}" for p in pts if p.k]
        at_risk = _runs(pts)
        if not hits:
            return f"{name}: no first error · at risk n (steps): {at_risk}"
        return (
            f"{name}: first errors/at risk {', '.join(hits)} · at risk n (steps): {at_risk}{_DOTS}"
        )
    if key == "first_failure":
        never = row.curves.never_failed if row.curves is not None else 0
        hits = ", ".join(f"t{p.x} {p.n}" for p in pts)
        return f"{name}: first failures {hits} · never failed {never}"
    if key == "queue_length":
        return f"{name}: steps n (queue length): {_runs(pts)}{_DOTS}"
    return f"{name}: n (steps): {_runs(pts)}{_DOTS}"


def x_ticks(lo: int, hi: int, most: int) -> list[int]:
    """Whole-number ticks from ``lo`` to ``hi``, a round step apart (1, 2, 5, 10, 20, 50,
    ...), at most ``most`` of them (and at least one)."""
    mag = 1
    while True:
        for m in (1, 2, 5):
            step = m * mag
            if (hi - lo) // step + 1 <= max(1, most):
                return list(range(-(-lo // step) * step, hi + 1, step))
        mag *= 10


def _drawn(rows: Sequence[Row], selected: int | None) -> list[int]:
    """The rows to draw: the first :data:`MAX_LINES`, with the selected one always among them."""
    idx = [i for i, r in enumerate(rows) if r.curves is not None]
    out = idx[:MAX_LINES]
    if selected is not None and selected in idx and selected not in out:
        out[-1] = selected
    return out


class CurvePlot(PlotextPlot):
    """One curve of every row (up to :data:`MAX_LINES`), the selected row's interval dotted."""

    DEFAULT_CSS = """
    CurvePlot {
        height: 1fr;
        min-height: 8;
    }
    """

    def __init__(self, **kw) -> None:
        super().__init__(**kw)
        self.rows: list[Row] = []
        self.curve = CURVES[0]
        self.selected: int | None = None

    def show(self, rows: Sequence[Row], curve: Curve, selected: int | None) -> None:
        self.rows = list(rows)
        self.curve = curve
        self.selected = selected
        self.refresh()

    @property
    def drawn(self) -> list[int]:
        return _drawn(self.rows, self.selected)

    def render(self):
        self._draw()  # the y range leaves the legend's rows above the curves: it needs the height
        return super().render()

    def _draw(self) -> None:
        plt = self.plt
        plt.clear_figure()
        cv = self.curve
        series = []
        for i in self.drawn:
            pts = [p for p in curve_points(self.rows[i], cv.key) if p.value is not None]
            if pts:
                series.append((i, pts))
        rows = max(1, self.size.height - 3)  # less the title, the x axis and its ticks
        title = cv.title
        solo = len(series) > 1 and rows - len(series) - 1 <= 2
        if solo:  # no room for a legend above the curves: the selected row alone, named
            series = [(i, pts) for i, pts in series if i == self.selected]
            if self.selected is not None:
                title += " · " + shown(self.rows[self.selected].label, 40)
        plt.title(title)
        top = 0.0
        xs_all: list[int] = []
        for i, pts in series:
            row = self.rows[i]
            colour = COLOURS[self.drawn.index(i) % len(COLOURS)] if not solo else COLOURS[0]
            xs = [p.x for p in pts]
            xs_all += xs
            ys = [float(p.value) for p in pts]  # type: ignore[arg-type]
            top = max(top, *ys)
            mark = "▶ " if i == self.selected else ""
            label = None if solo else mark + shown(row.label, 22)
            plt.plot(xs, ys, label=label, color=colour, marker="braille")
            if i == self.selected and cv.percent:
                band = [p for p in pts if p.ci is not None]
                if band:
                    bx = [p.x for p in band]
                    plt.plot(bx, [p.ci[0] for p in band], color=colour, marker="·")  # type: ignore[index]
                    plt.plot(bx, [p.ci[1] for p in band], color=colour, marker="·")  # type: ignore[index]
                    top = max(top, *(p.ci[1] for p in band))  # type: ignore[index]
        if cv.key == "hazard":  # small values: the range of the highest point or interval
            high = min(100.0, max(10.0, -(-top // 10) * 10))
        else:
            high = 100.0 if cv.percent else max(1.0, top)
        legend = 0 if solo else len(series)
        room = rows - legend - 1
        plt.ylim(0, high * rows / room if legend and room > 2 else high)
        ticks = [high * k / 4 for k in range(5)]
        plt.yticks(ticks, [f"{t:g}" for t in ticks])
        if xs_all:  # steps and lengths are whole numbers: so are the ticks
            xt = x_ticks(min(xs_all), max(xs_all), max(2, self.size.width // 10))
            plt.xticks(xt, [str(x) for x in xt])
