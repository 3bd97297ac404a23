"""``mailtui probe``: what the server offers before and after TLS; sends no mail."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from mailtui.commands._common import (
    add_override_arguments,
    load_settings_from_args,
    print_json,
    require_usable_tls,
)

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
exit codes: as send-test (0 ok, 10-29 the stage where a send would stop); with --rcpt, 24 when
the sender is refused, 25 when the recipient is.
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
    settings = load_settings_from_args(args)
    return execute(settings, as_json=args.json, rcpt=args.rcpt, save_cert=args.save_cert)


def execute(settings: Any, *, as_json: bool = False, plan: Any = None, rcpt: str | None = None,
            save_cert: str | None = None) -> int:
    from mailtui.errors import ConfigError
    from mailtui.smtp.probe import run_probe
    from mailtui.smtp.render import LiveTranscript, reply_text, result_lines

    if plan is None:
        from mailtui.javamail.resolve import resolve_plan

        plan = resolve_plan(settings)
    if not plan.host:
        raise ConfigError("no SMTP server: mail.smtp.host is not set",
                          hint="apply a preset (`mailtui presets`) or set mail.smtp.host")
    require_usable_tls(settings, plan)
    if save_cert is not None:
        _check_writable(save_cert)  # before connecting, not after
    sender = password = None
    if rcpt is not None:
        rcpt, sender, password = _recipient_setup(settings, plan, rcpt)
    out = sys.stdout
    live = None if as_json else LiveTranscript(out)
    if live is not None:
        out.write(f"probe: {plan.host}:{plan.port} ({plan.security})"
                  + (f", trying MAIL FROM {sender} and RCPT TO {rcpt}" if rcpt else "") + "\n")
        out.flush()
    from mailtui.commands._ticker import wait_ticker

    with wait_ticker() as ticker:
        result = run_probe(plan, live, rcpt=rcpt, sender=sender, password=password,
                           want_chain=save_cert is not None, on_wait=ticker)
    saved = _save_chain(save_cert, result) if save_cert is not None else None
    code = result.exit_code
    if save_cert is not None and not saved and code == 0:
        code = 22  # asked for a certificate, none to be had: the TLS stage failed for it
    if as_json:
        data = result.to_json(plan)
        if save_cert is not None:
            data["saved_certificates"] = saved
        print_json(data)
        return code
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
        lines += ["", *_saved_lines(save_cert, saved)]
    out.write("\n".join(lines) + "\n")
    out.flush()
    return code


def _recipient_setup(settings: Any, plan: Any, rcpt: str) -> tuple[str, str, str | None]:
    """(recipient, envelope sender, password) for --rcpt; ConfigError when one is missing."""
    from mailtui.config.addresses import parse_mailbox
    from mailtui.errors import ConfigError
    from mailtui.javamail.resolve import password_for

    try:
        address = parse_mailbox(rcpt).addr_spec
    except ValueError as exc:
        raise ConfigError(f"--rcpt: {rcpt!r} is not an email address: {exc}") from None
    if not plan.envelope_from:
        raise ConfigError("no sender for MAIL FROM",
                          hint="pass --from ADDR or set server.default_sender")
    return address, plan.envelope_from, password_for(settings, plan)


def _check_writable(path_text: str) -> None:
    import os
    from pathlib import Path

    from mailtui.errors import ConfigError

    path = Path(path_text).expanduser().absolute()
    problem = ("is a directory" if path.is_dir() else
               "its directory does not exist" if not path.parent.is_dir() else
               "its directory is not writable" if not os.access(path.parent, os.W_OK) else None)
    if problem:
        raise ConfigError(f"--save-cert {path}: cannot write: {problem}",
                          hint="choose a file in a directory you can write")


def _save_chain(path_text: str, result: Any) -> dict[str, Any] | None:
    """Write the chain (PEM, atomically, 0600); what was saved, or None when there was none."""
    from pathlib import Path

    from mailtui.errors import ConfigError
    from mailtui.files import atomic_write_private
    from mailtui.smtp.probe import chain_pem
    from mailtui.smtp.tls import CertificateInfo

    if not result.chain:
        return None
    path = Path(path_text).expanduser().absolute()
    try:
        atomic_write_private(path, chain_pem(result.chain))
    except OSError as exc:
        raise ConfigError(f"--save-cert {path}: cannot write: {exc.strerror or exc}",
                          hint="choose a file in a directory you can write") from None
    certificates = []
    for der in result.chain:
        info = CertificateInfo.from_der(der)
        certificates.append({"subject": info.subject, "issuer": info.issuer,
                             "sha256": info.sha256, "self_signed": info.self_signed})
    return {"path": str(path), "verified": result.chain_verified,
            "certificates": certificates}


def _saved_lines(path_text: str, saved: dict[str, Any] | None) -> list[str]:
    if saved is None:
        return [f"save-cert: nothing saved to {path_text}: the server presented no "
                "certificate (no TLS, or the TLS handshake failed)"]
    certs = saved["certificates"]
    lines = [f"save-cert: {len(certs)} certificate(s) saved to {saved['path']} (PEM, leaf "
             "first)" + ("" if saved["verified"] else
                         ", NOT verified: compare the fingerprint with one from the server's "
                         "administrator before trusting it")]
    for index, cert in enumerate(certs):
        lines.append(f"  [{index}] {cert['subject']}"
                     + (" (self-signed)" if cert["self_signed"] else ""))
        lines.append(f"      SHA-256 {cert['sha256']}")
    if not saved["verified"]:
        lines.append(f'to trust it once checked: "mailtui.ssl.cafile" = "{saved["path"]}" '
                     "in [server.properties]")
    return lines
