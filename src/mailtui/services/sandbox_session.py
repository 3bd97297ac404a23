"""``sandbox``: what a front end needs to run on the embedded sandbox (``mailtui --sandbox``):
a document holding the sandbox's settings that belongs to no file until the user saves it,
whether a document still points at this session's sandbox, and a message's MIME structure
as lines."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

    from mailtui.sandbox.embedded import MimeNode, SandboxInfo
    from mailtui.services.editor import ConfigEditor


def sandbox_document(info: SandboxInfo) -> str:
    """The TOML of the sandbox's settings (its preset with this session's ports, its login),
    with a header saying where it came from, should it be saved."""
    import tomlkit

    from mailtui.sandbox.server import SANDBOX_PASSWORD

    server = info.settings.server
    doc = tomlkit.document()
    for line in (
        f"Made by `mailtui --sandbox`: the sandbox of that session ({info.host}:{info.port}),",
        "which stopped when mailtui quit. For the sandbox `mailtui sandbox` keeps running",
        "(port 2525): `mailtui preset sandbox`; for a real provider: `mailtui presets`.",
    ):
        doc.add(tomlkit.comment(line))
    table = tomlkit.table()
    table.add("enabled", True)
    table.add("username", server.username or info.username)
    table.add("password", SANDBOX_PASSWORD)
    table["password"].comment("the sandbox's public password (README: The sandbox)")
    table.add("default_sender", server.default_sender or "")
    table.add("test_recipient", server.test_recipient or "")
    props = tomlkit.table()
    for key, value in server.properties.items():
        props.add(key, value)
    table.add("properties", props)
    doc.add("server", table)
    return doc.as_string()


def sandbox_editor(info: SandboxInfo, default_path: Path) -> ConfigEditor:
    """An editor on the sandbox's settings: nothing is read from or written to
    ``default_path`` until the user saves there (``ConfigEditor.save_as``)."""
    from mailtui.services.editor import ConfigEditor

    return ConfigEditor(default_path, unsaved_text=sandbox_document(info))


def points_at_session(properties: Mapping[str, str], info: SandboxInfo) -> bool:
    """Whether these properties still send to this session's sandbox (gone once it stops)."""
    host = properties.get("mail.smtp.host") or properties.get("mail.host")
    port = properties.get("mail.smtp.port", "").strip()
    return host == info.host and port in (str(info.port), str(info.tls_port))


def mime_lines(node: MimeNode) -> list[str]:
    """The structure as an indented tree, one part a line: type, charset, disposition,
    file name, decoded size (``multipart/alternative (2 parts, 1.4 KiB)``)."""
    lines: list[str] = []
    _walk(node, "", "", lines)
    return lines


def _walk(node: MimeNode, lead: str, rest: str, lines: list[str]) -> None:
    from mailtui.sandbox.store import human_size, printable_text

    details = []
    if node.children:
        details.append(f"{len(node.children)} part{'s' if len(node.children) != 1 else ''}")
    if node.charset:
        details.append(node.charset)
    if node.disposition:
        details.append(node.disposition)
    if node.filename:
        details.append(repr(printable_text(node.filename)))
    details.append(human_size(node.size))
    lines.append(f"{lead}{node.content_type} ({', '.join(details)})")
    for i, child in enumerate(node.children):
        last = i == len(node.children) - 1
        _walk(child, rest + ("└─ " if last else "├─ "), rest + ("   " if last else "│  "), lines)
