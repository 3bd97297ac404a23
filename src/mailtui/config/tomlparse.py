"""The configuration file's TOML read strictly (``tomllib``): a syntax error is a ConfigError
naming the file, the line and the column (a key set twice also names its first line).
Split from :mod:`mailtui.config.store`, which parses with it before anything else.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from mailtui.errors import ConfigError, Location


def parse_strict(path: Path, text: str) -> dict[str, Any]:
    """Parse with tomllib; ConfigError naming file, line and column otherwise (a key set
    twice names the line of the first one too)."""
    import tomllib

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message, line, column = _toml_error_position(str(exc))
        hint = "fix the line shown; the file was not changed"
        repeated = line is not None and message.startswith("Cannot overwrite a value")
        first = _first_definition(text, line) if repeated and line else None
        if first is not None:
            key, first_line = first
            message = f"duplicate key {key} (already set on line {first_line})"
            hint = f"keep only one of lines {first_line} and {line}; the file was not changed"
        raise ConfigError(f"TOML syntax error: {message}",
                          location=Location(str(path), line, column), hint=hint) from None


def _toml_error_position(text: str) -> tuple[str, int | None, int | None]:
    found = re.search(r"\s*\(at line (\d+), column (\d+)\)\s*$", text)
    if not found:
        return text, None, None
    return text[: found.start()], int(found.group(1)), int(found.group(2))


_KEY_AT = re.compile(r"""^\s*("[^"]*"|'[^']*'|[A-Za-z0-9_.-]+)\s*=""")
_TABLE_AT = re.compile(r"^\s*\[")


def _first_definition(text: str, line: int) -> tuple[str, int] | None:
    """For a key defined twice in one table: the key on ``line`` and the line it was first
    set on (None when ``line`` does not repeat a key of its table)."""
    lines = text.split("\n")
    if not 0 < line <= len(lines):
        return None
    found = _KEY_AT.match(lines[line - 1])
    if not found:
        return None
    key = found.group(1)
    for number in range(line - 1, 0, -1):
        if _TABLE_AT.match(lines[number - 1]):
            return None
        other = _KEY_AT.match(lines[number - 1])
        if other and other.group(1).strip("\"'") == key.strip("\"'"):
            return key.strip("\"'"), number
    return None
