"""``mailtui sendmail``: the sendmail-compatible entry (cron, PHP's mail(), scripts).

Reads an RFC 5322 message on stdin and sends it with the configured account through the same
deliverer as ``mailtui send``. Silent on success; one line on stderr on failure; the exit code
follows sysexits.h (see EXIT_TABLE and the README).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any, NoReturn

EX_OK = 0
EX_USAGE = 64
EX_DATAERR = 65
EX_NOUSER = 67
EX_UNAVAILABLE = 69
EX_SOFTWARE = 70
EX_OSERR = 71
EX_IOERR = 74
EX_TEMPFAIL = 75
EX_PROTOCOL = 76
EX_NOPERM = 77
EX_CONFIG = 78

EPILOG = """\
examples:
  printf 'Subject: backup done\\n\\nAll good.\\n' | mailtui sendmail admin@example.org
  mailtui sendmail -t -i < message.eml               recipients from To/Cc/Bcc
  php.ini:  sendmail_path = "/usr/local/bin/mailtui sendmail -t -i"
  crontab:  MAILTO=admin@example.org (with /usr/sbin/sendmail running mailtui sendmail)

-oi is -i; accepted and ignored, as sendmail callers pass them: -oem -odi -oQ... -B8BITMIME
-bm -G -h N -L TAG -m -n -O OPT -U -V ENVID -x
exit codes (sysexits.h): 0 sent, 64 usage, 65 bad message or address, 67 recipient refused,
69 refused by the server, 70 internal error, 71 system error, 74 input error or reply lost
after the message (may have been delivered), 75 temporary failure (retry later),
76 protocol error, 77 authentication refused, 78 configuration.
"""


class _SysexitsParser(argparse.ArgumentParser):
    """Usage errors exit 64 (EX_USAGE), as sendmail callers expect, not argparse's 2; an
    unknown flag is one of them."""

    def parse_known_args(self, args: Any = None, namespace: Any = None) -> Any:
        parsed, extras = super().parse_known_args(args, namespace)
        if extras:
            self.error(f"unknown option(s): {' '.join(extras)}")
        return parsed, extras

    def error(self, message: str) -> NoReturn:
        self.exit(EX_USAGE, f"mailtui sendmail: usage error: {message} "
                            "(mailtui sendmail --help)\n")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "sendmail",
        help="sendmail-compatible: send the RFC 5322 message on stdin (cron, PHP mail())",
        description="Read a message on stdin and send it with the configured account, as "
        "/usr/sbin/sendmail does (msmtp's main use). Missing From, Date and Message-ID are "
        "added, Bcc is removed. Silent on success; refuses while server.enabled is false.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        add_help=False,  # sendmail's -h takes a hop count
    )
    p.__class__ = _SysexitsParser
    p.add_argument("--help", action="help", help="show this help message and exit")
    p.add_argument("recipients", nargs="*", metavar="RCPT", help="recipient address")
    p.add_argument("-t", dest="read_recipients", action="store_true",
                   help="also read recipients from To, Cc and Bcc (Resent-* if present)")
    p.add_argument("-f", "-r", dest="envelope_from", metavar="FROM",
                   help="envelope sender (default: mail.smtp.from, else server.default_sender;"
                   " '<>' for none); also the From header when the message has none")
    p.add_argument("-F", dest="full_name", metavar="NAME",
                   help="display name of the From header mailtui adds when there is none")
    p.add_argument("-i", dest="ignore_dots", action="store_true",
                   help="a line with a lone '.' does not end the input (also -oi)")
    p.add_argument("-v", dest="verbose", action="store_true",
                   help="show the SMTP conversation on stderr")
    p.add_argument("-N", dest="dsn_notify", metavar="DSN",
                   help="DSN NOTIFY: never, or a comma list of success, failure, delay")
    p.add_argument("-R", dest="dsn_ret", type=str.lower, choices=("full", "hdrs"),
                   help="DSN RET: full or hdrs")
    p.add_argument("-o", dest="options", action="append", default=[], metavar="OPT",
                   help=argparse.SUPPRESS)
    p.add_argument("-b", dest="mode", default="m", help=argparse.SUPPRESS)
    for flag in ("-B", "-h", "-L", "-O", "-V"):
        p.add_argument(flag, dest="ignored", action="append", help=argparse.SUPPRESS)
    for flag in ("-G", "-m", "-n", "-U", "-x"):
        p.add_argument(flag, dest="ignored_flags", action="count", help=argparse.SUPPRESS)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Never raises: every outcome is a sysexits code and at most one line on stderr."""
    from mailtui.errors import MailtuiError
    from mailtui.mail.rawmessage import MessageDataError

    try:
        return _run(args)
    except _Exit as exc:
        _say(exc.message)
        return exc.code
    except MessageDataError as exc:
        _say(str(exc))
        return EX_DATAERR
    except MailtuiError as exc:
        text = exc.message if exc.location is None else str(exc)
        _say(text + (f" (fix: {exc.hint})" if exc.hint else ""))
        return EX_DATAERR if exc.exit_code == 30 else EX_CONFIG
    except KeyboardInterrupt:
        _say("interrupted: the message may not have been sent")
        return EX_TEMPFAIL
    except OSError as exc:
        _say(f"system error: {exc}")
        return EX_OSERR
    except Exception as exc:  # a bug: one line, the traceback only on request
        import os

        if os.environ.get("MAILTUI_DEBUG"):
            raise
        _say(f"internal error: {type(exc).__name__}: {exc} (set MAILTUI_DEBUG=1 for the "
             "traceback, and please report it)")
        return EX_SOFTWARE


class _Exit(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _say(text: str) -> None:
    print(f"mailtui sendmail: {' '.join(text.split())}", file=sys.stderr, flush=True)


def _run(args: argparse.Namespace) -> int:
    import dataclasses

    from mailtui.commands._common import load_settings_from_args
    from mailtui.javamail.resolve import password_for, resolve_plan
    from mailtui.mail import rawmessage as raw
    from mailtui.outbox.deliver import require_enabled
    from mailtui.services._preflight import require_usable_tls

    _check_flags(args)
    settings = load_settings_from_args(args)
    require_enabled(settings)
    plan = resolve_plan(settings)
    if not plan.host:
        raise _Exit(EX_CONFIG, "no SMTP server: mail.smtp.host is not set")
    require_usable_tls(settings, plan)  # exit 78 (EX_CONFIG) before connecting
    if args.dsn_notify or args.dsn_ret:
        plan = dataclasses.replace(plan, dsn_notify=args.dsn_notify.upper() if args.dsn_notify
                                   else plan.dsn_notify,
                                   dsn_ret=(args.dsn_ret or plan.dsn_ret or "").upper() or None)
    envelope_from = _envelope_from(args, plan)
    try:
        data = raw.read_message(sys.stdin.buffer, dot_ends=not _ignore_dots(args))
    except OSError as exc:
        raise _Exit(EX_IOERR, f"cannot read the message on stdin: {exc}") from None
    message = raw.RawMessage.parse(data)
    recipients = raw.addresses(args.recipients, "recipient")
    if args.read_recipients:
        recipients += raw.header_recipients(message)
    recipients = raw.unique(recipients)
    if not recipients:
        raise _Exit(EX_USAGE, "no recipient: give addresses on the command line, or -t with "
                    "To/Cc/Bcc in the message")
    raw.complete_header(message, sender=_from_header(args, settings, envelope_from))
    data = message.to_bytes()
    if settings.smime.configured:
        from mailtui.outbox.build import protect_raw

        data = protect_raw(settings, data, recipients).data
    return _deliver(args, plan, password_for(settings, plan), envelope_from, recipients, data,
                    message)


def _check_flags(args: argparse.Namespace) -> None:
    if args.mode != "m":
        raise _Exit(EX_USAGE, f"-b{args.mode} is not supported: mailtui sendmail only sends "
                    "the message on stdin (-bm); it has no queue, aliases or daemon mode")
    if args.dsn_notify:
        from mailtui.javamail.catalog import lookup, validate_value

        spec = lookup("mail.smtp.dsn.notify")
        assert spec is not None
        problem = validate_value(spec, args.dsn_notify.upper())
        if problem:
            raise _Exit(EX_USAGE, f"-N: {problem}")


def _ignore_dots(args: argparse.Namespace) -> bool:
    return args.ignore_dots or "i" in args.options


def _envelope_from(args: argparse.Namespace, plan: Any) -> str:
    from mailtui.mail.rawmessage import addresses

    if args.envelope_from is not None:
        if args.envelope_from.strip() in ("", "<>"):
            return ""  # the null sender (bounces, auto-replies)
        found = addresses([args.envelope_from], "-f")
        if len(found) != 1:
            raise _Exit(EX_USAGE, f"-f: {args.envelope_from!r} is not one address")
        return found[0]
    if not plan.envelope_from:
        raise _Exit(EX_CONFIG, "no sender address: set server.default_sender (or pass -f)")
    return str(plan.envelope_from)


def _from_header(args: argparse.Namespace, settings: Any, envelope_from: str) -> str:
    """The From field added to a message that has none: -F NAME with the -f address, else
    the default sender."""
    from mailtui.config.addresses import parse_mailbox
    from mailtui.mail.rawmessage import sender_header

    if args.envelope_from and envelope_from:
        return sender_header(envelope_from, args.full_name)
    default = settings.server.default_sender or envelope_from
    try:
        box = parse_mailbox(default)
    except ValueError:
        return sender_header(default, args.full_name)
    return sender_header(box.ascii_addr_spec or box.addr_spec,
                         args.full_name or box.display_name)


def _deliver(args: argparse.Namespace, plan: Any, password: str | None, envelope_from: str,
             recipients: list[str], data: bytes, message: Any) -> int:
    from mailtui.outbox.build import Outgoing
    from mailtui.outbox.deliver import Deliverer, Delivery, DeliveryAborted
    from mailtui.smtp.render import LiveTranscript, result_lines

    live = LiveTranscript(sys.stderr) if args.verbose else None
    ids = message.values("message-id")
    subjects = message.values("subject")
    outgoing = Outgoing("sendmail", envelope_from, tuple(recipients), data,
                        ids[0] if ids else "", subjects[0] if subjects else "")
    with Deliverer(plan, password, on_event=live, retries=0) as deliverer:
        try:
            delivery = deliverer.deliver(outgoing)
        except DeliveryAborted as exc:
            failure = exc.failure
            delivery = Delivery("deferred", 1, failure.reply_code, failure.enhanced_code,
                                failure.reply, failure.stage, exc.explanation, exc.fix,
                                during=failure.during)
    if args.verbose:
        for line in result_lines(delivery, success_text=f"sent to {', '.join(recipients)}"):
            print(line, file=sys.stderr)
    if delivery.ok:
        return EX_OK
    code = exit_code(delivery)
    if not args.verbose:
        from mailtui.smtp.render import reply_text

        said = reply_text(delivery.reply_code, delivery.enhanced_code, delivery.reply)
        server = f" (server: {said})" if delivery.reply_code else ""
        fix = f" Fix: {delivery.fix}" if delivery.fix else ""
        state = ("may have been delivered" if delivery.status == "uncertain"
                 else "not sent")
        _say(f"{state}, failed at {delivery.stage} (exit {code}){server}: "
             f"{delivery.explanation}{fix}")
    return code


def exit_code(delivery: Any) -> int:
    """The sysexits.h code of a failed delivery (see the README's table)."""
    from mailtui.smtp.codes import is_transient
    from mailtui.smtp.stages import Stage

    stage = delivery.stage
    if delivery.status == "uncertain":
        return EX_IOERR  # the reply to the whole message was lost: retrying may duplicate it
    if delivery.reply_code is not None and is_transient(delivery.reply_code):
        return EX_TEMPFAIL
    if stage in (Stage.DNS, Stage.CONNECT, Stage.TIMEOUT, Stage.CONNECTION_LOST):
        return EX_TEMPFAIL
    if stage in (Stage.MAIL_FROM, Stage.RCPT) and delivery.reply_code is None:
        return EX_DATAERR  # an address the server cannot take (SMTPUTF8 not offered)
    return {
        Stage.CONFIG: EX_CONFIG,
        Stage.GREETING: EX_UNAVAILABLE,
        Stage.EHLO: EX_PROTOCOL,
        Stage.TLS: EX_UNAVAILABLE,
        Stage.AUTH: EX_NOPERM,
        Stage.MAIL_FROM: EX_UNAVAILABLE,
        Stage.RCPT: EX_NOUSER,
        Stage.DATA: EX_UNAVAILABLE,
        Stage.AFTER_DATA: EX_UNAVAILABLE,
        Stage.MESSAGE_BUILD: EX_DATAERR,
    }.get(stage, EX_SOFTWARE)
