"""Text helpers shared by the screens (no widgets: plain strings for Static/Content)."""

from __future__ import annotations

from pathlib import Path

SECURITY_SHORT = {
    "none": "no TLS",
    "starttls-optional": "STARTTLS if offered",
    "starttls-required": "STARTTLS required",
    "implicit-tls": "implicit TLS",
}


def display_path(path: Path) -> str:
    """The path with the home directory shown as ``~`` (shorter, and stable in snapshots)."""
    try:
        return "~/" + str(path.expanduser().absolute().relative_to(Path.home()))
    except ValueError:
        return str(path)


def rows(pairs: list[tuple[str, str]], width: int = 18) -> str:
    return "\n".join(f"{name:<{width}}{value}" for name, value in pairs)
