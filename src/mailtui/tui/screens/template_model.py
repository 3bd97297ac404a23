"""The template browser's state without widgets: the editor buffers of each part (event ×
locale × part), the sample values typed in, and one preview computed from them in a worker.
Everything here calls the domain (events/overrides.py, events/checks.py, mail/html_text.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mailtui.diagnostics import Diagnostic
    from mailtui.events.catalog import EventSpec
    from mailtui.events.overrides import PartSource, TemplateOverrides

PARTS = ("subject", "text", "html")


@dataclass
class PreviewResult:
    """What the preview panes show for one event and locale."""

    generation: int
    event_id: str
    locale: str
    subject: str | None = None
    text: str | None = None
    html: str | None = None  # the rendered HTML
    html_text: str | None = None  # the same, as terminal text
    errors: dict[str, str] = field(default_factory=dict)  # part -> "file:line: message"
    checks: list[Diagnostic] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # unreadable override, bad sample value


class BrowserModel:
    """Buffers and samples of the template browser (UI thread only; ``preview`` copies what
    it needs so that a worker can run it)."""

    def __init__(self, overrides: TemplateOverrides) -> None:
        self.overrides = overrides
        self.bases: dict[tuple[str, str, str], PartSource] = {}
        self.buffers: dict[tuple[str, str, str], str] = {}
        self.samples: dict[tuple[str, str], dict[str, str]] = {}
        self.read_errors: dict[tuple[str, str, str], str] = {}

    def source(self, event_id: str, locale: str, part: str) -> str:
        """The text in the editor for this part (read from disk the first time)."""
        key = (event_id, locale, part)
        if key not in self.buffers:
            from mailtui.errors import ConfigError

            try:
                base = self.overrides.read(event_id, part, locale)
            except ConfigError as exc:  # an override that is not UTF-8, unreadable, ...
                self.read_errors[key] = exc.describe()
                self.buffers[key] = ""
                return ""
            self.bases[key] = base
            self.buffers[key] = base.effective
        return self.buffers[key]

    def edit(self, event_id: str, locale: str, part: str, text: str) -> None:
        self.source(event_id, locale, part)
        self.buffers[(event_id, locale, part)] = text

    def modified(self, event_id: str | None = None) -> list[tuple[str, str, str]]:
        """The parts whose buffer differs from what is on disk (of one event, or all)."""
        return [key for key, text in self.buffers.items()
                if (event_id is None or key[0] == event_id) and key in self.bases
                and text != self.bases[key].effective]

    def overridden(self, event_id: str, locale: str) -> list[str]:
        """The parts of this event that have an override (a broken one included)."""
        found = []
        for part in PARTS:
            self.source(event_id, locale, part)
            base = self.bases.get((event_id, locale, part))
            if (base is not None and base.overridden) or (
                    (event_id, locale, part) in self.read_errors):
                found.append(part)
        return found

    def sample_texts(self, event: EventSpec, locale: str) -> dict[str, str]:
        from mailtui.events.browse import format_sample

        key = (event.id, locale)
        if key not in self.samples:
            self.samples[key] = {v.name: format_sample(v.sample_for(locale))
                                 for v in event.variables}
        return self.samples[key]

    def values(self, event: EventSpec, locale: str) -> tuple[dict[str, Any], list[str]]:
        """The sample values as the templates get them, and the fields that do not parse."""
        from mailtui.errors import ConfigError
        from mailtui.events.browse import parse_sample

        values: dict[str, Any] = {}
        problems: list[str] = []
        for variable in event.variables:
            text = self.sample_texts(event, locale)[variable.name]
            try:
                values[variable.name] = parse_sample(variable, text)
            except ConfigError as exc:
                problems.append(exc.describe())
        return values, problems

    def save(self, event_id: str) -> list[str]:
        """Write the modified parts of ``event_id`` as overrides; the paths written.
        ConfigError (with the line) stops at the first part that cannot be saved."""
        written = []
        for key in self.modified(event_id):
            _, locale, part = key
            result = self.overrides.save(event_id, part, locale, self.buffers[key],
                                         base=self.bases[key])
            written.append(str(result.path))
            self.bases[key] = self.overrides.read(event_id, part, locale)
        return written

    def revert(self, event_id: str, locale: str) -> list[str]:
        """Delete this event's overrides in ``locale``; the paths deleted."""
        deleted = []
        for part in PARTS:
            result = self.overrides.revert(event_id, part, locale)
            if result.existed and result.path is not None:
                deleted.append(str(result.path))
            self.forget(event_id, locale, part)
        return deleted

    def forget(self, event_id: str, locale: str, part: str) -> None:
        for store in (self.bases, self.buffers, self.read_errors):
            store.pop((event_id, locale, part), None)


def compute_preview(overrides: TemplateOverrides, generation: int, event: EventSpec,
                    locale: str, sources: dict[str, str], values: dict[str, Any],
                    problems: list[str]) -> PreviewResult:
    """Render the three parts of ``event`` from ``sources`` with ``values`` and run the checks
    (thread-safe: TemplateOverrides locks its renderer)."""
    from mailtui.events.checks import check_event_sources
    from mailtui.mail.html_text import html_to_text

    result = PreviewResult(generation, event.id, locale, problems=list(problems))
    for part in PARTS:
        preview = overrides.render_unsaved(event.id, part, locale, sources[part], values)
        if preview.diagnostic is not None:
            diagnostic = preview.diagnostic
            result.errors[part] = str(diagnostic) + (
                f" (fix: {diagnostic.hint})" if diagnostic.hint else "")
        else:
            setattr(result, part, preview.text)
    if result.html is not None:
        result.html_text = html_to_text(result.html)
    result.checks = check_event_sources(
        event.id, locale, sources, override_dir=overrides.directory,
        context=overrides.context, subject=result.subject)
    return result
