"""The Templates screen under Pilot at 80x24: filter, preview, sample values, locale, saving
an override (then `mailtui render` in a subprocess prints it), revert after confirming, broken
overrides, send as a test, open in a browser. Files on disk are checked."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, OptionList, Static, TabbedContent, Tabs, TextArea

from mailtui.tui.screens.dialogs import ChoiceScreen
from mailtui.tui.screens.templates import TemplatesScreen
from tests.app.conftest import SIZE, make_app

CONFIG = """\
[server]
username = "notifications@example.org"
test_recipient = "admin@example.org"

[templates]
directory = "templates"
"""
OVERRIDE = Path("templates/en/task_assigned_to_you.subject.txt")


@pytest.fixture
def home(tmp_path: Path) -> Path:
    path = tmp_path / "mailtui.toml"
    path.write_text(CONFIG)
    path.chmod(0o600)
    return path


def shown(pilot: Pilot[int], selector: str) -> str:
    return str(pilot.app.screen.query_one(selector, Static).content)


async def settle(pilot: Pilot[int]) -> None:
    """Let the preview worker finish and its message reach the screen (after the pause that
    ends typing)."""
    await pilot.pause(0.3)
    for _ in range(3):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def open_templates(pilot: Pilot[int]) -> TemplatesScreen:
    await pilot.pause()
    await pilot.press("3")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, TemplatesScreen)
    return screen


async def choose(pilot: Pilot[int], event_id: str) -> None:
    events = pilot.app.screen.query_one("#tpl-events", OptionList)
    events.highlighted = events.get_option_index(event_id)
    await settle(pilot)


async def edit_source(pilot: Pilot[int], part: str, text: str) -> None:
    screen = pilot.app.screen
    screen.query_one("#tpl-tabs", TabbedContent).active = "tab-source"
    screen.query_one("#src-parts", Tabs).active = f"part-{part}"
    await pilot.pause()
    area = screen.query_one("#src", TextArea)
    area.focus()
    area.select_all()
    await pilot.press(*text)
    await settle(pilot)


async def test_filter_finds_an_event_by_its_french_title(home: Path) -> None:
    app = make_app(home)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_templates(pilot)
        await choose(pilot, "task_deleted")
        await pilot.press("ctrl+f")
        await pilot.press(*"nouvelle tache vous est")  # no accents needed
        await settle(pilot)
        events = screen.query_one("#tpl-events", OptionList)
        ids = [events.get_option_at_index(i).id for i in range(events.option_count)]
        assert ids == ["cat-tasks", "task_assigned_to_you"]
        assert screen.query_one("#tpl-filter", Input).value == "nouvelle tache vous est"
        assert shown(pilot, "#tpl-title").startswith("task_assigned_to_you · en ·")


async def test_french_preview_of_task_assigned_to_you(home: Path) -> None:
    app = make_app(home)
    async with app.run_test(size=SIZE) as pilot:
        await open_templates(pilot)
        await choose(pilot, "task_assigned_to_you")
        assert shown(pilot, "#tpl-subject").startswith("Subject: Task assigned to you:")
        await pilot.press("ctrl+l")  # one key switches the locale
        await settle(pilot)
        assert shown(pilot, "#tpl-subject") == (
            "Subject: Tâche qui vous est assignée : Réviser le calendrier de conservation 2025")
        assert "Bonjour Marie Tremblay" in shown(pilot, "#pv-text")
        html = shown(pilot, "#pv-html")
        assert "Une tâche vous est assignée\n===" in html and "<td" not in html
        assert "<https://records.example.org/#!displayTask/00000042>" in html
        assert "· fr ·" in shown(pilot, "#tpl-title")


async def test_editing_a_sample_value_changes_the_preview(home: Path) -> None:
    app = make_app(home)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_templates(pilot)
        await choose(pilot, "task_assigned_to_you")
        screen.query_one("#tpl-tabs", TabbedContent).active = "tab-vars"
        await pilot.pause()
        field = next(i for i in screen.query(".sample").results(Input) if i.name == "task_title")
        field.focus()
        field.value = ""
        await pilot.press(*"Audit 2026")
        await settle(pilot)
        assert shown(pilot, "#tpl-subject") == "Subject: Task assigned to you: Audit 2026"
        assert "Audit 2026" in shown(pilot, "#pv-text")
        assert "Audit 2026" in shown(pilot, "#pv-html")
    assert not (home.parent / "templates").exists()  # sample values are never saved


async def test_saving_an_override_is_what_mailtui_render_prints(home: Path) -> None:
    app = make_app(home)
    async with app.run_test(size=SIZE) as pilot:
        await open_templates(pilot)
        await choose(pilot, "task_assigned_to_you")
        await edit_source(pilot, "subject", "Your new task: {{ task_title }}")
        assert shown(pilot, "#tpl-subject") == (
            "Subject: Your new task: Review the 2025 retention schedule")
        assert "edited" in shown(pilot, "#tpl-title")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "override: subject" in shown(pilot, "#tpl-title")
        events = pilot.app.screen.query_one("#tpl-events", OptionList)
        option = events.get_option_at_index(events.get_option_index("task_assigned_to_you"))
        assert str(option.prompt).startswith("*")  # the override marker in the list
    path = home.parent / OVERRIDE
    assert path.read_text() == "Your new task: {{ task_title }}"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    shipped = Path(__file__).parents[2] / "src/mailtui/events/templates" / OVERRIDE.relative_to(
        "templates")
    assert "Your new task" not in shipped.read_text()  # never the shipped files
    out = subprocess.run([sys.executable, "-m", "mailtui", "--config", str(home), "render",
                          "task_assigned_to_you"], capture_output=True, text=True, timeout=60,
                         env={**os.environ, "MAILTUI_CONFIG": ""})
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("Subject: Your new task: Review the 2025 retention schedule\n")


async def test_revert_removes_the_override_after_confirming(home: Path) -> None:
    path = home.parent / OVERRIDE
    path.parent.mkdir(parents=True)
    path.write_text("Mine: {{ task_title }}")
    app = make_app(home)
    async with app.run_test(size=SIZE) as pilot:
        await open_templates(pilot)
        await choose(pilot, "task_assigned_to_you")
        assert shown(pilot, "#tpl-subject") == (
            "Subject: Mine: Review the 2025 retention schedule")
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert isinstance(pilot.app.screen, ChoiceScreen)
        await pilot.press("escape")  # cancel: nothing deleted
        await settle(pilot)
        assert path.exists()
        await pilot.press("ctrl+r")
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot)
        assert not path.exists()
        assert shown(pilot, "#tpl-subject").startswith("Subject: Task assigned to you:")
        assert "override" not in shown(pilot, "#tpl-title")
        assert any("Reverted to shipped" in note for note, _ in app.notes)


async def test_a_broken_override_shows_its_error_and_only_its_event(home: Path) -> None:
    broken = home.parent / "templates/en/task_assigned_to_you.txt"
    broken.parent.mkdir(parents=True)
    broken.write_text("Hello {{ assignee_name }}\n{% if %}\n")
    app = make_app(home)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_templates(pilot)
        await choose(pilot, "task_assigned_to_you")
        text = shown(pilot, "#pv-text")
        assert text.startswith("Does not render:")
        assert f"{broken}:2: " in text and "syntax" in text
        checks = shown(pilot, "#checks")
        assert "error (text, line 2)" in checks
        assert str(screen.query_one("#tpl-tabs", TabbedContent).get_tab("tab-checks").label) \
            == "Checks !"
        assert shown(pilot, "#tpl-subject").startswith("Subject: Task assigned to you:")
        await choose(pilot, "task_completed")  # the other events are not affected
        assert not shown(pilot, "#pv-text").startswith("Does not render")
        assert shown(pilot, "#checks").startswith("No problems")


async def test_send_this_as_a_test_opens_test_send_with_event_locale_and_samples(
        home: Path) -> None:
    app = make_app(home)
    async with app.run_test(size=SIZE) as pilot:
        await open_templates(pilot)
        await choose(pilot, "task_completed")
        await pilot.press("ctrl+l")
        await settle(pilot)
        await pilot.press("ctrl+t")
        await pilot.pause()
        await pilot.pause()
        assert app.current_mode == "test_send"
        screen = app.screen  # the Test send screen took the request, once
        assert app.test_send_request is None
        assert screen.query_one("#ts-message").value == "task_completed"
        assert screen.query_one("#ts-locale").value == "fr"
        assert screen._variables_for == "task_completed"
        assert screen._variables and screen._variables["task_title"]


async def test_open_in_browser_without_browser_says_where_the_file_is(
        home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BROWSER", raising=False)
    app = make_app(home)
    async with app.run_test(size=SIZE) as pilot:
        await open_templates(pilot)
        await choose(pilot, "task_completed")
        await pilot.press("ctrl+o")
        await pilot.pause()
    note = next(n for n, _ in app.notes if n.startswith("HTML preview written to "))
    path = Path(note.removeprefix("HTML preview written to ").split(" (")[0])
    try:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert "<html" in path.read_text()
    finally:
        path.unlink()
        path.parent.rmdir()


async def test_saving_without_a_templates_directory_offers_one(tmp_path: Path) -> None:
    home = tmp_path / "mailtui.toml"
    home.write_text('[server]\nusername = "a@example.org"   # mine\n')
    home.chmod(0o600)
    app = make_app(home)
    async with app.run_test(size=SIZE) as pilot:
        await open_templates(pilot)
        await choose(pilot, "task_completed")
        await edit_source(pilot, "subject", "Done: {{ task_title }}")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(pilot.app.screen, ChoiceScreen)
        await pilot.press("escape")  # cancel: nothing written, the edit is kept
        await settle(pilot)
        assert not (tmp_path / "templates").exists()
        assert "edited" in shown(pilot, "#tpl-title")
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot)
    override = tmp_path / "templates/en/task_completed.subject.txt"
    assert override.read_text() == "Done: {{ task_title }}"
    text = home.read_text()
    assert text.startswith('[server]\nusername = "a@example.org"   # mine\n')
    assert 'directory = "templates"' in text


async def test_open_in_browser_uses_browser_when_set(
        home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import webbrowser

    seen = tmp_path / "opened.txt"
    script = tmp_path / "fake-browser"
    script.write_text(f'#!/bin/sh\nprintf "%s" "$1" > {seen}\n')
    script.chmod(0o700)
    monkeypatch.setenv("BROWSER", str(script))
    monkeypatch.setattr(webbrowser, "_tryorder", None)  # read $BROWSER again
    monkeypatch.setattr(webbrowser, "_browsers", {})
    app = make_app(home)
    async with app.run_test(size=SIZE) as pilot:
        await open_templates(pilot)
        await choose(pilot, "task_completed")
        await pilot.press("ctrl+o")
        await settle(pilot)
        for _ in range(100):  # the browser runs in its own process
            if seen.exists() and seen.read_text():
                break
            await pilot.pause(0.05)
    uri = seen.read_text()
    assert uri.startswith("file://") and uri.endswith("/task_completed.en.html")
    path = Path(uri.removeprefix("file://"))
    try:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600 and "<html" in path.read_text()
    finally:
        path.unlink()
        path.parent.rmdir()


async def test_palette_has_the_template_commands_on_this_screen_only(home: Path) -> None:
    app = make_app(home)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert not any(t.startswith("templates:") for t in titles)
        screen = await open_templates(pilot)
        titles = [c.title for c in app.get_system_commands(screen)]
        assert {"templates: Switch locale (en/fr)", "templates: Revert to shipped",
                "templates: Send this as a test", "templates: Save overrides",
                "templates: Open the HTML part in a browser"} <= set(titles)


async def test_quitting_with_unsaved_template_edits_asks_first(home: Path) -> None:
    app = make_app(home)
    async with app.run_test(size=SIZE) as pilot:
        await open_templates(pilot)
        await choose(pilot, "task_completed")
        await edit_source(pilot, "subject", "Done: {{ task_title }}")
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert isinstance(pilot.app.screen, ChoiceScreen)
        assert "task_completed (en, subject)" in str(
            pilot.app.screen.query_one("#dialog-body", Static).content)
        await pilot.press("escape")  # cancel: still running, the edit kept
        await pilot.pause()
        assert "edited" in shown(pilot, "#tpl-title")
        await pilot.press("ctrl+q")
        await pilot.pause()
        await pilot.press("d")
        await pilot.pause()
        await pilot.pause()
    assert app.return_code == 0
    assert not (home.parent / "templates").exists()


async def test_edits_survive_a_change_of_the_templates_directory(home: Path) -> None:
    app = make_app(home)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_templates(pilot)
        await choose(pilot, "task_completed")
        await edit_source(pilot, "subject", "Done: {{ task_title }}")
        app.editor.set_value("templates.directory", "elsewhere")
        app.document_changed()
        await settle(pilot)
        assert screen.unsaved_edits() == ["task_completed (en, subject)"]
        await pilot.press("ctrl+s")
        await settle(pilot)
    assert (home.parent / "elsewhere/en/task_completed.subject.txt").read_text() == (
        "Done: {{ task_title }}")
    assert 'directory = "elsewhere"' in home.read_text()
