"""``mailtui smime``: the S/MIME certificate and the recipient certificates mailtui would use."""

from __future__ import annotations

import argparse
import datetime as dt
from typing import Any

from mailtui.commands._common import load_settings_from_args, print_json

INFO_EPILOG = """\
examples:
  mailtui smime info
  mailtui smime info --json | jq .warnings
exit codes: 0 the certificate loads (warnings may be printed), 3 it cannot be used."""

RECIPIENTS_EPILOG = """\
examples:
  mailtui smime recipients bob@example.org alice@example.org
exit codes: 0 every address has a usable certificate, 1 some have none, 3 configuration."""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "smime",
        help="show the S/MIME signing certificate and the recipient certificates",
        description="Inspect the [smime] settings: the certificate messages are signed with, "
        "and the certificates they are encrypted for.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ssub = p.add_subparsers(dest="smime_command", metavar="SUBCOMMAND", required=True)
    info = ssub.add_parser(
        "info",
        help="subject, addresses, validity, key, usages, fingerprint and warnings",
        description="Load [smime].certificate (PKCS#12 or PEM, with its password) and describe "
        "it: subject, issuer, SAN email addresses, validity, key type and size, key usage, "
        "extended key usage, SHA-256 fingerprint, chain; then what to fix.",
        epilog=INFO_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    info.add_argument("--json", action="store_true", help="print one JSON object")
    info.set_defaults(handler=run_info)
    rcpt = ssub.add_parser(
        "recipients",
        help="which encryption certificate each address would get",
        description="Look the addresses up in [smime].recipients (a directory of "
        "<address>.pem files or one PEM bundle) as a send would.",
        epilog=RECIPIENTS_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    rcpt.add_argument("addresses", nargs="+", metavar="ADDRESS")
    rcpt.add_argument("--json", action="store_true", help="print one JSON object")
    rcpt.set_defaults(handler=run_recipients)


def info_report(settings: Any) -> dict[str, Any]:
    """Everything ``smime info`` shows, as JSON-ready data. Raises ConfigError."""
    from mailtui.mail.smime_cert import certificate_warnings, describe_signer, load_signer

    signer = load_signer(settings.smime)
    summary = describe_signer(signer)
    return {
        "certificate": str(signer.source),
        "format": signer.format,
        **summary.to_json(),
        "encrypt": settings.smime.encrypt,
        "recipients": str(settings.smime.recipients) if settings.smime.recipients else None,
        "warnings": certificate_warnings(summary, settings.server.default_sender),
    }


def _when(value: str) -> str:
    return dt.datetime.fromisoformat(value).strftime("%Y-%m-%d %H:%M UTC")


def format_info(report: dict[str, Any]) -> list[str]:
    key = report["key_type"]
    if report["key_curve"]:
        key += f" {report['key_curve']} ({report['key_size']} bits)"
    elif report["key_size"]:
        key += f" {report['key_size']} bits"

    def usage(values: list[str] | None) -> str:
        return "(extension absent: unrestricted)" if values is None else ", ".join(values) or "-"

    rows = [
        ("Certificate", f"{report['certificate']} ({report['format']})"),
        ("Subject", report["subject"]),
        ("Issuer", report["issuer"] + ("  (self-signed)" if report["self_signed"] else "")),
        ("Emails", ", ".join(report["emails"]) or "(none in the SAN)"),
        ("Valid", f"{_when(report['not_before'])} to {_when(report['not_after'])}"),
        ("Key", key),
        ("Key usage", usage(report["key_usage"])),
        ("Ext. usage", usage(report["extended_key_usage"])),
        ("SHA-256", report["fingerprint_sha256"]),
        ("Serial", report["serial"]),
        ("Chain", "; ".join(report["chain"]) or "(none sent along)"),
        ("Encrypt", report["encrypt"]
         + (f" (recipient certificates: {report['recipients']})" if report["recipients"] else "")),
    ]
    lines = [f"{name:<13}{value}" for name, value in rows]
    if report["warnings"]:
        lines += ["", "Warnings:", *(f"  - {w}" for w in report["warnings"])]
    return lines


def run_info(args: argparse.Namespace) -> int:
    settings = load_settings_from_args(args)
    report = info_report(settings)
    if args.json:
        print_json(report)
    else:
        print("\n".join(format_info(report)))
    return 0


def run_recipients(args: argparse.Namespace) -> int:
    from mailtui.mail.smime_cert import describe_certificate
    from mailtui.mail.smime_recipients import recipient_certificates

    settings = load_settings_from_args(args)
    lookup = recipient_certificates(settings.smime, args.addresses)
    found = {
        address: {
            "subject": (s := describe_certificate(cert)).subject,
            "not_after": s.not_after.isoformat(),
            "fingerprint_sha256": s.fingerprint_sha256,
        }
        for address, cert in lookup.found.items()
    }
    missing = {a: lookup.reasons.get(a, "no certificate") for a in lookup.missing}
    if args.json:
        print_json({"found": found, "missing": missing})
    else:
        for address, info in found.items():
            print(f"{address:<32}{info['subject']} (until {_when(info['not_after'])})")
        for address, why in missing.items():
            print(f"{address:<32}MISSING: {why}")
    return 1 if missing else 0
