"""Template overrides for an editor: list them, read a part, preview unsaved text, save, revert.

UI-agnostic: typed results, never prints. A part is one event × locale × part (subject, text,
html); its file name follows :func:`mailtui.events.catalog.template_name`, in the shipped
templates and in ``[templates].directory`` alike::

    overrides = TemplateOverrides.from_settings(settings.templates)
    source = overrides.read("task_completed", "subject", "en")     # shipped + override text
    preview = overrides.render_unsaved("task_completed", "subject", "en", buffer)
    preview.text or preview.diagnostic                             # rendered, or line/column
    overrides.save("task_completed", "subject", "en", buffer)      # atomic, 0600
    overrides.revert("task_completed", "subject", "en").existed

Previews run in the same sandbox as sending (``ImmutableSandboxedEnvironment``,
``StrictUndefined``, subject rules) and never raise for a problem in the text: they return a
diagnostic instead. An unknown event, locale or part is a ConfigError.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mailtui.config.model import LOCALES
from mailtui.errors import ConfigError, Location, MessageBuildError
from mailtui.events.catalog import (
    TEMPLATES_DIR,
    load_catalog,
    split_template_name,
    template_name,
)
from mailtui.events.environment import build_environment
from mailtui.events.preview import BufferLoader, PreviewDiagnostic, diagnostic_from
from mailtui.events.render import Renderer, normalize_locale
from mailtui.files import atomic_write_private

if TYPE_CHECKING:
    from mailtui.config.model import TemplatesSettings


class Part(StrEnum):
    """The three parts of a notification."""

    SUBJECT = "subject"
    TEXT = "text"
    HTML = "html"


@dataclass(frozen=True)
class PartRef:
    """One template part: an event of the catalog, a locale and a part."""

    event_id: str
    locale: str
    part: Part

    @property
    def name(self) -> str:
        """The template name, e.g. ``fr/task_completed.subject.txt``."""
        return template_name(self.event_id, self.locale, self.part)


@dataclass(frozen=True)
class Override:
    """One override file in ``[templates].directory``."""

    ref: PartRef
    path: Path
    size: int
    modified: dt.datetime


@dataclass(frozen=True)
class PartSource:
    """The shipped source of a part and, when there is one, its override."""

    ref: PartRef
    shipped: str
    shipped_path: Path
    override: str | None  # None: not overridden
    override_path: Path | None  # where the override is or would be; None: no directory set

    @property
    def overridden(self) -> bool:
        return self.override is not None

    @property
    def effective(self) -> str:
        """The text the renderer uses: the override, else the shipped source."""
        return self.shipped if self.override is None else self.override


@dataclass(frozen=True)
class Preview:
    """A rendered part (the one-line subject, the text part or the HTML) or a diagnostic."""

    ref: PartRef
    text: str | None
    diagnostic: PreviewDiagnostic | None

    @property
    def ok(self) -> bool:
        return self.diagnostic is None


@dataclass(frozen=True)
class SaveResult:
    ref: PartRef
    path: Path
    created: bool  # no override existed before
    diagnostic: PreviewDiagnostic | None  # set only when saved with force=True despite it


@dataclass(frozen=True)
class RevertResult:
    ref: PartRef
    path: Path | None  # None when no [templates].directory is set
    existed: bool  # an override was there (and is now deleted)


class OverrideConflictError(ConfigError):
    """The override changed on disk since the editor read it; nothing was written."""


class TemplateOverrides:
    """The overrides of ``directory`` (``[templates].directory``; None: none configured).

    ``context`` is ``[templates.context]`` (previews use it, over the sample values);
    ``shipped_dir`` replaces the packaged templates (tests, packagers). Thread-safe.
    """

    def __init__(
        self,
        directory: Path | None,
        *,
        context: Mapping[str, Any] | None = None,
        shipped_dir: Path | None = None,
    ) -> None:
        self.directory = Path(directory).expanduser().resolve() if directory else None
        self.shipped_dir = Path(shipped_dir) if shipped_dir else TEMPLATES_DIR
        self.context: dict[str, Any] = dict(context or {})  # [templates.context]
        self._catalog = load_catalog()
        self._renderer = Renderer(override_dir=self.directory, context=context)
        env = build_environment(self.directory, shipped_dir=self.shipped_dir)
        assert env.loader is not None
        self._buffer = BufferLoader(env.loader)
        env.loader = self._buffer
        self._renderer.env = env
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, templates: TemplatesSettings) -> TemplateOverrides:
        return cls(templates.directory, context=templates.context)

    # -- naming ------------------------------------------------------------------------
    def ref(self, event_id: str, part: str, locale: str) -> PartRef:
        """Check an event id, part and locale; ConfigError naming the wrong one."""
        try:
            kind = Part(part)
        except ValueError:
            raise ConfigError(
                f"unknown template part {part!r}",
                hint=f"use one of {', '.join(p.value for p in Part)}",
            ) from None
        loc = normalize_locale(locale)
        template_name(event_id, loc, kind)  # refuses ids that are not plain names
        self._catalog.get(event_id)  # unknown event: ConfigError with a did-you-mean
        return PartRef(event_id, loc, kind)

    def _path(self, ref: PartRef) -> Path | None:
        return self.directory / ref.name if self.directory else None

    # -- reading -----------------------------------------------------------------------
    def list_overrides(self) -> list[Override]:
        """Every override file that replaces a part of a catalog event, in catalog order.
        (Files that match nothing are reported by ``validate_templates``.)"""
        if self.directory is None or not self.directory.is_dir():
            return []
        order = {event_id: i for i, event_id in enumerate(self._catalog.ids)}
        found: list[Override] = []
        for locale in LOCALES:
            folder = self.directory / locale
            if not folder.is_dir():
                continue
            for path in folder.iterdir():
                parsed = split_template_name(f"{locale}/{path.name}")
                if parsed is None or parsed[1] not in order or not path.is_file():
                    continue
                stat = path.stat()
                found.append(Override(
                    PartRef(parsed[1], locale, Part(parsed[2])), path, stat.st_size,
                    dt.datetime.fromtimestamp(stat.st_mtime).astimezone(),
                ))
        parts = list(Part)
        return sorted(found, key=lambda o: (order[o.ref.event_id], LOCALES.index(o.ref.locale),
                                            parts.index(o.ref.part)))

    def read(self, event_id: str, part: str, locale: str) -> PartSource:
        """The shipped text of a part and its override (None when not overridden)."""
        ref = self.ref(event_id, part, locale)
        shipped_path = self.shipped_dir / ref.name
        shipped = _read(shipped_path)
        if shipped is None:
            raise ConfigError(f"{shipped_path}: shipped template missing",
                              hint="reinstall mailtui")
        path = self._path(ref)
        override = _read(path) if path is not None else None
        return PartSource(ref, shipped, shipped_path, override, path)

    # -- previewing --------------------------------------------------------------------
    def render_unsaved(
        self,
        event_id: str,
        part: str,
        locale: str,
        source: str,
        variables: Mapping[str, Any] | None = None,
    ) -> Preview:
        """Render ``source`` as if it were saved as this part's override, with the event's
        sample values (``variables`` and ``[templates.context]`` win over them). The other
        templates it uses (layout, macros) come from the overrides, then the shipped ones."""
        ref = self.ref(event_id, part, locale)
        path = self._path(ref)
        label = str(path) if path is not None else ref.name
        with self._lock:
            self._buffer.name, self._buffer.source, self._buffer.filename = (
                ref.name, source, label)
            try:
                text = self._renderer.render_part(ref.event_id, ref.part, variables,
                                                  locale=ref.locale)
            except MessageBuildError as exc:
                prefixes = (f"{ref.event_id} ({ref.locale}, {ref.part}): ", f"{ref.name}: ")
                return Preview(ref, None, diagnostic_from(exc, source, label, prefixes))
            except (OSError, MemoryError) as exc:  # an unreadable layout, a runaway template
                message = "the template produces too much text" if isinstance(
                    exc, MemoryError) else f"cannot read a template: {exc}"
                return Preview(ref, None, PreviewDiagnostic(
                    message, Location(label), None, isinstance(exc, MemoryError)))
            finally:
                self._buffer.name = None
        if ref.part is Part.SUBJECT and not text:
            return Preview(ref, None, PreviewDiagnostic(
                "the subject is empty", Location(label, 1), "write a subject", True))
        return Preview(ref, text, None)

    # -- writing -----------------------------------------------------------------------
    def save(
        self,
        event_id: str,
        part: str,
        locale: str,
        source: str,
        *,
        force: bool = False,
        base: PartSource | None = None,
    ) -> SaveResult:
        """Write ``source`` as the override of this part: atomically, mode 0600, creating the
        directory. A text that does not render is refused (ConfigError with its line) unless
        ``force``. With ``base`` (what :meth:`read` returned when the editor opened the part),
        an override changed (or created, or deleted) on disk since then is not overwritten:
        OverrideConflictError."""
        ref = self.ref(event_id, part, locale)
        path = self._path(ref)
        if path is None:
            raise ConfigError("no templates directory is configured: overrides cannot be saved",
                              hint='set directory = "templates" in [templates]')
        preview = self.render_unsaved(event_id, part, locale, source)
        diagnostic = preview.diagnostic
        if diagnostic is not None and not force:
            raise ConfigError(f"not saved: {diagnostic.message}", location=diagnostic.location,
                              hint=diagnostic.hint or "fix the template, or save it with force")
        if base is not None and _read(path) != base.override:
            raise OverrideConflictError(
                f"{path}: not saved: the file changed on disk since it was read",
                hint="read it again and merge your changes, or save without a base to replace it",
            )
        try:
            data = source.encode("utf-8")
        except UnicodeEncodeError as exc:  # a lone surrogate pasted into the editor
            raise ConfigError(
                f"not saved: character {exc.object[exc.start]!r} cannot be written as UTF-8",
                location=Location(str(path), source.count("\n", 0, exc.start) + 1),
                hint="delete or retype that character",
            ) from None
        created = not path.exists()
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            atomic_write_private(path, data)
        except OSError as exc:
            raise ConfigError(f"{path}: cannot save the override: {exc.strerror or exc}",
                              hint="check that the templates directory is writable") from None
        return SaveResult(ref, path, created, diagnostic)

    def revert(self, event_id: str, part: str, locale: str) -> RevertResult:
        """Delete the override of this part, so the shipped template is used again."""
        ref = self.ref(event_id, part, locale)
        path = self._path(ref)
        if path is None:
            return RevertResult(ref, None, False)
        try:
            existed = path.is_file()
            path.unlink(missing_ok=True)
        except OSError as exc:
            raise ConfigError(f"{path}: cannot delete the override: {exc.strerror or exc}",
                              hint="check that the templates directory is writable") from None
        return RevertResult(ref, path, existed)


def _read(path: Path) -> str | None:
    """A template file's text; None when it does not exist; ConfigError when unreadable."""
    try:
        return path.read_text(encoding="utf-8")
    except (FileNotFoundError, NotADirectoryError):
        return None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not valid UTF-8 ({exc.reason})",
                          hint="templates are UTF-8 text") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
