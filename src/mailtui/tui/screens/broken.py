"""A configuration file that cannot be used as it is: the error with its file, line and
column and the offending line. Fix it raw here, or elsewhere and reload; the file is never
overwritten with defaults."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, ClassVar

from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from mailtui.tui.widgets.text import display_path

if TYPE_CHECKING:
    from textual.app import ComposeResult

    from mailtui.services.editor import ConfigEditor


_SECRET_LINE = re.compile(
    r"""^(\s*["']?[\w.-]*(?:password|passwd|secret|token)(?!_env\b)[\w.-]*["']?\s*=).*$""",
    re.IGNORECASE)


def masked(line: str) -> str:
    """The line, with the value hidden when its key names a secret (it may be on screen over
    SSH, in a screen recording, in a screenshot for a ticket)."""
    return _SECRET_LINE.sub(r"\1 ********", line)


def describe_problems(editor: ConfigEditor) -> str:
    """Each error with its location, the line it is on, and a caret under the column."""
    text_lines = editor.text().splitlines()
    parts: list[str] = []
    errors = [i for i in editor.issues() if i.severity == "error"]
    for issue in errors:
        where = f"{issue.location}: " if issue.location else ""
        parts.append(f"{where}{issue.message}")
        line = issue.location.line if issue.location else None
        if line is not None and 0 < line <= len(text_lines):
            gutter = f"  {line:>4} | "
            shown = masked(text_lines[line - 1])
            parts.append(gutter + shown)
            column = issue.location.column if issue.location else None
            if column and shown == text_lines[line - 1]:
                parts.append(" " * (len(gutter) + column - 1) + "^")
        if issue.hint:
            parts.append(f"  fix: {issue.hint}")
        parts.append("")
    return "\n".join(parts)


class BrokenScreen(Screen[None]):
    CSS_PATH = "broken.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("e", "edit", "Edit raw", id="broken.edit"),
        Binding("r", "reload", "Reload", id="broken.reload"),
        Binding("c", "continue", "Continue", id="broken.continue"),
    ]

    @property
    def editor(self) -> ConfigEditor:
        editor: ConfigEditor = self.app.editor  # type: ignore[attr-defined]
        return editor

    def compose(self) -> ComposeResult:
        yield Header(icon="✉")
        with VerticalScroll(id="body", can_focus=True):
            yield Static(id="broken-title", markup=False)
            yield Static(id="broken-detail", markup=False)
            yield Static(id="broken-help", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.refresh_document()
        self.query_one("#body").focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "continue":  # only when the file parsed: the app can then edit it
            return self.editor.broken is None
        return True

    def refresh_document(self) -> None:
        if not self.is_current:
            return
        if self.editor.broken is None and not any(
                i.severity == "error" for i in self.editor.issues()):
            self.dismiss(None)
            return
        syntax = self.editor.broken is not None
        self.query_one("#broken-title", Static).update(
            f"{self.editor.path} cannot be used as it is"
            + (" (not valid TOML)." if syntax else " (invalid values).")
            + " It was not changed and will not be overwritten.\n")
        self.query_one("#broken-detail", Static).update(describe_problems(self.editor))
        self.query_one("#broken-help", Static).update(
            "e: edit the file here (saved only once it is valid TOML)\n"
            "r: reload it after fixing it in another editor\n"
            + ("" if syntax else "c: continue into the app (the errors stay until fixed)\n")
            + "ctrl+q: quit")
        self.refresh_bindings()

    def action_edit(self) -> None:
        from mailtui.tui.screens.raw_editor import RawEditorScreen

        def back(_: bool | None) -> None:
            self.call_later(self.refresh_document)

        self.app.push_screen(RawEditorScreen(), back)

    def action_reload(self) -> None:
        self.editor.reload()
        if self.editor.broken is None:
            self.app.notify(f"Reloaded {display_path(self.editor.path)}")
        self.app.document_changed()  # type: ignore[attr-defined]  # refreshes this screen

    def action_continue(self) -> None:
        self.dismiss(None)
