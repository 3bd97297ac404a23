"""The settings fields of the configuration file, each declared once: key, type, default,
when it is required, whether it holds a secret, its validator and its help text.

Loading (``config.validate.build_settings``), ``validate_field`` (one field, for a form, without
re-validating the document), ``ConfigStore.set_value`` (type check before anything is written)
and the README's configuration reference (a test compares them) all use ``FIELDS``.
``server.properties`` is a table of JavaMail keys: their values are checked by the properties
lint, not here.
"""

from __future__ import annotations

import builtins
import difflib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from mailtui.config.model import ENCRYPT_MODES, LOCALES, Settings
from mailtui.diagnostics import Diagnostic, Severity

FieldType = Literal["bool", "string", "address", "path", "choice", "table"]
_PYTHON_TYPE: dict[FieldType, builtins.type] = {"bool": bool, "string": str, "address": str,
                                       "path": str, "choice": str, "table": dict}
_EXPECTED = {bool: "true or false", str: "a string", dict: "a table"}
_ADDRESS_FIX = 'use "user@example.org" or "Name <user@example.org>"'
_PASSWORD_KEYS = ("password", "password_env", "password_command")


class FieldProblem(ValueError):
    """A value a validator refuses: the message names the field; ``hint`` is the fix."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


@dataclass(frozen=True)
class FieldContext:
    """What validating one field may need from the rest of the document: the ``settings``
    loaded so far (other fields, the properties), the configuration ``path`` (relative paths
    start from its folder) and whether the effective plan ``authenticates`` (the caller
    resolves the plan; None: unknown, nothing is required for AUTH)."""

    settings: Settings = field(default_factory=Settings)
    path: Path | None = None
    authenticates: bool | None = None


Validator = Callable[["Field", Any, FieldContext], Any]
RequiredWhen = Callable[[FieldContext], str | None]
CrossCheck = Callable[[Any, FieldContext], "FieldProblem | None"]


@dataclass(frozen=True)
class Field:
    key: str  # dotted: table.name
    type: FieldType
    help: str
    default: Any = None
    secret: bool = False  # the value is (or may hold) a secret: never shown
    choices: tuple[str, ...] = ()
    required_when: RequiredWhen | None = None  # why it is required now, or None
    validator: Validator | None = None  # the typed value → the stored value, or FieldProblem
    cross_check: CrossCheck | None = None  # against the other fields, once they are loaded

    @property
    def table(self) -> str:
        return self.key.rpartition(".")[0]

    @property
    def name(self) -> str:
        return self.key.rpartition(".")[2]

    @property
    def python_type(self) -> builtins.type:
        return _PYTHON_TYPE[self.type]

    def type_problem(self, value: Any) -> str | None:
        """The message for a value of the wrong TOML type (None: the type is right)."""
        expected = self.python_type
        if isinstance(value, expected):
            return None
        shown = "a " + type(value).__name__ if "password" in self.name else repr(value)
        return f"{self.key} must be {_EXPECTED[expected]}, not {shown}"

    def convert(self, value: Any, context: FieldContext) -> Any:
        """The value as the settings hold it (a parsed address, a resolved path, ...);
        FieldProblem when the type or the validator refuses it."""
        problem = self.type_problem(value)
        if problem:
            raise FieldProblem(problem)
        return self.validator(self, value, context) if self.validator else value

    def required(self, context: FieldContext) -> str | None:
        return self.required_when(context) if self.required_when else None


# ------------------------------------------------------------------ validators


def _address(spec: Field, value: str, context: FieldContext) -> str:
    from mailtui.config.addresses import parse_mailbox

    try:
        return parse_mailbox(value).header_value()
    except ValueError as exc:
        raise FieldProblem(f"{spec.key}: {value!r} {exc}", _ADDRESS_FIX) from None


def _path(spec: Field, value: str, context: FieldContext) -> Path | None:
    from mailtui.config.paths import relative_to_config

    return relative_to_config(value, context.path) if value.strip() else None


def _choice(spec: Field, value: str, context: FieldContext) -> str:
    if value not in spec.choices:
        raise FieldProblem(f"{spec.key} must be one of {', '.join(spec.choices)}, not {value!r}")
    return value


def _encrypt_needs_certificate(value: str, context: FieldContext) -> FieldProblem | None:
    """A policy other than ``never`` needs the certificate."""
    if value != "never" and context.settings.smime.certificate is None:
        return FieldProblem("smime.encrypt is set but smime.certificate is not",
                            'set smime.certificate to your .p12/.pfx, or encrypt = "never"')
    return None


def one_password_source(table: str, values: dict[str, Any]) -> tuple[str, FieldProblem] | None:
    """``values``: ``password``, ``password_env``, ``password_command`` → value or None. When
    more than one is set: the second key and the problem."""
    given = [name for name in _PASSWORD_KEYS if values.get(name) is not None]
    if len(given) < 2:
        return None
    return given[1], FieldProblem(f"{table}: set only one of {', '.join(given)}",
                                  "keep exactly one password source")


def _table_of_strings(spec: Field, value: dict[str, Any], context: FieldContext) -> dict[str, Any]:
    return dict(value)


def _needs_login(what: str) -> RequiredWhen:
    def required(context: FieldContext) -> str | None:
        server = context.settings.server
        props = server.properties
        if not context.authenticates:
            return None
        if what == "username" and not (props.get("mail.smtp.user") or props.get("mail.user")
                                       or props.get("mail.smtps.user")):
            return "the connection authenticates (mail.smtp.auth=true)"
        if what == "password" and not server.password.is_set:
            return ("the connection authenticates (mail.smtp.auth=true): set one of "
                    "server.password, server.password_env, server.password_command")
        return None

    return required


def _encrypting(context: FieldContext) -> str | None:
    encrypt = context.settings.smime.encrypt
    return f"smime.encrypt is {encrypt!r}" if encrypt != "never" else None


def _password_fields(table: str, what: str) -> tuple[Field, ...]:
    return (
        Field(f"{table}.password", "string", f"the {what} itself, in the file (prefer _env "
              "or _command)", secret=True),
        Field(f"{table}.password_env", "string", f"an environment variable holding the {what}"),
        Field(f"{table}.password_command", "string", f"a command (run with /bin/sh -c) whose "
              f"stdout is the {what}", secret=True),
    )


FIELDS_LIST: tuple[Field, ...] = (
    Field("server.enabled", "bool", "seed 'Activated': when false, `send` refuses (test sends "
          "still work)", default=False),
    Field("server.username", "string", "login name, may differ from the sender",
          required_when=_needs_login("username")),
    Field("server.default_sender", "address", "From of every message; Name <addr> allowed",
          validator=_address),
    *_password_fields("server", "login password"),
    Field("server.test_recipient", "address", "where `send-test` sends", validator=_address),
    Field("server.properties", "table", "JavaMail keys → string values, order kept",
          default={}, validator=_table_of_strings),
    Field("smime.certificate", "path", ".p12/.pfx, or PEM with the key", validator=_path,
          required_when=_encrypting),
    *_password_fields("smime", "certificate's password"),
    Field("smime.encrypt", "choice", "encryption policy", default="never",
          choices=ENCRYPT_MODES, validator=_choice, cross_check=_encrypt_needs_certificate),
    Field("smime.recipients", "path", "recipient certificates (<address>.pem files, or one "
          "PEM bundle)", validator=_path),
    Field("templates.locale", "choice", "default language", default="en", choices=LOCALES,
          validator=_choice),
    Field("templates.directory", "path", "your template overrides", validator=_path),
    Field("templates.context", "table", "variables every template sees", default={},
          validator=_table_of_strings),
)
FIELDS: dict[str, Field] = {f.key: f for f in FIELDS_LIST}
TABLES: tuple[str, ...] = tuple(dict.fromkeys(f.table for f in FIELDS_LIST))


def table_keys(table: str) -> tuple[str, ...]:
    """The keys a table accepts (``server`` → ``enabled``, ``username``, ...)."""
    return tuple(f.name for f in FIELDS_LIST if f.table == table)


def password_required(context: FieldContext) -> str | None:
    """Why ``server`` needs a password source now (None: it does not)."""
    return _needs_login("password")(context)


def unknown_field(key: str) -> Diagnostic:
    """An unknown settings key, with a did-you-mean (kept in the file, ignored)."""
    table, _, name = key.rpartition(".")
    known = table_keys(table) if table else TABLES
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    guess = f"{table + '.' if table else ''}{close[0]}" if close else None
    return Diagnostic(Severity.WARNING, f"unknown key {key}", key=key, did_you_mean=guess,
                      fix=f"did you mean {guess}?" if guess else
                      "unknown keys are kept but ignored")


def validate_field(key: str, value: Any, context: FieldContext | None = None) -> list[Diagnostic]:
    """The problems of one field's value, alone (the form's check as the user types):
    unknown key, missing while required, wrong type, refused by its validator, a second
    password source. ``value`` None means unset. The document is not re-validated."""
    context = context or FieldContext()
    spec = FIELDS.get(key)
    if spec is None:
        return [unknown_field(key)]

    def error(message: str, fix: str | None = None) -> list[Diagnostic]:
        return [Diagnostic(Severity.ERROR, message, fix=fix, key=key,
                           path=str(context.path) if context.path else None)]

    if value is None:
        why = password_required(context) if spec.name in _PASSWORD_KEYS and \
            spec.table == "server" else spec.required(context)
        return error(f"{key} is required: {why}", f"set {key}") if why else []
    try:
        converted = spec.convert(value, context)
    except FieldProblem as problem:
        return error(problem.message, problem.hint)
    crossed = spec.cross_check(converted, context) if spec.cross_check else None
    if crossed is not None:
        return error(crossed.message, crossed.hint)
    if spec.name in _PASSWORD_KEYS:
        ref = getattr(context.settings, spec.table).password
        current = {"password": ref.value, "password_env": ref.env,
                   "password_command": ref.command}
        two = one_password_source(spec.table, {**current, spec.name: value})
        if two is not None:
            return error(two[1].message, two[1].hint)
    return []


def check_type(key: str, value: Any) -> str | None:
    """For ``ConfigStore.set_value``: why ``value`` cannot be stored under ``key`` (an
    unknown key of a settings table, or the wrong type), None when it can."""
    spec = FIELDS.get(key)
    if spec is None:
        if key.rpartition(".")[0] in TABLES:
            found = unknown_field(key)
            return f"{found.message} ({found.fix})"
        return None
    return spec.type_problem(value)
