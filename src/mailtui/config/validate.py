"""Turn a parsed TOML document into Settings, collecting every problem with its line."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from mailtui.config.addresses import parse_mailbox
from mailtui.config.model import (
    ENCRYPT_MODES,
    LOCALES,
    SecretRef,
    ServerSettings,
    Settings,
    SmimeSettings,
    TemplatesSettings,
)
from mailtui.config.paths import relative_to_config
from mailtui.errors import Location

Severity = Literal["error", "warning", "info"]


@dataclass(frozen=True)
class Issue:
    severity: Severity
    location: Location | None
    message: str
    hint: str | None = None

    def __str__(self) -> str:
        where = f"{self.location}: " if self.location else ""
        text = f"{where}{self.severity}: {self.message}"
        if self.hint:
            text += f"\n    fix: {self.hint}"
        return text


# Keys each table accepts. Unknown keys are kept in the file and reported as warnings.
SERVER_KEYS = (
    "enabled", "username", "default_sender", "password", "password_env", "password_command",
    "test_recipient", "properties",
)
SMIME_KEYS = ("certificate", "password", "password_env", "password_command", "encrypt",
              "recipients")
TEMPLATES_KEYS = ("locale", "directory", "context")
TOP_LEVEL = ("server", "smime", "templates")

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
        return Location(self.path)


def _normalise_dotted(header: str) -> str:
    parts = re.findall(r'"[^"]*"|\'[^\']*\'|[^.\s]+', header)
    return ".".join(p.strip("\"'") for p in parts)


def build_settings(
    document: Mapping[str, Any], text: str, path: Path, issues: list[Issue]
) -> Settings:
    loc = KeyLocator(text, path)

    def err(table: str, key: str | None, message: str, hint: str | None = None) -> None:
        issues.append(Issue("error", loc(table, key), message, hint))

    def warn(table: str, key: str | None, message: str, hint: str | None = None) -> None:
        issues.append(Issue("warning", loc(table, key), message, hint))

    for name in document:
        if name not in TOP_LEVEL:
            _unknown(warn, "", name, TOP_LEVEL)

    server_doc = _table(document, "server", err)
    smime_doc = _table(document, "smime", err)
    templates_doc = _table(document, "templates", err)
    for table, doc, known in (
        ("server", server_doc, SERVER_KEYS),
        ("smime", smime_doc, SMIME_KEYS),
        ("templates", templates_doc, TEMPLATES_KEYS),
    ):
        for key in doc:
            if key not in known:
                _unknown(warn, table, key, known)

    def typed(table: str, doc: Mapping[str, Any], key: str, kind: type, default: Any) -> Any:
        if key not in doc:
            return default
        value = doc[key]
        plain = value.unwrap() if hasattr(value, "unwrap") else value
        if kind is str and isinstance(plain, str):
            return plain
        if kind is bool and isinstance(plain, bool):
            return plain
        if kind is dict and isinstance(plain, dict):
            return plain
        expected = {str: "a string", bool: "true or false", dict: "a table"}[kind]
        shown = "a " + type(plain).__name__ if "password" in key else repr(plain)
        err(table, key, f"{table}.{key} must be {expected}, not {shown}")
        return default

    def address(table: str, doc: Mapping[str, Any], key: str) -> str | None:
        value = typed(table, doc, key, str, None)
        if value is None:
            return None
        try:
            return parse_mailbox(value).header_value()
        except ValueError as exc:
            err(table, key, f"{table}.{key}: {value!r} {exc}",
                'use "user@example.org" or "Name <user@example.org>"')
            return None

    def secret(table: str, doc: Mapping[str, Any]) -> SecretRef:
        values = {
            suffix: typed(table, doc, f"password{suffix}", str, None)
            for suffix in ("", "_env", "_command")
        }
        given = [f"password{s}" for s, v in values.items() if v is not None]
        if len(given) > 1:
            err(table, given[1], f"{table}: set only one of {', '.join(given)}",
                "keep exactly one password source")
        return SecretRef(f"{table}.password", values[""], values["_env"], values["_command"])

    def path_value(table: str, doc: Mapping[str, Any], key: str) -> Path | None:
        value = typed(table, doc, key, str, None)
        if value is None or not value.strip():
            return None
        return relative_to_config(value, path)

    # [server]
    properties: dict[str, str] = {}
    props_doc = typed("server", server_doc, "properties", dict, {})
    for key, value in props_doc.items():
        if isinstance(value, bool):
            properties[str(key)] = "true" if value else "false"
        elif isinstance(value, str) and any(ch in value for ch in "\r\n\0"):
            err("server.properties", str(key),
                f"server.properties.{key} contains a line break or NUL",
                "a property value is one line; it would inject SMTP commands")
        elif isinstance(value, (str, int)):
            properties[str(key)] = str(value)
        else:
            from mailtui.config.secrets import is_secret_name

            shown = "a " + type(value).__name__ if is_secret_name(str(key)) else repr(value)
            err("server.properties", str(key),
                f"server.properties.{key} must be a string, not {shown}")
    server = ServerSettings(
        enabled=typed("server", server_doc, "enabled", bool, False),
        username=typed("server", server_doc, "username", str, None),
        default_sender=address("server", server_doc, "default_sender"),
        password=secret("server", server_doc),
        test_recipient=address("server", server_doc, "test_recipient"),
        properties=properties,
    )

    # [smime]
    encrypt = typed("smime", smime_doc, "encrypt", str, "never")
    if encrypt not in ENCRYPT_MODES:
        err("smime", "encrypt", f"smime.encrypt must be one of {', '.join(ENCRYPT_MODES)}, "
            f"not {encrypt!r}")
        encrypt = "never"
    smime = SmimeSettings(
        certificate=path_value("smime", smime_doc, "certificate"),
        password=secret("smime", smime_doc),
        encrypt=encrypt,
        recipients=path_value("smime", smime_doc, "recipients"),
    )
    if smime.encrypt != "never" and smime.certificate is None:
        err("smime", "encrypt", "smime.encrypt is set but smime.certificate is not",
            "set smime.certificate to your .p12/.pfx, or encrypt = \"never\"")

    # [templates]
    locale = typed("templates", templates_doc, "locale", str, "en")
    if locale not in LOCALES:
        err("templates", "locale", f"templates.locale must be one of {', '.join(LOCALES)}, "
            f"not {locale!r}")
        locale = "en"
    templates = TemplatesSettings(
        locale=locale,
        directory=path_value("templates", templates_doc, "directory"),
        context=dict(typed("templates", templates_doc, "context", dict, {})),
    )
    return Settings(server=server, smime=smime, templates=templates, path=path)


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


def _unknown(
    warn: Callable[[str, str | None, str, str | None], None],
    table: str,
    key: str,
    known: tuple[str, ...],
) -> None:
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    dotted = f"{table}.{key}" if table else key
    hint = f"did you mean {table + '.' if table else ''}{close[0]}?" if close else (
        "unknown keys are kept but ignored"
    )
    warn(table, key if table else None, f"unknown key {dotted}", hint)
