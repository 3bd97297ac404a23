"""What a user would read on the app's screen: the SVG screenshot's text, tags removed."""

from __future__ import annotations

import html
import re

from textual.app import App


def screen_text(app: App[object]) -> str:
    svg = app.export_screenshot()
    text = re.sub(r"<[^>]+>", "", svg)
    return html.unescape(text).replace("\u00a0", " ")
