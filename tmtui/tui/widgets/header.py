"""The instance header: what the model was asked to simulate.

Three lines: the problem (dataset and index, m, the alphabet, the step cap, how the true run
ends, where the answer comes from, the instance id), every production, the initial queue. The
first line is laid out for the width it has: the source, the id and the alphabet give way
before the numbers do (see :mod:`~tmtui.tui.widgets.fitting`). Every string of the instance is
data, shown through :func:`~tmtui.tui.safe.shown`.
"""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

from tmtui.core.datasets import Instance
from tmtui.tui.safe import shown
from tmtui.tui.widgets.fitting import Part, fit_parts

__all__ = ["InstanceHeader", "instance_text"]

ID_CHARS = 12  # enough of the id for --id (any unique prefix) to find it


def _sym(s: str) -> str:
    return shown(" ".join(s))


def problem_line(inst: Instance, *, source: str = "", width: int = 10_000) -> Text:
    """The first line, fitted to ``width`` cells."""
    run = inst.run
    name = shown(inst.dataset or "instance", 40)
    parts = [Part.of(Text(f"{name} #{inst.index}", style="bold"), importance=0)]

    def labelled(label: str, value: str, value_style: str = "bold") -> Text:
        t = Text(f"  {label} ", style="dim")
        t.append(value, style=value_style)
        return t

    parts.append(Part.of(labelled("m", str(inst.m)), importance=0))
    alphabet = _sym("".join(inst.alphabet))
    parts.append(Part.of(labelled("alphabet", alphabet, ""), Text(""), importance=3))
    parts.append(
        Part.of(
            labelled("step cap", str(inst.max_step)),
            labelled("cap", str(inst.max_step)),
            importance=0,
        )
    )
    if run.halted:
        full = f"halts at step {run.last_step} ({shown(run.halt_description())})"
        short = f"halts at step {run.last_step}"
    else:
        full = f"runs to the cap (step {run.last_step})"
        short = "runs to the cap"
    parts.append(
        Part.of(labelled("truth", full, ""), labelled("truth", short, ""), Text(""), importance=1)
    )
    if source:
        parts.append(
            Part.of(
                Text(f"  {shown(source, 80)}", style="italic"),
                Text(f"  {shown(source, 24)}", style="italic"),
                Text(""),
                importance=5,
            )
        )
    parts.append(
        Part.of(Text(f"  id {shown(inst.id[:ID_CHARS])}", style="dim"), Text(""), importance=4)
    )
    return fit_parts(parts, width)


def instance_text(inst: Instance, *, source: str = "", width: int = 10_000) -> Text:
    """Three lines: the problem, every production, the initial queue (always as text)."""
    t = Text(no_wrap=True, overflow="ellipsis")
    t.append_text(problem_line(inst, source=source, width=width))
    t.append("\nrules ", style="dim")
    order = [s for s in inst.alphabet if s in inst.rules] + [
        s for s in inst.rules if s not in inst.alphabet
    ]
    for i, sym in enumerate(order):
        if i:
            t.append("   ")
        t.append(shown(sym, 4), style="bold")
        t.append(" → ", style="dim")
        t.append(_sym(inst.rules[sym]) or "∅")
    missing = [s for s in inst.alphabet if s not in inst.rules]
    if missing:
        t.append(f"   ({_sym(''.join(missing))}: no production, halts)", style="dim")
    t.append("\ninit  ", style="dim")
    t.append("[" + _sym(inst.init) + "]")
    t.append(f"  ({len(inst.init)} symbols)", style="dim")
    return t


class InstanceHeader(Widget):
    """m, the alphabet, every production, the initial queue and the step cap."""

    DEFAULT_CSS = """
    InstanceHeader {
        height: auto;
        max-height: 3;
        text-wrap: nowrap;
        text-overflow: ellipsis;
        padding: 0 1;
        background: $panel;
        color: $foreground;
    }
    """

    def __init__(self, inst: Instance, *, source: str = "", id: str | None = None) -> None:
        super().__init__(id=id)
        self.instance = inst
        self.source = source

    def set_instance(self, inst: Instance, *, source: str = "") -> None:
        self.instance = inst
        self.source = source
        self.refresh(layout=True)

    def render(self) -> Text:
        width = self.content_size.width or 10_000
        return instance_text(self.instance, source=self.source, width=width)

    def get_content_height(self, container, viewport, width: int) -> int:
        return 3
