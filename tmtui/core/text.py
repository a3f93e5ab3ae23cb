"""Untrusted text made safe to show: control characters become visible, never act.

Model output and dataset strings are data. Before anything reaches a terminal (CLI output, error
lines, the TUI) it goes through :func:`visible`: ESC becomes ``␛``, other C0 controls their
Unicode control pictures (``␀`` .. ``␟``), DEL ``␡``, C1 controls and bidi/invisible format
characters an escape like ``\\x9b`` or ``\\u202e``. Newlines and tabs are kept unless asked.

Every escape sequence starts with a control character (ESC, or a C1 control such as U+009B
CSI or U+009D OSC), so replacing the characters one by one defuses them all, with or without
a bracket: ``ESC # 8`` (screen fill), ``ESC ( 0`` (line drawing), ``ESC c`` (reset), ``ESC P``
(device control), OSC 2 (window title) and OSC 52 (clipboard) alike. Each character maps to
its stand-in on its own, so ``visible(a + b) == visible(a) + visible(b)``: a renderer may cut
a string first and make the pieces visible after.
"""

from __future__ import annotations

import re

__all__ = ["has_controls", "invalid_utf8_at", "json_safe", "one_line", "visible"]

# C0 (except \t \n), DEL, C1, bidi embeddings/overrides/isolates and marks, zero-width and
# other format characters that can reorder or hide text (the Mongolian vowel separator, the
# interlinear annotation controls, the invisible tag characters), line/paragraph separators,
# BOM, lone surrogates (which cannot be encoded for output).
_FORMAT = (
    "\x7f-\x9f\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb"
    "\ud800-\udfff\U000e0000-\U000e007f"
)
_UNSAFE = re.compile(f"[\x00-\x08\x0b-\x1f{_FORMAT}]")
_UNSAFE_WITH_NL = re.compile(f"[\x00-\x1f{_FORMAT}]")


def _picture(m: re.Match[str]) -> str:
    ch = m.group()
    code = ord(ch)
    if code == 0x1B:
        return "␛"
    if code < 0x20:
        return chr(0x2400 + code)
    if code == 0x7F:
        return "␡"
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code > 0xFFFF:
        return f"\\U{code:08x}"
    return f"\\u{code:04x}"


def visible(text: str, *, keep_newlines: bool = True) -> str:
    """Return ``text`` with every control or bidi character replaced by a visible stand-in."""
    pattern = _UNSAFE if keep_newlines else _UNSAFE_WITH_NL
    if keep_newlines and "\t" in text:
        text = text.replace("\t", "    ")
    return pattern.sub(_picture, text)


def has_controls(text: str) -> bool:
    return _UNSAFE_WITH_NL.search(text) is not None


def one_line(text: str, limit: int = 200) -> str:
    """A single visible line, cut to ``limit`` characters (for error messages)."""
    out = visible(text, keep_newlines=False)
    if len(out) > limit:
        out = out[: limit - 1] + "…"
    return out


def invalid_utf8_at(data: bytes, *, final: bool = True) -> int | None:
    """The offset of the first byte that is not valid UTF-8, or None.

    With ``final=False`` an incomplete sequence at the very end is not an error (the bytes
    may have been cut mid-character, as a torn last line is). Decided from the bytes alone,
    never from a dependency's exception type or message.
    """
    if data.isascii():
        return None
    try:
        data.decode("utf-8")
        return None
    except UnicodeDecodeError as exc:
        if not final and exc.reason == "unexpected end of data":
            return None
        return exc.start


def json_safe(json_text: str) -> str:
    """JSON text (as ``json.dumps(..., ensure_ascii=False)`` writes it) with every character
    that could act on a terminal written as a ``\\uXXXX`` escape: the same JSON value, safe
    to print. (Inside JSON strings controls below U+0020 are escaped already; C1, DEL, bidi
    and format characters are not.)"""
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", json_text)
