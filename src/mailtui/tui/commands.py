"""The command palette (ctrl+p): every command is "category: action"."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import partial
from typing import TYPE_CHECKING

from textual.app import SystemCommand

if TYPE_CHECKING:
    from mailtui.tui.app import MailtuiApp


def preset_title(name: str) -> str:
    """"Microsoft 365 / Office 365 (STARTTLS, port 587)" -> "Microsoft 365 / Office 365"."""
    return re.sub(r"\s*\([^)]*\)\s*$", "", name) or name


def palette_commands(app: MailtuiApp) -> Iterator[SystemCommand]:
    from mailtui.javamail.presets import all_presets

    for mode, (_, _, label) in app.pages().items():
        yield SystemCommand(f"go: {label}", f"open the {label} screen "
                            f"(key {app.key_for('go.' + mode)})", partial(app.action_go, mode))
    for title, help_text, action in (
        ("Send test message", "send the test message with the current (unsaved) settings, "
         "watching the SMTP conversation", "send"),
        ("Probe server", "what the server offers before and after TLS, its certificate "
         "(no mail, no password)", "probe"),
        ("Copy transcript", "the last transcript, redacted, to the clipboard (OSC 52)", "copy"),
        ("Copy for a ticket", "plan, result and transcript as plain text (redacted)",
         "copy_ticket"),
        ("Save transcript", "plan, result and transcript to a file (redacted, 0600)",
         "save_transcript"),
    ):
        yield SystemCommand(f"send: {title}", help_text, partial(app.test_send, action))
    yield SystemCommand("file: Save", f"write {app.editor.path} (ctrl+s)", app.action_save)
    yield SystemCommand("file: Reload from disk", "read the file again, dropping unsaved changes",
                        app.reload_document)
    presets, _ = all_presets()
    titles = [preset_title(p.name) for p in presets.values()]
    for preset, title in zip(presets.values(), titles, strict=True):
        extra = f"; asks for {', '.join(preset.parameters)}" if preset.parameters else ""
        yield SystemCommand(f"preset: Apply {title if titles.count(title) == 1 else preset.name}",
                            f"{preset.id}: {preset.name}{extra}",
                            partial(app.apply_preset, preset.id))
    for name, source in app.theme_sources.items():
        origin = "shipped" if source.startswith("built-in:") else source
        yield SystemCommand(f"theme: {name}", f"switch to it and save it as ui.theme ({origin})",
                            partial(app.choose_theme, name))
    yield SystemCommand("app: Keys", "every key and its binding id (for [keymap])",
                        app.action_keys)
    yield SystemCommand("app: Quit", "quit (asks first when there are unsaved changes)",
                        app.action_quit)
