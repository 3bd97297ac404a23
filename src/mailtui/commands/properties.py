"""``mailtui properties import|export``: JavaMail ``key=value`` text in and out."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from mailtui.commands._common import format_changes, load_store_from_args

if TYPE_CHECKING:
    from mailtui.javamail.parser import ParseResult


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "properties",
        help="import or export JavaMail properties text",
        description="Move server properties between mailtui and Java applications.",
        epilog="examples:\n  mailtui properties import app.properties\n"
        "  pbpaste | mailtui properties import -\n"
        "  mailtui properties export > mail.properties",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    imp = actions.add_parser(
        "import",
        help="merge properties text (a file or - for stdin) into the configuration",
        description="Parse Java .properties text, also as pasted from vendor docs and admin "
        "consoles; report and fix what is malformed; merge into [server.properties] and "
        "report what changed.",
    )
    imp.add_argument("file", help="a .properties file, or - to read standard input")
    imp.add_argument("--replace", action="store_true",
                     help="replace all properties instead of merging")
    imp.add_argument("--as-is", action="store_true",
                     help="store values exactly as Java would read them (no clean-up)")
    imp.add_argument("--dry-run", action="store_true",
                     help="report, change nothing; exit as the import would (3: refused)")
    imp.add_argument("--force", action="store_true",
                     help="store the properties even when some values are errors (never a "
                     "value with a line break, nor a password)")
    imp.set_defaults(handler=run_import)
    exp = actions.add_parser(
        "export",
        help="print the properties as JavaMail text a Java application accepts",
        description="Print [server.properties] as java.util.Properties text. By default the "
        "secure choices mailtui makes are written out too (finite timeouts, server identity "
        "check) so that the Java application behaves the same; --as-is prints only what is "
        "stored. Secrets and mailtui-only keys are never exported.",
    )
    exp.add_argument("--as-is", action="store_true", help="only the stored properties")
    exp.set_defaults(handler=run_export)


def run_import(args: argparse.Namespace) -> int:
    from mailtui.errors import ConfigError
    from mailtui.javamail.parser import parse_properties

    if args.file == "-":
        if sys.stdin.isatty():
            print("paste the properties, then Ctrl-D:", file=sys.stderr)
        text, source = sys.stdin.read(), "<stdin>"
    else:
        try:
            with open(args.file, encoding="utf-8", errors="replace") as handle:
                text, source = handle.read(), args.file
        except OSError as exc:
            raise ConfigError(f"{args.file}: {exc.strerror}") from None
    result = parse_properties(text, source=source)
    for diag in result.diagnostics:
        status = " (fixed)" if diag.applied and not args.as_is else ""
        print(f"{source}:{diag.line}: {diag.severity}{status}: {diag.message}")
        if diag.fix and not (diag.applied and not args.as_is):
            print(f"    fix: {diag.fix}")
    if not result.entries:
        raise ConfigError(f"{source}: no properties found", hint="expect key=value lines")
    # --dry-run answers exactly as the import would: the same refusals, the same exit code.
    outcome = "the import would save nothing" if args.dry_run else "nothing was saved"
    refused = [d for d in result.diagnostics if d.refused]
    if refused:
        lines = ", ".join(str(d.line) for d in refused)
        raise ConfigError(f"{source}: line(s) {lines} can never be imported (see above); "
                          f"{outcome}", hint="fix those lines and import again (--force does "
                          "not store a line break or a password)")
    unfixed = [d for d in result.diagnostics
               if d.severity == "error" and not (d.applied and not args.as_is)]
    as_is_errors = _as_is_errors(result, source) if args.as_is else []
    print("\n".join(as_is_errors), end="\n" if as_is_errors else "")
    if (unfixed or as_is_errors) and not args.force:
        raise ConfigError(f"{source}: {len(unfixed) + len(as_is_errors)} error(s) above; "
                          f"{outcome}",
                          hint="fix those lines and import again, or add --force to store "
                          "them as they are (then `mailtui check`)")
    incoming: dict[str, str] = {}
    for entry in result.entries:
        incoming[entry.key] = entry.raw if args.as_is else entry.value
    store = load_store_from_args(args, must_exist=False)
    store.add_server_skeleton()
    merged = dict(incoming) if args.replace else {**store.properties(), **incoming}
    changes = store.set_properties(merged)
    print(f"{len(result.entries)} properties read from {source}")
    print("\n".join(format_changes(changes)) if changes else "  (no change)")
    if args.dry_run:
        print(f"dry run: {store.path} not changed")
        return 0
    if changes:
        store.save()
        print(f"saved {store.path}; run `mailtui check` and `mailtui plan` to see the result")
    return 0


def _as_is_errors(result: ParseResult, source: str) -> list[str]:
    """--as-is stores what Java reads: a value that only its repair made valid is an error."""
    from mailtui.javamail.catalog import lookup, validate_value

    found = []
    for entry in result.entries:
        spec = lookup(entry.key)
        problem = validate_value(spec, entry.raw) if spec and entry.raw != entry.value else None
        if problem:
            found.append(f"{source}:{entry.line}: error: {entry.key}: {problem} (as Java reads it; "
                         "without --as-is the repair above makes it valid)")
    return found


def run_export(args: argparse.Namespace) -> int:
    from mailtui import __version__
    from mailtui.commands._common import load_settings_from_args
    from mailtui.javamail.catalog import is_secret_key
    from mailtui.javamail.export import format_properties
    from mailtui.javamail.resolve import TIMEOUT_KEYS, View, resolve_plan

    settings = load_settings_from_args(args)
    props = settings.server.properties
    items = [(k, v) for k, v in props.items()
             if not is_secret_key(k) and not k.startswith("mailtui.")]
    skipped = [k for k in props if is_secret_key(k) or k.startswith("mailtui.")]
    header = f"JavaMail properties exported by mailtui {__version__}"
    if skipped:
        header += "\nnot exported (secret or mailtui-only): " + ", ".join(skipped)
    if not args.as_is:
        plan = resolve_plan(settings)
        view = View(props, plan.protocol)
        added = []
        for field, name, _default in TIMEOUT_KEYS:
            if not view.has(name):
                seconds = getattr(plan.timeouts, field)
                added.append((view.key(name), str(int(seconds * 1000))))
        if plan.uses_tls and not view.has("ssl.checkserveridentity"):
            added.append((view.key("ssl.checkserveridentity"), "true"))
        if added:
            header += "\nadded so Java behaves as mailtui: " + ", ".join(k for k, _ in added)
            items.extend(added)
    sys.stdout.write(format_properties(items, header=header))
    return 0
