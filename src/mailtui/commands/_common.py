"""Helpers shared by command modules: loading the settings named on the command line."""

from __future__ import annotations

import argparse
import json
import re
import sys
from typing import TYPE_CHECKING, Any

from mailtui.config.model import Settings

if TYPE_CHECKING:

    from mailtui.config.store import ConfigStore
    from mailtui.javamail.overrides import Overrides


def load_settings_from_args(args: argparse.Namespace, *, must_exist: bool = True) -> Settings:
    """The settings of this run: the configuration file chosen by --config / $MAILTUI_CONFIG /
    the user dir (or the sandbox's, with ``mailtui --sandbox COMMAND``), then the one-run
    overrides of :func:`add_override_arguments`. With overrides the file may be absent."""
    from mailtui.services.config import load

    return load(getattr(args, "config", None), overrides=overrides_from_args(args),
                base=getattr(args, "sandbox_settings", None), must_exist=must_exist, warn=warn)


def warn(text: str) -> None:
    print(f"mailtui: warning: {text}", file=sys.stderr, flush=True)


def add_override_arguments(parser: argparse.ArgumentParser) -> None:
    """-P KEY=VALUE, --from, --user, --timeout and a password source, for this run only."""
    group = parser.add_argument_group(
        "one-run overrides (applied over the file, never written to it; no file needed)")
    group.add_argument("-P", dest="override_properties", action="append", default=[],
                       metavar="KEY=VALUE",
                       help="set a JavaMail property for this run (repeatable), "
                       "e.g. -P mail.smtp.port=587")
    group.add_argument("--from", dest="override_sender", metavar="ADDR",
                       help="sender (From and envelope) instead of server.default_sender")
    group.add_argument("--user", dest="override_user", metavar="NAME",
                       help="log in as NAME (turns mail.smtp.auth on)")
    group.add_argument("--timeout", dest="override_timeout", metavar="SECONDS",
                       help="connect, read and write timeouts")
    secret = group.add_mutually_exclusive_group()
    secret.add_argument("--password-env", dest="override_password_env", metavar="NAME",
                        help="read the password from environment variable NAME")
    secret.add_argument("--password-command", dest="override_password_command",
                        metavar="CMD", help="run CMD with /bin/sh -c (in its own process "
                        "group) and use its output as the password")
    secret.add_argument("--password-prompt", dest="override_password_prompt",
                        action="store_true",
                        help="ask for the password on the terminal (not echoed)")


def overrides_from_args(args: argparse.Namespace) -> Overrides:
    """The :class:`~mailtui.javamail.overrides.Overrides` of the command line (empty when the
    command has no override flags). A -P without '=' is a usage error (exit 2)."""
    from mailtui.errors import EXIT_USAGE, MailtuiError
    from mailtui.javamail.overrides import Overrides

    properties = []
    for item in getattr(args, "override_properties", None) or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            shown = re.split(r"[\s:]", item.strip(), maxsplit=1)[0]  # never a value
            raise MailtuiError(f"-P {shown}: expected KEY=VALUE",
                               hint="e.g. -P mail.smtp.port=587", exit_code=EXIT_USAGE)
        properties.append((key.strip(), value))
    return Overrides(
        properties=tuple(properties),
        sender=getattr(args, "override_sender", None),
        username=getattr(args, "override_user", None),
        timeout=getattr(args, "override_timeout", None),
        password_env=getattr(args, "override_password_env", None),
        password_command=getattr(args, "override_password_command", None),
        password_prompt=bool(getattr(args, "override_password_prompt", False)),
    )


def print_json(data: Any) -> None:
    json.dump(data, sys.stdout, indent=2, ensure_ascii=False, default=str)
    sys.stdout.write("\n")


def load_store_from_args(args: argparse.Namespace, *, must_exist: bool = True) -> ConfigStore:
    """The ConfigStore of the file chosen on the command line (for commands that edit it)."""
    from mailtui.services.config import open_store

    return open_store(getattr(args, "config", None), must_exist=must_exist)


def send_test_and_print(settings: Settings, *, to: str | None = None, event: str | None = None,
                        as_json: bool = False) -> int:
    """``mailtui send-test`` (also the sandbox demo's): prepare, stream the conversation to
    stdout (or print one JSON object at the end), print the outcome; the exit code.
    Configuration problems raise MailtuiError (the CLI prints them, exit 3)."""
    from mailtui.commands._interrupt import run_interruptible
    from mailtui.commands._ticker import wait_ticker
    from mailtui.services.send_test import prepare_test_send
    from mailtui.smtp.render import LiveTranscript, result_lines

    prepared = prepare_test_send(settings, to=to, event=event, warn=warn)
    plan, protection = prepared.plan, prepared.protection
    out = sys.stdout
    live = None if as_json else LiveTranscript(out)
    if live is not None:
        auth = f", AUTH as {plan.username}" if plan.auth else ", no AUTH"
        out.write(f"send-test: {plan.host}:{plan.port} ({plan.security}{auth}), "
                  f"from {prepared.sender} to {prepared.recipient}\n")
        out.flush()
        if protection is not None:
            out.write(f"S/MIME: {protection.summary}\n")
    with wait_ticker() as ticker:
        result = run_interruptible(
            lambda cancel: prepared.run(live, on_wait=ticker, cancel=cancel))
    if as_json:
        data = result.to_json()
        data["smime"] = (protection.to_json() if protection is not None else
                         {"signed": False, "encrypted": False, "summary": None})
        print_json(data)
    else:
        for line in result_lines(result, success_text="message accepted"):
            out.write(line + "\n")
        out.flush()
    return result.exit_code
