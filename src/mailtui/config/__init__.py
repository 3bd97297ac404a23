"""Settings model, TOML store and secret sources."""

from mailtui.config.model import (
    SecretRef,
    ServerSettings,
    Settings,
    SmimeSettings,
    TemplatesSettings,
)

__all__ = ["SecretRef", "ServerSettings", "Settings", "SmimeSettings", "TemplatesSettings"]
