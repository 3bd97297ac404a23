"""Pick a file: a directory tree (enter opens a folder or picks a file) and a path entry for
typing or pasting a path. Returns the path, or None (escape)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DirectoryTree, Input, Static

if TYPE_CHECKING:
    from textual.app import ComposeResult


class FilePickerScreen(ModalScreen[Path | None]):
    CSS_PATH = "dialogs.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="picker.cancel"),
        Binding("backspace", "parent", "Parent folder", id="picker.parent")]

    def __init__(self, start: Path, title: str) -> None:
        super().__init__(classes="dialog")
        start = start.expanduser()
        self.start = start if start.is_dir() else Path.home()
        self.title_text = title

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(self.title_text, id="dialog-title", markup=False)
            yield DirectoryTree(self.start, id="picker-tree")
            yield Input(str(self.start) + "/", id="picker-path", compact=True,
                        placeholder="or type a path, then enter")
            yield Static("enter: open / pick   backspace: parent folder   esc: cancel",
                         id="picker-help", markup=False)

    def on_mount(self) -> None:
        self.query_one(DirectoryTree).focus()

    @on(DirectoryTree.FileSelected)
    def _file(self, event: DirectoryTree.FileSelected) -> None:
        self.dismiss(event.path)

    @on(DirectoryTree.DirectorySelected)
    def _folder(self, event: DirectoryTree.DirectorySelected) -> None:
        self.query_one("#picker-path", Input).value = f"{event.path}/"

    @on(Input.Submitted, "#picker-path")
    def _typed(self, event: Input.Submitted) -> None:
        path = Path(event.value).expanduser()
        if path.is_dir():
            self.query_one(DirectoryTree).path = path
        elif path.is_file():
            self.dismiss(path)
        else:
            self.notify(f"no such file: {path}", severity="warning")

    def action_parent(self) -> None:
        if not self.query_one(DirectoryTree).has_focus:
            return
        tree = self.query_one(DirectoryTree)
        parent = Path(tree.path).parent
        tree.path = parent
        self.query_one("#picker-path", Input).value = f"{parent}/"

    def action_cancel(self) -> None:
        self.dismiss(None)
