"""``mailtui check``: validate the file, lint the properties, check templates and S/MIME."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from mailtui.commands._common import (
    add_override_arguments,
    load_store_from_args,
    overrides_from_args,
)

if TYPE_CHECKING:
    from mailtui.config.model import SecretRef, Settings
    from mailtui.config.validate import Issue, KeyLocator
    from mailtui.javamail.overrides import Overrides
    from mailtui.javamail.plan import Plan


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
    add_override_arguments(p)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from mailtui.commands.plan import SECURITY_TEXT
    from mailtui.config.validate import Issue, KeyLocator
    from mailtui.javamail.lint import lint
    from mailtui.javamail.resolve import resolve_plan

    overrides = overrides_from_args(args)
    sandbox = getattr(args, "sandbox_settings", None)  # `mailtui --sandbox check`
    if sandbox is not None:
        settings, issues, subject = sandbox, [], "the sandbox started for this run"
        locate = KeyLocator("", Path("<sandbox>"))
    else:
        store = load_store_from_args(args, must_exist=overrides.empty)
        settings, issues = store.check()
        subject = str(store.path) + ("" if store.exists else " (no file)")
        locate = KeyLocator(store.text(), store.path)
    if not overrides.empty:
        subject += " with the command-line overrides"
        settings = _with_overrides(settings, overrides, issues)
    if settings is not None:
        plan = resolve_plan(settings, with_lint=False)
        from_flags = overrides.property_keys()
        for finding in lint(settings, plan):
            key = finding.key or ""
            if key in from_flags:
                issues.append(Issue(finding.severity, None, f"-P {finding}", finding.fix))
                continue
            if key.startswith(("mail.", "mailtui.")):
                where = locate("server.properties", key)
            elif "." in key:
                table, _, name = key.rpartition(".")
                where = locate(table, name)
            else:
                where = locate("server")
            issues.append(Issue(finding.severity, where, str(finding), finding.fix))
        issues.extend(extra_checks(settings, plan, locate))
    order = {"error": 0, "warning": 1, "info": 2}
    issues.sort(key=lambda i: order[i.severity])
    shown = [i for i in issues if not args.quiet or i.severity == "error"]
    for issue in shown:
        print(issue)
    errors = sum(i.severity == "error" for i in issues)
    warnings = sum(i.severity == "warning" for i in issues)
    summary = f"{subject}: {errors} error(s), {warnings} warning(s)"
    if settings is not None and not errors:
        summary += (f"; will connect to {plan.host}:{plan.port}, "
                    f"{SECURITY_TEXT[plan.security].split(' (')[0]}")
    print(summary, file=sys.stderr if args.quiet else sys.stdout)
    return 3 if errors else 0


def _with_overrides(settings: Settings | None, overrides: Overrides,
                    issues: list[Issue]) -> Settings | None:
    """The settings with the one-run overrides, their problems added to ``issues``."""
    from mailtui.config.validate import Issue
    from mailtui.errors import ConfigError
    from mailtui.javamail.overrides import apply_overrides

    if settings is None:
        return None
    try:
        return apply_overrides(settings, overrides,
                               warn=lambda text: issues.append(Issue("warning", None, text)))
    except ConfigError as exc:
        issues.append(Issue("error", None, exc.message, exc.hint))
        return None


def extra_checks(settings: Settings, plan: Plan, locate: KeyLocator) -> list[Issue]:
    """Checks owned by other packages: the secret sources (tried, never shown), template
    overrides, the S/MIME certificate."""
    from dataclasses import replace

    from mailtui.config.validate import Issue
    from mailtui.errors import ConfigError, Location
    from mailtui.events.validate import validate_templates

    issues: list[Issue] = []
    if plan.auth:
        secret_issue(settings.server.password, locate, issues)
    for problem in validate_templates(settings.templates.directory,
                                      context=settings.templates.context):
        where = Location(problem.path, problem.line) if problem.path else None
        issues.append(Issue(problem.severity, where, problem.message))
    if settings.smime.configured:
        from mailtui.commands.smime import info_report

        smime_password = secret_issue(settings.smime.password, locate, issues)
        if smime_password is False:
            return issues  # opening the certificate would only repeat that error
        # A password command runs once: the certificate check reuses what it printed.
        smime = replace(settings.smime, password=replace(
            settings.smime.password, value=smime_password, env=None, command=None))
        cert_path = str(settings.smime.certificate)
        try:
            warnings = info_report(replace(settings, smime=smime))["warnings"]
        except ConfigError as exc:
            issues.append(Issue("error", exc.location or Location(cert_path), exc.message,
                                exc.hint))
        else:
            issues.extend(Issue("warning", Location(cert_path), f"S/MIME: {warning}")
                          for warning in warnings)
    return issues

def secret_issue(ref: SecretRef, locate: KeyLocator,
                 issues: list[Issue]) -> str | Literal[False] | None:
    """Try a secret source as a send would (the value is never shown): the secret, None when
    no source is set, False when the source failed (the error is added to ``issues``)."""
    from mailtui.config.validate import Issue
    from mailtui.errors import ConfigError

    table = ref.field.partition(".")[0]
    key = "password_env" if ref.env is not None else "password_command" if ref.command \
        is not None else "password"
    try:
        secret = ref.resolve()
    except ConfigError as exc:
        issues.append(Issue("error", locate(table, key), exc.message, exc.hint))
        return False
    if secret == "" and table == "server":
        issues.append(Issue("warning", locate(table, key), f"{ref.field} ({ref.source}) is "
                            "empty", "the server will refuse an empty password"))
    return secret
