"""The settings form of the app, UI-agnostic: which fields it shows, the problems of a value as
the user types it (through ``schema.validate_field``, with the rest of the document as
context), the errors that refuse a save, the password source choice, and trying a password
command without ever returning its output."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from mailtui.config.schema import FIELDS, FieldContext, validate_field

if TYPE_CHECKING:
    from mailtui.config.model import Settings
    from mailtui.diagnostics import Diagnostic
    from mailtui.services.editor import ConfigEditor

SecretSource = Literal["none", "file", "env", "command"]
SOURCE_KEYS: dict[SecretSource, str | None] = {
    "none": None, "file": "password", "env": "password_env", "command": "password_command"}
# The text fields of the form, in the seed's order (the switch and the secrets apart).
TEXT_FIELDS: tuple[str, ...] = ("server.username", "server.default_sender",
                                "server.test_recipient", "smime.certificate")


def form_settings(editor: ConfigEditor) -> Settings:
    """The settings of the document (its properties at least, while an error prevents them)."""
    from mailtui.config.model import ServerSettings, Settings

    settings, _ = editor.check()
    if settings is None:
        settings = Settings(server=ServerSettings(properties=editor.properties()),
                            path=editor.path)
    return settings


def field_context(editor: ConfigEditor) -> FieldContext:
    """What validating one field needs: the other fields and whether the plan authenticates."""
    from mailtui.errors import ConfigError
    from mailtui.javamail.resolve import resolve_plan

    settings = form_settings(editor)
    try:
        authenticates: bool | None = resolve_plan(settings, lenient=True).auth
    except ConfigError:
        authenticates = None
    return FieldContext(settings=settings, path=editor.path, authenticates=authenticates)


def typed_value(key: str, text: str | bool) -> Any:
    """What a form entry means: an empty text is "unset" (None), a switch a bool."""
    if isinstance(text, bool):
        return text
    return text if text.strip() else None


def check_field(editor: ConfigEditor, key: str, text: str | bool,
                context: FieldContext | None = None) -> list[Diagnostic]:
    """The problems of ``text`` typed into field ``key`` (nothing is changed); ``context``:
    a ``field_context`` of the document as it is (to check several fields at once)."""
    return validate_field(key, typed_value(key, text), context or field_context(editor))


def set_field(editor: ConfigEditor, key: str, text: str | bool) -> list[Diagnostic]:
    """Check ``text`` for ``key`` and store it in the document when its type is right (an
    invalid address is stored too, so nothing typed is lost; the save refuses it). Returns the
    problems of the value."""
    value = typed_value(key, text)
    spec = FIELDS[key]
    if value is None or spec.type_problem(value) is None:
        editor.set_value(key, value)
    return check_field(editor, key, text)


def secret_source(editor: ConfigEditor, table: str) -> tuple[SecretSource, str]:
    """Which source ``table`` (``server``, ``smime``) uses for its password, and its text (the
    variable name, the command, the password itself)."""
    for source, name in SOURCE_KEYS.items():
        if name is not None:
            value = editor.get(f"{table}.{name}")
            if isinstance(value, str):
                return source, value
    return "none", ""


def set_secret(editor: ConfigEditor, table: str, source: SecretSource, text: str
               ) -> list[Diagnostic]:
    """Make ``source`` the only password source of ``table``, holding ``text`` (the other
    keys removed). Returns the problems (a required password that is unset, ...)."""
    chosen = SOURCE_KEYS[source]
    for name in SOURCE_KEYS.values():
        if name is not None and name != chosen:
            editor.set_value(f"{table}.{name}", None)
    if chosen is None:
        return check_field(editor, f"{table}.password", "")
    editor.set_value(f"{table}.{chosen}", text if text else None)
    return check_field(editor, f"{table}.{chosen}", text)


def save_errors(editor: ConfigEditor) -> list[Diagnostic]:
    """Every invalid value, which refuses a save: the document's own errors (types, two
    password sources) and each form field's (an address that does not parse). Each once.
    A required field that is still empty does not refuse it (see ``missing_fields``)."""
    from mailtui.diagnostics import Severity

    context = field_context(editor)
    found: dict[str, Diagnostic] = {}
    for issue in editor.issues():
        if issue.severity == Severity.ERROR:
            found.setdefault(issue.message, issue)
    for key in ("server.enabled", *TEXT_FIELDS):
        value = editor.get(key)
        if value is not None:
            for issue in validate_field(key, value, context):
                found.setdefault(issue.message, issue)
    return [d for d in found.values() if d.severity == Severity.ERROR]


def missing_fields(editor: ConfigEditor) -> list[Diagnostic]:
    """The fields the plan requires that are still empty (a plan that authenticates needs a
    username and a password source): work in progress may be saved, `mailtui check` fails."""
    context = field_context(editor)
    found = [*validate_field("server.username", editor.get("server.username"), context)]
    if secret_source(editor, "server")[0] == "none":
        found += validate_field("server.password", None, context)
    return found


def try_secret_command(command: str, field: str = "server.password",
                       timeout: float = 10.0) -> tuple[bool, str]:
    """Run a password command as a send would (``/bin/sh -c``, ``timeout``): (True, "ok, N
    characters") or (False, why it failed). The secret itself is never returned."""
    from mailtui.config.model import SecretRef
    from mailtui.errors import ConfigError

    try:
        secret = SecretRef(field, command=command).resolve(timeout=timeout)
    except ConfigError as exc:
        return False, exc.message + (f" ({exc.hint})" if exc.hint else "")
    count = len(secret or "")
    return True, f"ok, {count} character{'s' if count != 1 else ''}"


def stored_secret_note(editor: ConfigEditor) -> str:
    """What storing a password in the file means for this file: who can read it."""
    import stat

    path = editor.path
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return (f"kept in clear in {path.name} (created mode 0600: only you can read it); a "
                "variable or a command keeps it out of the file")
    if mode & 0o077:
        return (f"warning: {path.name} is readable by others (mode {mode:04o}): chmod 600 it, "
                "or use a variable or a command")
    return (f"kept in clear in {path.name} (mode 0600: only you can read it); a variable or "
            "a command keeps it out of the file")
