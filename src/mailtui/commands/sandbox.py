"""``mailtui sandbox``: the embedded local SMTP server; ``mailtui sandbox --demo`` (and
``mailtui --sandbox`` outside a terminal): the quick headless demo."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

    from mailtui.config.model import Settings
    from mailtui.sandbox.embedded import SandboxInfo
    from mailtui.sandbox.server import Sandbox
    from mailtui.sandbox.store import StoredMessage

EPILOG = """\
examples:
  mailtui sandbox                       serve on 127.0.0.1:2525 (STARTTLS) and :2465 (TLS)
  mailtui sandbox --port 0 --tls-port 0 any free ports (printed at start)
  mailtui preset sandbox && mailtui send-test
                                        point mailtui at it and send a test
  mailtui sandbox --list                what it received
  mailtui sandbox --show last           one message, headers and body
  mailtui sandbox --demo                start one on free ports, send it a test, show it, stop
  mailtui --sandbox                     the app on a sandbox of its own (the demo outside a
                                        terminal: `mailtui --sandbox | cat`)

credentials: username sandbox; the password is in the README (section "The sandbox").
The sandbox delivers nothing: every message stays in its Maildir.
"""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "sandbox",
        help="run the embedded local SMTP test server (STARTTLS + AUTH, keeps the mail)",
        description="A local SMTP server for trying mailtui without a real account: "
        "a STARTTLS listener and an implicit-TLS listener on loopback, AUTH PLAIN/LOGIN "
        "with the documented sandbox credentials (see the README), and a Maildir that keeps "
        "every message it receives.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--host",
        default="127.0.0.1",
        help="loopback address to listen on: 127.0.0.1 (default), ::1 or localhost",
    )
    p.add_argument(
        "--port",
        type=int,
        default=2525,
        metavar="N",
        help="STARTTLS listener port (default 2525; 0 = any free port)",
    )
    p.add_argument(
        "--tls-port",
        type=int,
        default=2465,
        metavar="N",
        help="implicit-TLS listener port (default 2465; 0 = any free port)",
    )
    p.add_argument(
        "--maildir",
        metavar="DIR",
        help="where received mail is kept (default: <user data dir>/sandbox/maildir)",
    )
    view = p.add_mutually_exclusive_group()
    view.add_argument("--list", action="store_true", help="list the received messages and exit")
    view.add_argument(
        "--show", metavar="N", help="print message N (from --list, or 'last') and exit"
    )
    view.add_argument(
        "--demo", action="store_true",
        help="headless demo for scripts and CI: start a sandbox on free ports, send it a test "
        "message with the live transcript, show what it received, stop",
    )
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if args.demo:
        args.closed_stdout_note = "sending continued"
        return run_demo(args)
    maildir = _maildir(args)
    if args.list:
        return _list(maildir)
    if args.show is not None:
        return _show(maildir, args.show)
    return _serve(args, maildir)


def run_demo(args: argparse.Namespace) -> int:
    """``mailtui sandbox --demo``: start the sandbox on free ports, send a test to it, show it."""
    from mailtui.services.sandbox import sandbox_demo

    with sandbox_demo() as demo:
        _say(
            "mailtui sandbox demo: a local SMTP server just started for this run; "
            "mailtui now sends it a test message.",
            "",
            *_wiring(demo.info),
            "",
            "The SMTP conversation (credentials are never shown in it):",
            "",
        )
        code = _send_test(demo.info.settings)
        for notice in demo.notices:
            _say(f"sandbox: {notice}")
        _say("")
        arrivals = demo.arrivals
        if arrivals:
            _say("What the sandbox received:")
            for arrival in arrivals:
                _say(f"  {arrival.line()}")
            last = demo.last_message()
            if last is not None:
                _say("", *_preview(last), "")
            _say(
                "Next steps:",
                "  mailtui sandbox                    keep the sandbox running "
                "(ports 2525 STARTTLS, 2465 TLS)",
                "  mailtui preset sandbox             point your configuration at it",
                "  mailtui send-test                  send a test and watch the conversation",
                f"  {f'mailtui sandbox --show {arrivals[-1].number}':<35}"
                "read this message again (the sandbox has stopped)",
            )
        else:
            _say("The sandbox received nothing: the conversation above says where it stopped.")
    return code


# Commands that `mailtui --sandbox COMMAND` runs against a sandbox started for the run.
SANDBOX_COMMANDS = ("send-test", "probe", "send", "plan", "check")


def run_with_sandbox(command: Callable[[argparse.Namespace], int],
                     args: argparse.Namespace) -> int:
    """``mailtui --sandbox COMMAND``: start a sandbox on free loopback ports, run COMMAND with
    the sandbox preset's settings and login (the configuration file is not read), stop it.
    Never the configured server: other commands, or -P naming another server, are usage
    errors (exit 2)."""
    from mailtui.commands._common import overrides_from_args
    from mailtui.errors import EXIT_USAGE, MailtuiError
    from mailtui.services.sandbox import sandbox_for_run

    name = args.command
    if name not in SANDBOX_COMMANDS:
        raise MailtuiError(
            f"--sandbox does not apply to `mailtui {name}`",
            hint=f"--sandbox runs {', '.join(SANDBOX_COMMANDS)} against a sandbox started for "
            "the run; `mailtui --sandbox` alone opens the app on one; `mailtui sandbox` keeps one "
            "running",
            exit_code=EXIT_USAGE,
        )
    notices: list[str] = []
    with sandbox_for_run(overrides_from_args(args), on_notice=notices.append) as sb:
        args.sandbox_settings = sb.settings
        _say(f"mailtui --sandbox: `{name}` runs against a sandbox started for this run "
             f"({sb.host}:{sb.port}, user {sb.username}); the configuration file is not used; "
             f"received mail goes to {sb.maildir} (`mailtui sandbox --list`)", err=True)
        try:
            return int(command(args) or 0)
        finally:
            for notice in notices:
                _say(f"sandbox: {notice}", err=True)


# -- serving ---------------------------------------------------------------------------------
def _serve(args: argparse.Namespace, maildir: Path | None) -> int:
    from mailtui.sandbox.server import Sandbox

    sandbox = Sandbox(
        host=args.host,
        port=args.port,
        tls_port=args.tls_port,
        maildir=maildir,
        on_arrival=lambda arrival: _say(arrival.line()),
        on_notice=lambda text: _say(f"notice: {text}", err=True),
    )
    stop = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        with sandbox as sb:
            _say(
                "mailtui sandbox: a local SMTP server for tests. It keeps every message "
                "and delivers nothing.",
                "",
                *_wiring(sb),
                "",
                *_how_to_point(sb),
                "Waiting for mail (one line per message); Ctrl-C stops.",
            )
            try:
                while not stop.wait(0.5):
                    pass
            except KeyboardInterrupt:
                pass
        _say("", "sandbox stopped.")
    finally:
        signal.signal(signal.SIGTERM, previous)
    return 0


def _how_to_point(sb: Sandbox) -> list[str]:
    from mailtui.sandbox.server import DEFAULT_HOST, DEFAULT_PORT

    lines = ["Point mailtui at it with `mailtui preset sandbox`, then `mailtui send-test`."]
    if (sb.host, sb.port) != (DEFAULT_HOST, DEFAULT_PORT):
        lines.append(
            f"The preset expects {DEFAULT_HOST}:{DEFAULT_PORT}: also set mail.smtp.host = "
            f"{sb.host} and mail.smtp.port = {sb.port} in [server.properties]."
        )
    return lines


def _wiring(sb: Sandbox | SandboxInfo) -> list[str]:
    host = f"[{sb.host}]" if ":" in sb.host else sb.host
    return [
        f"  STARTTLS      {host}:{sb.port}  (STARTTLS required, then AUTH PLAIN or LOGIN)",
        f"  implicit TLS  {host}:{sb.tls_port}  (TLS from the first byte, then AUTH)",
        f"  username      {sb.username}",
        "  password      documented in the README (mailtui never prints passwords)",
        f"  CA            {sb.ca_file}  (trusted by the sandbox preset only)",
        f"  Maildir       {sb.maildir}",
    ]


def _send_test(settings: Settings) -> int:
    from mailtui.commands._common import send_test_and_print

    return send_test_and_print(settings)


# -- viewing ---------------------------------------------------------------------------------
def _maildir(args: argparse.Namespace) -> Path | None:
    return Path(args.maildir).expanduser() if args.maildir else None


def _resolved(maildir: Path | None) -> Path:
    from mailtui.sandbox.store import default_maildir

    return maildir or default_maildir()


def _list(maildir: Path | None) -> int:
    from mailtui.sandbox.store import human_size, list_messages, printable_text

    path = _resolved(maildir)
    messages = list_messages(path)
    if not messages:
        _say(f"No message in {path} yet. Try `mailtui --sandbox`.")
        return 0
    _say(f"{len(messages)} message(s) in {path}:")
    _say(f"{'#':>4}  {'received':19}  {'from':28}  {'to':28}  {'size':>9}  {'TLS':7}  subject")
    for m in messages:
        to = ", ".join(m.rcpt_tos) or m.to_header
        _say(
            f"{m.number:>4}  {m.received:%Y-%m-%d %H:%M:%S}  "
            f"{_cut(printable_text(m.mail_from or m.from_header), 28):28}  "
            f"{_cut(printable_text(to), 28):28}  {human_size(m.size):>9}  "
            f"{(m.tls or 'no'):7}  {printable_text(m.subject)}"
        )
    _say("", "Read one with `mailtui sandbox --show N`.")
    return 0


def _show(maildir: Path | None, selector: str) -> int:
    from mailtui.sandbox.store import get_message, printable_source

    message = get_message(_resolved(maildir), selector)
    text = message.read_bytes().decode("utf-8", errors="replace")
    sys.stdout.write(printable_source(text))
    if not text.endswith("\n"):
        sys.stdout.write("\n")
    return 0


def _preview(message: StoredMessage, body_lines: int = 12) -> list[str]:
    """Headers of a stored message and the first lines of its first text part."""
    from mailtui.sandbox.store import printable_text

    parsed = message.message()
    lines = [f"Message {message.number} as stored ({message.path}):"]
    for name, value in parsed.items():
        for i, text in enumerate(str(value).splitlines() or [""]):
            clean = printable_text(text)
            lines.append(f"  {name}: {clean}" if i == 0 else f"    {clean}")
    part = parsed.get_body(preferencelist=("plain", "html"))
    try:
        body = part.get_content() if part is not None else ""
    except (LookupError, ValueError):  # unknown charset, undecodable part
        body = "(body not decodable as text)"
    shown = body.splitlines()[:body_lines]
    lines.append("")
    lines.extend(f"  | {printable_text(line)}" for line in shown)
    hidden = len(body.splitlines()) - len(shown)
    if hidden > 0:
        lines.append(f"  | ... ({hidden} more line(s))")
    return lines


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _say(*lines: str, err: bool = False) -> None:
    stream = sys.stderr if err else sys.stdout
    for line in lines:
        print(line, file=stream, flush=True)
