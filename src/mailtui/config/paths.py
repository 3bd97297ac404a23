"""Where mailtui keeps things: the config file, user presets, data (sandbox, Maildir)."""

from __future__ import annotations

import os
from pathlib import Path

APP = "mailtui"
CONFIG_ENV = "MAILTUI_CONFIG"
CONFIG_NAME = "mailtui.toml"
SANDBOX_CA_NAME = "ca.pem"


def user_config_dir() -> Path:
    import platformdirs

    return platformdirs.user_config_path(APP)


def user_data_dir() -> Path:
    import platformdirs

    return platformdirs.user_data_path(APP)


def user_presets_dir() -> Path:
    return user_config_dir() / "presets"


def sandbox_dir() -> Path:
    """``platformdirs.user_data_path("mailtui") / "sandbox"``: the sandbox's CA, server
    certificate and Maildir (made by :mod:`mailtui.sandbox.certs`)."""
    return user_data_dir() / "sandbox"


def sandbox_ca_path(directory: Path | None = None) -> Path:
    """Where the sandbox CA certificate is (it may not exist yet: see ensure_sandbox_certs).
    Here, not in the sandbox package, so that the ``sandbox`` preset and the lint can name it
    without depending on the sandbox."""
    return (directory or sandbox_dir()) / SANDBOX_CA_NAME


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
