"""What every main screen has: the header (file and modified marker), the tab bar, a body
that reads the document, and the footer with the keys."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, cast

from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from mailtui.tui.widgets.nav import NavBar

if TYPE_CHECKING:
    from textual.app import ComposeResult

    from mailtui.config.editor import ConfigEditor
    from mailtui.tui.app import MailtuiApp


class MainScreen(Screen[None]):
    MODE: ClassVar[str] = ""

    @property
    def mailtui(self) -> MailtuiApp:
        from mailtui.tui.app import MailtuiApp

        return cast(MailtuiApp, self.app) if isinstance(self.app, MailtuiApp) else self.app

    @property
    def editor(self) -> ConfigEditor:
        return self.mailtui.editor

    def compose(self) -> ComposeResult:
        yield Header(icon="✉")
        yield NavBar(self.mailtui, self.MODE)
        with VerticalScroll(id="body", can_focus=True):
            yield Static(id="content", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        body = self.query("#body")  # the form screens compose their own body
        if body:
            body.first().focus()

    def on_screen_resume(self) -> None:  # also when first shown
        self.refresh_document()

    def refresh_document(self) -> None:
        self.query_one("#content", Static).update(self.body_text())

    def body_text(self) -> str:
        return ""
