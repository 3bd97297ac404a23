"""F1 / ?: every key of the app and of the screen, with the binding id [keymap] uses."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

if TYPE_CHECKING:
    from textual.app import ComposeResult


class KeysScreen(ModalScreen[None]):
    CSS_PATH = "dialogs.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f1,question_mark,q", "dismiss", "Close", id="keys.close")]

    def __init__(self) -> None:
        super().__init__(classes="dialog")

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static("Keys (remap them in [keymap] of the config file by id)",
                         id="dialog-title", markup=False)
            yield DataTable(id="keys", cursor_type="row", zebra_stripes=True)
            yield Static("esc closes", id="dialog-body")

    def on_mount(self) -> None:
        from textual.keys import format_key

        from mailtui.tui.app import MailtuiApp

        table = self.query_one(DataTable)
        table.add_columns("key", "does", "id")
        app = self.app
        for binding in type(app).BINDINGS if isinstance(app, MailtuiApp) else ():
            if isinstance(binding, Binding) and binding.id and isinstance(app, MailtuiApp):
                keys = app.keymap.get(binding.id, binding.key)
                shown = ", ".join(format_key(k.strip()) for k in keys.split(","))
                table.add_row(shown, binding.description, binding.id)
        below = app.screen_stack[-2] if len(app.screen_stack) > 1 else None
        for binding in getattr(below, "BINDINGS", []):
            if isinstance(binding, Binding) and binding.id:
                keys = app.keymap.get(binding.id, binding.key) if isinstance(
                    app, MailtuiApp) else binding.key
                table.add_row(", ".join(format_key(k.strip()) for k in keys.split(",")),
                              binding.description, binding.id)
        table.add_row("tab / shift+tab", "next / previous field", "")
        table.add_row("← / →", "previous / next tab (tab bar focused)", "")
        table.focus()
