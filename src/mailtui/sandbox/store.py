"""The sandbox's Maildir: store what arrives, list it and read it back."""

from __future__ import annotations

import datetime as dt
import email.message
import email.parser
import email.policy
import mailbox
import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from mailtui.errors import EXIT_CONFIG, EXIT_USAGE, MailtuiError

# Trace headers the sandbox adds on top of each stored message.
H_MAIL_FROM = "X-Sandbox-Mail-From"
H_RCPT_TO = "X-Sandbox-Rcpt-To"
H_SESSION = "X-Sandbox-Session"


def default_maildir() -> Path:
    """``<user data dir>/sandbox/maildir``."""
    from mailtui.config.paths import sandbox_dir

    return sandbox_dir() / "maildir"


Listener = Literal["starttls", "implicit-tls"]  # the sandbox's two ports


@dataclass(frozen=True)
class ReceivedEnvelope:
    """The envelope of one received message, with what its SMTP session knew (listener, TLS,
    login, peer). Not `mailtui.outbox.deliver.Delivery`, the outcome of a send."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    listener: Listener
    tls: str | None  # TLS version, None when the session was not encrypted
    cipher: str | None
    auth_user: str | None
    peer: str
    helo: str
    size: int  # bytes of the message as received


@dataclass(frozen=True)
class StoredMessage:
    """One message of the sandbox Maildir (numbered from 1 in arrival order)."""

    number: int
    key: str
    path: Path
    received: dt.datetime
    mail_from: str
    rcpt_tos: tuple[str, ...]
    from_header: str
    to_header: str
    subject: str
    size: int
    tls: str | None
    auth_user: str | None
    session: dict[str, str] = field(default_factory=dict)
    signed: bool | None = False  # None: encrypted, so a signature inside cannot be seen
    encrypted: bool = False

    def read_bytes(self) -> bytes:
        """The stored message, trace headers included."""
        return self.path.read_bytes()

    def message(self) -> email.message.EmailMessage:
        parsed = email.parser.BytesParser(policy=email.policy.default).parsebytes(self.read_bytes())
        assert isinstance(parsed, email.message.EmailMessage)
        return parsed


def open_maildir(path: Path) -> mailbox.Maildir:
    """Open the Maildir at ``path``, creating it (and tmp/new/cur in an empty folder), 0700."""
    try:
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
        for sub in ("tmp", "new", "cur"):
            (path / sub).mkdir(exist_ok=True, mode=0o700)
    except OSError as exc:
        raise MailtuiError(
            f"cannot use {path} as the sandbox Maildir: {exc.strerror or exc}",
            hint="give --maildir a directory you can write (it is created if missing)",
            exit_code=EXIT_USAGE,
        ) from None
    return mailbox.Maildir(path, factory=None, create=False)


def store(path: Path, content: bytes, envelope: ReceivedEnvelope, when: dt.datetime) -> str:
    """Add one message with its trace headers; return the Maildir key."""
    tls = f"{envelope.tls} {envelope.cipher}" if envelope.tls else "none"
    protocol = "ESMTPSA" if envelope.auth_user else "ESMTPS" if envelope.tls else "ESMTP"
    rcpts = ",\n ".join(f"<{r}>" for r in envelope.rcpt_tos)
    session = "; ".join(
        [
            f"listener={envelope.listener}",
            f"tls={envelope.tls or 'none'}",
            f"auth={envelope.auth_user or 'none'}",
            f"size={envelope.size}",
        ]
    )
    trace = (
        f"Received: from {_clean(envelope.helo)} ([{envelope.peer}])\n"
        f" by localhost (mailtui sandbox) with {protocol} (TLS {tls});\n"
        f" {when.strftime('%a, %d %b %Y %H:%M:%S %z')}\n"
        f"{H_MAIL_FROM}: <{envelope.mail_from}>\n"
        f"{H_RCPT_TO}: {rcpts}\n"
        f"{H_SESSION}: {session}\n"
    )
    body = content.replace(b"\r\n", b"\n")
    return open_maildir(path).add(trace.encode("utf-8", "surrogateescape") + body)


def list_messages(path: Path) -> list[StoredMessage]:
    """Every message of the Maildir, oldest first. An absent Maildir is empty."""
    entries: list[tuple[int, str, Path]] = []
    for sub in ("new", "cur"):
        folder = path / sub
        if not folder.is_dir():
            continue
        for item in folder.iterdir():
            if item.name.startswith("."):
                continue
            try:
                stat = item.stat()
            except FileNotFoundError:  # removed meanwhile
                continue
            entries.append((stat.st_mtime_ns, item.name, item))
    entries.sort()
    messages = []
    for number, (mtime_ns, name, item) in enumerate(entries, start=1):
        try:
            messages.append(_describe(number, mtime_ns, name, item))
        except FileNotFoundError:
            continue
    return messages


def get_message(path: Path, selector: str) -> StoredMessage:
    """Message ``selector`` (a number from ``--list``, or ``last``).

    A selector that is neither is a usage error (exit 2); a message that is not there
    (``99`` of 3, ``last`` of none) is exit 3, "no message 99 (there are 3)"."""
    text = selector.strip().lower()
    number = _number(text)
    if number is None and text != "last":
        raise MailtuiError(
            f"--show {selector!r}: expected a message number or 'last'",
            hint="see `mailtui sandbox --list` for the numbers",
            exit_code=EXIT_USAGE,
        )
    messages = list_messages(path)
    if number is None:  # last
        number = len(messages)
    if not 1 <= number <= len(messages):
        count = len(messages)
        raise MailtuiError(
            f"no message {text} (there are {count}) in the sandbox Maildir {path}",
            hint=(f"give a number from 1 to {count} (see `mailtui sandbox --list`) or `last`"
                  if count else "send one first, e.g. `mailtui --sandbox`"),
            exit_code=EXIT_CONFIG,
        )
    return messages[number - 1]


def find_message(path: Path, key: str, number: int) -> StoredMessage | None:
    """The message stored under Maildir ``key`` (numbered ``number``), or None if it is gone."""
    candidates = [path / "new" / key]
    cur = path / "cur"
    if cur.is_dir():
        candidates.extend(cur.glob(f"{key}:*"))
    for item in candidates:
        try:
            return _describe(number, item.stat().st_mtime_ns, item.name, item)
        except FileNotFoundError:
            continue
    return None


def clear_messages(path: Path) -> int:
    """Delete every message of the Maildir (the folders stay); return how many were deleted."""
    removed = 0
    for sub in ("new", "cur"):
        folder = path / sub
        if not folder.is_dir():
            continue
        for item in folder.iterdir():
            if item.name.startswith(".") or not item.is_file():
                continue
            try:
                item.unlink()
            except FileNotFoundError:
                continue
            removed += 1
    return removed


def _number(text: str) -> int | None:
    return int(text) if re.fullmatch(r"[+-]?[0-9]+", text) else None


def _describe(number: int, mtime_ns: int, name: str, item: Path) -> StoredMessage:
    parser = email.parser.BytesHeaderParser(policy=email.policy.default)
    with item.open("rb") as handle:
        headers = parser.parse(handle)
    session = _parse_session(str(headers.get(H_SESSION, "")))
    rcpts = tuple(
        r.strip().strip("<>") for r in str(headers.get(H_RCPT_TO, "")).split(",") if r.strip()
    )
    size_text = session.get("size", "")
    size = int(size_text) if size_text.isdigit() else item.stat().st_size
    tls = session.get("tls")
    auth = session.get("auth")
    signed, encrypted = _protection(headers)
    return StoredMessage(
        number=number,
        key=name.split(":", 1)[0],
        path=item,
        received=dt.datetime.fromtimestamp(mtime_ns / 1e9).astimezone(),
        mail_from=str(headers.get(H_MAIL_FROM, "")).strip().strip("<>"),
        rcpt_tos=rcpts,
        from_header=_header(headers, "From"),
        to_header=_header(headers, "To"),
        subject=_header(headers, "Subject"),
        size=size,
        tls=None if tls in (None, "none") else tls,
        auth_user=None if auth in (None, "none") else auth,
        session=session,
        signed=signed,
        encrypted=encrypted,
    )


def _protection(headers: email.message.Message) -> tuple[bool | None, bool]:
    """S/MIME as the top-level Content-Type shows it: a detached signature (multipart/signed),
    opaque signed data, or enveloped (encrypted) data, whose inner signature is not visible."""
    try:
        kind = headers.get_content_type()
        smime_type = str(headers.get_param("smime-type", "") or "").lower()
    except Exception:  # a malformed Content-Type must not break the listing
        return False, False
    if kind == "multipart/signed":
        return True, False
    if kind in ("application/pkcs7-mime", "application/x-pkcs7-mime"):
        return (True, False) if smime_type == "signed-data" else (None, True)
    return False, False


def _header(headers: email.message.Message, name: str) -> str:
    try:
        value = headers.get(name)
    except Exception:  # a malformed header must not break the listing
        return "(unreadable)"
    return "" if value is None else str(value)


def _parse_session(text: str) -> dict[str, str]:
    result = {}
    for part in text.split(";"):
        key, _, value = part.strip().partition("=")
        if key:
            result[key] = value
    return result


def _clean(text: str) -> str:
    """Printable text only: control characters (escape sequences, line breaks) become '?'."""
    return "".join("?" if unicodedata.category(ch).startswith("C") else ch for ch in text)


def printable_text(text: str) -> str:
    """For terminal output of untrusted text (subjects, addresses): no control characters."""
    return _clean(text)


def printable_source(text: str) -> str:
    """A message's source for the terminal: keeps line breaks and tabs, drops other controls."""
    return "".join(
        ch if ch in "\n\t" or not unicodedata.category(ch).startswith("C") else "?" for ch in text
    )


def human_size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KiB"
    return f"{size / (1024 * 1024):.1f} MiB"


def ensure_private(path: Path) -> None:
    """Make the Maildir and its parent private (0700)."""
    for folder in (path.parent, path):
        if folder.is_dir():
            os.chmod(folder, 0o700)
