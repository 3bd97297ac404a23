"""Checks made before connecting, shared by the test send and the probe."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mailtui.javamail.plan import Plan


def require_server(plan: Plan) -> None:
    """ConfigError (exit 3) when the properties name no SMTP server."""
    if not plan.host:
        from mailtui.errors import ConfigError

        raise ConfigError("no SMTP server: mail.smtp.host is not set",
                          hint="apply a preset (`mailtui presets`) or set mail.smtp.host")


def require_usable_ca_file(plan: Plan) -> None:
    """Stop before connecting when ``mailtui.ssl.cafile`` cannot be used (ConfigError, exit 3,
    naming the file): the send would only fail at the TLS stage."""
    if plan.ca_file and plan.uses_tls:
        from mailtui.errors import ConfigError
        from mailtui.javamail.tlsfiles import check_ca_file

        problem = check_ca_file(plan.ca_file)
        if problem:
            raise ConfigError(problem, hint="fix the path (a relative path starts from the "
                              "configuration file's folder) or remove the key")


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
