"""Write properties text that ``java.util.Properties.load`` reads back exactly."""

from __future__ import annotations

from collections.abc import Iterable

_CONTROL = {"\t": "\\t", "\n": "\\n", "\r": "\\r", "\f": "\\f", "\\": "\\\\"}


def _unicode_escape(ch: str) -> str:
    code = ord(ch)
    if code > 0xFFFF:  # Java strings are UTF-16: write the surrogate pair
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04X}\\u{0xDC00 + (code & 0x3FF):04X}"
    return f"\\u{code:04X}"


def escape(text: str, *, is_key: bool) -> str:
    """Java's Properties.store escaping: ``\\``, control characters and anything outside
    printable ASCII always; in keys also space, ``=``, ``:``, ``#``, ``!``; in values a
    leading space (so it is not skipped)."""
    out: list[str] = []
    for i, ch in enumerate(text):
        if ch in _CONTROL:
            out.append(_CONTROL[ch])
        elif ch == " ":
            out.append("\\ " if is_key or i == 0 else " ")
        elif is_key and ch in "=:#!":
            out.append("\\" + ch)
        elif not " " <= ch <= "~":
            out.append(_unicode_escape(ch))
        else:
            out.append(ch)
    return "".join(out)


def format_properties(items: Iterable[tuple[str, str]], *, header: str | None = None) -> str:
    """One ``key=value`` line per item (in the given order), optional ``#`` header lines."""
    lines: list[str] = []
    if header:
        for text in header.splitlines() or [""]:
            comment = "".join(ch if " " <= ch <= "~" else _unicode_escape(ch) for ch in text)
            lines.append(f"# {comment}".rstrip())
    for key, value in items:
        lines.append(f"{escape(key, is_key=True)}={escape(value, is_key=False)}")
    return "\n".join(lines) + "\n" if lines else ""
