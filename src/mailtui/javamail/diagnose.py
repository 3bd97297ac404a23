"""Diagnose properties **text** in one call: what the parser and the lint find, each problem
once and on its line, and the connection the text makes. Meant for an editor that calls it on
every keystroke (see ``bench/bench_diagnose.py``); it never raises for the text itself (only
``PropertiesError`` for input that is not text at all, as ``parse_properties``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from mailtui.config.model import Settings
from mailtui.diagnostics import Diagnostic, Severity
from mailtui.javamail.parser import ParseResult, parse_properties
from mailtui.javamail.plan import Plan

_PLAN_CODES = frozenset({"password-in-properties", "unknown-key", "bad-value"})


@dataclass(frozen=True)
class PropertiesReport:
    """``diagnostics`` in line order (problems of the whole document, without a line, last);
    ``plan`` the effective connection, its ``errors``/``warnings``/``info`` filled as ``plan``
    shows them; ``properties`` what would be stored: the repaired values, the last occurrence
    of a key winning, values that can never be stored left out."""

    diagnostics: tuple[Diagnostic, ...]
    plan: Plan
    properties: dict[str, str]
    parsed: ParseResult

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == Severity.ERROR]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == Severity.WARNING]

    def at_line(self, line: int) -> list[Diagnostic]:
        """The problems an editor shows on ``line``."""
        return [d for d in self.diagnostics if d.line == line]


def diagnose_properties(text: str, settings: Settings | None = None, *,
                        source: str = "<input>") -> PropertiesReport:
    """Parse ``text`` (JavaMail properties, as pasted or typed), lint what it means together
    with ``settings`` (the rest of the account: username, password source, sender; its own
    properties are replaced by the text), and resolve the plan.

    The parser reports each line's problems (repairs, unknown keys with a did-you-mean, wrong
    types, misplaced passwords); the lint only adds how the properties combine (TLS, ports,
    AUTH, timeouts, ...), placed on the line of the property it names (``line`` None when the
    property is not in the text, e.g. a missing host, or for a settings field)."""
    from mailtui.javamail.lint import lint

    parsed = parse_properties(text, source=source)
    props = {entry.key: entry.value for entry in parsed.entries if not entry.refused}
    base = settings if settings is not None else Settings()
    effective = replace(base, server=replace(base.server, properties=props))
    plan = _plan(effective)
    lines = {entry.key: entry.line for entry in parsed.entries}  # the occurrence in effect
    found = [d.at(source, lines[d.key]) if d.key in lines else d
             for d in lint(effective, plan, per_key=False)]
    diagnostics = sorted([*parsed.diagnostics, *found], key=_editor_order)
    summary = [d for d in diagnostics if d.code in _PLAN_CODES] + found
    plan = replace(
        plan, errors=tuple(d.message for d in summary if d.severity == Severity.ERROR),
        warnings=tuple(d.message for d in summary if d.severity == Severity.WARNING
                       or d.code == "timeout-default"),
        info=tuple(d.message for d in summary if d.severity == Severity.INFO))
    return PropertiesReport(tuple(diagnostics), plan, props, parsed)


def _plan(settings: Settings) -> Plan:
    """A value that stops a send before it connects (a pin that does not parse: a send is
    never silently unpinned; an EHLO name an SMTP command cannot carry) still leaves the
    editor a plan: resolved leniently, without it; the parser reports the value."""
    from mailtui.javamail.resolve import resolve_plan

    return resolve_plan(settings, lenient=True)


def _editor_order(d: Diagnostic) -> tuple[bool, int, int, int]:
    return d.line is None, d.line or 0, d.column or 0, d.severity.rank
