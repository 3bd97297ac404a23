"""``mailtui check``: validate the file, lint the properties, check templates and S/MIME."""

from __future__ import annotations

import argparse
import sys

from mailtui.commands._common import add_override_arguments, overrides_from_args


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
    p.add_argument("-q", "--quiet", action="store_true",
                   help="print only the errors (the summary line goes to stderr)")
    add_override_arguments(p)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from mailtui.services.check import check_settings, run_check
    from mailtui.services.plan import security_label

    overrides = overrides_from_args(args)
    sandbox = getattr(args, "sandbox_settings", None)  # `mailtui --sandbox check`
    if sandbox is not None:
        report = check_settings(sandbox, overrides=overrides,
                                subject="the sandbox started for this run")
    else:
        report = run_check(getattr(args, "config", None), overrides=overrides)
    if report.fatal is not None:
        raise report.fatal  # unreadable: the error alone, as every command reports it
    for issue in report.issues:
        if not args.quiet or issue.severity == "error":
            print(issue)
    summary = f"{report.subject}: {report.errors} error(s), {report.warnings} warning(s)"
    if report.plan is not None and report.ok:
        plan = report.plan
        summary += (f"; will connect to {plan.host}:{plan.port}, "
                    f"{security_label(plan.security, short=True)}")
    print(summary, file=sys.stderr if args.quiet else sys.stdout)
    return 3 if report.errors else 0
