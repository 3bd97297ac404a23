"""The read-only summaries the Settings and Server properties screens show for now."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mailtui.tui.widgets.text import SECURITY_SHORT

if TYPE_CHECKING:
    from mailtui.config.model import SecretRef, Settings
    from mailtui.diagnostics import Diagnostic
    from mailtui.javamail.plan import Plan
    from mailtui.services.editor import ConfigEditor


def current(editor: ConfigEditor) -> tuple[Settings, list[Diagnostic]]:
    """The settings of the document; with errors, at least its properties."""
    from mailtui.config.model import ServerSettings, Settings

    settings, issues = editor.check()
    if settings is None:
        settings = Settings(server=ServerSettings(properties=editor.properties()),
                            path=editor.path)
    return settings, issues


def plan_of(settings: Settings) -> Plan | str:
    """The effective plan, or why there is none."""
    from mailtui.errors import ConfigError
    from mailtui.javamail.resolve import resolve_plan

    try:
        return resolve_plan(settings)
    except ConfigError as exc:
        return str(exc)


def connection_line(plan: Plan | str) -> str:
    """``smtp.office365.com:587, STARTTLS required, AUTH`` (the plan summary)."""
    if isinstance(plan, str):
        return plan
    if not plan.host:
        return "no server yet (apply a preset: ctrl+p, then type preset)"
    auth = ", AUTH as " + (plan.username or "(no username)") if plan.auth else ", no AUTH"
    return f"{plan.host}:{plan.port}, {SECURITY_SHORT[plan.security]}{auth}"


def secret_source(ref: SecretRef) -> str:
    if ref.value is not None:
        return "stored in the file (hidden)"
    if ref.env is not None:
        return f"environment variable {ref.env}"
    if ref.command is not None:
        return "command (its output is the password)"
    return "(none)"


def issue_lines(issues: list[Diagnostic]) -> list[str]:
    return [f"{i.severity}"
            + (f" (line {i.location.line})" if i.location and i.location.line else "")
            + f": {i.message}" for i in issues]


def lint_lines(settings: Settings, plan: Plan | str) -> list[str]:
    """The errors and warnings of the connection lint (as `mailtui check` prints them)."""
    if isinstance(plan, str):
        return []
    from mailtui.javamail.lint import lint

    return [f"{f.severity}: {f.message}" for f in lint(settings, plan)
            if f.severity in ("error", "warning")]
