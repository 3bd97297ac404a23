"""Helpers shared by command modules: loading the settings named on the command line."""

from __future__ import annotations

import argparse
import json
import re
import sys
from typing import TYPE_CHECKING, Any

from mailtui.config.model import Settings

if TYPE_CHECKING:
    from mailtui.javamail.overrides import Overrides


def load_settings_from_args(args: argparse.Namespace, *, must_exist: bool = True) -> Settings:
    """The settings of this run: the configuration file chosen by --config / $MAILTUI_CONFIG /
    the user dir (or the sandbox's, with ``mailtui --sandbox COMMAND``), then the one-run
    overrides of :func:`add_override_arguments`. With overrides the file may be absent."""
    from mailtui.javamail.overrides import apply_overrides

    overrides = overrides_from_args(args)
    settings: Settings | None = getattr(args, "sandbox_settings", None)
    if settings is None:
        from mailtui.config.paths import resolve_config_path
        from mailtui.config.store import load_settings

        path = resolve_config_path(getattr(args, "config", None))
        settings = load_settings(path, must_exist=must_exist and overrides.empty)
    return apply_overrides(settings, overrides, warn=warn)


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
                        metavar="CMD", help="run CMD (no shell) and use its output as the "
                        "password")
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


def load_store_from_args(args: argparse.Namespace, *, must_exist: bool = True) -> Any:
    """The ConfigStore of the file chosen on the command line (for commands that edit it)."""
    from mailtui.config.paths import resolve_config_path
    from mailtui.config.store import ConfigStore

    return ConfigStore.load(resolve_config_path(getattr(args, "config", None)),
                            must_exist=must_exist)


def format_changes(changes: Any) -> list[str]:
    """``+ key = value`` / ``- key = value`` / ``~ key: old -> new``; secrets masked."""
    from mailtui.javamail.catalog import is_secret_key

    lines = []
    for change in changes:
        def shown(value: str | None, key: str = change.key) -> str:
            return "********" if value and is_secret_key(key) else f"{value}"
        if change.old is None:
            lines.append(f"  + {change.key} = {shown(change.new)}")
        elif change.new is None:
            lines.append(f"  - {change.key} = {shown(change.old)}")
        else:
            lines.append(f"  ~ {change.key}: {shown(change.old)} -> {shown(change.new)}")
    return lines


def warn_internal(addresses: dict[str, str]) -> None:
    """On stderr: which of these addresses use an internal domain (accepted; public
    providers refuse them). Unparsable addresses are left to the code that uses them."""
    from mailtui.config.addresses import INTERNAL_NOTE, parse_mailbox

    for role, text in addresses.items():
        try:
            box = parse_mailbox(text)
        except ValueError:
            continue
        if box.internal:
            print(f"mailtui: warning: {role} {box.addr_spec} is {INTERNAL_NOTE}",
                  file=sys.stderr, flush=True)


def require_usable_ca_file(plan: Any) -> None:
    """Stop before connecting when ``mailtui.ssl.cafile`` cannot be used (ConfigError, exit 3,
    naming the file): the send would only fail at the TLS stage."""
    if plan.ca_file and plan.uses_tls:
        from mailtui.errors import ConfigError
        from mailtui.javamail.tlsfiles import check_ca_file

        problem = check_ca_file(plan.ca_file)
        if problem:
            raise ConfigError(problem, hint="fix the path (a relative path starts from the "
                              "configuration file's folder) or remove the key")
