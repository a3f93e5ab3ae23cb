"""The ``tmtui`` command line. Thin: every command imports what it needs when it runs, so
``tmtui --help`` and ``tmtui score`` never load textual or openai.

Command modules register themselves on import; they import only the standard library and
Typer at module level.
"""

from tmtui.cli import data, model, scorecmd, tui  # noqa: F401  (register commands)
from tmtui.cli.app import app, main

__all__ = ["app", "main"]
