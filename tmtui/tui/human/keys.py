"""The keys of the session screens, in one place (ids ``human.*``: the config file's
``[keymap]`` table moves them, as it moves the debugger's, see :mod:`tmtui.tui.screens.keys`).

Letters, digits and most punctuation belong to the entry line, so the session's own keys are
Enter, the arrows, Escape and a few control keys (not the entry line's: they come to the
screen in order, after the keys typed before them) that neither terminals, tmux nor browsers
keep for themselves (no ctrl+t, ctrl+w, ctrl+n, ctrl+h, ctrl+s, ctrl+o).
"""

from __future__ import annotations

from textual.binding import Binding, BindingType

__all__ = ["APP_KEYS", "DONE_KEYS", "FEEDBACK_KEYS", "INSTANCE_KEYS", "INTRO_KEYS"]

PAUSE_KEY = "ctrl+p"
HALT_KEY = "ctrl+g"


def _k(keys: str, action: str, label: str, long: str, ident: str, *, show: bool = True,
       display: str | None = None, priority: bool = False) -> Binding:  # fmt: skip
    return Binding(
        keys,
        action,
        label,
        show=show,
        key_display=display,
        tooltip=long,
        id=ident,
        priority=priority,
    )


APP_KEYS: list[BindingType] = [
    _k(PAUSE_KEY, "pause", "pause", "Pause: the clock stops and the instance is hidden",
       "human.pause", display="^p", priority=True),
    _k("ctrl+q", "leave", "leave", "Leave: everything submitted is stored; the same command "
       "resumes", "human.leave", display="^q", priority=True),
]  # fmt: skip

INTRO_KEYS: list[BindingType] = [
    _k("enter", "begin", "begin", "Begin (or go on with) the session", "human.begin"),
]

# Priority bindings: each is handled as it arrives, before any key typed after it reaches the
# entry line; the instance screen then acts once the entry has taken the keys typed before it
# (InstanceScreen._in_order). A burst (a fast typist, a paste, a browser's websocket) of
# "step 1 ⏎ step 2 ⏎" is two steps, each whole.
INSTANCE_KEYS: list[BindingType] = [
    _k("enter", "submit", "submit", "Submit the entry as the next step", "human.submit",
       display="⏎", priority=True),
    _k("up", "correct", "correct last step", "Correct the last submitted step",
       "human.correct", display="↑", priority=True),
    _k("escape", "cancel", "cancel the correction", "Cancel the correction", "human.cancel",
       display="esc", priority=True),
    _k(HALT_KEY, "halt", "halt", "Halt: declare the last submitted queue final (Enter "
       "confirms)", "human.halt", display="^g", priority=True),
]  # fmt: skip

FEEDBACK_KEYS: list[BindingType] = [
    _k("enter", "go_on", "go on", "Go on to the next instance", "human.go-on", display="⏎"),
    _k("down,j", "step(1)", "step down", "Select the next step", "human.step-down",
       display="↓"),
    _k("up,k", "step(-1)", "step up", "Select the previous step", "human.step-up", display="↑"),
    _k("d", "first_divergence", "divergence", "Go to the first divergence",
       "human.first-divergence"),
    _k("n", "next_wrong", "next wrong", "Next wrong step", "human.next-wrong"),
    _k("p", "prev_wrong", "prev wrong", "Previous wrong step", "human.prev-wrong", show=False),
    _k("g,home", "top", "top", "First step", "human.top", show=False),
    _k("G,end", "end", "end", "Last step", "human.end", show=False),
    _k("1", "panel('align')", "alignment", "Alignment panel", "human.panel-alignment",
       show=False),
    _k("2", "panel('output')", "answer", "Your answer panel", "human.panel-output", show=False),
    _k("3", "panel('truth')", "truth", "The true run panel", "human.panel-truth", show=False),
    _k("4", "panel('detail')", "step", "Step detail panel", "human.panel-step", show=False),
]  # fmt: skip

DONE_KEYS: list[BindingType] = [
    _k("enter", "leave", "close", "Close the session screen", "human.close", display="⏎"),
]
