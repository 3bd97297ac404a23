"""Themes as data files: the ones shipped in the package (``mailtui/themes/*.toml``) and the
user's own (``themes/*.toml`` in the user config dir), turned into Textual Theme objects.

A broken file never stops the app: it is skipped and reported (file, line or field)."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from textual.color import Color, ColorParseError
from textual.theme import Theme

SHIPPED = Path(__file__).resolve().parent.parent / "themes"
DEFAULT_THEME = "mailtui-dark"
ANSI_THEME = "mailtui-ansi"
NO_COLOR_THEME = "mailtui-no-color"
COLOURS = ("primary", "secondary", "warning", "error", "success", "accent", "foreground",
           "background", "surface", "panel", "boost")
NUMBERS = ("luminosity_spread", "text_alpha")
FLAGS = ("dark", "ansi")


class ThemeFileError(ValueError):
    """A theme file that cannot be used; the message names the file and the field."""


@dataclass
class ThemeSet:
    themes: dict[str, Theme] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)  # theme name -> file it came from
    problems: list[str] = field(default_factory=list)


def parse_theme(text: str, source: str) -> Theme:
    """One theme file's text -> Theme; ThemeFileError naming ``source`` and the field."""
    try:
        data: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ThemeFileError(f"{source}: not valid TOML: {exc}") from None
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ThemeFileError(f'{source}: name: required, a string such as name = "my-theme"')
    known = {"name", "variables", *COLOURS, *NUMBERS, *FLAGS}
    for key in data:
        if key not in known:
            raise ThemeFileError(f"{source}: {key}: unknown field (known: "
                                 f"{', '.join(sorted(known))})")
    kwargs: dict[str, Any] = {"name": name.strip()}
    for key in COLOURS:
        if key in data:
            kwargs[key] = _colour(source, key, data[key])
    if "primary" not in kwargs:
        raise ThemeFileError(f'{source}: primary: required, a colour such as "#3d8fd6"')
    for key in NUMBERS:
        if key in data:
            value = data[key]
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not (
                    0 <= value <= 1):
                raise ThemeFileError(f"{source}: {key}: must be a number from 0 to 1, "
                                     f"not {value!r}")
            kwargs[key] = float(value)
    for key in FLAGS:
        if key in data:
            if not isinstance(data[key], bool):
                raise ThemeFileError(f"{source}: {key}: must be true or false, "
                                     f"not {data[key]!r}")
            kwargs[key] = data[key]
    variables = data.get("variables", {})
    if not isinstance(variables, dict):
        raise ThemeFileError(f"{source}: variables: must be a table ([variables])")
    for key, value in variables.items():
        if not isinstance(value, str):
            raise ThemeFileError(f"{source}: variables.{key}: must be a string, not {value!r}")
        problem = _variable_problem(key, value)
        if problem:
            raise ThemeFileError(f"{source}: variables.{key}: {problem}")
    kwargs["variables"] = dict(variables)
    if kwargs.get("ansi"):  # Textual's stylesheet needs these with ANSI colours
        dark = kwargs.get("dark", True)
        kwargs["variables"].setdefault("ansi-background", "ansi_black" if dark else "ansi_white")
        kwargs["variables"].setdefault("ansi-foreground", "ansi_white" if dark else "ansi_black")
    return Theme(**kwargs)


TEXT_STYLES = frozenset({"bold", "dim", "italic", "underline", "underline2", "reverse",
                         "strike", "blink", "none", "not", "overline"})


def _variable_problem(key: str, value: str) -> str | None:
    """A variable Textual's stylesheet would refuse (and so crash on): a text style with an
    unknown word, or a colour (optionally "NN%" opacity) that does not parse."""
    words = value.split()
    if key.endswith("text-style"):
        bad = [w for w in words if w not in TEXT_STYLES]
        return (f"{' '.join(bad)!r} is not a text style (use {', '.join(sorted(TEXT_STYLES))})"
                if bad or not words else None)
    if not words or len(words) > 2 or (len(words) == 2 and not re.fullmatch(
            r"\d{1,3}%", words[1])):
        return f'{value!r} is not a colour (use "#rrggbb", "#rrggbb 50%" or "ansi_blue")'
    try:
        Color.parse(words[0])
    except ColorParseError:
        return f'{value!r} is not a colour (use "#rrggbb", "#rrggbb 50%" or "ansi_blue")'
    return None


def _colour(source: str, key: str, value: Any) -> str:
    if not isinstance(value, str):
        raise ThemeFileError(f"{source}: {key}: must be a colour string, not {value!r}")
    try:
        Color.parse(value)
    except ColorParseError:
        raise ThemeFileError(
            f'{source}: {key}: {value!r} is not a colour (use "#rrggbb", a colour name or '
            f'"ansi_blue")') from None
    return value


def user_themes_dir() -> Path:
    from mailtui.config.paths import user_config_dir

    return user_config_dir() / "themes"


def load_themes(user_dir: Path | None = None) -> ThemeSet:
    """The shipped themes, then the user's (a user theme with the same name wins)."""
    found = ThemeSet()
    for entry in sorted(SHIPPED.glob("*.toml")):  # package data, installed as plain files
        _add(found, entry.read_text(encoding="utf-8"), f"built-in:{entry.name}")
    directory = user_dir if user_dir is not None else user_themes_dir()
    if directory.is_dir():
        for path in sorted(directory.glob("*.toml")):
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                found.problems.append(f"{path}: cannot read: {exc}")
                continue
            _add(found, text, str(path))
    return found


def _add(found: ThemeSet, text: str, source: str) -> None:
    try:
        theme = parse_theme(text, source)
    except ThemeFileError as exc:
        found.problems.append(str(exc))
        return
    found.themes[theme.name] = theme
    found.sources[theme.name] = source
