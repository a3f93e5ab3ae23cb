"""Writing answers in the official TMBench answer format (and its common variants).

Used by the gold traces, the synthetic model, the examples and the tests: a sequence of model
steps (each with the queue it writes and what it says it did) becomes transcript text.

Two styles are formats of their own (docs/tail.md): ``tail`` writes every step as fixed,
atomic lines (what it reads and where that was written, the rule, the symbols deleted and
appended, the new length, then the queue) and ``indexed`` writes each queue symbol with its
position on the tape (``[4:C 5:A 6:C]``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["STYLES", "ModelStep", "format_answer", "format_step"]

STYLES = ("official", "echo", "chinese", "compact", "commas", "tail", "indexed")


@dataclass(slots=True)
class ModelStep:
    """One step as a model writes it."""

    step: int
    queue: str | None  # None: the step is written without a readable queue
    head: str | None = None  # the head symbol it says it read (None for step 0)
    appended: str | None = None  # what it says it appends
    removed: str | None = None  # what it says it removes
    halt: bool = False  # marks the state as halting
    stop: bool = False  # marks that the step cap was reached
    prev: str | None = None  # the previous queue (for the echo style)
    raw_queue: str | None = None  # queue text to write verbatim instead of [A B C]
    # the tail style: the tape position it says it read from and the step that wrote it
    fetch: tuple[int, int] | None = None
    at: int | None = None  # the tape position of the queue's first symbol (tail, indexed)
    read_offset: int = 0  # a wrong fetch: the symbol read stood this many places after the head


def _sp(symbols: str) -> str:
    return " ".join(symbols)


def _queue_text(s: ModelStep, style: str) -> str:
    if s.raw_queue is not None:
        return s.raw_queue
    if s.queue is None:
        return "(see above)"
    if style == "commas":
        return "[" + ", ".join(s.queue) + "]"
    if style == "indexed" and s.at is not None:
        return "[" + " ".join(f"{s.at + i}:{c}" for i, c in enumerate(s.queue)) + "]"
    return "[" + _sp(s.queue) + "]"


def _tail_body(s: ModelStep) -> str:
    """The tail style's fixed lines before the queue (docs/tail.md)."""
    if s.step == 0:
        return f"   - Action: Init\n   - Length: {len(s.queue or '')}\n"
    lines = []
    if s.fetch is not None:
        pos, writer = s.fetch
        lines.append(f"   - Read: {s.head} from position {pos} (written by step {writer})\n")
    appended = _sp(s.appended) if s.appended else "nothing"
    if s.head is not None:
        lines.append(f"   - Rule: {s.head} : {appended}\n")
    lines.append(f"   - Delete: {_sp(s.removed or '') or 'nothing'}\n")
    where = ""
    if s.appended and s.at is not None and s.queue is not None:
        first = s.at + len(s.queue) - len(s.appended)  # the tape position of the first
        last = first + len(s.appended) - 1
        where = f" (position {first})" if first == last else f" (positions {first}-{last})"
    lines.append(f"   - Append: {appended}{where}\n")
    if s.queue is not None:
        lines.append(f"   - Length: {len(s.queue)}\n")
    return "".join(lines)


def format_step(s: ModelStep, style: str = "official") -> str:
    mark = " <halt>" if s.halt else (" <stop>" if s.stop else "")
    q = _queue_text(s, style)
    if style == "compact":
        return f"Step {s.step}: {q}{mark}\n"
    if style == "chinese":
        head = f"### 步骤 {s.step}：\n"
        if s.step == 0:
            body = "   - 动作: 初始化\n"
        else:
            body = (
                f"   - 头符号: {s.head}\n"
                f"   - 动作: Append {_sp(s.appended or '')} to the end of the queue. "
                f"Remove {_sp(s.removed or '')} from the head.\n"
            )
        return head + body + f"   - 队列状态: {q}{mark}\n\n"
    if style == "tail":
        return f"### step {s.step}:\n{_tail_body(s)}   - Queue State: {q}{mark}\n\n"
    lines = [f"### step {s.step}:\n"]
    if style == "echo" and s.step > 0 and s.prev is not None:
        lines.append(f"   - Queue State: [{_sp(s.prev)}]\n")
    if s.step == 0:
        lines.append("   - Action: Init\n")
    else:
        if s.head is not None:
            lines.append(f"   - Head Symbol: {s.head}\n")
        appended = _sp(s.appended) if s.appended else "nothing"
        removed = _sp(s.removed or "")
        lines.append(
            f"   - Action: Append {appended} to the end of the queue. Remove {removed} from the head.\n"
        )
    lines.append(f"   - Queue State: {q}{mark}\n\n")
    return "".join(lines)


def format_answer(
    steps: Iterable[ModelStep],
    *,
    style: str = "official",
    preamble: str = "Here is the step-by-step simulation:\n\n",
    think: str | None = None,
    epilogue: str = "",
) -> str:
    """A whole answer: optional <think> reasoning, a preamble, the steps, an epilogue."""
    if style not in STYLES:
        raise ValueError(f"unknown answer style {style!r}")
    parts = []
    if think is not None:
        parts.append(f"<think>\n{think}\n</think>\n\n")
    if style == "chinese" and preamble.startswith("Here is"):
        preamble = "好的，这是 m-tag 系统的模拟步骤：\n\n"
    parts.append(preamble)
    if style != "compact":
        parts.append("Simulation steps:\n")
    parts.extend(format_step(s, style) for s in steps)
    text = "".join(parts).rstrip("\n")
    return text + epilogue
