"""Choose a preset: every preset, with the notes and documentation link of the highlighted
one. Returns its id (the preset dialog then asks its parameters and shows the diff)."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

if TYPE_CHECKING:
    from textual.app import ComposeResult


class PresetListScreen(ModalScreen[str | None]):
    CSS_PATH = "dialogs.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="presets.cancel")]

    def compose(self) -> ComposeResult:
        from mailtui.javamail.presets import all_presets
        from mailtui.tui.screens.welcome import FIRST, LAST

        presets, _ = all_presets()
        self.presets = presets
        order = [p for p in FIRST if p in presets]
        order += sorted((p for p in presets if p not in FIRST and p not in LAST),
                        key=lambda p: presets[p].name.lower())
        order += [p for p in LAST if p in presets]
        with Vertical(id="dialog"):
            yield Static("Apply a preset (only the connection keys change)",
                         id="dialog-title", markup=False)
            yield OptionList(*[Option(f"{presets[p].name}  ({p})", id=p) for p in order],
                             id="preset-list")
            yield Static(id="preset-notes", markup=False)

    def on_mount(self) -> None:
        self.add_class("dialog")
        self.query_one(OptionList).focus()

    @on(OptionList.OptionHighlighted)
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        preset = self.presets[event.option.id or ""]
        lines = [f"note: {n}" for n in preset.notes]
        if preset.parameters:
            lines.append("asks for: " + ", ".join(preset.parameters))
        if preset.doc:
            lines.append(f"docs: {preset.doc}")
        self.query_one("#preset-notes", Static).update("\n".join(lines) or " ")

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
