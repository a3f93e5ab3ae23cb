"""Two answers to the same instance side by side, each aligned to the truth.

Two alignments with one cursor, a summary of where each first diverges (and which diverges
first), and below, the selected step: the truth and both queues with their differences marked.
``a`` / ``b`` open one answer in the full debugger.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from tmtui.core.align import Verdict, differing_span
from tmtui.core.parsed import ParserMode
from tmtui.live.sample import Sample
from tmtui.live.trace import Trace
from tmtui.tui.plans import ViewPlan
from tmtui.tui.safe import shown
from tmtui.tui.screens.keys import COMPARE_KEYS
from tmtui.tui.widgets.alignment import AlignmentTable, missing_label
from tmtui.tui.widgets.header import InstanceHeader
from tmtui.tui.widgets.keybar import KeyBar
from tmtui.tui.widgets.rows import RowTable

__all__ = ["CompareScreen", "divergence_summary"]


def _trace(s: Sample, mode: str) -> Trace:
    tr = Trace(s.instance, mode=mode)
    tr.feed(s.answer, s.reasoning)
    tr.finish(s.status, s.finish_reason, s.error)
    return tr


def _side(name: str, s: Sample, tr: Trace) -> str:
    fd = tr.first_divergence
    who = shown(s.model or s.label() or name, 40)
    reason = tr.not_attempted_reason()
    if reason is not None:
        return f"{name} {who}: {shown(reason, 200)}"
    if fd is None:
        return f"{name} {who}: every step correct" if tr.passed else f"{name} {who}: no divergence"
    diag = tr.diagnosis()
    msg = diag.message if diag is not None else tr.verdict(fd).value
    return f"{name} {who}: first divergence at step {fd} — {shown(msg, 200)}"


def divergence_summary(a: Trace, b: Trace) -> str:
    fa, fb = a.first_divergence, b.first_divergence
    if fa is None and fb is None:
        return "neither diverges"
    if fb is None or (fa is not None and fa < fb):
        lead = f"A diverges first (step {fa}" + (f", B at {fb})" if fb is not None else ")")
    elif fa is None or fb < fa:
        lead = f"B diverges first (step {fb}" + (f", A at {fa})" if fa is not None else ")")
    else:
        lead = f"both first diverge at step {fa}"
    return lead


class CompareScreen(Screen):
    BINDINGS: ClassVar[list[BindingType]] = COMPARE_KEYS

    def __init__(self, a: Sample, b: Sample, plan: ViewPlan | None = None) -> None:
        super().__init__()
        self.samples = (a, b)
        self.plan = plan
        mode = plan.mode if plan is not None else ParserMode.STRICT
        self.traces = (_trace(a, mode), _trace(b, mode))
        self.selected = 0

    def compose(self) -> ComposeResult:
        a, b = self.traces
        yield InstanceHeader(a.instance, source=divergence_summary(a, b), id="header")
        with Horizontal(id="sides"):
            for name, tr in zip("AB", self.traces, strict=True):
                with Vertical(classes="panel side", id=f"side-{name.lower()}"):
                    yield AlignmentTable(tr, id=f"align-{name.lower()}")
        with VerticalScroll(classes="panel", id="compare-detail"):
            yield Static("", markup=False, id="compare-text")
        yield KeyBar()

    def on_mount(self) -> None:
        for name, s, tr in zip("AB", self.samples, self.traces, strict=True):
            panel = self.query_one(f"#side-{name.lower()}")
            # untrusted names: Text, never markup
            panel.border_title = Text(shown(f"{name}: {s.label() or s.model}", 60))
            fd = tr.first_divergence
            if not tr.attempted:
                panel.border_subtitle = "no answer (not attempted)"
            else:
                panel.border_subtitle = "passes" if tr.passed else f"first ✗ at step {fd}"
        self.query_one("#compare-detail").border_title = "Step"
        self.set_class(self.size.width < 100, "-narrow")
        self.query_one("#align-a", AlignmentTable).focus()
        firsts = [t.first_divergence for t in self.traces if t.first_divergence is not None]
        self.select(min(firsts) if firsts else 0)

    def on_resize(self, event) -> None:
        self.set_class(event.size.width < 100, "-narrow")

    def select(self, step: int) -> None:
        n = max(t.row_count for t in self.traces)
        step = min(max(0, step), max(0, n - 1))
        self.selected = step
        for name, tr in zip("ab", self.traces, strict=True):
            table = self.query_one(f"#align-{name}", AlignmentTable)
            table.cursor = min(tr.row_of_step(step), max(0, tr.row_count - 1))
        self.query_one("#compare-text", Static).update(self._detail(step))

    def _detail(self, step: int) -> Text:
        a, _b = self.traces
        t = Text()
        for name, s, tr in zip("AB", self.samples, self.traces, strict=True):
            t.append(shown(_side(name, s, tr), 300) + "\n", style="dim")
        t.append(f"step {step}", style="bold")
        want = a.truth[step] if step < a.n_truth else None
        t.append("\ntruth  ", style="dim")
        t.append(shown(want) if want is not None else "— (past the end)")
        for name, tr in zip("AB", self.traces, strict=True):
            v = tr.verdict(step) if step < tr.row_count else Verdict.MISSING
            ps = tr.got(step)
            t.append(f"\n{name} {v.mark}    ", style="bold")
            got = ps.queue if ps is not None else None
            if got is None:
                # a missing step says why (not written, no answer, not read by the regex)
                t.append(
                    missing_label(tr, step) if v is Verdict.MISSING else v.value, style="yellow"
                )
                continue
            if want is None or got == want:
                t.append(shown(got))
                continue
            # cut by symbol, then each piece made visible (the marks stay on their symbols)
            p, _expected_end, got_end = differing_span(want, got)
            end = max(p + 1, got_end)
            t.append(shown(got[:p]))
            t.append(shown(got[p : p + 1]) or " ", style="bold reverse red")
            t.append(shown(got[p + 1 : end]), style="bold underline red")
            t.append(shown(got[end:]))
        return t

    @on(RowTable.RowClicked)
    def _clicked(self, event: RowTable.RowClicked) -> None:
        tr = self.traces[0] if event.table.id == "align-a" else self.traces[1]
        self.select(tr.step_of_row(event.row))

    def action_step(self, delta: int) -> None:
        self.select(self.selected + delta)

    def action_first_divergence(self) -> None:
        firsts = [t.first_divergence for t in self.traces if t.first_divergence is not None]
        if not firsts:
            self.notify("neither answer diverges", timeout=3)
            return
        # press again to go to the other answer's first divergence
        later = [f for f in sorted(set(firsts)) if f > self.selected]
        self.select(later[0] if self.selected in firsts and later else min(firsts))

    def action_next_diff(self, direction: int) -> None:
        k = self.selected + direction
        n = max(t.row_count for t in self.traces)
        while 0 <= k < n:
            if any(k < t.row_count and t.verdict(k).bad for t in self.traces):
                self.select(k)
                return
            k += direction
        self.notify("no other wrong step", timeout=3)

    def action_open(self, which: str) -> None:
        from pathlib import Path

        from tmtui.tui.screens.watch import DebuggerScreen

        i = 0 if which == "a" else 1
        s = self.samples[i]
        save = self.plan.save_path if self.plan is not None else Path("tmtui-saved.jsonl")
        self.app.push_screen(
            DebuggerScreen(
                _trace(s, self.traces[i].mode),
                sample=s,
                save_path=save,
                can_go_back=True,
                title=f"{which.upper()}: {s.label()}",
                clock=getattr(self.app, "clock", None),
            )
        )

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 2:
            self.app.pop_screen()

    def action_help(self) -> None:
        from tmtui.tui.screens.help import HelpScreen

        self.app.push_screen(HelpScreen(self))

    def action_quit(self) -> None:
        self.app.exit()
