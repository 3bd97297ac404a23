"""``mailtui send-test``: send a test message and stream the SMTP conversation live."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from mailtui.commands._common import (
    add_override_arguments,
    load_settings_from_args,
    print_json,
    require_usable_tls,
    warn_internal,
)

EPILOG = """\
examples:
  mailtui send-test                          to server.test_recipient
  mailtui send-test --to admin@example.org
  mailtui send-test --json | jq .explanation

output: one line per step: [seconds] (lock when over TLS) C: client, S: server (+ wait),
* information; then the result, why it failed and the fix. Passwords and AUTH payloads are
never shown, in clear or base64.
exit codes: 0 ok, 3 configuration, 10 DNS, 11 connect, 20 greeting, 21 EHLO, 22 TLS,
23 AUTH, 24 MAIL FROM, 25 RCPT, 26 DATA, 27 after DATA, 28 connection lost, 29 timeout,
30 message build.
"""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "send-test",
        help="send a test message, watching the SMTP conversation live",
        description="Send a plain test message (From the default sender, To the test "
        "recipient) with the current settings, printing the SMTP conversation as it happens. "
        "Works even when server.enabled is false.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--to", metavar="ADDR", help="recipient (default: server.test_recipient)")
    p.add_argument("--event", metavar="ID",
                   help="send a notification event's sample instead of the plain test message")
    p.add_argument("--json", action="store_true",
                   help="print one JSON object at the end instead of the live transcript")
    add_override_arguments(p)
    p.set_defaults(handler=run, closed_stdout_note="sending continued")


def run(args: argparse.Namespace) -> int:
    settings = load_settings_from_args(args)
    return execute(settings, to=args.to, event=args.event, as_json=args.json)


def execute(
    settings: Any,
    *,
    to: str | None = None,
    event: str | None = None,
    as_json: bool = False,
    plan: Any = None,
) -> int:
    """Run a test send for ``settings`` and print it; return the exit code.

    ``plan`` overrides ``resolve_plan(settings)`` (tests, the sandbox demo).
    Raises MailtuiError for configuration problems (the CLI prints them, exit 3).
    """
    from mailtui.config.addresses import parse_mailbox
    from mailtui.errors import ConfigError
    from mailtui.javamail.resolve import password_for, resolve_plan
    from mailtui.mail.testmessage import build_test_message
    from mailtui.smtp.render import LiveTranscript, result_lines
    from mailtui.smtp.session import run_test_send

    if plan is None:
        plan = resolve_plan(settings)
    server = settings.server
    if not plan.host:
        raise ConfigError("no SMTP server: mail.smtp.host is not set",
                          hint="apply a preset (`mailtui presets`) or set mail.smtp.host")
    recipient = to or server.test_recipient
    if not recipient:
        raise ConfigError("no recipient for the test message",
                          hint="pass --to ADDR or set server.test_recipient")
    sender = server.default_sender or plan.envelope_from
    if not sender:
        raise ConfigError("no sender address", hint="set server.default_sender")
    try:
        rcpt_box = parse_mailbox(recipient)
    except ValueError as exc:
        where = "--to" if to else "server.test_recipient"
        raise ConfigError(f"{where}: {recipient!r} is not an email address: {exc}") from None
    warn_internal({"recipient": recipient, "sender": sender})
    require_usable_tls(settings, plan)
    password = password_for(settings, plan)

    protection = None
    if event is not None:
        from mailtui.outbox.build import MessageBuilder

        built = MessageBuilder(settings).build(event, recipient, samples=True)
        message = built.data
        if built.signed or built.encrypted:
            protection = {"signed": built.signed, "encrypted": built.encrypted,
                          "summary": built.protection}
    else:
        message = build_test_message(sender, recipient, details={
            "Server": f"{plan.host}:{plan.port} ({plan.security})",
            "Login": plan.username if plan.auth else "none",
        })
        if settings.smime.configured:
            from mailtui.outbox.build import protect_raw

            protected = protect_raw(settings, message, [rcpt_box.addr_spec])
            message, protection = protected.data, protected.to_json()
    out = sys.stdout
    live = None if as_json else LiveTranscript(out)
    if live is not None:
        auth = f", AUTH as {plan.username}" if plan.auth else ", no AUTH"
        out.write(f"send-test: {plan.host}:{plan.port} ({plan.security}{auth}), "
                  f"from {sender} to {rcpt_box.addr_spec}\n")
        out.flush()
    if live is not None and protection:
        out.write(f"S/MIME: {protection['summary']}\n")
    from mailtui.commands._ticker import wait_ticker

    with wait_ticker() as ticker:
        result = run_test_send(plan, password, message, [rcpt_box.addr_spec], live,
                               on_wait=ticker)
    if as_json:
        data = result.to_json()
        data["smime"] = protection or {"signed": False, "encrypted": False, "summary": None}
        print_json(data)
    else:
        for line in result_lines(result, success_text="message accepted"):
            out.write(line + "\n")
        out.flush()
    return result.exit_code

