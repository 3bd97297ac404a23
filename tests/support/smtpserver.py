"""Real aiosmtpd servers on loopback with scripted faults, for the SMTP engine's tests.

``start_server(...)`` returns a running server (use as a context manager): plain, STARTTLS or
implicit TLS; AUTH PLAIN / LOGIN / CRAM-MD5 against one account; and the faults of
:class:`Faults` (a reply instead of the normal one at any stage, an abrupt close, a stall,
STARTTLS or AUTH stripped from EHLO, a close right after 354).
"""

from __future__ import annotations

import asyncio
import base64
import hmac
import logging
import secrets
import socket
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from tests.support.pki import Issued


class _QuietLoginData(logging.Filter):
    """aiosmtpd 1.4 logs a warning about its own deprecated attribute on every AUTH."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "login_data is deprecated" not in record.getMessage()


logging.getLogger("mail.log").addFilter(_QuietLoginData())

USERNAME = "sender@example.org"
PASSWORD = "Corr3ct-h0rse-b4ttery"  # the test account of the loopback servers

Mode = Literal["plain", "starttls", "implicit"]
Stage = Literal["greeting", "ehlo", "starttls", "auth", "mail", "rcpt", "data", "after-data",
                "quit"]


@dataclass
class Faults:
    """What the server does wrong. Replies are full lines, e.g. ``"535 5.7.8 Bad login"``."""

    greeting: str | None = None  # instead of "220 ..." (then the server hangs up)
    ehlo: str | None = None  # instead of the EHLO (and HELO) reply
    starttls: str | None = None  # instead of "220 Ready to start TLS"
    auth: str | None = None  # final AUTH reply instead of checking (after the exchange)
    mail: str | None = None
    rcpt: dict[str, str] | str | None = None  # one reply for all, or per recipient address
    data: str | None = None  # instead of "354"
    after_data: str | None = None  # instead of "250" after the final dot
    strip_starttls: bool = False
    strip_auth: bool = False
    close_at: Stage | None = None  # hang up abruptly instead of replying
    close_after_354: bool = False  # send 354, then hang up before reading the data
    stall_at: Stage | None = None  # wait stall_seconds before replying
    stall_seconds: float = 3.0
    stall_address: str | None = None  # with stall_at="rcpt": only the RCPT TO of this one
    advertise: tuple[str, ...] = ()  # extra EHLO keywords, e.g. ("PIPELINING", "DSN")


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes
    mail_options: list[str]
    rcpt_options: list[str]
    authenticated_as: str | None


class FaultHandler:
    """The aiosmtpd handler: accepts mail into ``received`` unless a fault says otherwise."""

    def __init__(self, faults: Faults, username: str, password: str) -> None:
        self.faults = faults
        self.username = username.encode()
        self.password = password.encode()
        self.received: list[Received] = []
        self.login_attempts: list[tuple[str, bytes]] = []  # (mechanism, login)
        self.oauth_token: bytes | None = None
        self.stalled = threading.Event()  # set when a stall begins (the client is waiting)
        self.open_connections = 0  # client connections not closed yet (the server's view)

    async def _fault(self, server: SMTP, stage: Stage, address: str | None = None) -> None:
        f = self.faults
        if f.stall_at == stage and (f.stall_address is None or f.stall_address == address):
            self.stalled.set()
            await asyncio.sleep(f.stall_seconds)
        if f.close_at == stage:
            _hang_up(server)
            await asyncio.sleep(60)  # cancelled by connection_lost: nothing more is sent

    async def handle_EHLO(self, server: SMTP, session: Session, envelope: Envelope,
                          hostname: str, responses: list[str]) -> list[str]:
        await self._fault(server, "ehlo")
        if self.faults.ehlo:
            return [self.faults.ehlo]
        session.host_name = hostname
        out = []
        for line in responses:
            keyword = line[4:].split(" ", 1)[0].upper()
            if self.faults.strip_starttls and keyword == "STARTTLS":
                continue
            if self.faults.strip_auth and keyword == "AUTH":
                continue
            out.append(line)
        extra = [f"250-{keyword}" for keyword in self.faults.advertise]
        return [*out[:-1], *extra, out[-1]] if out else out

    async def handle_HELO(self, server: SMTP, session: Session, envelope: Envelope,
                          hostname: str) -> str:
        if self.faults.ehlo:
            return self.faults.ehlo
        session.host_name = hostname
        return f"250 {server.hostname}"

    async def handle_AUTH(self, server: SMTP, session: Session, envelope: Envelope,
                          args: list[str]) -> Any:
        from aiosmtpd.smtp import MISSING

        await self._fault(server, "auth")
        if self.faults.auth and len(args) > 1:  # initial response given: reply at once
            return self.faults.auth
        return MISSING

    async def handle_MAIL(self, server: SMTP, session: Session, envelope: Envelope,
                          address: str, mail_options: list[str]) -> str:
        await self._fault(server, "mail")
        if self.faults.mail:
            return self.faults.mail
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 2.1.0 OK"

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope,
                          address: str, rcpt_options: list[str]) -> str:
        await self._fault(server, "rcpt", address)
        rcpt = self.faults.rcpt
        reply = rcpt.get(address) if isinstance(rcpt, dict) else rcpt
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        await self._fault(server, "after-data")
        if self.faults.after_data:
            return self.faults.after_data
        login = session.auth_data
        self.received.append(Received(
            mail_from=envelope.mail_from or "",
            rcpt_tos=list(envelope.rcpt_tos),
            data=bytes(envelope.original_content or envelope.content or b""),
            mail_options=list(envelope.mail_options),
            rcpt_options=list(envelope.rcpt_options),
            authenticated_as=login.decode() if isinstance(login, bytes) else login,
        ))
        return "250 2.0.0 OK queued as TEST1"

    async def handle_exception(self, error: Exception) -> str:
        return "421 4.3.0 test server error"

    # -- authentication --------------------------------------------------------------------
    def authenticator(self, server: SMTP, session: Session, envelope: Envelope,
                      mechanism: str, auth_data: Any) -> AuthResult:
        # A failed AuthResult must be handled=False, or aiosmtpd 1.4 sends no reply at all.
        if self.faults.auth:
            return AuthResult(success=False, handled=False, message=self.faults.auth)
        if isinstance(auth_data, LoginPassword):
            self.login_attempts.append((mechanism, auth_data.login))
            ok = auth_data.login == self.username and auth_data.password == self.password
            return AuthResult(success=ok, handled=False, auth_data=auth_data.login)
        return AuthResult(success=False, handled=False)

    async def auth_CRAM__MD5(self, server: SMTP, args: list[str]) -> AuthResult:
        challenge = f"<{secrets.token_hex(8)}@{server.hostname}>".encode()
        response = await server.challenge_auth(challenge)
        if not isinstance(response, bytes):
            return AuthResult(success=False, handled=True)
        login, _, digest = response.rpartition(b" ")
        self.login_attempts.append(("CRAM-MD5", login))
        if self.faults.auth:
            return AuthResult(success=False, handled=False, message=self.faults.auth)
        expected = hmac.new(self.password, challenge, "md5").hexdigest().encode()
        ok = login == self.username and hmac.compare_digest(digest, expected)
        return AuthResult(success=ok, handled=False, auth_data=login)


    async def auth_XOAUTH2(self, server: SMTP, args: list[str]) -> AuthResult:
        """RFC-less but well known: base64("user=U\\1auth=Bearer T\\1\\1")."""
        try:
            fields = base64.b64decode(args[1]).split(b"\x01")
            user = fields[0].removeprefix(b"user=")
            token = fields[1].removeprefix(b"auth=Bearer ")
        except (IndexError, ValueError):
            return AuthResult(success=False, handled=False, message="501 5.5.2 bad XOAUTH2")
        self.login_attempts.append(("XOAUTH2", user))
        ok = user == self.username and token == self.oauth_token
        if not ok:
            # Like Gmail: a 334 with a JSON error, then 535 after the client's empty line.
            await server.challenge_auth(b'{"status":"401"}', log_client_response=False)
            return AuthResult(success=False, handled=False,
                              message="535 5.7.8 Username and Password not accepted")
        return AuthResult(success=True, handled=False, auth_data=user)


def _hang_up(server: SMTP) -> None:
    transport = server.transport
    if transport is not None:
        transport.abort() if hasattr(transport, "abort") else transport.close()


class FaultySMTP(SMTP):
    """aiosmtpd's SMTP with the faults that no handler hook can reach."""

    def __init__(self, handler: FaultHandler, **kwargs: Any) -> None:
        super().__init__(handler, **kwargs)
        self._greeted = False
        self.faults = handler.faults
        self._fault_handler = handler

    def connection_made(self, transport: Any) -> None:
        if self.transport is None:  # not the STARTTLS upgrade of a connection
            self._fault_handler.open_connections += 1
            self._client_gone = False
        super().connection_made(transport)

    def _gone(self) -> None:
        if not self._client_gone:
            self._client_gone = True
            self._fault_handler.open_connections -= 1

    def eof_received(self) -> bool | None:
        self._gone()  # the client closed its side (seen even while a fault stalls a reply)
        return super().eof_received()

    def connection_lost(self, exc: Exception | None) -> None:
        self._gone()
        super().connection_lost(exc)

    async def push(self, status: Any) -> None:
        if not self._greeted:
            self._greeted = True
            f = self.faults
            if f.stall_at == "greeting":
                self._fault_handler.stalled.set()
                await asyncio.sleep(f.stall_seconds)
            if f.close_at == "greeting":
                _hang_up(self)
                return
            if f.greeting:
                await super().push(f.greeting)
                _hang_up(self)
                return
        await super().push(status)

    def _getparams(self, params: Any) -> Any:
        result = super()._getparams(params)
        if result is not None and "DSN" in self.faults.advertise:
            for key in ("RET", "ENVID", "NOTIFY", "ORCPT"):
                result.pop(key, None)
        return result

    async def smtp_STARTTLS(self, arg: str) -> None:
        if self.faults.starttls:
            await self.push(self.faults.starttls)
            return
        await super().smtp_STARTTLS(arg)

    async def smtp_DATA(self, arg: str) -> None:
        f = self.faults
        assert self.envelope is not None
        if f.data and self.envelope.rcpt_tos:
            await self.push(f.data)
            return
        if f.stall_at == "data":
            self._fault_handler.stalled.set()
            await asyncio.sleep(f.stall_seconds)
        if f.close_at == "data":
            _hang_up(self)
            return
        if f.close_after_354 and self.envelope.rcpt_tos:
            await self.push("354 End data with <CR><LF>.<CR><LF>")
            _hang_up(self)
            return
        await super().smtp_DATA(arg)

    async def smtp_QUIT(self, arg: str) -> None:
        if self.faults.stall_at == "quit":
            self._fault_handler.stalled.set()
            await asyncio.sleep(self.faults.stall_seconds)
        await super().smtp_QUIT(arg)


class _Controller(Controller):
    def factory(self) -> SMTP:
        return FaultySMTP(self.handler, **self.SMTP_kwargs)

    def _trigger_server(self) -> None:
        # aiosmtpd connects once to make sure the server is up; a greeting fault or an
        # implicit-TLS listener with a test certificate must not break that probe.
        hostname = self.hostname
        with socket.create_connection((hostname, self.port), 2.0) as s:
            if self.ssl_context:
                ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
                ctx.check_hostname = False
                ctx.verify_mode = ssl.CERT_NONE
                with ctx.wrap_socket(s) as t:
                    t.settimeout(0.2)
                    _read_quietly(t)
            else:
                s.settimeout(0.2)
                _read_quietly(s)


def _read_quietly(sock: socket.socket) -> None:
    with suppress(OSError):
        sock.recv(1024)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_context(cert: Issued, directory: Path) -> ssl.SSLContext:
    cert_path, key_path = cert.write(directory, f"server-{secrets.token_hex(4)}")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_path, key_path)
    return context


@dataclass
class RunningServer:
    host: str
    port: int
    mode: Mode
    handler: FaultHandler
    controller: Controller
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def received(self) -> list[Received]:
        return self.handler.received

    def stop(self) -> None:
        self.controller.stop()


@contextmanager
def start_server(
    *,
    mode: Mode = "starttls",
    cert: Issued | None = None,
    workdir: Path | None = None,
    faults: Faults | None = None,
    auth: bool = True,
    auth_required: bool = False,
    require_starttls: bool = False,
    smtputf8: bool = True,
    data_size_limit: int | None = 33554432,
    username: str = USERNAME,
    password: str = PASSWORD,
    oauth_token: str | None = None,
    client_ca: Path | None = None,
) -> Iterator[RunningServer]:
    """A real aiosmtpd server on 127.0.0.1 (free port), stopped on exit. ``client_ca``: the
    TLS listener requires a client certificate issued by that CA (CERT_REQUIRED)."""
    faults = faults or Faults()
    if not auth:
        faults.strip_auth = True
    handler = FaultHandler(faults, username, password)
    handler.oauth_token = oauth_token.encode() if oauth_token else None
    kwargs: dict[str, Any] = {
        "hostname": "127.0.0.1",
        "port": free_port(),
        "server_hostname": "mx.test",
        "enable_SMTPUTF8": smtputf8,
        "data_size_limit": data_size_limit,
        "authenticator": handler.authenticator,
        "auth_required": auth_required,
        "ready_timeout": 5.0,
    }
    if oauth_token is None:
        kwargs["auth_exclude_mechanism"] = ["XOAUTH2"]
    if mode in ("starttls", "implicit"):
        if cert is None or workdir is None:
            raise ValueError("a TLS server needs cert= and workdir=")
        context = server_context(cert, workdir)
        if client_ca is not None:
            context.verify_mode = ssl.CERT_REQUIRED
            context.load_verify_locations(cafile=str(client_ca))
        if mode == "starttls":
            kwargs["tls_context"] = context
            kwargs["require_starttls"] = require_starttls
        else:
            kwargs["ssl_context"] = context
            # aiosmtpd does not know the listener is TLS: it would never offer AUTH.
            kwargs["auth_require_tls"] = False
    else:
        # A plain server: AUTH offered in clear (to prove the client refuses to use it).
        kwargs["auth_require_tls"] = False
    controller = _Controller(handler, **kwargs)
    controller.start()
    try:
        yield RunningServer("127.0.0.1", kwargs["port"], mode, handler, controller)
    finally:
        controller.stop()


def credential_forms(username: str = USERNAME, password: str = PASSWORD) -> list[str]:
    """Every form of the credentials that must never appear in any output."""

    def b64(text: str) -> str:
        return base64.b64encode(text.encode()).decode()

    return [
        password,
        b64(password),
        b64(f"\0{username}\0{password}"),
        b64(username),
        b64(f"{username}\0{password}"),
    ]
