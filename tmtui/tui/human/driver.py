"""What the session screens ask of the app that drives the session (the app implements it; the
screens never import the app)."""

from __future__ import annotations

from typing import Protocol

from tmtui.human.session import Session
from tmtui.human.views import Update

__all__ = ["Driver"]


class Driver(Protocol):
    session: Session
    # characters typed after Enter on a screen being left for an instance, before the
    # instance screen was drawn: its entry line takes them (a fast typist's first symbols)
    typed_ahead: list[str]

    def begin(self) -> None: ...

    def submit(self, text: str) -> Update | None: ...

    def correct(self, text: str) -> Update | None: ...

    def go_on(self) -> None: ...

    def toggle_pause(self) -> None: ...

    def key_typed(self, key: str) -> None: ...
