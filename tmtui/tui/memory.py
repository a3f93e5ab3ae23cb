"""Long-lived objects kept out of the garbage collector's full collections.

A full collection walks every container object alive. The app's own objects (modules, styles,
widgets) and a loaded trace (a 2,000-step run: thousands of parsed steps, rows, lines and
cached strips) live as long as the screen that shows them; left in the collector's oldest
generation, each full collection walked them all and stalled the screen for 20-40 ms, a few
times a minute of use. Frozen (``gc.freeze``), they are skipped.
"""

from __future__ import annotations

import gc

__all__ = ["freeze_long_lived", "thaw"]


def freeze_long_lived() -> None:
    """Freeze everything alive now, after one collection. What an earlier freeze kept is
    thawed first, so objects that died since (a closed sample's trace) are collected, not
    kept for good."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def thaw() -> None:
    """Give every frozen object back to the collector (the app is closing)."""
    gc.unfreeze()
