"""Shared by the human tests: a hand-driven clock, a database per test, sessions typed by
script."""

from __future__ import annotations

from pathlib import Path

from tmtui.core.datasets import Instance, generate_preset
from tmtui.human import Feedback, Session, SessionRequest, open_session
from tmtui.io.humandb import HumanDb

TMBENCH = generate_preset("tmbench")


class FakeClock:
    """Monotonic seconds, moved by hand."""

    def __init__(self, start: float = 1000.0) -> None:
        self.t = start

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds


def db_at(tmp_path: Path, name: str = "study.sqlite") -> HumanDb:
    return HumanDb(tmp_path / name)


def session(
    db: HumanDb,
    clock: FakeClock,
    participant: str = "P01",
    *,
    new_session: bool = False,
    **request,
) -> Session:
    """A started session (past the first screen)."""
    s = open_session(
        db, participant, SessionRequest(**request), clock=clock, new_session=new_session
    )
    s.start()
    return s


def truth(s: Session) -> list[str]:
    """The true states of the instance in progress."""
    assert s.attempt is not None
    return s.attempt.instance.run.states()


def current(s: Session) -> Instance:
    assert s.attempt is not None
    return s.attempt.instance


def type_queue(s: Session, clock: FakeClock, text: str, *, think: float = 2.0, typing: float = 3.0):
    """A participant thinks, types (one key per character) and submits."""
    clock.advance(think)
    for ch in text:
        s.type_key(ch)
        clock.advance(typing / max(1, len(text)))
    return s.submit(text)


__all__ = [
    "TMBENCH",
    "FakeClock",
    "Feedback",
    "current",
    "db_at",
    "session",
    "truth",
    "type_queue",
]
