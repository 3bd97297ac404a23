"""The settings of SPEC §2 as plain data, independent of how they are stored."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

EncryptMode = Literal["never", "when-possible", "always"]
ENCRYPT_MODES: tuple[str, ...] = ("never", "when-possible", "always")
LOCALES: tuple[str, ...] = ("en", "fr")


@dataclass(frozen=True)
class SecretRef:
    """Where a secret comes from: exactly one of a value, an environment variable, a command.

    ``field`` is the TOML key prefix it was read from (``server.password``), used in messages.
    """

    field: str
    value: str | None = None
    env: str | None = None
    command: str | None = None

    @property
    def is_set(self) -> bool:
        return any(x is not None for x in (self.value, self.env, self.command))

    @property
    def source(self) -> str:
        if self.value is not None:
            return "value"
        if self.env is not None:
            return f"environment variable {self.env}"
        if self.command is not None:
            return "command"
        return "none"

    def resolve(self, timeout: float = 10.0) -> str | None:
        """The secret, or None when no source is set. Raises ConfigError on failure."""
        from mailtui.config.secrets import resolve_secret

        return resolve_secret(self, timeout=timeout)

    def __repr__(self) -> str:  # never show the value
        return f"SecretRef(field={self.field!r}, source={self.source!r})"


@dataclass(frozen=True)
class ServerSettings:
    enabled: bool = False
    username: str | None = None
    default_sender: str | None = None
    password: SecretRef = field(default_factory=lambda: SecretRef("server.password"))
    test_recipient: str | None = None
    properties: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SmimeSettings:
    certificate: Path | None = None
    password: SecretRef = field(default_factory=lambda: SecretRef("smime.password"))
    encrypt: EncryptMode = "never"
    recipients: Path | None = None

    @property
    def configured(self) -> bool:
        return self.certificate is not None


@dataclass(frozen=True)
class TemplatesSettings:
    locale: str = "en"
    directory: Path | None = None  # resolved against the config file's folder
    context: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Settings:
    server: ServerSettings = field(default_factory=ServerSettings)
    smime: SmimeSettings = field(default_factory=SmimeSettings)
    templates: TemplatesSettings = field(default_factory=TemplatesSettings)
    path: Path | None = None  # the file these came from, if any
