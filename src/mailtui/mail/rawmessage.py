"""A message handed over ready-made (``mailtui sendmail``): read it as sendmail does, find its
recipients, and complete its header without touching the rest of its bytes.

Only the header block is edited, as raw lines: ``Bcc`` fields are removed, ``From``, ``Date``
and ``Message-ID`` are added when missing. The body is never re-encoded (8-bit and UTF-8 go
out as they came; the session asks for 8BITMIME / SMTPUTF8).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import BinaryIO

_FIELD = re.compile(rb"[!-9;-~]+:")  # a header field name (printable ASCII but ':') then ':'


class MessageDataError(ValueError):
    """The input is not a usable message or holds an address that is not one."""


def read_message(stream: BinaryIO, *, dot_ends: bool) -> bytes:
    """The message on ``stream`` with CRLF line ends. ``dot_ends``: as sendmail without
    ``-i``, a line holding a lone ``.`` ends the input (the rest is not read)."""
    lines: list[bytes] = []
    for raw in iter(stream.readline, b""):
        line = raw.rstrip(b"\r\n")
        if dot_ends and line == b".":
            break
        lines.append(line)
    if lines and lines[0].startswith(b"From "):  # an mbox separator, not a header field
        lines.pop(0)
    return b"".join(line + b"\r\n" for line in lines)


@dataclass
class RawMessage:
    """A message split into header fields (each with its continuation lines) and body."""

    fields: list[bytes]  # one entry per field, CRLF included, continuation lines joined
    body: bytes  # after the blank line
    added: list[str] = field(default_factory=list)  # names of the fields mailtui added

    @classmethod
    def parse(cls, data: bytes) -> RawMessage:
        """Header fields up to the first blank line. A first line that is not a field means
        there is no header: everything is body (``echo hello | sendmail``)."""
        fields: list[bytes] = []
        position = 0
        while position < len(data):
            end = data.find(b"\r\n", position)
            end = len(data) if end < 0 else end + 2
            line = data[position:end]
            if line in (b"\r\n", b""):
                position = end
                break
            if line[:1] in (b" ", b"\t") and fields:
                fields[-1] += line
            elif _FIELD.match(line):
                fields.append(line)
            else:  # body text with no blank line before it
                break
            position = end
        return cls(fields, data[position:])

    def names(self) -> list[str]:
        return [f.split(b":", 1)[0].decode("ascii").lower() for f in self.fields]

    def has(self, name: str) -> bool:
        return name.lower() in self.names()

    def values(self, name: str) -> list[str]:
        """The unfolded values of every ``name`` field (RFC 2047 words left encoded)."""
        wanted = name.lower()
        out = []
        for raw, fname in zip(self.fields, self.names(), strict=True):
            if fname == wanted:
                value = raw.split(b":", 1)[1].decode("utf-8", "replace")
                out.append(re.sub(r"\r\n(?=[ \t])", "", value).strip())
        return out

    def remove(self, name: str) -> None:
        wanted = name.lower()
        self.fields = [f for f, n in zip(self.fields, self.names(), strict=True) if n != wanted]

    def add(self, name: str, value: str) -> None:
        self.fields.append(f"{name}: {value}\r\n".encode())
        self.added.append(name)

    def to_bytes(self) -> bytes:
        return b"".join(self.fields) + b"\r\n" + self.body


def header_recipients(message: RawMessage) -> list[str]:
    """``-t``: the To, Cc and Bcc addresses, or the Resent- ones when the message has any
    Resent- field (RFC 5322 §3.6.6, as sendmail)."""
    resent = any(n.startswith("resent-") for n in message.names())
    prefix = "resent-" if resent else ""
    found: list[str] = []
    for name in ("to", "cc", "bcc"):
        found += addresses(message.values(prefix + name), f"{prefix}{name} header".capitalize())
    return found


def addresses(values: Iterable[str], where: str) -> list[str]:
    """The addr-specs in address-list texts (``a@x, B <b@y>``, groups); MessageDataError names
    ``where`` and the bad address. A bare local name (``root``) is refused: there is no local
    delivery, only a server that needs a full address."""
    from email.header import decode_header, make_header
    from email.utils import getaddresses

    from mailtui.config.addresses import parse_mailbox

    out: list[str] = []
    for value in values:
        with contextlib.suppress(ValueError, LookupError):
            value = str(make_header(decode_header(value)))
        pairs = getaddresses([value])
        if value.strip() and not value.strip().endswith(";") and not any(a for _, a in pairs):
            raise MessageDataError(f"{where}: {value.strip()!r} is not an email address")
        for _name, addr in pairs:
            if not addr:
                continue
            if "@" not in addr:
                raise MessageDataError(
                    f"{where}: {addr!r} is a local user name, not an email address (mailtui "
                    "has no local delivery: it hands the message to the SMTP server)")
            try:
                out.append(parse_mailbox(addr).addr_spec)
            except ValueError as exc:
                raise MessageDataError(f"{where}: {addr!r} is not an email address: {exc}") \
                    from None
    return out


def unique(addresses: Sequence[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for address in addresses:
        if address.lower() not in seen:
            seen.add(address.lower())
            out.append(address)
    return out


def complete_header(message: RawMessage, *, sender: str, now: dt.datetime | None = None) -> None:
    """Add From (``sender``, a header value), Date and Message-ID when missing; Bcc fields go
    (their addresses are envelope recipients only)."""
    from email.utils import format_datetime, make_msgid

    from mailtui.config.addresses import parse_mailbox

    message.remove("bcc")
    message.remove("resent-bcc")
    if not message.has("from"):
        message.add("From", sender)
    if not message.has("date"):
        message.add("Date", format_datetime(now or dt.datetime.now().astimezone()))
    if not message.has("message-id"):
        domain = "localhost"
        try:
            box = parse_mailbox(sender)
            domain = (box.ascii_addr_spec or box.addr_spec).rpartition("@")[2]
        except ValueError:
            pass
        if not domain.isascii():
            domain = "localhost"
        message.add("Message-ID", make_msgid(idstring="mailtui", domain=domain))


def sender_header(address: str, name: str | None) -> str:
    """``Name <address>`` for an added From field (RFC 2047 for a non-ASCII name)."""
    from email.utils import formataddr

    return formataddr((name or "", address), charset="utf-8")
