"""The settings of SPEC §2 as plain data, independent of how they are stored.

A secret is a :class:`~mailtui.config.secrets.SecretRef` (where it comes from, never the
value read from there); it is defined with its resolution in ``config.secrets``."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args

from mailtui.config.secrets import SecretRef

EncryptMode = Literal["never", "when-possible", "always"]
ENCRYPT_MODES: tuple[EncryptMode, ...] = get_args(EncryptMode)
LOCALES: tuple[str, ...] = ("en", "fr")


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
