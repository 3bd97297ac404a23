"""The SMTP session engine: executes a :class:`Plan`, records a live transcript.

``Session`` keeps one connection open for many messages (the batch sender reuses it, with
PIPELINING when offered); ``run_test_send`` does one whole test send and never raises for an
SMTP failure: it returns a :class:`SessionResult` with the stage, exit code and explanation.

The result types live in ``mailtui.smtp.results`` and are re-exported here.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import smtplib
import socket
import ssl
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from mailtui.javamail.plan import Plan
from mailtui.smtp import tls as tlsmod
from mailtui.smtp.auth import TokenProvider, authenticate, choose_mechanism
from mailtui.smtp.client import RecordingSMTP, os_error_text
from mailtui.smtp.codes import NOT_A_REPLY, ReplyCode, is_permanent
from mailtui.smtp.results import (
    Capabilities,
    Failure,
    FailureKind,
    RecipientResult,
    SendResult,
    SessionError,
    SessionResult,
    split_reply,
)
from mailtui.smtp.stages import Stage
from mailtui.smtp.transcript import EventCallback, Transcript, WaitCallback

_T = TypeVar("_T")

__all__ = [
    "Capabilities", "Failure", "RecipientResult", "SendResult", "Session", "SessionError",
    "SessionResult", "run_test_send", "split_reply",
]

DIAGNOSTIC_TIMEOUT = 5.0  # cap for the extra connections that explain a TLS failure


# -- the session ---------------------------------------------------------------------------
def _scrubbed(method: Callable[..., _T]) -> Callable[..., _T]:
    """Server replies and error details may echo credentials back: every failure leaving the
    session is scrubbed by its redactor, whatever built it."""

    @functools.wraps(method)
    def wrapper(self: Session, *args: Any, **kwargs: Any) -> _T:
        try:
            return method(self, *args, **kwargs)
        except SessionError as err:
            self.scrub(err.failure)
            err.failure.facts = {**self.facts(), **err.failure.facts}  # for the explainer
            raise

    return wrapper


class Session:
    """One SMTP connection driven by a plan. Use as a context manager::

        with Session(plan, password=pw, on_event=print) as s:
            s.connect()
            s.send("me@example.org", ["you@example.org"], message_bytes)
    """

    def __init__(
        self,
        plan: Plan,
        *,
        password: str | None = None,
        on_event: EventCallback | None = None,
        token_provider: TokenProvider | None = None,
        transcript: Transcript | None = None,
    ) -> None:
        self.plan = plan
        self.password = password
        self.token_provider = token_provider
        self.transcript = transcript if transcript is not None else Transcript(on_event)
        self.transcript.redactor.add_credentials(plan.username, password)
        self.client: RecordingSMTP | None = None
        self.greeting: str | None = None
        self.capabilities: Capabilities | None = None
        self.capabilities_before_tls: Capabilities | None = None
        self.tls: tlsmod.TlsInfo | None = None
        self.mechanism: str | None = None
        self._first_tls_reply = False  # handshake done, the server has not answered over TLS

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- helpers -------------------------------------------------------------------------
    @property
    def stage(self) -> Stage:
        return self.client.stage if self.client else Stage.CONNECT

    @property
    def connected(self) -> bool:
        return self.client is not None and self.client.sock is not None

    def info(self, text: str) -> None:
        if self.client is not None:
            self.client.info(text)
        else:
            self.transcript.add("info", text, stage=Stage.CONNECT, tls=False)

    def _fail(self, stage: Stage, kind: FailureKind, *, code: int | None = None,
              raw: bytes | None = None, detail: str | None = None,
              recoverable: bool = False, **facts: Any) -> SessionError:
        enhanced, text = (None, None)
        if code is not None and raw is not None:
            enhanced, text = split_reply(code, raw)
        failure = Failure(stage=stage, during=stage, kind=kind, reply_code=code,
                          enhanced_code=enhanced, reply=text, detail=detail, facts=facts)
        if not recoverable:
            self._drop(polite=code is not None and code != ReplyCode.SERVICE_NOT_AVAILABLE)
        return SessionError(failure, recoverable=recoverable)

    def _reply_failure(self, stage: Stage, code: int, raw: bytes, *,
                       recoverable: bool = False, **facts: Any) -> SessionError:
        kind: FailureKind = "not-smtp" if code == NOT_A_REPLY else "reply"
        return self._fail(stage, kind, code=code if code != NOT_A_REPLY else None, raw=raw,
                          recoverable=recoverable and code != ReplyCode.SERVICE_NOT_AVAILABLE,
                          **facts)

    def _timeout_for(self, stage: Stage) -> float:
        t = self.plan.timeouts
        if stage in (Stage.DNS, Stage.CONNECT, Stage.TLS):
            return t.connect
        return t.read

    @contextlib.contextmanager
    def _guard(self) -> Iterator[None]:
        """Turn socket-level exceptions into a SessionError naming the stage."""
        try:
            yield
        except SessionError:
            raise
        except socket.gaierror as exc:
            self._drop()
            raise SessionError(Failure(Stage.DNS, Stage.DNS, "dns",
                                       detail=os_error_text(exc))) from None
        except TimeoutError:
            during = self.stage
            seconds = self._timeout_for(during)
            if self.client is not None and self.client.writing:
                seconds = self.plan.timeouts.write
            self.info(f"no progress within {seconds:g} s: giving up")
            self._drop()
            facts: dict[str, Any] = {"timeout": seconds}
            if during == Stage.GREETING and self.plan.security != "implicit-tls":
                # Silence after connecting: is it an implicit-TLS port?
                assert self.plan.host is not None
                if tlsmod.sniff_tls(self.plan, min(self.plan.timeouts.connect,
                                                   DIAGNOSTIC_TIMEOUT)):
                    facts["speaks_tls"] = True
                    self.info(f"port {self.plan.port} completes a TLS handshake: it is an "
                              "implicit-TLS port")
            raise SessionError(Failure(Stage.TIMEOUT, during, "timeout",
                                       detail=f"no progress within {seconds:g} s",
                                       facts=facts)) from None
        except smtplib.SMTPServerDisconnected as exc:
            during = self.stage
            self.info(f"connection lost: {exc}")
            self._drop()
            self._raise_if_rejected_after_handshake(str(exc))
            raise SessionError(Failure(Stage.CONNECTION_LOST, during, "lost",
                                       detail=str(exc))) from None
        except smtplib.SMTPResponseException as exc:
            raise self._fail(self.stage, "reply", code=exc.smtp_code,
                             raw=exc.smtp_error if isinstance(exc.smtp_error, bytes)
                             else str(exc.smtp_error).encode()) from None
        except OSError as exc:
            during = self.stage
            text = os_error_text(exc)
            self._drop()
            self._raise_if_rejected_after_handshake(text)
            if during in (Stage.DNS, Stage.CONNECT):
                kind: FailureKind = ("refused" if isinstance(exc, ConnectionRefusedError)
                                     else "unreachable")
                raise SessionError(Failure(Stage.CONNECT, Stage.CONNECT, kind,
                                           detail=text)) from None
            raise SessionError(Failure(Stage.CONNECTION_LOST, during, "lost",
                                       detail=text)) from None

    def _raise_if_rejected_after_handshake(self, detail: str) -> None:
        """A close (or TLS alert) before the server's first answer over TLS: with TLS 1.3 the
        server checks the client certificate after the client's side of the handshake is
        done, so this is how a refused or missing client certificate shows: a TLS failure."""
        if self._first_tls_reply:
            self._first_tls_reply = False
            raise SessionError(Failure(Stage.TLS, Stage.TLS, "tls-closed-after-handshake",
                                       detail=detail,
                                       facts={"client_cert": self.plan.client_cert}))

    def _drop(self, *, polite: bool = False) -> None:
        """Close the connection (after a QUIT attempt when ``polite``)."""
        client = self.client
        if client is None or client.sock is None:
            return
        if polite:
            self._quit(client)
        client.close()

    def _quit(self, client: RecordingSMTP) -> None:
        previous = client.timeouts
        client.timeouts = dataclasses.replace(previous, read=min(previous.read, 5.0),
                                              write=min(previous.write, 5.0))
        try:
            if self.plan.quit_wait:
                client.docmd("QUIT")
            else:
                client.send("QUIT\r\n")
        except (OSError, smtplib.SMTPException):
            pass
        finally:
            client.timeouts = previous

    # -- connection --------------------------------------------------------------------
    @_scrubbed
    def connect(self, *, authenticate: bool = True) -> Capabilities:
        """Greeting, EHLO, TLS (as the plan says), EHLO again, AUTH. Raises SessionError."""
        plan = self.plan
        if not plan.host:
            raise SessionError(Failure(Stage.CONFIG, Stage.CONFIG, "no-host",
                                       detail="no SMTP host (mail.smtp.host)"))
        if authenticate and plan.auth:
            self._check_credentials()
        ehlo_name = plan.ehlo_name or _local_hostname()
        self.client = client = RecordingSMTP(self.transcript, plan.timeouts, ehlo_name)
        source = (plan.source_address or "", plan.source_port) if (
            plan.source_address or plan.source_port) else None
        with self._guard():
            client.open_socket(plan.host, plan.port, source)
            if plan.security == "implicit-tls":
                self._handshake()
            client.stage = Stage.GREETING
            code, raw = client.getreply()
            self._first_tls_reply = False
            self.greeting = raw.decode("utf-8", "replace")
            if code != ReplyCode.SERVICE_READY:
                raise self._reply_failure(Stage.GREETING, code, raw)
            self._ehlo()
            if plan.security != "implicit-tls":
                self.capabilities_before_tls = self.capabilities
            self._negotiate_tls(authenticate=authenticate)
            if authenticate and plan.auth:
                self._authenticate()
        assert self.capabilities is not None
        return self.capabilities

    def _check_credentials(self) -> None:
        plan = self.plan
        if not plan.username:
            raise SessionError(Failure(Stage.CONFIG, Stage.CONFIG, "no-username",
                                       detail="mail.smtp.auth=true but no username"))
        if self.password is None and not (
            self.token_provider is not None and "XOAUTH2" in plan.mechanisms
        ):
            raise SessionError(Failure(Stage.CONFIG, Stage.CONFIG, "no-password",
                                       detail="mail.smtp.auth=true but no password"))

    def _ehlo(self) -> None:
        client = self._client()
        client.stage = Stage.EHLO
        code, raw = client.ehlo()
        self._first_tls_reply = False
        if code != ReplyCode.OK:
            if not is_permanent(code):
                raise self._reply_failure(Stage.EHLO, code, raw)
            client.info("EHLO refused: trying HELO (no ESMTP extensions)")
            code, raw = client.helo()
            if code != ReplyCode.OK:
                raise self._reply_failure(Stage.EHLO, code, raw)
        self.capabilities = Capabilities(dict(client.esmtp_features), client.does_esmtp)

    def _negotiate_tls(self, *, authenticate: bool) -> None:
        plan = self.plan
        caps = self._caps()
        if plan.security in ("starttls-optional", "starttls-required"):
            if caps.starttls:
                self._starttls()
                self._ehlo()
                return
            if plan.security == "starttls-required":
                raise self._fail(Stage.TLS, "tls-not-offered",
                                 detail="STARTTLS is required but the server did not offer it")
            if authenticate and plan.auth:
                raise self._fail(Stage.TLS, "tls-needed-for-auth",
                                 detail="STARTTLS not offered; refusing to send the password "
                                        "over an unencrypted connection")
            self.info("STARTTLS not offered: continuing unencrypted (no credentials will be "
                      "sent; mail.smtp.starttls.required=true would stop here)")
        elif plan.security == "none" and authenticate and plan.auth:
            raise self._fail(Stage.TLS, "auth-needs-tls",
                             detail="authentication is on but the connection is not encrypted",
                             starttls_offered=caps.starttls)

    def _starttls(self) -> None:
        client = self._client()
        client.stage = Stage.TLS
        code, raw = client.docmd("STARTTLS")
        if code != ReplyCode.SERVICE_READY:
            raise self._reply_failure(Stage.TLS, code, raw)
        self._handshake()
        # RFC 3207: forget everything learnt before TLS.
        client.helo_resp = None
        client.ehlo_resp = None
        client.esmtp_features = {}
        client.does_esmtp = False

    def _handshake(self) -> None:
        plan = self.plan
        client = self._client()
        client.stage = Stage.TLS
        assert plan.host is not None
        client.info(f"TLS handshake (server name {plan.host})")
        try:
            context = tlsmod.build_context(plan)
        except (ValueError, OSError) as exc:
            raise self._fail(Stage.CONFIG, "tls-config", detail=str(exc)) from None
        try:
            sock = client.start_tls_layer(context, plan.host)
        except TimeoutError:
            raise
        except ssl.SSLCertVerificationError as exc:
            client.close()
            raise self._certificate_failure(exc) from None
        except OSError as exc:
            client.close()
            raise self._handshake_failure(exc) from None
        identity_ok: bool | None = None
        cert = tlsmod.CertificateInfo.from_socket(sock)
        if plan.client_cert:
            client.info(f"client certificate offered: {plan.client_cert}")
        if (not tlsmod.verifies_chain(plan) and plan.check_server_identity
                and not plan.tls_fingerprints):
            identity_ok = cert is not None and tlsmod.name_matches(plan.host, cert)
        self.tls = tlsmod.describe_session(sock, plan, identity_ok)
        self._first_tls_reply = True
        for line in self.tls.lines():
            client.info(line)
        if plan.tls_fingerprints and not tlsmod.pin_matches(plan, cert):
            failure = self._fail(Stage.TLS, "cert-pin-mismatch",
                                 detail="the certificate does not match mailtui.ssl.fingerprint",
                                 expected=", ".join(plan.tls_fingerprints),
                                 actual=cert.sha256 if cert else "no certificate")
            failure.failure.certificate = cert
            raise failure
        if identity_ok is False:
            failure = self._fail(Stage.TLS, "cert-hostname",
                                 detail=f"certificate is not valid for {plan.host}")
            failure.failure.certificate = cert
            raise failure

    def _certificate_failure(self, exc: ssl.SSLCertVerificationError) -> SessionError:
        plan = self.plan
        message = exc.verify_message or str(exc)
        self.info(f"certificate verification failed: {message}")
        code = exc.verify_code
        kind: FailureKind
        if code in (62, 64) or "mismatch" in message.lower():
            kind = "cert-hostname"
        elif code == 10 or "expired" in message.lower():
            kind = "cert-expired"
        elif code == 18:  # the server's own certificate is self-signed
            kind = "cert-self-signed"
        else:
            kind = "cert-untrusted"
        cert = tlsmod.peek_certificate(plan, min(plan.timeouts.connect, DIAGNOSTIC_TIMEOUT))
        if cert is not None:
            self.info(f"the server presented: subject {cert.subject}; issuer {cert.issuer}"
                      + (" (self-signed)" if cert.self_signed else ""))
            self.info(f"certificate names: {cert.names_text()}; valid "
                      f"{cert.not_before:%Y-%m-%d} to {cert.not_after:%Y-%m-%d}; "
                      f"SHA-256 {cert.sha256}")
        failure = Failure(Stage.TLS, Stage.TLS, kind, detail=message, certificate=cert)
        return SessionError(failure)

    def _handshake_failure(self, exc: OSError) -> SessionError:
        plan = self.plan
        detail = os_error_text(exc)
        self.info(f"TLS handshake failed: {detail}")
        kind: FailureKind = "tls-handshake"
        facts: dict[str, Any] = {}
        if plan.security == "implicit-tls":
            greeting = tlsmod.sniff_plain_greeting(
                plan, min(plan.timeouts.connect, DIAGNOSTIC_TIMEOUT))
            if greeting and greeting[:3] in ("220", "421", "554"):
                kind = "plaintext-on-tls-port"
                facts["greeting"] = greeting
                self.info(f"port {plan.port} answers a plain connection with {greeting!r}: "
                          "it speaks plain SMTP, not implicit TLS")
        return SessionError(Failure(Stage.TLS, Stage.TLS, kind, detail=detail, facts=facts))

    def _authenticate(self) -> None:
        plan = self.plan
        client = self._client()
        client.stage = Stage.AUTH
        caps = self._caps()
        if not client.tls_active:  # never, in any mode
            raise self._fail(Stage.TLS, "auth-needs-tls",
                             detail="refusing to authenticate over an unencrypted connection",
                             starttls_offered=caps.starttls)
        if not caps.auth:
            raise self._fail(Stage.AUTH, "auth-not-offered",
                             detail="the server does not offer AUTH")
        mechanism = choose_mechanism(plan.mechanisms, caps.auth,
                                     have_token=self.token_provider is not None)
        if mechanism is None:
            raise self._fail(Stage.AUTH, "auth-no-mechanism",
                             detail="no AUTH mechanism in common",
                             offered=list(caps.auth), mechanisms=list(plan.mechanisms))
        assert plan.username is not None
        client.info(f"authenticating as {plan.username} with {mechanism}")
        code, raw = authenticate(client, mechanism, plan.username, self.password,
                                 authzid=plan.sasl_authzid, token_provider=self.token_provider)
        if code not in (ReplyCode.AUTH_SUCCEEDED, ReplyCode.BAD_SEQUENCE):
            raise self._reply_failure(Stage.AUTH, code, raw, mechanism=mechanism)
        self.mechanism = mechanism

    def _client(self) -> RecordingSMTP:
        if self.client is None or self.client.sock is None:
            raise SessionError(Failure(Stage.CONNECTION_LOST, self.stage, "lost",
                                       detail="not connected"))
        return self.client

    def facts(self) -> dict[str, Any]:
        """What the session learnt, for explanations: offered mechanisms, size limit, TLS."""
        caps = self.capabilities
        before = self.capabilities_before_tls
        return {
            "offered": list(caps.auth) if caps else [],
            "size_limit": caps.size if caps else None,
            "starttls_offered": bool(before and before.starttls) or bool(caps and caps.starttls),
            "tls_active": bool(self.client and self.client.tls_active),
            "mechanism": self.mechanism,
            "greeting": self.greeting,
        }

    def scrub(self, failure: Failure) -> Failure:
        """Remove every registered secret form from a failure's texts (in place)."""
        scrub = self.transcript.redactor.scrub
        if failure.reply is not None:
            failure.reply = scrub(failure.reply)
        if failure.detail is not None:
            failure.detail = scrub(failure.detail)
        return failure

    def _caps(self) -> Capabilities:
        return self.capabilities or Capabilities({}, False)

    # -- sending -------------------------------------------------------------------------
    @_scrubbed
    def send(
        self,
        envelope_from: str,
        recipients: Sequence[str],
        message: bytes,
        *,
        pipelining: bool = False,
    ) -> SendResult:
        """One mail transaction on the open connection: MAIL, RCPT..., DATA.

        ``pipelining=True`` sends MAIL and the RCPTs (and DATA, when a rejected recipient
        cannot abort the message) in one write if the server offers PIPELINING.
        Raises SessionError; ``recoverable`` errors leave the connection ready (RSET sent).
        With ``plan.send_partial`` the message goes to the accepted recipients and the
        result lists the rejected ones.
        """
        if not recipients:
            raise ValueError("no recipients")
        client = self._client()
        try:
            with self._guard():
                return self._transaction(client, envelope_from, list(recipients), message,
                                         pipelining=pipelining)
        except SessionError as err:
            err.failure.facts.setdefault("sender", envelope_from)
            err.failure.facts.setdefault("message_size", len(message))
            if err.recoverable and self.connected:
                self.reset()
            raise

    @_scrubbed
    def reset(self) -> None:
        """RSET: abandon the current transaction, keep the connection."""
        client = self._client()
        with self._guard():
            code, _raw = client.docmd("RSET")
        if code != ReplyCode.OK:
            self._drop()

    def _transaction(self, client: RecordingSMTP, envelope_from: str, recipients: list[str],
                     message: bytes, *, pipelining: bool) -> SendResult:
        plan = self.plan
        caps = self._caps()
        client.stage = Stage.MAIL_FROM
        headers_8bit = _has_8bit(message.partition(b"\r\n\r\n")[0])
        needs_utf8 = headers_8bit or not envelope_from.isascii() or not all(
            r.isascii() for r in recipients)
        use_utf8 = needs_utf8 and caps.smtputf8
        if needs_utf8 and not caps.smtputf8:
            envelope_from = self._ascii_address(envelope_from, Stage.MAIL_FROM)
            recipients = [self._ascii_address(r, Stage.RCPT) for r in recipients]
            if headers_8bit:
                raise self._fail(Stage.MAIL_FROM, "smtputf8", recoverable=True,
                                 detail="the message headers contain UTF-8 but the server "
                                        "does not offer SMTPUTF8", address="message headers")
        mail_options: list[str] = []
        if caps.size is not None:
            mail_options.append(f"SIZE={len(message)}")
        if _has_8bit(message):
            if caps.eightbitmime:
                mail_options.append("BODY=8BITMIME")
            else:
                client.info("the message has 8-bit data but the server does not offer "
                            "8BITMIME")
        if use_utf8:
            mail_options.append("SMTPUTF8")
            client.command_encoding = "utf-8"
        rcpt_options: list[str] = []
        if plan.dsn_ret or plan.dsn_notify:
            if caps.dsn:
                if plan.dsn_ret:
                    mail_options.append(f"RET={plan.dsn_ret}")
                if plan.dsn_notify:
                    rcpt_options.append(f"NOTIFY={plan.dsn_notify}")
            else:
                client.info("the server does not offer DSN: mail.smtp.dsn.* ignored")
        if not caps.esmtp:
            mail_options, rcpt_options = [], []
        mail_line = f"MAIL FROM:{smtplib.quoteaddr(envelope_from)}" + "".join(
            " " + o for o in mail_options)
        rcpt_lines = [f"RCPT TO:{smtplib.quoteaddr(r)}" + "".join(" " + o for o in rcpt_options)
                      for r in recipients]
        pipelined = pipelining and caps.pipelining
        with_data = pipelined and (len(recipients) == 1 or plan.send_partial)

        if pipelined:
            client.send_lines([mail_line, *rcpt_lines] + (["DATA"] if with_data else []))
        else:
            client.send(mail_line + "\r\n")
        code, raw = client.getreply()
        mail_reply = (code, raw)
        results: list[RecipientResult] = []
        raw_replies: dict[str, bytes] = {}
        client.stage = Stage.RCPT
        for address, line in zip(recipients, rcpt_lines, strict=True):
            if not pipelined:
                if mail_reply[0] != ReplyCode.OK:
                    break
                client.send(line + "\r\n")
            rcode, rraw = client.getreply()
            raw_replies[address] = rraw
            enhanced, text = split_reply(rcode, rraw)
            results.append(RecipientResult(
                address, rcode in (ReplyCode.OK, ReplyCode.WILL_FORWARD), rcode, text, enhanced))
        data_reply: tuple[int, bytes] | None = None
        if with_data:
            client.stage = Stage.DATA
            data_reply = client.getreply()
        if mail_reply[0] != ReplyCode.OK:
            self._abandon_data(client, data_reply)
            raise self._reply_failure(Stage.MAIL_FROM, *mail_reply, recoverable=True)
        accepted = [r for r in results if r.accepted]
        rejected = [r for r in results if not r.accepted]
        if not accepted or (rejected and not plan.send_partial):
            self._abandon_data(client, data_reply)
            first = rejected[0]
            raise self._reply_failure(
                Stage.RCPT, first.code, raw_replies[first.address], recoverable=True,
                rejected=[r.address for r in rejected], accepted=[r.address for r in accepted])
        if rejected:
            client.info("recipients rejected, sending to the others (mail.smtp.sendpartial): "
                        + ", ".join(r.address for r in rejected))
        client.stage = Stage.DATA
        if data_reply is None:
            data_reply = client.docmd("DATA")
        if data_reply[0] != ReplyCode.START_MAIL_INPUT:
            raise self._reply_failure(Stage.DATA, *data_reply, recoverable=True)
        client.writing = True
        try:
            client.send_message_data(message)
        finally:
            client.writing = False
        client.stage = Stage.AFTER_DATA
        code, raw = client.getreply()
        if code != ReplyCode.OK:
            raise self._reply_failure(Stage.AFTER_DATA, code, raw, recoverable=True)
        client.command_encoding = "ascii"
        enhanced, text = split_reply(code, raw)
        return SendResult(tuple(results), code, text, enhanced)

    def _abandon_data(self, client: RecordingSMTP, data_reply: tuple[int, bytes] | None) -> None:
        """A pipelined DATA that was accepted although the transaction failed: end it empty
        (RFC 2920 §3.1); only reached when no recipient was accepted."""
        if data_reply is not None and data_reply[0] == ReplyCode.START_MAIL_INPUT:
            client.send(".\r\n")
            client.getreply()

    def _ascii_address(self, address: str, stage: Stage) -> str:
        if address.isascii():
            return address
        local, _, domain = address.rpartition("@")
        if local.isascii():
            try:
                import idna

                return f"{local}@{idna.encode(domain, uts46=True).decode('ascii')}"
            except (ImportError, idna.IDNAError, UnicodeError):
                pass
        raise self._fail(stage, "smtputf8", recoverable=True, address=address,
                         detail=f"{address} needs SMTPUTF8, which the server does not offer")

    def close(self) -> None:
        """QUIT (waiting for the reply when mail.smtp.quitwait) and close."""
        client = self.client
        if client is None or client.sock is None:
            return
        client.stage = Stage.DONE
        self._quit(client)
        client.close()


def _has_8bit(data: bytes) -> bool:
    return not data.isascii()


_LOCAL_HOSTNAME: str | None = None


def _local_hostname() -> str:
    """JavaMail's default EHLO name: the local host name (a literal if it is not a FQDN)."""
    global _LOCAL_HOSTNAME
    if _LOCAL_HOSTNAME is None:
        name = socket.gethostname()
        if "." not in name:
            try:
                fqdn = socket.getfqdn(name)
            except OSError:
                fqdn = name
            name = fqdn if "." in fqdn else name
        _LOCAL_HOSTNAME = name if "." in name else f"[{_primary_ip()}]"
    return _LOCAL_HOSTNAME


def _primary_ip() -> str:
    try:
        return socket.gethostbyname(socket.gethostname())
    except OSError:
        return "127.0.0.1"


# -- one whole test send --------------------------------------------------------------------
def run_test_send(
    plan: Plan,
    password: str | None,
    message: bytes,
    recipients: Sequence[str],
    on_event: EventCallback | None = None,
    *,
    envelope_from: str | None = None,
    token_provider: TokenProvider | None = None,
    on_wait: WaitCallback | None = None,
) -> SessionResult:
    """Connect, authenticate, send ``message``, QUIT. Never raises for an SMTP failure.
    ``on_wait`` receives a WaitNotice whenever the session starts or stops waiting."""
    started = time.monotonic()
    transcript = Transcript(on_event, start=started, on_wait=on_wait)
    session = Session(plan, password=password, token_provider=token_provider,
                      transcript=transcript)
    sender = envelope_from or plan.envelope_from or _header_from(message)
    failure: Failure | None = None
    sent: SendResult | None = None
    try:
        if not sender:
            raise SessionError(Failure(Stage.CONFIG, Stage.CONFIG, "no-sender",
                                       detail="no envelope sender"))
        session.connect()
        sent = session.send(sender, recipients, message)
        if sent.rejected:
            first = sent.rejected[0]
            failure = Failure(Stage.RCPT, Stage.RCPT, "partial", reply_code=first.code,
                              enhanced_code=first.enhanced_code, reply=first.reply,
                              facts={"rejected": [r.address for r in sent.rejected],
                                     "accepted": list(sent.accepted)})
    except SessionError as err:
        failure = err.failure
    finally:
        session.close()
    if failure is not None:
        session.scrub(failure)
    duration = time.monotonic() - started
    facts = {**session.facts(), "sender": sender}
    if failure is None:
        assert sent is not None
        explanation, fix = explain_success(plan, sent, facts)
        return SessionResult(
            ok=True, stage=Stage.DONE, exit_code=0, reply_code=sent.reply_code,
            enhanced_code=sent.enhanced_code, reply=sent.reply, explanation=explanation, fix=fix,
            duration_s=duration, transcript=list(transcript.events),
            recipients=list(sent.recipients), tls=session.tls, message_sent=True,
        )
    failure.facts = {**facts, "message_size": len(message), **failure.facts}
    from mailtui.smtp.explain import explain  # only failures need the table

    explanation, fix = explain(failure, plan)
    return SessionResult(
        ok=False, stage=failure.stage, exit_code=failure.exit_code,
        reply_code=failure.reply_code, enhanced_code=failure.enhanced_code,
        reply=failure.reply, explanation=explanation, fix=fix, duration_s=duration,
        transcript=list(transcript.events), during=failure.during,
        recipients=list(sent.recipients) if sent else [], tls=session.tls,
        message_sent=sent is not None,
    )


def explain_success(plan: Plan, sent: SendResult, facts: dict[str, Any]) -> tuple[str, None]:
    who = ", ".join(sent.accepted)
    secure = "over TLS" if facts.get("tls_active") else "WITHOUT encryption"
    auth = f", authenticated with {facts['mechanism']}" if facts.get("mechanism") else ""
    return (f"The server accepted the message for {who} ({secure}{auth}). Check that it "
            "arrives (and is not in the spam folder).", None)


def _header_from(message: bytes) -> str | None:
    from email.utils import parseaddr

    head = message.partition(b"\r\n\r\n")[0].decode("utf-8", "replace")
    for line in head.split("\r\n"):
        if line.lower().startswith("from:"):
            return parseaddr(line[5:].strip())[1] or None
    return None
