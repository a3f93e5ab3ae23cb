"""Theme-aware styles for widgets that render their own lines (light and dark alike).

Widgets mix in :class:`Painter` and get ``paint(name)``: the partial Rich style of the
``paint--<name>`` component class, resolved from the current theme's variables and cached
until the theme changes.
"""

from __future__ import annotations

from rich.style import Style

from tmtui.core.align import Verdict

__all__ = ["PAINT_CLASSES", "PAINT_CSS", "VERDICT_PAINT", "Painter", "set_virtual_size"]

# the paint of each verdict (its mark and its queue)
VERDICT_PAINT = {
    Verdict.CORRECT: "correct",
    Verdict.WRONG: "wrong",
    Verdict.MISSING: "missing",
    Verdict.UNPARSABLE: "unparsable",
    Verdict.PENDING: "pending",
    Verdict.EXTRA: "extra",
}

PAINT_CLASSES = {
    "paint--header",
    "paint--cursor",
    "paint--cursor-blur",
    "paint--correct",
    "paint--wrong",
    "paint--missing",
    "paint--pending",
    "paint--unparsable",
    "paint--extra",
    "paint--dim",
    "paint--diff",
    "paint--diff-first",
    "paint--accent",
    "paint--head",
    "paint--selected",
    "paint--divergence",
    "paint--bold",
    "paint--busy",
}

PAINT_CSS = """
    & > .paint--header { color: $text-muted; text-style: bold; }
    & > .paint--cursor { background: $accent 35%; text-style: bold; }
    & > .paint--cursor-blur { background: $foreground 12%; }
    & > .paint--correct { color: $text-success; }
    & > .paint--wrong { color: $text-error; }
    & > .paint--missing { color: $text-warning; }
    & > .paint--pending { color: $text-muted; }
    & > .paint--unparsable { color: $text-warning; }
    & > .paint--extra { color: $text-accent; }
    & > .paint--dim { color: $text-muted; }
    & > .paint--diff { color: $text-error; text-style: bold underline; }
    & > .paint--diff-first { color: $foreground; background: $error 70%; text-style: bold; }
    & > .paint--accent { color: $text-accent; }
    & > .paint--head { color: $text-primary; text-style: bold underline; }
    & > .paint--selected { background: $accent 22%; }
    & > .paint--divergence { background: $error 25%; }
    & > .paint--bold { text-style: bold; }
    & > .paint--busy { color: $text-warning; text-style: bold; }
"""


_BACKGROUNDS = frozenset({"cursor", "selected", "divergence", "diff-first", "cursor-blur"})


class Painter:
    """Mix in before the Widget class; ``paint_changed`` runs when the theme changes."""

    _paint_cache: dict[str, Style]

    def paint(self, name: str) -> Style:
        try:
            cache = self._paint_cache
        except AttributeError:
            cache = self._paint_cache = {}
        style = cache.get(name)
        if style is None:
            component = f"paint--{name}"
            partial = self.get_component_rich_style(component, partial=True)  # type: ignore[attr-defined]
            # translucent colours ($text-muted, $error 25%) only mean something blended over
            # the widget's background: take the colours from the full (blended) style
            full = self.get_component_rich_style(component)  # type: ignore[attr-defined]
            style = Style.combine(
                [
                    partial,
                    Style(
                        color=full.color if partial.color is not None else None,
                        bgcolor=full.bgcolor if name in _BACKGROUNDS else None,
                    ),
                ]
            )
            cache[name] = style
        return style

    def notify_style_update(self) -> None:
        super().notify_style_update()  # type: ignore[misc]
        self._paint_cache = {}
        self.paint_changed()

    def paint_changed(self) -> None:
        """The theme changed: forget cached renderings."""


def set_virtual_size(widget, size) -> None:
    """Set a scrolling widget's virtual size without a screen layout when only its content grew.

    Assigning ``virtual_size`` makes Textual lay out the whole screen (and so re-render every
    widget); a growing transcript would do that at every refresh. When the width is unchanged
    and the vertical scrollbar neither appears nor disappears, do what Textual itself does for
    a size update without layout (textual 8.2.8, pinned): set the value and update the
    scrollbars.
    """
    from textual.widget import Widget

    old = widget.virtual_size
    if old == size:
        return
    height = widget.container_size.height
    same_bar = widget.styles.overflow_y == "scroll" or (old.height > height) == (
        size.height > height
    )
    update = getattr(widget, "_scroll_update", None)
    if widget.is_mounted and old.width == size.width and same_bar and update is not None:
        widget.set_reactive(Widget.virtual_size, size)
        update(size)
        widget.refresh()
    else:
        widget.virtual_size = size
