"""The properties text: a TextArea whose diagnosed lines are marked (styled through
``get_line``) and which suggests the rest of a property name from the catalog (right arrow
or tab at the end of the line takes it)."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.style import Style
from textual.binding import Binding, BindingType
from textual.widgets import TextArea

if TYPE_CHECKING:
    from rich.text import Text

MARKS: dict[str, Style] = {
    "error": Style(color="red", bold=True, underline=True),
    "warning": Style(color="yellow", underline=True),
    "info": Style(italic=True),
}


class PropertiesArea(TextArea):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("tab", "complete", "Complete", id="properties.complete", show=False)]

    def __init__(self, text: str, **kwargs: object) -> None:
        super().__init__(text, soft_wrap=False, show_line_numbers=True, tab_behavior="focus",
                         **kwargs)  # type: ignore[arg-type]
        self.marks: dict[int, str] = {}  # 0-based line -> worst severity
        self.completions: list[str] = []

    def set_marks(self, marks: dict[int, str]) -> None:
        if marks != self.marks:
            self.marks = marks
            self._line_cache.clear()
            self.refresh()

    def get_line(self, line_index: int) -> Text:
        line = super().get_line(line_index)
        severity = self.marks.get(line_index)
        if severity is not None and line.plain.strip():
            start = len(line.plain) - len(line.plain.lstrip())
            line.stylize(MARKS[severity], start, len(line.plain.rstrip()))
        return line

    def key_prefix(self) -> str | None:
        """The property name being typed: the cursor at the end of a line without '='."""
        row, column = self.cursor_location
        line = self.document.get_line(row)
        if column != len(line) or any(c in line for c in "=:#!") or " " in line.strip():
            return None
        return line.strip()

    def update_suggestion(self) -> None:
        from mailtui.javamail.complete import complete_key

        prefix = self.key_prefix()
        self.completions = complete_key(prefix) if prefix else []
        first = self.completions[0] if self.completions else ""
        self.suggestion = first[len(prefix):] if prefix and first.startswith(prefix) else ""

    def action_complete(self) -> None:
        """Tab: take the suggested name and go on with '='; without one, tab moves on."""
        if self.suggestion:
            self.insert(self.suggestion + "=")
        else:
            self.screen.focus_next()
