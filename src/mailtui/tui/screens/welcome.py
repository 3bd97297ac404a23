"""First run (no configuration file yet): what mailtui does, and where to start."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.screen import Screen
from textual.widgets import Footer, Header, OptionList, Static
from textual.widgets.option_list import Option

if TYPE_CHECKING:
    from textual.app import ComposeResult

FIRST = ("office365", "gmail-starttls", "gmail")
LAST = ("local-relay", "sandbox")


class WelcomeScreen(Screen[None]):
    CSS_PATH = "welcome.tcss"
    def compose(self) -> ComposeResult:
        from mailtui.javamail.presets import all_presets
        from mailtui.tui.app import MailtuiApp
        from mailtui.tui.commands import preset_title
        from mailtui.tui.widgets.text import display_path

        app = self.app
        path = display_path(app.editor.path) if isinstance(app, MailtuiApp) else ""
        yield Header(icon="✉")
        yield Static(
            "mailtui sets up the outgoing email account of an application: the SMTP\n"
            "server (JavaMail properties), the login and the sender, checked as you go.\n"
            f"Nothing is written until you save (ctrl+s) to {path}.",
            id="welcome-text", markup=False)
        presets, _ = all_presets()
        order = [p for p in FIRST if p in presets]
        order += sorted((p for p in presets if p not in FIRST and p not in LAST),
                        key=lambda p: presets[p].name.lower())
        order += [p for p in LAST if p in presets]
        options = [Option(f"{preset_title(presets[p].name)}  ({p})", id=p) for p in order]
        options.append(Option("Start empty", id="-empty"))
        yield Static("Start from a provider preset:", id="welcome-prompt")
        yield OptionList(*options, id="welcome-choices")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        from mailtui.tui.app import MailtuiApp

        choice = event.option.id or ""
        if choice == "-empty":
            self.dismiss(None)
            return
        app = self.app
        assert isinstance(app, MailtuiApp)
        def done() -> None:
            self.dismiss(None)

        app.apply_preset(choice, done=done)
