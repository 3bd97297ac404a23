"""``mailtui plan``: the effective connection the properties describe."""

from __future__ import annotations

import argparse
from typing import Any

from mailtui.commands._common import (
    add_override_arguments,
    load_settings_from_args,
    print_json,
)

SECURITY_TEXT = {
    "none": "none: plain text, nothing encrypted",
    "starttls-optional": "STARTTLS if the server offers it (opportunistic)",
    "starttls-required": "STARTTLS, required (the send stops if it is not offered)",
    "implicit-tls": "implicit TLS (TLS from the first byte)",
}


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "plan",
        help="show the effective connection the properties describe",
        description="Resolve the JavaMail properties and settings into the connection mailtui "
        "(and a Java application) will make: host, port, TLS mode, certificate checks, "
        "authentication, timeouts, envelope. Exit 3 when the properties hold errors (listed "
        "under Errors:, and in the JSON's errors list).",
        epilog="examples:\n  mailtui plan\n  mailtui plan --json | jq .security",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--json", action="store_true", help="print one JSON object (SPEC §4)")
    add_override_arguments(p)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from mailtui.errors import EXIT_CONFIG
    from mailtui.javamail.resolve import resolve_plan

    settings = load_settings_from_args(args)
    plan = resolve_plan(settings, with_lint=True)
    if args.json:
        print_json(plan.to_json())
    else:
        print("\n".join(describe(plan)))
    return EXIT_CONFIG if plan.errors else 0


def describe(plan: Any) -> list[str]:
    t = plan.timeouts
    if not plan.uses_tls:
        cert = "not applicable (no TLS)"
    elif plan.tls_fingerprints:
        cert = (f"pinned (SHA-256 {', '.join(plan.tls_fingerprints)}); chain and host name "
                "not checked")
    elif plan.verify_certificate and plan.ca_file and _ca_file_unusable(plan.ca_file):
        cert = (f"cannot be verified: mailtui.ssl.cafile {plan.ca_file} cannot be used (see "
                "Errors)")
    elif plan.verify_certificate:
        cert = "verified (system store" + (f" + {plan.ca_file}" if plan.ca_file else "") + ")"
        cert += "; host name checked" if plan.check_server_identity else "; host name NOT checked"
    else:
        cert = "NOT verified (mail.smtp.ssl.trust)"
    if plan.auth:
        auth = f"yes, as {plan.username or '(no username!)'}; mechanisms " + (
            ", ".join(plan.mechanisms) or "none usable") + " (first one the server offers)"
    else:
        auth = "no"
    rows = [
        ("Server", f"{plan.host or '(no host!)'}:{plan.port} ({plan.protocol})"),
        ("Security", SECURITY_TEXT[plan.security]),
        ("Certificate", cert),
        ("Auth", auth),
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
    lines = [f"{name:<14}{value}" for name, value in rows]
    warnings = [w for w in plan.warnings if w not in plan.info]  # info notes: under Info:
    for title, notes in (("Errors:", plan.errors), ("Warnings:", warnings),
                         ("Info:", plan.info)):
        if notes:
            lines += ["", title, *(f"  - {note}" for note in notes)]
    return lines


def _ca_file_unusable(path: str) -> bool:
    from mailtui.smtp.tls import check_ca_file

    return check_ca_file(path) is not None
