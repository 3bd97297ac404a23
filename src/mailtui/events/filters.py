"""Template filters: locale-aware dates and lists, safe links, line breaks in HTML.

Every filter reads the ``locale`` variable the renderer puts in each template context.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup, escape

MONTHS = {
    "en": (
        "January", "February", "March", "April", "May", "June",
        "July", "August", "September", "October", "November", "December",
    ),
    "fr": (
        "janvier", "février", "mars", "avril", "mai", "juin",
        "juillet", "août", "septembre", "octobre", "novembre", "décembre",
    ),
}
SAFE_SCHEMES = frozenset({"http", "https", "mailto"})
_URL_NOISE = re.compile(r"[\x00-\x20\x7f]")


def _locale(context: Context) -> str:
    locale = context.get("locale", "en")
    return locale if locale in MONTHS else "en"


def parse_when(value: Any) -> date | datetime | None:
    """A date or datetime from a date, a datetime or an ISO 8601 string; None otherwise."""
    if isinstance(value, datetime | date):
        return value
    if isinstance(value, str) and value.strip():
        text = value.strip()
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            return None
        return parsed if ("T" in text or " " in text) else parsed.date()
    return None


def _date_text(day: date, locale: str) -> str:
    month = MONTHS[locale][day.month - 1]
    if locale == "fr":
        return f"{'1er' if day.day == 1 else day.day} {month} {day.year}"
    return f"{month} {day.day}, {day.year}"


def _offset_text(moment: datetime) -> str:
    offset = moment.utcoffset()
    if offset is None:
        return ""
    if offset == timedelta(0):
        return " (UTC)"
    sign = "+" if offset > timedelta(0) else "-"
    minutes = abs(int(offset.total_seconds())) // 60
    return f" (UTC{sign}{minutes // 60:02d}:{minutes % 60:02d})"


@pass_context
def format_date(context: Context, value: Any) -> str:
    """``June 13, 2025`` / ``13 juin 2025``; other text is shown unchanged, None as empty."""
    when = parse_when(value)
    if when is None:
        return "" if value is None else str(value)
    if isinstance(when, datetime):
        when = when.date()
    return _date_text(when, _locale(context))


@pass_context
def format_datetime(context: Context, value: Any) -> str:
    """``June 4, 2025 at 2:12 PM (UTC-04:00)`` / ``4 juin 2025 à 14 h 12 (UTC-04:00)``."""
    when = parse_when(value)
    if when is None:
        return "" if value is None else str(value)
    locale = _locale(context)
    if not isinstance(when, datetime):
        return _date_text(when, locale)
    day = _date_text(when.date(), locale)
    if locale == "fr":
        clock = f"{when.hour} h {when.minute:02d}"
        return f"{day} à {clock}{_offset_text(when)}"
    hour = when.hour % 12 or 12
    clock = f"{hour}:{when.minute:02d} {'AM' if when.hour < 12 else 'PM'}"
    return f"{day} at {clock}{_offset_text(when)}"


@pass_context
def human_list(context: Context, value: Any) -> str:
    """``A, B and C`` / ``A, B et C``; a string is returned unchanged."""
    if value is None:
        return ""
    if isinstance(value, str) or not isinstance(value, Iterable):
        return str(value)
    items = [str(item) for item in value if item not in (None, "")]
    if len(items) <= 1:
        return "".join(items)
    word = " et " if _locale(context) == "fr" else " and "
    return ", ".join(items[:-1]) + word + items[-1]


def nl2br(value: Any) -> Markup:
    """Escape, then turn line breaks into ``<br>`` (for text variables in HTML)."""
    lines = str(value).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return Markup("<br>\n").join(escape(line) for line in lines)


def safe_link(value: Any) -> Any:
    """The URL when it is http(s), mailto or relative; ``#`` for anything else (javascript:...)."""
    raw = value.unescape() if isinstance(value, Markup) else str(value)
    scheme = urlsplit(_URL_NOISE.sub("", raw)).scheme.lower()
    if scheme and scheme not in SAFE_SCHEMES:
        return "#"
    return value


def present(rows: Sequence[Sequence[Any]]) -> list[tuple[Any, Any]]:
    """The (label, value) rows whose value is not empty (None, "" or an empty list)."""
    shown = []
    for label, value in rows:
        if value is None or value == "":
            continue
        if isinstance(value, list | tuple) and not value:
            continue
        shown.append((label, value))
    return shown


FILTERS = {
    "date": format_date,
    "datetime": format_datetime,
    "human_list": human_list,
    "nl2br": nl2br,
    "link": safe_link,
    "present": present,
}
