"""The tab bar of the main screens: one tab per screen, labelled with its key (clickable).

A Static rather than Textual's Tabs: the screens switch on single keys (1-4, remappable),
and a one-line bar costs nothing at start-up."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.content import Content
from textual.widgets import Static

if TYPE_CHECKING:
    from mailtui.tui.app import MailtuiApp


class NavBar(Static):
    DEFAULT_CSS = """
    NavBar {
        height: 1;
        padding: 0 1;
        background: $panel;
        color: $text-muted;
    }
    NavBar .nav-active { text-style: bold reverse; }
    """

    def __init__(self, app: MailtuiApp, active: str) -> None:
        parts: list[Content | str] = []
        for mode, (_, _, label) in app.pages().items():
            text = f" {app.key_for('go.' + mode)} {label} "
            style = "bold reverse" if mode == active else ""
            parts.append(Content.styled(text, style).stylize(f"@click=app.go('{mode}')"))
            parts.append(" ")
        super().__init__(Content.assemble(*parts), id="nav")
