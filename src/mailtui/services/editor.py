"""A configuration file being edited: the UI-agnostic document model the terminal app drives.

It holds the loaded ConfigStore (or, when the file is broken, the error and the raw text),
tracks "modified", applies presets (the diff can be shown first) and saves through the store:
atomic, mode 0600, comments kept, never over a file that changed on disk. When it did change,
``save`` raises SaveConflict and the caller picks one of three operations: ``reload`` (drop
mine), ``overwrite`` (keep mine, theirs saved as ``.bak``) or ``cancel`` (change nothing).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mailtui.config.store import ConcurrentEditError, ConfigStore, PropertyChange
from mailtui.errors import ConfigError, Location
from mailtui.services.editor_types import (
    BrokenFile,
    SaveConflict,
    TargetExists,
    diff_properties,
    read_text,
)

if TYPE_CHECKING:
    from mailtui.config.model import Settings
    from mailtui.diagnostics import Diagnostic
    from mailtui.javamail.diagnose import PropertiesReport
    from mailtui.javamail.presets import Preset


# What the properties editor shows instead of a secret property's value
SECRET_MASK = "********"

class ConfigEditor:
    """One configuration file open for editing.

    Opening reads and validates the file with the standard library's tomllib (fast); the
    tomlkit document that edits without losing a byte is built on the first edit, from the
    bytes read at opening (so a change on disk in between is still detected at save).

    ``unsaved_text``: a document that belongs to no file yet (``mailtui --sandbox``: the
    sandbox's settings), never read from or written to ``path`` until ``save_as`` gives it a
    file; ``path`` is only where that save goes by default."""

    def __init__(self, path: Path, *, unsaved_text: str | None = None) -> None:
        self.path = path
        self._unsaved_text = unsaved_text
        self.broken: BrokenFile | None = None
        self.modified = False
        self._store: ConfigStore | None = None
        self._data: dict[str, Any] = {}
        self._bytes: bytes | None = None
        self._text = ""
        self._checked: tuple[Settings | None, list[Diagnostic]] | None = None
        self._pending: dict[str, str] | None = None  # typed properties, not yet in the TOML
        self._load()

    # -- loading -----------------------------------------------------------------------
    def _load(self) -> None:
        import tomllib

        from mailtui.config.store import decode_config, read_config, syntax_error

        self.modified = False
        self._checked = None
        self._pending = None
        self._store = None
        self.broken = None
        self._data, self._bytes, self._text = {}, None, ""
        if self._unsaved_text is not None:  # generated, valid by construction
            self._text = self._unsaved_text
            self._data = tomllib.loads(self._text)
            return
        try:
            self._bytes = read_config(self.path, must_exist=False)
            if self._bytes is not None:
                self._text = decode_config(self.path, self._bytes)
                try:
                    self._data = tomllib.loads(self._text)
                except tomllib.TOMLDecodeError:
                    raise syntax_error(self.path, self._text) from None
        except ConfigError as exc:
            self.broken = BrokenFile(exc, read_text(self.path))

    @property
    def store(self) -> ConfigStore | None:
        """The editable document (None for a broken file), built on first use."""
        self._sync()
        if self._store is None and self.broken is None and self._unsaved_text is not None:
            import tomlkit

            self._store = ConfigStore(self.path, tomlkit.parse(self._text), None)
        if self._store is None and self.broken is None:
            try:
                self._store = ConfigStore.from_bytes(self.path, self._bytes)
            except ConfigError as exc:  # what tomllib accepted and tomlkit does not
                self.broken = BrokenFile(exc, self._text)
                self._checked = None
        return self._store

    @property
    def unsaved(self) -> bool:
        """The document has no file yet (saving needs ``save_as``)."""
        return self._unsaved_text is not None

    @property
    def exists(self) -> bool:
        """Whether the file existed when it was (re)loaded."""
        if self._store is not None:
            return self._store.exists
        return self.broken is not None or self._bytes is not None

    def _editable(self) -> ConfigStore:
        store = self.store
        if store is None:
            assert self.broken is not None
            raise ConfigError(f"{self.broken.error}; fix the file first (nothing was changed)",
                              location=None, hint="edit it raw, or fix it elsewhere and reload")
        return store

    def issues(self) -> list[Diagnostic]:
        """The validation problems of the current document (errors, warnings), each with its
        location; for a broken file, its error."""
        return self.check()[1]

    def check(self) -> tuple[Settings | None, list[Diagnostic]]:
        """The settings the document holds now (None while an error prevents them) and
        every issue."""
        if self.broken is not None:
            from mailtui.diagnostics import located

            error = self.broken.error
            return None, [located(error.location, "error", error.message, fix=error.hint)]
        self._sync()
        if self._checked is None:  # validated once per change (screens ask often)
            from mailtui.config.store import check_document

            if self._store is not None:
                self._checked = self._store.check()
            else:
                self._checked = check_document(self._data, self._text, self.path,
                                               on_disk=self._bytes is not None)
        return self._checked

    def text(self) -> str:
        """The document as it would be saved (the raw text for a broken file)."""
        if self.broken is not None:
            return self.broken.text or ""
        self._sync()
        return self._store.text() if self._store is not None else self._text

    # -- reading -----------------------------------------------------------------------
    def get(self, dotted_key: str) -> Any:
        """The plain value of ``server.username`` etc., None when absent (or broken)."""
        if self.broken is not None:
            return None
        self._sync()
        node: Any = self._store.document if self._store is not None else self._data
        for part in dotted_key.split("."):
            if not isinstance(node, Mapping) or part not in node:
                return None
            node = node[part]
        return node.unwrap() if hasattr(node, "unwrap") else node

    def table(self, dotted_key: str) -> dict[str, Any]:
        """A table as a plain dict ({} when absent or not a table)."""
        value = self.get(dotted_key)
        return dict(value) if isinstance(value, Mapping) else {}

    def locate(self, table: str, key: str | None = None) -> Location:
        """Where ``table.key`` is in the file (line when found)."""
        from mailtui.config.validate import KeyLocator

        return KeyLocator(self.text(), self.path)(table, key)

    def properties(self) -> dict[str, str]:
        if self.broken is not None:
            return {}
        if self._pending is not None:
            return dict(self._pending)
        if self._store is not None:
            return self._store.properties()
        table = self.table("server.properties")
        return {str(k): ("true" if v else "false") if isinstance(v, bool) else str(v)
                for k, v in table.items()}

    # -- editing -----------------------------------------------------------------------
    def set_value(self, dotted_key: str, value: Any) -> bool:
        """Set one key (None removes it); True when that changed the document."""
        store = self._editable()
        if self.get(dotted_key) == value:
            return False
        store.set_value(dotted_key, value)
        self.modified = True
        self._checked = None
        return True

    def properties_text(self) -> str:
        """The properties as JavaMail ``key=value`` lines (what the properties editor shows).
        A secret property's value (``mail.smtp.proxy.password``...) is shown as
        ``SECRET_MASK``: the screen never holds it, and ``set_properties_text`` keeps the
        stored value while the mask stands in for it."""
        from mailtui.javamail.catalog import is_secret_key
        from mailtui.javamail.export import format_properties

        return format_properties((key, SECRET_MASK if value and is_secret_key(key) else value)
                                 for key, value in self.properties().items())

    def set_properties_text(self, text: str, settings: Settings | None = None
                            ) -> PropertiesReport:
        """Diagnose typed or pasted properties text (with ``settings``, the rest of the
        account) and make ``[server.properties]`` hold what it means (repaired values, order
        kept; lines that can never be stored left out). Returns the per-line diagnostics and
        the effective plan."""
        from mailtui.javamail.catalog import is_secret_key
        from mailtui.javamail.diagnose import diagnose_properties

        report = diagnose_properties(text, settings, source="properties")
        stored = self.properties()
        wanted = {key: stored[key] if value == SECRET_MASK and is_secret_key(key)
                  and key in stored else value for key, value in report.properties.items()}
        self._editable()
        if wanted != self.properties():
            # The TOML document follows when it is next read or saved: a keystroke costs the
            # diagnosis only (see bench/bench_keystroke.py).
            self._pending = wanted
            self.modified = True
            self._checked = None
        return report

    def _sync(self) -> None:
        """Put typed properties text into ``[server.properties]`` (order kept, comments of
        the keys that stay kept)."""
        pending, self._pending = self._pending, None
        if pending is not None and self._store is not None:
            self._store.add_server_skeleton()
            self._store.set_properties(pending)
            self._checked = None

    def preset_diff(self, preset: Preset, params: Mapping[str, str] | None = None
                    ) -> list[PropertyChange]:
        """What applying ``preset`` would change, without changing anything. ConfigError for
        a bad parameter."""
        from mailtui.javamail.presets import apply_preset

        current = self.properties()
        return diff_properties(current, apply_preset(current, preset.render(params)))

    def apply_preset(self, preset: Preset, params: Mapping[str, str] | None = None
                     ) -> list[PropertyChange]:
        """Replace the connection properties with the preset's (every other key kept)."""
        from mailtui.javamail.presets import apply_preset

        store = self._editable()
        changes = store.set_properties(apply_preset(store.properties(), preset.render(params)))
        if changes:
            self.modified = True
            self._checked = None
        return changes

    # -- saving ------------------------------------------------------------------------
    def save(self) -> Path:
        """Write the document through the store; returns the path written.

        SaveConflict when the file changed on disk since it was loaded (our version is then
        also in ``SaveConflict.pending``); ConfigError for a broken file (never overwritten)
        and for a document without a file yet (``save_as``)."""
        self._require_file()
        store = self._editable()
        try:
            store.save()
        except ConcurrentEditError as exc:
            target = store.path.resolve() if store.path.is_symlink() else store.path
            raise SaveConflict(exc, target.with_name(target.name + ".pending")) from None
        self.modified = False
        self._checked = None  # the file exists now: its permissions are checked too
        return store.path

    def _require_file(self) -> None:
        if self.unsaved:
            raise ConfigError("this document has no file yet; nothing was written",
                              hint=f"save it with save_as (default {self.path})")

    def save_as(self, path: Path, *, replace: bool = False) -> Path:
        """Write the document to ``path`` and edit that file from now on (an unsaved
        document's first file, or a copy elsewhere). TargetExists when something is at
        ``path`` and ``replace`` is False; with ``replace`` the file there is kept as
        ``.bak``. Atomic, mode 0600, the folder created (0700) when missing."""
        store = self._editable()
        path = path.expanduser()
        if path.is_dir():
            raise ConfigError(f"{path} is a folder; nothing was written",
                              hint=f"give a file name, e.g. {path / 'mailtui.toml'}")
        there = path.exists() or path.is_symlink()
        if there and not replace:
            raise TargetExists(path)
        target = ConfigStore(path, store.document, None)
        target.save(overwrite=there)
        self.path, self._store, self._unsaved_text = path, target, None
        self.modified = False
        self._checked = None  # on disk now: its permissions are checked too
        return path

    def reload(self) -> None:
        """Drop every unsaved change and read the file again (it may now be broken)."""
        self._load()

    def overwrite(self) -> Path:
        """Save mine over a file that changed on disk; the version on disk goes to ``.bak``."""
        self._require_file()
        store = self._editable()
        store.save(overwrite=True)
        self._checked = None
        target = store.path.resolve() if store.path.is_symlink() else store.path
        target.with_name(target.name + ".pending").unlink(missing_ok=True)  # mine is saved
        self.modified = False
        return target.with_name(target.name + ".bak")

    def cancel(self) -> None:
        """Leave both versions as they are: mine stays unsaved here, theirs on disk."""

    def save_preference(self, dotted_key: str, value: Any) -> bool:
        """Set a preference such as ``ui.theme`` and write it at once when nothing else is
        pending (re-reading the file first if it changed on disk, since nothing is lost then).
        Returns True when written now, False when it waits for the next save."""
        if not self.modified and self.exists:
            if self.broken is None and self._changed_on_disk():
                self.reload()
            if self.set_value(dotted_key, value):
                self.save()
            return True
        self.set_value(dotted_key, value)
        return False

    def _changed_on_disk(self) -> bool:
        import hashlib

        try:
            current: bytes | None = self.path.read_bytes()
        except FileNotFoundError:
            current = None
        except OSError:
            return True
        if self._store is not None:
            known = self._store.fingerprint
        else:
            known = hashlib.sha256(self._bytes).digest() if self._bytes is not None else None
        return (hashlib.sha256(current).digest() if current is not None else None) != known

    def save_raw(self, text: str) -> Path:
        """Write hand-edited text (the fix of a broken file) if it is valid TOML now; the
        file is then loaded again. ConfigError with the line otherwise (nothing written)."""
        import tomllib

        from mailtui.config.store import syntax_error
        from mailtui.files import atomic_write_private

        try:
            tomllib.loads(text)
        except tomllib.TOMLDecodeError:
            raise syntax_error(self.path, text) from None
        self._require_file()
        if self.broken is not None:
            changed = read_text(self.path) != self.broken.text
        else:
            changed = self._changed_on_disk()
        if changed:
            raise ConfigError(f"{self.path} changed on disk since mailtui read it; not written",
                              hint="reload to see the new version, then edit again")
        target = self.path.resolve() if self.path.is_symlink() else self.path
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        atomic_write_private(target, text.encode("utf-8"))
        self._load()
        return target
