"""A password with its source: stored in the file (masked, with a reveal toggle), an
environment variable (its name) or a command (with "test it", run in a worker: only
"ok, N characters" or the error is ever shown)."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual import on, work
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Input, Label, Select, Static

if TYPE_CHECKING:
    from textual.app import ComposeResult

    from mailtui.services.form import SecretSource

SOURCES: list[tuple[str, str]] = [("stored in the file", "file"), ("environment variable", "env"),
                                  ("command (stdout)", "command"), ("none", "none")]
PLACEHOLDER = {"file": "the password", "env": "variable name, e.g. SMTP_PASSWORD",
               "command": "e.g. pass show smtp/notifications", "none": "(no password)"}


class SecretField(Vertical):
    """Posts SecretField.Changed(table, source, text) when the source or the text changes."""

    class Changed(Message):
        def __init__(self, field: SecretField, source: SecretSource, text: str) -> None:
            super().__init__()
            self.field = field
            self.source = source
            self.text = text

    class Tested(Message):
        def __init__(self, ok: bool, text: str) -> None:
            super().__init__()
            self.ok = ok
            self.text = text

    def __init__(self, table: str, label: str, source: SecretSource, text: str,
                 timeout: float = 10.0) -> None:
        super().__init__(id=f"{table}-password", classes="secret")
        self.table = table
        self.label = label
        self.initial = (source, text)
        self.timeout = timeout
        self.problem = ""

    def compose(self) -> ComposeResult:
        source, text = self.initial
        with Horizontal(classes="row"):
            yield Label(self.label, classes="label")
            yield Select(SOURCES, value=source, allow_blank=False, compact=True,
                         id=f"{self.table}-source")
        with Horizontal(classes="row"):
            yield Label("", classes="label")
            yield Input(text, password=True, compact=True, id=f"{self.table}-secret",
                        placeholder=PLACEHOLDER[source])
            yield Button("reveal", id=f"{self.table}-reveal", compact=True, classes="side")
            yield Button("test it", id=f"{self.table}-test", compact=True, classes="side")
        yield Static("", classes="message", id=f"{self.table}-message", markup=False)

    def on_mount(self) -> None:
        self._show_source(self.initial[0])

    @property
    def source(self) -> SecretSource:
        return cast("SecretSource", self.query_one(Select).value)

    @property
    def entry(self) -> Input:
        return self.query_one(Input)

    def _show_source(self, source: SecretSource) -> None:
        entry = self.entry
        entry.password = source == "file"
        entry.placeholder = PLACEHOLDER[source]
        entry.disabled = source == "none"
        self.query_one(f"#{self.table}-reveal").display = source == "file"
        self.query_one(f"#{self.table}-test").display = source == "command"

    def show(self, problem: str, note: str = "") -> None:
        """The validation message (red) or else the note (the storage warning, a test)."""
        self.problem = problem
        message = self.query_one(".message", Static)
        message.set_class(bool(problem), "error")
        message.update(problem or note)

    @on(Select.Changed)
    def _source_changed(self, event: Select.Changed) -> None:
        event.stop()
        self._show_source(self.source)
        self.post_message(self.Changed(self, self.source, self.entry.value))

    @on(Input.Changed)
    def _text_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.post_message(self.Changed(self, self.source, event.value))

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == f"{self.table}-reveal":
            self.entry.password = not self.entry.password
            event.button.label = "reveal" if self.entry.password else "hide"
        elif self.entry.value.strip():
            self.show("", "running the command...")
            self._test(self.entry.value)
        else:
            self.show("", "type the command first")

    @work(thread=True, exclusive=True, group="secret-test")
    def _test(self, command: str) -> None:
        from mailtui.services.form import try_secret_command

        ok, text = try_secret_command(command, f"{self.table}.password", self.timeout)
        self.post_message(self.Tested(ok, text))

    @on(Tested)
    def _tested(self, event: Tested) -> None:
        message = self.query_one(".message", Static)
        message.set_class(not event.ok, "error")
        message.set_class(event.ok, "ok")
        message.update(f"test: {event.text}")
