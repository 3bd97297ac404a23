"""Read template variables from a JSON file (``--context FILE``), with precise errors."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from mailtui.errors import ConfigError, Location


def parse_context(text: str, source: str) -> dict[str, Any]:
    """A JSON object of variables; ConfigError naming ``source``, line and column otherwise."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(
            f"invalid JSON: {exc.msg}",
            location=Location(source, exc.lineno, exc.colno),
            hint='the context is a JSON object: {"task_title": "...", "due_on": "2025-06-13"}',
        ) from None
    if not isinstance(data, dict):
        raise ConfigError(
            f"the context must be a JSON object, not {type(data).__name__}",
            location=Location(source, 1),
            hint='write {"variable": value, ...}',
        )
    return data


def load_context_file(path: str | Path) -> dict[str, Any]:
    """Variables from a JSON file, or from standard input when ``path`` is ``-``."""
    if str(path) == "-":
        return parse_context(sys.stdin.read(), "<stdin>")
    file = Path(path).expanduser()
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{file}: no such context file") from None
    except IsADirectoryError:
        raise ConfigError(f"{file}: is a directory, not a JSON file") from None
    except PermissionError:
        raise ConfigError(f"{file}: permission denied") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{file}: not valid UTF-8 ({exc.reason})") from None
    return parse_context(text, str(file))
