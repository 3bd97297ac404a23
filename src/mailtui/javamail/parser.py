"""Read properties text as Java does, repair what was pasted, and diagnose the rest.

* ``javaprops.java_load`` is the exact Java reading (separators, comments, continuations,
  escapes); ``repair`` holds the repairs of pasted text; ``propcheck`` the checks of one
  key and value.
* ``parse_properties`` is tolerant: every entry keeps ``raw`` (what Java reads) and ``value``
  (cleaned: unambiguous fixes applied), and every problem becomes a ``Diagnostic`` with its
  line number, a plain-language message and a one-line fix. It never raises anything but
  ``PropertiesError``, and only for input that is not properties text at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from mailtui.diagnostics import Diagnostic, Severity
from mailtui.errors import Location
from mailtui.javamail.catalog import is_secret_key, line_break_problem, lookup
from mailtui.javamail.javaprops import (
    ESCAPES,
    JAVA_WS,
    MAX_CHARS,
    LogicalLine,
    PropertiesError,
    check_input,
    java_load,
    logical_lines,
    split_key_value,
    unescape,
)
from mailtui.javamail.propcheck import bad_value, misplaced_password, unknown_key
from mailtui.javamail.repair import (
    BULLET,
    CATEGORY_TEXT,
    EMBEDDED,
    JAVA_CALL,
    Note,
    is_prose,
    normalize,
    repair_value,
    strip_quotes,
)

__all__ = ["MAX_CHARS", "Diagnostic", "Entry", "ParseResult", "PropertiesError", "Severity",
           "java_load", "parse_properties"]


@dataclass(frozen=True)
class Entry:
    """One property. ``raw`` is the value as Java reads it (for a line that needed repair
    around the key, e.g. a list marker, as Java reads it once the key is repaired)."""

    key: str
    value: str  # cleaned value (unambiguous fixes applied)
    raw: str
    line: int  # 1-based line where the entry starts
    refused: bool = False  # never stored (a line break in the value, a misplaced password)


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
        return [d for d in self.diagnostics if d.severity == Severity.ERROR]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == Severity.WARNING]

    def report(self) -> str:
        """Every diagnostic, one per block, in line order."""
        return "\n".join(d.describe(self.source) for d in self.diagnostics)


@dataclass
class _Parser:
    source: str
    validate: bool
    entries: list[Entry] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    seen: dict[str, int] = field(default_factory=dict)
    prose: list[tuple[int, str]] = field(default_factory=list)

    def run(self, text: str) -> ParseResult:
        for logical in logical_lines(text):
            self.logical_line(logical)
        self.flush_prose()
        self.diagnostics.sort(key=lambda d: (d.line, d.column or 0))
        return ParseResult(self.entries, self.diagnostics, self.source)

    def diag(self, line: int, column: int | None, severity: Severity | str, message: str,
             fix: str | None = None, key: str | None = None, applied: bool = False,
             refused: bool = False) -> None:
        self.add(Diagnostic(Severity(severity), message, fix=fix, key=key, applied=applied,
                            refused=refused), line, column)

    def add(self, diagnostic: Diagnostic, line: int, column: int | None) -> None:
        self.diagnostics.append(diagnostic.at(self.source, line, column))

    # ---------------------------------------------------------------- lines

    def logical_line(self, lg: LogicalLine) -> None:
        norm, index, _, _ = normalize(lg.text)
        lead = len(norm) - len(norm.lstrip(JAVA_WS))
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
        call = JAVA_CALL.fullmatch(norm)
        if call:
            self.java_call(lg, call)
            return
        key_notes: list[Note] = []
        bullet = BULLET.match(norm)
        if bullet:
            marker = bullet.group(0).strip()
            key_notes.append(Note(Severity.WARNING, f"list marker {marker!r} before the key",
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
        key_end, value_start, _ = split_key_value(norm)
        if lookup(unescape(norm[:key_end])[0]) is None:
            return [(0, len(norm))]
        cuts = [m.start() for m in EMBEDDED.finditer(norm, value_start)
                if lookup(m.group(1)) is not None]
        bounds = [0, *cuts, len(norm)]
        return [(bounds[k], bounds[k + 1]) for k in range(len(bounds) - 1)]

    def java_call(self, lg: LogicalLine, call: re.Match[str]) -> None:
        key, value = call.group(1), call.group(2)
        if value.startswith('"'):
            value = re.sub(r"\\(.)", lambda m: ESCAPES.get(m.group(1), m.group(1)), value[1:-1])
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

    def single(self, lg: LogicalLine, norm: str, index: list[int], key_notes: list[Note],
               exact: bool, first: bool = True) -> None:
        key_end, value_start, sep = split_key_value(norm)
        key, bad = unescape(norm[:key_end])
        key_line, key_col = lg.where(index[0] if index else 0)
        quoted = strip_quotes(key)
        if quoted != key and quoted:
            key_notes = [*key_notes, Note(
                Severity.WARNING, f"quotes around the key {key}", f"write {quoted} without quotes",
                True)]
            key = quoted
        if not key:
            self.diag(key_line, key_col, "warning",
                      f"line {key_line} has no key (it starts with {sep or norm[:1]!r}); "
                      "ignored", "write key=value, e.g. mail.smtp.host=smtp.example.com")
            return
        if is_prose(key, sep, norm[value_start:]):
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
        java_key_end, java_value_start, _ = split_key_value(lg.text)
        java_key = unescape(lg.text[:java_key_end])[0]
        if exact and java_key == key:
            raw_text, raw_offset = lg.text[java_value_start:], java_value_start
        else:
            raw_text = lg.text[value_pos:index[-1] + 1] if value_start < len(norm) else ""
            raw_offset = value_pos
            cats = sorted(normalize(lg.text[:value_pos])[2])
            if cats and java_key != key:
                key_notes = [*key_notes, Note(
                    Severity.WARNING, f"{' and '.join(CATEGORY_TEXT[c] for c in cats)} in the key "
                    "or separator", "retype the key and '=' with plain characters", True)]
            if key_notes and first and java_key != key:
                key_notes[0].message += f" (Java would read the key as {java_key!r})"
        raw, bad_escapes = unescape(raw_text)
        for note in key_notes:
            self.diag(key_line, key_col, note.severity, f"{key}: {note.message}", note.fix,
                      key, note.applied)
        for pos in bad_escapes:
            line, col = lg.where(raw_offset + pos)
            self.diag(line, col, "error",
                      f"{key}: malformed \\uxxxx escape in the value (Java refuses the whole "
                      "file)", "write \\u followed by exactly 4 hex digits", key)
        self.finish(lg, key, raw, raw_offset)

    def finish(self, lg: LogicalLine, key: str, raw: str, offset: int) -> None:
        line, col = lg.where(offset)
        spec = lookup(key)
        refused = self.refuse(line, col, key, raw)
        value, notes = (raw, []) if refused else repair_value(key, spec, raw)
        for note in notes:
            self.diag(line, col, note.severity, f"{key}: {note.message}", note.fix, key,
                      note.applied)
        if not value and not refused:
            self.diag(line, col, "warning", f"{key} has no value",
                      "add a value after '=' or delete the line", key)
        elif self.validate and not refused:
            self.check(line, col, key, value)
        if key in self.seen:
            first = self.seen[key]
            self.diag(lg.start, None, "warning",
                      f"{key} is set on line {first} and again on line {lg.start}; the last "
                      "one wins (as in Java)", f"delete one of lines {first} and {lg.start}",
                      key)
        else:
            self.seen[key] = lg.start
        self.entries.append(Entry(key, value, raw, lg.start, refused))

    def refuse(self, line: int, col: int | None, key: str, raw: str) -> bool:
        """What is never stored, in any mode: a value with a line break or control character
        (:func:`~mailtui.javamail.catalog.line_break_problem`: Java's ``\\r``, ``\\n``,
        ``\\u2028`` escapes...; it would inject SMTP commands, and no repair can know what was
        meant), and a password, which belongs to the server settings."""
        password = misplaced_password(key, in_text=True)
        if password is not None:
            self.add(password, line, None)
            return True
        breaks = line_break_problem(raw)
        if breaks:
            self.diag(line, col, "error", f"{key}: the value holds {breaks} (from an escape such "
                      "as \\r, \\n or \\u2028, or pasted); a property value is one line, and a "
                      "line break would inject SMTP commands", "remove the escape or character "
                      "from the value", key, refused=True)
            return True
        return False

    def check(self, line: int, col: int | None, key: str, value: str) -> None:
        """The key and the value on their own (unknown key, wrong type): propcheck's rules."""
        unknown = unknown_key(key, in_text=True)
        if unknown is not None:
            self.add(unknown, line, None)
            return
        bad = bad_value(key, value, in_text=True)
        if bad is not None:
            self.add(bad, line, col)

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


def parse_properties(text: str, *, source: str = "<input>", validate: bool = True) -> ParseResult:
    """Read properties text the way Java does, repair what was pasted, diagnose the rest.

    ``validate`` also checks keys and values against the catalog (unknown keys with a
    did-you-mean, wrong types) so those findings carry line numbers.
    """
    check_input(text, source)
    try:
        return _Parser(source, validate).run(text)
    except PropertiesError:
        raise
    except Exception as exc:  # a bug must still reach the user as a clean error
        raise PropertiesError(f"{source}: could not read the properties ({exc})",
                              hint="report this as a bug, with the text that caused it",
                              location=Location(source)) from exc
