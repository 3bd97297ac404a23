"""HTML parts as readable plain text for a terminal (the template browser, the inbox viewer):
headings underlined, paragraphs kept apart, links with their URL, tables laid out in columns,
hidden parts (``display:none``, such as a preheader) left out. The conversion is inscriptis's
(lxml, imported on first use only)."""

from __future__ import annotations

import re
import unicodedata

_LINK = re.compile(r"\[([^\[\]]*)\]\(([^()\s]*)\)")
_BLANK_RUNS = re.compile(r"\n{3,}")
_UNDERLINE = {"h1": "=", "h2": "-", "h3": "-"}


def html_to_text(html: str) -> str:
    """``html`` as plain text: never raises for malformed HTML (an empty or unparsable document
    gives an empty string); control characters other than line breaks and tabs are dropped."""
    if not html.strip():
        return ""
    from inscriptis import get_annotated_text
    from inscriptis.css_profiles import CSS_PROFILES
    from inscriptis.model.config import ParserConfig

    config = ParserConfig(css=CSS_PROFILES["strict"], display_links=True,
                          annotation_rules={tag: [tag] for tag in _UNDERLINE})
    try:
        result = get_annotated_text(html, config)
    except (ValueError, TypeError):  # lxml refuses some inputs (e.g. only a comment)
        return ""
    text: str = result["text"]
    # a terminal is the destination: control characters (escape sequences in a received
    # message) are dropped, line breaks and tabs kept
    text = "".join(ch if ch in "\n\t" or not unicodedata.category(ch).startswith("C")
                   else "" for ch in text)
    headings = {text.count("\n", 0, start): tag for start, _, tag in result["label"]}
    lines: list[str] = []
    for number, line in enumerate(text.split("\n")):
        line = _LINK.sub(_link, line.rstrip())
        lines.append(line)
        tag = headings.get(number)
        if tag is not None and line.strip():
            lines.append(_UNDERLINE[tag] * len(line.strip()))
    out = _BLANK_RUNS.sub("\n\n", "\n".join(lines)).strip("\n")
    return out + "\n" if out.strip() else ""


def _link(match: re.Match[str]) -> str:
    label, url = match.group(1).strip(), match.group(2)
    if not url or label == url:
        return url or label
    return f"{label} <{url}>" if label else f"<{url}>"
