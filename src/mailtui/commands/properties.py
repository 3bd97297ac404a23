"""``mailtui properties import|export``: JavaMail ``key=value`` text in and out."""

from __future__ import annotations

import argparse
import sys

from mailtui.commands._common import format_changes, load_settings_from_args


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
    from mailtui.services.properties import prepare_import, read_properties_file

    if args.file == "-":
        if sys.stdin.isatty():
            print("paste the properties, then Ctrl-D:", file=sys.stderr)
        text, source = sys.stdin.read(), "<stdin>"
    else:
        text, source = read_properties_file(args.file), args.file
    # --dry-run answers exactly as the import would: the same refusals, the same exit code.
    preview = prepare_import(text, source=source, config=getattr(args, "config", None),
                             replace=args.replace, as_is=args.as_is, force=args.force,
                             dry_run=args.dry_run)
    for diag in preview.diagnostics:
        repaired = preview.repaired(diag)
        print(f"{source}:{diag.line}: {diag.severity}{' (fixed)' if repaired else ''}: "
              f"{diag.message}")
        if diag.fix and not repaired:
            print(f"    fix: {diag.fix}")
    for problem in preview.as_is_errors:
        print(f"{source}:{problem.line}: error: {problem.key}: {problem.problem} (as Java reads "
              "it; without --as-is the repair above makes it valid)")
    if preview.refusal is not None:
        raise preview.refusal
    print(f"{len(preview.parsed.entries)} properties read from {source}")
    print("\n".join(format_changes(preview.changes)) if preview.changes else "  (no change)")
    if args.dry_run:
        print(f"dry run: {preview.path} not changed")
        return 0
    if preview.save():
        print(f"saved {preview.path}; run `mailtui check` and "
              "`mailtui plan` to see the result")
    return 0


def run_export(args: argparse.Namespace) -> int:
    from mailtui.services.properties import export_properties

    exported = export_properties(load_settings_from_args(args), as_is=args.as_is)
    sys.stdout.write(exported.text)
    return 0
