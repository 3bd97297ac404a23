"""Settings that point mailtui at a running sandbox."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from mailtui.config.model import SecretRef, ServerSettings, Settings

SANDBOX_SENDER = "mailtui sandbox <sender@example.org>"
SANDBOX_RECIPIENT = "recipient@example.org"  # the sandbox keeps every message; none is relayed
# A local server answers at once: short, finite timeouts (milliseconds, as in JavaMail).
SANDBOX_TIMEOUTS = {
    "mail.smtp.connectiontimeout": "5000",
    "mail.smtp.timeout": "10000",
    "mail.smtp.writetimeout": "10000",
}


class _Running(Protocol):
    @property
    def host(self) -> str: ...
    @property
    def port(self) -> int: ...
    @property
    def tls_port(self) -> int: ...
    @property
    def ca_file(self) -> Path: ...


def sandbox_properties(
    host: str, port: int, ca_file: Path | str, *, implicit_tls: bool = False
) -> dict[str, str]:
    """JavaMail properties for the sandbox: STARTTLS required (or implicit TLS), AUTH on."""
    props = {"mail.smtp.host": host, "mail.smtp.port": str(port), "mail.smtp.auth": "true"}
    if implicit_tls:
        props["mail.smtp.ssl.enable"] = "true"
    else:
        props["mail.smtp.starttls.enable"] = "true"
        props["mail.smtp.starttls.required"] = "true"
    props["mail.smtp.ssl.checkserveridentity"] = "true"
    props["mailtui.ssl.cafile"] = str(ca_file)
    props.update(SANDBOX_TIMEOUTS)
    return props


def sandbox_settings(sb: _Running, implicit_tls: bool = False) -> Settings:
    """Settings for a running :class:`~mailtui.sandbox.server.Sandbox` (in memory, not saved)."""
    from mailtui.sandbox.server import SANDBOX_PASSWORD, SANDBOX_USERNAME

    port = sb.tls_port if implicit_tls else sb.port
    if not port:
        raise ValueError("start the sandbox first: its port is not known yet")
    return Settings(
        server=ServerSettings(
            enabled=True,
            username=SANDBOX_USERNAME,
            default_sender=SANDBOX_SENDER,
            password=SecretRef("server.password", value=SANDBOX_PASSWORD),
            test_recipient=SANDBOX_RECIPIENT,
            properties=sandbox_properties(sb.host, port, sb.ca_file, implicit_tls=implicit_tls),
        )
    )
