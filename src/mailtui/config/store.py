"""The TOML configuration file: load with precise errors, save atomically without losing a byte.

tomlkit keeps comments, key order, formatting and unknown keys of everything we do not touch.
"""

from __future__ import annotations

import hashlib
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mailtui.config.model import Settings
from mailtui.config.validate import Issue, build_settings
from mailtui.errors import ConfigError, Location
from mailtui.files import atomic_write_private

if TYPE_CHECKING:
    from tomlkit.items import Table
    from tomlkit.toml_document import TOMLDocument


class ConcurrentEditError(ConfigError):
    """The file changed on disk since it was loaded; our version went to a side file."""


@dataclass(frozen=True)
class PropertyChange:
    key: str
    old: str | None  # None: added
    new: str | None  # None: removed


class ConfigStore:
    """One configuration file: its parsed document, and what it looked like when read."""

    def __init__(self, path: Path, document: TOMLDocument, fingerprint: bytes | None) -> None:
        self.path = path
        self.document = document
        self._fingerprint = fingerprint  # sha256 of the bytes read; None: no file existed

    # -- loading -----------------------------------------------------------------------
    @classmethod
    def load(cls, path: Path, *, must_exist: bool = True) -> ConfigStore:
        return cls.from_bytes(path, _read(path, must_exist=must_exist))

    @classmethod
    def from_bytes(cls, path: Path, data: bytes | None) -> ConfigStore:
        """The store of ``path`` as it was when ``data`` was read from it (None: no file)."""
        import tomlkit
        from tomlkit.exceptions import ParseError, TOMLKitError

        if data is None:
            document = tomlkit.document()
            document.add(tomlkit.comment("mailtui configuration: see `mailtui --help`"))
            return cls(path, document, None)
        text = _decode(path, data)
        try:
            document = tomlkit.parse(text)
        except ParseError as exc:
            message = str(exc).split(" at line ")[0]
            raise ConfigError(
                f"TOML syntax error: {message}",
                location=Location(str(path), exc.line, exc.col),
                hint="fix the line shown; the file was not changed",
            ) from None
        except TOMLKitError:  # e.g. a duplicate key: tomlkit gives no position, tomllib does
            raise syntax_error(path, text) from None
        return cls(path, document, hashlib.sha256(data).digest())

    @property
    def exists(self) -> bool:
        return self._fingerprint is not None

    @property
    def fingerprint(self) -> bytes | None:
        """sha256 of the bytes last read or written; None: there was no file."""
        return self._fingerprint

    def text(self) -> str:
        return self.document.as_string()

    def check(self) -> tuple[Settings | None, list[Issue]]:
        """Validate the document: the settings (None if an error prevents them) and all issues."""
        return _validate(self.document, self.text(), self.path, on_disk=self.exists)

    def settings(self) -> Settings:
        """The validated settings; ConfigError listing every error otherwise."""
        return _valid(*self.check())

    # -- editing -----------------------------------------------------------------------
    def _table(self, dotted: str) -> Table:
        import tomlkit

        node: Any = self.document
        for part in dotted.split("."):
            if part not in node:
                node[part] = tomlkit.table()
            node = node[part]
            if not isinstance(node, Mapping):
                raise ConfigError(f"{dotted} is not a table in {self.path}")
        return node

    def set_value(self, dotted_key: str, value: Any) -> None:
        """Set ``server.username`` etc.; ``None`` removes the key."""
        table_name, _, key = dotted_key.rpartition(".")
        table = self._table(table_name) if table_name else self.document
        if value is None:
            if key in table:
                del table[key]
        else:
            table[key] = value

    def properties(self) -> dict[str, str]:
        server = self.document.get("server")
        props = server.get("properties") if isinstance(server, Mapping) else None
        if not isinstance(props, Mapping):
            return {}
        return {str(k): _as_text(v) for k, v in props.items()}

    def set_properties(self, new: Mapping[str, str]) -> list[PropertyChange]:
        """Make ``[server.properties]`` equal ``new``: update in place, drop, append; keep
        comments and the order of the keys that stay. Returns what changed."""
        table = self._table("server.properties")
        changes: list[PropertyChange] = []
        for key in list(table.keys()):
            if key not in new:
                changes.append(PropertyChange(key, _as_text(table[key]), None))
                del table[key]
        for key, value in new.items():
            if key in table:
                old = _as_text(table[key])
                if old != value or not isinstance(table[key], str):
                    table[key] = value
                    if old != value:
                        changes.append(PropertyChange(key, old, value))
            else:
                table[key] = value
                changes.append(PropertyChange(key, None, value))
        return changes

    # -- saving ------------------------------------------------------------------------
    def save(self, *, overwrite: bool = False) -> None:
        """Write atomically (temp file, fsync, replace), mode 0600, previous version kept as
        ``<name>.bak``. Refuses when the file changed on disk since it was loaded, unless
        ``overwrite``: then the version on disk is the one kept as ``.bak``."""
        text = self.text().encode("utf-8")
        if not overwrite:
            self._refuse_if_changed(text)
        target = self._target()
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if (self.exists or overwrite) and target.exists():
            backup = target.with_name(target.name + ".bak")
            atomic_write_private(backup, target.read_bytes())
        atomic_write_private(target, text)
        self._fingerprint = hashlib.sha256(text).digest()

    def _target(self) -> Path:
        """The file to replace: a symlinked configuration is written through its link."""
        return self.path.resolve() if self.path.is_symlink() else self.path

    def _refuse_if_changed(self, pending: bytes) -> None:
        try:
            current: bytes | None = self.path.read_bytes()
        except FileNotFoundError:
            current = None
        current_fp = hashlib.sha256(current).digest() if current is not None else None
        if current_fp == self._fingerprint:
            return
        target = self._target()
        side = target.with_name(target.name + ".pending")
        atomic_write_private(side, pending)
        what = "was created" if self._fingerprint is None else (
            "was deleted" if current is None else "changed"
        )
        raise ConcurrentEditError(
            f"{self.path} {what} on disk since mailtui read it; not overwritten. "
            f"Your version was saved to {side}",
            hint=f"compare the two (diff {self.path} {side}), merge, and try again",
        )


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def load_settings(path: Path, *, must_exist: bool = True) -> Settings:
    """Load and validate a configuration file; ConfigError (exit 3) with file:line otherwise.

    Read-only, so it parses with the standard library's tomllib (faster to import than
    tomlkit, which ConfigStore uses to edit without losing a byte)."""
    import tomllib

    data = _read(path, must_exist=must_exist)
    if data is None:
        return Settings(path=path)
    text = _decode(path, data)
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        raise syntax_error(path, text) from None
    return _valid(*_validate(document, text, path, on_disk=True))


def read_config(path: Path, *, must_exist: bool) -> bytes | None:
    """The file's bytes (None when absent and not required); ConfigError when unreadable."""
    return _read(path, must_exist=must_exist)


def decode_config(path: Path, data: bytes) -> str:
    """The text of the file's bytes (UTF-8, BOM dropped); ConfigError with the line if not."""
    return _decode(path, data)


def check_document(document: Mapping[str, Any], text: str, path: Path, *,
                   on_disk: bool) -> tuple[Settings | None, list[Issue]]:
    """Validate a parsed document (tomlkit or tomllib): the settings and every issue."""
    return _validate(document, text, path, on_disk=on_disk)


def _validate(document: Mapping[str, Any], text: str, path: Path, *,
              on_disk: bool) -> tuple[Settings | None, list[Issue]]:
    issues: list[Issue] = []
    settings = build_settings(document, text, path, issues)
    if on_disk:
        issues.extend(permission_issues(path, document))
    has_error = any(i.severity == "error" for i in issues)
    return (None if has_error else settings), issues


def syntax_error(path: Path, text: str) -> ConfigError:
    """The ConfigError for text that is not valid TOML, positioned by tomllib."""
    import tomllib

    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message, line, column = _toml_error_position(str(exc))
        if message == "Cannot overwrite a value":
            message = "duplicate key: this key is already set above (Cannot overwrite a value)"
    else:  # pragma: no cover - only called for text a TOML parser refused
        message, line, column = "not valid TOML", None, None
    return ConfigError(f"TOML syntax error: {message}", location=Location(str(path), line, column),
                       hint="fix the line shown; the file was not changed")


def _toml_error_position(text: str) -> tuple[str, int | None, int | None]:
    import re

    found = re.search(r"\s*\(at line (\d+), column (\d+)\)\s*$", text)
    if not found:
        return text, None, None
    return text[: found.start()], int(found.group(1)), int(found.group(2))


def _valid(settings: Settings | None, issues: list[Issue]) -> Settings:
    errors = [i for i in issues if i.severity == "error"]
    if settings is None or errors:
        first = errors[0]
        more = "".join(f"\n  {e}" for e in errors[1:])
        raise ConfigError(f"{first.message}{more}", location=first.location, hint=first.hint)
    return settings


def _read(path: Path, *, must_exist: bool) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        if must_exist:
            raise ConfigError(
                f"{path}: no configuration file",
                hint="create one with `mailtui preset NAME` or pass --config PATH",
            ) from None
        return None
    except IsADirectoryError:
        raise ConfigError(f"{path}: is a directory, not a configuration file") from None
    except PermissionError:
        raise ConfigError(f"{path}: permission denied") from None


def _decode(path: Path, data: bytes) -> str:
    try:
        return data.decode("utf-8").removeprefix("\ufeff")  # a BOM some editors add
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ConfigError(
            "not valid UTF-8", location=Location(str(path), line), hint="save it as UTF-8"
        ) from None


def permission_issues(path: Path, document: Mapping[str, Any]) -> list[Issue]:
    """A warning when the file holds a plain password and others may read it."""
    holds_plain_secret = [
        f"{table}.password"
        for table in ("server", "smime")
        if isinstance(document.get(table), Mapping) and "password" in document[table]
    ]
    if not holds_plain_secret:
        return []
    try:
        mode = path.stat().st_mode
    except OSError:
        return []
    if not mode & (stat.S_IRWXG | stat.S_IRWXO):
        return []
    return [Issue(
        "warning", Location(str(path)),
        f"holds a plain {', '.join(holds_plain_secret)} and is readable by group or others "
        f"(mode {stat.S_IMODE(mode):04o})",
        f"chmod 600 {path}, or use password_env / password_command",
    )]
