"""The Server-properties editor under Pilot at 80x24: the seed's lines pasted, the marks and
messages on the right lines, completion from the catalog, the live effective connection, the
preset picker and the export, with the document (and the file) following."""

from __future__ import annotations

import stat
from pathlib import Path

from textual import events
from textual.pilot import Pilot
from textual.widgets import Static

from mailtui.tui.screens.export import ExportScreen
from mailtui.tui.screens.preset import PresetScreen
from mailtui.tui.screens.preset_list import PresetListScreen
from mailtui.tui.screens.properties import PropertiesScreen
from mailtui.tui.widgets.props_area import PropertiesArea
from tests.app.conftest import EXAMPLE, SIZE, make_app
from tests.unit.test_cli_config import SEED_GMAIL, SEED_OFFICE365


async def open_editor(pilot: Pilot[int]) -> PropertiesArea:
    await pilot.pause()
    await pilot.press("2")
    await pilot.pause()
    assert isinstance(pilot.app.screen, PropertiesScreen)
    area = pilot.app.screen.query_one(PropertiesArea)
    area.focus()
    return area


async def paste(pilot: Pilot[int], area: PropertiesArea, text: str) -> None:
    """Replace the text as a terminal paste (bracketed paste) would."""
    area.select_all()
    pilot.app.post_message(events.Paste(text))  # the app forwards it to the focused widget
    await pilot.pause()
    await pilot.pause()


def shown(pilot: Pilot[int], selector: str) -> str:
    return str(pilot.app.screen.query_one(selector, Static).render())


async def test_pasting_the_seeds_office365_lines(config: Path) -> None:
    app = make_app(config)
    async with app.run_test(size=SIZE) as pilot:
        area = await open_editor(pilot)
        await paste(pilot, area, SEED_OFFICE365)
        panel = shown(pilot, "#panel-text")
        assert "smtp.office365.com:587" in panel and "STARTTLS required" in panel
        assert app.editor.properties()["mail.smtp.starttls.required"] == "true"
        assert app.editor.modified and "[modified]" in app.sub_title
        await pilot.press("ctrl+s")
        await pilot.pause()
    text = config.read_text()
    assert '"mail.smtp.host" = "smtp.office365.com"' in text
    assert text.startswith("# Outgoing mail for the records system\n")  # comments kept
    assert "future_option = 42" in text
    assert stat.S_IMODE(config.stat().st_mode) == 0o600


async def test_pasting_the_seeds_gmail_lines_repairs_them(config: Path) -> None:
    app = make_app(config)
    async with app.run_test(size=SIZE) as pilot:
        area = await open_editor(pilot)
        await paste(pilot, area, SEED_GMAIL)
        panel = shown(pilot, "#panel-text")
        assert "smtp.gmail.com:465" in panel and "implicit TLS" in panel
        assert "L5 " in shown(pilot, "#diag-text")  # the class line, with its repair
        assert "fix (applied)" in shown(pilot, "#diag-text")
        assert 4 in area.marks  # 0-based: line 5 is marked
        props = app.editor.properties()
        assert props["mail.smtp.socketFactory.class"] == "javax.net.ssl.SSLSocketFactory"
        assert area.text == SEED_GMAIL  # the text as pasted stays on screen


async def test_a_typo_key_shows_its_did_you_mean_on_its_line(config: Path) -> None:
    app = make_app(config)
    async with app.run_test(size=SIZE) as pilot:
        area = await open_editor(pilot)
        await paste(pilot, area, "mail.smtp.host=smtp.example.org\n"
                                 "mail.smtp.starttls.enabled=true\n")
        listing = shown(pilot, "#diag-text").splitlines()
        typo = [line for line in listing if "mail.smtp.starttls.enabled" in line]
        assert typo and typo[0].startswith("L2 ") and "mail.smtp.starttls.enable" in typo[0]
        assert "did you mean" in typo[0].lower() or "mail.smtp.starttls.enable?" in typo[0]
        assert area.marks.get(1) == "warning" or area.marks.get(1) == "error"
        assert 0 not in area.marks
        area.move_cursor((1, 3))
        await pilot.pause()
        assert "mail.smtp.starttls.enable" in shown(pilot, "#props-help")


async def test_completion_and_the_meaning_of_the_line(config: Path) -> None:
    app = make_app(config)
    async with app.run_test(size=SIZE) as pilot:
        area = await open_editor(pilot)
        area.move_cursor((area.document.line_count - 1, 0))
        await pilot.press(*"mail.smtp.startt")
        await pilot.pause()
        assert area.suggestion == "ls.enable"
        assert "mail.smtp.starttls.required" in shown(pilot, "#props-help")
        await pilot.press("tab", *"true")
        await pilot.pause()
        assert app.editor.properties()["mail.smtp.starttls.enable"] == "true"
        assert "STARTTLS" in shown(pilot, "#panel-text")
        area.move_cursor((1, 2))
        await pilot.pause()
        assert "mail.smtp.port (" in shown(pilot, "#props-help")
        assert "default 25" in shown(pilot, "#props-help")


async def test_preset_picker_from_the_editor(config: Path) -> None:
    app = make_app(config)
    async with app.run_test(size=SIZE) as pilot:
        area = await open_editor(pilot)
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert isinstance(app.screen, PresetListScreen)
        assert "learn.microsoft.com" in shown(pilot, "#preset-notes") or \
            "docs:" in shown(pilot, "#preset-notes")
        await pilot.press("enter")  # the first: Office 365
        await pilot.pause()
        assert isinstance(app.screen, PresetScreen)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, PropertiesScreen)
        assert "mail.smtp.host=smtp.office365.com" in area.text
        assert "mail.smtp.dsn.notify=FAILURE" in area.text  # not a connection key: kept
        assert "smtp.office365.com:587" in shown(pilot, "#panel-text")


async def test_export_to_a_file_and_to_the_clipboard(config: Path, tmp_path: Path) -> None:
    app = make_app(config)
    async with app.run_test(size=SIZE) as pilot:
        await open_editor(pilot)
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert isinstance(app.screen, ExportScreen)
        await pilot.press("enter")
        await pilot.pause()
        out = tmp_path / "mail.properties"
        assert "mail.smtp.host=smtp.example.org" in out.read_text()
        assert stat.S_IMODE(out.stat().st_mode) == 0o600
        await pilot.press("ctrl+r")
        await pilot.pause()
        await pilot.press("ctrl+y")
        await pilot.pause()
        assert "mail.smtp.host=smtp.example.org" in app.clipboard
        assert any(n.startswith("Copied") for n, _ in app.notes)


async def test_opening_the_editor_changes_nothing(config: Path) -> None:
    app = make_app(config)
    async with app.run_test(size=SIZE) as pilot:
        await open_editor(pilot)
        await pilot.press("escape", "1")  # escape leaves the text: 1 is a screen key again
        await pilot.pause()
        assert not app.editor.modified
    assert config.read_text() == EXAMPLE
