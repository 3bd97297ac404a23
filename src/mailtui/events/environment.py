"""The sandboxed Jinja2 environment shared by rendering and validation."""

from __future__ import annotations

import traceback
from pathlib import Path

from jinja2 import ChoiceLoader, FileSystemLoader, StrictUndefined, select_autoescape
from jinja2.sandbox import ImmutableSandboxedEnvironment

from mailtui.errors import Location
from mailtui.events.catalog import TEMPLATES_DIR
from mailtui.events.filters import FILTERS

# Variables the renderer adds to every template context, besides the catalog's.
BUILTIN_VARIABLES: frozenset[str] = frozenset({"locale"})


def build_environment(
    override_dir: Path | None = None, *, shipped_dir: Path | None = None
) -> ImmutableSandboxedEnvironment:
    """A sandbox that looks templates up in ``override_dir`` first, then in the shipped ones.

    HTML is autoescaped; subjects and text parts are not. Undefined variables are errors.
    """
    search = [str(override_dir)] if override_dir is not None else []
    search.append(str(shipped_dir or TEMPLATES_DIR))
    env = ImmutableSandboxedEnvironment(
        loader=ChoiceLoader([FileSystemLoader(path) for path in search]),
        undefined=StrictUndefined,
        autoescape=select_autoescape(
            enabled_extensions=("html", "htm"),
            disabled_extensions=("txt",),
            default_for_string=False,
            default=False,
        ),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.filters.update(FILTERS)
    return env


def template_location(exc: BaseException) -> Location | None:
    """The template file and line an exception was raised in, from Jinja's rewritten traceback."""
    found: Location | None = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename.endswith((".html", ".htm", ".txt")):
            found = Location(frame.filename, frame.lineno)
    return found
