"""Provider presets: TOML data files shipped in the package, plus the user's own.

A preset file holds ``id``, ``name``, ``doc`` (link to the provider's documentation), ``notes``,
optional ``[parameters.NAME]`` (``default``, ``description``, ``pattern``), ``[properties]``
whose values may use ``{NAME}`` placeholders, and an optional ``[server]`` table (``username``,
``default_sender``, ``test_recipient``) filled in only where the configuration leaves them
empty. ``{sandbox_ca}`` is filled with the sandbox's CA.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from mailtui.errors import ConfigError, Location
from mailtui.javamail.catalog import line_break_problem

# Keys a preset owns: applying one replaces exactly these and keeps every other property.
_CONNECTION_SUFFIXES = (
    "host", "port", "user", "auth", "auth.mechanisms", "ssl.enable", "ssl.trust",
    "ssl.checkserveridentity", "ssl.protocols", "ssl.ciphersuites", "ssl.socketFactory.class",
    "ssl.socketFactory.port", "ssl.socketFactory.fallback", "starttls.enable",
    "starttls.required", "socketFactory.class", "socketFactory.port", "socketFactory.fallback",
)
_CONNECTION_GLOBALS = ("mail.host", "mail.transport.protocol", "mailtui.ssl.cafile",
                       "mailtui.ssl.fingerprint", "mailtui.ssl.certfile", "mailtui.ssl.keyfile")
_AUTH_DISABLE = re.compile(r"^mail\.smtps?\.auth\.[a-z0-9-]+\.disable$")
_PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)\}")
# What a preset's optional [server] table may fill in (only where the file leaves it empty).
PRESET_SERVER_KEYS = ("username", "default_sender", "test_recipient")


def is_connection_key(key: str) -> bool:
    if key in _CONNECTION_GLOBALS or _AUTH_DISABLE.match(key):
        return True
    for prefix in ("mail.smtp.", "mail.smtps."):
        if key.startswith(prefix) and key[len(prefix):] in _CONNECTION_SUFFIXES:
            return True
    return False


@dataclass(frozen=True)
class Parameter:
    name: str
    default: str | None
    description: str
    pattern: str | None = None


@dataclass(frozen=True)
class Preset:
    id: str
    name: str
    doc: str
    notes: tuple[str, ...]
    properties: dict[str, str]
    parameters: dict[str, Parameter] = field(default_factory=dict)
    source: str = "built-in"
    server: dict[str, str] = field(default_factory=dict)  # [server] keys set only when empty

    def render(self, params: Mapping[str, str] | None = None) -> dict[str, str]:
        """The properties with placeholders filled; ConfigError for a bad or missing value."""
        values = {name: p.default for name, p in self.parameters.items()}
        for name, given in (params or {}).items():
            if name not in self.parameters:
                known = ", ".join(self.parameters) or "none"
                raise ConfigError(f"preset {self.id} has no parameter {name!r} (known: {known})")
            values[name] = given
        for name, parameter in self.parameters.items():
            value = values.get(name)
            if value is None:
                raise ConfigError(f"preset {self.id} needs --param {name}=VALUE",
                                  hint=parameter.description)
            problem = line_break_problem(value)
            if problem:
                raise ConfigError(f"preset {self.id}: --param {name} holds {problem}",
                                  hint="a property value is one line")
            if parameter.pattern and not re.fullmatch(parameter.pattern, value):
                raise ConfigError(f"preset {self.id}: {value!r} is not a valid {name}",
                                  hint=parameter.description)

        def fill(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in values:
                return str(values[name])
            if name == "sandbox_ca":
                from mailtui.config.paths import sandbox_ca_path

                return str(sandbox_ca_path())
            raise ConfigError(f"preset {self.id}: unknown placeholder {{{name}}}")

        return {key: _PLACEHOLDER.sub(fill, value) for key, value in self.properties.items()}


def _parse(text: str, source: str) -> Preset:
    try:
        data: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"preset is not valid TOML: {exc}", location=Location(source)) from None
    try:
        properties = data["properties"]
        preset_id = data["id"]
        if not isinstance(properties, dict) or not all(
            isinstance(v, str) for v in properties.values()
        ):
            raise TypeError("[properties] values must be strings")
        parameters = {
            name: Parameter(name, spec.get("default"), spec.get("description", ""),
                            spec.get("pattern"))
            for name, spec in data.get("parameters", {}).items()
        }
        server = data.get("server", {})
        if not isinstance(server, dict) or not all(
            key in PRESET_SERVER_KEYS and isinstance(value, str) for key, value in server.items()
        ):
            raise TypeError(f"[server] may only set {', '.join(PRESET_SERVER_KEYS)} (strings)")
        return Preset(
            id=str(preset_id),
            name=str(data.get("name", preset_id)),
            doc=str(data.get("doc", "")),
            notes=tuple(str(n) for n in data.get("notes", ())),
            properties=dict(properties),
            parameters=parameters,
            source=source,
            server=dict(server),
        )
    except (KeyError, TypeError, AttributeError) as exc:
        raise ConfigError(f"preset file is incomplete: {exc}", location=Location(source),
                          hint='a preset needs id = "...", and a [properties] table') from None


def builtin_presets() -> dict[str, Preset]:
    found: dict[str, Preset] = {}
    folder = resources.files("mailtui.javamail") / "presets"
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            preset = _parse(entry.read_text(encoding="utf-8"), f"built-in:{entry.name}")
            found[preset.id] = preset
    return found


def user_presets(directory: Path | None = None) -> tuple[dict[str, Preset], list[ConfigError]]:
    """Presets from the user's ``presets/`` dir; broken files are returned as errors."""
    from mailtui.config.paths import user_presets_dir

    folder = directory or user_presets_dir()
    found: dict[str, Preset] = {}
    problems: list[ConfigError] = []
    if not folder.is_dir():
        return found, problems
    for path in sorted(folder.glob("*.toml")):
        try:
            preset = _parse(path.read_text(encoding="utf-8"), str(path))
        except (ConfigError, OSError, UnicodeDecodeError) as exc:
            problems.append(exc if isinstance(exc, ConfigError) else ConfigError(
                f"cannot read preset: {exc}", location=Location(str(path))))
            continue
        found[preset.id] = preset
    return found, problems


def all_presets(user_dir: Path | None = None) -> tuple[dict[str, Preset], list[ConfigError]]:
    """Built-in presets, then the user's (a user preset with the same id wins)."""
    presets = builtin_presets()
    mine, problems = user_presets(user_dir)
    presets.update(mine)
    return presets, problems


def get_preset(preset_id: str, user_dir: Path | None = None) -> Preset:
    import difflib

    presets, _ = all_presets(user_dir)
    if preset_id in presets:
        return presets[preset_id]
    close = difflib.get_close_matches(preset_id, list(presets), n=1)
    raise ConfigError(
        f"no preset named {preset_id!r}",
        hint=(f"did you mean {close[0]}? " if close else "") + "`mailtui presets` lists them",
    )


def apply_preset(current: Mapping[str, str], rendered: Mapping[str, str]) -> dict[str, str]:
    """Replace the connection keys of ``current`` with the preset's; keep everything else."""
    result = {k: v for k, v in current.items() if not is_connection_key(k)}
    result.update(rendered)
    # Keep the preset's keys in the order the preset lists them, first.
    ordered = {k: result[k] for k in rendered}
    ordered.update((k, v) for k, v in result.items() if k not in ordered)
    return ordered
