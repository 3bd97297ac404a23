"""The one rule for every one-line value (property values, -P, --from, preset parameters,
addresses): no line break and no control character. Here, at the bottom of the domain, so the
configuration readers and writers use it too (re-exported by :mod:`mailtui.javamail.values`).
"""

from __future__ import annotations

# What a one-line value never holds: every character str.splitlines() breaks a line on (CR,
# LF, VT, FF, FS, GS, RS, NEL, U+2028, U+2029; some reader or server would see two lines), NUL
# and the other control characters (TAB excepted).
_CONTROL_NAMES = {
    "\r": "carriage return", "\n": "line feed", "\x0b": "vertical tab", "\x0c": "form feed",
    "\x1c": "file separator", "\x1d": "group separator", "\x1e": "record separator",
    "\x85": "next-line character (NEL)", "\u2028": "line separator",
    "\u2029": "paragraph separator", "\x00": "NUL",
}


def is_forbidden_char(ch: str) -> bool:
    return ch in _CONTROL_NAMES or (ch < " " and ch != "\t") or ch == "\x7f"


def line_break_problem(value: str) -> str | None:
    """None when ``value`` is one line of text; else what it holds, e.g. "a line break or
    control character: a carriage return and a line separator (U+000D, U+2028)". The one rule
    for every one-line value (property values, -P, --from, preset parameters, addresses):
    refused in every mode, never repaired."""
    found = [ch for ch in dict.fromkeys(value) if is_forbidden_char(ch)]
    if not found:
        return None
    names = " and ".join(f"a {_CONTROL_NAMES.get(ch, 'control character')}"
                         for ch in found[:3]) + (" and more" if len(found) > 3 else "")
    codes = ", ".join(f"U+{ord(ch):04X}" for ch in found[:3])
    return f"a line break or control character: {names} ({codes})"
