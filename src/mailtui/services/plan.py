"""``plan``: the effective connection the settings describe, and its description (the rows
``mailtui plan`` prints and the app shows), with the labels of the security modes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mailtui.config.model import Settings
    from mailtui.javamail.plan import Plan, Security

SECURITY_TEXT: dict[str, str] = {
    "none": "none: plain text, nothing encrypted",
    "starttls-optional": "STARTTLS if the server offers it (opportunistic)",
    "starttls-required": "STARTTLS, required (the send stops if it is not offered)",
    "implicit-tls": "implicit TLS (TLS from the first byte)",
}


def security_label(security: Security, *, short: bool = False) -> str:
    """``"STARTTLS if the server offers it (opportunistic)"``; ``short``: without the
    parenthesis (``"STARTTLS if the server offers it"``)."""
    text = SECURITY_TEXT[security]
    return text.split(" (")[0] if short else text


@dataclass(frozen=True)
class PlanDescription:
    """What ``mailtui plan`` shows: labelled rows, then the errors, warnings and info notes."""

    rows: tuple[tuple[str, str], ...]  # (label, value), e.g. ("Server", "smtp.x.org:587 (smtp)")
    errors: tuple[str, ...]
    warnings: tuple[str, ...]  # without the info notes (``check`` calls them info)
    info: tuple[str, ...] = ()


def effective_plan(settings: Settings) -> Plan:
    """The connection mailtui will make, with the lint's errors and warnings in it."""
    from mailtui.javamail.resolve import resolve_plan

    return resolve_plan(settings, with_lint=True)


def describe_plan(plan: Plan) -> PlanDescription:
    """Each aspect of ``plan`` in words: server, security, certificate checks, login,
    timeouts, EHLO name, envelope, then the optional ones that are set."""
    t = plan.timeouts
    rows = [
        ("Server", f"{plan.host or '(no host!)'}:{plan.port} ({plan.protocol})"),
        ("Security", SECURITY_TEXT[plan.security]),
        ("Certificate", _certificate(plan)),
        ("Auth", _auth(plan)),
        ("Timeouts", f"connect {t.connect:g} s, read {t.read:g} s, write {t.write:g} s"),
        ("EHLO name", plan.ehlo_name or "this machine's host name"),
        ("Envelope from", plan.envelope_from or "(none: set server.default_sender)"),
    ]
    if plan.source_address or plan.source_port:
        rows.append(("Source", f"{plan.source_address or '*'}:{plan.source_port or 'any'}"))
    if plan.client_cert:
        rows.append(("Client cert", f"{plan.client_cert} (key "
                     f"{plan.client_key or 'in the same file'})"))
    if plan.tls_protocols:
        rows.append(("TLS versions", " ".join(plan.tls_protocols)))
    if plan.dsn_notify or plan.dsn_ret:
        rows.append(("DSN", f"NOTIFY={plan.dsn_notify or '-'} RET={plan.dsn_ret or '-'}"))
    rows.append(("8BITMIME", "used when offered" if plan.allow_8bitmime else "no (7-bit safe)"))
    rows.append(("SMTPUTF8", "allowed (mail.mime.allowutf8)" if plan.allow_utf8 else
                 "only when an address needs it"))
    warnings = tuple(w for w in plan.warnings if w not in plan.info)  # info notes: under Info
    return PlanDescription(tuple(rows), tuple(plan.errors), warnings, tuple(plan.info))


def _certificate(plan: Plan) -> str:
    if not plan.uses_tls:
        return "not applicable (no TLS)"
    if plan.tls_fingerprints:
        return (f"pinned (SHA-256 {', '.join(plan.tls_fingerprints)}); chain and host name "
                "not checked")
    if plan.verify_certificate and plan.ca_file and _ca_file_unusable(plan.ca_file):
        return (f"cannot be verified: mailtui.ssl.cafile {plan.ca_file} cannot be used (see "
                "Errors)")
    if plan.verify_certificate:
        cert = "verified (system store" + (f" + {plan.ca_file}" if plan.ca_file else "") + ")"
        return cert + ("; host name checked" if plan.check_server_identity
                       else "; host name NOT checked")
    return "NOT verified (mail.smtp.ssl.trust)"


def _ca_file_unusable(path: str) -> bool:
    from mailtui.javamail.tlsfiles import check_ca_file

    return check_ca_file(path) is not None


def _auth(plan: Plan) -> str:
    if not plan.auth:
        return "no"
    return f"yes, as {plan.username or '(no username!)'}; mechanisms " + (
        ", ".join(plan.mechanisms) or "none usable") + " (first one the server offers)"
