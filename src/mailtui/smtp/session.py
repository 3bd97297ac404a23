"""The SMTP session engine: executes a :class:`Plan`, records a live transcript.

``Session`` keeps one connection open for many messages (the batch sender reuses it, with
PIPELINING when offered). The mail transaction is in :mod:`mailtui.smtp.transaction`, the
diagnostic connections in :mod:`mailtui.smtp.diagnose`, and one whole test send
(``run_test_send``) in :mod:`mailtui.smtp.testsend` (which imports this module: no re-export
here, that would be an import cycle).
With a :class:`~mailtui.smtp.cancel.CancelToken`, ``cancel()`` from another thread shuts the
connection down at once and the session raises a ``Stage.CANCELLED`` failure; no QUIT is
waited for.

The result types live in ``mailtui.smtp.results`` and are re-exported here.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import smtplib
import socket
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from mailtui.javamail.plan import Plan
from mailtui.smtp import diagnose, secure
from mailtui.smtp import tls as tlsmod
from mailtui.smtp.auth import TokenProvider
from mailtui.smtp.cancel import CancelToken
from mailtui.smtp.client import RecordingSMTP, local_hostname, os_error_text
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
from mailtui.smtp.stages import STAGE_LABELS, Stage
from mailtui.smtp.transaction import run_transaction
from mailtui.smtp.transcript import EventCallback, Transcript

_T = TypeVar("_T")

__all__ = [
    "Capabilities", "Failure", "RecipientResult", "SendResult", "Session", "SessionError",
    "SessionResult", "split_reply",
]



# -- the session ---------------------------------------------------------------------------
def _scrubbed(method: Callable[..., _T]) -> Callable[..., _T]:
    """Server replies and error details may echo credentials back: every failure leaving the
    session is scrubbed by its redactor, whatever built it."""

    @functools.wraps(method)
    def wrapper(self: Session, *args: Any, **kwargs: Any) -> _T:
        try:
            return method(self, *args, **kwargs)
        except SessionError as err:
            failure = err.failure
            if self.cancelled and failure.stage != Stage.CANCELLED and (
                    failure.reply_code is None):  # a server's answer stands; a broken
                err = self._cancelled_error(failure.during)  # socket is not "connection lost"
            self.scrub(err.failure)
            err.failure.facts = {**self.facts(), **err.failure.facts}  # for the explainer
            raise err from None

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
        cancel: CancelToken | None = None,
    ) -> None:
        self.plan = plan
        self.cancel = cancel
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
        # (host, port) -> speaks TLS: shared by the sessions of one run (a Deliverer's retries)
        # so that the check after a silent greeting is made once, not on every retry
        self.sniff_memo: dict[tuple[str, int], bool] | None = None

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

    @property
    def cancelled(self) -> bool:
        return self.cancel is not None and self.cancel.cancelled

    def check_cancelled(self) -> None:
        """Between stages: raise the CANCELLED failure if cancel() was called."""
        if self.cancelled:
            raise self._cancelled_error()

    def _cancelled_error(self, during: Stage | None = None) -> SessionError:
        during = during or self.stage
        self.info("cancelled: the connection is closed at once, without QUIT"
                  if self.client is not None else "cancelled before connecting")
        self._drop()
        label = STAGE_LABELS.get(during, str(during))
        return SessionError(Failure(Stage.CANCELLED, during, "cancelled",
                                    detail=f"cancelled during {label}"))

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
        except OSError as exc:  # smtplib's exceptions are OSErrors too
            if self.cancelled:  # the socket was shut down under our feet on purpose
                raise self._cancelled_error() from None
            raise self._socket_failure(exc) from None

    def _socket_failure(self, exc: OSError) -> SessionError:
        during = self.stage
        if isinstance(exc, socket.gaierror):
            self._drop()
            return SessionError(Failure(Stage.DNS, Stage.DNS, "dns", detail=os_error_text(exc)))
        if isinstance(exc, TimeoutError):
            seconds = self._timeout_for(during)
            if self.client is not None and self.client.writing:
                seconds = self.plan.timeouts.write
            self.info(f"no progress within {seconds:g} s: giving up")
            self._drop()
            facts: dict[str, Any] = {"timeout": seconds}
            if during == Stage.GREETING:
                facts.update(diagnose.greeting_timeout_facts(self))
            return SessionError(Failure(Stage.TIMEOUT, during, "timeout",
                                        detail=f"no progress within {seconds:g} s",
                                        facts=facts))
        if isinstance(exc, smtplib.SMTPResponseException):
            return self._fail(during, "reply", code=exc.smtp_code,
                              raw=exc.smtp_error if isinstance(exc.smtp_error, bytes)
                              else str(exc.smtp_error).encode())
        disconnected = isinstance(exc, smtplib.SMTPServerDisconnected)
        text = str(exc) if disconnected else os_error_text(exc)
        if disconnected:
            self.info(f"connection lost: {exc}")
        self._drop()
        rejected = self._rejected_after_handshake(text)
        if rejected is not None:
            return rejected
        if not disconnected and during in (Stage.DNS, Stage.CONNECT):
            kind: FailureKind = ("refused" if isinstance(exc, ConnectionRefusedError)
                                 else "unreachable")
            return SessionError(Failure(Stage.CONNECT, Stage.CONNECT, kind, detail=text))
        return SessionError(Failure(Stage.CONNECTION_LOST, during, "lost", detail=text))

    def _rejected_after_handshake(self, detail: str) -> SessionError | None:
        """A close (or TLS alert) before the server's first answer over TLS: with TLS 1.3 the
        server checks the client certificate after the client's side of the handshake is
        done, so this is how a refused or missing client certificate shows: a TLS failure."""
        if not self._first_tls_reply:
            return None
        self._first_tls_reply = False
        return SessionError(Failure(Stage.TLS, Stage.TLS, "tls-closed-after-handshake",
                                    detail=detail, facts={"client_cert": self.plan.client_cert}))

    def _drop(self, *, polite: bool = False) -> None:
        """Close the connection (after a QUIT attempt when ``polite``)."""
        client = self.client
        if client is None or client.sock is None:
            return
        if polite and not self.cancelled:
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
        ehlo_name = plan.ehlo_name or local_hostname()
        self.check_cancelled()
        self.client = client = RecordingSMTP(self.transcript, plan.timeouts, ehlo_name,
                                             cancel=self.cancel)
        source = (plan.source_address or "", plan.source_port) if (
            plan.source_address or plan.source_port) else None
        with self._guard():
            client.open_socket(plan.host, plan.port, source)
            if plan.security == "implicit-tls":
                secure.handshake(self)
            client.stage = Stage.GREETING
            self.check_cancelled()
            code, raw = client.getreply()
            self._first_tls_reply = False
            self.greeting = raw.decode("utf-8", "replace")
            if code != ReplyCode.SERVICE_READY:
                raise self._reply_failure(Stage.GREETING, code, raw)
            self.ehlo()
            if plan.security != "implicit-tls":
                self.capabilities_before_tls = self.capabilities
            secure.negotiate_tls(self, authenticate=authenticate)
            if authenticate and plan.auth:
                self.check_cancelled()
                secure.login(self)
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

    def ehlo(self) -> None:
        """EHLO (HELO when refused with 5xx); sets ``capabilities``."""
        client = self._client()
        client.stage = Stage.EHLO
        self.check_cancelled()
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
        on_content: Callable[[], None] | None = None,
    ) -> SendResult:
        """One mail transaction on the open connection: MAIL, RCPT..., DATA.

        ``pipelining=True`` sends MAIL and the RCPTs (and DATA, when a rejected recipient
        cannot abort the message) in one write if the server offers PIPELINING.
        Raises SessionError; ``recoverable`` errors leave the connection ready (RSET sent).
        With ``plan.send_partial`` the message goes to the accepted recipients and the
        result lists the rejected ones. ``on_content`` is called just before the content is
        written (until then, an interrupted message is surely not sent).
        """
        if not recipients:
            raise ValueError("no recipients")
        self.check_cancelled()
        client = self._client()
        try:
            with self._guard():
                return run_transaction(self, client, envelope_from, list(recipients),
                                       message, pipelining=pipelining, on_content=on_content)
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

    def close(self) -> None:
        """QUIT (waiting for the reply when mail.smtp.quitwait) and close."""
        client = self.client
        if client is None or client.sock is None:
            return
        client.stage = Stage.DONE
        if not self.cancelled:
            self._quit(client)
        client.close()
