"""The TOML configuration file: load with precise errors, save atomically without losing a byte.

tomlkit keeps comments, key order, formatting and unknown keys of everything we do not touch.
"""

from __future__ import annotations

import hashlib
import re
import stat
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mailtui.config.model import Settings
from mailtui.config.tomlparse import parse_strict
from mailtui.config.validate import build_settings
from mailtui.diagnostics import Diagnostic, Severity
from mailtui.errors import ConfigError, Location
from mailtui.files import WriteError, atomic_write_private

if TYPE_CHECKING:
    from tomlkit.items import Table
    from tomlkit.toml_document import TOMLDocument


_BOM = "\ufeff".encode()
_SERVER_SKELETON = (
    ("enabled", "enabled = true                        # `mailtui send` refuses until true"),
    ("username", 'username = "notifications@example.org"  # the login name'),
    ("password", 'password_env = "MAILTUI_PASSWORD"     # or password_command = "pass show '
     'smtp", or password = "..."'),
    ("default_sender", 'default_sender = "App <notifications@example.org>"'),
    ("test_recipient", 'test_recipient = "admin@example.org"  # where `mailtui send-test` '
     "sends"),
)


class ConcurrentEditError(ConfigError):
    """The file changed on disk since it was loaded; our version went to a side file."""


@dataclass(frozen=True)
class PropertyChange:
    key: str
    old: str | None  # None: added
    new: str | None  # None: removed


class ConfigStore:
    """One configuration file: its parsed document, and what it looked like when read."""

    def __init__(self, path: Path, document: TOMLDocument, fingerprint: bytes | None, *,
                 crlf: bool = False, bom: bool = False) -> None:
        self.path = path
        self.document = document
        self._fingerprint = fingerprint  # sha256 of the bytes read; None: no file existed
        self._crlf = crlf  # the file's line endings are CRLF: new lines get them too
        self._bom = bom  # the file starts with a byte order mark: kept on save

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
        # One loading rule for every command: what tomllib refuses (duplicate keys included)
        # is refused here too, with the same file:line:column message as read-only loads.
        parse_strict(path, text)
        try:
            document = tomlkit.parse(text)
        except (TOMLKitError, ValueError) as exc:  # accepted by tomllib, refused by tomlkit
            message = str(exc).split(" at line ")[0]
            line, column = (exc.line, exc.col) if isinstance(exc, ParseError) else (None, None)
            raise ConfigError(
                f"TOML syntax error: {message}",
                location=Location(str(path), line, column),
                hint="fix the line shown; the file was not changed",
            ) from None
        crlf = text.count("\r\n") > text.count("\n") - text.count("\r\n")
        return cls(path, document, hashlib.sha256(data).digest(), crlf=crlf,
                   bom=data.startswith(_BOM))

    @property
    def exists(self) -> bool:
        return self._fingerprint is not None

    @property
    def fingerprint(self) -> bytes | None:
        """sha256 of the bytes last read or written; None: there was no file."""
        return self._fingerprint

    def text(self) -> str:
        return self.document.as_string()

    def encoded(self) -> bytes:
        """The bytes ``save`` writes: the text in the file's line-ending style, with its BOM."""
        text = self.text()
        if self._crlf:
            text = re.sub(r"(?<!\r)\n", "\r\n", text)
        return (_BOM if self._bom else b"") + text.encode("utf-8")

    def check(self) -> tuple[Settings | None, list[Diagnostic]]:
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
        """Set ``server.username`` etc.; ``None`` removes the key. The value is type-checked
        through the settings schema first: a wrong type, or a key the schema does not know in
        one of its tables, is a ConfigError naming the field, and nothing is changed."""
        from mailtui.config.schema import check_type

        problem = check_type(dotted_key, value) if value is not None else None
        if problem:
            raise ConfigError(f"cannot set {dotted_key}: {problem}",
                              hint=f"{self.path} was not changed")
        table_name, _, key = dotted_key.rpartition(".")
        table = self._table(table_name) if table_name else self.document
        if value is None:
            if key in table:
                del table[key]
        else:
            table[key] = value

    def add_server_skeleton(self, filled: Collection[str] = ()) -> bool:
        """Give a file without ``[server]`` (a new or empty one) the table as comments, so the
        `$EDITOR` step shows what to fill in; keys in ``filled`` are left out (the caller sets
        them). Comments only: the file means the same. True when added."""
        import tomlkit

        if "server" in self.document:
            return False
        table = tomlkit.table()
        table.add(tomlkit.comment("fill these in (remove the '# '), then run `mailtui check`:"))
        for key, line in _SERVER_SKELETON:
            if key not in filled:
                table.add(tomlkit.comment(line))
        self.document["server"] = table
        return True

    def fill_empty(self, table: str, values: Mapping[str, str]) -> list[PropertyChange]:
        """Set each ``table.key`` that is missing or empty; keep every value already there."""
        changes: list[PropertyChange] = []
        current = self.document.get(table)
        for key, value in values.items():
            old = current.get(key) if isinstance(current, Mapping) else None
            if old is None or (isinstance(old, str) and not old.strip()):
                self.set_value(f"{table}.{key}", value)
                changes.append(PropertyChange(f"{table}.{key}", None, value))
                current = self.document.get(table)
        return changes

    def properties(self) -> dict[str, str]:
        server = self.document.get("server")
        props = server.get("properties") if isinstance(server, Mapping) else None
        if not isinstance(props, Mapping):
            return {}
        self._refuse_non_text(props)
        return {str(k): _as_text(v) for k, v in props.items()}

    def _refuse_non_text(self, props: Mapping[str, Any]) -> None:
        """Writers never write back a value that is not text (exit 3, its line, untouched)."""
        from mailtui.config.validate import KeyLocator, property_type_issues

        issues = property_type_issues(props, KeyLocator(self.text(), self.path))
        if issues:
            more = f" (and {len(issues) - 1} more)" if len(issues) > 1 else ""
            raise ConfigError(f"{issues[0].message}{more}; {self.path} was not changed",
                              hint=issues[0].hint, location=issues[0].location)

    def set_properties(self, new: Mapping[str, str]) -> list[PropertyChange]:
        """Make ``[server.properties]`` equal ``new``: update in place, drop, append; keep
        comments and the order of the keys that stay. Returns what changed."""
        from mailtui.config.oneline import line_break_problem

        for key, value in new.items():
            problem = line_break_problem(value)  # last line of defence: see the parser
            if problem:
                raise ConfigError(f"server.properties.{key}: {problem} in the value; "
                                  f"{self.path} was not changed")
        table = self._table("server.properties")
        self._refuse_non_text(table)
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
        ``overwrite``: then the version on disk is the one kept as ``.bak``. Keeps the file's
        line endings (CRLF when most of its lines had them) and its byte order mark."""
        text = self.encoded()
        if not overwrite:
            self._refuse_if_changed(text)
        target = self._target()
        try:
            target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        except (FileExistsError, NotADirectoryError):
            blocker = next((p for p in (target.parent, *target.parent.parents)
                            if p.exists() and not p.is_dir()), target.parent)
            raise ConfigError(f"cannot write {target}: {blocker} is a file, not a folder; "
                              "nothing was written",
                              hint="choose another path with --config") from None
        except OSError as exc:
            raise WriteError(target, exc, step=f"creating the folder {target.parent}") from None
        if (self.exists or overwrite) and target.exists():
            backup = target.with_name(target.name + ".bak")
            try:
                atomic_write_private(backup, target.read_bytes())
            except OSError as exc:
                raise WriteError(target, exc, step=f"keeping the previous version as {backup}",
                                 hint=getattr(exc, "hint", None)) from None
        atomic_write_private(target, text)
        self._fingerprint = hashlib.sha256(text).digest()

    def _target(self) -> Path:
        """The file to replace: a symlinked configuration is written through its link."""
        return self.path.resolve() if self.path.is_symlink() else self.path

    def _refuse_if_changed(self, pending: bytes) -> None:
        try:
            current: bytes | None = self.path.read_bytes()
        except (FileNotFoundError, NotADirectoryError):
            current = None
        except OSError as exc:
            raise ConfigError(f"{self.path}: cannot read it again before saving: "
                              f"{exc.strerror or exc}; not overwritten") from None
        current_fp = hashlib.sha256(current).digest() if current is not None else None
        if current_fp == self._fingerprint:
            return
        target = self._target()
        side = target.with_name(target.name + ".pending")
        what = "was created" if self._fingerprint is None else (
            "was deleted" if current is None else "changed"
        )
        try:
            atomic_write_private(side, pending)
        except WriteError as exc:
            raise ConcurrentEditError(
                f"{self.path} {what} on disk since mailtui read it; not overwritten. "
                f"Your version could not be saved to {side} either: {exc.strerror}",
                hint="run the command again on the current file",
            ) from None
        raise ConcurrentEditError(
            f"{self.path} {what} on disk since mailtui read it; not overwritten. "
            f"Your version was saved to {side}",
            hint=f"compare the two (diff {self.path} {side}), merge, and try again",
        )


def _as_text(value: Any) -> str:
    value = value.unwrap() if hasattr(value, "unwrap") else value
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def load_settings(path: Path, *, must_exist: bool = True) -> Settings:
    """Load and validate a configuration file; ConfigError (exit 3) with file:line otherwise.

    Read-only, so it parses with the standard library's tomllib (faster to import than
    tomlkit, which ConfigStore uses to edit without losing a byte)."""
    data = _read(path, must_exist=must_exist)
    if data is None:
        return Settings(path=path)
    text = _decode(path, data)
    return _valid(*_validate(parse_strict(path, text), text, path, on_disk=True))


def read_config(path: Path, *, must_exist: bool) -> bytes | None:
    """The file's bytes (None when absent and not required); ConfigError when unreadable."""
    return _read(path, must_exist=must_exist)


def decode_config(path: Path, data: bytes) -> str:
    """The text of the file's bytes (UTF-8, BOM dropped); ConfigError with the line if not."""
    return _decode(path, data)


def check_document(document: Mapping[str, Any], text: str, path: Path, *,
                   on_disk: bool) -> tuple[Settings | None, list[Diagnostic]]:
    """Validate a parsed document (tomlkit or tomllib): the settings and every issue."""
    return _validate(document, text, path, on_disk=on_disk)


def _validate(document: Mapping[str, Any], text: str, path: Path, *,
              on_disk: bool) -> tuple[Settings | None, list[Diagnostic]]:
    issues: list[Diagnostic] = []
    settings = build_settings(document, text, path, issues)
    if on_disk:
        issues.extend(permission_issues(path, document))
    has_error = any(i.severity == "error" for i in issues)
    return (None if has_error else settings), issues


def syntax_error(path: Path, text: str) -> ConfigError:
    """The ConfigError for text that is not valid TOML, positioned by tomllib (the same
    message every command gives, a duplicate key naming the line of its first definition)."""
    try:
        parse_strict(path, text)
    except ConfigError as exc:
        return exc
    return ConfigError("TOML syntax error: not valid TOML", location=Location(str(path)),
                       hint="fix the file; it was not changed")


def _valid(settings: Settings | None, issues: list[Diagnostic]) -> Settings:
    errors = [i for i in issues if i.severity == "error"]
    if settings is None or errors:
        first = errors[0]
        more = "".join(f"\n  {e}" for e in errors[1:])
        raise ConfigError(f"{first.message}{more}", location=first.location, hint=first.fix)
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
    except NotADirectoryError:
        if must_exist:
            raise ConfigError(f"{path}: no configuration file (a folder on its path is a file)"
                              ) from None
        return None
    except IsADirectoryError:
        raise ConfigError(f"{path}: is a directory, not a configuration file") from None
    except PermissionError:
        raise ConfigError(f"{path}: permission denied") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None


def _decode(path: Path, data: bytes) -> str:
    try:
        return data.decode("utf-8").removeprefix("\ufeff")  # a BOM some editors add
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ConfigError(
            "not valid UTF-8", location=Location(str(path), line), hint="save it as UTF-8"
        ) from None


def permission_issues(path: Path, document: Mapping[str, Any]) -> list[Diagnostic]:
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
    return [Diagnostic(
        Severity.WARNING,
        f"holds a plain {', '.join(holds_plain_secret)} and is readable by group or others "
        f"(mode {stat.S_IMODE(mode):04o})",
        fix=f"chmod 600 {path}, or use password_env / password_command", path=str(path),
        key=holds_plain_secret[0],
    )]
