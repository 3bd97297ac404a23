"""``properties``: import JavaMail ``key=value`` text into the configuration (parse, repair,
the ``--force`` rule, merge or replace, preview, then save) and export it for Java."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

    from mailtui.config.model import Settings
    from mailtui.config.store import ConfigStore, PropertyChange
    from mailtui.errors import ConfigError
    from mailtui.javamail.parser import Diagnostic, ParseResult
    from mailtui.services.config import PathArg


@dataclass(frozen=True)
class AsIsError:
    """With ``as_is``: a value Java reads as invalid, which only the repair made valid."""

    line: int
    key: str
    problem: str


@dataclass(frozen=True)
class ImportPreview:
    """What an import reads and would change. ``refusal`` says why it cannot be saved
    (nothing is then saved); otherwise ``store`` holds the merged properties, unsaved."""

    source: str
    parsed: ParseResult
    as_is: bool
    as_is_errors: tuple[AsIsError, ...] = ()
    refusal: ConfigError | None = None
    store: ConfigStore | None = None
    changes: tuple[PropertyChange, ...] = ()

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return self.parsed.diagnostics

    @property
    def path(self) -> Path | None:
        """The configuration file the import goes to (None when refused before reading it)."""
        return self.store.path if self.store is not None else None

    def repaired(self, diagnostic: Diagnostic) -> bool:
        """True when the import stores the repaired value of this diagnostic."""
        return diagnostic.applied and not self.as_is

    def save(self) -> bool:
        """Write the merged properties (atomically, 0600); True when the file changed.
        Raises the refusal, or ConfigError when the file changed on disk meanwhile."""
        if self.refusal is not None:
            raise self.refusal
        if not self.changes or self.store is None:
            return False
        self.store.save()
        return True


def read_properties_file(path: str) -> str:
    """The text of a properties file (undecodable bytes replaced); ConfigError naming it."""
    from mailtui.errors import ConfigError

    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return handle.read()
    except OSError as exc:
        raise ConfigError(f"{path}: {exc.strerror}") from None


def prepare_import(
    text: str,
    *,
    source: str = "<input>",
    config: PathArg = None,
    store: ConfigStore | None = None,
    replace: bool = False,
    as_is: bool = False,
    force: bool = False,
    dry_run: bool = False,
) -> ImportPreview:
    """Parse ``text`` and merge it (``replace``: replace all properties) into ``store``, else
    into the file ``config``. Lines that can never be imported (a line break or a password in
    a value) refuse the import; other errors refuse it unless ``force``. ``as_is`` stores the
    values exactly as Java reads them. ``dry_run`` only changes the wording of a refusal."""
    from mailtui.errors import ConfigError
    from mailtui.javamail.parser import parse_properties

    parsed = parse_properties(text, source=source)

    def refuse(error: ConfigError, as_is_errors: tuple[AsIsError, ...] = ()) -> ImportPreview:
        return ImportPreview(source, parsed, as_is, as_is_errors, refusal=error)

    if not parsed.entries:
        return refuse(ConfigError(f"{source}: no properties found",
                                  hint="expect key=value lines"))
    outcome = "the import would save nothing" if dry_run else "nothing was saved"
    refused = [d for d in parsed.diagnostics if d.refused]
    if refused:
        lines = ", ".join(str(d.line) for d in refused)
        return refuse(ConfigError(
            f"{source}: line(s) {lines} can never be imported (see above); {outcome}",
            hint="fix those lines and import again (--force does not store a line break or "
            "a password)"))
    unfixed = [d for d in parsed.diagnostics
               if d.severity == "error" and not (d.applied and not as_is)]
    as_is_errors = as_is_problems(parsed) if as_is else ()
    if (unfixed or as_is_errors) and not force:
        return refuse(ConfigError(
            f"{source}: {len(unfixed) + len(as_is_errors)} error(s) above; {outcome}",
            hint="fix those lines and import again, or add --force to store them as they are "
            "(then `mailtui check`)"), as_is_errors)
    incoming = {entry.key: entry.raw if as_is else entry.value for entry in parsed.entries}
    if store is None:
        from mailtui.services.config import open_store

        try:
            store = open_store(config, must_exist=False)
        except ConfigError as exc:
            return refuse(exc, as_is_errors)
    store.add_server_skeleton()
    merged = dict(incoming) if replace else {**store.properties(), **incoming}
    changes = store.set_properties(merged)
    return ImportPreview(source, parsed, as_is, as_is_errors, store=store,
                         changes=tuple(changes))


def as_is_problems(parsed: ParseResult) -> tuple[AsIsError, ...]:
    """Stored as Java reads them, which values would be invalid (only the repair fixed them)."""
    from mailtui.javamail.catalog import lookup, validate_value

    found = []
    for entry in parsed.entries:
        spec = lookup(entry.key)
        problem = validate_value(spec, entry.raw) if spec and entry.raw != entry.value else None
        if problem:
            found.append(AsIsError(entry.line, entry.key, problem))
    return tuple(found)


@dataclass(frozen=True)
class PropertiesExport:
    """``[server.properties]`` as java.util.Properties text."""

    text: str
    skipped: tuple[str, ...]  # secret or mailtui-only keys, never exported
    added: tuple[tuple[str, str], ...]  # mailtui's secure choices written out for Java


def export_properties(settings: Settings, *, as_is: bool = False) -> PropertiesExport:
    """The properties for a Java application. Unless ``as_is``, the secure choices mailtui
    makes (finite timeouts, server identity check) are written out so Java behaves the same.
    Secrets and ``mailtui.*`` keys are never exported."""
    from mailtui import __version__
    from mailtui.javamail.catalog import is_secret_key
    from mailtui.javamail.export import format_properties

    props = settings.server.properties
    items = [(k, v) for k, v in props.items()
             if not is_secret_key(k) and not k.startswith("mailtui.")]
    skipped = tuple(k for k in props if is_secret_key(k) or k.startswith("mailtui."))
    header = f"JavaMail properties exported by mailtui {__version__}"
    if skipped:
        header += "\nnot exported (secret or mailtui-only): " + ", ".join(skipped)
    added = () if as_is else _secure_defaults(settings, props)
    if added:
        header += "\nadded so Java behaves as mailtui: " + ", ".join(k for k, _ in added)
        items.extend(added)
    return PropertiesExport(format_properties(items, header=header), skipped, added)


def _secure_defaults(settings: Settings, props: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    from mailtui.javamail.resolve import resolve_plan
    from mailtui.javamail.view import TIMEOUT_KEYS, View

    plan = resolve_plan(settings)
    view = View(props, plan.protocol)
    added = []
    for field, name, _default in TIMEOUT_KEYS:
        if not view.has(name):
            seconds = getattr(plan.timeouts, field)
            added.append((view.key(name), str(int(seconds * 1000))))
    if plan.uses_tls and not view.has("ssl.checkserveridentity"):
        added.append((view.key("ssl.checkserveridentity"), "true"))
    return tuple(added)
