"""``tmtui view``: the samples of a saved file, sortable and filterable; Enter debugs one.

The file is read and scored in a thread (the list fills in as it goes), with both parsers: the
list's verdicts are the chosen parser's (strict by default), a column shows the other reading
where it differs, and the summary gives both pass counts (the official figure beside the
strict one). Records of attempts that did not happen (failed requests, interrupted streams) are
marked as such and counted apart, never as failures. The columns fit the width (numbers are
never cut; see :mod:`~tmtui.tui.screens.listing`). Filters: failures only, a diagnosis, a
model, and a search through what the list shows and the transcripts (text, or ``re:`` and a
regular expression). With a second file (``--compare``) the list pairs the samples of both
files on the same instance and Enter opens them side by side.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Checkbox, DataTable, Input, Select, Static
from textual.worker import get_current_worker

from tmtui.core.parsed import ParserMode
from tmtui.io.sources import SourceError
from tmtui.live.catalog import SORT_KEYS, Entry, Search, entry_sample, load_entries, match_pairs
from tmtui.live.trace import Trace
from tmtui.tui.plans import ViewPlan
from tmtui.tui.safe import shown
from tmtui.tui.screens.keys import LIST_KEYS
from tmtui.tui.screens.listing import Column, layout_columns, other_label, row_cells
from tmtui.tui.widgets.fitting import Part, fit_parts
from tmtui.tui.widgets.keybar import KeyBar

if TYPE_CHECKING:
    from textual.app import App

__all__ = ["SampleListScreen", "open_view"]

ANY = ""


def open_view(app: App, plan: ViewPlan) -> None:
    app.push_screen(SampleListScreen(plan))


def _mark(e: Entry) -> Text:
    if not e.attempted:
        return Text(f"– {e.verdict}", style="yellow")
    if e.passed:
        return Text("✓ pass", style="green")
    return Text("✗ fail", style="red")


def _fd(e: Entry) -> str:
    return "—" if e.first_divergence is None else str(e.first_divergence)


class SampleListScreen(Screen):
    """The samples of one file (or the pairs of two)."""

    BINDINGS: ClassVar[list[BindingType]] = LIST_KEYS

    def __init__(self, plan: ViewPlan) -> None:
        super().__init__()
        self.plan = plan
        self.entries: list[Entry] = []
        self.others: list[Entry] = []  # the second file (compare)
        self.pairs: list[tuple[Entry, Entry]] = []
        self.errors: list[str] = []
        self.sort_key = "position"
        self.reverse = False
        self.hits: set[int] | None = None  # search results (entry positions)
        self.is_loading_file = True
        self.shown: list[int] = []  # entry positions (or pair indexes) in display order
        self.columns: list[Column] = []
        self._layout: tuple | None = None  # what the columns were laid out for

    @property
    def comparing(self) -> bool:
        return self.plan.compare is not None

    def compose(self) -> ComposeResult:
        with Horizontal(id="filters"):
            yield Input(placeholder="search text, or re:REGEX", id="search")
            yield Select([("any diagnosis", ANY)], value=ANY, allow_blank=False, id="diag")
            yield Select([("any model", ANY)], value=ANY, allow_blank=False, id="model")
            yield Checkbox("failures", id="failures")
        yield DataTable(cursor_type="row", zebra_stripes=True, id="samples")
        yield Static("loading…", id="list-status", markup=False)
        yield KeyBar()

    def on_mount(self) -> None:
        table = self.query_one("#samples", DataTable)
        if self.comparing:
            table.add_columns("#", "inst", "A", "A first ✗", "B", "B first ✗", "diverges first")
        table.focus()
        self.set_class(self.app.size.width < 100, "-narrow")
        self.sub_title = shown(self.plan.path, 200)
        self._load()

    def on_resize(self, event) -> None:
        self.set_class(event.size.width < 100, "-narrow")
        if not self.comparing and not self.is_loading_file:
            self.call_after_refresh(self._rebuild)

    # -- loading ----------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="load")
    def _load(self) -> None:
        worker = get_current_worker()
        files = [self.plan.path] + ([self.plan.compare] if self.plan.compare else [])
        for n, path in enumerate(files):
            batch: list[Entry] = []
            last = time.monotonic()
            try:
                for e in load_entries(
                    path,
                    on_error=lambda err: self.errors.append(str(err)),
                    cancelled=lambda: worker.is_cancelled,
                    mode=self.plan.mode,
                    both=not self.comparing,
                ):
                    batch.append(e)
                    if time.monotonic() - last > 0.2:
                        self.app.call_from_thread(self._add, n, batch)
                        batch, last = [], time.monotonic()
            except SourceError as exc:
                self.app.call_from_thread(self._failed, str(exc))
                return
            self.app.call_from_thread(self._add, n, batch)
        self.app.call_from_thread(self._loaded)

    def _failed(self, msg: str) -> None:
        self.is_loading_file = False
        self.query_one("#list-status", Static).update(Text(shown(msg, 300), style="red"))
        self.notify(msg, severity="error")

    def _add(self, which: int, batch: list[Entry]) -> None:
        (self.entries if which == 0 else self.others).extend(batch)
        if which == 0 and not self.comparing:
            self._rebuild()
        self._status()

    def _loaded(self) -> None:
        self.is_loading_file = False
        if self.comparing:
            self.pairs = match_pairs(self.entries, self.others)
            if not self.pairs:
                self.notify(
                    "the two files answer no instance in common (same id and rules)",
                    severity="warning",
                )
        self._options()
        self._rebuild()
        self._status()
        if self.errors:
            self.notify(
                f"{len(self.errors)} record(s) could not be read; first: "
                + shown(self.errors[0], 120),
                severity="warning",
            )
        n = self.plan.sample
        if n is not None:
            self.plan.sample = None
            if self.comparing:
                self.open_pair(n)
            elif 0 <= n < len(self.entries):
                self.open_entry(self.entries[n])
            else:
                self.notify(f"no sample {n} (the file has {len(self.entries)})", severity="error")

    def _options(self) -> None:
        kinds = sorted({e.kind for e in self.entries if e.kind})
        models = sorted({e.model for e in self.entries + self.others})
        self.query_one("#diag", Select).set_options(
            [("any diagnosis", ANY)] + [(Text(shown(k, 40)), k) for k in kinds]
        )
        self.query_one("#model", Select).set_options(
            [("any model", ANY)] + [(Text(shown(m, 40)), m) for m in models]
        )

    # -- the list ---------------------------------------------------------------------
    def _visible(self) -> list[Entry]:
        diag = self.query_one("#diag", Select).value
        model = self.query_one("#model", Select).value
        failures = self.query_one("#failures", Checkbox).value
        out = []
        for e in self.entries:
            if failures and not e.failed:
                continue
            if diag and e.kind != diag:
                continue
            if model and e.model != model:
                continue
            if self.hits is not None and e.pos not in self.hits:
                continue
            out.append(e)
        key = SORT_KEYS[self.sort_key]
        return sorted(out, key=key, reverse=self.reverse)  # type: ignore[arg-type, return-value]

    def _rebuild(self) -> None:
        table = self.query_one("#samples", DataTable)
        keep = table.cursor_row
        if self.comparing:
            table.clear()
            self._rebuild_pairs(table)
        else:
            entries = self._visible()
            self._lay_out(table, entries)
            table.clear()
            self.shown = [e.pos for e in entries]
            for e in entries:
                table.add_row(*row_cells(e, self.columns), key=str(e.pos))
        if self.shown:
            table.move_cursor(row=min(keep, len(self.shown) - 1))
        self._status()

    def _lay_out(self, table: DataTable, entries: list[Entry]) -> None:
        """Columns for the width the table has (re-made when the width or the widths change)."""
        width = table.size.width or self.app.size.width
        cols = layout_columns(self.entries or entries, width, self.plan.mode)
        layout = tuple((c.key, c.width) for c in cols)
        if layout == self._layout:
            return
        self._layout = layout
        self.columns = cols
        table.clear(columns=True)
        for c in cols:
            table.add_column(c.label, width=c.width, key=c.key)

    def _rebuild_pairs(self, table: DataTable) -> None:
        failures = self.query_one("#failures", Checkbox).value
        self.shown = []
        for i, (a, b) in enumerate(self.pairs):
            if failures and not (a.failed or b.failed):  # not attempted: not a failure
                continue
            if self.hits is not None and a.pos not in self.hits:
                continue
            fa, fb = a.first_divergence, b.first_divergence
            if fa is None and fb is None:
                who = "neither"
            elif fb is None or (fa is not None and fa < fb):
                who = "A first"
            elif fa is None or fb < fa:
                who = "B first"
            else:
                who = "same step"
            self.shown.append(i)
            table.add_row(str(i), str(a.index), _mark(a), _fd(a), _mark(b), _fd(b), who, key=str(i))

    def _status(self) -> None:
        """The summary under the list, fitted to the width: the counts (numbers) stay, the
        explanations give way first."""
        total = len(self.pairs) if self.comparing else len(self.entries)
        parts: list[Part] = []

        def add(*forms: str, importance: int = 0) -> None:
            sep = " · " if parts else ""
            parts.append(Part.of(*(sep + f if f else "" for f in forms), importance=importance))

        if self.is_loading_file:
            add("loading…")
        add(f"{len(self.shown)} shown of {total}")
        if self.entries and not self.comparing:
            scored = [e for e in self.entries if e.attempted]
            passed = sum(e.passed for e in scored)
            mine = f"pass {passed}/{len(scored)}"
            if any(e.other is not None for e in scored):
                other = sum(e.other_passed for e in scored)
                strict = self.plan.mode is ParserMode.STRICT
                name = "official regex" if strict else "strict"
                short = "official" if strict else "strict"
                add(
                    f"{mine} ({name} {other}/{len(scored)})",
                    f"{mine} ({short} {other}/{len(scored)})",
                )
            else:
                add(mine)
            differ = sum(e.readings_differ for e in scored)
            if differ:
                col = other_label(self.plan.mode)
                add(f"{differ} read differently (see {col})", f"{differ} read differently",
                    importance=1)  # fmt: skip
            absent = len(self.entries) - len(scored)
            if absent:
                add(
                    f"{absent} not attempted (failed requests, interrupted streams)",
                    f"{absent} not attempted",
                )
        add(f"sorted by {self.sort_name()}{' (reversed)' if self.reverse else ''}", "",
            importance=3)  # fmt: skip
        if self.hits is not None:
            add(f"search: {len(self.hits)} match", importance=0)
        if self.errors:
            add(f"{len(self.errors)} bad record(s)", importance=0)
        bar = self.query_one("#list-status", Static)
        width = max(1, (bar.size.width or self.app.size.width) - 2)
        bar.update(fit_parts(parts, width))

    def sort_name(self) -> str:
        return self.sort_key

    @on(Select.Changed)
    @on(Checkbox.Changed)
    def _filters(self) -> None:
        if not self.is_loading_file:
            self._rebuild()

    @on(Input.Changed, "#search")
    def _search_changed(self, event: Input.Changed) -> None:
        self._search(event.value)

    @on(Input.Submitted, "#search")
    def _search_done(self) -> None:
        self.query_one("#samples", DataTable).focus()

    @work(thread=True, exclusive=True, group="search")
    def _search(self, query: str) -> None:
        time.sleep(0.15)  # let the typing settle
        worker = get_current_worker()
        if worker.is_cancelled:
            return
        s = Search(query)
        hits = None if s.empty or s.error else s.filter(self.entries, lambda: worker.is_cancelled)
        if not worker.is_cancelled:
            self.app.call_from_thread(self._searched, hits, s.error)

    def _searched(self, hits: set[int] | None, error: str) -> None:
        self.hits = hits
        if error:
            self.notify(error, severity="error", timeout=3)
        self._rebuild()

    @on(DataTable.HeaderSelected)
    def _header(self, event: DataTable.HeaderSelected) -> None:
        label = str(event.label)
        names = {"#": "position", "SWA": "SWA", "first ✗": "first divergence"}
        names |= {"diagnosis": "diagnosis", "model": "model", "verdict": "verdict"}
        key = names.get(label)
        if key is None:
            return
        if key == self.sort_key:
            self.reverse = not self.reverse
        else:
            self.sort_key, self.reverse = key, False
        self._rebuild()

    # -- actions ----------------------------------------------------------------------
    def action_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_failures(self) -> None:
        box = self.query_one("#failures", Checkbox)
        box.value = not box.value

    def action_sort(self) -> None:
        keys = list(SORT_KEYS)
        self.sort_key = keys[(keys.index(self.sort_key) + 1) % len(keys)]
        self._rebuild()

    def action_reverse(self) -> None:
        self.reverse = not self.reverse
        self._rebuild()

    def action_clear(self) -> None:
        self.query_one("#search", Input).value = ""
        self.query_one("#diag", Select).value = ANY
        self.query_one("#model", Select).value = ANY
        self.query_one("#failures", Checkbox).value = False
        self.hits = None
        self.query_one("#samples", DataTable).focus()
        self._rebuild()

    def action_help(self) -> None:
        from tmtui.tui.screens.help import HelpScreen

        self.app.push_screen(HelpScreen(self))

    def action_report(self) -> None:
        self.app.open_report_of(self.plan)  # type: ignore[attr-defined]  # the app's

    def action_quit(self) -> None:
        self.app.exit()

    def action_open(self) -> None:
        table = self.query_one("#samples", DataTable)
        if not self.shown:
            return
        i = self.shown[min(table.cursor_row, len(self.shown) - 1)]
        if self.comparing:
            self.open_pair(i)
        else:
            self.open_entry(self.entries[i])

    @on(DataTable.RowSelected, "#samples")
    def _selected(self, event: DataTable.RowSelected) -> None:
        self.action_open()

    def open_pair(self, i: int) -> None:
        from tmtui.tui.screens.compare import CompareScreen

        if not 0 <= i < len(self.pairs):
            self.notify(f"no pair {i}", severity="error")
            return
        a, b = self.pairs[i]
        self.app.push_screen(CompareScreen(entry_sample(a), entry_sample(b), self.plan))

    @work(thread=True, exclusive=True, group="open")
    def open_entry(self, e: Entry) -> None:
        sample = entry_sample(e)
        trace = Trace(sample.instance, mode=self.plan.mode)
        trace.feed(sample.answer, sample.reasoning)
        trace.finish(sample.status, sample.finish_reason, sample.error)
        self.app.call_from_thread(self._push_debugger, sample, trace)

    def _push_debugger(self, sample, trace: Trace) -> None:
        from tmtui.tui.screens.watch import DebuggerScreen

        self.app.push_screen(
            DebuggerScreen(
                trace,
                sample=sample,
                save_path=self.plan.save_path,
                can_go_back=True,
                title=f"{Path(sample.source).name} {sample.where}",
                clock=getattr(self.app, "clock", None),
            )
        )
