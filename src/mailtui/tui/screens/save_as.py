"""Save a document that has no file yet (``mailtui --sandbox``): where? The path starts as
the usual configuration file; the dialog says as you type whether a file is already there
(replacing it is asked again, and the old one kept as .bak). Returns the path, or None."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from mailtui.tui.widgets.text import display_path

if TYPE_CHECKING:
    from textual.app import ComposeResult

    from mailtui.sandbox.embedded import SandboxInfo


class SaveAsScreen(ModalScreen[Path | None]):
    CSS_PATH = "dialogs.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="save_as.cancel")]

    def __init__(self, path: Path, session: SandboxInfo | None = None) -> None:
        super().__init__(classes="dialog")
        self.path = path
        self.session = session  # set when the document still sends to this session's sandbox

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static("Save to which file?", id="dialog-title", markup=False)
            body = ("Nothing has been written yet. The file is written atomically, mode 0600 "
                    "(its folder created, 0700).")
            if self.session is not None:
                body += (f"\n\nIt will send to this session's sandbox ({self.session.host}:"
                         f"{self.session.port}), which stops when mailtui quits. For a file "
                         "that works later, cancel and apply a preset first (ctrl+p, preset): "
                         "your provider's, or \"mailtui sandbox\" for `mailtui sandbox` "
                         "(port 2525).")
            yield Static(body, id="dialog-body", markup=False)
            yield Input(display_path(self.path), id="save-path", compact=True)
            yield Static(id="save-status", markup=False)
            with Horizontal(id="dialog-buttons"):
                yield Button("Save (enter)", id="save", variant="primary", compact=True)
                yield Button("Cancel (esc)", id="cancel", compact=True)

    def on_mount(self) -> None:
        self.show_status()
        self.query_one(Input).focus()

    def chosen(self) -> Path | None:
        text = self.query_one(Input).value.strip()
        return Path(text).expanduser() if text else None

    def show_status(self) -> None:
        path = self.chosen()
        if path is None:
            status = "give a file name"
        elif path.is_dir():
            status = "that is a folder: add a file name, e.g. /mailtui.toml"
        elif path.exists() or path.is_symlink():
            status = "⚠ a file is already there: you will be asked before it is replaced"
        elif not path.parent.exists():
            status = f"new file; the folder {display_path(path.parent)} will be created"
        else:
            status = "new file"
        self.query_one("#save-status", Static).update(status)

    def on_input_changed(self, event: Input.Changed) -> None:
        self.show_status()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.action_save()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            self.action_save()
        else:
            self.action_cancel()

    def action_save(self) -> None:
        path = self.chosen()
        if path is not None and not path.is_dir():
            self.dismiss(path)
        else:
            self.show_status()
            self.app.bell()

    def action_cancel(self) -> None:
        self.dismiss(None)
