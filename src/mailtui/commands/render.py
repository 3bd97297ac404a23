"""``mailtui render``: render one event with sample values or your own context."""

from __future__ import annotations

import argparse
import sys

EPILOG = """\
examples:
  mailtui render task_assigned_to_you                  subject and text part, sample values
  mailtui render loan_reminder --locale fr --format html > preview.html
  mailtui render task_reminder --context ctx.json --format eml > reminder.eml
  echo '{"task_title": "Audit 2025"}' | mailtui render task_completed --context -

The context file is a JSON object of variables; variables it does not give keep their sample
values. Locale, template overrides and shared variables come from [templates] in the
configuration file when there is one.
"""

PLACEHOLDER_SENDER = "mailtui <notifications@example.com>"
PLACEHOLDER_RECIPIENT = "recipient@example.com"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "render",
        help="render one notification (text, HTML or a complete .eml)",
        description="Render one notification event, as the recipient would get it.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("event", metavar="ID", help="event id (see `mailtui events`)")
    p.add_argument("--locale", metavar="L", help="en or fr (default: templates.locale, else en)")
    p.add_argument(
        "--context", metavar="FILE", help="JSON object of variables ('-' reads standard input)"
    )
    p.add_argument(
        "--format",
        choices=("text", "html", "eml"),
        default="text",
        help="text: subject and plain-text part (default); html: the HTML part; "
        "eml: the complete MIME message",
    )
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from mailtui.commands._common import load_settings_from_args
    from mailtui.events.context import load_context_file
    from mailtui.events.render import Renderer

    settings = load_settings_from_args(args, must_exist=False)
    templates = settings.templates  # directory already resolved against the config file
    variables = load_context_file(args.context) if args.context else {}
    renderer = Renderer(
        locale=args.locale or templates.locale,
        override_dir=templates.directory,
        context=templates.context,
    )
    if args.format != "eml":
        rendered = renderer.render(args.event, variables)
        if args.format == "html":
            sys.stdout.write(rendered.html)
        else:
            sys.stdout.write(f"Subject: {rendered.subject}\n\n{rendered.text}")
        return 0

    from mailtui.mail.compose import compose, message_bytes, needs_smtputf8

    sender = settings.server.default_sender
    recipient = settings.server.test_recipient
    if not sender:
        sender = PLACEHOLDER_SENDER
        print(
            f"mailtui: no server.default_sender configured; using the placeholder {sender}",
            file=sys.stderr,
        )
    if not recipient:
        recipient = PLACEHOLDER_RECIPIENT
        print(
            f"mailtui: no server.test_recipient configured; using the placeholder {recipient}",
            file=sys.stderr,
        )
    if "recipient_email" not in variables and "recipient_email" not in templates.context:
        from mailtui.mail.compose import parse_address

        variables = {**variables, "recipient_email": parse_address(recipient, "To").addr_spec}
    rendered = renderer.render(args.event, variables)
    msg = compose(rendered, sender=sender, to=[recipient])
    sys.stdout.flush()
    sys.stdout.buffer.write(message_bytes(msg, utf8=needs_smtputf8(msg)))
    sys.stdout.buffer.flush()
    return 0
