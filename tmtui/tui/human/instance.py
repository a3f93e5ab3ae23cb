"""One instance being solved: what a model is given, the participant's own queues so far, and
one focused entry line.

Top to bottom: where the participant is (instance i of n, step t, the clock), the problem (m,
the alphabet and its key map, the rules, the initial queue), their submitted queues (the last
one just above the entry), what to type, the entry line, and one line under it that says what
the entry reads as — or why it cannot be submitted. Pausing, or the window losing focus,
covers the instance (the clock is stopped: nobody works on it unseen).
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical, VerticalScroll
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widgets import Input, Static

from tmtui.human.entry import EntryError, read_entry, spaced
from tmtui.human.settings import Assist
from tmtui.human.views import InstanceView, Update, View
from tmtui.tui.human.driver import Driver
from tmtui.tui.human.entry import EntryLine
from tmtui.tui.human.keys import INSTANCE_KEYS
from tmtui.tui.human.parts import (
    entry_label,
    idle_hint,
    problem_text,
    spaced_shown,
    steps_text,
    where_text,
)
from tmtui.tui.safe import shown
from tmtui.tui.widgets.keybar import KeyBar

__all__ = ["InstanceScreen"]


class InstanceScreen(Screen):
    """The instance in progress (see the module doc)."""

    BINDINGS: ClassVar[list[BindingType]] = INSTANCE_KEYS

    def __init__(self, view: View) -> None:
        super().__init__()
        self.view = view
        self.correcting: int | None = None  # the step being corrected
        self._draft = ""  # the entry as it was before a correction began
        self._shown_instance: tuple | None = None

    @property
    def human(self) -> Driver:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Static(id="where", markup=False)
        yield Static(id="problem", classes="panel", markup=False)
        with VerticalScroll(id="steps-box", classes="panel"):
            yield Static(id="steps", markup=False)
        with Vertical(id="entry-box"):
            yield Static(id="entry-label", markup=False)
            yield EntryLine(self._key_typed, id="entry", placeholder="the queue's symbols")
            yield Static(id="entry-message", markup=False)
        yield Static(id="held", markup=False)
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#problem").border_title = "The instance"
        self.query_one("#steps-box").border_title = "Your queues"
        self.show(self.view)

    # -- showing ------------------------------------------------------------------------
    def show(self, view: View, update: Update | None = None) -> None:
        """Show the session's view (after any call); ``update`` carries an inline error."""
        self.view = view
        iv = view.instance
        if iv is None:
            return
        ident = (iv.practice, iv.number, iv.dataset, iv.index)
        entry = self.query_one("#entry", EntryLine)
        fresh = ident != self._shown_instance
        if fresh:
            self._shown_instance = ident
            self.correcting = None
            self.query_one("#problem", Static).update(problem_text(iv))
        self.query_one("#steps", Static).update(steps_text(iv))
        self.query_one("#steps-box", VerticalScroll).scroll_end(animate=False)
        self._label()
        self.query_one("#where", Static).update(where_text(view, correcting=self.correcting))
        self._held(view)
        if update is not None and update.error is not None:
            self._say(Text(f"not submitted: {shown(update.error)}", style="bold red"))
        elif fresh and iv.entry is not None:
            entry.value = iv.entry.prefill
            entry.cursor_position = len(entry.value)
            self._preview(entry.value)
        if not entry.disabled:
            entry.focus()

    def show_clock(self, view: View) -> None:
        """Only the clock moved (the timer)."""
        self.view = view
        try:
            where = self.query_one("#where", Static)
        except NoMatches:  # the timer ticked before the screen was composed (a loaded machine)
            return
        where.update(where_text(view, correcting=self.correcting))

    def _label(self) -> None:
        iv = self.view.instance
        if iv is None or iv.entry is None:
            return
        self.query_one("#entry-label", Static).update(entry_label(iv, iv.entry, self.correcting))

    def _held(self, view: View) -> None:
        held = view.paused or not view.focused
        box = self.query_one("#held", Static)
        box.display = held
        entry = self.query_one("#entry", EntryLine)
        entry.disabled = held
        if not held:
            return
        if view.paused:
            t = Text("Paused\n\n", style="bold")
            t.append("The clock is stopped and the instance is hidden.\n")
            t.append("Press ctrl+p or Enter to go on.")
        else:
            t = Text("The window lost focus\n\n", style="bold")
            t.append("The clock is stopped and the instance is hidden.\n")
            t.append("Come back to this window to go on.")
        box.update(t)

    def _say(self, text: Text) -> None:
        self.query_one("#entry-message", Static).update(text)

    def _preview(self, text: str) -> None:
        iv = self.view.instance
        if iv is None or iv.entry is None:
            return
        if not text.strip():
            self._say(idle_hint(iv, self.correcting))
            return
        if self.correcting is not None:
            self._say(self._correction_preview(iv, text))
            return
        queue, why = self.human.session.preview(text)
        if why is not None:
            self._say(Text(f"✗ {shown(why)}", style="yellow"))
        elif queue is None:  # halt
            last = iv.last_queue
            step = iv.steps[-1].step if iv.steps else 0
            t = Text(f"Enter declares step {step} final", style="bold")
            t.append(f" ({spaced_shown(last)}): the machine halts there and the instance ends")
            self._say(t)
        else:
            t = Text("reads as ", style="dim")
            t.append(spaced_shown(queue), style="bold")
            t.append(f"  ({len(queue)} symbols)", style="dim")
            self._say(t)

    def _correction_preview(self, iv: InstanceView, text: str) -> Text:
        entry = read_entry(text, iv.alphabet, iv.key_map)
        if isinstance(entry, EntryError):
            return Text(f"✗ {shown(entry.message)}", style="yellow")
        if entry.halt:
            return Text("✗ halt is not a queue: a correction replaces the last queue", "yellow")
        t = Text("reads as ", style="dim")
        t.append(spaced_shown(entry.symbols), style="bold")
        if iv.entry is not None and iv.entry.mode == "production":
            t.append("  (appended after the kept symbols)", style="dim")
        return t

    # -- what the participant does ------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The key bar shows the keys that do something now."""
        iv = self.view.instance
        if action == "cancel":
            return self.correcting is not None
        if action == "correct":
            return self.correcting is None and iv is not None and iv.correctable is not None
        return True

    def _key_typed(self, key: str) -> None:
        self.human.key_typed(key)

    @on(Input.Changed, "#entry")
    def _changed(self, event: Input.Changed) -> None:
        self._preview(event.value)

    def action_submit(self) -> None:
        # Enter is a priority binding, handled as it arrives, while the keys typed just before
        # it may still wait in the entry line's queue (a fast typist, a paste, a browser's
        # burst): read the entry once it has taken them
        self.query_one("#entry", EntryLine).call_later(self._submit)

    def _submit(self) -> None:
        if self.view.paused:
            self.human.toggle_pause()
            return
        entry = self.query_one("#entry", EntryLine)
        text = entry.value
        if self.correcting is not None:
            update = self.human.correct(text)
            if update is not None and update.ok:
                self.correcting = None
                entry.value = self._draft
                self._after(update)
            return
        update = self.human.submit(text)
        if update is not None and update.ok:
            iv = update.view.instance
            if iv is not None and iv.entry is not None and update.view.phase == "instance":
                entry.value = iv.entry.prefill
                entry.cursor_position = len(entry.value)
            self._after(update)

    def _after(self, update: Update) -> None:
        self._label()
        self.refresh_bindings()
        self.query_one("#where", Static).update(where_text(update.view))
        self._preview(self.query_one("#entry", EntryLine).value)
        for ev in update.events:
            if ev.feedback is not None:
                mark = "✓ right" if ev.feedback.correct else f"✗ {shown(ev.feedback.message)}"
                style = "bold green" if ev.feedback.correct else "bold red"
                self._say(Text(f"step {ev.step}: {mark}", style=style))

    def action_correct(self) -> None:
        iv = self.view.instance
        if iv is None or iv.entry is None or self.view.paused:
            return
        if self.correcting is not None:
            return
        if iv.correctable is None or not iv.steps:
            self._say(Text("nothing to correct yet: no step has been submitted", "yellow"))
            return
        last = iv.steps[-1]
        entry = self.query_one("#entry", EntryLine)
        self._draft = entry.value
        self.correcting = last.step
        if self.human.session.settings.assist is Assist.APPEND:
            entry.value = last.typed
        else:
            entry.value = spaced(last.queue)
        entry.cursor_position = len(entry.value)
        self._label()
        self.refresh_bindings()
        self.query_one("#where", Static).update(where_text(self.view, correcting=last.step))
        self._preview(entry.value)

    def action_cancel(self) -> None:
        if self.correcting is None:
            return
        self.correcting = None
        entry = self.query_one("#entry", EntryLine)
        entry.value = self._draft
        entry.cursor_position = len(entry.value)
        self._label()
        self.refresh_bindings()
        self.query_one("#where", Static).update(where_text(self.view))
        self._preview(entry.value)

    def action_halt(self) -> None:
        """The halt key: the entry says ``halt``, and Enter confirms it."""
        if self.view.paused:
            return
        if self.correcting is not None:
            self.action_cancel()
        entry = self.query_one("#entry", EntryLine)
        entry.value = "halt"
        entry.cursor_position = len(entry.value)
        entry.focus()
