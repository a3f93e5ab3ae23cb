"""Every key of every screen, in one place: (keys, action, footer label, full description, id).

Each binding has an id (``debugger.first-divergence``) so a ``[keymap]`` table in the config
file can move it; the full description names it in the command palette and the help screen.
Keys that terminals or tmux swallow (ctrl+h, ctrl+s, ctrl+o, ...) are not used.
"""

from __future__ import annotations

from textual.binding import Binding, BindingType

__all__ = ["COMPARE_KEYS", "DEBUGGER_KEYS", "LIST_KEYS", "REPORT_KEYS"]

_STEP = Binding.Group("step")
_WRONG = Binding.Group("next/prev ✗")
_ROW = Binding.Group("row")


def _k(
    keys: str,
    action: str,
    label: str,
    long: str,
    ident: str,
    *,
    show: bool = True,
    display: str | None = None,
    group: Binding.Group | None = None,
) -> Binding:
    return Binding(
        keys, action, label, show=show, key_display=display, tooltip=long, id=ident, group=group
    )


DEBUGGER_KEYS: list[BindingType] = [
    _k("down,j", "step(1)", "step down", "Select the next step", "debugger.step-down",
       display="↓ j", group=_STEP),
    _k("up,k", "step(-1)", "step up", "Select the previous step", "debugger.step-up",
       display="↑ k", group=_STEP),
    _k("pagedown", "step(10)", "page down", "Ten steps down", "debugger.page-down", show=False),
    _k("pageup", "step(-10)", "page up", "Ten steps up", "debugger.page-up", show=False),
    _k("d", "first_divergence", "divergence", "Go to the first divergence",
       "debugger.first-divergence"),
    _k("n", "next_wrong", "next wrong", "Next wrong step", "debugger.next-wrong", group=_WRONG),
    _k("p", "prev_wrong", "previous wrong", "Previous wrong step", "debugger.prev-wrong",
       group=_WRONG),
    _k("g,home", "top", "top", "First step", "debugger.top", show=False),
    _k("G,end", "end", "end", "Last step", "debugger.end", show=False),
    _k("f", "follow", "follow", "Follow the live stream (toggle)", "debugger.follow"),
    _k("space", "pause", "pause",
       "Pause the display while the stream keeps arriving (toggle)", "debugger.pause"),
    _k("r", "restart", "restart", "Restart the stream (saved samples: replay it live)",
       "debugger.restart", show=False),
    _k("s", "save", "save", "Save the record (append it to the output file)", "debugger.save"),
    _k("m", "toggle_mode", "parser", "Toggle the strict parser and the official regex (compat)",
       "debugger.toggle-mode", show=False),
    _k("i", "inspector", "inspect", "Parse inspector: where the official regex and the strict "
       "parser disagree", "debugger.inspector", show=False),
    _k("z", "toggle_reasoning", "reasoning", "Show or hide the reasoning panel",
       "debugger.reasoning", show=False),
    _k("y", "copy_transcript", "copy text", "Copy the transcript as text",
       "debugger.copy-text", show=False),
    _k("Y", "copy_record", "copy record", "Copy the record as one JSON line",
       "debugger.copy-record", show=False),
    _k("w", "write_transcript", "write text", "Write the transcript to a .txt file",
       "debugger.write-text", show=False),
    _k("left_square_bracket", "scrub(-0.02)", "earlier", "Timeline: a little earlier",
       "debugger.timeline-back", show=False),
    _k("right_square_bracket", "scrub(0.02)", "later", "Timeline: a little later",
       "debugger.timeline-forward", show=False),
    _k("left_curly_bracket", "scrub(-0.1)", "much earlier", "Timeline: much earlier",
       "debugger.timeline-back-more", show=False),
    _k("right_curly_bracket", "scrub(0.1)", "much later", "Timeline: much later",
       "debugger.timeline-forward-more", show=False),
    _k("1", "panel('align')", "alignment", "Alignment panel", "debugger.panel-alignment",
       show=False),
    _k("2", "panel('output')", "output", "Model output panel", "debugger.panel-output",
       show=False),
    _k("3", "panel('truth')", "truth", "Ground truth panel", "debugger.panel-truth", show=False),
    _k("4", "panel('detail')", "step", "Step detail panel", "debugger.panel-step", show=False),
    _k("escape", "back", "back", "Back to the sample list", "debugger.back"),
    _k("question_mark", "help", "help", "Help: every key", "debugger.help", display="?"),
    _k("q", "quit", "quit", "Quit", "debugger.quit"),
]  # fmt: skip

LIST_KEYS: list[BindingType] = [
    _k("enter", "open", "open", "Open the sample in the debugger", "list.open"),
    _k("slash", "search", "search", "Search the transcripts (text, or re:REGEX)", "list.search",
       display="/"),
    _k("x", "failures", "failures only", "Show failures only (toggle)", "list.failures"),
    _k("o", "sort", "sort", "Sort by the next column", "list.sort"),
    _k("O", "reverse", "reverse", "Reverse the order", "list.reverse", show=False),
    _k("r", "report", "report", "Report: the file's systems side by side, with curves",
       "list.report"),
    _k("escape", "clear", "clear filters", "Clear the search and the filters", "list.clear",
       show=False),
    _k("question_mark", "help", "help", "Help: every key", "list.help", display="?"),
    _k("q", "quit", "quit", "Quit", "list.quit"),
]  # fmt: skip

COMPARE_KEYS: list[BindingType] = [
    _k("down,j", "step(1)", "step down", "Select the next step", "compare.step-down",
       display="↓ j", group=_STEP),
    _k("up,k", "step(-1)", "step up", "Select the previous step", "compare.step-up",
       display="↑ k", group=_STEP),
    _k("pagedown", "step(10)", "page down", "Ten steps down", "compare.page-down", show=False),
    _k("pageup", "step(-10)", "page up", "Ten steps up", "compare.page-up", show=False),
    _k("d", "first_divergence", "divergence",
       "Go to a first divergence (again: the other answer's)", "compare.first-divergence"),
    _k("n", "next_diff(1)", "next wrong", "Next step either answer has wrong",
       "compare.next-wrong", group=_WRONG),
    _k("p", "next_diff(-1)", "previous wrong", "Previous step either answer has wrong",
       "compare.prev-wrong", group=_WRONG),
    _k("a", "open('a')", "debug A", "Open answer A in the debugger", "compare.open-a"),
    _k("b", "open('b')", "debug B", "Open answer B in the debugger", "compare.open-b"),
    _k("escape", "back", "back", "Back to the list", "compare.back"),
    _k("question_mark", "help", "help", "Help: every key", "compare.help", display="?"),
    _k("q", "quit", "quit", "Quit", "compare.quit"),
]  # fmt: skip

REPORT_KEYS: list[BindingType] = [
    _k("down,j", "row(1)", "row down", "Select the next row", "report.row-down",
       display="↓ j", group=_ROW),
    _k("up,k", "row(-1)", "row up", "Select the previous row", "report.row-up",
       display="↑ k", group=_ROW),
    _k("enter", "open", "samples", "Open the row's samples in the sample list, worst first",
       "report.open"),
    _k("c", "curve(1)", "next curve", "Plot the next curve (accuracy by step, survival, "
       "hazard, accuracy by queue length, first failing step)", "report.next-curve"),
    _k("C", "curve(-1)", "previous curve", "Plot the previous curve", "report.prev-curve",
       show=False),
    _k("1", "show_curve(0)", "accuracy", "Plot accuracy by step", "report.curve-accuracy",
       show=False),
    _k("2", "show_curve(1)", "survival", "Plot survival", "report.curve-survival", show=False),
    _k("3", "show_curve(2)", "hazard", "Plot the hazard", "report.curve-hazard", show=False),
    _k("4", "show_curve(3)", "queue length", "Plot accuracy by queue length",
       "report.curve-queue-length", show=False),
    _k("5", "show_curve(4)", "first failing step", "Plot the first failing step",
       "report.curve-first-failure", show=False),
    _k("i", "details", "details / plot", "Show the row's details, the n behind the plot's "
       "points and every paired comparison in place of the plot (toggle)", "report.details"),
    _k("escape", "back", "back", "Back to the sample list", "report.back"),
    _k("question_mark", "help", "help", "Help: every key", "report.help", display="?"),
    _k("q", "quit", "quit", "Quit", "report.quit"),
]  # fmt: skip
