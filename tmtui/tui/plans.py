"""What the app opens: one live stream into the debugger, saved records to list and compare, or
a report (``tmtui report --tui``).

Plain data, built by the CLI and read by the app and the screens (which never import the app).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tmtui.core.datasets import Instance
from tmtui.core.parsed import ParserMode

__all__ = ["ReportPlan", "ViewPlan", "WatchPlan"]


@dataclass
class WatchPlan:
    """One instance, one live stream (see :class:`tmtui.model.feed.ClientFeed`)."""

    instance: Instance
    feed: Any  # ClientFeed, or anything with ``model``, ``events(cancel)`` and ``close()``
    make_recorder: Callable[[], Any] | None = None
    save_path: Path = Path("tmtui-watch.jsonl")
    title: str = ""
    mode: ParserMode = ParserMode.STRICT


@dataclass
class ViewPlan:
    """Saved records: a sample list, a sample opened at once, or two files compared."""

    path: Path
    sample: int | None = None  # open this sample (its position in the file) directly
    compare: Path | None = None
    save_path: Path = Path("tmtui-saved.jsonl")
    mode: ParserMode = ParserMode.STRICT
    extra: dict = field(default_factory=dict)


@dataclass
class ReportPlan:
    """A report made by ``tmtui report`` (a :class:`tmtui.report.Report`), shown on the
    report screen; its rows open their samples in the sample list."""

    report: Any
    save_path: Path = Path("tmtui-saved.jsonl")
