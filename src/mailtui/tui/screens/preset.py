"""Apply a preset: its notes and link, its parameters (SES region), and the diff before
anything changes. Returns the parameters to apply with, or None (cancelled)."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

if TYPE_CHECKING:
    from textual.app import ComposeResult

    from mailtui.javamail.presets import Preset


class PresetScreen(ModalScreen[dict[str, str] | None]):
    CSS_PATH = "dialogs.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="preset.cancel")]

    def __init__(self, preset_id: str) -> None:
        from mailtui.javamail.presets import get_preset

        super().__init__(classes="dialog")
        self.preset: Preset = get_preset(preset_id)

    def compose(self) -> ComposeResult:
        preset = self.preset
        with Vertical(id="dialog"):
            yield Static(f"Apply preset: {preset.name}", id="dialog-title", markup=False)
            for parameter in preset.parameters.values():
                yield Label(f"{parameter.name}: {parameter.description}", markup=False)
                yield Input(parameter.default or "", id=f"param-{parameter.name}",
                            placeholder=parameter.name, compact=True)
            with VerticalScroll(id="preset-detail"):
                yield Static(id="preset-diff", markup=False)
            with Horizontal(id="dialog-buttons"):
                yield Button("Apply (enter)", id="apply", variant="primary", compact=True)
                yield Button("Cancel (esc)", id="cancel", compact=True)

    def on_mount(self) -> None:
        self.show_diff()
        inputs = self.query(Input)
        (inputs.first() if inputs else self.query_one("#apply")).focus()

    def params(self) -> dict[str, str]:
        return {i.id.removeprefix("param-"): i.value.strip() for i in self.query(Input) if i.id}

    def show_diff(self) -> bool:
        from mailtui.errors import ConfigError
        from mailtui.services.presets import format_changes
        from mailtui.tui.app import MailtuiApp

        app = self.app
        assert isinstance(app, MailtuiApp)
        try:
            changes = app.editor.preset_diff(self.preset, self.params())
        except ConfigError as exc:
            self.query_one("#preset-diff", Static).update(f"error: {exc.describe()}")
            return False
        lines = ["Changes to [server.properties] (other keys are kept):"]
        lines += format_changes(changes) or ["  (none: already applied)"]
        lines += [f"note: {n}" for n in self.preset.notes]
        if self.preset.doc:
            lines.append(f"docs: {self.preset.doc}")
        self.query_one("#preset-diff", Static).update("\n".join(lines))
        return True

    def on_input_changed(self, event: Input.Changed) -> None:
        self.show_diff()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.action_apply()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "apply":
            self.action_apply()
        else:
            self.action_cancel()

    def action_apply(self) -> None:
        if self.show_diff():
            self.dismiss(self.params())

    def action_cancel(self) -> None:
        self.dismiss(None)
