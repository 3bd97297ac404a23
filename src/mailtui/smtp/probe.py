"""The capability probe: connect, EHLO, STARTTLS, EHLO, QUIT; sends no mail, no password."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from mailtui.javamail.plan import Plan
from mailtui.smtp.auth import choose_mechanism
from mailtui.smtp.cancel import CancelToken
from mailtui.smtp.explain import explain
from mailtui.smtp.results import outcome_json
from mailtui.smtp.session import Capabilities, Failure, Session, SessionError
from mailtui.smtp.stages import Stage
from mailtui.smtp.tls import CertificateInfo, TlsInfo
from mailtui.smtp.transcript import EventCallback, Transcript, TranscriptEvent, WaitCallback


@dataclass
class ProbeResult:
    ok: bool
    stage: Stage
    exit_code: int
    during: Stage | None
    reply_code: int | None
    enhanced_code: str | None
    reply: str | None
    explanation: str | None
    fix: str | None
    duration_s: float
    greeting: str | None
    before_tls: Capabilities | None
    after_tls: Capabilities | None
    tls: TlsInfo | None
    certificate: CertificateInfo | None  # when verification failed: what the server showed
    assessment: list[str] = field(default_factory=list)
    transcript: list[TranscriptEvent] = field(default_factory=list)

    def to_json(self, plan: Plan) -> dict[str, Any]:
        return {
            **outcome_json(self),
            "host": plan.host,
            "port": plan.port,
            "security": plan.security,
            "greeting": self.greeting,
            "capabilities_before_tls": self.before_tls.to_json() if self.before_tls else None,
            "capabilities_after_tls": self.after_tls.to_json() if self.after_tls else None,
            "tls": self.tls.to_json() if self.tls else None,
            "certificate": self.certificate.to_json() if self.certificate else None,
            "assessment": list(self.assessment),
            "transcript": [e.to_json() for e in self.transcript],
        }


def run_probe(plan: Plan, on_event: EventCallback | None = None, *,
              on_wait: WaitCallback | None = None,
              cancel: CancelToken | None = None) -> ProbeResult:
    """Probe the server of ``plan``; never raises for an SMTP failure. ``cancel`` ends it at
    once from another thread (``Stage.CANCELLED``, no QUIT waited for)."""
    started = time.monotonic()
    transcript = Transcript(on_event, start=started, on_wait=on_wait)
    session = Session(plan, transcript=transcript, cancel=cancel)
    failure: Failure | None = None
    try:
        session.connect(authenticate=False)
    except SessionError as err:
        failure = err.failure
    finally:
        session.close()
    assessment, predicted = assess(plan, session, failure)
    if failure is None:
        failure = predicted
    elif failure.stage == Stage.CANCELLED:
        assessment = []  # what was not seen yet cannot be judged ("STARTTLS NOT offered")
    before = session.capabilities_before_tls
    after = session.capabilities if session.tls is not None else None
    if plan.security == "implicit-tls":
        before = None
    elif session.tls is None:
        before = session.capabilities
    explanation = fix = None
    if failure is not None:
        failure.facts = {**session.facts(), **failure.facts}
        explanation, fix = explain(failure, plan)
    return ProbeResult(
        ok=failure is None,
        stage=failure.stage if failure else Stage.DONE,
        exit_code=failure.exit_code if failure else 0,
        during=failure.during if failure else None,
        reply_code=failure.reply_code if failure else None,
        enhanced_code=failure.enhanced_code if failure else None,
        reply=failure.reply if failure else None,
        explanation=explanation,
        fix=fix,
        duration_s=time.monotonic() - started,
        greeting=session.greeting,
        before_tls=before,
        after_tls=after,
        tls=session.tls,
        certificate=failure.certificate if failure else None,
        assessment=assessment,
        transcript=list(transcript.events),
    )


def assess(
    plan: Plan, session: Session, failure: Failure | None
) -> tuple[list[str], Failure | None]:
    """What the current properties would do with what the server offers, and the failure a
    send would meet (before MAIL FROM) if any."""
    notes: list[str] = []
    predicted: Failure | None = None
    caps = session.capabilities
    before = session.capabilities_before_tls or caps
    offered_tls = bool(before and before.starttls)
    if plan.security == "implicit-tls":
        notes.append(f"implicit TLS on port {plan.port}: encrypted from the first byte")
    elif plan.security == "starttls-required":
        notes.append("STARTTLS required and " + ("offered" if offered_tls else
                     "NOT offered: a send would stop at the TLS stage (exit 22)"))
    elif plan.security == "starttls-optional":
        if offered_tls:
            notes.append("STARTTLS enabled and offered: the session will be encrypted")
        elif plan.auth:
            notes.append("STARTTLS enabled but NOT offered: a send would stop at the TLS "
                         "stage (mailtui never sends a password in clear)")
        else:
            notes.append("STARTTLS enabled but NOT offered: mail would go unencrypted")
    else:
        notes.append("no encryption (mail.smtp.starttls.enable and ssl.enable are off)")
        if offered_tls:
            notes.append("the server offers STARTTLS: set mail.smtp.starttls.enable=true "
                         "and mail.smtp.starttls.required=true")
        if plan.auth:
            notes.append("authentication without encryption: a send would stop at the TLS "
                         "stage (credentials are never sent in clear)")
    if session.tls is not None:
        notes.append(f"certificate: {session.tls.verification}")
    if failure is not None or caps is None:
        return notes, None

    if plan.security == "starttls-optional" and not offered_tls and plan.auth:
        predicted = Failure(Stage.TLS, Stage.TLS, "tls-needed-for-auth")
    elif plan.security == "none" and plan.auth:
        predicted = Failure(Stage.TLS, Stage.TLS, "auth-needs-tls",
                            facts={"starttls_offered": offered_tls})

    if plan.auth:
        if not caps.auth:
            notes.append("mail.smtp.auth=true but the server offers no AUTH: a send would "
                         "stop at the AUTH stage (exit 23)")
            predicted = predicted or Failure(Stage.AUTH, Stage.AUTH, "auth-not-offered")
        else:
            mechanism = choose_mechanism(plan.mechanisms, caps.auth)
            if mechanism:
                notes.append(f"would authenticate as {plan.username or '(no username!)'} "
                             f"with {mechanism} (server offers {' '.join(caps.auth)}; "
                             f"properties allow {' '.join(plan.mechanisms) or 'none'})")
            else:
                notes.append(f"no usable AUTH mechanism: server offers {' '.join(caps.auth)}, "
                             f"properties allow {' '.join(plan.mechanisms) or 'none'}")
                predicted = predicted or Failure(
                    Stage.AUTH, Stage.AUTH, "auth-no-mechanism",
                    facts={"offered": list(caps.auth), "mechanisms": list(plan.mechanisms)})
    elif caps.auth:
        notes.append(f"no authentication (mail.smtp.auth=false); the server offers AUTH "
                     f"{' '.join(caps.auth)}: if it does not relay for this machine, set "
                     "mail.smtp.auth=true")
    else:
        notes.append("no authentication (mail.smtp.auth=false), none offered")
    if caps.size:
        notes.append(f"messages up to {caps.size:,} bytes")
    notes.append("internationalised addresses (SMTPUTF8): " + (
        "supported" if caps.smtputf8 else "not supported (IDN domains go out as punycode)"))
    if caps.pipelining:
        notes.append("PIPELINING offered: batch sends pipeline MAIL/RCPT")
    if (plan.dsn_notify or plan.dsn_ret) and not caps.dsn:
        notes.append("mail.smtp.dsn.* set but the server does not offer DSN: ignored")
    return notes, predicted
