"""An HTML part as readable text for a terminal (Textual renders no HTML): headings and
paragraphs as blocks, lists as bullets, tables as aligned columns, links with their URL.

Uses inscriptis (Apache-2.0, built on lxml), imported on first use only."""

from __future__ import annotations

import re
import unicodedata


def html_to_text(html: str) -> str:
    """``html`` (a part or a whole document, possibly malformed) as plain text. Control
    characters other than line breaks and tabs are dropped (the text goes to a terminal);
    runs of blank lines are kept to one."""
    if not html.strip():
        return ""
    from inscriptis import get_text
    from inscriptis.css_profiles import CSS_PROFILES
    from inscriptis.model.config import ParserConfig

    config = ParserConfig(css=CSS_PROFILES["strict"], display_links=True)
    try:
        text = get_text(html, config)
    except ValueError:  # what lxml cannot parse at all (e.g. only an XML declaration)
        text = ""
    text = "".join(ch for ch in text
                   if ch in "\n\t" or not unicodedata.category(ch).startswith("C"))
    lines = [line.rstrip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")
