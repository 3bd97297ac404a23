"""``mailtui probe``: what the server offers before and after TLS; sends no mail."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from mailtui.commands._common import (
    add_override_arguments,
    load_settings_from_args,
    print_json,
)

if TYPE_CHECKING:
    from mailtui.services.probe import PreparedProbe, SavedChain

EPILOG = """\
examples:
  mailtui probe
  mailtui probe --json | jq .capabilities_after_tls.auth
  mailtui probe --rcpt bob@example.org            would the server take mail for bob?
  mailtui probe --save-cert server.pem            keep the certificate chain it presents
  mailtui probe -P mail.smtp.host=smtp.example.org -P mail.smtp.port=587 \\
                -P mail.smtp.starttls.required=true    no configuration file needed

Connects, EHLO, STARTTLS, EHLO again, QUIT: no password is sent, no mail. Shows the
capabilities before and after TLS (SIZE, AUTH, PIPELINING, SMTPUTF8, 8BITMIME, DSN), the TLS
session and certificate, and what the current properties would do with them.
--rcpt ADDR: also logs in (when the properties authenticate), then MAIL FROM (--from, else
the default sender), RCPT TO ADDR, RSET, QUIT: still no mail.
exit codes: as send-test (0 ok, 10-29 the stage where a send would stop, 130 cancelled); with
--rcpt, 24 when the sender is refused, 25 when the recipient is.
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
    p.add_argument("--rcpt", metavar="ADDR",
                   help="also try MAIL FROM / RCPT TO ADDR (after AUTH), then RSET: would the "
                   "server accept mail for ADDR? (no mail is sent)")
    p.add_argument("--save-cert", metavar="FILE",
                   help="save the certificate chain the server presents as PEM and print "
                   "the SHA-256 fingerprints")
    add_override_arguments(p)
    p.set_defaults(handler=run, closed_stdout_note="the probe continued")


def run(args: argparse.Namespace) -> int:
    from mailtui.services.probe import prepare_probe

    prepared = prepare_probe(load_settings_from_args(args), rcpt=args.rcpt,
                             save_cert=args.save_cert)
    return probe_and_print(prepared, as_json=args.json, save_cert=args.save_cert)


def probe_and_print(prepared: PreparedProbe, *, as_json: bool, save_cert: str | None) -> int:
    from mailtui.commands._interrupt import run_interruptible
    from mailtui.commands._ticker import wait_ticker
    from mailtui.smtp.render import LiveTranscript, reply_text, result_lines

    plan, rcpt, sender = prepared.plan, prepared.rcpt, prepared.sender
    out = sys.stdout
    live = None if as_json else LiveTranscript(out)
    if live is not None:
        out.write(f"probe: {plan.host}:{plan.port} ({plan.security})"
                  + (f", trying MAIL FROM {sender} and RCPT TO {rcpt}" if rcpt else "") + "\n")
        out.flush()
    with wait_ticker() as ticker:
        outcome = run_interruptible(
            lambda cancel: prepared.run(live, on_wait=ticker, cancel=cancel))
    result = outcome.result
    if as_json:
        print_json(outcome.to_json(plan))
        return outcome.exit_code
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
    check = result.recipient
    if check is not None and check.mail_reply_code is not None:
        lines += ["", "MAIL FROM: " + reply_text(check.mail_reply_code, check.mail_enhanced_code,
                                                 check.mail_reply)]
        if check.reply_code is not None:
            lines.append("RCPT TO:   " + reply_text(check.reply_code, check.enhanced_code,
                                                    check.reply))
    if result.assessment:
        lines += ["", "with the current properties:"]
        lines += [f"  - {note}" for note in result.assessment]
    if result.recipient is not None and result.recipient.accepted:
        success = f"the server accepts mail from {sender} to {rcpt}"
    else:
        success = ("the server offers what these properties need (no mail sent, no password "
                   "tried)")
    lines += result_lines(result, success_text=success)
    if save_cert is not None:
        lines += ["", *_saved_lines(save_cert, outcome.saved)]
    out.write("\n".join(lines) + "\n")
    out.flush()
    return outcome.exit_code


def _saved_lines(path_text: str, saved: SavedChain | None) -> list[str]:
    if saved is None:
        return [f"save-cert: nothing saved to {path_text}: the server presented no "
                "certificate (no TLS, or the TLS handshake failed)"]
    certs = saved.certificates
    lines = [f"save-cert: {len(certs)} certificate(s) saved to {saved.path} (PEM, leaf "
             "first)" + ("" if saved.verified else
                         ", NOT verified: compare the fingerprint with one from the server's "
                         "administrator before trusting it")]
    for index, cert in enumerate(certs):
        lines.append(f"  [{index}] {cert.subject}" + (" (self-signed)" if cert.self_signed
                                                      else ""))
        lines.append(f"      SHA-256 {cert.sha256}")
    if not saved.verified:
        lines.append(f'to trust it once checked: "mailtui.ssl.cafile" = "{saved.path}" '
                     "in [server.properties]")
    return lines
