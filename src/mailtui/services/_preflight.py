"""Checks made before connecting, shared by the test send, the probe, ``send`` and
``sendmail``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mailtui.config.model import Settings
    from mailtui.javamail.plan import Plan


def require_server(plan: Plan) -> None:
    """ConfigError (exit 3) when the properties name no SMTP server."""
    if not plan.host:
        from mailtui.errors import ConfigError

        raise ConfigError("no SMTP server: mail.smtp.host is not set",
                          hint="apply a preset (`mailtui presets`) or set mail.smtp.host")


def require_usable_tls(settings: Settings, plan: Plan) -> None:
    """The pre-flight check of every command that connects (send-test, probe, send, sendmail):
    stop before connecting when a TLS file (``mailtui.ssl.cafile``, ``certfile``, ``keyfile``)
    cannot be used — ConfigError, exit 3, naming the one key at fault. (A malformed
    ``mailtui.ssl.fingerprint`` or EHLO name already stops ``resolve_plan``.)"""
    from mailtui.javamail.lint import tls_files
    from mailtui.javamail.view import View, protocol_of

    props = settings.server.properties
    for finding in tls_files(settings, plan, View(props, protocol_of(props))):
        from mailtui.errors import ConfigError

        raise ConfigError(finding.message, hint=finding.fix)  # "mailtui.ssl.keyfile: ..."


def internal_address_notes(addresses: Mapping[str, str]) -> list[str]:
    """``"recipient bob@corp.local is <why>"`` for each address (by role) on an internal
    domain: accepted, but public providers refuse them. Unparsable ones are left out."""
    from mailtui.config.addresses import INTERNAL_NOTE, parse_mailbox

    notes = []
    for role, text in addresses.items():
        try:
            box = parse_mailbox(text)
        except ValueError:
            continue
        if box.internal:
            notes.append(f"{role} {box.addr_spec} is {INTERNAL_NOTE}")
    return notes
