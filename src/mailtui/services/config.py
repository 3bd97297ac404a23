"""Loading the settings and opening the file for editing: the first call of every front end."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mailtui.config.model import Settings
    from mailtui.config.store import ConfigStore
    from mailtui.javamail.overrides import Overrides

PathArg = str | os.PathLike[str] | None


def config_path(config: PathArg = None) -> Path:
    """The file to use: ``config``, else ``$MAILTUI_CONFIG``, else the user config dir."""
    from mailtui.config.paths import resolve_config_path

    return resolve_config_path(config)


def load(
    config: PathArg = None,
    *,
    overrides: Overrides | None = None,
    base: Settings | None = None,
    must_exist: bool = True,
    warn: Callable[[str], None] | None = None,
) -> Settings:
    """The validated settings of ``config`` (see :func:`config_path`), or ``base`` instead of
    a file (the sandbox's), with the one-run ``overrides`` applied (their notes go to
    ``warn``). With overrides the file may be absent. Raises ConfigError naming the file, line
    and field."""
    from mailtui.javamail.overrides import Overrides, apply_overrides

    overrides = overrides or Overrides()
    settings = base
    if settings is None:
        from mailtui.config.store import load_settings

        settings = load_settings(config_path(config), must_exist=must_exist and overrides.empty)
    if overrides.empty:
        return settings
    return apply_overrides(settings, overrides, warn=warn)


def open_store(config: PathArg = None, *, must_exist: bool = True) -> ConfigStore:
    """The :class:`~mailtui.config.store.ConfigStore` of ``config``, for editing and saving
    (atomic, 0600, comments kept, refuses to overwrite a file changed on disk)."""
    from mailtui.config.store import ConfigStore

    return ConfigStore.load(config_path(config), must_exist=must_exist)
