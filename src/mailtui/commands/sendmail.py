"""``mailtui sendmail``: the sendmail-compatible entry (cron, PHP's mail(), scripts).

Reads an RFC 5322 message on stdin and sends it with the configured account through the same
deliverer as ``mailtui send``. Silent on success; one line on stderr on failure; the exit code
follows sysexits.h (services/sendmail.py and the README). This module parses the flags, reads
stdin and prints; mailtui.services.sendmail does the rest.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any, NoReturn

from mailtui.services.sendmail import EX_USAGE

if TYPE_CHECKING:
    from mailtui.services.sendmail import SendmailOutcome

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
    from mailtui.services.sendmail import (
        EX_DATAERR,
        EX_OSERR,
        EX_SOFTWARE,
        EX_TEMPFAIL,
        SendmailError,
        error_sysexit,
    )

    try:
        return _run(args)
    except SendmailError as exc:
        _say(exc.message)
        return exc.sysexit
    except MessageDataError as exc:
        _say(str(exc))
        return EX_DATAERR
    except MailtuiError as exc:
        text = exc.message if exc.location is None else str(exc)
        _say(text + (f" (fix: {exc.hint})" if exc.hint else ""))
        return error_sysexit(exc)
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


def _say(text: str) -> None:
    print(f"mailtui sendmail: {' '.join(text.split())}", file=sys.stderr, flush=True)


def _run(args: argparse.Namespace) -> int:
    from mailtui.commands._common import load_settings_from_args
    from mailtui.mail.rawmessage import read_message
    from mailtui.services.sendmail import (
        EX_IOERR,
        SendmailError,
        check_dsn_notify,
        prepare_sendmail,
    )
    from mailtui.smtp.render import LiveTranscript

    if args.mode != "m":
        raise SendmailError(EX_USAGE, f"-b{args.mode} is not supported: mailtui sendmail only "
                            "sends the message on stdin (-bm); it has no queue, aliases or "
                            "daemon mode")
    check_dsn_notify(args.dsn_notify)  # a usage error before the configuration is read
    prepared = prepare_sendmail(
        load_settings_from_args(args), recipients=args.recipients,
        read_recipients=args.read_recipients, envelope_from=args.envelope_from,
        full_name=args.full_name, dsn_notify=args.dsn_notify, dsn_ret=args.dsn_ret)
    try:
        data = read_message(sys.stdin.buffer, dot_ends=not _ignore_dots(args))
    except OSError as exc:
        raise SendmailError(EX_IOERR, f"cannot read the message on stdin: {exc}") from None
    outcome = prepared.run(data, LiveTranscript(sys.stderr) if args.verbose else None)
    return _report(args, outcome)


def _ignore_dots(args: argparse.Namespace) -> bool:
    return bool(args.ignore_dots or "i" in args.options)


def _report(args: argparse.Namespace, outcome: SendmailOutcome) -> int:
    """Silent on success; -v: the result lines; else one line on a failure."""
    from mailtui.smtp.render import reply_text, result_lines

    delivery = outcome.delivery
    if args.verbose:
        for line in result_lines(delivery, success_text=f"sent to "
                                 f"{', '.join(outcome.recipients)}"):
            print(line, file=sys.stderr)
    if outcome.ok:
        return outcome.exit_code
    if not args.verbose:
        said = reply_text(delivery.reply_code, delivery.enhanced_code, delivery.reply)
        server = f" (server: {said})" if delivery.reply_code else ""
        fix = f" Fix: {delivery.fix}" if delivery.fix else ""
        state = ("may have been delivered" if delivery.status == "uncertain"
                 else "not sent")
        _say(f"{state}, failed at {delivery.stage} (exit {outcome.exit_code}){server}: "
             f"{delivery.explanation}{fix}")
    return outcome.exit_code
