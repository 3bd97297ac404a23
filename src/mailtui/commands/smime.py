"""``mailtui smime``: the S/MIME certificate and the recipient certificates mailtui would use."""

from __future__ import annotations

import argparse
import datetime as dt
from typing import TYPE_CHECKING

from mailtui.commands._common import load_settings_from_args, print_json

if TYPE_CHECKING:
    from mailtui.services.smime import SmimeInfo

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


def _when(value: dt.datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC")


def format_info(info: SmimeInfo) -> list[str]:
    s = info.summary
    key = s.key_type
    if s.key_curve:
        key += f" {s.key_curve} ({s.key_size} bits)"
    elif s.key_size:
        key += f" {s.key_size} bits"

    def usage(values: tuple[str, ...] | None) -> str:
        return "(extension absent: unrestricted)" if values is None else ", ".join(values) or "-"

    rows = [
        ("Certificate", f"{info.certificate} ({info.format})"),
        ("Subject", s.subject),
        ("Issuer", s.issuer + ("  (self-signed)" if s.self_signed else "")),
        ("Emails", ", ".join(s.emails) or "(none in the SAN)"),
        ("Valid", f"{_when(s.not_before)} to {_when(s.not_after)}"),
        ("Key", key),
        ("Key usage", usage(s.key_usage)),
        ("Ext. usage", usage(s.extended_key_usage)),
        ("SHA-256", s.fingerprint_sha256),
        ("Serial", s.serial),
        ("Chain", "; ".join(s.chain) or "(none sent along)"),
        ("Encrypt", info.encrypt
         + (f" (recipient certificates: {info.recipients})" if info.recipients else "")),
    ]
    lines = [f"{name:<13}{value}" for name, value in rows]
    if info.warnings:
        lines += ["", "Warnings:", *(f"  - {w}" for w in info.warnings)]
    return lines


def run_info(args: argparse.Namespace) -> int:
    from mailtui.services.smime import smime_info

    info = smime_info(load_settings_from_args(args))
    if args.json:
        print_json(info.to_json())
    else:
        print("\n".join(format_info(info)))
    return 0


def run_recipients(args: argparse.Namespace) -> int:
    from mailtui.services.smime import smime_recipients

    lookup = smime_recipients(load_settings_from_args(args), args.addresses)
    if args.json:
        print_json(lookup.to_json())
    else:
        for address, cert in lookup.found.items():
            print(f"{address:<32}{cert.subject} (until {_when(cert.not_after)})")
        for address, why in lookup.missing.items():
            print(f"{address:<32}MISSING: {why}")
    return 1 if lookup.missing else 0
