"""The terminal app (Textual). Only this package imports Textual; it presents the domain code."""

from __future__ import annotations

from pathlib import Path


def run_app(path: Path) -> int:
    """Open the app on the configuration file ``path`` (which may not exist yet)."""
    from mailtui.services.editor import ConfigEditor
    from mailtui.tui.app import MailtuiApp

    result = MailtuiApp(ConfigEditor(path)).run()
    return int(result or 0)


def run_sandbox_app(default_path: Path) -> int:
    """``mailtui --sandbox``: the app on a sandbox started for the session; nothing is
    written to ``default_path`` unless the user saves there."""
    from mailtui.tui.sandbox import run_sandbox_app as run

    return run(default_path)
