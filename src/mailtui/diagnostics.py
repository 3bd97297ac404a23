"""One diagnostic type for every checker: the properties parser, the lint, the configuration
validation and the template checks. A domain module: it imports nothing but the standard
library, so any layer (and the coming app) can use it.

A ``Diagnostic`` says how bad (``severity``), where (``path``, ``line``, ``column``, the
``key`` it is about: a JavaMail property such as ``mail.smtp.port`` or a settings field such as
``server.username``; for a template, its ``event_id``, ``locale`` and ``part``), what
(``message``, a complete sentence naming the key when there is one) and what to do (``fix``,
``did_you_mean``). ``line`` is a line of ``path``: a TOML line for the configuration file, a
properties line for properties text, a template line for a template.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import KW_ONLY, dataclass, replace
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    """str-valued: ``Severity.ERROR == "error"``, and it prints and serialises as ``error``."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        """0 for errors, 1 for warnings, 2 for info: sort keys, errors first."""
        return _RANK[self]


_RANK = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


@dataclass(frozen=True)
class Location:
    """Where a problem is: a file, and optionally a line and column (1-based)."""

    path: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        text = self.path
        if self.line is not None:
            text += f":{self.line}"
            if self.column is not None:
                text += f":{self.column}"
        return text


@dataclass(frozen=True)
class Diagnostic:
    """One problem: severity, place, message, fix. ``severity`` accepts the plain strings
    too (``"error"``) and is always stored as a ``Severity``."""

    severity: Severity
    message: str  # complete and plain; names the key when there is one
    _: KW_ONLY
    fix: str | None = None  # one line: what to do
    did_you_mean: str | None = None  # the key (or value) that was probably meant
    path: str | None = None  # the file (or "<stdin>") ``line`` and ``column`` refer to
    line: int | None = None
    column: int | None = None
    key: str | None = None  # the property or settings field it belongs to
    code: str | None = None  # stable id of the rule, e.g. "starttls-optional"
    applied: bool = False  # the fix is already applied (a repair of pasted text)
    refused: bool = False  # never stored, whatever the options (--force, --as-is)
    event_id: str | None = None  # templates: the event, locale and part the file is for
    locale: str | None = None
    part: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.severity, Severity):
            object.__setattr__(self, "severity", Severity(self.severity))

    @property
    def location(self) -> Location | None:
        """``path:line:column`` (None when the problem is in no file)."""
        if self.path is None:
            return None
        return Location(self.path, self.line, self.column)

    @property
    def hint(self) -> str | None:
        """``fix`` under the name ``MailtuiError`` uses for it."""
        return self.fix

    def at(self, path: str | None, line: int | None = None,
           column: int | None = None) -> Diagnostic:
        """The same problem placed in ``path`` (e.g. a lint finding given its TOML line)."""
        return replace(self, path=path, line=line, column=column)

    def __str__(self) -> str:
        """The listing form of ``mailtui check``: ``where: severity: message``, then the fix
        indented on its own line."""
        where = f"{self.location}: " if self.location else ""
        text = f"{where}{self.severity}: {self.message}"
        if self.fix:
            text += f"\n    fix: {self.fix}"
        return text

    def describe(self, source: str | None = None) -> str:
        """The compiler form: ``source:line:col: severity: message``, then ``fix:`` (or
        ``fix (applied):``) on its own line, as ``MailtuiError.describe``."""
        where = f"{source or self.path or ''}:" if (source or self.path) else ""
        if self.line is not None:
            where += f"{self.line}:" + (f"{self.column}:" if self.column else "")
        text = f"{where} {self.severity}: {self.message}".lstrip()
        if self.fix:
            text += f"\n  fix{' (applied)' if self.applied else ''}: {self.fix}"
        return text

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: every field, the severity as its string."""
        return {
            "severity": str(self.severity), "message": self.message, "fix": self.fix,
            "did_you_mean": self.did_you_mean, "path": self.path, "line": self.line,
            "column": self.column, "key": self.key, "code": self.code,
            "applied": self.applied, "refused": self.refused, "event_id": self.event_id,
            "locale": self.locale, "part": self.part,
        }


def located(where: Location | None, severity: Severity | str, message: str,
            **fields: Any) -> Diagnostic:
    """A diagnostic at ``where`` (a ``Location``, or None for no file); ``fields`` are the
    other keyword fields (``fix``, ``key``, ...)."""
    if where is None:
        return Diagnostic(Severity(severity), message, **fields)
    return Diagnostic(Severity(severity), message, path=where.path, line=where.line,
                      column=where.column, **fields)


def by_severity(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Errors first, then warnings, then info; stable within a severity."""
    return sorted(diagnostics, key=lambda d: d.severity.rank)

