"""The screens of ``tmtui human``: a participant's session in a terminal (or, served, in a
browser).

:class:`~tmtui.tui.human.app.HumanApp` drives a :class:`tmtui.human.Session` and shows what
it computes: the first screen (``intro``), one screen per instance (``instance``, with the
text it shows made in ``parts`` and the entry line in ``entry``), the finished attempt in the
debugger (``feedback``) and the end (``intro`` too). The keys are in ``keys``. Nothing here
decides anything about the session: every key the participant presses becomes a session call,
and the screen shows the view it returns.
"""
