"""The failure explainer: (stage, reply code, enhanced code, text, kind) -> words and a fix.

The words come from the table in :mod:`mailtui.smtp.failure_rules`, most specific rule first;
``{placeholders}`` are filled here from the failure and the plan (host, port, names on the
certificate, offered mechanisms, ...).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from mailtui.javamail.plan import Plan
from mailtui.smtp.failure_rules import FAILURE_RULES, FALLBACK, FailureRule, Provider
from mailtui.smtp.render import reply_text
from mailtui.smtp.stages import STAGE_LABELS, Stage

if TYPE_CHECKING:
    from mailtui.smtp.results import Failure


def provider_of(plan: Plan, failure: Failure) -> Provider | None:
    host = (plan.host or "").lower()
    text = (failure.reply or "").lower()
    if host.endswith(("gmail.com", "googlemail.com", "google.com")) or "gsmtp" in text:
        return "gmail"
    if host.endswith(("office365.com", "outlook.com")) or "outlook.com" in text:
        return "office365"
    return None


class _Fill(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "?"


def _values(failure: Failure, plan: Plan) -> _Fill:
    facts: Mapping[str, Any] = failure.facts
    cert = failure.certificate
    names = cert.names_text() if cert else "names that could not be read"
    timeout = facts.get("timeout")
    size_limit = facts.get("size_limit")
    rejected = facts.get("rejected") or []
    values = _Fill(
        host=plan.host or "?", port=plan.port, security=plan.security,
        stage=STAGE_LABELS.get(failure.during, str(failure.during)),
        detail=failure.detail or "no detail", reply=_reply(failure),
        reply_or_detail=_reply(failure) if failure.reply_code else (failure.detail or "?"),
        enhanced=failure.enhanced_code or "", code=failure.reply_code,
        names=names, first_name=(cert.names[0] if cert and cert.names else "?"),
        issuer=cert.issuer if cert else "an unknown issuer",
        not_after=f"{cert.not_after:%Y-%m-%d}" if cert else "?",
        timeout=f"{timeout:g}" if isinstance(timeout, int | float) else "?",
        username=plan.username or "?", sender=facts.get("sender") or plan.envelope_from or "?",
        offered=" ".join(facts.get("offered") or []) or "nothing",
        mechanisms=" ".join(facts.get("mechanisms") or plan.mechanisms) or "(none)",
        address=facts.get("address") or (rejected[0] if rejected else "?"),
        rejected=", ".join(rejected) or "?", accepted=", ".join(facts.get("accepted") or []),
        greeting=facts.get("greeting") or "?",
        ehlo_name=plan.ehlo_name or "(this host's name)",
        message_size=facts.get("message_size", "?"),
        size_hint=(f" (its limit is {size_limit:,} bytes)" if size_limit else ""),
        after_tls=" after TLS" if facts.get("tls_active") else "",
        ports_hint="587 = STARTTLS, 465 = implicit TLS, 25 = relay between servers",
        tls_port_hint=("is the usual implicit-TLS port: the server is probably waiting for "
                       "a TLS handshake." if plan.port == 465 else
                       "may expect a TLS handshake first (implicit TLS), or the server is "
                       "slow or deliberately delays its greeting."),
        expected=facts.get("expected") or "?", actual=facts.get("actual") or "?",
        subject=cert.subject if cert else "?", client_cert=facts.get("client_cert") or "?",
        starttls_hint=("The server offers STARTTLS." if facts.get("starttls_offered") else ""),
        tls_key=facts.get("tls_key") or "the TLS settings (mail.smtp.ssl.protocols, "
        "mail.smtp.ssl.ciphersuites, mailtui.ssl.cafile, certfile, keyfile)",
    )
    return values


def _reply(failure: Failure) -> str:
    if failure.reply_code is None:
        return failure.reply or failure.detail or "no reply"
    return reply_text(failure.reply_code, failure.enhanced_code, failure.reply)


def find_rule(failure: Failure, plan: Plan) -> FailureRule:
    provider = provider_of(plan, failure)
    for rule in FAILURE_RULES:
        if rule.matches(failure, provider):
            return rule
    return FALLBACK


def explain(failure: Failure, plan: Plan) -> tuple[str, str]:
    """Plain-language explanation and fix for a failure."""
    rule = find_rule(failure, plan)
    values = _values(failure, plan)
    explanation = rule.explanation.format_map(values)
    if failure.stage in (Stage.TIMEOUT, Stage.CONNECTION_LOST) and failure.during:
        label = STAGE_LABELS.get(failure.during, str(failure.during))
        prefix = "Timed out" if failure.stage == Stage.TIMEOUT else "Connection lost"
        explanation = f"{prefix} during {label}. {explanation}"
    return explanation, rule.fix.format_map(values)
