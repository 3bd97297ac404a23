"""Errors every layer may raise. Each carries the process exit code of SPEC §4."""

from __future__ import annotations

from mailtui.diagnostics import Location as Location  # defined with the diagnostics

EXIT_OK = 0
EXIT_USAGE = 2
EXIT_CONFIG = 3
EXIT_MESSAGE_BUILD = 30
EXIT_CANCELLED = 130  # cancelled (Ctrl-C: 128 + SIGINT, as shells report it)


class MailtuiError(Exception):
    """An error meant for the user: a message, an optional fix, an exit code."""

    exit_code: int = EXIT_CONFIG

    def __init__(
        self,
        message: str,
        *,
        hint: str | None = None,
        location: Location | None = None,
        exit_code: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.location = location
        if exit_code is not None:
            self.exit_code = exit_code

    def __str__(self) -> str:
        prefix = f"{self.location}: " if self.location else ""
        return prefix + self.message

    def describe(self) -> str:
        """The message, then the fix on its own line."""
        text = str(self)
        if self.hint:
            text += f"\n  fix: {self.hint}"
        return text


class ConfigError(MailtuiError):
    """The configuration file, a property or a setting is wrong (exit 3)."""

    exit_code = EXIT_CONFIG


class MessageBuildError(MailtuiError):
    """A message could not be built: template, encoding, S/MIME (exit 30)."""

    exit_code = EXIT_MESSAGE_BUILD
