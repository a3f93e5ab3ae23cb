"""Help: every key of the screen it was opened from (made from its bindings, so it is always
complete), the binding ids for keymaps, and what the marks mean."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

__all__ = ["HelpScreen", "binding_rows"]

MARKS = (
    ("✓", "correct: the queue equals the true state"),
    ("✗", "wrong: a queue was written and differs (first differing symbol reversed)"),
    ("·", "missing: no step read ('not read (regex)': written, only the regex misses it)"),
    ("?", "unparsable: the step was written but no queue could be read"),
    ("…", "pending: not written yet (live)"),
    ("+", "extra: a step written past the last true state"),
)

_NAMES = {
    "question_mark": "?",
    "left_square_bracket": "[",
    "right_square_bracket": "]",
    "left_curly_bracket": "{",
    "right_curly_bracket": "}",
    "space": "space",
    "escape": "esc",
    "pagedown": "pgdn",
    "pageup": "pgup",
    "slash": "/",
    "enter": "enter",
}


def _key(binding: Binding) -> str:
    keys = [k.strip() for k in binding.key.split(",")]
    return " ".join(_NAMES.get(k, k) for k in keys)


def unavailable(screen: Screen, binding: Binding) -> str | None:
    """Why ``binding`` does nothing on ``screen`` now (None: it applies): the screen's own
    ``key_unavailable`` when it has one, else its ``check_action``."""
    name = binding.action.split("(", 1)[0]
    why = getattr(screen, "key_unavailable", None)
    if why is not None:
        return why(name)
    return None if screen.check_action(name, ()) else "not on this screen"


def binding_rows(screen: Screen, *, applicable: bool | None = None) -> list[tuple[str, str, str]]:
    """(keys, description, id) for every binding of ``screen`` (as the keymap left them).
    ``applicable`` True: only the keys that do something here and now; False: only the
    others (their description ends with when they apply)."""
    rows = []
    seen = set()
    for b in screen.BINDINGS:
        if not isinstance(b, Binding):
            continue
        key = b.id or b.action
        if key in seen:
            continue
        seen.add(key)
        desc = b.tooltip or b.description or b.action
        if applicable is not None:
            why = unavailable(screen, b)
            if applicable != (why is None):
                continue
            if why is not None:
                desc = f"{desc} — {why}"
        rows.append((_key(b), desc, b.id or ""))
    # the keymap may have changed keys: show what is active
    active = {}
    for key, ab in screen.active_bindings.items():
        if ab.binding.id:
            active.setdefault(ab.binding.id, []).append(_NAMES.get(key, key))
    out = []
    for keys, desc, bid in rows:
        if bid in active:
            keys = " ".join(dict.fromkeys(active[bid]))
        out.append((keys, desc, bid))
    return out


class HelpScreen(ModalScreen[None]):
    """The keys of one screen."""

    DEFAULT_CSS = """
    HelpScreen {
        align: center middle;
    }
    HelpScreen > VerticalScroll {
        width: 90;
        max-width: 100%;
        height: 90%;
        border: round $accent;
        background: $surface;
        padding: 0 1;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "close", "close", id="help.close"),
    ]

    def __init__(self, owner: Screen) -> None:
        super().__init__()
        self.owner = owner

    def compose(self) -> ComposeResult:
        with VerticalScroll() as box:
            box.border_title = "Keys (ctrl+p: every command)"
            yield Static(self._table(), markup=False)
            others = binding_rows(self.owner, applicable=False)
            if others:
                yield Static(Text("\nnot here (they apply elsewhere)", style="bold"), markup=False)
                yield Static(self._table(others, dim=True), markup=False)
            yield Static(self._legend(), markup=False)

    def _table(self, rows: list[tuple[str, str, str]] | None = None, *, dim: bool = False) -> Table:
        t = Table(
            box=None, expand=True, show_header=rows is None, header_style="bold", pad_edge=False
        )
        style = "dim" if dim else ""
        t.add_column("key", no_wrap=True, style=style, width=12)
        t.add_column("does", style=style, ratio=1)
        t.add_column("binding id (for keymaps)", style="dim", no_wrap=True, width=30)
        last = rows is None
        if rows is None:
            rows = binding_rows(self.owner, applicable=True)
        for keys, desc, bid in rows:
            t.add_row(keys, desc, bid)
        if last:
            t.add_row("ctrl+p", "command palette: every command by name", "")
        return t

    def _legend(self) -> Text:
        t = Text("\nmarks\n", style="bold")
        for mark, meaning in MARKS:
            t.append(f" {mark}  ", style="bold")
            t.append(meaning + "\n")
        t.append(
            "\nmouse: click a row to select its step, click the model's text to select the step "
            "written there, click a tab (narrow screens) or the timeline to jump.",
            style="dim",
        )
        return t

    def action_close(self) -> None:
        self.dismiss(None)
