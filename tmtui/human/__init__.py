"""Human baselines: timed, blind, crash-safe sessions on TMBench instances, recorded and scored
exactly like model runs. Headless: the session screens (terminal or browser) render what this
package computes.

* :func:`open_session` (``opening``) creates or resumes a participant's :class:`Session`
  (``session``), driven by plain calls, with views and events in ``views`` (computed by
  ``showing``);
* ``entry`` reads what is typed (symbols, key maps, ``halt``); ``clock`` keeps active time;
* ``plan`` makes counterbalanced study plans; ``practice`` draws practice instances that do not
  overlap the study; ``export`` writes the attempts as tmtui records; ``intro`` is the first
  screen's text.

The database is :mod:`tmtui.io.humandb` (with ``humanrows``, ``humanstudy`` and
``humanrecords``), in the io layer so that ``tmtui score study.sqlite`` reads attempts without
this package.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tmtui.human.entry import Entry, EntryError, KeyMap, key_map_for, read_entry
    from tmtui.human.opening import (
        NothingToDo,
        SessionError,
        SessionRequest,
        check_participant,
        open_session,
        parse_samples,
    )
    from tmtui.human.session import Session
    from tmtui.human.settings import Assist, Feedback, SessionSettings
    from tmtui.human.views import (
        AttemptResult,
        EntryView,
        Event,
        EventKind,
        InstanceView,
        Phase,
        Resumed,
        StepFeedback,
        StepView,
        Update,
        View,
    )

# where each name lives: imported when first used, so that the command line can take the
# settings' enums without the session and the scorer behind it
_WHERE = {
    **dict.fromkeys(["Entry", "EntryError", "KeyMap", "key_map_for", "read_entry"], "entry"),
    **dict.fromkeys(
        [
            "NothingToDo",
            "SessionError",
            "SessionRequest",
            "check_participant",
            "open_session",
            "parse_samples",
        ],
        "opening",
    ),
    "Session": "session",
    **dict.fromkeys(["Assist", "Feedback", "SessionSettings"], "settings"),
    **dict.fromkeys(
        [
            "AttemptResult",
            "EntryView",
            "Event",
            "EventKind",
            "InstanceView",
            "Phase",
            "Resumed",
            "StepFeedback",
            "StepView",
            "Update",
            "View",
        ],
        "views",
    ),
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'tmtui.human' has no attribute {name!r}")
    return getattr(importlib.import_module(f"tmtui.human.{module}"), name)


__all__ = [
    "Assist",
    "AttemptResult",
    "Entry",
    "EntryError",
    "EntryView",
    "Event",
    "EventKind",
    "Feedback",
    "InstanceView",
    "KeyMap",
    "NothingToDo",
    "Phase",
    "Resumed",
    "Session",
    "SessionError",
    "SessionRequest",
    "SessionSettings",
    "StepFeedback",
    "StepView",
    "Update",
    "View",
    "check_participant",
    "key_map_for",
    "open_session",
    "parse_samples",
    "read_entry",
]
