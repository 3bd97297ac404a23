"""Turn a rendered notification into a MIME message: multipart/alternative, 7-bit safe.

The message is built with ``email.policy.SMTP``: non-ASCII subjects and display names become
RFC 2047 encoded words, both bodies are quoted-printable, lines end in CRLF. An address whose
local part is not ASCII can only travel with SMTPUTF8: ``needs_smtputf8`` tells the SMTP engine,
and ``message_bytes`` refuses to serialise such a message for a server without it.
"""

from __future__ import annotations

import email.policy
import secrets
from collections.abc import Iterable, Sequence
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from mailtui.config.addresses import Mailbox, parse_mailbox
from mailtui.errors import ConfigError, MessageBuildError
from mailtui.events.render import Rendered, one_line_subject

ADDRESS_HEADERS = ("From", "Sender", "Reply-To", "To", "Cc", "Bcc")


def parse_address(value: str, field: str) -> Mailbox:
    """``Name <user@example.org>`` or ``user@example.org``; ConfigError naming ``field``."""
    try:
        return parse_mailbox(value)
    except ValueError as exc:
        raise ConfigError(
            f"{field}: {value!r} is not a valid email address: {exc}",
            hint="use user@example.org or Name <user@example.org>",
        ) from None


def parse_addresses(values: Iterable[str], field: str) -> list[Mailbox]:
    return [parse_address(value, field) for value in values]


def ascii_domain(domain: str) -> str:
    """The IDNA (punycode) form of a domain name."""
    if domain.isascii():
        return domain.lower()
    import idna

    try:
        return idna.encode(domain, uts46=True).decode("ascii")
    except idna.IDNAError as exc:
        raise ConfigError(f"{domain!r} is not a valid domain name: {exc}") from None


def header_value(box: Mailbox) -> str | Address:
    """The header form of a mailbox: punycode domain when the local part is ASCII."""
    if box.ascii_addr_spec is not None:
        return Address(display_name=box.display_name, addr_spec=box.ascii_addr_spec)
    return box.header_value()  # a UTF-8 local part: raw Unicode, for SMTPUTF8


def _set_addresses(msg: EmailMessage, header: str, boxes: Sequence[Mailbox]) -> None:
    values = [header_value(box) for box in boxes]
    if all(isinstance(v, Address) for v in values):
        msg[header] = values
    else:
        msg[header] = ", ".join(str(v) for v in values)


def compose(
    rendered: Rendered,
    *,
    sender: str,
    to: Sequence[str],
    cc: Sequence[str] = (),
    reply_to: str | None = None,
    message_id_domain: str | None = None,
    date: datetime | None = None,
) -> EmailMessage:
    """A multipart/alternative message (text, then HTML) ready for SMTP.

    Headers: From, To, Cc, Reply-To, Subject, Date, Message-ID (on the sender's domain unless
    ``message_id_domain`` is given), MIME-Version, Content-Language, ``Auto-Submitted:
    auto-generated`` and ``X-Auto-Response-Suppress: All``. Bad addresses raise ConfigError
    naming the header.
    """
    if isinstance(to, str):
        to = [to]
    if isinstance(cc, str):
        cc = [cc]
    from_box = parse_address(sender, "From")
    to_boxes = parse_addresses(to, "To")
    cc_boxes = parse_addresses(cc, "Cc")
    if not to_boxes and not cc_boxes:
        raise ConfigError("no recipient", hint="give at least one To address")
    domain = message_id_domain or from_box.domain
    if not domain or any(ch in domain for ch in " <>@\r\n\t"):
        raise ConfigError(f"message_id_domain: {domain!r} is not a domain name")

    msg = EmailMessage(policy=email.policy.SMTP)
    _set_addresses(msg, "From", [from_box])
    if to_boxes:
        _set_addresses(msg, "To", to_boxes)
    if cc_boxes:
        _set_addresses(msg, "Cc", cc_boxes)
    if reply_to:
        _set_addresses(msg, "Reply-To", [parse_address(reply_to, "Reply-To")])
    try:
        msg["Subject"] = one_line_subject(rendered.subject, limit=900)
    except ValueError as exc:  # defensive: the email package refuses what it cannot encode
        raise MessageBuildError(f"subject cannot be encoded: {exc}") from None
    when = date or datetime.now().astimezone()
    if when.tzinfo is None:
        when = when.astimezone()
    msg["Date"] = format_datetime(when)
    msg["Message-ID"] = make_msgid(domain=ascii_domain(domain))
    msg["MIME-Version"] = "1.0"
    msg["Auto-Submitted"] = "auto-generated"
    msg["X-Auto-Response-Suppress"] = "All"

    msg.set_content(rendered.text, subtype="plain", charset="utf-8", cte="quoted-printable")
    msg.add_alternative(rendered.html, subtype="html", charset="utf-8", cte="quoted-printable")
    for part in msg.iter_parts():
        del part["MIME-Version"]  # only the top-level entity carries it
    msg["Content-Language"] = rendered.locale  # after set_content, which clears Content-*
    # "=_" never occurs in quoted-printable or base64 text, so the boundary is always safe,
    # and fixing it now keeps every serialisation (and an S/MIME signature) identical.
    msg.set_boundary("=_mailtui_" + secrets.token_hex(12))
    return msg


def _addresses(msg: EmailMessage) -> list[Address]:
    found: list[Address] = []
    for header in ADDRESS_HEADERS:
        for value in msg.get_all(header, []):
            found.extend(getattr(value, "addresses", ()))
    return found


def needs_smtputf8(msg: EmailMessage) -> bool:
    """True when an address in the headers has a non-ASCII local part or domain."""
    return any(not address.addr_spec.isascii() for address in _addresses(msg))


def message_bytes(msg: EmailMessage, *, utf8: bool = False) -> bytes:
    """The message as sent (CRLF line ends). ``utf8=True`` when the server accepted SMTPUTF8:
    headers then carry raw UTF-8. Without it, a message that needs SMTPUTF8 is refused."""
    if not utf8 and needs_smtputf8(msg):
        addresses = ", ".join(a.addr_spec for a in _addresses(msg) if not a.addr_spec.isascii())
        raise MessageBuildError(
            f"the address {addresses} has non-ASCII characters and needs a server that "
            "supports SMTPUTF8",
            hint="use an ASCII address, or a server that announces SMTPUTF8",
        )
    policy = email.policy.SMTPUTF8 if utf8 else email.policy.SMTP
    return msg.as_bytes(policy=policy)
