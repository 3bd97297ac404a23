"""The exact Java reading of ``.properties`` text: what ``java.util.Properties.load`` does
(logical lines with backslash continuations, ``#``/``!`` comments, the ``=``/``:``/whitespace
separator, ``\\uXXXX`` and the other escapes). No repair and no opinion: the repair of pasted
text is ``mailtui.javamail.repair``, the diagnostics ``mailtui.javamail.parser``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from mailtui.errors import ConfigError, Location

MAX_CHARS = 1_000_000  # properties files are small; anything bigger is not one
JAVA_WS = " \t\f"


class PropertiesError(ConfigError):
    """The text cannot be read as properties at all (the parser's only exception)."""


@dataclass
class LogicalLine:
    """A logical line: natural lines joined at backslash-newline, with positions."""

    text: str
    lines: list[int]  # natural line of each character
    cols: list[int]  # 1-based column of each character
    start: int

    def where(self, index: int) -> tuple[int, int | None]:
        if not self.text:
            return self.start, None
        index = max(0, min(index, len(self.text) - 1))
        return self.lines[index], self.cols[index]


def logical_lines(text: str) -> Iterator[LogicalLine]:
    """Java's LineReader: skip blank and comment lines, join continuations."""
    n = len(text)
    i = 0
    line = 1
    line_start = 0
    while i < n:
        c = text[i]
        if c in JAVA_WS:
            i += 1
            continue
        if c in "\r\n":
            i += 2 if c == "\r" and i + 1 < n and text[i + 1] == "\n" else 1
            line += 1
            line_start = i
            continue
        if c in "#!":
            while i < n and text[i] not in "\r\n":
                i += 1
            continue
        parts: list[str] = []
        lines: list[int] = []
        cols: list[int] = []
        start = line
        while True:
            j = i
            while j < n and text[j] not in "\r\n":
                j += 1
            segment = text[i:j]
            slashes = len(segment) - len(segment.rstrip("\\"))
            more = slashes % 2 == 1
            if more:
                segment = segment[:-1]
            parts.append(segment)
            lines.extend([line] * len(segment))
            cols.extend(range(i - line_start + 1, i - line_start + 1 + len(segment)))
            if j < n:
                j += 2 if text[j] == "\r" and j + 1 < n and text[j + 1] == "\n" else 1
                line += 1
                line_start = j
            i = j
            if not more or i >= n:
                break
            while i < n and text[i] in JAVA_WS:
                i += 1
            if i >= n or text[i] in "\r\n":
                break  # an empty continuation line ends the logical line, as in Java
        joined = "".join(parts)
        if joined:
            yield LogicalLine(joined, lines, cols, start)


def split_key_value(s: str) -> tuple[int, int, str]:
    """Java's key/value split: (key end, value start, separator: '=', ':', ' ' or '')."""
    key_len = 0
    n = len(s)
    value_start = n
    sep = ""
    backslash = False
    while key_len < n:
        c = s[key_len]
        if not backslash and c in "=:":
            value_start = key_len + 1
            sep = c
            break
        if not backslash and c in JAVA_WS:
            value_start = key_len + 1
            sep = " "
            break
        backslash = not backslash if c == "\\" else False
        key_len += 1
    while value_start < n:
        c = s[value_start]
        if c not in JAVA_WS:
            if sep in ("", " ") and c in "=:":
                sep = c
            else:
                break
        value_start += 1
    return key_len, value_start, sep


ESCAPES = {"t": "\t", "n": "\n", "r": "\r", "f": "\f"}
_HEX = frozenset("0123456789abcdefABCDEF")


def unescape(s: str) -> tuple[str, list[int]]:
    """Java's loadConvert. Returns the text and the positions of malformed \\u escapes
    (Java throws on them; here they are kept literally)."""
    if "\\" not in s:
        return _join_surrogates(s)[0], []
    out: list[str] = []
    bad: list[int] = []
    i = 0
    n = len(s)
    while i < n:
        c = s[i]
        i += 1
        if c != "\\":
            out.append(c)
            continue
        if i >= n:
            break  # cannot happen after the line reader; drop a dangling backslash
        c = s[i]
        i += 1
        if c == "u":
            digits = s[i:i + 4]
            if len(digits) == 4 and all(d in _HEX for d in digits):
                out.append(chr(int(digits, 16)))
                i += 4
            else:
                bad.append(i - 2)
                out.append("\\u")
        else:
            out.append(ESCAPES.get(c, c))
    return _join_surrogates("".join(out))[0], bad


def _join_surrogates(s: str) -> tuple[str, bool]:
    """Java strings are UTF-16: turn \\uD83D\\uDE00 pairs into one character. Lone
    surrogates become U+FFFD (second item True)."""
    if not any("\ud800" <= ch <= "\udfff" for ch in s):
        return s, False
    data = s.encode("utf-16-le", "surrogatepass")
    try:
        return data.decode("utf-16-le"), False
    except UnicodeDecodeError:
        return data.decode("utf-16-le", "replace"), True


def check_input(text: object, source: str) -> str:
    if not isinstance(text, str):
        raise PropertiesError(f"{source}: expected text, got {type(text).__name__}",
                              hint="decode the file as UTF-8 (or ISO-8859-1, as Java does)",
                              location=Location(source))
    if len(text) > MAX_CHARS:
        raise PropertiesError(
            f"{source} is {len(text):,} characters long: too big for a properties file",
            hint="paste only the mail.* lines", location=Location(source))
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise PropertiesError(f"{source} contains NUL bytes: it is not a text file",
                              hint="give the .properties file itself, not a binary",
                              location=Location(source, line))
    return text


def java_load(text: str, *, source: str = "<input>") -> list[tuple[str, str, int]]:
    """Exactly what ``java.util.Properties.load`` reads: (key, value, line) in file order,
    duplicates included. Raises PropertiesError where Java throws (malformed \\uxxxx)."""
    check_input(text, source)
    result = []
    for logical in logical_lines(text):
        key_end, value_start, _ = split_key_value(logical.text)
        key, bad_key = unescape(logical.text[:key_end])
        value, bad_value = unescape(logical.text[value_start:])
        if bad_key or bad_value:
            where = bad_key[0] if bad_key else value_start + bad_value[0]
            line, col = logical.where(where)
            raise PropertiesError("malformed \\uxxxx escape (Java refuses the whole file)",
                                  hint="write \\u followed by exactly 4 hex digits",
                                  location=Location(source, line, col))
        result.append((key, value, logical.start))
    return result
