"""The key bar: the screen's keys at the bottom, with the key to help always visible, and the
place where transient messages appear.

Textual's footer shows the keys in order and lets the last ones fall off the right edge: at
80 columns the debugger's ended in ``? he``. This footer keeps the same look and clicks, but
lays the keys out for the width it has: the help key is pinned at the right edge, the command
palette's key is shown only when there is room, and the other keys are shown in the order the
screen binds them (most useful first) as long as they fit whole — a key that does not fit is
left out (it still works, and the help lists it), never cut in half.

Messages (the app's notifications: "saved", "first divergence at step 9", a stream error) are
shown here, in place of the key hints, while they last — the key hints are what a reader
misses least — instead of as toasts over the panels or the status lines; the help key stays.
The screens clear a message when the state it describes changes.
"""

from __future__ import annotations

from collections.abc import Iterator

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import HorizontalGroup
from textual.notifications import Notification
from textual.widget import Widget
from textual.widgets import Footer, Static
from textual.widgets._footer import FooterKey, FooterLabel, KeyGroup

from tmtui.tui.safe import clip_words, shown

__all__ = ["KeyBar"]

PINNED = frozenset({"help"})  # actions whose key is always shown


class KeyBar(Footer):
    """A footer that fits (see the module doc)."""

    DEFAULT_CSS = """
    KeyBar HorizontalGroup.-pinned {
        dock: right;
        width: auto;
        height: 1;
    }
    KeyBar FooterKey.-palette {
        border-left: vkey $foreground 20%;
        margin-right: 1;
    }
    KeyBar .-message {
        width: 1fr;
        height: 1;
        padding: 0 1;
        text-wrap: nowrap;
        text-style: bold;
        color: $text-success;
    }
    KeyBar .-message.-warning { color: $text-warning; }
    KeyBar .-message.-error { color: $text-error; }
    """
    POLL = 0.2  # seconds between looks at the app's messages (they expire on their own)

    def on_mount(self) -> None:
        self._message_id: str | None = None
        self.set_interval(self.POLL, self.messages_changed)

    def message(self) -> Notification | None:
        """The newest message still showing (the app's notifications expire by time)."""
        latest = None
        for n in self.app._notifications:
            latest = n
        return latest

    def messages_changed(self) -> None:
        """Show the newest message, or the keys again once it is gone."""
        n = self.message()
        ident = None if n is None else n.identity
        if ident != getattr(self, "_message_id", None):
            self._message_id = ident
            if self.is_attached:
                self.call_after_refresh(self.recompose)

    def _items(self) -> tuple[list[tuple[object, list[tuple[Binding, bool, str]]]], list]:
        """(group or None, [(binding, enabled, tooltip)]) per shown action, in order; and
        the pinned ones."""
        by_action: dict[str, list[tuple[Binding, bool, str]]] = {}
        for _node, binding, enabled, tooltip in self.screen.active_bindings.values():
            if binding.show:
                by_action.setdefault(binding.action, []).append((binding, enabled, tooltip))
        items: list[tuple[object, list[tuple[Binding, bool, str]]]] = []
        pinned = []
        for entries in by_action.values():
            binding = entries[0][0]
            if binding.action in PINNED:
                pinned.append(entries[0])
                continue
            group = binding.group
            if group is not None and items and items[-1][0] is group:
                items[-1][1].append(entries[0])
            else:
                items.append((group, [entries[0]]))
        return items, pinned

    def _width(self, group: object, entries: list[tuple[Binding, bool, str]]) -> int:
        """Cells an item takes, with the footer's own padding and margins (a group of keys:
        the keys side by side, then its label)."""
        if group is not None and len(entries) > 1:
            keys = [cell_len(self.app.get_key_display(b)) for b, _e, _t in entries]
            # the keys one cell apart, a cell before and after them, then the label
            return sum(keys) + len(keys) + 1 + cell_len(getattr(group, "description", "")) + 1
        b = entries[0][0]
        return cell_len(self.app.get_key_display(b)) + 2 + cell_len(b.description) + 1

    def compose(self) -> ComposeResult:
        if not self._bindings_ready:
            return
        width = self.size.width or self.app.size.width
        items, pinned = self._items()
        room = width - sum(self._width(None, [p]) + 1 for p in pinned)
        note = self.message()
        if note is not None:
            items = []  # the message takes the keys' place
            yield self._message_widget(note, room)
        shown = []
        used = 0
        for group, entries in items:
            w = self._width(group, entries)
            if used + w > room:
                break
            shown.append((group, entries))
            used += w
        for group, entries in shown:
            yield from self._keys(group, entries)
        palette = None if note is not None else self._palette_key(room - used)
        with HorizontalGroup(classes="-pinned"):
            if palette is not None:
                yield palette
            for binding, enabled, tooltip in pinned:
                yield FooterKey(
                    binding.key,
                    self.app.get_key_display(binding),
                    binding.description,
                    binding.action,
                    disabled=not enabled,
                    tooltip=tooltip,
                ).data_bind(compact=Footer.compact)

    def _message_widget(self, note: Notification, room: int) -> Static:
        title = shown(note.title)
        body = shown(note.message)
        text = f"{title}: {body}" if title and body else title or body
        severity = note.severity if note.severity in ("warning", "error") else ""
        return Static(
            Text(clip_words(text, max(1, room - 3))),
            classes=f"-message {'-' + severity if severity else ''}",
            markup=False,
        )

    def _palette_key(self, room: int) -> FooterKey | None:
        """The command palette's key, when there is room for it (ctrl+p works anyway)."""
        entry = self.screen.active_bindings.get(self.app.COMMAND_PALETTE_BINDING)
        if not (self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE and entry):
            return None
        _node, binding, enabled, tooltip = entry
        if room < self._width(None, [(binding, enabled, tooltip)]) + 2:
            return None
        return FooterKey(
            binding.key,
            self.app.get_key_display(binding),
            binding.description,
            binding.action,
            classes="-palette",
            disabled=not enabled,
            tooltip=binding.tooltip or binding.description,
        ).data_bind(compact=Footer.compact)

    def _keys(self, group: object, entries: list[tuple[Binding, bool, str]]) -> Iterator[Widget]:
        if group is not None and len(entries) > 1:
            with KeyGroup():
                for binding, enabled, tooltip in entries:
                    yield FooterKey(
                        binding.key,
                        self.app.get_key_display(binding),
                        "",
                        binding.action,
                        disabled=not enabled,
                        tooltip=tooltip or binding.description,
                        classes="-grouped",
                    ).data_bind(compact=Footer.compact)
            yield FooterLabel(getattr(group, "description", ""))
            return
        binding, enabled, tooltip = entries[0]
        yield FooterKey(
            binding.key,
            self.app.get_key_display(binding),
            binding.description,
            binding.action,
            disabled=not enabled,
            tooltip=tooltip,
        ).data_bind(compact=Footer.compact)

    def on_resize(self, event: events.Resize) -> None:
        if self._bindings_ready and self.is_attached:
            self.call_after_refresh(self.recompose)
