"""``check``: every problem of a configuration in one list — the file and its settings, the
JavaMail properties (with their TOML line), the secret sources, the template overrides and the
S/MIME certificate. Returns data; the caller prints or shows it."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from mailtui.diagnostics import Diagnostic, Severity, by_severity, located

if TYPE_CHECKING:
    from mailtui.config.model import SecretRef, Settings
    from mailtui.config.store import ConfigStore
    from mailtui.config.validate import KeyLocator
    from mailtui.errors import ConfigError
    from mailtui.javamail.overrides import Overrides
    from mailtui.javamail.plan import Plan
    from mailtui.services.config import PathArg

@dataclass(frozen=True)
class CheckReport:
    """The result of a check. ``issues`` are sorted: errors, then warnings, then notes."""

    subject: str  # what was checked: the file ("(no file)" when absent), the sandbox, ...
    issues: tuple[Diagnostic, ...]
    settings: Settings | None  # None when an error prevents them
    plan: Plan | None  # the effective connection, when there are settings
    fatal: ConfigError | None = None  # the file could not be read or parsed at all

    @property
    def errors(self) -> int:
        return sum(i.severity == "error" for i in self.issues)

    @property
    def warnings(self) -> int:
        return sum(i.severity == "warning" for i in self.issues)

    @property
    def ok(self) -> bool:
        return self.errors == 0


def run_check(config: PathArg = None, *, overrides: Overrides | None = None) -> CheckReport:
    """Check the configuration file ``config`` (default: $MAILTUI_CONFIG, then the user config
    dir), with the one-run ``overrides`` when given (the file may then be absent). A file that
    cannot be read or parsed gives a report with that one error in ``fatal`` and ``issues``."""
    from mailtui.errors import ConfigError
    from mailtui.javamail.overrides import Overrides
    from mailtui.services.config import open_store

    overrides = overrides or Overrides()
    try:
        store = open_store(config, must_exist=overrides.empty)
    except ConfigError as exc:
        from mailtui.services.config import config_path

        return CheckReport(str(config_path(config)),
                           (located(exc.location, "error", exc.message, fix=exc.hint),),
                           None, None, fatal=exc)
    return check_store(store, overrides=overrides)


def check_store(store: ConfigStore, *, overrides: Overrides | None = None) -> CheckReport:
    """Check a loaded (possibly edited, unsaved) store: the app checks what the form holds."""
    from mailtui.config.validate import KeyLocator

    settings, issues = store.check()
    subject = str(store.path) + ("" if store.exists else " (no file)")
    return _finish(settings, issues, subject, KeyLocator(store.text(), store.path), overrides)


def check_settings(settings: Settings, *, overrides: Overrides | None = None,
                   subject: str = "the settings") -> CheckReport:
    """Check settings that have no file (the sandbox's): no line numbers in the issues."""
    from mailtui.config.validate import KeyLocator

    return _finish(settings, [], subject, KeyLocator("", Path("<sandbox>")), overrides)


def _finish(settings: Settings | None, issues: list[Diagnostic], subject: str, locate: KeyLocator,
            overrides: Overrides | None) -> CheckReport:
    from mailtui.javamail.resolve import resolve_plan

    if overrides is not None and not overrides.empty:
        subject += " with the command-line overrides"
        settings = _with_overrides(settings, overrides, issues)
    plan = None
    if settings is not None:
        plan = resolve_plan(settings, lenient=True)  # lint reports what would stop a send
        from_flags = overrides.property_keys() if overrides is not None else set()
        issues.extend(property_issues(settings, plan, locate, from_flags))
        issues.extend(extra_checks(settings, plan, locate))
    return CheckReport(subject, tuple(by_severity(issues)), settings, plan)


def property_issues(settings: Settings, plan: Plan, locate: KeyLocator,
                    from_flags: Collection[str] = ()) -> list[Diagnostic]:
    """The lint findings, each placed on the TOML line of its key (``-P`` keys: on the flag)."""
    from mailtui.javamail.lint import lint

    issues: list[Diagnostic] = []
    for finding in lint(settings, plan):
        key = finding.key or ""
        if key in from_flags:
            issues.append(located(None, finding.severity, f"-P {finding.message}",
                                  fix=finding.fix, key=finding.key, code=finding.code))
            continue
        if key.startswith(("mail.", "mailtui.")):
            where = locate("server.properties", key)
        elif "." in key:
            table, _, name = key.rpartition(".")
            where = locate(table, name)
        else:
            where = locate("server")
        issues.append(finding.at(where.path, where.line, where.column))
    return issues


def _with_overrides(settings: Settings | None, overrides: Overrides,
                    issues: list[Diagnostic]) -> Settings | None:
    """The settings with the one-run overrides, their problems added to ``issues``."""
    from mailtui.errors import ConfigError
    from mailtui.javamail.overrides import apply_overrides

    if settings is None:
        return None
    try:
        return apply_overrides(settings, overrides,
                               warn=lambda text: issues.append(located(None, "warning", text)))
    except ConfigError as exc:
        issues.append(located(None, "error", exc.message, fix=exc.hint))
        return None


def extra_checks(settings: Settings, plan: Plan, locate: KeyLocator) -> list[Diagnostic]:
    """Checks owned by other packages: the secret sources (tried, never shown), template
    overrides, the S/MIME certificate."""
    from mailtui.errors import ConfigError, Location
    from mailtui.events.validate import validate_templates

    issues: list[Diagnostic] = []
    if plan.auth:
        secret_issue(settings.server.password, locate, issues)
    issues.extend(validate_templates(settings.templates.directory,
                                     context=settings.templates.context))
    if settings.smime.configured:
        from mailtui.services.smime import smime_info

        smime_password = secret_issue(settings.smime.password, locate, issues)
        if smime_password is False:
            return issues  # opening the certificate would only repeat that error
        # A password command runs once: the certificate check reuses what it printed.
        smime = replace(settings.smime, password=replace(
            settings.smime.password, value=smime_password, env=None, command=None))
        cert_path = str(settings.smime.certificate)
        try:
            warnings = smime_info(replace(settings, smime=smime)).warnings
        except ConfigError as exc:
            issues.append(located(exc.location or Location(cert_path), "error", exc.message,
                                  fix=exc.hint, key="smime.certificate"))
        else:
            issues.extend(Diagnostic(Severity.WARNING, f"S/MIME: {warning}", path=cert_path,
                                     key="smime.certificate") for warning in warnings)
    return issues


def secret_issue(ref: SecretRef, locate: KeyLocator,
                 issues: list[Diagnostic]) -> str | Literal[False] | None:
    """Try a secret source as a send would (the value is never shown): the secret, None when
    no source is set, False when the source failed (the error is added to ``issues``)."""
    from mailtui.errors import ConfigError

    table = ref.field.partition(".")[0]
    key = "password_env" if ref.env is not None else "password_command" if ref.command \
        is not None else "password"
    try:
        secret = ref.resolve()
    except ConfigError as exc:
        issues.append(located(locate(table, key), "error", exc.message, fix=exc.hint,
                              key=f"{table}.{key}"))
        return False
    if secret == "" and table == "server":
        issues.append(located(locate(table, key), "warning", f"{ref.field} ({ref.source}) is "
                              "empty", fix="the server will refuse an empty password",
                              key=f"{table}.{key}"))
    return secret
