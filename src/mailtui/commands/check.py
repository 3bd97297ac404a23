"""``mailtui check``: validate the file, lint the properties, check templates and S/MIME."""

from __future__ import annotations

import argparse
import sys

from mailtui.commands._common import load_store_from_args


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "check",
        help="validate the configuration file and lint the properties",
        description="Load and validate the configuration file, lint the JavaMail properties "
        "and check the template overrides. Exit 0 when there is no error, 3 otherwise; "
        "warnings are printed either way.",
        epilog="examples:\n  mailtui check\n  mailtui --config /etc/app/mailtui.toml check",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("-q", "--quiet", action="store_true", help="print errors only")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from mailtui.commands.plan import SECURITY_TEXT
    from mailtui.config.validate import Issue, KeyLocator
    from mailtui.javamail.lint import lint
    from mailtui.javamail.resolve import resolve_plan

    store = load_store_from_args(args)
    settings, issues = store.check()
    if settings is not None:
        plan = resolve_plan(settings, with_lint=False)
        locate = KeyLocator(store.text(), store.path)
        for finding in lint(settings, plan):
            key = finding.key or ""
            if key.startswith(("mail.", "mailtui.")):
                where = locate("server.properties", key)
            elif "." in key:
                table, _, name = key.rpartition(".")
                where = locate(table, name)
            else:
                where = locate("server")
            issues.append(Issue(finding.severity, where, str(finding), finding.fix))
        issues.extend(extra_checks(settings))
    order = {"error": 0, "warning": 1, "info": 2}
    issues.sort(key=lambda i: order[i.severity])
    shown = [i for i in issues if not args.quiet or i.severity == "error"]
    for issue in shown:
        print(issue)
    errors = sum(i.severity == "error" for i in issues)
    warnings = sum(i.severity == "warning" for i in issues)
    summary = f"{store.path}: {errors} error(s), {warnings} warning(s)"
    if settings is not None and not errors:
        plan = resolve_plan(settings, with_lint=False)
        summary += (f"; will connect to {plan.host}:{plan.port}, "
                    f"{SECURITY_TEXT[plan.security].split(' (')[0]}")
    print(summary, file=sys.stderr if args.quiet else sys.stdout)
    return 3 if errors else 0


def extra_checks(settings: object) -> list:
    """Checks owned by other packages (templates, S/MIME), each optional until it exists."""
    return []
