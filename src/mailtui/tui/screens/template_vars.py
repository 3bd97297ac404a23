"""Parts of the template browser: the Variables tab (one input per variable, with its type
and description), the Checks tab (problems as lines), its palette commands and dialogs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widgets import Input, Static

if TYPE_CHECKING:
    from collections.abc import Iterator

    from textual.app import SystemCommand
    from textual.widget import Widget

    from mailtui.events.catalog import EventSpec
    from mailtui.tui.screens.dialogs import ChoiceScreen
    from mailtui.tui.screens.template_model import PreviewResult
    from mailtui.tui.screens.templates import TemplatesScreen


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


def template_commands(screen: TemplatesScreen) -> Iterator[SystemCommand]:
    from textual.app import SystemCommand as Command

    yield Command("templates: Switch locale (en/fr)",
                  "preview and edit the other language", screen.action_locale)
    yield Command("templates: Save overrides",
                  "write the edited parts to [templates].directory (ctrl+s)",
                  screen.save_document)
    yield Command("templates: Revert to shipped",
                  f"delete {screen.event_id}'s override, after confirming", screen.action_revert)
    yield Command("templates: Open the HTML part in a browser",
                  "a private temporary file; opened when $BROWSER is set", screen.action_browser)
    yield Command("templates: Send this as a test",
                  f"{screen.event_id} ({screen.locale}) with these sample values",
                  screen.action_send_test)


def directory_dialog(folder: str) -> ChoiceScreen:
    from mailtui.tui.screens.dialogs import ChoiceScreen

    return ChoiceScreen(
        "Where should the overrides go?",
        "Edited templates are saved as overrides in [templates].directory, which is not "
        f'set. Set it to "templates" ({folder}) and save the file too?',
        [("y", "Set it and save", "set"), ("escape", "Cancel", "cancel")])


def revert_dialog(event_id: str, locale: str, parts: list[str]) -> ChoiceScreen:
    from mailtui.tui.screens.dialogs import ChoiceScreen

    what = ", ".join(parts) or "none saved"
    return ChoiceScreen(
        "Revert to the shipped templates?",
        f"{event_id} ({locale}): the override ({what}) is deleted and unsaved edits of this "
        "event are dropped.", [("y", "Revert", "revert"), ("escape", "Cancel", "cancel")])


def known_locale(wanted: str) -> str:
    from mailtui.errors import ConfigError
    from mailtui.events.render import normalize_locale

    try:
        return normalize_locale(wanted)
    except ConfigError:  # reported by `mailtui check` and the Settings screen
        return "en"


def open_uri(uri: str) -> None:
    import webbrowser

    webbrowser.open(uri)
