"""Snapshots of the report screen (pytest-textual-snapshot, pinned with textual and
textual-plotext): 120×40 with everything, 80×24 with the plot, and 80×24 with the details
(``i``). Update with ``--snapshot-update`` after a deliberate change, and look at them."""

from __future__ import annotations

import pytest

from tests.tui.reportscreen import fixture_report, report_app
from tests.tui.test_report_screen import _report_shown


def _shown(*keys: str):
    async def run_before(pilot) -> None:
        await _report_shown(pilot)
        await pilot.press(*keys)
        pilot.app.clear_notifications()
        await pilot.pause()
        await pilot.pause()

    return run_before


@pytest.mark.parametrize(
    ("size", "keys", "theme"),
    [
        ((120, 40), ("j",), "dark"),
        ((80, 24), ("j",), "dark"),
        ((80, 24), ("j", "i"), "dark"),
        ((120, 40), ("3",), "dark"),
        ((120, 40), ("2",), "light"),
    ],
    ids=["120x40", "80x24-plot", "80x24-details", "120x40-hazard", "120x40-light-survival"],
)
def test_report_screen(snap_compare, tmp_path, size, keys, theme) -> None:
    app = report_app(fixture_report(tmp_path), theme=theme)
    assert snap_compare(app, terminal_size=size, run_before=_shown(*keys))
