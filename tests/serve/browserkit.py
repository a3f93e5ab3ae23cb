"""Headless chromium driven by selenium (Debian's chromium and chromium-driver), for the
browser tests of ``tmtui human serve``: a page at a given viewport, typing into the focused
element, and every URL the page asked for."""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.chromium import CHROMEDRIVER, CHROMIUM, FLAGS

needs_browser = [
    pytest.mark.browser,
    pytest.mark.skipif(
        CHROMIUM is None or CHROMEDRIVER is None,
        reason="chromium and chromium-driver are not installed (apt install chromium chromium-driver)",
    ),
]

# textual-serve 1.1.3's client sends the terminal's size once before its websocket is open
# (its own race, harmless: the size is sent again on open); nothing else may be logged as an error
KNOWN_CLIENT_ERRORS = ("Still in CONNECTING state",)


@contextlib.contextmanager
def chrome(profile: Path, width: int = 1366, height: int = 768) -> Iterator:
    """A headless chromium with a viewport of this size (CSS pixels, scale 1)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = CHROMIUM or ""
    for flag in (*FLAGS, f"--user-data-dir={profile}", f"--window-size={width},{height}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER or ""))
    try:
        driver.set_page_load_timeout(60)
        driver.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
        )
        yield driver
    finally:
        driver.quit()


def wait_for(what: Callable[[], object], timeout: float = 30, every: float = 0.1) -> object:
    """Poll until ``what()`` is true; its value (AssertionError after ``timeout`` seconds)."""
    deadline = time.monotonic() + timeout
    while True:
        value = what()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(every)


def focused_class(driver) -> str:
    return driver.execute_script(
        "return document.activeElement && document.activeElement.className"
    )


def connected(driver) -> bool:
    """The page's terminal has drawn the app's first screen."""
    return bool(driver.execute_script("return document.body.classList.contains('-first-byte')"))


def type_keys(driver, text: str) -> None:
    """Type into what has the focus (the terminal's input), as a person would."""
    driver.switch_to.active_element.send_keys(text)


def requested_urls(driver) -> set[str]:
    """Every URL the page asked for since the last call (chromium's performance log)."""
    urls = set()
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            urls.add(message["params"]["request"]["url"])
        elif message.get("method") == "Network.webSocketCreated":
            urls.add(message["params"]["url"])
    return urls


def console_errors(driver) -> list[str]:
    return [
        e["message"]
        for e in driver.get_log("browser")
        if e["level"] == "SEVERE" and not any(k in e["message"] for k in KNOWN_CLIENT_ERRORS)
    ]
