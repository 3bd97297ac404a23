"""Helpers shared by command modules: loading the settings named on the command line."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from mailtui.config.model import Settings


def load_settings_from_args(args: argparse.Namespace, *, must_exist: bool = True) -> Settings:
    """Load the configuration file chosen by --config / $MAILTUI_CONFIG / the user dir."""
    from mailtui.config.paths import resolve_config_path
    from mailtui.config.store import load_settings

    path = resolve_config_path(getattr(args, "config", None))
    return load_settings(path, must_exist=must_exist)


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
        from mailtui.smtp.tls import check_ca_file

        problem = check_ca_file(plan.ca_file)
        if problem:
            raise ConfigError(problem, hint="fix the path (a relative path starts from the "
                              "configuration file's folder) or remove the key")
