"""``mailtui probe``: what the server offers before and after TLS; sends no mail."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from mailtui.commands._common import load_settings_from_args, print_json

EPILOG = """\
examples:
  mailtui probe
  mailtui probe --json | jq .capabilities_after_tls.auth

Connects, EHLO, STARTTLS, EHLO again, QUIT: no password is sent, no mail. Shows the
capabilities before and after TLS (SIZE, AUTH, PIPELINING, SMTPUTF8, 8BITMIME, DSN), the TLS
session and certificate, and what the current properties would do with them.
exit codes: as send-test (0 ok, 10-29 the stage where a send would stop, 130 cancelled).
"""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "probe",
        help="show what the server offers before and after TLS (sends no mail)",
        description="Probe the configured SMTP server: capabilities before and after TLS, "
        "TLS and certificate details, and what the current properties would do.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(handler=run, closed_stdout_note="the probe continued")


def run(args: argparse.Namespace) -> int:
    settings = load_settings_from_args(args)
    return execute(settings, as_json=args.json)


def execute(settings: Any, *, as_json: bool = False, plan: Any = None) -> int:
    from mailtui.errors import ConfigError
    from mailtui.smtp.probe import run_probe
    from mailtui.smtp.render import LiveTranscript, result_lines

    if plan is None:
        from mailtui.javamail.resolve import resolve_plan

        plan = resolve_plan(settings)
    if not plan.host:
        raise ConfigError("no SMTP server: mail.smtp.host is not set",
                          hint="apply a preset (`mailtui presets`) or set mail.smtp.host")
    out = sys.stdout
    live = None if as_json else LiveTranscript(out)
    if live is not None:
        out.write(f"probe: {plan.host}:{plan.port} ({plan.security})\n")
        out.flush()
    from mailtui.commands._interrupt import run_interruptible
    from mailtui.commands._ticker import wait_ticker

    with wait_ticker() as ticker:
        result = run_interruptible(
            lambda cancel: run_probe(plan, live, on_wait=ticker, cancel=cancel))
    if as_json:
        print_json(result.to_json(plan))
        return result.exit_code
    lines = [""]
    if plan.security != "implicit-tls":
        lines.append("before TLS: " + (result.before_tls.summary() if result.before_tls
                                       else "(not reached)"))
    if result.after_tls is not None:
        lines.append("after TLS:  " + result.after_tls.summary())
    if result.tls is not None:
        lines += ["", *result.tls.lines()]
    elif result.certificate is not None:
        cert = result.certificate
        lines += ["", f"certificate presented: {cert.subject}; issuer {cert.issuer}",
                  f"certificate names: {cert.names_text()}",
                  f"certificate SHA-256: {cert.sha256}"]
    if result.assessment:
        lines += ["", "with the current properties:"]
        lines += [f"  - {note}" for note in result.assessment]
    lines += result_lines(result, success_text="the server offers what these properties "
                          "need (no mail sent, no password tried)")
    out.write("\n".join(lines) + "\n")
    out.flush()
    return result.exit_code
