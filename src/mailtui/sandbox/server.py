"""The embedded sandbox SMTP server: two aiosmtpd listeners on loopback, in a background thread.

- the STARTTLS listener (default port 2525): STARTTLS required before anything else;
- the implicit-TLS listener (default port 2465): TLS from the first byte.

Both offer AUTH PLAIN and LOGIN (only once the connection is encrypted), accept the fixed,
documented credentials ``sandbox`` / ``sandbox``, require AUTH before MAIL FROM, and store every
message in a Maildir instead of relaying it.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import email.parser
import email.policy
import hmac
import ipaddress
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from mailtui.errors import EXIT_USAGE, MailtuiError
from mailtui.sandbox.certs import SandboxCerts, ensure_sandbox_certs, server_context
from mailtui.sandbox.handler import ListenerHandler, configure_logging, describe_error
from mailtui.sandbox.store import (
    Listener,
    ReceivedEnvelope,
    StoredMessage,
    clear_messages,
    default_maildir,
    ensure_private,
    human_size,
    list_messages,
    open_maildir,
    printable_text,
    store,
)

SANDBOX_USERNAME = "sandbox"
SANDBOX_PASSWORD = "letmein-sbx"  # public, documented in the README; loopback only.
# mailtui never prints it: like every password, it stays out of all output.
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 2525
DEFAULT_TLS_PORT = 2465
SERVER_NAME = "localhost"
IDENT = "ESMTP mailtui sandbox (aiosmtpd)"
IDLE_TIMEOUT = 120.0  # seconds a client may stay silent
HANDSHAKE_TIMEOUT = 30.0
START_TIMEOUT = 10.0
STOP_TIMEOUT = 5.0

_LISTENERS: tuple[Listener, ...] = ("starttls", "implicit-tls")


class SandboxError(MailtuiError):
    """The sandbox cannot start: non-loopback address, port in use, ... (exit 2)."""

    exit_code = EXIT_USAGE


@dataclass(frozen=True)
class Arrival:
    """One message the sandbox has just stored."""

    number: int  # its number in ``mailtui sandbox --list``
    key: str  # Maildir key
    received: dt.datetime
    subject: str
    envelope: ReceivedEnvelope

    def line(self) -> str:
        """The one line ``mailtui sandbox`` prints for it (control characters removed)."""
        d = self.envelope
        tls = f"yes ({d.tls})" if d.tls else "no"
        rcpts = ", ".join(printable_text(r) for r in d.rcpt_tos)
        return (
            f"{self.received:%H:%M:%S}  #{self.number}  from <{printable_text(d.mail_from)}> "
            f"to {rcpts}  subject {printable_text(self.subject)!r}  {human_size(d.size)}  "
            f"TLS {tls}  auth {printable_text(d.auth_user or 'none')}"
        )


def check_loopback(host: str) -> str:
    """The numeric loopback address to bind for ``host``; SandboxError for anything else."""
    text = host.strip().strip("[]")
    if text.lower() == "localhost":
        return "127.0.0.1"
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        address = None
    if address is None or not address.is_loopback:
        raise SandboxError(
            f"refusing to listen on {host!r}: the sandbox accepts publicly documented "
            "credentials, so it only listens on a loopback address",
            hint="use --host 127.0.0.1 (the default), ::1 or localhost",
        )
    return str(address)


def _authenticate(
    server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
) -> AuthResult:
    """aiosmtpd authenticator. A failure must be handled=False, or the client waits forever."""
    if isinstance(auth_data, LoginPassword):
        user_ok = hmac.compare_digest(auth_data.login, SANDBOX_USERNAME.encode())
        password_ok = hmac.compare_digest(auth_data.password, SANDBOX_PASSWORD.encode())
        if user_ok and password_ok:
            return AuthResult(success=True, auth_data=SANDBOX_USERNAME)
    return AuthResult(
        success=False,
        handled=False,
        message="535 5.7.8 Authentication credentials invalid "
        "(the sandbox accepts only its documented username and password)",
    )


class Sandbox:
    """The sandbox server, for in-process use::

        with Sandbox(port=0, tls_port=0, maildir=tmp / "maildir") as sb:
            ...  # sb.host, sb.port, sb.tls_port, sb.ca_file, sb.maildir, sb.messages()

    Port 0 picks a free port. ``data_dir`` holds the certificates (default: the user data dir).
    ``on_arrival`` and ``on_notice`` are called from the server thread.
    """

    def __init__(
        self,
        *,
        host: str = DEFAULT_HOST,
        port: int = DEFAULT_PORT,
        tls_port: int = DEFAULT_TLS_PORT,
        maildir: Path | None = None,
        data_dir: Path | None = None,
        on_arrival: Callable[[Arrival], None] | None = None,
        on_notice: Callable[[str], None] | None = None,
    ) -> None:
        self._host = check_loopback(host)
        for name, value in (("port", port), ("TLS port", tls_port)):
            if not 0 <= value <= 65535:
                raise SandboxError(f"{name} {value} is out of range", hint="use 1-65535, or 0")
        if port and port == tls_port:
            raise SandboxError(
                f"the STARTTLS and implicit-TLS listeners cannot share port {port}",
                hint="give --port and --tls-port different values",
            )
        self._requested: dict[Listener, int] = {"starttls": port, "implicit-tls": tls_port}
        self._data_dir = data_dir
        self._maildir = (
            Path(maildir) if maildir else (data_dir / "maildir" if data_dir else default_maildir())
        )
        self.on_arrival = on_arrival
        self.on_notice = on_notice
        self._certs: SandboxCerts | None = None
        self._ports: dict[Listener, int] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._servers: list[asyncio.AbstractServer] = []
        self._store_lock = threading.Lock()
        self._current: Listener = "starttls"  # the listener being bound, for error messages

    # -- public surface -------------------------------------------------------------------
    @property
    def host(self) -> str:
        return self._host

    @property
    def port(self) -> int:
        """The STARTTLS listener's port (the bound one once started)."""
        return self._ports.get("starttls", self._requested["starttls"])

    @property
    def tls_port(self) -> int:
        """The implicit-TLS listener's port (the bound one once started)."""
        return self._ports.get("implicit-tls", self._requested["implicit-tls"])

    @property
    def certs(self) -> SandboxCerts:
        if self._certs is None:
            self._certs = ensure_sandbox_certs(self._data_dir)
        return self._certs

    @property
    def ca_file(self) -> Path:
        """The CA certificate a client must trust (and only for the sandbox)."""
        return self.certs.ca_file

    @property
    def maildir(self) -> Path:
        return self._maildir

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    @property
    def username(self) -> str:
        return SANDBOX_USERNAME

    @property
    def password(self) -> str:
        return SANDBOX_PASSWORD

    def messages(self) -> list[StoredMessage]:
        """The Maildir's messages, oldest first."""
        return list_messages(self._maildir)

    def clear(self) -> int:
        """Delete every stored message (never one being stored); return how many."""
        with self._store_lock:
            return clear_messages(self._maildir)

    def start(self) -> Sandbox:
        """Bind both listeners and serve in a background thread. SandboxError if impossible."""
        if self.running:
            return self
        configure_logging()
        try:
            self._certs = ensure_sandbox_certs(self._data_dir)
        except OSError as exc:
            raise SandboxError(
                f"cannot prepare the sandbox certificates in {exc.filename or 'the data dir'}: "
                f"{exc.strerror or exc}",
                hint="check that the user data directory is writable (see `mailtui sandbox -h`)",
            ) from None
        context = server_context(self._certs)
        open_maildir(self._maildir)
        ensure_private(self._maildir)
        loop = asyncio.new_event_loop()
        loop.set_exception_handler(self._loop_exception)
        thread = threading.Thread(target=loop.run_forever, name="mailtui-sandbox", daemon=True)
        self._loop, self._thread = loop, thread
        thread.start()
        future = asyncio.run_coroutine_threadsafe(self._open(context), loop)
        try:
            future.result(timeout=START_TIMEOUT)
        except BaseException as exc:
            self.stop()
            if isinstance(exc, OSError):
                raise self._bind_error(exc) from None
            raise
        return self

    def stop(self) -> None:
        """Close both listeners and every open connection; wait for the thread to end."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        if thread.is_alive():
            future = asyncio.run_coroutine_threadsafe(self._close(), loop)
            with contextlib.suppress(Exception):
                future.result(timeout=STOP_TIMEOUT)
            loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout=STOP_TIMEOUT)
        if not thread.is_alive():
            loop.close()
        self._loop = self._thread = None
        self._servers = []
        self._ports = {}

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- inside the server thread ---------------------------------------------------------
    async def _open(self, context: ssl.SSLContext) -> None:
        loop = asyncio.get_running_loop()
        for listener in _LISTENERS:
            implicit = listener == "implicit-tls"
            self._current = listener
            server = await loop.create_server(
                self._factory(listener, context, loop),
                host=self._host,
                port=self._requested[listener],
                ssl=context if implicit else None,
                ssl_handshake_timeout=HANDSHAKE_TIMEOUT if implicit else None,
            )
            self._servers.append(server)
            self._ports[listener] = server.sockets[0].getsockname()[1]

    def _factory(
        self, listener: Listener, context: ssl.SSLContext, loop: asyncio.AbstractEventLoop
    ) -> Callable[[], SMTP]:
        implicit = listener == "implicit-tls"

        def make() -> SMTP:
            return SMTP(
                ListenerHandler(listener, self._deliver, self._notice),
                hostname=SERVER_NAME,
                ident=IDENT,
                # STARTTLS listener: TLS first, AUTH only over TLS (aiosmtpd's default).
                # Implicit-TLS listener: aiosmtpd cannot see that the socket is already TLS,
                # so it would never offer AUTH; the transport is always TLS here.
                tls_context=None if implicit else context,
                require_starttls=not implicit,
                auth_require_tls=not implicit,
                authenticator=_authenticate,
                enable_SMTPUTF8=True,
                timeout=IDLE_TIMEOUT,
                loop=loop,
            )

        return make

    async def _close(self) -> None:
        for server in self._servers:
            server.close()
        current = asyncio.current_task()
        tasks = [t for t in asyncio.all_tasks() if t is not current]
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks, timeout=STOP_TIMEOUT)
        for server in self._servers:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(server.wait_closed(), timeout=STOP_TIMEOUT)
        await asyncio.sleep(0)  # let the closed transports run connection_lost

    def _deliver(self, content: bytes, envelope: ReceivedEnvelope) -> str:
        received = dt.datetime.now().astimezone()
        with self._store_lock:
            key = store(self._maildir, content, envelope, received)
            number = _count(self._maildir)
        arrival = Arrival(
            number=number,
            key=key,
            received=received,
            subject=_subject(content),
            envelope=envelope,
        )
        if self.on_arrival is not None:
            try:
                self.on_arrival(arrival)
            except Exception as exc:  # a display problem must not fail the SMTP session
                self._notice(f"on_arrival callback failed: {exc!r}")
        return f"250 2.0.0 OK: stored as message {number} (mailtui sandbox --show {number})"

    def _notice(self, text: str) -> None:
        if self.on_notice is not None:
            with contextlib.suppress(Exception):
                self.on_notice(text)

    def _loop_exception(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        error = context.get("exception")
        if isinstance(error, ConnectionError | ssl.SSLError | asyncio.CancelledError):
            return  # a client went away or failed its handshake: normal for a test server
        message = describe_error(error) if error else str(context.get("message"))
        self._notice(f"server: {message}")

    def _bind_error(self, exc: OSError) -> SandboxError:
        listener = self._current
        flag = "--tls-port" if listener == "implicit-tls" else "--port"
        port = self._requested[listener]
        return SandboxError(
            f"cannot listen on {self._host} port {port} ({listener} listener): "
            f"{exc.strerror or exc}",
            hint=f"another program (another sandbox?) uses it: choose {flag} N, or 0 for any "
            "free port",
        )


def _count(maildir: Path) -> int:
    total = 0
    for sub in ("new", "cur"):
        folder = maildir / sub
        if folder.is_dir():
            total += sum(1 for p in folder.iterdir() if not p.name.startswith("."))
    return total


def _subject(content: bytes) -> str:
    try:
        headers = email.parser.BytesHeaderParser(policy=email.policy.default).parsebytes(content)
        return str(headers.get("Subject", "") or "")
    except Exception:
        return "(unreadable subject)"
