"""The instance header: what the model was asked to simulate."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from tmtui.core.datasets import Instance
from tmtui.core.text import one_line

__all__ = ["InstanceHeader", "instance_text"]


def _sym(s: str) -> str:
    return one_line(" ".join(s), 10_000)


def instance_text(inst: Instance, *, source: str = "") -> Text:
    """Three lines: the problem, every production, the initial queue (always as text)."""
    run = inst.run
    name = one_line(inst.dataset or "instance", 40)
    t = Text(no_wrap=True, overflow="ellipsis")
    t.append(f"{name} #{inst.index}", style="bold")
    t.append("  m ", style="dim")
    t.append(str(inst.m), style="bold")
    t.append("  alphabet ", style="dim")
    t.append(_sym("".join(inst.alphabet)))
    t.append("  step cap ", style="dim")
    t.append(str(inst.max_step), style="bold")
    t.append("  truth ", style="dim")
    if run.halted:
        t.append(f"halts at step {run.last_step} ({run.halt_description()})")
    else:
        t.append(f"runs to the cap (step {run.last_step})")
    if source:
        t.append(f"  {one_line(source, 80)}", style="italic")
    t.append(f"  id {one_line(inst.id[:12], 12)}", style="dim")
    t.append("\nrules ", style="dim")
    order = [s for s in inst.alphabet if s in inst.rules] + [
        s for s in inst.rules if s not in inst.alphabet
    ]
    for i, sym in enumerate(order):
        if i:
            t.append("   ")
        t.append(one_line(sym, 4), style="bold")
        t.append(" → ", style="dim")
        t.append(_sym(inst.rules[sym]) or "∅")
    missing = [s for s in inst.alphabet if s not in inst.rules]
    if missing:
        t.append(f"   ({_sym(''.join(missing))}: no production, halts)", style="dim")
    t.append("\ninit  ", style="dim")
    t.append("[" + _sym(inst.init) + "]")
    t.append(f"  ({len(inst.init)} symbols)", style="dim")
    return t


class InstanceHeader(Static):
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
        super().__init__(instance_text(inst, source=source), id=id)

    def set_instance(self, inst: Instance, *, source: str = "") -> None:
        self.update(instance_text(inst, source=source))
