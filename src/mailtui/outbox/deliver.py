"""Deliver built messages over one reused connection: reconnect after a drop, retry temporary
failures with backoff, and never send a message twice once its final reply may have been lost.

With a :class:`~mailtui.smtp.cancel.CancelToken`, ``cancel()`` (another thread, Ctrl-C) stops
at once, backoff delays included: the message in flight is ``cancelled`` (surely not sent:
its content had not been transmitted in full) or ``uncertain`` (all of it was transmitted,
the reply had not come).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from mailtui.config.model import Settings
from mailtui.errors import ConfigError
from mailtui.javamail.plan import Plan
from mailtui.outbox.build import Outgoing
from mailtui.smtp.codes import ReplyCode, is_transient
from mailtui.smtp.results import Failure, FailureKind, RecipientResult, SessionError
from mailtui.smtp.stages import Stage

if TYPE_CHECKING:
    from mailtui.smtp.cancel import CancelToken
    from mailtui.smtp.session import Session
    from mailtui.smtp.transcript import EventCallback, WaitCallback

Status = Literal["sent", "failed", "deferred", "uncertain", "cancelled"]

# Failures before any mail transaction: every following message would fail the same way.
CONNECTION_STAGES = frozenset({Stage.CONFIG, Stage.DNS, Stage.CONNECT, Stage.GREETING,
                               Stage.EHLO, Stage.TLS, Stage.AUTH})
_TRANSIENT_KINDS: frozenset[FailureKind] = frozenset({"lost", "timeout", "refused"})


def is_temporary(failure: Failure) -> bool:
    """A 4xx reply, or a connection that broke or timed out: worth another try later."""
    if failure.reply_code is not None:
        return is_transient(failure.reply_code)
    if failure.facts.get("speaks_tls"):  # silent because it waits for TLS: a setting, not luck
        return False
    return failure.kind in _TRANSIENT_KINDS


def retry_text(failure: Failure, delay: float, attempt: int, attempts: int) -> str:
    """``retrying in 4 s (try 2 of 4): temporary failure at RCPT TO (451 4.7.1 ...)``."""
    from mailtui.smtp.render import reply_text
    from mailtui.smtp.stages import STAGE_LABELS

    what = (reply_text(failure.reply_code, failure.enhanced_code, failure.reply)
            if failure.reply_code else failure.detail or failure.kind)
    return (f"retrying in {delay:g} s (try {attempt} of {attempts}): temporary failure at "
            f"{STAGE_LABELS.get(failure.during, str(failure.during))} ({what})")


def reply_lost(failure: Failure) -> bool:
    """The whole message was transmitted but its reply never came: it may have been accepted,
    so sending it again could deliver it twice."""
    return failure.during == Stage.AFTER_DATA and failure.reply_code is None


def _close_quietly(session: Session) -> None:
    """QUIT if possible; a connection that is already broken has nothing more to say."""
    with contextlib.suppress(OSError, SessionError):
        session.close()


class DeliveryAborted(Exception):
    """The server cannot be used at all (DNS, TLS, AUTH, ...): stop the run."""

    def __init__(self, failure: Failure, explanation: str, fix: str | None) -> None:
        super().__init__(explanation)
        self.failure = failure
        self.explanation = explanation
        self.fix = fix


@dataclass
class Delivery:
    status: Status
    attempts: int
    reply_code: int | None = None
    enhanced_code: str | None = None
    reply: str | None = None
    stage: Stage = Stage.DONE
    explanation: str | None = None
    fix: str | None = None
    recipients: list[RecipientResult] = field(default_factory=list)
    during: Stage | None = None  # the protocol stage of a timeout or a lost connection

    @property
    def ok(self) -> bool:
        return self.status == "sent"

    @property
    def exit_code(self) -> int:
        return self.stage.exit_code

    def to_record(self) -> dict[str, Any]:
        """The JSON record of ``send --json`` and of batch results files."""
        record: dict[str, Any] = {"status": self.status, "attempts": self.attempts,
                                  "reply_code": self.reply_code,
                                  "enhanced_code": self.enhanced_code, "reply": self.reply}
        if not self.ok:
            record.update(stage=str(self.stage), exit_code=self.exit_code,
                          during=str(self.during) if self.during else None,
                          explanation=self.explanation, fix=self.fix)
        rejected = [r.address for r in self.recipients if not r.accepted]
        if rejected:
            record["rejected"] = rejected
        return record


def require_enabled(settings: Settings) -> None:
    """``server.enabled = false`` stops real sends (test sends are still allowed)."""
    if not settings.server.enabled:
        where = f" in {settings.path}" if settings.path else ""
        raise ConfigError(f"sending is disabled (server.enabled = false{where})",
                          hint="set server.enabled = true once `mailtui send-test` works")


class Deliverer:
    """Sends messages on one SMTP connection, opened on first use and reopened when needed."""

    def __init__(
        self,
        plan: Plan,
        password: str | None,
        *,
        on_event: EventCallback | None = None,
        retries: int = 3,
        retry_delay: float = 2.0,
        pipelining: bool = True,
        sleep: Callable[[float], None] = time.sleep,
        on_retry: Callable[[str], None] | None = None,
        on_wait: WaitCallback | None = None,
        cancel: CancelToken | None = None,
    ) -> None:
        self.plan = plan
        self.cancel = cancel
        self.on_wait = on_wait
        self.password = password
        self.on_event = on_event
        self.retries = retries
        self.retry_delay = retry_delay
        self.pipelining = pipelining
        self.sleep = sleep
        self.on_retry = on_retry
        self.session: Session | None = None
        self.connections = 0
        self.sniff_memo: dict[tuple[str, int], bool] = {}  # the TLS check, once per run

    def __enter__(self) -> Deliverer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self.session is not None:
            session, self.session = self.session, None
            _close_quietly(session)

    def _session(self) -> Session:
        if self.session is None or not self.session.connected:
            from mailtui.smtp.session import Session
            from mailtui.smtp.transcript import Transcript

            self.close()
            session = Session(self.plan, password=self.password, cancel=self.cancel,
                              transcript=Transcript(self.on_event, keep=False,
                                                    on_wait=self.on_wait))
            session.sniff_memo = self.sniff_memo
            self.connections += 1
            try:
                session.connect()
            except SessionError:
                _close_quietly(session)
                raise
            self.session = session
        return self.session

    def _explain(self, failure: Failure) -> tuple[str, str | None]:
        from mailtui.smtp.explain import explain

        return explain(failure, self.plan)

    def deliver(self, message: Outgoing, *,
                on_content: Callable[[], None] | None = None) -> Delivery:
        """Send one message. Raises DeliveryAborted when the server is unusable.
        ``on_content`` is called before each transmission of the message's content (until
        then, an interruption leaves the message surely not sent)."""
        attempt = 0
        while True:
            attempt += 1
            if self.cancel is not None and self.cancel.cancelled:
                return self._cancelled(attempt - 1, None, "Cancelled before it was sent.")
            try:
                session = self._session()
                sent = session.send(message.envelope_from, list(message.recipients),
                                    message.data, pipelining=self.pipelining,
                                    on_content=on_content)
            except SessionError as err:
                failure = err.failure
                if not err.recoverable or failure.reply_code == ReplyCode.SERVICE_NOT_AVAILABLE:
                    self.close()
                if reply_lost(failure):  # a lost reply, or cancelled while waiting for it
                    explanation, fix = self._explain(failure)
                    return self._result("uncertain", attempt, failure, explanation, fix)
                if failure.stage == Stage.CANCELLED:
                    explanation, fix = self._explain(failure)
                    return self._result("cancelled", attempt, failure, explanation, fix)
                temporary = is_temporary(failure)
                if temporary and attempt <= self.retries:
                    delay = self.retry_delay * 2 ** (attempt - 1)
                    if self.on_retry:  # announced before the sleep, with its delay
                        self.on_retry(retry_text(failure, delay, attempt + 1,
                                                 self.retries + 1))
                    if self._backoff(delay):
                        return self._cancelled(attempt, failure.during, (
                            "Cancelled while waiting to retry after a temporary failure: "
                            "the message was not sent."))
                    continue
                explanation, fix = self._explain(failure)
                if failure.during in CONNECTION_STAGES:
                    # Nothing was sent; the next messages would fail the same way.
                    raise DeliveryAborted(failure, explanation, fix) from None
                return self._result("deferred" if temporary else "failed", attempt, failure,
                                    explanation, fix)
            return Delivery("sent", attempt, sent.reply_code, sent.enhanced_code, sent.reply,
                            recipients=list(sent.recipients))

    def _backoff(self, delay: float) -> bool:
        """Sleep ``delay`` seconds before a retry; True when cancelled meanwhile."""
        if self.cancel is None:
            self.sleep(delay)
            return False
        return self.cancel.wait(delay)

    @staticmethod
    def _cancelled(attempts: int, during: Stage | None, explanation: str) -> Delivery:
        return Delivery("cancelled", attempts, stage=Stage.CANCELLED, during=during,
                        explanation=explanation, fix="send it again when ready")

    @staticmethod
    def _result(status: Status, attempts: int, failure: Failure, explanation: str,
                fix: str | None) -> Delivery:
        return Delivery(status, attempts, failure.reply_code, failure.enhanced_code,
                        failure.reply, failure.stage, explanation, fix,
                        [RecipientResult(a, False, failure.reply_code or 0, failure.reply or "",
                                         failure.enhanced_code)
                         for a in failure.facts.get("rejected", [])], failure.during)
