"""The plain test message of ``mailtui send-test`` (until the events catalog provides one).

Built with the ``email`` helpers ``smtplib`` already loads (``email.utils``, ``email.header``,
``email.quoprimime``), not ``EmailMessage``/``email.policy``: same bytes for this simple
text/plain message, without the import cost on every run of the command.
"""

from __future__ import annotations

import datetime as dt
import socket
from collections.abc import Mapping
from email import quoprimime
from email.header import Header
from email.utils import format_datetime, formataddr, make_msgid

from mailtui.errors import MessageBuildError

DEFAULT_SUBJECT = "mailtui test message"


def _mailbox(text: str, what: str) -> tuple[str, str]:
    """(header value, domain). An IDN domain goes out as punycode when the local part is
    ASCII; a UTF-8 local part is kept as is (the message then needs SMTPUTF8)."""
    from mailtui.config.addresses import parse_mailbox

    try:
        box = parse_mailbox(text)
    except ValueError as exc:
        raise MessageBuildError(f"{what} {text!r} is not a usable address: {exc}",
                                hint=f"fix {what}") from None
    spec = box.ascii_addr_spec or box.addr_spec
    domain = spec.rpartition("@")[2]
    if not spec.isascii():  # RFC 6532: UTF-8 headers, display name quoted if needed
        return (box.header_value() if box.ascii_addr_spec is None else spec), domain
    return formataddr((box.display_name, spec), charset="utf-8"), domain


def _text_header(value: str) -> str:
    return value if value.isascii() else Header(value, "utf-8").encode()


def build_test_message(
    sender: str,
    recipient: str,
    *,
    subject: str = DEFAULT_SUBJECT,
    details: Mapping[str, str] | None = None,
    now: dt.datetime | None = None,
) -> bytes:
    """The test message as bytes with CRLF line ends.

    From the default sender, To the test recipient, Date, Message-ID on the sender's domain,
    ``Auto-Submitted: auto-generated``; text/plain UTF-8, quoted-printable. ``details``
    (server, login, ...) are listed in the body. Raises MessageBuildError for a bad address.
    """
    if any(ch in subject for ch in "\r\n"):
        raise MessageBuildError("the subject contains a line break")
    from_value, domain = _mailbox(sender, "server.default_sender")
    to_value, _ = _mailbox(recipient, "the test recipient")
    when = now or dt.datetime.now(dt.UTC).astimezone()
    lines = [
        "This is a test message sent by mailtui to check the outgoing mail settings.",
        "",
        "If you can read it, the application can send email with these settings.",
        "",
        f"Sent: {when:%Y-%m-%d %H:%M:%S %z}",
    ]
    lines += [f"{key}: {value}" for key, value in (details or {}).items()]
    lines += ["", "-- ", "mailtui (automatic message: please do not reply)"]
    body = "\n".join(lines) + "\n"
    encoded = quoprimime.body_encode(body.encode("utf-8").decode("latin-1"), eol="\r\n")
    headers = [
        ("From", from_value),
        ("To", to_value),
        ("Subject", _text_header(subject)),
        ("Date", format_datetime(when)),
        ("Message-ID", make_msgid(idstring="mailtui", domain=domain or socket.gethostname())),
        ("Auto-Submitted", "auto-generated"),
        ("X-Mailer", "mailtui"),
        ("MIME-Version", "1.0"),
        ("Content-Type", 'text/plain; charset="utf-8"'),
        ("Content-Transfer-Encoding", "quoted-printable"),
    ]
    head = "".join(f"{name}: {value}\r\n" for name, value in headers)
    return (head + "\r\n").encode("utf-8") + encoded.encode("ascii")
