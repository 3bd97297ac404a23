"""The configuration file as text, to fix what the app cannot read. ctrl+s writes it
(atomically, 0600) only when it is valid TOML; esc goes back without writing."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Footer, Header, Static, TextArea

from mailtui.tui.widgets.text import display_path

if TYPE_CHECKING:
    from textual.app import ComposeResult

    from mailtui.services.editor import ConfigEditor


class RawEditorScreen(Screen[bool]):
    CSS_PATH = "broken.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "back", "Back", id="raw.back")]

    @property
    def editor(self) -> ConfigEditor:
        editor: ConfigEditor = self.app.editor  # type: ignore[attr-defined]
        return editor

    def compose(self) -> ComposeResult:
        yield Header(icon="✉")
        yield Static("Raw edit: ctrl+s saves once the text is valid TOML; esc goes back.",
                     id="raw-status", markup=False)
        yield TextArea(self.editor.text(), id="raw-text", show_line_numbers=True,
                       soft_wrap=False, tab_behavior="indent")
        yield Footer()

    def on_mount(self) -> None:
        area = self.query_one(TextArea)
        broken = self.editor.broken
        location = broken.error.location if broken else None
        if location is not None and location.line:
            area.cursor_location = (location.line - 1, max((location.column or 1) - 1, 0))
        area.focus()

    def save_document(self) -> None:
        from mailtui.errors import ConfigError

        area = self.query_one(TextArea)
        try:
            path = self.editor.save_raw(area.text)
        except ConfigError as exc:
            self.query_one("#raw-status", Static).update(f"Not saved: {exc.describe()}")
            location = exc.location
            if location is not None and location.line:
                area.cursor_location = (location.line - 1, max((location.column or 1) - 1, 0))
            return
        except OSError as exc:
            self.query_one("#raw-status", Static).update(f"Not saved: {exc}")
            return
        self.app.notify(f"Saved {display_path(path)}")
        self.app.document_changed()  # type: ignore[attr-defined]
        self.dismiss(True)

    def action_back(self) -> None:
        self.dismiss(False)
