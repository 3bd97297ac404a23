"""Extra, short connections that explain a failure: is the silent port an implicit-TLS one,
what certificate did the server present, does the "TLS" port speak plain SMTP?

Split from :mod:`mailtui.smtp.session`. Each diagnostic is bounded by
``DIAGNOSTIC_TIMEOUT`` and skipped (or abandoned at once) when the session is cancelled.
"""

from __future__ import annotations

import ssl
from typing import TYPE_CHECKING, Any

from mailtui.smtp import tls as tlsmod
from mailtui.smtp.cancel import unless_cancelled
from mailtui.smtp.client import os_error_text
from mailtui.smtp.results import Failure, FailureKind, SessionError
from mailtui.smtp.stages import Stage

if TYPE_CHECKING:
    from mailtui.smtp.sessionapi import SessionCore

DIAGNOSTIC_TIMEOUT = 5.0  # cap for the extra connections that explain a TLS failure


def _timeout(session: SessionCore) -> float:
    return min(session.plan.timeouts.connect, DIAGNOSTIC_TIMEOUT)


def greeting_timeout_facts(session: SessionCore) -> dict[str, Any]:
    """Silence after connecting: is it an implicit-TLS port?"""
    plan = session.plan
    if plan.security == "implicit-tls":
        return {}
    if speaks_tls(session):
        session.info(f"port {plan.port} completes a TLS handshake: it is an implicit-TLS port")
        return {"speaks_tls": True}
    return {}


def speaks_tls(session: SessionCore) -> bool:
    """After a silent greeting: does the port complete a TLS handshake? A WaitNotice while it
    checks (up to DIAGNOSTIC_TIMEOUT s); asked once per ``session.sniff_memo`` (one run: a
    Deliverer's retries share it). A cancelled check answers False and is not remembered."""
    plan = session.plan
    assert plan.host is not None
    key = (plan.host, plan.port)
    memo = session.sniff_memo
    if memo is not None and key in memo:
        return memo[key]
    timeout = _timeout(session)
    with session.transcript.waiting(Stage.GREETING, "a TLS handshake", timeout,
                                    doing=f"checking whether port {plan.port} speaks TLS"):
        found = unless_cancelled(session.cancel, lambda: tlsmod.sniff_tls(plan, timeout), False)
    if memo is not None and not session.cancelled:
        memo[key] = found
    return found


def certificate_failure(session: SessionCore, exc: ssl.SSLCertVerificationError) -> SessionError:
    plan = session.plan
    message = exc.verify_message or str(exc)
    session.info(f"certificate verification failed: {message}")
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
    cert = unless_cancelled(session.cancel,
                            lambda: tlsmod.peek_certificate(plan, _timeout(session)), None)
    if cert is not None:
        session.info(f"the server presented: subject {cert.subject}; issuer {cert.issuer}"
                     + (" (self-signed)" if cert.self_signed else ""))
        session.info(f"certificate names: {cert.names_text()}; valid "
                     f"{cert.not_before:%Y-%m-%d} to {cert.not_after:%Y-%m-%d}; "
                     f"SHA-256 {cert.sha256}")
    failure = Failure(Stage.TLS, Stage.TLS, kind, detail=message, certificate=cert)
    return SessionError(failure)


def handshake_failure(session: SessionCore, exc: OSError) -> SessionError:
    plan = session.plan
    detail = os_error_text(exc)
    session.info(f"TLS handshake failed: {detail}")
    kind: FailureKind = "tls-handshake"
    facts: dict[str, Any] = {}
    if plan.security == "implicit-tls":
        greeting = unless_cancelled(
            session.cancel, lambda: tlsmod.sniff_plain_greeting(plan, _timeout(session)), None)
        if greeting and greeting[:3] in ("220", "421", "554"):
            kind = "plaintext-on-tls-port"
            facts["greeting"] = greeting
            session.info(f"port {plan.port} answers a plain connection with {greeting!r}: "
                         "it speaks plain SMTP, not implicit TLS")
    return SessionError(Failure(Stage.TLS, Stage.TLS, kind, detail=detail, facts=facts))
