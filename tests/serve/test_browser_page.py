"""The served page in headless chromium, with a small real Textual app as the session: the
terminal has the focus, typed keys reach that participant's process and no other, the page
asks nothing of any other server, and a link without a valid token shows only the 403."""

from __future__ import annotations

import asyncio

import pytest

from tmtui.tui.serve import FORBIDDEN

from .browserkit import (
    chrome,
    connected,
    console_errors,
    focused_class,
    needs_browser,
    requested_urls,
    type_keys,
    wait_for,
)
from .servekit import mini_argv, plan_and_invite, served

pytestmark = needs_browser
WEB = ("http", "https", "ws", "wss")  # chromium's own chrome:// pages are not the page's


@pytest.mark.parametrize(("width", "height"), [(1366, 768), (800, 600)])
async def test_the_page_focuses_the_entry_and_keys_reach_its_own_session(tmp_path, width, height):
    db = tmp_path / "s.sqlite"
    tokens = plan_and_invite(db, ["P01", "P02"])
    argv, typed = mini_argv(tmp_path)
    async with served(db, argv) as base:
        ours = (base + "/", base.replace("http:", "ws:") + "/")

        def browse() -> None:
            with chrome(tmp_path / "profile", width, height) as driver:
                driver.get(f"{base}/s/{tokens['P02']}")
                wait_for(lambda: connected(driver))
                assert "xterm-helper-textarea" in focused_class(driver)
                type_keys(driver, "A B C\n")
                wait_for(lambda: typed.exists() and typed.read_text() == "P02 A B C\n")
                web = {u for u in requested_urls(driver) if u.split(":")[0] in WEB}
                assert web and {u for u in web if not u.startswith(ours)} == set()
                assert console_errors(driver) == []
                driver.get(f"{base}/s/{tokens['P01'][:-1]}")
                assert driver.find_element("tag name", "body").text.strip() == FORBIDDEN.strip()
                assert "textual-terminal" not in driver.page_source

        await asyncio.wait_for(asyncio.to_thread(browse), 120)
    assert typed.read_text() == "P02 A B C\n"  # nothing reached P01's (never started) session
