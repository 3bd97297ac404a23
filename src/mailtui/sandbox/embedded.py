"""The sandbox for an embedding application (the terminal app, a test harness, ...).

UI-agnostic and typed: start it in-process on free loopback ports, get the settings that point
mailtui at it (in memory: no user file is written), list, read and clear what it received, and
be told when a message arrives::

    with EmbeddedSandbox() as sandbox:               # or sandbox.start() ... sandbox.stop()
        info = sandbox.info                          # ports, CA, Maildir, settings
        sandbox.on_arrival(callback)                 # callback(MessageSummary)
        Mailer(info.settings).send(...)
        sandbox.messages()                           # [MessageSummary, ...]
        sandbox.read(1)                              # MessageDetail: headers, text, html, tree
        sandbox.clear()

Arrival callbacks are called **from the server thread**: a UI must forward them to its own
thread, e.g. with Textual's ``post_message``, which is thread-safe. A callback that raises is
reported through ``on_notice`` and does not disturb the SMTP session or the other callbacks.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import email.message
import email.parser
import email.policy
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from mailtui.config.model import Settings
from mailtui.errors import EXIT_CONFIG, EXIT_USAGE, MailtuiError
from mailtui.sandbox.server import DEFAULT_HOST, Arrival, Sandbox
from mailtui.sandbox.settings import sandbox_settings
from mailtui.sandbox.store import StoredMessage, find_message, get_message, list_messages

ArrivalCallback = Callable[["MessageSummary"], None]


@dataclass(frozen=True)
class SandboxInfo:
    """Where a running sandbox listens, and the settings to send to it (never saved)."""

    host: str
    port: int  # STARTTLS listener
    tls_port: int  # implicit-TLS listener
    username: str  # the password is in ``settings`` (and the README), never printed
    ca_file: Path  # the CA the settings trust, for the sandbox only
    maildir: Path
    settings: Settings  # STARTTLS required + AUTH, the sandbox preset with its login
    tls_settings: Settings  # the same over the implicit-TLS listener


@dataclass(frozen=True)
class MessageSummary:
    """One received message, as a list shows it. Header texts are untrusted input."""

    number: int  # 1 = oldest; numbers start again at 1 after clear()
    key: str  # Maildir key: stable while the message exists
    received: dt.datetime
    mail_from: str  # envelope sender
    rcpt_tos: tuple[str, ...]  # envelope recipients
    from_header: str
    to_header: str
    subject: str
    size: int  # bytes as received
    tls: str | None  # TLS version of the session, None when it was not encrypted
    auth_user: str | None
    signed: bool | None  # None: encrypted, a signature inside cannot be seen
    encrypted: bool

    @classmethod
    def from_stored(cls, stored: StoredMessage) -> MessageSummary:
        return cls(
            number=stored.number, key=stored.key, received=stored.received,
            mail_from=stored.mail_from, rcpt_tos=stored.rcpt_tos,
            from_header=stored.from_header, to_header=stored.to_header,
            subject=stored.subject, size=stored.size, tls=stored.tls,
            auth_user=stored.auth_user, signed=stored.signed, encrypted=stored.encrypted,
        )


@dataclass(frozen=True)
class MimeNode:
    """One MIME part and its children (a message's structure)."""

    content_type: str  # lower-case type/subtype
    charset: str | None
    disposition: str | None  # "inline", "attachment" or None
    filename: str | None
    size: int  # bytes of the decoded content; for a multipart, the sum of its parts
    children: tuple[MimeNode, ...] = ()


@dataclass(frozen=True)
class MessageDetail:
    """One received message, read in full. ``text`` / ``html``: the body parts (None when the
    message has none, e.g. when it is encrypted); headers in order, trace headers included."""

    summary: MessageSummary
    headers: tuple[tuple[str, str], ...]
    text: str | None
    html: str | None
    structure: MimeNode
    path: Path

    def source(self) -> bytes:
        """The message as stored (the sandbox's trace headers first)."""
        return self.path.read_bytes()


class EmbeddedSandbox:
    """The sandbox server in this process. ``port`` / ``tls_port`` 0 (the default) pick free
    ports; ``maildir`` and ``data_dir`` (certificates) default to the user data dir, as
    ``mailtui sandbox`` does. ``on_notice`` receives server notices, from the server thread.
    """

    def __init__(
        self,
        *,
        host: str = DEFAULT_HOST,
        port: int = 0,
        tls_port: int = 0,
        maildir: Path | None = None,
        data_dir: Path | None = None,
        on_notice: Callable[[str], None] | None = None,
    ) -> None:
        self._server = Sandbox(host=host, port=port, tls_port=tls_port, maildir=maildir,
                               data_dir=data_dir, on_arrival=self._arrived,
                               on_notice=on_notice)
        self._on_notice = on_notice
        self._callbacks: list[ArrivalCallback] = []
        self._lock = threading.Lock()
        self._info: SandboxInfo | None = None

    # -- life cycle --------------------------------------------------------------------
    def start(self) -> SandboxInfo:
        """Bind both listeners and serve in a background thread. SandboxError (exit 2) when
        it cannot: a port in use, a non-loopback host, an unwritable data dir."""
        if self._info is not None and self._server.running:
            return self._info
        sb = self._server.start()
        self._info = SandboxInfo(
            host=sb.host, port=sb.port, tls_port=sb.tls_port, username=sb.username,
            ca_file=sb.ca_file, maildir=sb.maildir, settings=sandbox_settings(sb),
            tls_settings=sandbox_settings(sb, implicit_tls=True),
        )
        return self._info

    def stop(self) -> None:
        """Close the listeners and every open connection; the ports are free on return."""
        self._server.stop()
        self._info = None

    @property
    def running(self) -> bool:
        return self._server.running

    @property
    def info(self) -> SandboxInfo:
        """Ports and settings of the running sandbox; MailtuiError when it is not running."""
        if self._info is None or not self._server.running:
            raise MailtuiError("the sandbox is not running", hint="start it first",
                               exit_code=EXIT_USAGE)
        return self._info

    @property
    def maildir(self) -> Path:
        return self._server.maildir

    def __enter__(self) -> EmbeddedSandbox:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- arrivals ----------------------------------------------------------------------
    def on_arrival(self, callback: ArrivalCallback) -> Callable[[], None]:
        """Call ``callback(summary)`` for every message stored from now on, from the server
        thread. Returns a function that unregisters it."""
        with self._lock:
            self._callbacks.append(callback)

        def remove() -> None:
            with self._lock:
                if callback in self._callbacks:
                    self._callbacks.remove(callback)

        return remove

    def _arrived(self, arrival: Arrival) -> None:
        with self._lock:
            callbacks = list(self._callbacks)
        if not callbacks:
            return
        stored = find_message(self._server.maildir, arrival.key, arrival.number)
        if stored is None:  # cleared in the meantime
            return
        summary = MessageSummary.from_stored(stored)
        for callback in callbacks:
            try:
                callback(summary)
            except Exception as exc:  # one failing UI hook must not hide the message from others
                if self._on_notice is not None:
                    with contextlib.suppress(Exception):
                        self._on_notice(f"arrival callback {callback!r} failed: {exc!r}")

    # -- the Maildir (usable whether the server runs or not) --------------------------
    def messages(self) -> list[MessageSummary]:
        """Every received message, oldest first."""
        return [MessageSummary.from_stored(m) for m in list_messages(self._server.maildir)]

    def read(self, message: int | str) -> MessageDetail:
        """Message number ``message`` (an int, as listed), ``"last"``, or a Maildir key.
        MailtuiError (exit 3, as ``mailtui sandbox --show``) naming the Maildir when there is
        no such message."""
        maildir = self._server.maildir
        if isinstance(message, int) or message.strip().lower() == "last":
            stored = get_message(maildir, str(message))
        else:
            found = [m for m in list_messages(maildir) if m.key == message]
            if not found:
                raise MailtuiError(f"no message with key {message!r} in the sandbox Maildir "
                                   f"{maildir}", hint="list the messages again: it was deleted",
                                   exit_code=EXIT_CONFIG)
            stored = found[0]
        return _detail(stored)

    def clear(self) -> int:
        """Delete every received message; return how many were deleted."""
        return self._server.clear()


def _detail(stored: StoredMessage) -> MessageDetail:
    parsed = email.parser.BytesParser(policy=email.policy.default).parsebytes(
        stored.read_bytes())
    assert isinstance(parsed, email.message.EmailMessage)
    return MessageDetail(
        summary=MessageSummary.from_stored(stored),
        headers=tuple((name, _header_text(name, raw)) for name, raw in parsed.raw_items()),
        text=_body(parsed, "plain"),
        html=_body(parsed, "html"),
        structure=_tree(parsed),
        path=stored.path,
    )


def _header_text(name: str, raw: str) -> str:
    """A header decoded (RFC 2047), or as it is written when it cannot be decoded."""
    try:
        return str(email.policy.default.header_fetch_parse(name, raw))
    except Exception:
        return raw


def _body(message: email.message.EmailMessage, subtype: str) -> str | None:
    part = message.get_body(preferencelist=(subtype,))
    if part is None:
        return None
    try:
        return str(part.get_content())
    except (LookupError, ValueError):  # unknown charset, broken transfer encoding
        payload = part.get_payload(decode=True)
        return payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""


def _tree(part: email.message.Message) -> MimeNode:
    children: tuple[MimeNode, ...] = ()
    if part.is_multipart():  # multipart/*, and message/rfc822 (its one part)
        children = tuple(_tree(p) for p in part.get_payload()
                         if isinstance(p, email.message.Message))
        size = sum(c.size for c in children)
    else:
        payload = part.get_payload(decode=True)
        size = len(payload) if isinstance(payload, bytes) else 0
    try:
        filename = part.get_filename()
    except Exception:  # a malformed Content-Disposition
        filename = None
    return MimeNode(
        content_type=part.get_content_type(),
        charset=part.get_content_charset(),
        disposition=part.get_content_disposition(),
        filename=filename,
        size=size,
        children=children,
    )
