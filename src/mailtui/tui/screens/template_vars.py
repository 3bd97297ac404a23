"""The Variables and Checks tabs of the template browser: one input per variable (with its
type and description), and the problems of the event's templates as lines."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widgets import Input, Static

if TYPE_CHECKING:
    from textual.widget import Widget

    from mailtui.events.catalog import EventSpec
    from mailtui.tui.screens.template_model import PreviewResult


def variable_widgets(event: EventSpec, samples: dict[str, str]) -> list[Widget]:
    widgets: list[Widget] = [Static(
        "Sample values (the preview follows them; lists: a; b; text: \\n for a new line).\n"
        "app_name and app_url come from [templates.context].", classes="vars-help",
        markup=False)]
    for variable in event.variables:
        optional = ", optional" if variable.optional else ""
        widgets.append(Static(f"{variable.name} ({variable.type}{optional}): "
                              f"{variable.description}", classes="var-label", markup=False))
        widgets.append(Input(samples.get(variable.name, ""), name=variable.name,
                             classes="sample", compact=True))
    return widgets


def checks_text(result: PreviewResult) -> str:
    lines: list[str] = []
    for part, error in result.errors.items():
        lines.append(f"error ({part}): {error}")
    lines += [f"error: {problem}" for problem in result.problems]
    for check in result.checks:
        where = check.part or "all parts"
        line = f", line {check.line}" if check.line else ""
        fix = f" (fix: {check.fix})" if check.fix else ""
        lines.append(f"{check.severity} ({where}{line}): {check.message}{fix}")
    if not lines:
        return "No problems: syntax, variables and subject length are fine."
    return "\n".join(lines)
