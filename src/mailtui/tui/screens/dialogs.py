"""Small modal questions: a few choices, each on a key and a button; escape cancels."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import events
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

if TYPE_CHECKING:
    from textual.app import ComposeResult

    from mailtui.services.editor import SaveConflict


class ChoiceScreen(ModalScreen[str]):
    CSS_PATH = "dialogs.tcss"
    """``choices``: (key, label, value); the screen returns the value chosen ("cancel" on
    escape when no choice uses escape)."""

    def __init__(self, title: str, body: str, choices: list[tuple[str, str, str]]) -> None:
        super().__init__(classes="dialog")
        self.title_text = title
        self.body = body
        self.choices = choices
        self.keys = {key: value for key, _, value in choices}
        self.keys.setdefault("escape", "cancel")

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(self.title_text, id="dialog-title", markup=False)
            yield Static(self.body, id="dialog-body", markup=False)
            with Horizontal(id="dialog-buttons"):
                for key, label, value in self.choices:
                    shown = "esc" if key == "escape" else key
                    yield Button(f"{label} ({shown})", id=f"choice-{value}", compact=True)

    def on_mount(self) -> None:
        # enter on the default button must never be the destructive choice
        safe = self.query("#choice-cancel")
        (safe.first() if safe else self.query(Button).first()).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss((event.button.id or "").removeprefix("choice-"))

    def on_key(self, event: events.Key) -> None:
        value = self.keys.get(event.key)
        if value is not None:
            event.stop()
            event.prevent_default()
            self.dismiss(value)


def conflict_dialog(conflict: SaveConflict) -> ChoiceScreen:
    return ChoiceScreen(
        "The file changed on disk",
        f"{conflict.message}.\n\nReload: take the version on disk, drop your changes.\n"
        "Overwrite: save yours; the version on disk is kept as .bak.\n"
        "Cancel: save nothing now.",
        [("r", "Reload (lose mine)", "reload"), ("o", "Overwrite (keep .bak)", "overwrite"),
         ("escape", "Cancel", "cancel")],
    )
