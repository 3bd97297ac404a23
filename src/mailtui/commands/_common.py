"""Helpers shared by command modules: loading the settings named on the command line."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from mailtui.config.model import Settings


def load_settings_from_args(args: argparse.Namespace, *, must_exist: bool = True) -> Settings:
    """Load the configuration file chosen by --config / $MAILTUI_CONFIG / the user dir."""
    from mailtui.config.paths import resolve_config_path
    from mailtui.config.store import load_settings

    path = resolve_config_path(getattr(args, "config", None))
    return load_settings(path, must_exist=must_exist)


def print_json(data: Any) -> None:
    json.dump(data, sys.stdout, indent=2, ensure_ascii=False, default=str)
    sys.stdout.write("\n")
