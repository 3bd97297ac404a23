"""``mailtui send-test``: send a test message and stream the SMTP conversation live."""

from __future__ import annotations

import argparse

from mailtui.commands._common import (
    add_override_arguments,
    load_settings_from_args,
    send_test_and_print,
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
    return send_test_and_print(settings, to=args.to, event=args.event, as_json=args.json)
