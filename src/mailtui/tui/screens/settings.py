"""Settings: every seed field (SPEC §2) as a form. Each entry is checked as it is typed by the
form model (services/form.py, driven by the field schema) and stored in the document; the
message shows under the field. The S/MIME certificate is described by the smime service in a
worker once it loads."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import Button, Footer, Header, Input, Label, Static, Switch

from mailtui.tui.screens.base import MainScreen
from mailtui.tui.widgets.nav import NavBar
from mailtui.tui.widgets.secret import SecretField

if TYPE_CHECKING:
    from textual.app import ComposeResult

    from mailtui.config.schema import FieldContext
    from mailtui.diagnostics import Diagnostic

# key -> (label, placeholder)
ENTRIES: dict[str, tuple[str, str]] = {
    "server.username": ("Username", "login name, e.g. notifications@example.org"),
    "server.default_sender": ("Default sender", "e.g. Records <notifications@example.org>"),
    "server.test_recipient": ("Test recipient", "e.g. admin@example.org"),
    "smime.certificate": ("S/MIME cert", "path to .p12/.pfx (or PEM with key)"),
}


def _dom_id(key: str) -> str:
    return key.replace(".", "-")


class SettingsScreen(MainScreen):
    MODE = "settings"
    CSS_PATH = "settings.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+o", "pick_certificate", "Pick cert", id="settings.pick"),
        Binding("escape", "leave_field", "Leave field", id="settings.leave", show=False)]

    class SmimeLoaded(Message):
        def __init__(self, text: str, ok: bool) -> None:
            super().__init__()
            self.text = text
            self.ok = ok

    def compose(self) -> ComposeResult:
        from mailtui.services.form import secret_source

        yield Header(icon="✉")
        yield NavBar(self.mailtui, self.MODE)
        with VerticalScroll(id="form", can_focus=True):
            yield Static("", id="connection", markup=False)
            with Horizontal(classes="row"):
                yield Label("Enabled", classes="label")
                yield Switch(bool(self.editor.get("server.enabled")), id="server-enabled",
                             animate=False)
                yield Static("off: `send` refuses; test sends still work", classes="hint",
                             markup=False)
            for key, (label, placeholder) in ENTRIES.items():
                if key == "server.test_recipient":
                    yield SecretField("server", "Password", *secret_source(self.editor,
                                                                            "server"))
                with Horizontal(classes="row"):
                    yield Label(label, classes="label")
                    yield Input(str(self.editor.get(key) or ""), id=_dom_id(key),
                                placeholder=placeholder, compact=True)
                    if key == "smime.certificate":
                        yield Button("pick", id="pick-certificate", compact=True,
                                     classes="side")
                yield Static("", id=f"{_dom_id(key)}-message", classes="message",
                             markup=False)
            yield Static("", id="smime-info", markup=False)
            yield SecretField("smime", "Cert password", *secret_source(self.editor, "smime"))
            yield Static("", id="save-errors", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#form").focus()  # keys 1-4 switch screens; tab goes to the fields

    def action_leave_field(self) -> None:
        """Escape in a field: back to the form, where the screen keys work again."""
        self.query_one("#form").focus()

    def refresh_document(self) -> None:
        """After a save, reload or preset: the fields show the document again."""
        from mailtui.services.form import check_field, field_context, secret_source

        if self.editor.broken is not None:
            return
        context = field_context(self.editor)  # once for every field
        self._show_connection()
        self.query_one(Switch).value = bool(self.editor.get("server.enabled"))
        for key in ENTRIES:
            entry = self.query_one(f"#{_dom_id(key)}", Input)
            value = str(self.editor.get(key) or "")
            if entry.value != value:
                entry.value = value
            self._show(key, check_field(self.editor, key, value, context))
        for field in self.query(SecretField):
            source, text = secret_source(self.editor, field.table)
            field.query_one("Select").value = source  # type: ignore[attr-defined]
            if field.entry.value != text:
                field.entry.value = text
            self._show_secret(field, source, text, context=context)
        self.query_one("#save-errors", Static).update("")
        self._load_smime()

    def _show_connection(self) -> None:
        from mailtui.services.form import form_settings
        from mailtui.tui.widgets.summary import connection_line, plan_of

        self.query_one("#connection", Static).update(
            "Connection: " + connection_line(plan_of(form_settings(self.editor)))
)

    # -- typing --------------------------------------------------------------------------
    def _show(self, key: str, problems: list[Diagnostic]) -> None:
        message = self.query_one(f"#{_dom_id(key)}-message", Static)
        text = "\n".join(p.message + (f" ({p.fix})" if p.fix else "") for p in problems)
        message.set_class(bool(problems), "error")
        message.update(text)
        message.display = bool(text)

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        from mailtui.services.form import set_field

        key = (event.input.id or "").replace("-", ".", 1)
        if key not in ENTRIES or self.editor.broken is not None:
            return
        if str(self.editor.get(key) or "") == event.value:  # shown as loaded: checked then
            return
        self._show(key, set_field(self.editor, key, event.value))
        self.mailtui._refresh_title()
        if key == "server.username":
            self._show_connection()
        if key == "smime.certificate":
            self._load_smime()

    @on(Switch.Changed)
    def _switched(self, event: Switch.Changed) -> None:
        from mailtui.services.form import set_field

        if self.editor.broken is None and bool(self.editor.get("server.enabled")) != event.value:
            set_field(self.editor, "server.enabled", event.value)
            self.mailtui._refresh_title()

    @on(SecretField.Changed)
    def _secret(self, event: SecretField.Changed) -> None:
        from mailtui.services.form import secret_source, set_secret

        if self.editor.broken is not None:
            return
        if secret_source(self.editor, event.field.table) == (event.source, event.text):
            return  # shown as loaded: checked then
        problems = set_secret(self.editor, event.field.table, event.source, event.text)
        self.mailtui._refresh_title()
        self._show_secret(event.field, event.source, event.text, problems)

    def _show_secret(self, field: SecretField, source: str, text: str,
                     problems: list[Diagnostic] | None = None,
                     context: FieldContext | None = None) -> None:
        from mailtui.services.form import check_field, stored_secret_note

        if problems is None:
            key = f"{field.table}.password" + {"env": "_env", "command": "_command"}.get(
                source, "")
            problems = check_field(self.editor, key, text if source != "none" else "",
                                   context)
        note = {"file": stored_secret_note(self.editor),
                "env": "read from the environment of the program that sends",
                "command": "its stdout is the password; `test it` runs it (the value is "
                           "never shown)"}.get(source, "")
        field.show("\n".join(p.message for p in problems), note if text else "")

    # -- S/MIME ----------------------------------------------------------------------------
    def action_pick_certificate(self) -> None:
        from mailtui.tui.screens.file_picker import FilePickerScreen

        entry = self.query_one("#smime-certificate", Input)
        start = Path(entry.value).expanduser().parent if entry.value else self.editor.path.parent

        def picked(path: Path | None) -> None:
            from mailtui.services.form import set_field

            if path is not None:  # into the document first: the screen resumes from it
                set_field(self.editor, "smime.certificate", str(path))
                entry.value = str(path)

        self.app.push_screen(FilePickerScreen(start, "Pick the S/MIME certificate"), picked)

    @on(Button.Pressed, "#pick-certificate")
    def _pick(self) -> None:
        self.action_pick_certificate()

    def _load_smime(self) -> None:
        from mailtui.services.form import form_settings

        info = self.query_one("#smime-info", Static)
        settings = form_settings(self.editor)
        certificate = settings.smime.certificate
        info.display = certificate is not None
        if certificate is None:
            return
        if not Path(certificate).is_file():
            self.post_message(self.SmimeLoaded(f"no such file: {certificate}", False))
            return
        info.update("loading the certificate...")
        self._describe_smime(settings)

    @work(thread=True, exclusive=True, group="smime")
    def _describe_smime(self, settings: object) -> None:
        from mailtui.errors import ConfigError, MailtuiError
        from mailtui.services.smime import smime_info

        try:
            found = smime_info(settings)  # type: ignore[arg-type]
        except (ConfigError, MailtuiError, OSError, ValueError) as exc:
            self.post_message(self.SmimeLoaded(f"cannot be used: {exc}", False))
            return
        summary = found.summary
        lines = [f"{found.format}: {summary.subject}",
                 f"issuer {summary.issuer}; valid until {summary.not_after:%Y-%m-%d}; "
                 f"{summary.key_description}",
                 "emails: " + (", ".join(summary.emails or summary.subject_emails) or "none")]
        lines += [f"warning: {w}" for w in found.warnings]
        self.post_message(self.SmimeLoaded("\n".join(lines), not found.warnings))

    @on(SmimeLoaded)
    def _smime_loaded(self, event: SmimeLoaded) -> None:
        info = self.query_one("#smime-info", Static)
        info.set_class(not event.ok, "warn")
        info.update(event.text)

    # -- saving ---------------------------------------------------------------------------
    def show_save_errors(self, errors: list[Diagnostic]) -> None:
        box = self.query_one("#save-errors", Static)
        box.update("Not saved, fix first:\n" + "\n".join(f"  {e.message}" for e in errors)
                   if errors else "")
        if errors:
            self.query_one("#form", VerticalScroll).scroll_end(animate=False)
