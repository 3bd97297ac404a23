"""Helpers for the Pilot tests of the terminal app."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from mailtui.services.editor import ConfigEditor
from mailtui.tui.app import MailtuiApp

SIZE = (80, 24)

EXAMPLE = """\
# Outgoing mail for the records system
[server]
username = "notifications@example.org"   # the login
test_recipient = "admin@example.org"
future_option = 42

[server.properties]
"mail.smtp.host" = "smtp.example.org"   # the old relay
"mail.smtp.port" = "25"
"mail.smtp.dsn.notify" = "FAILURE"
"""


class RecordingApp(MailtuiApp):
    """The app, recording every notification it shows (the text a user would read)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.notes: list[tuple[str, str]] = []
        super().__init__(*args, **kwargs)

    def notify(self, message: str, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        self.notes.append((str(message), str(kwargs.get("severity", "information"))))
        super().notify(message, *args, **kwargs)


def make_app(path: Path, user_themes: Path | None = None) -> RecordingApp:
    return RecordingApp(ConfigEditor(path), user_themes=user_themes)


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "mailtui.toml"
    path.write_text(EXAMPLE)
    path.chmod(0o600)
    return path


@pytest.fixture(autouse=True)
def _colour_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """A 256-colour terminal, so the default theme is the same wherever the tests run."""
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.delenv("COLORTERM", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
