"""The event catalog: events, their categories and typed variables, read from catalog.toml."""

from __future__ import annotations

import difflib
import functools
import re
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args

from mailtui.config.model import LOCALES  # re-exported: one list of languages
from mailtui.errors import ConfigError

CATALOG_PATH = Path(__file__).with_name("catalog.toml")
TEMPLATES_DIR = Path(__file__).with_name("templates")
PARTS: tuple[str, ...] = ("subject", "text", "html")
PART_SUFFIXES: dict[str, str] = {"subject": ".subject.txt", "text": ".txt", "html": ".html"}
_EVENT_ID = re.compile(r"[a-z0-9][a-z0-9_]*")
VariableType = Literal[
    "string", "text", "date", "datetime", "person", "email", "url", "integer", "list", "ip"]
VARIABLE_TYPES: frozenset[str] = frozenset(get_args(VariableType))


@dataclass(frozen=True)
class Variable:
    """One template variable: its name, type, meaning and an example value."""

    name: str
    type: VariableType
    description: str
    sample: Any = None
    samples_by_locale: Mapping[str, Any] = field(default_factory=dict)
    optional: bool = False
    default: Any = None  # shared variables only: the value when [templates.context] is silent

    def sample_for(self, locale: str = "en") -> Any:
        """The sample value in ``locale`` (the English one when it is not localised)."""
        return self.samples_by_locale.get(locale, self.sample)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "name": self.name,
            "type": self.type,
            "description": self.description,
            "sample": self.sample,
        }
        if self.samples_by_locale:
            data["samples"] = dict(self.samples_by_locale)
        if self.optional:
            data["optional"] = True
        if self.default is not None:
            data["default"] = self.default
        return data


@dataclass(frozen=True)
class EventSpec:
    """One notification event of SPEC §5."""

    id: str
    category: str
    titles: Mapping[str, str]
    description: str
    variables: tuple[Variable, ...]
    cta: str  # the variable holding the call-to-action link

    @property
    def title(self) -> str:
        """The English title (the seed's wording)."""
        return self.titles["en"]

    def title_for(self, locale: str) -> str:
        return self.titles.get(locale, self.titles["en"])

    @property
    def variable_names(self) -> tuple[str, ...]:
        return tuple(v.name for v in self.variables)

    def variable(self, name: str) -> Variable | None:
        return next((v for v in self.variables if v.name == name), None)

    def samples(self, locale: str = "en") -> dict[str, Any]:
        """Sample values for every variable of the event, in ``locale``."""
        return {v.name: v.sample_for(locale) for v in self.variables}

    def template_name(self, locale: str, part: str) -> str:
        """The loader name of one part, e.g. ``fr/task_completed.subject.txt``."""
        return template_name(self.id, locale, part)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "category": self.category,
            "title": dict(self.titles),
            "description": self.description,
            "cta": self.cta,
            "variables": [v.to_dict() for v in self.variables],
        }


@dataclass(frozen=True)
class Catalog:
    """Every event, in SPEC order, plus the shared variables and category names."""

    events: list[EventSpec]
    shared: tuple[Variable, ...]
    categories: Mapping[str, Mapping[str, str]]

    def __iter__(self) -> Iterator[EventSpec]:
        return iter(self.events)

    def __len__(self) -> int:
        return len(self.events)

    def __contains__(self, event_id: object) -> bool:
        return any(e.id == event_id for e in self.events)

    @property
    def ids(self) -> list[str]:
        return [e.id for e in self.events]

    def get(self, event_id: str) -> EventSpec:
        """The event ``event_id``; ConfigError naming it and the closest ids otherwise."""
        for event in self.events:
            if event.id == event_id:
                return event
        close = difflib.get_close_matches(event_id, self.ids, n=3, cutoff=0.5)
        hint = f"did you mean {' or '.join(close)}? " if close else ""
        raise ConfigError(
            f"unknown event {event_id!r}",
            hint=hint + "`mailtui events` lists the event ids",
        )

    def shared_defaults(self) -> dict[str, Any]:
        return {v.name: v.default for v in self.shared}

    def shared_samples(self) -> dict[str, Any]:
        return {v.name: v.sample if v.sample is not None else v.default for v in self.shared}

    def to_dict(self) -> dict[str, Any]:
        return {
            "categories": {k: dict(v) for k, v in self.categories.items()},
            "shared_variables": [v.to_dict() for v in self.shared],
            "events": [e.to_dict() for e in self.events],
        }


def template_name(event_id: str, locale: str, part: str) -> str:
    """The one naming rule of template files: ``<locale>/<event_id><suffix>``, the suffix being
    ``.subject.txt``, ``.txt`` or ``.html`` for the subject, text and HTML parts. The same name
    is used in the shipped templates and in ``[templates].directory``.

    ConfigError for an unknown locale or part, or an event id that is not a plain
    ``[a-z0-9_]`` name (so no id can reach outside the templates directory).
    """
    if part not in PART_SUFFIXES:
        raise ConfigError(
            f"unknown template part {part!r}", hint=f"use one of {', '.join(PARTS)}"
        )
    if locale not in LOCALES:
        raise ConfigError(f"unknown locale {locale!r}", hint=f"use one of {', '.join(LOCALES)}")
    if not _EVENT_ID.fullmatch(event_id):
        raise ConfigError(
            f"{event_id!r} is not an event id",
            hint="event ids are lower-case letters, digits and underscores "
            "(`mailtui events` lists them)",
        )
    return f"{locale}/{event_id}{PART_SUFFIXES[part]}"


def split_template_name(name: str) -> tuple[str, str, str] | None:
    """The inverse of :func:`template_name`: ``(locale, event_id, part)`` for a name such as
    ``fr/task_completed.html`` (``/``-separated, relative to a templates directory), or None
    when the name does not follow the rule. The event id is not checked against the catalog.
    """
    locale, sep, file = name.partition("/")
    if not sep or "/" in file or locale not in LOCALES:
        return None
    for part, suffix in PART_SUFFIXES.items():  # ".subject.txt" before ".txt"
        if file.endswith(suffix) and len(file) > len(suffix):
            return locale, file[: -len(suffix)], part
    return None


@functools.cache
def load_catalog() -> Catalog:
    """The shipped catalog (parsed once per process)."""
    return parse_catalog(CATALOG_PATH.read_text(encoding="utf-8"), str(CATALOG_PATH))


def parse_catalog(text: str, source: str = "catalog.toml") -> Catalog:
    """Build a Catalog from TOML text; ValueError naming the problem when it is inconsistent."""
    data = tomllib.loads(text)
    categories = {str(k): dict(v) for k, v in data.get("categories", {}).items()}
    shared = tuple(
        _variable(name, spec, source, shared=True) for name, spec in data.get("shared", {}).items()
    )
    library = {name: spec for name, spec in data.get("variables", {}).items()}
    events: list[EventSpec] = []
    seen: set[str] = set()
    for raw in data.get("events", []):
        event_id = raw["id"]
        if event_id in seen:
            raise ValueError(f"{source}: event {event_id!r} is defined twice")
        seen.add(event_id)
        if raw["category"] not in categories:
            raise ValueError(
                f"{source}: event {event_id!r} has unknown category {raw['category']!r}"
            )
        if set(raw["title"]) != set(LOCALES):
            raise ValueError(f"{source}: event {event_id!r} needs a title in {', '.join(LOCALES)}")
        overrides = raw.get("samples", {})
        variables = []
        for name in raw["variables"]:
            if name not in library:
                raise ValueError(f"{source}: event {event_id!r} uses undefined variable {name!r}")
            spec = dict(library[name])
            if name in overrides:
                spec["sample"] = overrides[name]
            variables.append(_variable(name, spec, source))
        unknown = set(overrides) - set(raw["variables"])
        if unknown:
            raise ValueError(f"{source}: event {event_id!r} has samples for {sorted(unknown)}")
        names = {v.name for v in variables} | {v.name for v in shared}
        if raw["cta"] not in names:
            raise ValueError(f"{source}: event {event_id!r}: cta {raw['cta']!r} is no variable")
        events.append(
            EventSpec(
                id=event_id,
                category=raw["category"],
                titles=dict(raw["title"]),
                description=raw["description"],
                variables=tuple(variables),
                cta=raw["cta"],
            )
        )
    return Catalog(events=events, shared=shared, categories=categories)


def _variable(name: str, spec: Mapping[str, Any], source: str, *, shared: bool = False) -> Variable:
    if spec.get("type") not in VARIABLE_TYPES:
        raise ValueError(f"{source}: variable {name!r} has unknown type {spec.get('type')!r}")
    sample = spec.get("sample")
    by_locale: dict[str, Any] = {}
    if isinstance(sample, Mapping):
        by_locale = dict(sample)
        sample = by_locale.get("en")
    return Variable(
        name=name,
        type=spec["type"],
        description=spec.get("description", ""),
        sample=sample,
        samples_by_locale=by_locale,
        optional=bool(spec.get("optional", False)),
        default=spec.get("default") if shared else None,
    )
