"""Progress on stderr (``tmtui run``'s batch, ``tmtui generate``'s samples): a rich progress
bar on a terminal, else a plain line every 10 s. rich is imported only when the bar is shown."""

from __future__ import annotations

from typing import Any

from tmtui.cli.app import warn

__all__ = ["BatchProgress", "CountProgress"]


def _rich_bar(label: str, total: int) -> tuple[Any, Any]:
    """A started rich bar on stderr, labelled ``label``, and its one task."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[info]}"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=Console(stderr=True, highlight=False),
        transient=False,
        refresh_per_second=4,
    )
    task = bar.add_task(label, total=total, info="")
    bar.start()
    return bar, task


class _Bar:
    """What both bars share: closing the rich bar, if one is shown."""

    _bar: Any = None

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None


class BatchProgress(_Bar):
    """A rich progress bar on stderr (a plain line every 10 s when not on a terminal)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._bar: Any = None
        self._task: Any = None
        self._total = 0
        self._last_plain = 0.0

    def start(self, total: int) -> None:
        import time

        self._total = total
        self._last_plain = time.monotonic()
        if not self.enabled:
            return
        self._bar, self._task = _rich_bar("run", total)

    def _info(self, st: Any) -> str:
        """Pass rate of the answered samples only; requests that failed are counted apart
        (they are not model answers)."""
        rate = st.pass_rate
        pr = "—" if rate is None else f"{rate:.0f}% of {st.scored}"
        info = f"pass {pr} · {st.tokens_per_second:,.0f} tok/s · retries {st.retries}"
        if st.rate_limited:
            info += f" (429: {st.rate_limited})"
        info += f" · in flight {st.in_flight}/{st.limit}"
        if st.errors:
            info += f" · failed requests {st.errors}"
        if st.interrupted:
            info += f" · interrupted {st.interrupted}"
        return info

    def update(self, st: Any) -> None:
        import time

        if self._bar is not None and self._task is not None:
            self._bar.update(self._task, completed=st.done, info=self._info(st))
            return
        if self._total and time.monotonic() - self._last_plain >= 10:
            self._last_plain = time.monotonic()
            warn(f"run: {st.done}/{self._total} · {self._info(st)}")

    def note(self, msg: str) -> None:
        if self._bar is not None:
            self._bar.console.print(msg, markup=False, highlight=False)
        else:
            warn(msg)


class CountProgress(_Bar):
    """Items done out of a total on stderr (``tmtui generate``'s samples drawn, then written;
    ``tmtui export-gold``'s traces): a rich bar on a terminal, else a plain line every 10 s."""

    def __init__(self, label: str, total: int, enabled: bool) -> None:
        import time

        self.label = label
        self.total = total
        self._bar: Any = None
        self._task: Any = None
        self._last_plain = time.monotonic()
        if not enabled or total <= 0:
            return
        self._bar, self._task = _rich_bar(label, total)

    def update(
        self, done: int, total: int | None = None, label: str | None = None, *, info: str = ""
    ) -> None:
        """``done`` of the total so far; a new ``total`` or ``label`` when the job's phase
        changes; ``info``: a short note after the count."""
        import time

        if total is not None:
            self.total = total
        if label is not None:
            self.label = label
        if self._bar is not None:
            self._bar.update(
                self._task, completed=done, total=self.total, description=self.label, info=info
            )
            return
        if self.total and time.monotonic() - self._last_plain >= 10:
            self._last_plain = time.monotonic()
            note = f" · {info}" if info else ""
            warn(f"{self.label}: {done:,}/{self.total:,}{note}")
