"""Render an event's subject, text and HTML parts in the sandbox, with user overrides."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from jinja2 import Template, TemplateError, TemplateNotFound, TemplateSyntaxError, UndefinedError
from jinja2.sandbox import SecurityError

from mailtui.errors import ConfigError, Location, MessageBuildError
from mailtui.events.catalog import LOCALES, Catalog, EventSpec, load_catalog
from mailtui.events.environment import build_environment, template_location

SUBJECT_MAX = 150
DEFAULT_APP_URL = "https://records.example.org"
_SUBJECT_BREAKS = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]+")
_VALUE_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_BLANK_RUNS = re.compile(r"\n{3,}")


@dataclass(frozen=True)
class Rendered:
    """One rendered notification: a one-line subject, a plain-text part and an HTML part."""

    event_id: str
    locale: str
    subject: str
    text: str
    html: str

    def to_dict(self) -> dict[str, str]:
        return asdict(self)


def normalize_locale(locale: str | None) -> str:
    """``en``, ``fr``; ``fr-CA`` / ``fr_CA`` map to ``fr``. ConfigError for anything else."""
    value = (locale or "en").strip().lower().replace("_", "-")
    base = value.split("-", 1)[0]
    if base not in LOCALES:
        raise ConfigError(
            f"unknown locale {locale!r}",
            hint=f"use one of {', '.join(LOCALES)} (templates.locale or --locale)",
        )
    return base


def clean_value(value: Any) -> Any:
    """A variable value made safe to render: line breaks normalised, control characters removed.

    Strings only ever stay strings: a Markup value is turned back into plain text, so a value
    can never bypass HTML escaping. Lists, tuples and dicts are cleaned recursively.
    """
    if isinstance(value, str):
        text = str.__str__(value).replace("\r\n", "\n").replace("\r", "\n")
        return _VALUE_CONTROLS.sub("", text)
    if isinstance(value, list | tuple):
        return [clean_value(item) for item in value]
    if isinstance(value, Mapping):
        return {str(k): clean_value(v) for k, v in value.items()}
    return value


def one_line_subject(text: str, limit: int = SUBJECT_MAX) -> str:
    """Any line break or control character becomes a space; long subjects end with an ellipsis."""
    subject = " ".join(_SUBJECT_BREAKS.sub(" ", text).split())
    if len(subject) <= limit:
        return subject
    cut = subject[: limit - 1]
    space = cut.rfind(" ")
    if space > limit * 2 // 3:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-–—") + "…"


def tidy_text(text: str) -> str:
    """Trailing spaces removed (except in the ``-- `` signature line), one blank line at most."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    lines = ["-- " if line == "--" else line for line in lines]
    body = _BLANK_RUNS.sub("\n\n", "\n".join(lines)).strip("\n")
    return body + "\n"


def tidy_html(html: str) -> str:
    lines = (line.rstrip() for line in html.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    return "\n".join(line for line in lines if line) + "\n"


class Renderer:
    """Renders catalog events; user templates in ``override_dir`` win over the shipped ones.

    ``context`` holds the shared variables of ``[templates.context]`` (app_name, app_url, ...).
    """

    def __init__(
        self,
        *,
        locale: str = "en",
        override_dir: Path | None = None,
        context: Mapping[str, Any] | None = None,
    ) -> None:
        self.locale = normalize_locale(locale)
        self.override_dir = Path(override_dir).resolve() if override_dir is not None else None
        self.context = dict(context or {})
        self.catalog: Catalog = load_catalog()
        self.env = build_environment(self.override_dir)
        self._checked_subjects: dict[str, Template] = {}

    # -- values ----------------------------------------------------------------------------
    def values(
        self,
        event: EventSpec,
        variables: Mapping[str, Any] | None = None,
        *,
        locale: str = "en",
        fill_samples: bool = True,
    ) -> dict[str, Any]:
        """The template context: shared defaults < samples < [templates.context] < variables."""
        merged: dict[str, Any] = self.catalog.shared_defaults()
        if fill_samples:
            samples = {**self.catalog.shared_samples(), **event.samples(locale)}
            merged.update(self._rebase(samples))
        merged.update(self.context)
        merged.update(variables or {})
        if not fill_samples:
            missing = [
                v.name for v in event.variables if v.name not in merged and not v.optional
            ]
            if missing:
                raise MessageBuildError(
                    f"{event.id}: missing variable(s) {', '.join(missing)}",
                    hint="pass them in the context (`mailtui events --json` describes each one)",
                )
            for var in event.variables:
                merged.setdefault(var.name, [] if var.type == "list" else "")
        cleaned = {str(k): clean_value(v) for k, v in merged.items()}
        cleaned["locale"] = locale
        return cleaned

    def _rebase(self, samples: dict[str, Any]) -> dict[str, Any]:
        """Sample links follow the configured app_url."""
        app_url = str(self.context.get("app_url", DEFAULT_APP_URL)).rstrip("/")
        if app_url != DEFAULT_APP_URL:
            for name, value in samples.items():
                if isinstance(value, str) and value.startswith(DEFAULT_APP_URL):
                    samples[name] = app_url + value[len(DEFAULT_APP_URL) :]
        return samples

    # -- rendering -------------------------------------------------------------------------
    def render(
        self,
        event_id: str,
        variables: Mapping[str, Any] | None = None,
        *,
        locale: str | None = None,
        fill_samples: bool = True,
    ) -> Rendered:
        """Render one event. Missing variables take the event's sample values unless
        ``fill_samples`` is False (then a missing required variable is a MessageBuildError)."""
        event = self.catalog.get(event_id)
        loc = normalize_locale(locale or self.locale)
        values = self.values(event, variables, locale=loc, fill_samples=fill_samples)
        subject = one_line_subject(self._render(event, loc, "subject", values))
        if not subject:
            raise MessageBuildError(
                f"{event.id} ({loc}): the subject is empty",
                location=self._location(event.template_name(loc, "subject")),
            )
        text = tidy_text(self._render(event, loc, "text", values))
        html = tidy_html(self._render(event, loc, "html", values))
        return Rendered(event_id=event.id, locale=loc, subject=subject, text=text, html=html)

    def render_part(
        self,
        event_id: str,
        part: str,
        variables: Mapping[str, Any] | None = None,
        *,
        locale: str | None = None,
    ) -> str:
        """One part (``subject``, ``text`` or ``html``) of an event, with the sample values
        filling what ``variables`` does not give, tidied exactly as :meth:`render` does."""
        event = self.catalog.get(event_id)
        loc = normalize_locale(locale or self.locale)
        out = self._render(event, loc, part, self.values(event, variables, locale=loc))
        if part == "subject":
            return one_line_subject(out)
        return tidy_html(out) if part == "html" else tidy_text(out)

    def _render(self, event: EventSpec, locale: str, part: str, values: Mapping[str, Any]) -> str:
        name = event.template_name(locale, part)
        what = f"{event.id} ({locale}, {part})"
        try:
            template = self.env.get_template(name)
            if part == "subject":
                self._check_subject(template, name)
            return template.render(values)
        except TemplateNotFound as exc:
            raise MessageBuildError(
                f"{what}: template {exc.name} not found",
                hint="restore the file, or remove the override that refers to it",
            ) from None
        except TemplateSyntaxError as exc:
            raise MessageBuildError(
                f"{what}: template syntax error: {exc.message}",
                location=Location(exc.filename or exc.name or name, exc.lineno),
                hint="fix the template; `mailtui check` lists every template problem",
            ) from None
        except SecurityError as exc:
            raise MessageBuildError(
                f"{what}: blocked by the template sandbox: {exc}",
                location=template_location(exc) or self._location(name),
                hint="templates may only use the event's variables and filters",
            ) from None
        except UndefinedError as exc:
            raise MessageBuildError(
                f"{what}: {exc.message}",
                location=template_location(exc) or self._location(name),
                hint=f"variables of {event.id}: {', '.join(event.variable_names)}; "
                "pass missing ones in the context",
            ) from None
        except (TemplateError, ArithmeticError, LookupError, TypeError, ValueError,
                AttributeError, RecursionError) as exc:
            raise MessageBuildError(
                f"{what}: template error: {exc}",
                location=template_location(exc) or self._location(name),
            ) from None

    def _check_subject(self, template: Template, name: str) -> None:
        """Reject a subject template that holds a literal line break (checked once per load)."""
        if self._checked_subjects.get(name) is template:
            return
        source, filename, _ = self.env.loader.get_source(self.env, name)  # type: ignore[union-attr]
        line = subject_break_line(source)
        if line is not None:
            raise MessageBuildError(
                f"{name}: a subject template must be a single line",
                location=Location(filename or name, line),
                hint="join the lines; a subject never contains a line break",
            )
        self._checked_subjects[name] = template

    def _location(self, name: str) -> Location | None:
        try:
            _, filename, _ = self.env.loader.get_source(self.env, name)  # type: ignore[union-attr]
        except TemplateError:
            return None
        return Location(filename or name)


def subject_break_line(source: str) -> int | None:
    """The line of the first literal line break inside a subject template, or None."""
    body = source.rstrip("\r\n")
    for index, char in enumerate(body):
        if char in "\r\n":
            return body.count("\n", 0, index) + 1
    return None
