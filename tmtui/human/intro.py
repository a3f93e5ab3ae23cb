"""The first screen of a session: the task in plain words, with a worked two-step example.

The example is the one TMBench's own prompt shows models (m = 2, rules A: C A C, B: A, C: B,
initial queue B C A), and its steps are computed by the engine, so the words can never
disagree with the rules the participant is scored by.
"""

from __future__ import annotations

from tmtui.core.tagsystem import TagSystem
from tmtui.human.entry import KeyMap, spaced
from tmtui.human.settings import Assist, Feedback

__all__ = ["EXAMPLE", "intro_text"]

EXAMPLE = TagSystem(2, {"A": "CAC", "B": "A", "C": "B"}, ("A", "B", "C"))
EXAMPLE_INIT = "BCA"


def _example() -> list[str]:
    run = EXAMPLE.run(EXAMPLE_INIT, 3)
    lines = [
        "Example: m = 2; rules A: C A C,  B: A,  C: B",
        f"  step 0 (given):  [{spaced(run[0])}]",
    ]
    for k in (1, 2):
        head, prod = run.head_read(k), run.production(k)
        lines.append(
            f"  step {k}: the head is {head}: append {spaced(prod)}, delete "
            f"{spaced(run.deleted(k))}  ->  type  {spaced(run[k])}"
        )
    return lines


def intro_text(
    *,
    max_step: int = 30,
    practice: int = 0,
    scored: int = 0,
    feedback: Feedback = Feedback.NONE,
    assist: Assist = Assist.NONE,
    time_limit: float | None = None,
    key_map: KeyMap | None = None,
) -> str:
    """The first screen's text (plain text: the screen lays it out)."""
    lines = [
        "You will work a small machine by hand, the way the language models in this study do.",
        "",
        "The machine has a queue of symbols and one rule per symbol. At each step:",
        "  1. look at the first symbol of the queue (the head);",
        "  2. write that symbol's rule at the end of the queue;",
        "  3. delete the first m symbols of the queue.",
        "The machine stops (halts) when the queue is shorter than m.",
        "",
        *_example(),
        "",
        "Type the queue after step 1 and press Enter, then the queue after step 2, and so on.",
        "Spaces and commas are optional, and letters may be in either case.",
    ]
    if key_map is not None:
        lines.append(f"Keys stand for symbols that are hard to type: {key_map.describe()}.")
    lines += [
        "You can correct your last step until you submit the next one.",
        "When the last queue you submitted is final (the machine halts), type halt.",
        f"After step {max_step} the instance ends by itself.",
    ]
    if assist is Assist.PREFILL:
        lines.append("The entry starts with the previous queue minus its first m symbols.")
    elif assist is Assist.APPEND:
        lines.append("Type only the symbols appended at each step: the rest is written for you.")
    if time_limit is not None:
        lines.append(f"Each instance has {time_limit:g} seconds; a countdown shows what is left.")
    if practice:
        lines.append(
            f"First come {practice} practice instance(s), each step marked right or wrong."
        )
    if scored:
        told = {
            Feedback.NONE: "you are not told whether your steps are right",
            Feedback.AFTER_INSTANCE: "after each one you see how you did",
            Feedback.AFTER_STEP: "each step is marked as you submit it",
        }[feedback]
        lines.append(f"Then {scored} instance(s) are scored: {told}.")
    lines.append("You can pause at any time: paused time does not count.")
    return "\n".join(lines)
