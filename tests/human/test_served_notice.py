"""Served to a browser, a session that cannot go on says why in the participant's tab (not
textual-serve's bare "session has stopped"), and a store's error stays in the server's output."""

from __future__ import annotations

import pytest

from tests.cli.clihelp import invoke
from tmtui.human import opening
from tmtui.io.humandb import HumanDbError
from tmtui.tui.human.notice import STORE_PROBLEM, NoticeApp


async def test_the_notice_shows_its_message_as_text_and_ctrl_q_ends_it():
    app = NoticeApp("P01 has done \x1b]0;pwned\x07 every instance [b]x[/b]")
    async with app.run_test(size=(80, 24)) as pilot:
        text = str(app.query_one("#notice").render())
        assert "\x1b" not in text and "\x07" not in text
        assert "[b]x[/b]" in text  # shown as text, never as markup
        assert "close this tab" in str(app.query_one("#hint").render())
        await pilot.press("ctrl+q")
    assert app.return_code in (0, None)


@pytest.fixture
def shown(monkeypatch):
    seen: list[str] = []
    monkeypatch.setattr(NoticeApp, "run", lambda self, **kw: seen.append(self.message))
    return seen


def _refuse(monkeypatch, exc: Exception) -> None:
    def refuse(*_a, **_k):
        raise exc

    monkeypatch.setattr(opening, "open_session", refuse)


def test_served_a_finished_participant_is_told_in_the_tab(tmp_path, monkeypatch, shown):
    _refuse(
        monkeypatch, opening.NothingToDo("P01 has done every instance of their assignment (2 of 2)")
    )
    monkeypatch.setenv("TEXTUAL_DRIVER", "tmtui.tui.serve_driver:SessionWebDriver")
    r = invoke("human", "--db", tmp_path / "s.sqlite", "--participant", "P01")
    assert r.code == 0
    assert shown == [
        "P01 has done every instance of their assignment (2 of 2). Thank you: there is nothing more to do."
    ]


def test_served_a_store_error_is_a_plain_word_in_the_tab_and_the_detail_in_the_log(
    tmp_path, monkeypatch, shown
):
    _refuse(monkeypatch, HumanDbError(f"{tmp_path}/s.sqlite: database disk image is malformed"))
    monkeypatch.setenv("TEXTUAL_DRIVER", "tmtui.tui.serve_driver:SessionWebDriver")
    r = invoke("human", "--db", tmp_path / "s.sqlite", "--participant", "P01")
    assert r.code == 2 and "malformed" in r.stderr  # the server's output keeps the detail
    assert shown == [STORE_PROBLEM] and str(tmp_path) not in shown[0]


def test_in_a_terminal_nothing_more_is_shown(tmp_path, monkeypatch, shown):
    _refuse(
        monkeypatch, opening.NothingToDo("P01 has done every instance of their assignment (2 of 2)")
    )
    monkeypatch.delenv("TEXTUAL_DRIVER", raising=False)
    r = invoke("human", "--db", tmp_path / "s.sqlite", "--participant", "P01")
    assert r.code == 0 and "has done every instance" in r.stderr and shown == []
