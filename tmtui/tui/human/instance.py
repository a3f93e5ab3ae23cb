"""One instance being solved: what a model is given, the participant's own queues so far, and
one focused entry line.

Top to bottom: where the participant is (instance i of n, step t, the clock), the problem (m,
the alphabet and its key map, the rules, the initial queue), their submitted queues (the last
one just above the entry), what to type, the entry line, and one line under it that says what
the entry reads as — or why it cannot be submitted. Pausing, or the window losing focus,
covers the instance (the clock is stopped: nobody works on it unseen).
"""

from __future__ import annotations

from collections.abc import Callable
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
from tmtui.tui.human.entry import EntryLine, Fitted, Message
from tmtui.tui.human.keys import INSTANCE_KEYS
from tmtui.tui.human.parts import (
    entry_label,
    idle_hint,
    problem_text,
    spaced_shown,
    steps_text,
    typable,
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
        self._set: str | None = None  # a value the screen put in the entry (no preview due)
        self._keys_state: tuple | None = None
        self._label_shown: tuple | None = None

    @property
    def human(self) -> Driver:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Message(id="where")
        yield Fitted(id="problem", classes="panel")
        with VerticalScroll(id="steps-box", classes="panel"):
            yield Fitted(id="steps")
        with Vertical(id="entry-box"):
            yield Fitted(id="entry-label")
            yield EntryLine(self._key_typed, id="entry", placeholder="the queue's symbols")
            yield Message(id="entry-message")
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
            self.query_one("#problem", Fitted).set(lambda w: problem_text(iv, w))
        self.query_one("#steps", Fitted).set(lambda w: steps_text(iv, w))
        self.query_one("#steps-box", VerticalScroll).scroll_end(animate=False)
        self._label()
        self.query_one("#where", Message).say(where_text(view, correcting=self.correcting))
        self._held(view)
        if update is not None and update.error is not None:
            self._say(Text(f"not submitted: {shown(update.error)}", style="bold red"))
        elif fresh and iv.entry is not None:
            self._set_entry(typable(iv.entry.prefill, iv.key_map))
        if not entry.disabled:
            self._take_typed_ahead(entry)
            entry.focus()

    def _take_typed_ahead(self, entry: EntryLine) -> None:
        """What was typed on the screen before this one after it was left (Enter, then the
        first symbols at once): into the entry, each key reported as if typed on it."""
        ahead = self.human.typed_ahead
        if not ahead:
            return
        text = "".join(ahead)
        ahead.clear()
        for ch in text:
            self._key_typed(ch)
        self._set_entry(entry.value + text)

    def show_clock(self, view: View) -> None:
        """Only the clock moved (the timer)."""
        self.view = view
        try:
            where = self.query_one("#where", Message)
        except NoMatches:  # the timer ticked before the screen was composed (a loaded machine)
            return
        where.say(where_text(view, correcting=self.correcting))

    def _label(self) -> None:
        iv = self.view.instance
        if iv is None or iv.entry is None:
            return
        entry, correcting = iv.entry, self.correcting
        if (entry, correcting) != self._label_shown:  # (a new label may change the layout)
            self._label_shown = (entry, correcting)
            self.query_one("#entry-label", Fitted).set(
                lambda w: entry_label(iv, entry, correcting, w)
            )

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
        self.query_one("#entry-message", Message).say(text)

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
        if self._set is not None and event.value == self._set:
            self._set = None  # the screen's own change: it has said what it had to
            return
        self._set = None
        self._preview(event.value)

    def _keys_changed(self) -> None:
        """The key bar again, only when which keys apply has changed (it is rebuilt)."""
        iv = self.view.instance
        state = (self.correcting, iv is not None and iv.correctable is not None)
        if state != self._keys_state:
            self._keys_state = state
            self.refresh_bindings()

    def _set_entry(self, value: str, *, preview: bool = True) -> None:
        """Put ``value`` in the entry, the cursor at its end (and say what it reads as)."""
        entry = self.query_one("#entry", EntryLine)
        if entry.value != value:
            self._set = value
        entry.value = value
        entry.cursor_position = len(value)
        if preview:
            self._preview(value)

    def _in_order(self, act: Callable[[], None]) -> None:
        """Run ``act`` once the entry line has taken the keys typed before the key that asked
        for it. The screen's keys are priority bindings, handled as they arrive: the keys
        typed before may still wait in the entry's queue, and those typed after are not yet
        in it (a fast typist, a paste, a browser's burst)."""
        self.query_one("#entry", EntryLine).call_later(act)

    def action_submit(self) -> None:
        self._in_order(self._submit)

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
                self._set_entry(self._draft, preview=False)
                self._after(update)
            return
        update = self.human.submit(text)
        if update is not None and update.ok:
            iv = update.view.instance
            if iv is not None and iv.entry is not None and update.view.phase == "instance":
                self._set_entry(typable(iv.entry.prefill, iv.key_map), preview=False)
            self._after(update)

    def _after(self, update: Update) -> None:
        self._label()
        self._keys_changed()
        self.query_one("#where", Message).say(where_text(update.view))
        self._preview(self.query_one("#entry", EntryLine).value)
        for ev in update.events:
            if ev.feedback is not None:
                mark = "✓ right" if ev.feedback.correct else f"✗ {shown(ev.feedback.message)}"
                style = "bold green" if ev.feedback.correct else "bold red"
                self._say(Text(f"step {ev.step}: {mark}", style=style))

    def action_correct(self) -> None:
        self._in_order(self._correct)

    def _correct(self) -> None:
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
        self._label()
        self._keys_changed()
        self.query_one("#where", Message).say(where_text(self.view, correcting=last.step))
        append = self.human.session.settings.assist is Assist.APPEND
        self._set_entry(typable(last.typed if append else spaced(last.queue), iv.key_map))

    def action_cancel(self) -> None:
        self._in_order(self._cancel)

    def _cancel(self) -> None:
        if self.correcting is None:
            return
        self.correcting = None
        self._label()
        self._keys_changed()
        self.query_one("#where", Message).say(where_text(self.view))
        self._set_entry(self._draft)

    def action_halt(self) -> None:
        self._in_order(self._halt)

    def _halt(self) -> None:
        """The halt key: the entry says ``halt``, and Enter confirms it."""
        if self.view.paused:
            return
        if self.correcting is not None:
            self._cancel()
        self._set_entry("halt")
        self.query_one("#entry", EntryLine).focus()
