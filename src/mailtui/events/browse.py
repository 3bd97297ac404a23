"""What a template browser needs beyond rendering: finding events by id or title in either
language, sample values as editable text and back, and an HTML preview file for a browser."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from mailtui.errors import ConfigError
from mailtui.events.catalog import EventSpec, Variable

LIST_SEPARATOR = "; "


def fold(text: str) -> str:
    """Lower case without accents, ``_`` as a space: "Assignée" and "assignee" match."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).replace("_", " ")


def filter_events(events: Iterable[EventSpec], query: str) -> list[EventSpec]:
    """The events whose id or title (in any language) contains every word of ``query``,
    ignoring case and accents; all of them for an empty query. Order kept."""
    words = fold(query).split()
    found = []
    for event in events:
        haystack = " ".join([fold(event.id), *(fold(t) for t in event.titles.values())])
        if all(word in haystack for word in words):
            found.append(event)
    return found


def format_sample(value: Any) -> str:
    """A sample value as one line of text for an input field (lists joined by ``; ``)."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return LIST_SEPARATOR.join(format_sample(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def parse_sample(variable: Variable, text: str) -> Any:
    """The value a template gets for ``text`` typed in the field of ``variable``: lists are
    split on ``;``, integers parsed; ConfigError naming the variable when it is not valid."""
    if variable.type == "list":
        return [item.strip() for item in text.split(";") if item.strip()]
    if variable.type == "integer":
        try:
            return int(text.strip())
        except ValueError:
            raise ConfigError(f"{variable.name}: {text.strip()!r} is not a whole number",
                              hint="type digits only, e.g. 3") from None
    if variable.type == "text":
        return text.replace("\\n", "\n")  # one-line field: \n stands for a line break
    return text


def write_preview_file(html: str, event_id: str, locale: str) -> Path:
    """Write a rendered HTML part to a new private temporary folder (0700), file mode 0600,
    for a browser; returns its path."""
    import tempfile

    from mailtui.files import atomic_write_private

    folder = Path(tempfile.mkdtemp(prefix="mailtui-preview-"))
    path = folder / f"{event_id}.{locale}.html"
    atomic_write_private(path, html.encode("utf-8"))
    return path
