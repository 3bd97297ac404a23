"""The ``mailtui`` command line. Headless commands never import Textual."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from typing import Any

from mailtui import __version__
from mailtui.errors import EXIT_CANCELLED, EXIT_USAGE, MailtuiError

# Command name -> module under mailtui.commands, in the order --help lists them.
COMMANDS = {
    "check": "check",
    "plan": "plan",
    "presets": "presets",
    "preset": "presets",
    "properties": "properties",
    "probe": "probe",
    "send-test": "send_test",
    "events": "events",
    "render": "render",
    "send": "send",
    "smime": "smime",
    "sandbox": "sandbox",
    "sendmail": "sendmail",
}

EPILOG = """\
examples:
  mailtui --sandbox                          the app on the embedded sandbox (no account needed)
  mailtui sandbox --demo                     headless: start a sandbox, send it a test, show it
  mailtui --sandbox send-test --to a@example.org
                                             send-test against a sandbox, not your server
  mailtui preset office365 --dry-run         show what the Office 365 preset would change
  mailtui properties import - < app.properties
                                             merge JavaMail properties pasted from a Java app
  mailtui plan                               the connection mailtui will make
  mailtui check                              validate the file and lint the properties
  mailtui probe                              what the server offers, before and after TLS
  mailtui send-test --to admin@example.org   send a test and watch the SMTP conversation
  mailtui send task_assigned_to_you --to bob@example.org --context ctx.json

configuration file: --config PATH, else $MAILTUI_CONFIG, else the user config dir.
exit codes: 0 ok, 2 usage, 3 configuration, 10-29 SMTP stages, 30 message build,
130 cancelled (Ctrl-C) (see README).
"""


def _requested_module(argv: Sequence[str]) -> str | None:
    """The module of the command named in ``argv``, so only that one is imported (start-up
    time); None when the whole parser is needed (--help, no command, a typo)."""
    skip = False
    for arg in argv:
        if skip:
            skip = False
        elif arg == "--config":
            skip = True
        elif arg.startswith("-"):
            if arg in ("-h", "--help"):
                return None
        else:
            return COMMANDS.get(arg)
    return None


def _opens_app(argv: Sequence[str]) -> bool:
    """No command and no --help in ``argv``: `mailtui [--config PATH]` opens the app."""
    skip = False
    for arg in argv:
        if skip:
            skip = False
        elif arg == "--config":
            skip = True
        elif arg in ("-h", "--help") or not arg.startswith("-"):
            return False
    return True


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mailtui",
        description="Set up, test and use the outgoing email account of an application.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"mailtui {__version__}")
    parser.add_argument(
        "--config",
        metavar="PATH",
        help="configuration file (default: $MAILTUI_CONFIG, else the user config dir)",
    )
    parser.add_argument(
        "--sandbox",
        action="store_true",
        help="run against the embedded sandbox server: alone, open the app on it (outside a "
        "terminal: the headless demo, as `mailtui sandbox --demo`); before send-test, probe, "
        "send, plan or check, run that command against a sandbox "
        "started for this run (the configuration file is not used)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    given = sys.argv[1:] if argv is None else argv
    wanted = _requested_module(given)
    if wanted is None and _opens_app(given):
        return parser  # no command: the app starts without importing any command module
    for name in dict.fromkeys(COMMANDS.values()):
        if wanted is None or name == wanted:
            importlib.import_module(f"mailtui.commands.{name}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from mailtui.commands._pipes import guard

    # A closed stdout never changes what a command does (README: "Output and pipes").
    real_out, real_err = sys.stdout, sys.stderr
    out = guard(real_out)
    sys.stdout, sys.stderr = out, guard(real_err)
    try:
        parser = build_parser(argv)
        args = parser.parse_args(argv)
        handler = getattr(args, "handler", None)
        if handler is None and not args.sandbox:
            # `mailtui [--config PATH]`: the app, on the real terminal streams
            sys.stdout, sys.stderr = real_out, real_err
            return _run(_open_app, args)
        if handler is None and _terminal():  # `mailtui --sandbox`: the app on a sandbox
            sys.stdout, sys.stderr = real_out, real_err
            return _run(_open_sandbox_app, args)
        if handler is None:  # ... and outside a terminal, the headless demo
            from mailtui.commands import sandbox

            handler = sandbox.run_demo
            args.closed_stdout_note = "sending continued"
        elif args.sandbox:  # `mailtui --sandbox COMMAND`: the command runs against a fresh sandbox
            import functools

            from mailtui.commands import sandbox

            handler = functools.partial(sandbox.run_with_sandbox, handler)
        code = _run(handler, args)
        out.flush()
        note = getattr(args, "closed_stdout_note", None)
        if out.broken and note:
            print(f"mailtui: stdout closed; output discarded, {note}", file=sys.stderr)
        return code
    finally:
        out.flush()  # (--help, usage errors) before Python's own flush at exit
        sys.stderr.flush()
        sys.stdout, sys.stderr = real_out, real_err


def _run(handler: Any, args: argparse.Namespace) -> int:
    try:
        return int(handler(args) or 0)
    except MailtuiError as exc:
        print(f"mailtui: {exc.describe()}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:  # SMTP work reports its own cancellation; this is the rest
        print("mailtui: interrupted", file=sys.stderr)
        return EXIT_CANCELLED
    except Exception as exc:  # a bug: say so briefly; the traceback only on request
        if os.environ.get("MAILTUI_DEBUG"):
            raise
        print(
            f"mailtui: internal error: {type(exc).__name__}: {exc}\n"
            "  set MAILTUI_DEBUG=1 for the traceback, and please report it",
            file=sys.stderr,
        )
        return 1


def _terminal() -> bool:
    """stdin and stdout are both a terminal: the app can run."""
    return sys.stdin.isatty() and sys.stdout.isatty()


def _open_sandbox_app(args: argparse.Namespace) -> int:
    """``mailtui --sandbox`` in a terminal: the app on a sandbox started for the session."""
    from mailtui.config.paths import resolve_config_path
    from mailtui.tui import run_sandbox_app

    return run_sandbox_app(resolve_config_path(args.config))


def _open_app(args: argparse.Namespace) -> int:
    """``mailtui`` alone opens the terminal app, which needs a terminal on both ends."""
    if not _terminal():
        print("mailtui: the app needs a terminal (stdin and stdout are not both one); "
              "run a command instead:\n", file=sys.stderr)
        build_parser(["--help"]).print_help(sys.stderr)  # the full help, every command
        return EXIT_USAGE
    from mailtui.config.paths import resolve_config_path
    from mailtui.tui import run_app

    return run_app(resolve_config_path(args.config))
