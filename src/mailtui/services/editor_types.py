"""What the document model (``services/editor.py``) raises and returns besides itself: a save
refused because the target exists or the file changed on disk, a broken file with its text,
the diff of two property tables."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from mailtui.config.store import ConcurrentEditError, PropertyChange
from mailtui.errors import ConfigError


class TargetExists(ConfigError):
    """``save_as``: a file is already there; replacing it needs ``replace=True``."""

    def __init__(self, path: Path) -> None:
        super().__init__(f"{path} already exists; not overwritten",
                         hint="confirm to replace it (it is kept as .bak), or choose another path")
        self.path = path


class SaveConflict(ConcurrentEditError):
    """The file changed on disk since it was loaded: reload, overwrite or cancel."""

    def __init__(self, error: ConcurrentEditError, pending: Path) -> None:
        super().__init__(error.message, hint=error.hint, location=error.location)
        self.pending = pending  # where the store put our version, so it is never lost


@dataclass(frozen=True)
class BrokenFile:
    """A file that could not be loaded: the error (with its location) and the raw text."""

    error: ConfigError
    text: str | None  # None when the file cannot be read as text at all

    @property
    def line_text(self) -> str | None:
        """The offending line, when the error has a line and the text is known."""
        location = self.error.location
        if self.text is None or location is None or location.line is None:
            return None
        lines = self.text.splitlines()
        return lines[location.line - 1] if 0 < location.line <= len(lines) else None


def diff_properties(old: Mapping[str, str], new: Mapping[str, str]) -> list[PropertyChange]:
    """What making ``old`` equal ``new`` changes, in the order ConfigStore.set_properties
    reports it (removals, then updates and additions)."""
    changes = [PropertyChange(k, v, None) for k, v in old.items() if k not in new]
    for key, value in new.items():
        if key not in old:
            changes.append(PropertyChange(key, None, value))
        elif old[key] != value:
            changes.append(PropertyChange(key, old[key], value))
    return changes


def read_text(path: Path) -> str | None:
    try:
        return path.read_bytes().decode("utf-8", errors="replace").removeprefix("\ufeff")
    except OSError:
        return None
