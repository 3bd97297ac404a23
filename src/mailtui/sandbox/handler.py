"""The aiosmtpd side of the sandbox: what each listener does with a session (AUTH before
MAIL, the message handed to the sandbox with its envelope and TLS facts) and aiosmtpd's logging.
"""

from __future__ import annotations

import logging
import ssl
from collections.abc import Callable

from aiosmtpd.smtp import SMTP, Envelope, Session

from mailtui.sandbox.store import Listener, ReceivedEnvelope


class ListenerHandler:
    """aiosmtpd handler of one listener: AUTH before MAIL; DATA goes to ``deliver`` (which
    stores it and returns the reply), problems to ``notice``."""

    def __init__(self, listener: Listener, deliver: Callable[[bytes, ReceivedEnvelope], str],
                 notice: Callable[[str], None]) -> None:
        self.listener = listener
        self.deliver = deliver
        self.notice = notice

    async def handle_MAIL(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        mail_options: list[str],
    ) -> str:
        if not session.authenticated:
            return "530 5.7.0 Authentication required"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 2.1.0 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content
        if content is None:
            raw = envelope.content or b""
            content = raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else raw
        ssl_object = server.transport.get_extra_info("ssl_object") if server.transport else None
        tls = cipher = None
        if isinstance(ssl_object, ssl.SSLObject | ssl.SSLSocket):
            tls = ssl_object.version()
            cipher_info = ssl_object.cipher()
            cipher = cipher_info[0] if cipher_info else None
        peer = session.peer[0] if isinstance(session.peer, tuple) else str(session.peer)
        arrived = ReceivedEnvelope(
            mail_from=envelope.mail_from or "",
            rcpt_tos=tuple(envelope.rcpt_tos),
            listener=self.listener,
            tls=tls,
            cipher=cipher,
            auth_user=session.auth_data if session.authenticated else None,
            peer=peer,
            helo=session.host_name or "unknown",
            size=len(content),
        )
        return self.deliver(content, arrived)

    async def handle_exception(self, error: Exception) -> str:
        self.notice(f"{self.listener} listener: {describe_error(error)}")
        return "451 4.3.0 The sandbox hit an internal error; try again"


def describe_error(error: BaseException) -> str:
    """One line for a listener's or the event loop's error (a TLS failure says what to trust)."""
    cause = error.__cause__ or error
    if isinstance(cause, ssl.SSLError):
        reason = cause.reason or str(cause)
        return (
            f"TLS handshake failed ({reason}); a client must trust the sandbox CA "
            "(mailtui.ssl.cafile, set by the sandbox preset)"
        )
    return f"{type(cause).__name__}: {cause}"


class _QuietAiosmtpd(logging.Filter):
    """Drop aiosmtpd 1.4's deprecation warning logged on every successful AUTH."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "login_data is deprecated" not in record.getMessage()


def configure_logging() -> None:
    """aiosmtpd's logger: no deprecation noise, and nothing printed to stderr by default."""
    logger = logging.getLogger("mail.log")
    if not any(isinstance(f, _QuietAiosmtpd) for f in logger.filters):
        logger.addFilter(_QuietAiosmtpd())
    if not logger.handlers:  # no "No handlers" fallback to stderr from a library
        logger.addHandler(logging.NullHandler())
