"""mailtui: set up, test and use the outgoing email account of an application.

The public Python API is imported lazily so that ``import mailtui`` stays cheap::

    from mailtui import load_config, Mailer
"""

from __future__ import annotations

from typing import TYPE_CHECKING

__version__ = "0.1.0"
__all__ = ["Mailer", "__version__", "load_config"]

if TYPE_CHECKING:  # pragma: no cover
    from mailtui.api import Mailer, load_config


def __getattr__(name: str) -> object:
    if name in ("load_config", "Mailer"):
        from mailtui import api

        return getattr(api, name)
    raise AttributeError(f"module 'mailtui' has no attribute {name!r}")
