"""Save a text (the redacted transcript) to a file the user names: atomically, mode 0600,
never over an existing file without saying so. Returns the path written, or None."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

if TYPE_CHECKING:
    from textual.app import ComposeResult


class SavePathScreen(ModalScreen[Path | None]):
    CSS_PATH = "dialogs.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="savepath.cancel")]

    def __init__(self, default: str, data: bytes) -> None:
        super().__init__(classes="dialog")
        self.default = default
        self.data = data
        self.confirmed: Path | None = None  # an existing file the user chose to replace

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static("Save the transcript (redacted)", id="dialog-title", markup=False)
            yield Label("File (relative to the current folder):", markup=False)
            yield Input(self.default, id="save-path", compact=True)
            yield Static(id="save-error", markup=False)
            with Horizontal(id="dialog-buttons"):
                yield Button("Save (enter)", id="save", variant="primary", compact=True)
                yield Button("Cancel (esc)", id="cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#save-path", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.action_save()

    def on_input_changed(self, event: Input.Changed) -> None:
        self.confirmed = None
        self.query_one("#save-error", Static).update("")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            self.action_save()
        else:
            self.action_cancel()

    def action_save(self) -> None:
        from mailtui.errors import ConfigError
        from mailtui.files import atomic_write_private

        text = self.query_one("#save-path", Input).value.strip()
        error = self.query_one("#save-error", Static)
        if not text:
            error.update("error: type a file name")
            return
        path = Path(text).expanduser().absolute()
        if path.is_dir():
            error.update(f"error: {path} is a folder: add a file name")
            return
        if path.exists() and self.confirmed != path:
            self.confirmed = path
            error.update(f"{path} exists: enter again to replace it")
            return
        try:
            atomic_write_private(path, self.data)
        except ConfigError as exc:
            error.update(f"error: {exc.describe()}")
            return
        self.notify(f"Saved the transcript to {path} (mode 0600, redacted)")
        self.dismiss(path)

    def action_cancel(self) -> None:
        self.dismiss(None)
