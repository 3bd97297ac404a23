"""Turn a parsed TOML document into Settings, collecting every problem with its line."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from mailtui.config.model import (
    SecretRef,
    ServerSettings,
    Settings,
    SmimeSettings,
    TemplatesSettings,
)
from mailtui.config.schema import (
    FIELDS,
    FREE_TABLES,
    TABLES,
    FieldContext,
    FieldProblem,
    one_password_source,
    unknown_field,
)
from mailtui.diagnostics import Diagnostic, located
from mailtui.errors import Location

_HEADER = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]\s*(#.*)?$")


class KeyLocator:
    """Finds the line of ``table.key`` in the original text (tomlkit keeps no positions)."""

    def __init__(self, text: str, path: Path) -> None:
        self.lines = text.splitlines()
        self.path = str(path)

    def __call__(self, table: str, key: str | None = None) -> Location:
        current = ""
        for number, line in enumerate(self.lines, 1):
            header = _HEADER.match(line)
            if header:
                current = _normalise_dotted(header.group(1))
                if key is None and current == table:
                    return Location(self.path, number)
                continue
            if key is not None and current == table:
                stripped = line.lstrip()
                for candidate in (key, f'"{key}"', f"'{key}'"):
                    if stripped.startswith(candidate) and stripped[len(candidate):].lstrip(
                    ).startswith("="):
                        return Location(self.path, number)
            if key is not None and (current == table or current.startswith(f"{table}.")) \
                    and "=" in line:
                # a dotted key (mail.smtp.host = ...), or one under [table.mail.smtp]
                inner = current[len(table) + 1:]
                dotted = _normalise_dotted(line.split("=", 1)[0])
                if (f"{inner}.{dotted}" if inner else dotted) == key:
                    return Location(self.path, number)
        return Location(self.path)


def _normalise_dotted(header: str) -> str:
    parts = re.findall(r'"[^"]*"|\'[^\']*\'|[^.\s]+', header)
    return ".".join(p.strip("\"'") for p in parts)


def _leaves(prefix: str, table: Mapping[str, Any]) -> list[tuple[str, Any]]:
    found: list[tuple[str, Any]] = []
    for name, value in table.items():
        dotted = f"{prefix}.{name}"
        found += _leaves(dotted, value) if isinstance(value, Mapping) else [(dotted, value)]
    return found


def property_type_issues(props: Mapping[str, Any], loc: KeyLocator) -> list[Diagnostic]:
    """``[server.properties]`` values that are not text — a string, or a bool / integer written
    without quotes — each an error with its line and the fix. A nested table is a dotted key
    written without quotes (``mail.smtp.host = "a"`` is ``mail = {smtp = {host = "a"}}`` to
    TOML). Read by ``check`` and every load, and by the writers before they touch the file."""
    import json

    from mailtui.config.secrets import is_secret_name as is_secret_key

    issues: list[Diagnostic] = []
    for key, raw in props.items():
        value = raw.unwrap() if hasattr(raw, "unwrap") else raw
        if isinstance(value, Mapping):
            for dotted, leaf in _leaves(str(key), value):
                shown = "..." if is_secret_key(dotted) or not isinstance(leaf, str) \
                    else json.dumps(leaf, ensure_ascii=False)[1:-1]
                issues.append(located(
                    loc("server.properties", dotted), "error",
                    f"server.properties: {dotted} is written without quotes, so TOML reads it "
                    f"as nested tables ({' > '.join(dotted.split('.'))}), not as the property "
                    f"{dotted}", fix=f'quote the key: "{dotted}" = "{shown}"',
                    key=f"server.properties.{dotted}"))
        elif not isinstance(value, (str, bool, int)):
            shown = "a " + type(value).__name__ if is_secret_key(str(key)) else repr(value)
            issues.append(located(loc("server.properties", str(key)), "error",
                                  f"server.properties.{key} must be a string, not {shown}",
                                  fix=f'write it in quotes: "{key}" = "..."',
                                  key=f"server.properties.{key}"))
    return issues


def build_settings(
    document: Mapping[str, Any], text: str, path: Path, issues: list[Diagnostic]
) -> Settings:
    """The settings of ``document`` (whose source is ``text``, read from ``path``); every
    problem, with its line, goes to ``issues``. Each field is read through the schema."""
    return _Loader(document, KeyLocator(text, path), path, issues).settings()


class _Loader:
    """Reads one document field by field, through the schema, in a fixed order (so the
    problems are listed in the same order every time)."""

    def __init__(self, document: Mapping[str, Any], loc: KeyLocator, path: Path,
                 issues: list[Diagnostic]) -> None:
        self.loc, self.path, self.issues = loc, path, issues
        self.context = FieldContext(path=path)
        for name in document:
            if name not in TABLES and name not in FREE_TABLES:
                _unknown(issues, loc, name)
        self.docs = {table: _table(document, table, self.err) for table in TABLES}
        for table, doc in self.docs.items():
            for key in doc:
                if f"{table}.{key}" not in FIELDS:
                    _unknown(issues, loc, f"{table}.{key}")

    def err(self, table: str, key: str | None, message: str, hint: str | None = None) -> None:
        self.issues.append(located(self.loc(table, key), "error", message, fix=hint,
                                   key=_field(table, key)))

    def value(self, key: str) -> Any:
        """The field's value as the settings hold it; its default when absent or wrong."""
        spec = FIELDS[key]
        doc = self.docs[spec.table]
        if spec.name not in doc:
            return spec.default
        raw = doc[spec.name]
        try:
            return spec.convert(raw.unwrap() if hasattr(raw, "unwrap") else raw, self.context)
        except FieldProblem as problem:
            self.err(spec.table, spec.name, problem.message, problem.hint)
            return spec.default

    def secret(self, table: str) -> SecretRef:
        values = {name: self.value(f"{table}.{name}")
                  for name in ("password", "password_env", "password_command")}
        two = one_password_source(table, values)
        if two is not None:
            self.err(table, two[0], two[1].message, two[1].hint)
        return SecretRef(f"{table}.password", values["password"], values["password_env"],
                         values["password_command"])

    def cross_checks(self, table: str, built: object) -> None:
        """The checks against other fields, once ``built`` (the table's settings) exists."""
        for spec in FIELDS.values():
            if spec.table == table and spec.cross_check is not None:
                problem = spec.cross_check(getattr(built, spec.name), self.context)
                if problem is not None:
                    self.err(table, spec.name, problem.message, problem.hint)

    def settings(self) -> Settings:
        value = self.value
        props_doc = value("server.properties")
        self.issues.extend(property_type_issues(props_doc, self.loc))  # nested tables, lists...
        properties = _properties(props_doc, self.err)
        server = ServerSettings(
            enabled=value("server.enabled"),
            username=value("server.username"),
            default_sender=value("server.default_sender"),
            password=self.secret("server"),
            test_recipient=value("server.test_recipient"),
            properties=properties,
        )
        encrypt = value("smime.encrypt")  # first, as its problems always were
        smime = SmimeSettings(
            certificate=value("smime.certificate"),
            password=self.secret("smime"),
            encrypt=encrypt,
            recipients=value("smime.recipients"),
        )
        self.context = replace(self.context, settings=Settings(server=server, smime=smime,
                                                               path=self.path))
        self.cross_checks("smime", smime)
        templates = TemplatesSettings(
            locale=value("templates.locale"),
            directory=value("templates.directory"),
            context=dict(value("templates.context")),
        )
        return Settings(server=server, smime=smime, templates=templates, path=self.path)


def _properties(table: Mapping[str, Any], err: Callable[..., None]) -> dict[str, str]:
    """``[server.properties]`` as strings (booleans and numbers as Java would read them); a
    value that is not text is left out (``property_type_issues`` reports it)."""
    from mailtui.config.oneline import line_break_problem

    properties: dict[str, str] = {}
    for key, value in table.items():
        if isinstance(value, bool):
            properties[str(key)] = "true" if value else "false"
        elif isinstance(value, str) and line_break_problem(value):
            err("server.properties", str(key),
                f"server.properties.{key}: the value holds {line_break_problem(value)}",
                "a property value is one line (it would inject SMTP commands): remove it")
        elif isinstance(value, (str, int)):
            properties[str(key)] = str(value)
    return properties


def _field(table: str, key: str | None) -> str | None:
    """The dotted settings field (``server.username``) a problem belongs to."""
    if key is None:
        return table or None
    return f"{table}.{key}" if table else key


def _table(
    document: Mapping[str, Any], name: str, err: Callable[[str, str | None, str], None]
) -> Mapping[str, Any]:
    value = document.get(name)
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        err("", name, f"{name} must be a table ([{name}]), not {value!r}")
        return {}
    return value


def _unknown(issues: list[Diagnostic], loc: KeyLocator, key: str) -> None:
    found = unknown_field(key)
    table, _, name = key.rpartition(".")
    where = loc(table, name) if table else loc("", None)
    issues.append(replace(found, path=where.path, line=where.line, column=where.column))
