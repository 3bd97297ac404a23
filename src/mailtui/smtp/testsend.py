"""One whole test send: connect, authenticate, send one message, QUIT, explain the outcome.

``run_test_send`` never raises for an SMTP failure: it returns a :class:`SessionResult` with
the stage, exit code and explanation. With a :class:`~mailtui.smtp.cancel.CancelToken`,
``cancel()`` from another thread ends it at once with ``Stage.CANCELLED``.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from mailtui.javamail.plan import Plan
from mailtui.smtp.auth import TokenProvider
from mailtui.smtp.cancel import CancelToken
from mailtui.smtp.results import Failure, SendResult, SessionError, SessionResult
from mailtui.smtp.session import Session
from mailtui.smtp.stages import Stage
from mailtui.smtp.transcript import EventCallback, Transcript, WaitCallback


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
    cancel: CancelToken | None = None,
) -> SessionResult:
    """Connect, authenticate, send ``message``, QUIT. Never raises for an SMTP failure.
    ``on_wait`` receives a WaitNotice whenever the session starts or stops waiting;
    ``cancel`` ends the session at once from another thread (no QUIT is waited for)."""
    started = time.monotonic()
    transcript = Transcript(on_event, start=started, on_wait=on_wait)
    session = Session(plan, password=password, token_provider=token_provider,
                      transcript=transcript, cancel=cancel)
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
    return _failed(plan, session, failure, sent, duration)


def _failed(plan: Plan, session: Session, failure: Failure, sent: SendResult | None,
            duration: float) -> SessionResult:
    from mailtui.smtp.explain import explain  # only failures need the table

    explanation, fix = explain(failure, plan)
    return SessionResult(
        ok=False, stage=failure.stage, exit_code=failure.exit_code,
        reply_code=failure.reply_code, enhanced_code=failure.enhanced_code,
        reply=failure.reply, explanation=explanation, fix=fix, duration_s=duration,
        transcript=list(session.transcript.events), during=failure.during,
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
