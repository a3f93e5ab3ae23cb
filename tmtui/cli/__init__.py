"""The ``tmtui`` command line. Thin: a command's module is imported when that command runs
(:mod:`tmtui.cli.lazy`), and imports what it needs inside the command, so ``tmtui --help``
and ``tmtui score`` never load textual, openai or pydantic.
"""

from tmtui.cli.app import app, main

__all__ = ["app", "main"]
