"""Debian's headless chromium, as every browser test starts it: where it is, and the flags that
keep it from reaching for the network on its own (this machine's network is closed, and a
test must see only the requests of the page under test)."""

from __future__ import annotations

import shutil

CHROMIUM = shutil.which("chromium")
CHROMEDRIVER = shutil.which("chromedriver")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
