"""What a session shows: its :class:`~tmtui.human.views.View`, the words on it and the entry's
preview, computed from the state of a :class:`~tmtui.human.session.Session` (which calls
these; they change nothing). What they read of it is :class:`SessionState`, so this module
does not import the session it serves."""

from __future__ import annotations

from typing import Protocol

from tmtui.core.datasets import Instance
from tmtui.human.attempt import Attempt
from tmtui.human.clock import Stopwatch
from tmtui.human.entry import EntryError, key_map_for, read_entry, spaced
from tmtui.human.intro import intro_text
from tmtui.human.settings import Assist, SessionSettings
from tmtui.human.views import (
    AttemptResult,
    EntryView,
    InstanceView,
    Phase,
    Resumed,
    StepView,
    View,
)

__all__ = ["SessionState", "intro", "preview", "resumed_notice", "view"]


class SessionState(Protocol):
    """What of a session the functions here read (a :class:`~tmtui.human.session.Session`)."""

    uid: str
    participant: str
    settings: SessionSettings
    items: list[dict]
    instances: list[Instance]
    position: int
    phase: Phase
    paused: bool
    focused: bool
    session_clock: Stopwatch
    attempt: Attempt | None
    result: AttemptResult | None
    resumed: Resumed | None


def view(s: SessionState) -> View:
    return View(
        phase=s.phase,
        participant=s.participant,
        session=s.uid,
        instance=_instance_view(s),
        result=s.result if s.phase is Phase.FEEDBACK else None,
        resumed=s.resumed,
        paused=s.paused,
        focused=s.focused,
        done=min(s.position, len(s.items)),
        total=len(s.items),
        session_active_s=s.session_clock.ms() / 1000.0,
        next=_next_words(s),
    )


def intro(s: SessionState) -> str:
    """The first screen's text (see :meth:`Session.intro`)."""
    practice = sum(1 for it in s.items if it["practice"])
    first = s.instances[0] if s.instances else None
    return intro_text(
        max_step=first.max_step if first is not None else 30,
        practice=practice,
        scored=len(s.items) - practice,
        feedback=s.settings.feedback,
        assist=s.settings.assist,
        time_limit=s.settings.time_limit,
        key_map=key_map_for(first.alphabet) if first is not None else None,
    )


def preview(s: SessionState, text: str) -> tuple[str | None, str | None]:
    """What the entry would submit now (see :meth:`Session.preview`)."""
    a = s.attempt
    if s.phase is not Phase.INSTANCE or a is None or a.ended:
        return None, "no instance is in progress"
    entry = read_entry(text, a.instance.alphabet, a.key_map)
    if isinstance(entry, EntryError):
        return None, entry.message
    if entry.halt:
        return None, None
    return a.compose(a.next_step, entry, s.settings.assist)[0], None


def _numbering(items: list[dict], position: int) -> tuple[int, int]:
    practice = bool(items[position]["practice"])
    same = [i for i, it in enumerate(items) if bool(it["practice"]) == practice]
    return same.index(position) + 1, len(same)


def _instance_view(s: SessionState) -> InstanceView | None:
    a = s.attempt
    if a is None or s.phase not in (Phase.INSTANCE, Phase.FEEDBACK):
        return None
    inst = a.instance
    number, count = _numbering(s.items, a.position)
    limit = s.settings.time_limit
    remaining = None if limit is None else max(0.0, limit - a.active.ms() / 1000.0)
    return InstanceView(
        practice=a.practice,
        number=number,
        count=count,
        dataset=inst.dataset,
        index=inst.index,
        m=inst.m,
        alphabet=tuple(inst.alphabet),
        productions=tuple((x, inst.rules[x]) for x in inst.alphabet if x in inst.rules),
        init=inst.init,
        max_step=inst.max_step,
        steps=tuple(
            StepView(st.step, st.queue, st.typed, st.assist, st.corrections, st.feedback)
            for st in a.steps
        ),
        entry=None if a.ended else _entry_view(a, s.settings.assist),
        correctable=a.steps[-1].step if a.steps and not a.ended else None,
        key_map=a.key_map,
        feedback=a.feedback(s.settings.feedback),
        remaining_s=remaining,
        active_s=a.active.ms() / 1000.0,
    )


def _entry_view(a: Attempt, assist: Assist) -> EntryView:
    k = a.next_step
    kept = a.last_queue[a.instance.m :]
    if assist is Assist.APPEND:
        return EntryView(
            k,
            "production",
            f"the symbols appended at step {k} (the {len(kept)} kept before them are written for you)",
            "",
            kept,
        )
    prefill = spaced(kept) + " " if assist is Assist.PREFILL and kept else ""
    return EntryView(k, "queue", f"the queue after step {k}", prefill, "")


def _item_words(items: list[dict], position: int) -> str:
    number, count = _numbering(items, position)
    kind = "practice" if items[position]["practice"] else "instance"
    return f"{kind} {number} of {count}"


def _next_words(s: SessionState) -> str:
    if s.phase is Phase.INTRO:
        if s.position >= len(s.items):
            return "the end of the session"
        step = f", step {s.attempt.next_step}" if s.attempt is not None else ""
        return _item_words(s.items, s.position) + step
    if s.phase is Phase.INSTANCE and s.attempt is not None:
        return f"step {s.attempt.next_step} of {s.attempt.instance.max_step}"
    if s.phase is Phase.FEEDBACK:
        if s.position >= len(s.items):
            return "the end of the session"
        return _item_words(s.items, s.position)
    return "nothing: the session is over"


def resumed_notice(s: SessionState, active_ms: float) -> Resumed:
    a = s.attempt
    where = "the end of the session"
    if s.position < len(s.items):
        where = _item_words(s.items, s.position)
        if a is not None:
            where += f", step {a.next_step}"
    minutes, seconds = divmod(int(active_ms // 1000), 60)
    return Resumed(
        position=s.position,
        step=a.next_step if a is not None else None,
        active_s=active_ms / 1000.0,
        message=(
            f"Welcome back: your session goes on with {where} "
            f"({minutes} min {seconds:02d} s of work so far)."
        ),
    )
