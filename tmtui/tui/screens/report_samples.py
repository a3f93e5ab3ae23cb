"""A report row's samples in the sample list, worst first.

:meth:`tmtui.report.Report.samples` lists a row's attempts worst first (lowest own SWA, then
the earliest first error) with the file and the place of each; :func:`row_entries` reads those
files again as the sample list reads a file (:func:`tmtui.live.catalog.load_entries`, both
parsers), keeps the row's samples and puts them in that order — their ``#`` is their rank.
The list is the one of ``tmtui view`` (filters, search, sort, Enter opens the debugger);
escape goes back to the report (after clearing a search or a filter).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

from textual import work
from textual.binding import Binding, BindingType
from textual.worker import get_current_worker

from tmtui.io.sources import ItemError, SourceError
from tmtui.live.catalog import Entry, load_entries
from tmtui.report.tables import Report, Row
from tmtui.tui.plans import ViewPlan
from tmtui.tui.safe import shown
from tmtui.tui.screens.keys import LIST_KEYS
from tmtui.tui.screens.view import SampleListScreen

__all__ = ["RowSamplesScreen", "row_entries"]

_BACK = Binding(
    "escape",
    "back",
    "back",
    tooltip="Back to the report (escape: clears the search and the filters first)",
    id="report-samples.back",
    key_display="esc",
)


MAX_SAMPLES = 5_000  # the worst of a row's samples listed (a list of a million helps nobody)


def row_entries(
    report: Report,
    row: Row,
    *,
    on_error: Callable[[ItemError], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    limit: int = MAX_SAMPLES,
) -> list[Entry]:
    """The row's samples as sample-list entries, worst first (``pos`` is the rank); the
    ``limit`` worst only. A file is read until its last wanted sample."""
    refs = report.samples(row)[:limit]
    rank = {(r.source, r.where): i for i, r in enumerate(refs)}
    found: list[tuple[int, Entry]] = []
    for source in dict.fromkeys(r.source for r in refs):
        wanted = sum(1 for r in refs if r.source == source)
        try:
            for e in load_entries(source, on_error=on_error, cancelled=cancelled, mode=report.mode):
                i = rank.get((source, e.where))
                if i is not None:
                    found.append((i, e))
                    wanted -= 1
                    if not wanted:
                        break
        except SourceError as exc:
            if on_error is not None:
                on_error(ItemError(source, "", str(exc)))
    found.sort(key=lambda x: x[0])
    entries = [e for _, e in found]
    for i, e in enumerate(entries):
        e.pos = i
    return entries


class RowSamplesScreen(SampleListScreen):
    """The sample list of one report row (see the module doc)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        b for b in LIST_KEYS if isinstance(b, Binding) and b.id not in ("list.clear", "list.report")
    ] + [_BACK]

    def __init__(
        self, report: Report, row: Row, *, save_path: Path = Path("tmtui-saved.jsonl")
    ) -> None:
        first = report.files[0].path if report.files else "."
        super().__init__(ViewPlan(Path(first), save_path=save_path, mode=report.mode))
        self.report = report
        self.row = row

    def on_mount(self) -> None:
        super().on_mount()
        total = self.row.n + len(self.row.not_attempted)
        more = f", the {MAX_SAMPLES:,} worst of {total:,}" if total > MAX_SAMPLES else ""
        self.sub_title = shown(f"{self.row.label}: samples worst first{more} (# is the rank)", 200)

    def sort_name(self) -> str:
        """``#`` is the rank in the report's order: worst first."""
        return "rank (worst first)" if self.sort_key == "position" else self.sort_key

    @work(thread=True, exclusive=True, group="load")
    def _load(self) -> None:
        worker = get_current_worker()
        entries = row_entries(
            self.report,
            self.row,
            on_error=lambda err: self.errors.append(str(err)),
            cancelled=lambda: worker.is_cancelled,
        )
        if worker.is_cancelled:
            return
        total = self.row.n + len(self.row.not_attempted)
        if total > MAX_SAMPLES:
            msg = f"the {MAX_SAMPLES:,} worst of the row's {total:,} samples"
            self.app.call_from_thread(self.notify, msg)
        self.app.call_from_thread(self._add, 0, entries)
        self.app.call_from_thread(self._loaded)

    def _filtered(self) -> bool:
        return bool(
            self.hits is not None
            or self.query_one("#search").value  # type: ignore[attr-defined]
            or self.query_one("#diag").value  # type: ignore[attr-defined]
            or self.query_one("#model").value  # type: ignore[attr-defined]
            or self.query_one("#failures").value  # type: ignore[attr-defined]
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "report":  # this list is the report's: escape goes back to it
            return False
        return super().check_action(action, parameters)

    def action_back(self) -> None:
        if (self.focused is not None and self.focused.id == "search") or self._filtered():
            self.action_clear()
            return
        self.dismiss()
