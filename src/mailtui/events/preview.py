"""Previewing unsaved template text: a loader that serves the editor's buffer, and renderer
errors turned into editor diagnostics (message, line, column, fix)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from jinja2 import BaseLoader, Environment

from mailtui.errors import Location, MessageBuildError


@dataclass(frozen=True)
class PreviewDiagnostic:
    """Why a text does not render: message, where (1-based line and column) and a fix.

    ``in_buffer`` is False when the problem is in another template the text uses (a layout
    override, ...): ``location.path`` then names that file.
    """

    message: str
    location: Location
    hint: str | None
    in_buffer: bool

    @property
    def line(self) -> int | None:
        return self.location.line

    @property
    def column(self) -> int | None:
        return self.location.column

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


_UNDEFINED = re.compile(r"^'(\w+)' is undefined|has no attribute '(\w+)'")
_UNEXPECTED = re.compile(r"unexpected '([^']+)'")
_NOT_FOUND = re.compile(r"template (\S+) not found")



class BufferLoader(BaseLoader):
    """Serves the unsaved text under its template name, in front of the real loaders.

    A template loaded from disk goes stale while the buffer holds its name, and a buffer
    template goes stale as soon as the buffer changes, so the environment's cache is safe.
    """

    def __init__(self, inner: BaseLoader) -> None:
        self.inner = inner
        self.name: str | None = None
        self.source = ""
        self.filename = ""

    def get_source(
        self, environment: Environment, template: str
    ) -> tuple[str, str | None, Callable[[], bool] | None]:
        if template == self.name:
            source = self.source
            return source, self.filename, lambda: self.name == template and self.source == source
        source, filename, uptodate = self.inner.get_source(environment, template)
        return source, filename, lambda: self.name != template and (
            uptodate is None or bool(uptodate())
        )


def diagnostic_from(
    exc: MessageBuildError, source: str, label: str, prefixes: tuple[str, ...] = ()
) -> PreviewDiagnostic:
    """A renderer error about the text ``source`` (known as ``label``) as an editor
    diagnostic: its message without ``prefixes``, the line, and a column where the message
    names something findable on that line."""
    message = exc.message
    for prefix in prefixes:
        message = message.removeprefix(prefix)
    where = exc.location or Location(label)
    in_buffer = where.path == label
    missing = _NOT_FOUND.search(message)
    if in_buffer and where.line is None and missing:  # extends/include of an unknown name
        for number, text in enumerate(source.splitlines(), start=1):
            if missing.group(1) in text:
                where = Location(label, number, text.index(missing.group(1)) + 1)
                break
    column = where.column
    if in_buffer and where.line is not None and column is None:
        lines = source.splitlines()
        if where.line <= len(lines):
            column = _column(message, lines[where.line - 1])
    return PreviewDiagnostic(message, Location(where.path, where.line, column), exc.hint,
                             in_buffer)


def _column(message: str, line: str) -> int | None:
    """1-based column of what ``message`` names on ``line``, when it is unambiguous."""
    if "single line" in message:
        return len(line) + 1  # the line break at its end
    undefined = _UNDEFINED.search(message)
    if undefined:
        name = undefined.group(1) or undefined.group(2)
        found = re.search(rf"\b{re.escape(name)}\b", line)
        return found.start() + 1 if found else None
    unexpected = _UNEXPECTED.search(message)
    if unexpected and line.count(unexpected.group(1)) == 1:
        return line.index(unexpected.group(1)) + 1
    return None
