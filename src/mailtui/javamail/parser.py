"""Read Java ``.properties`` text exactly as ``java.util.Properties.load`` does, then repair and
diagnose what people paste from vendor docs and admin consoles.

Two layers:

* ``java_load`` is the exact Java reading (separators, comments, continuations, escapes).
* ``parse_properties`` is tolerant: every entry keeps ``raw`` (what Java reads) and ``value``
  (cleaned: unambiguous fixes applied), and every problem becomes a ``Diagnostic`` with its
  line number, a plain-language message and a one-line fix. It never raises anything but
  ``PropertiesError``, and only for input that is not properties text at all.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Literal

from mailtui.errors import ConfigError, Location
from mailtui.javamail.catalog import (
    KNOWN_CLASSES,
    TLS_PROTOCOLS,
    PropertySpec,
    explain_unknown,
    host_problem,
    is_misplaced_password,
    is_secret_key,
    line_break_problem,
    lookup,
    suggest,
    validate_value,
    value_fix,
)

Severity = Literal["error", "warning", "info"]
MAX_CHARS = 1_000_000  # properties files are small; anything bigger is not one

_JAVA_WS = " \t\f"
@dataclass(frozen=True)
class Diagnostic:
    """One problem found on one line."""

    line: int
    column: int | None
    severity: Severity
    message: str  # plain language, names the key when there is one
    fix: str | None  # one-line suggested fix
    key: str | None = None
    applied: bool = False  # True when ``Entry.value`` already holds the fixed text
    refused: bool = False  # never stored, whatever the options (--force, --as-is)

    def describe(self, source: str | None = None) -> str:
        """``source:line:col: severity: message`` then the fix on its own line."""
        where = f"{source}:" if source else ""
        where += f"{self.line}:" + (f"{self.column}:" if self.column else "")
        text = f"{where} {self.severity}: {self.message}"
        if self.fix:
            text += f"\n  fix{' (applied)' if self.applied else ''}: {self.fix}"
        return text


@dataclass(frozen=True)
class Entry:
    """One property. ``raw`` is the value as Java reads it (for a line that needed repair
    around the key, e.g. a list marker, as Java reads it once the key is repaired)."""

    key: str
    value: str  # cleaned value (unambiguous fixes applied)
    raw: str
    line: int  # 1-based line where the entry starts


@dataclass
class ParseResult:
    entries: list[Entry]
    diagnostics: list[Diagnostic]
    source: str = "<input>"

    def properties(self) -> dict[str, str]:
        """Cleaned values; the last occurrence wins (as Java), in order of first appearance."""
        props: dict[str, str] = {}
        for entry in self.entries:
            props[entry.key] = entry.value
        return props

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "warning"]

    def report(self) -> str:
        """Every diagnostic, one per block, in line order."""
        return "\n".join(d.describe(self.source) for d in self.diagnostics)


class PropertiesError(ConfigError):
    """The text cannot be read as properties at all (the parser's only exception)."""


# ------------------------------------------------------------------ exact Java reading


@dataclass
class _Logical:
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


def _logical_lines(text: str) -> Iterator[_Logical]:
    """Java's LineReader: skip blank and comment lines, join continuations."""
    n = len(text)
    i = 0
    line = 1
    line_start = 0
    while i < n:
        c = text[i]
        if c in _JAVA_WS:
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
            while i < n and text[i] in _JAVA_WS:
                i += 1
            if i >= n or text[i] in "\r\n":
                break  # an empty continuation line ends the logical line, as in Java
        joined = "".join(parts)
        if joined:
            yield _Logical(joined, lines, cols, start)


def _split(s: str) -> tuple[int, int, str]:
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
        if not backslash and c in _JAVA_WS:
            value_start = key_len + 1
            sep = " "
            break
        backslash = not backslash if c == "\\" else False
        key_len += 1
    while value_start < n:
        c = s[value_start]
        if c not in _JAVA_WS:
            if sep in ("", " ") and c in "=:":
                sep = c
            else:
                break
        value_start += 1
    return key_len, value_start, sep


_ESCAPES = {"t": "\t", "n": "\n", "r": "\r", "f": "\f"}
_HEX = frozenset("0123456789abcdefABCDEF")


def _unescape(s: str) -> tuple[str, list[int]]:
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
            out.append(_ESCAPES.get(c, c))
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


def _check_input(text: object, source: str) -> str:
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
    _check_input(text, source)
    result = []
    for logical in _logical_lines(text):
        key_end, value_start, _ = _split(logical.text)
        key, bad_key = _unescape(logical.text[:key_end])
        value, bad_value = _unescape(logical.text[value_start:])
        if bad_key or bad_value:
            where = bad_key[0] if bad_key else value_start + bad_value[0]
            line, col = logical.where(where)
            raise PropertiesError("malformed \\uxxxx escape (Java refuses the whole file)",
                                  hint="write \\u followed by exactly 4 hex digits",
                                  location=Location(source, line, col))
        result.append((key, value, logical.start))
    return result


# ------------------------------------------------------------------ tolerant layer

_INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e\u2061\u2062\u2063\u2064")
_SPACES = frozenset("\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
                    "\u2009\u200a\u202f\u205f\u3000")
_QUOTES = {"\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
           "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'"}
_CATEGORY_TEXT = {
    "invisible": "invisible characters (zero-width space, BOM or soft hyphen)",
    "space": "non-breaking spaces",
    "quote": "typographic quotes (\u201c \u201d \u2018 \u2019)",
    "fullwidth": "fullwidth characters",
}


def _char_fix(ch: str) -> tuple[str, str | None]:
    """(replacement, category) for a character pasted from a word processor or web page."""
    if ch in _INVISIBLE:
        return "", "invisible"
    if ch in _SPACES:
        return " ", "space"
    if ch in _QUOTES:
        return _QUOTES[ch], "quote"
    if "\uff01" <= ch <= "\uff5e":
        return chr(ord(ch) - 0xFEE0), "fullwidth"
    return ch, None


def _normalize(text: str) -> tuple[str, list[int], set[str], list[str | None]]:
    """Replace pasted look-alikes everywhere; keep a map to the original positions."""
    out: list[str] = []
    index: list[int] = []
    cats: set[str] = set()
    per_char: list[str | None] = []
    for i, ch in enumerate(text):
        repl, cat = _char_fix(ch)
        per_char.append(cat)
        if cat:
            cats.add(cat)
        for r in repl:
            out.append(r)
            index.append(i)
    return "".join(out), index, cats, per_char


_KEY_SHAPE = re.compile(r"[A-Za-z_][\w\-]*(?:\.[\w\-]+)+", re.ASCII)
_BULLET = re.compile(
    r"(?:[\u2022\u00b7\u25e6\u25aa\u25ab\u2023\u2043\u25cf\u25cb\u25a0\u25a1\u25ba\u25b8\u27a2"
    r"\u27a4\u2192\u2713\u2714*+\-\u2013\u2014]\s*|\(?\d{1,3}[.)]\s+|\(?[a-z][.)]\s+)"
    r"(?=[A-Za-z_][\w\-]*\.[\w\-])"
)
_JAVA_CALL = re.compile(
    r"(?:[A-Za-z_][\w.]*\.)?(?:put|setProperty)\(\s*\"([^\"\\]+)\"\s*,\s*"
    r"(\"(?:[^\"\\]|\\.)*\"|[\w.+-]+)\s*\)\s*;?\s*(?://.*)?"
)
_EMBEDDED = re.compile(r"\s+(?=((?:mail|mailtui)\.[\w\-]+(?:\.[\w\-]+)*)\s*[=:])", re.ASCII)
_SINGLE_TOKEN = frozenset({"bool", "int", "port", "localport", "millis", "host", "ehlo", "enum",
                           "address"})
_TYPED = (_SINGLE_TOKEN - {"address"}) | {"class", "dsn-notify", "tls-protocols",
                                          "mechanisms", "hostlist", "list"}
# "value   **Optional", "value # note", "value // note", "value <-- note", "value (optional)"
_MARKERS_ANY = r"\*{1,2}\s*\S|#|//|<-{1,2}|\u2190|\u21d0"
_MARKERS_TYPED = _MARKERS_ANY + r"|--|\u2013|\u2014|\("
_NOTE_PARENS = (r"\((?:optional|required|recommended|default|if|only|for|e\.g\.|example|"
                r"not|see|note)\b[^)]*\)\s*$")
_ANNOT_STRING = re.compile(rf"\s+(?:{_MARKERS_ANY}|{_NOTE_PARENS})", re.I)
_ANNOT_TYPED = re.compile(rf"\s+(?:{_MARKERS_TYPED})", re.I)
_QUOTE_PAIRS = {'"': '"', "'": "'", "\u201c": "\u201d", "\u201d": "\u201d",
                "\u201e": "\u201c", "\u2018": "\u2019", "\u2019": "\u2019", "`": "`",
                "\u00ab": "\u00bb"}


@dataclass
class _Note:
    severity: Severity
    message: str
    fix: str | None
    applied: bool


def _java_bool(spec: PropertySpec, value: str) -> str:
    """What JavaMail's PropUtil makes of a text value for a boolean property."""
    default = spec.default or "false"
    if default == "true":
        return "false" if value.lower() == "false" else "true"
    return "true" if value.lower() == "true" else "false"


@dataclass
class _Parser:
    source: str
    validate: bool
    entries: list[Entry] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    seen: dict[str, int] = field(default_factory=dict)
    prose: list[tuple[int, str]] = field(default_factory=list)

    def run(self, text: str) -> ParseResult:
        for logical in _logical_lines(text):
            self.logical_line(logical)
        self.flush_prose()
        self.diagnostics.sort(key=lambda d: (d.line, d.column or 0))
        return ParseResult(self.entries, self.diagnostics, self.source)

    def diag(self, line: int, column: int | None, severity: Severity, message: str,
             fix: str | None = None, key: str | None = None, applied: bool = False,
             refused: bool = False) -> None:
        self.diagnostics.append(Diagnostic(line, column, severity, message, fix, key, applied,
                                           refused))

    # ---------------------------------------------------------------- lines

    def logical_line(self, lg: _Logical) -> None:
        norm, index, _, _ = _normalize(lg.text)
        lead = len(norm) - len(norm.lstrip(_JAVA_WS))
        norm, index = norm[lead:], index[lead:]
        if not norm:
            self.diag(lg.start, None, "info",
                      f"line {lg.start} holds only invisible characters or non-breaking spaces "
                      "(Java would read them as a property name); ignored",
                      "delete the line")
            return
        if norm[0] in "#!":
            self.diag(lg.start, None, "info",
                      f"line {lg.start} is a comment behind invisible characters or "
                      "non-breaking spaces (Java would read it as a property); ignored",
                      "start the line with # itself")
            return
        call = _JAVA_CALL.fullmatch(norm)
        if call:
            self.java_call(lg, call)
            return
        key_notes: list[_Note] = []
        bullet = _BULLET.match(norm)
        if bullet:
            marker = bullet.group(0).strip()
            key_notes.append(_Note("warning", f"list marker {marker!r} before the key",
                                   f"remove {marker!r} from the start of the line", True))
            norm, index = norm[bullet.end():], index[bullet.end():]
        pieces = self.split_several(norm)
        if len(pieces) > 1:
            keys = [norm[a:b].split("=")[0].split(":")[0].strip() for a, b in pieces]
            line, col = lg.where(index[0])
            self.diag(line, col, "warning",
                      f"line {line} holds several properties ({', '.join(keys)}); "
                      "read as one per line", "put each property on its own line",
                      keys[0], True)
            for k, (a, b) in enumerate(pieces):
                seg = norm[a:b].rstrip()
                skip = len(seg) - len(seg.lstrip())
                seg, a = seg[skip:], a + skip
                self.single(lg, seg, index[a:a + len(seg)], key_notes if k == 0 else [],
                            exact=False, first=k == 0)
            return
        self.single(lg, norm, index, key_notes, exact=not key_notes)

    def split_several(self, norm: str) -> list[tuple[int, int]]:
        key_end, value_start, _ = _split(norm)
        if lookup(_unescape(norm[:key_end])[0]) is None:
            return [(0, len(norm))]
        cuts = [m.start() for m in _EMBEDDED.finditer(norm, value_start)
                if lookup(m.group(1)) is not None]
        bounds = [0, *cuts, len(norm)]
        return [(bounds[k], bounds[k + 1]) for k in range(len(bounds) - 1)]

    def java_call(self, lg: _Logical, call: re.Match[str]) -> None:
        key, value = call.group(1), call.group(2)
        if value.startswith('"'):
            value = re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), value[1:-1])
        elif value in ("Boolean.TRUE", "Boolean.FALSE"):
            value = value.split(".")[1].lower()
        line, col = lg.where(0)
        shown = value if value.isprintable() else repr(value)
        self.diag(line, col, "warning",
                  f"line {line} is Java code, not properties text; read as {key}={shown}"
                  if not is_secret_key(key) else
                  f"line {line} is Java code, not properties text; read as {key}=...",
                  f"write {key}=... instead of the put/setProperty call", key, True)
        self.finish(lg, key, value, 0)

    def single(self, lg: _Logical, norm: str, index: list[int], key_notes: list[_Note],
               exact: bool, first: bool = True) -> None:
        key_end, value_start, sep = _split(norm)
        key, bad = _unescape(norm[:key_end])
        key_line, key_col = lg.where(index[0] if index else 0)
        quoted = _strip_quotes(key)
        if quoted != key and quoted:
            key_notes = [*key_notes, _Note(
                "warning", f"quotes around the key {key}", f"write {quoted} without quotes",
                True)]
            key = quoted
        if not key:
            self.diag(key_line, key_col, "warning",
                      f"line {key_line} has no key (it starts with {sep or norm[:1]!r}); "
                      "ignored", "write key=value, e.g. mail.smtp.host=smtp.example.com")
            return
        if _is_prose(key, sep, norm[value_start:]):
            self.prose.append((lg.start, norm))
            return
        self.flush_prose()
        for pos in bad:
            line, col = lg.where(index[min(pos, len(index) - 1)])
            self.diag(line, col, "error",
                      f"malformed \\uxxxx escape in the key {key} (Java refuses the whole file)",
                      "write \\u followed by exactly 4 hex digits", key)
        value_pos = index[value_start] if value_start < len(index) else \
            (index[-1] + 1 if index else 0)
        java_key_end, java_value_start, _ = _split(lg.text)
        java_key = _unescape(lg.text[:java_key_end])[0]
        if exact and java_key == key:
            raw_text, raw_offset = lg.text[java_value_start:], java_value_start
        else:
            raw_text = lg.text[value_pos:index[-1] + 1] if value_start < len(norm) else ""
            raw_offset = value_pos
            cats = sorted(_normalize(lg.text[:value_pos])[2])
            if cats and java_key != key:
                key_notes = [*key_notes, _Note(
                    "warning", f"{' and '.join(_CATEGORY_TEXT[c] for c in cats)} in the key "
                    "or separator", "retype the key and '=' with plain characters", True)]
            if key_notes and first and java_key != key:
                key_notes[0].message += f" (Java would read the key as {java_key!r})"
        raw, bad_value = _unescape(raw_text)
        for note in key_notes:
            self.diag(key_line, key_col, note.severity, f"{key}: {note.message}", note.fix,
                      key, note.applied)
        for pos in bad_value:
            line, col = lg.where(raw_offset + pos)
            self.diag(line, col, "error",
                      f"{key}: malformed \\uxxxx escape in the value (Java refuses the whole "
                      "file)", "write \\u followed by exactly 4 hex digits", key)
        self.finish(lg, key, raw, raw_offset)

    def finish(self, lg: _Logical, key: str, raw: str, offset: int) -> None:
        line, col = lg.where(offset)
        spec = lookup(key)
        refused = self.refuse(line, col, key, raw)
        value, notes = (raw, []) if refused else clean_value(key, spec, raw)
        for note in notes:
            self.diag(line, col, note.severity, f"{key}: {note.message}", note.fix, key,
                      note.applied)
        if not value and not refused:
            self.diag(line, col, "warning", f"{key} has no value",
                      "add a value after '=' or delete the line", key)
        elif self.validate and not refused:
            self.check(line, col, key, spec, value)
        if key in self.seen:
            first = self.seen[key]
            self.diag(lg.start, None, "warning",
                      f"{key} is set on line {first} and again on line {lg.start}; the last "
                      "one wins (as in Java)", f"delete one of lines {first} and {lg.start}",
                      key)
        else:
            self.seen[key] = lg.start
        self.entries.append(Entry(key, value, raw, lg.start))

    def refuse(self, line: int, col: int | None, key: str, raw: str) -> bool:
        """What is never stored, in any mode: a value with a line break or control character
        (:func:`~mailtui.javamail.catalog.line_break_problem`: Java's ``\\r``, ``\\n``,
        ``\\u2028`` escapes...; it would inject SMTP commands, and no repair can know what was
        meant), and a password, which belongs to the server settings."""
        if is_misplaced_password(key):
            self.diag(line, None, "error", f"{key}: a password does not belong in the server "
                      "properties (JavaMail never reads it; mailtui neither uses nor exports it)",
                      "delete the line and set server.password_env, server.password_command or "
                      "server.password in the configuration file", key, refused=True)
            return True
        breaks = line_break_problem(raw)
        if breaks:
            self.diag(line, col, "error", f"{key}: the value holds {breaks} (from an escape such "
                      "as \\r, \\n or \\u2028, or pasted); a property value is one line, and a "
                      "line break would inject SMTP commands", "remove the escape or character "
                      "from the value", key, refused=True)
            return True
        return False

    def check(self, line: int, col: int | None, key: str, spec: PropertySpec | None,
              value: str) -> None:
        if spec is None:
            why = explain_unknown(key)
            if why:
                self.diag(line, None, "warning", f"{key}: {why}", "delete the line", key)
                return
            guess = suggest(key)
            where = "JavaMail" if key.startswith("mail.") else "JavaMail or mailtui"
            self.diag(line, None, "warning", f"{key} is not a property {where} knows; it "
                      "has no effect", f"did you mean {guess}?" if guess else "delete the line",
                      key)
            return
        problem = validate_value(spec, value)
        if problem:
            self.diag(line, col, "error", f"{key}: {problem}", value_fix(spec, value), key)

    def flush_prose(self) -> None:
        run = self.prose
        self.prose = []
        group: list[tuple[int, str]] = []
        for line, text in run:
            if "=" in text or text.lower().startswith("mail"):
                self.emit_prose(group)
                group = []
                key = text.split()[0] if text.split() else text
                self.diag(line, 1, "warning",
                          f"line {line} looks like a property but is not key=value (Java would "
                          f"read the key as {key!r}); ignored",
                          "write it as key=value, e.g. mail.smtp.host=smtp.example.com")
            else:
                group.append((line, text))
        self.emit_prose(group)

    def emit_prose(self, group: list[tuple[int, str]]) -> None:
        if not group:
            return
        first, text = group[0]
        last = group[-1][0]
        start = text if len(text) <= 40 else text[:39] + "\u2026"
        if re.search(r"pass|secret|token|key", text, re.I):
            start = "(hidden: it may hold a secret)"
        span = f"line {first} is" if first == last else f"lines {first}-{last} are"
        noun = "a property" if first == last else "properties"
        self.diag(first, 1, "warning",
                  f"{span} not {noun} (text pasted by mistake? starts {start!r}); ignored",
                  "paste only the key=value lines")


def _is_prose(key: str, sep: str, value: str) -> bool:
    """A line that is not a property. Java would still read it, but a key that is not dotted
    (mail.smtp.host) is only trusted with '=', or with ':' before a one-word value."""
    if _KEY_SHAPE.fullmatch(key) or sep == "=":
        return False
    return sep != ":" or not value or any(ch.isspace() for ch in value)


def _strip_quotes(text: str) -> str:
    while len(text) >= 2 and _QUOTE_PAIRS.get(text[0]) == text[-1]:
        text = text[1:-1].strip()
    return text


def clean_value(key: str, spec: PropertySpec | None, raw: str) -> tuple[str, list[_Note]]:
    """Apply the unambiguous repairs to a value; describe each one (and the ones not made).
    Repeated until nothing changes, so cleaning a cleaned value changes nothing."""
    value, notes = _clean_once(key, spec, raw, raw)
    for _ in range(4):
        again, more = _clean_once(key, spec, raw, value)
        if again == value:
            break
        value = again
        notes += [n for n in more if n.message not in {m.message for m in notes}]
    return value, notes


def _clean_once(key: str, spec: PropertySpec | None, raw: str,
                value: str) -> tuple[str, list[_Note]]:
    kind = spec.type if spec else "string"
    notes: list[_Note] = []
    if is_secret_key(key):
        odd = raw != raw.strip() or _strip_quotes(raw) != raw or _ANNOT_STRING.search(raw) \
            or any(_char_fix(ch)[1] for ch in raw)
        if odd:
            notes.append(_Note("warning", "the value has surrounding whitespace, quotes, a "
                               "trailing note or pasted look-alike characters; a secret is "
                               "never changed automatically", "check the value", False))
        return value, notes

    def note(message: str, fix: str | None, applied: bool = True,
             severity: Severity = "warning") -> None:
        notes.append(_Note(severity, message, fix, applied))

    # 1. trailing annotations: "value   **Optional, if SSL", "value # note", "value (optional)"
    pattern = _ANNOT_TYPED if kind in _TYPED else _ANNOT_STRING
    body = value.strip()
    match = pattern.search(body)
    while match and body[:match.start()].strip():
        body = body[:match.start()]
        match = pattern.search(body)
    if len(body) < len(value.strip()):
        extra = value.strip()[len(body):].strip()
        note(f"{extra!r} after the value is an annotation, not part of it (Java "
             f"would read {raw!r})", f"delete {extra!r}")
        value = body
    # 2. characters pasted from word processors and web pages
    cats: dict[str, list[str]] = {}
    foreign = False
    for ch in value:
        _, cat = _char_fix(ch)
        if cat:
            cats.setdefault(cat, []).append(ch)
        elif ord(ch) > 127:
            foreign = True
    if cats:
        fixed = []
        for ch in value:
            repl, cat = _char_fix(ch)
            sure = cat in ("invisible", "space") or not foreign
            fixed.append(repl if cat and sure else ch)
        value = "".join(fixed)
    for cat in ("invisible", "space", "quote", "fullwidth"):
        if cat not in cats:
            continue
        sure = cat in ("invisible", "space") or not foreign
        if sure:
            note(f"{_CATEGORY_TEXT[cat]} in the value (Java keeps them as they are)",
                 "replaced with plain characters" if cat != "invisible" else "removed")
        else:
            note(f"{_CATEGORY_TEXT[cat]} in the value; left as they are because the value "
                 "has other non-ASCII text", "retype them with plain ASCII if they are not "
                 "meant", applied=False)
    # 3. surrounding whitespace (Java keeps trailing whitespace; JavaMail does not trim)
    stripped = value.strip()
    if stripped != value and stripped:
        if kind == "bool" and spec is not None:
            message = (f"{raw!r} has whitespace around it: JavaMail reads it as "
                       f"{_java_bool(spec, raw)}")
        else:
            message = "whitespace around the value (Java keeps it)"
        note(message, f"write {stripped}" if kind != "string" else "trim the value")
    value = stripped
    # 4. quotes around the whole value, and a JSON-style trailing comma
    if value.endswith(",") and _strip_quotes(value[:-1].rstrip()) != value[:-1].rstrip():
        value = value[:-1].rstrip()
    unquoted = _strip_quotes(value)
    if unquoted != value:
        note("quotes around the value (Java keeps them as part of it)",
             f"write {unquoted!r} without quotes")
        value = unquoted
    # 5. repairs that depend on the type
    if spec is not None and value:
        value = _typed_repair(spec, raw, value, note)
    return value, notes


_NoteFn = Callable[..., None]


def _typed_repair(spec: PropertySpec, raw: str, value: str, note: _NoteFn) -> str:
    kind = spec.type
    if kind == "class":
        tokens = value.split()
        joined = tokens[0] if tokens else value
        used = 1
        while used < len(tokens) and (joined.endswith(".") or tokens[used].startswith(".")):
            joined += tokens[used]
            used += 1
        if used > 1 and validate_value(spec, joined) is None:
            shown = " ".join(tokens[:used])
            note(f"stray spaces inside the class name {shown!r} (Java would look for a class "
                 "with spaces in its name and fail)", f"use {joined}")
            value = " ".join([joined, *tokens[used:]])
            tokens = value.split()
        if len(tokens) > 1 and validate_value(spec, tokens[0]) is None:
            rest = " ".join(tokens[1:])
            note(f"{rest!r} after the class name is not part of it", f"use {tokens[0]}")
            value = tokens[0]
        if value not in KNOWN_CLASSES:
            for known in KNOWN_CLASSES:
                if known.lower() == value.lower():
                    note(f"{value!r}: Java class names are case-sensitive", f"use {known}")
                    value = known
        return value
    if kind == "dsn-notify":
        fixed = re.sub(r"\s*,\s*", ",", value)
        if fixed != value and validate_value(spec, fixed) is None:
            note(f"spaces in {value!r} (JavaMail sends them to the server as they are)",
                 f"use {fixed}")
            value = fixed
        return value
    if kind == "tls-protocols":
        names = {p.lower(): p for p in TLS_PROTOCOLS}
        tokens = [t for t in re.split(r"[\s,;]+", value) if t]
        if tokens and all(t.lower() in names for t in tokens):
            fixed = " ".join(names[t.lower()] for t in tokens)
            if fixed != value:
                note(f"{value!r}: Java wants exact protocol names separated by spaces",
                     f"use {fixed}")
                value = fixed
        return value
    if kind == "hostlist" and "," in value:
        tokens = [t for t in re.split(r"[\s,]+", value) if t]
        if tokens and all(host_problem(t) is None for t in tokens):
            fixed = " ".join(tokens)
            note(f"commas in {value!r} (JavaMail separates hosts with spaces only)",
                 f"use {fixed}")
            value = fixed
        return value
    if kind in _SINGLE_TOKEN and validate_value(spec, value) is not None:
        tokens = value.split()
        first = tokens[0] if tokens else value
        trimmed = first.rstrip(";,")
        if trimmed and validate_value(spec, trimmed) is None:
            rest = value[len(trimmed):].strip()
            reading = f"; JavaMail reads {raw!r} as {_java_bool(spec, raw)}" \
                if kind == "bool" else ""
            note(f"{rest!r} after the value is not part of it{reading}", f"write {trimmed}")
            value = trimmed
    return value


def parse_properties(text: str, *, source: str = "<input>", validate: bool = True) -> ParseResult:
    """Read properties text the way Java does, repair what was pasted, diagnose the rest.

    ``validate`` also checks keys and values against the catalog (unknown keys with a
    did-you-mean, wrong types) so those findings carry line numbers.
    """
    _check_input(text, source)
    try:
        return _Parser(source, validate).run(text)
    except PropertiesError:
        raise
    except Exception as exc:  # a bug must still reach the user as a clean error
        raise PropertiesError(f"{source}: could not read the properties ({exc})",
                              hint="report this as a bug, with the text that caused it",
                              location=Location(source)) from exc
