"""JavaMail properties read the way Java reads them: one protocol prefix (``mail.smtp.`` or
``mail.smtps.``), ``PropUtil``'s boolean and integer rules, and the timeout keys.

The vocabulary shared by :mod:`~mailtui.javamail.resolve` (the plan), the lint and the
one-run overrides; it imports neither of them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from mailtui.javamail.plan import (
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_READ_TIMEOUT,
    DEFAULT_WRITE_TIMEOUT,
    TransportProtocol,
)

# The word after ``mail.``: a transport's prefix, or ``mime`` (mail.mime.allowutf8).
Prefix = TransportProtocol | Literal["mime"]

SSL_SOCKET_FACTORY = "javax.net.ssl.SSLSocketFactory"
_JAVA_INT = re.compile(r"[+-]?[0-9]+")

# (plan field, JavaMail key suffix, mailtui's finite default in seconds)
TIMEOUT_KEYS = (
    ("connect", "connectiontimeout", DEFAULT_CONNECT_TIMEOUT),
    ("read", "timeout", DEFAULT_READ_TIMEOUT),
    ("write", "writetimeout", DEFAULT_WRITE_TIMEOUT),
)


@dataclass(frozen=True)
class View:
    """Properties seen through one protocol prefix, with Java's parsing rules."""

    props: Mapping[str, str]
    protocol: Prefix

    def key(self, name: str) -> str:
        return f"mail.{self.protocol}.{name}"

    def get(self, name: str) -> str | None:
        value = self.props.get(self.key(name))
        return None if value is None else value

    def has(self, name: str) -> bool:
        return self.key(name) in self.props

    def flag(self, name: str, default: bool) -> bool:
        """JavaMail's PropUtil.getBooleanProperty: when the default is false only "true" (any
        case, nothing around it) turns it on; when it is true only "false" turns it off."""
        value = self.get(name)
        if value is None:
            return default
        return value.lower() != "false" if default else value.lower() == "true"

    def integer(self, name: str) -> int | None:
        """JavaMail's PropUtil: Integer.parseInt, and an unparsable number is as if unset."""
        value = self.get(name)
        if value is None or not _JAVA_INT.fullmatch(value):
            return None
        number = int(value)
        return number if -(2**31) <= number < 2**31 else None


def protocol_of(props: Mapping[str, str]) -> TransportProtocol:
    value = props.get("mail.transport.protocol", "smtp").strip().lower()
    return "smtps" if value == "smtps" else "smtp"


def uses_legacy_ssl_factory(view: View) -> bool:
    return (view.get("socketFactory.class") or "").strip() == SSL_SOCKET_FACTORY
