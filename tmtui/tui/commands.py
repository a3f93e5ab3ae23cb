"""The command palette (ctrl+p): every key of the current screen, by name.

Made from the screen's bindings, so a key and its command can never drift apart; a command
shows its key and its binding id (the name to use in a keymap).
"""

from __future__ import annotations

from functools import partial

from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.screen import Screen

__all__ = ["BindingCommands", "screen_commands"]


def screen_commands(screen: Screen) -> list[tuple[str, str, Binding]]:
    """(name, help, binding) for the bindings of ``screen`` that apply now."""
    out = []
    seen: set[str] = set()
    for key, ab in screen.active_bindings.items():
        b = ab.binding
        if ab.node is not screen or not ab.enabled:
            continue
        ident = b.id or b.action
        if ident in seen:
            continue
        seen.add(ident)
        name = (b.tooltip or b.description or b.action).strip()
        name = name[:1].upper() + name[1:]
        keys = b.key_display or key
        out.append((name, f"key {keys}" + (f" · id {b.id}" if b.id else ""), b))
    return sorted(out, key=lambda c: c[0].lower())


class BindingCommands(Provider):
    """The current screen's key bindings as commands."""

    async def _run(self, screen: Screen, binding: Binding) -> None:
        await screen.run_action(binding.action)

    async def discover(self) -> Hits:
        screen = self.screen
        for name, help_text, binding in screen_commands(screen):
            yield DiscoveryHit(name, partial(self._run, screen, binding), help=help_text)

    async def search(self, query: str) -> Hits:
        screen = self.screen
        matcher = self.matcher(query)
        for name, help_text, binding in screen_commands(screen):
            score = matcher.match(name)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(name),
                    partial(self._run, screen, binding),
                    help=help_text,
                )
