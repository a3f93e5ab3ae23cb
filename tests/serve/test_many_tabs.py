"""Ten participants at once on one database, each in a browser tab of the real `tmtui human
serve` (each tab a websocket, as textual-serve's page drives it): every step each one typed
is stored, in their own attempt, and no tab ever shows another participant's session."""

from __future__ import annotations

import asyncio
import json

import aiohttp
import pytest

from tests.cli.clihelp import DS

from .servekit import OPEN_ATTEMPT, STEPS_OF, plan_and_invite, read_db, serving

pytestmark = pytest.mark.slow

PEOPLE = [f"P{i:02d}" for i in range(1, 11)]
STEPS = 3
BOUND_S = 240  # the whole run, ten processes on a small shared machine


async def _poll(what, timeout: float = 120):
    async with asyncio.timeout(timeout):
        while not (value := await asyncio.to_thread(what)):
            await asyncio.sleep(0.25)
    return value


async def _tab(http, base: str, token: str, name: str, db) -> tuple[bytes, list[str]]:
    """One participant: open the tab, begin, type STEPS steps in one burst, leave."""
    seen = bytearray()
    async with http.ws_connect(f"{base}/s/{token}/ws?width=100&height=30") as ws:

        async def read() -> None:
            async for msg in ws:
                if msg.type == aiohttp.WSMsgType.BINARY:
                    seen.extend(msg.data)

        reader = asyncio.create_task(read())
        # what textual-serve's page sends as its websocket opens: its size, then its focus
        await ws.send_str(json.dumps(["resize", {"width": 100, "height": 30}]))
        await ws.send_str(json.dumps(["focus"]))
        await _poll(lambda: b"Press Enter to begin" in seen)
        await ws.send_str(json.dumps(["stdin", "\r"]))
        [(_, sample)] = await _poll(lambda: read_db(db, OPEN_ATTEMPT, (name,)))
        await _poll(lambda: b"type the queue after step 1" in seen)
        states = DS[sample].run.states()
        typed = [" ".join(states[s]) for s in range(1, STEPS + 1)]
        try:
            for text in typed:  # no wait between steps: the burst a fast typist makes
                await ws.send_str(json.dumps(["stdin", text]))
                await ws.send_str(json.dumps(["stdin", "\r"]))
        except aiohttp.ClientConnectionResetError:
            raise AssertionError(
                f"{name}: the tab was closed: {ws.close_code} {ws.exception()!r}"
            ) from None
        try:
            await _poll(lambda: len(read_db(db, STEPS_OF, (name,))) == STEPS)
        except TimeoutError:
            stored = [(r[2], r[3]) for r in read_db(db, STEPS_OF, (name,))]
            (db.parent / f"{name}.out").write_bytes(bytes(seen))
            raise AssertionError(f"{name}: typed {typed}, stored {stored}") from None
        await ws.close()
        reader.cancel()
    return bytes(seen), typed


async def test_ten_participants_at_once_lose_no_step_and_mix_no_session(tmp_path):
    db = tmp_path / "s.sqlite"
    tokens = plan_and_invite(db, PEOPLE)
    with serving(db) as (base, _):
        async with aiohttp.ClientSession() as http:
            results = await asyncio.wait_for(
                asyncio.gather(*(_tab(http, base, tokens[n], n, db) for n in PEOPLE)), BOUND_S
            )
    assigned = dict(
        read_db(
            db,
            "SELECT p.name, group_concat(a.sample) FROM assignments a JOIN participants p"
            " ON a.participant_id = p.id GROUP BY p.name",
        )
    )
    for name, (seen, typed) in zip(PEOPLE, results, strict=True):
        rows = read_db(db, STEPS_OF, (name,))
        assert [(r[2], r[3]) for r in rows] == list(enumerate(typed, 1)), name
        assert len({r[0] for r in rows}) == 1  # one attempt
        assert str(rows[0][1]) in assigned[name].split(",")  # one of their own instances
        assert all(r[5] > 0 and r[7] for r in rows)  # times stored
        assert name.encode() in seen
        others = [o for o in PEOPLE if o != name and o.encode() in seen]
        assert others == [], f"{name}'s tab showed {others}"
    sessions = read_db(
        db,
        "SELECT p.name, count(*), sum(s.owner IS NOT NULL AND s.owner != '') FROM sessions s"
        " JOIN participants p ON s.participant_id = p.id GROUP BY p.name ORDER BY p.name",
    )
    assert sessions == [(n, 1, 0) for n in PEOPLE]  # one each, all closed and released
    assert "Traceback" not in (tmp_path / "serve.out").read_text()  # no session app failed
