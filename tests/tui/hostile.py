"""Hostile data for the terminal tests, and the apps that show it (run in a real pseudo-terminal
by ``test_hostile_terminal.py``: ``python -m tests.tui.hostile SCENARIO ARGS``).

Every field a record or an instance can carry holds escape sequences with and without a
bracket, C1 controls, bells and bidi overrides: the dataset name, the instance id, the alphabet
symbols themselves (a hostile dataset must load and be shown as stand-ins), the initial queue,
the productions, the answer and the reasoning, the model name, the error text, a person's
participant and session, the prompt template, params, usage, timing, failed tries, run id,
creation time and meta, the file name, the name of the file ``s`` saves to, the title
argument. ``MARKERS`` are strings that appear in the output only if a payload reached
the terminal as a sequence.
"""

from __future__ import annotations

import asyncio
import random
import sys
from pathlib import Path

from tmtui.core.answer import format_answer
from tmtui.core.datasets import Instance
from tmtui.core.diagnose import Kind
from tmtui.core.mutate import flawed_steps
from tmtui.io.events import Content, Failed, Finish, Reasoning, Started
from tmtui.io.records import FailedTry, Record, Timing, Usage, encode_record, spec_of

ESC = "\x1b"
PAYLOADS = [
    ESC + "#8",  # DECALN: fills the screen with E
    ESC + "(0",  # line-drawing character set
    ESC + "c",  # full reset
    ESC + "P1$r" + ESC + "\\",  # device control string
    ESC + "]52;c;SGFja2Vk\x07",  # OSC 52: "Hacked" into the clipboard
    ESC + "]2;PWNED\x07",  # OSC 2: the window title
    ESC + "[7777;7777H",  # CSI with a marker
    "\x9b7777;7777H",  # C1 CSI
    "\x9d2;PWNED\x9c",  # C1 OSC
    "\x07",  # bell
    "\u202e",  # right-to-left override
    "\u2066\u200f",  # bidi isolate, right-to-left mark
    "\x00\x7f\x85",  # NUL, DEL, NEL
]
HOSTILE = " ".join(PAYLOADS)
# in the output only if a payload acted: OSC 2 and 52 bodies, the CSI marker, C1 OSC body
MARKERS = [b"]2;PWNED", b"]52;c;SGFja2Vk", b"7777;7777"]

# control characters as alphabet symbols (whitespace-like controls excluded: they separate)
ALPHABET = ("\x1b", "\x07", "\u202e", "\x9b", "A")
RULES = {"\x1b": "\x07A", "\x07": "\x9b", "\u202e": "A\x1b", "\x9b": "\x1b\x1b", "A": "\x9bA"}
INIT = "\x1b\x07A\u202e\x9bA"


def hostile_instance() -> Instance:
    return Instance(
        id="evil" + ESC + "]2;PWNED\x07" + "0" * 56,
        init=INIT,
        rules=dict(RULES),
        m=2,
        alphabet=ALPHABET,
        max_states=8,
        index=3,
        dataset="ds" + HOSTILE,
    )


def hostile_answer(inst: Instance) -> str:
    """A flawed answer (a copy error at step 3) with every payload in its text, and the
    issue's reproduction: a queue holding ``ESC # 8``."""
    for seed in range(50):
        steps = flawed_steps(inst, {3: Kind.COPY_ERROR}, rng=random.Random(seed))
        if steps is not None:
            break
    else:  # pragma: no cover
        raise AssertionError("no flawed answer")
    text = format_answer(steps, preamble=HOSTILE + "\n\n")
    return text + "\n\n### step 8:\n   - Queue State: [E E A A " + ESC + " # 8]\n" + HOSTILE


MODEL = "m" + ESC + "]2;PWNED\x07" + ESC + "#8[bold]x"
ERROR = "HTTP 404 " + ESC + "]52;c;SGFja2Vk\x07 \x9b7777;7777H \u202e"


def hostile_record(inst: Instance, *, status: str = "complete", human: bool = False) -> Record:
    """Every string field of a record hostile (a human attempt's participant and session
    too), and the strings inside its params, usage, timing, failed tries and meta."""
    return Record(
        kind="human" if human else "model",
        instance_id=inst.id,
        dataset=inst.dataset,
        index=inst.index,
        model="human:P" + HOSTILE if human else MODEL,
        participant="P" + HOSTILE if human else None,
        session="S" + HOSTILE if human else None,
        status=status,  # type: ignore[arg-type]
        answer=hostile_answer(inst) if status == "complete" else "",
        reasoning=HOSTILE,
        finish_reason="stop" + ESC + "#8",
        instance=spec_of(inst),
        prompt_template="t" + HOSTILE,
        prompt_sha256=HOSTILE,
        params={"temperature": 0.5, "stop" + ESC: HOSTILE},
        usage=Usage(completion_tokens=7, source="s" + HOSTILE),
        timing=Timing(started_at=HOSTILE),
        error=ERROR if status != "complete" else None,
        tries=[FailedTry(error=ERROR, partial=HOSTILE, reasoning=HOSTILE, at_ms=1.0)],
        run_id="r" + HOSTILE,
        created_at=HOSTILE,
        meta={"source": HOSTILE, "assist": "a" + HOSTILE, "human": {"assist": "a" + HOSTILE}},
        chunks=[[0.0, 10.0, 0.0], [50.0, 200.0, 0.0]],
    )


def write_hostile_file(
    directory: Path, name: str = "evil" + ESC + "]2;PWNED\x07.jsonl", *, human: bool = False
) -> Path:
    """A model's answer, a failed request and (``human``) a person's attempt, all hostile."""
    inst = hostile_instance()
    path = directory / name
    recs = [hostile_record(inst), hostile_record(inst, status="error")]
    if human:
        recs.append(hostile_record(inst, human=True))
    path.write_bytes(b"".join(encode_record(r) for r in recs))
    return path


def write_hostile_official(directory: Path) -> Path:
    """An official results file: the instance's symbols, queue and productions hostile, the
    stored ``step_results`` disagreeing with the rules in a hostile way, a hostile ``ans`` and
    ``prompts``; the model's name comes from the file's name (``{bench}_{model}_{mode}``)."""
    import json

    from tmtui.core.datasets import Dataset

    inst = hostile_instance()
    ds = Dataset([inst], symbol_set=ALPHABET)
    data = ds.to_official()
    sample = data["samples"][0]
    sample["step_results"][2] += ESC + "]52;c;SGFja2Vk\x07\u202e\x9b7777;7777H"
    sample["ans"] = hostile_answer(inst)
    sample["prompts"] = HOSTILE
    sample["num_token"] = 7
    path = directory / ("tmbench_m" + ESC + "]2;PWNED\x07_chat.json")
    path.write_text(json.dumps(data))
    return path


# where ``s`` saves in the view scenario: a file that is no record file, with a hostile name
SAVE_NAME = "saved" + ESC + "]2;PWNED\x07.json"


class HostileFeed:
    """A live stream of hostile text (with lone surrogates, which no file can carry) that
    ends in an error or completes."""

    def __init__(self, answer: str, *, fail: bool) -> None:
        self.answer = answer
        self.fail = fail
        self.model = MODEL + "\ud800"

    def events(self, cancel: asyncio.Event):
        async def gen():
            yield Started(0.0)
            yield Reasoning(HOSTILE + "\udfff", 1.0)
            for i in range(0, len(self.answer), 64):
                yield Content(self.answer[i : i + 64], 2.0 + i)
                await asyncio.sleep(0)
            if self.fail:
                yield Failed(ERROR)
                yield Finish("error", error=ERROR)
            else:
                yield Finish("complete", finish_reason="stop")

        return gen()

    async def close(self) -> None:
        pass


def main(argv: list[str]) -> None:
    from tmtui.tui.app import TmtuiApp
    from tmtui.tui.plans import ViewPlan, WatchPlan

    scenario = argv[0]
    if "--no-guard" in argv:  # the helpers alone, without the net under them
        import tmtui.tui.safeapp as safeapp_module

        safeapp_module.install_terminal_guard = lambda: None  # type: ignore[assignment]
        import tmtui.tui.safe as safe_module

        assert not safe_module._installed  # nothing installed the net before
    if scenario in ("watch", "watch-error"):
        inst = hostile_instance()
        feed = HostileFeed(hostile_answer(inst) + "\ud800", fail=scenario == "watch-error")
        plan = WatchPlan(inst, feed, save_path=Path(argv[1]) / "saved.jsonl", title=HOSTILE)
        TmtuiApp(plan).run()
    elif scenario == "view":
        path = Path(argv[1])
        compare = Path(argv[2]) if len(argv) > 2 and not argv[2].startswith("--") else None
        TmtuiApp(ViewPlan(path, compare=compare, save_path=path.parent / SAVE_NAME)).run()
    elif scenario == "human":
        # a participant's session on the hostile instance: the first screen, the instance
        # screen (the key map, a step, a correction, a refused entry), the debugger after it
        from tmtui.core.datasets import Dataset
        from tmtui.human import Feedback, SessionRequest, open_session
        from tmtui.io.humandb import HumanDb
        from tmtui.tui.human.app import HumanApp

        ds = Dataset([hostile_instance()], symbol_set=ALPHABET)
        request = SessionRequest(dataset="evil.json", feedback=Feedback.AFTER_INSTANCE)
        db = HumanDb(Path(argv[1]) / "h.sqlite")
        session = open_session(db, "P01", request, load=lambda _name: ds)
        app = HumanApp(session)
        try:
            app.run()
        finally:
            session.close()
    elif scenario == "careless":
        # a widget that forgets the helpers: the net must still keep the terminal safe
        from textual.app import App, ComposeResult
        from textual.widgets import Static

        from tmtui.tui.safe import install_terminal_guard

        class Careless(App[None]):
            def compose(self) -> ComposeResult:
                yield Static("raw: " + HOSTILE, markup=False)

            def on_key(self) -> None:
                self.exit()

        install_terminal_guard()
        Careless().run()
    else:  # pragma: no cover
        raise SystemExit(f"unknown scenario {scenario}")


if __name__ == "__main__":
    main(sys.argv[1:])
