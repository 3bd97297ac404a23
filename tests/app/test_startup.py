"""Start-up stays lean: the app imports the first screen only; the others when opened."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from mailtui.tui.app import SCREEN_BINDING_IDS

PROBE = """
import asyncio, sys
from pathlib import Path
from mailtui.services.editor import ConfigEditor
from mailtui.tui.app import MailtuiApp

async def main():
    app = MailtuiApp(ConfigEditor(Path(sys.argv[1])))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        first = sorted(m for m in sys.modules if m.startswith("mailtui.tui.screens."))
        await pilot.press("2")
        await pilot.pause()
        later = sorted(m for m in sys.modules if m.startswith("mailtui.tui.screens."))
    print("FIRST:" + ",".join(first))
    print("LATER:" + ",".join(later))

asyncio.run(main())
"""


def test_only_the_first_screen_is_imported_at_start(tmp_path: Path) -> None:
    config = tmp_path / "mailtui.toml"
    config.write_text('[server.properties]\n"mail.smtp.host" = "smtp.example.org"\n')
    out = subprocess.run([sys.executable, "-c", PROBE, str(config)], capture_output=True,
                         text=True, timeout=120, check=True,
                         env={"TERM": "xterm-256color", "HOME": str(tmp_path),
                              "PATH": "/usr/bin:/bin"}).stdout
    lines = dict(line.split(":", 1) for line in out.splitlines() if ":" in line)
    first = set(lines["FIRST"].split(","))
    assert first == {"mailtui.tui.screens.base", "mailtui.tui.screens.settings"}
    assert "mailtui.tui.screens.properties" in lines["LATER"].split(",")


def test_screen_binding_ids_are_listed_for_the_keymap() -> None:
    from textual.binding import Binding

    from mailtui.tui.screens.broken import BrokenScreen
    from mailtui.tui.screens.export import ExportScreen
    from mailtui.tui.screens.file_picker import FilePickerScreen
    from mailtui.tui.screens.inbox import InboxScreen
    from mailtui.tui.screens.keys import KeysScreen
    from mailtui.tui.screens.preset import PresetScreen
    from mailtui.tui.screens.preset_list import PresetListScreen
    from mailtui.tui.screens.properties import PropertiesScreen
    from mailtui.tui.screens.raw_editor import RawEditorScreen
    from mailtui.tui.screens.save_as import SaveAsScreen
    from mailtui.tui.screens.save_path import SavePathScreen
    from mailtui.tui.screens.settings import SettingsScreen
    from mailtui.tui.screens.templates import TemplatesScreen
    from mailtui.tui.screens.test_send import TestSendScreen
    from mailtui.tui.widgets.props_area import PropertiesArea

    ids = {b.id for cls in (BrokenScreen, KeysScreen, PresetScreen, RawEditorScreen,
                            InboxScreen, SaveAsScreen, TemplatesScreen, TestSendScreen,
                            SavePathScreen, SettingsScreen, PropertiesScreen,
                            FilePickerScreen, PresetListScreen, ExportScreen, PropertiesArea)
           for b in cls.BINDINGS if isinstance(b, Binding)}
    assert ids == set(SCREEN_BINDING_IDS)
