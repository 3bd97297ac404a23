"""The repair of text pasted from vendor docs, admin consoles and word processors into
properties: look-alike characters, list markers, notes after a value, quotes, Java code and JSON
instead of properties, spaces inside class names, loose list syntax. Each repair is described
by a ``Note`` (message, fix, whether it was applied); nothing here decides what is an error.
The exact Java reading is ``mailtui.javamail.javaprops``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from mailtui.diagnostics import Severity
from mailtui.javamail.catalog import (
    KNOWN_CLASSES,
    TLS_PROTOCOLS,
    PropertySpec,
    host_problem,
    is_secret_key,
    validate_value,
)

_INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e\u2061\u2062\u2063\u2064")
_SPACES = frozenset("\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
                    "\u2009\u200a\u202f\u205f\u3000")
_QUOTES = {"\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
           "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'"}
CATEGORY_TEXT = {
    "invisible": "invisible characters (zero-width space, BOM or soft hyphen)",
    "space": "non-breaking spaces",
    "quote": "typographic quotes (\u201c \u201d \u2018 \u2019)",
    "fullwidth": "fullwidth characters",
}


def char_fix(ch: str) -> tuple[str, str | None]:
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


def normalize(text: str) -> tuple[str, list[int], set[str], list[str | None]]:
    """Replace pasted look-alikes everywhere; keep a map to the original positions."""
    out: list[str] = []
    index: list[int] = []
    cats: set[str] = set()
    per_char: list[str | None] = []
    for i, ch in enumerate(text):
        repl, cat = char_fix(ch)
        per_char.append(cat)
        if cat:
            cats.add(cat)
        for r in repl:
            out.append(r)
            index.append(i)
    return "".join(out), index, cats, per_char


KEY_SHAPE = re.compile(r"[A-Za-z_][\w\-]*(?:\.[\w\-]+)+", re.ASCII)
BULLET = re.compile(
    r"(?:[\u2022\u00b7\u25e6\u25aa\u25ab\u2023\u2043\u25cf\u25cb\u25a0\u25a1\u25ba\u25b8\u27a2"
    r"\u27a4\u2192\u2713\u2714*+\-\u2013\u2014]\s*|\(?\d{1,3}[.)]\s+|\(?[a-z][.)]\s+)"
    r"(?=[A-Za-z_][\w\-]*\.[\w\-])"
)
JAVA_CALL = re.compile(
    r"(?:[A-Za-z_][\w.]*\.)?(?:put|setProperty)\(\s*\"([^\"\\]+)\"\s*,\s*"
    r"(\"(?:[^\"\\]|\\.)*\"|[\w.+-]+)\s*\)\s*;?\s*(?://.*)?"
)
EMBEDDED = re.compile(r"\s+(?=((?:mail|mailtui)\.[\w\-]+(?:\.[\w\-]+)*)\s*[=:])", re.ASCII)
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
class Note:
    severity: Severity
    message: str
    fix: str | None
    applied: bool


def java_bool(spec: PropertySpec, value: str) -> str:
    """What JavaMail's PropUtil makes of a text value for a boolean property."""
    default = spec.default or "false"
    if default == "true":
        return "false" if value.lower() == "false" else "true"
    return "true" if value.lower() == "true" else "false"


def is_prose(key: str, sep: str, value: str) -> bool:
    """A line that is not a property. Java would still read it, but a key that is not dotted
    (mail.smtp.host) is only trusted with '=', or with ':' before a one-word value."""
    if KEY_SHAPE.fullmatch(key) or sep == "=":
        return False
    return sep != ":" or not value or any(ch.isspace() for ch in value)


def strip_quotes(text: str) -> str:
    while len(text) >= 2 and _QUOTE_PAIRS.get(text[0]) == text[-1]:
        text = text[1:-1].strip()
    return text


def repair_value(key: str, spec: PropertySpec | None, raw: str) -> tuple[str, list[Note]]:
    """Apply the unambiguous repairs to a value; describe each one (and the ones not made).
    Repeated until nothing changes, so repairing a repaired value changes nothing."""
    value, notes = _repair_once(key, spec, raw, raw)
    for _ in range(4):
        again, more = _repair_once(key, spec, raw, value)
        if again == value:
            break
        value = again
        notes += [n for n in more if n.message not in {m.message for m in notes}]
    return value, notes


_NoteFn = Callable[..., None]


def _repair_once(key: str, spec: PropertySpec | None, raw: str,
                 value: str) -> tuple[str, list[Note]]:
    kind = spec.type if spec else "string"
    notes: list[Note] = []
    if is_secret_key(key):
        odd = raw != raw.strip() or strip_quotes(raw) != raw or _ANNOT_STRING.search(raw) \
            or any(char_fix(ch)[1] for ch in raw)
        if odd:
            notes.append(Note(Severity.WARNING, "the value has surrounding whitespace, quotes, a "
                              "trailing note or pasted look-alike characters; a secret is "
                              "never changed automatically", "check the value", False))
        return value, notes

    def note(message: str, fix: str | None, applied: bool = True,
             severity: Severity = Severity.WARNING) -> None:
        notes.append(Note(severity, message, fix, applied))

    value = _strip_annotation(kind, raw, value, note)  # "value  **Optional", "value # note"
    value = _plain_characters(value, note)  # pasted from word processors and web pages
    # surrounding whitespace (Java keeps trailing whitespace; JavaMail does not trim)
    stripped = value.strip()
    if stripped != value and stripped:
        if kind == "bool" and spec is not None:
            message = (f"{raw!r} has whitespace around it: JavaMail reads it as "
                       f"{java_bool(spec, raw)}")
        else:
            message = "whitespace around the value (Java keeps it)"
        note(message, f"write {stripped}" if kind != "string" else "trim the value")
    value = stripped
    # quotes around the whole value, and a JSON-style trailing comma
    if value.endswith(",") and strip_quotes(value[:-1].rstrip()) != value[:-1].rstrip():
        value = value[:-1].rstrip()
    unquoted = strip_quotes(value)
    if unquoted != value:
        note("quotes around the value (Java keeps them as part of it)",
             f"write {unquoted!r} without quotes")
        value = unquoted
    if spec is not None and value:  # repairs that depend on the type
        value = _typed_repair(spec, raw, value, note)
    return value, notes


def _strip_annotation(kind: str, raw: str, value: str, note: _NoteFn) -> str:
    """Trailing annotations: "value   **Optional, if SSL", "value # note", "(optional)"."""
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
        return body
    return value


def _plain_characters(value: str, note: _NoteFn) -> str:
    """Invisible characters, non-breaking spaces, typographic quotes, fullwidth characters;
    quotes and fullwidth ones are left alone in a value with other non-ASCII text."""
    cats: dict[str, list[str]] = {}
    foreign = False
    for ch in value:
        _, cat = char_fix(ch)
        if cat:
            cats.setdefault(cat, []).append(ch)
        elif ord(ch) > 127:
            foreign = True
    if cats:
        fixed = []
        for ch in value:
            repl, cat = char_fix(ch)
            sure = cat in ("invisible", "space") or not foreign
            fixed.append(repl if cat and sure else ch)
        value = "".join(fixed)
    for cat in ("invisible", "space", "quote", "fullwidth"):
        if cat not in cats:
            continue
        if cat in ("invisible", "space") or not foreign:
            note(f"{CATEGORY_TEXT[cat]} in the value (Java keeps them as they are)",
                 "replaced with plain characters" if cat != "invisible" else "removed")
        else:
            note(f"{CATEGORY_TEXT[cat]} in the value; left as they are because the value "
                 "has other non-ASCII text", "retype them with plain ASCII if they are not "
                 "meant", applied=False)
    return value


def _typed_repair(spec: PropertySpec, raw: str, value: str, note: _NoteFn) -> str:
    kind = spec.type
    if kind == "class":
        return _class_repair(spec, value, note)
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
            reading = f"; JavaMail reads {raw!r} as {java_bool(spec, raw)}" \
                if kind == "bool" else ""
            note(f"{rest!r} after the value is not part of it{reading}", f"write {trimmed}")
            value = trimmed
    return value


def _class_repair(spec: PropertySpec, value: str, note: _NoteFn) -> str:
    """A Java class name: stray spaces inside it, a note after it, the wrong case."""
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
