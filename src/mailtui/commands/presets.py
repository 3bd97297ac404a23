"""``mailtui presets`` and ``mailtui preset NAME``: list and apply provider presets."""

from __future__ import annotations

import argparse
import sys

from mailtui.commands._common import format_changes, print_json


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "presets",
        help="list the provider presets (built-in and your own)",
        description="List the provider presets: the built-in ones and those in the presets/ "
        "folder of the user config dir.",
        epilog="examples:\n  mailtui presets\n  mailtui presets --json",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--json", action="store_true", help="print the presets as JSON")
    p.set_defaults(handler=run_list)

    p = sub.add_parser(
        "preset",
        help="apply a preset to the configuration file (prints the diff)",
        description="Replace the connection properties (host, port, TLS, auth, ...) with the "
        "preset's and keep every other property. Creates the file if needed, with a commented "
        "[server] table to fill in; the sandbox preset also fills in the username, sender and "
        "test recipient where they are empty.",
        epilog="examples:\n  mailtui preset office365 --dry-run\n  mailtui preset gmail\n"
        "  mailtui preset amazon-ses --param region=eu-west-1",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("name", help="preset id, see `mailtui presets`")
    p.add_argument("--dry-run", action="store_true", help="show the diff, change nothing")
    p.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                   help="a preset parameter, e.g. region=eu-west-1 (repeatable)")
    p.set_defaults(handler=run_apply)


def run_list(args: argparse.Namespace) -> int:
    from mailtui.services.presets import list_presets, preset_to_json

    catalog = list_presets()
    for problem in catalog.problems:
        print(f"mailtui: warning: {problem.describe()}", file=sys.stderr)
    if args.json:
        print_json([preset_to_json(p) for p in catalog.presets])
        return 0
    width = max(len(p.id) for p in catalog.presets)
    for preset in catalog.presets:
        mark = "" if preset.source.startswith("built-in") else f"  [{preset.source}]"
        print(f"{preset.id:<{width}}  {preset.name}{mark}")
    return 0


def run_apply(args: argparse.Namespace) -> int:
    from mailtui.errors import ConfigError
    from mailtui.services.presets import prepare_preset

    params: dict[str, str] = {}
    for item in args.param:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise ConfigError(f"--param {item!r}: expected NAME=VALUE")
        params[name.strip()] = value.strip()
    applied = prepare_preset(args.name, params, config=getattr(args, "config", None))
    preset, store = applied.preset, applied.store
    print(f"preset {preset.id}: {preset.name}")
    if applied.changes:
        print("\n".join(format_changes(applied.changes)))
    else:
        print("  (no change: the connection properties already match)")
    for note in preset.notes:
        print(f"  note: {note}")
    if preset.doc:
        print(f"  docs: {preset.doc}")
    if args.dry_run:
        print(f"dry run: {store.path} not changed")
        return 0
    if applied.save():
        print(f"saved {store.path}")
        if applied.skeleton:
            print(f"next: fill in the commented keys of [server] in {store.path}, then "
                  "`mailtui check`")
    return 0
