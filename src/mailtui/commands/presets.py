"""``mailtui presets`` and ``mailtui preset NAME``: list and apply provider presets."""

from __future__ import annotations

import argparse
import sys

from mailtui.commands._common import format_changes, load_store_from_args, print_json


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
    from mailtui.javamail.presets import all_presets

    presets, problems = all_presets()
    for problem in problems:
        print(f"mailtui: warning: {problem.describe()}", file=sys.stderr)
    if args.json:
        print_json([
            {"id": p.id, "name": p.name, "doc": p.doc, "notes": list(p.notes),
             "source": p.source, "properties": p.properties, "server": p.server,
             "parameters": {n: {"default": x.default, "description": x.description}
                            for n, x in p.parameters.items()}}
            for p in presets.values()
        ])
        return 0
    width = max(len(p) for p in presets)
    for preset in presets.values():
        mark = "" if preset.source.startswith("built-in") else f"  [{preset.source}]"
        print(f"{preset.id:<{width}}  {preset.name}{mark}")
    return 0


def run_apply(args: argparse.Namespace) -> int:
    from mailtui.errors import ConfigError
    from mailtui.javamail.presets import apply_preset, get_preset

    params: dict[str, str] = {}
    for item in args.param:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise ConfigError(f"--param {item!r}: expected NAME=VALUE")
        params[name.strip()] = value.strip()
    preset = get_preset(args.name)
    rendered = preset.render(params)
    store = load_store_from_args(args, must_exist=False)
    skeleton = store.add_server_skeleton(filled=preset.server)
    new = apply_preset(store.properties(), rendered)
    changes = store.set_properties(new) + store.fill_empty("server", preset.server)
    print(f"preset {preset.id}: {preset.name}")
    if changes:
        print("\n".join(format_changes(changes)))
    else:
        print("  (no change: the connection properties already match)")
    for note in preset.notes:
        print(f"  note: {note}")
    if preset.doc:
        print(f"  docs: {preset.doc}")
    if args.dry_run:
        print(f"dry run: {store.path} not changed")
        return 0
    if changes:
        store.save()
        print(f"saved {store.path}")
        if skeleton:
            print(f"next: fill in the commented keys of [server] in {store.path}, then "
                  "`mailtui check`")
    return 0
