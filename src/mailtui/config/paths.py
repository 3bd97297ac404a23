"""Where mailtui keeps things: the config file, user presets, data (sandbox, Maildir)."""

from __future__ import annotations

import os
from pathlib import Path

APP = "mailtui"
CONFIG_ENV = "MAILTUI_CONFIG"
CONFIG_NAME = "mailtui.toml"


def user_config_dir() -> Path:
    import platformdirs

    return platformdirs.user_config_path(APP)


def user_data_dir() -> Path:
    import platformdirs

    return platformdirs.user_data_path(APP)


def user_presets_dir() -> Path:
    return user_config_dir() / "presets"


def resolve_config_path(cli_value: str | os.PathLike[str] | None = None) -> Path:
    """``--config PATH``, else ``$MAILTUI_CONFIG``, else the user config dir (SPEC §2)."""
    if cli_value:
        return Path(cli_value).expanduser()
    env = os.environ.get(CONFIG_ENV)
    if env:
        return Path(env).expanduser()
    return user_config_dir() / CONFIG_NAME


def relative_to_config(value: str, config_file: Path | None) -> Path:
    """A path setting: ``~`` expanded, a relative path taken from the configuration file's
    folder (as ``smime.certificate``, ``templates.directory``, ``mailtui.ssl.cafile``)."""
    candidate = Path(value).expanduser()
    if candidate.is_absolute() or config_file is None:
        return candidate
    return config_file.parent / candidate
