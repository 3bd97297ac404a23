"""Export the properties as JavaMail text: copy it (OSC 52: the terminal puts it on the
clipboard, also over SSH) or save it to a file (atomically, mode 0600)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

if TYPE_CHECKING:
    from textual.app import ComposeResult


class ExportScreen(ModalScreen[None]):
    CSS_PATH = "dialogs.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Close", id="export.close"),
        Binding("ctrl+y", "copy", "Copy", id="export.copy", priority=True)]

    def __init__(self, text: str, folder: Path) -> None:
        super().__init__(classes="dialog")
        self.text = text
        self.folder = folder

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static("Export to JavaMail properties", id="dialog-title", markup=False)
            with VerticalScroll(id="preset-detail"):
                yield Static(self.text, id="export-text", markup=False)
            yield Input(str(self.folder / "mail.properties"), id="export-path", compact=True)
            with Horizontal(id="dialog-buttons"):
                yield Button("Save to file (enter)", id="export-save", compact=True)
                yield Button("Copy (ctrl+y)", id="export-copy", compact=True)
                yield Button("Close (esc)", id="export-close", compact=True)

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        {"export-save": self.action_save, "export-copy": self.action_copy,
         "export-close": self.action_cancel}[event.button.id or "export-close"]()

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_save()

    def action_copy(self) -> None:
        self.app.copy_to_clipboard(self.text)
        self.app.notify(f"Copied {len(self.text.splitlines())} lines (OSC 52: the terminal "
                        "must allow clipboard access)")
        self.dismiss(None)

    def action_save(self) -> None:
        from mailtui.files import atomic_write_private
        from mailtui.tui.widgets.text import display_path

        path = Path(self.query_one(Input).value.strip()).expanduser()
        if not path.name or path.is_dir():
            self.app.notify(f"{path}: give a file name", severity="error")
            return
        try:
            atomic_write_private(path, self.text.encode("utf-8"))
        except OSError as exc:
            self.app.notify(f"Not written: {path}: {exc.strerror or exc}", severity="error")
            return
        self.app.notify(f"Wrote {display_path(path)} (mode 0600)")
        self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)
