"""The embedded sandbox SMTP server (SPEC §6).

Importing this package is cheap: ``Sandbox`` (which needs aiosmtpd) loads on first use. The
sandbox's paths (:func:`mailtui.config.paths.sandbox_ca_path`) live in ``config`` so that the
preset loader and the lint name the CA without depending on this package.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mailtui.sandbox.embedded import (
        EmbeddedSandbox,
        MessageDetail,
        MessageSummary,
        MimeNode,
        SandboxInfo,
    )
    from mailtui.sandbox.server import (
        SANDBOX_PASSWORD,
        SANDBOX_USERNAME,
        Arrival,
        Sandbox,
        SandboxError,
    )
    from mailtui.sandbox.settings import sandbox_settings

__all__ = [
    "SANDBOX_PASSWORD",
    "SANDBOX_USERNAME",
    "Arrival",
    "EmbeddedSandbox",
    "MessageDetail",
    "MessageSummary",
    "MimeNode",
    "Sandbox",
    "SandboxError",
    "SandboxInfo",
    "sandbox_settings",
]

_HOME = {
    "SANDBOX_PASSWORD": "server",
    "SANDBOX_USERNAME": "server",
    "Arrival": "server",
    "EmbeddedSandbox": "embedded",
    "MessageDetail": "embedded",
    "MessageSummary": "embedded",
    "MimeNode": "embedded",
    "SandboxInfo": "embedded",
    "Sandbox": "server",
    "SandboxError": "server",
    "sandbox_settings": "settings",
}


def __getattr__(name: str) -> Any:
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module 'mailtui.sandbox' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(f"mailtui.sandbox.{module}"), name)
