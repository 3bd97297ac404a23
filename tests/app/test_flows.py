"""The app's flows under Pilot at 80x24: presets from the palette, saving, quitting, edit
races, broken files, first run, keymap and themes. The files on disk are checked."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from textual.command import CommandList
from textual.pilot import Pilot

from mailtui.tui.screens.broken import BrokenScreen
from mailtui.tui.screens.dialogs import ChoiceScreen
from mailtui.tui.screens.preset import PresetScreen
from mailtui.tui.screens.welcome import WelcomeScreen
from tests.app.conftest import EXAMPLE, SIZE, make_app


async def palette(pilot: Pilot[int], text: str) -> None:
    """ctrl+p, type ``text``, wait (bounded) until the best match is that command, enter."""
    await pilot.press("ctrl+p")
    await pilot.pause()
    await pilot.press(*text)
    results = pilot.app.screen.query_one(CommandList)
    for _ in range(200):
        await pilot.pause(0.05)
        index = results.highlighted
        if index is not None and results.option_count:
            prompt = str(results.get_option_at_index(index).prompt).lower()
            if all(word in prompt for word in text.lower().split()):
                break
    else:
        raise AssertionError(f"no palette command matched {text!r}")
    await pilot.press("enter")
    await pilot.pause()


async def test_preset_from_the_palette_then_save_keeps_comments(config: Path) -> None:
    app = make_app(config)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await palette(pilot, "Apply Office 365")
        assert isinstance(app.screen, PresetScreen)
        assert config.read_text() == EXAMPLE  # nothing changes before the diff is accepted
        await pilot.press("enter")
        await pilot.pause()
        assert app.editor.modified and "[modified]" in app.sub_title
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not app.editor.modified and "[modified]" not in app.sub_title
    text = config.read_text()
    assert text.startswith("# Outgoing mail for the records system\n")
    assert 'username = "notifications@example.org"   # the login' in text
    assert "future_option = 42" in text
    assert '"mail.smtp.host" = "smtp.office365.com"' in text
    assert '"mail.smtp.port" = "587"' in text
    assert '"mail.smtp.dsn.notify" = "FAILURE"' in text
    assert stat.S_IMODE(config.stat().st_mode) == 0o600


async def test_preset_with_a_parameter_asks_for_it_and_checks_it(config: Path) -> None:
    app = make_app(config)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await palette(pilot, "Apply Amazon SES")
        assert isinstance(app.screen, PresetScreen)
        await pilot.press(*["backspace"] * 12, *"mars")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PresetScreen)  # refused: not a region
        assert not app.editor.modified
        await pilot.press(*["backspace"] * 4, *"eu-west-1", "enter")
        await pilot.pause()
        assert not isinstance(app.screen, PresetScreen)
        assert app.editor.properties()["mail.smtp.host"] == "email-smtp.eu-west-1.amazonaws.com"


async def test_escape_in_the_preset_dialog_changes_nothing(config: Path) -> None:
    app = make_app(config)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await palette(pilot, "Apply Office 365")
        await pilot.press("escape")
        await pilot.pause()
        assert not app.editor.modified


async def test_quit_with_unsaved_changes_asks(config: Path) -> None:
    app = make_app(config)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await palette(pilot, "Apply Gmail / Google Workspace (implicit")
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, ChoiceScreen)
        assert app.is_running
        await pilot.press("escape")  # cancel: still running, still modified
        await pilot.pause()
        assert not isinstance(app.screen, ChoiceScreen) and app.is_running
        await pilot.press("ctrl+q")
        await pilot.pause()
        await pilot.press("d")  # quit without saving
        await pilot.pause()
    assert app.return_code == 0
    assert config.read_text() == EXAMPLE


async def test_quit_save_and_quit_writes_the_file(config: Path) -> None:
    app = make_app(config)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await palette(pilot, "Apply Office 365")
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("ctrl+q")
        await pilot.pause()
        await pilot.press("s")
        await pilot.pause()
    assert "smtp.office365.com" in config.read_text()


async def test_quit_without_changes_does_not_ask(config: Path) -> None:
    app = make_app(config)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert not app.is_running


async def _conflict(config: Path, key: str) -> tuple[str, object]:
    app = make_app(config)
    theirs = EXAMPLE.replace('"25"', '"2525"')
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await palette(pilot, "Apply Office 365")
        await pilot.press("enter")
        await pilot.pause()
        config.write_text(theirs)  # another editor saved meanwhile
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ChoiceScreen)
        assert config.read_text() == theirs  # nothing overwritten before the choice
        await pilot.press(key)
        await pilot.pause()
        assert not isinstance(app.screen, ChoiceScreen)
    return theirs, app


async def test_changed_on_disk_reload_takes_theirs(config: Path) -> None:
    theirs, app = await _conflict(config, "r")
    assert config.read_text() == theirs
    assert app.editor.properties()["mail.smtp.port"] == "2525"  # type: ignore[attr-defined]
    assert not app.editor.modified  # type: ignore[attr-defined]
    assert "smtp.office365.com" in config.with_name("mailtui.toml.pending").read_text()


async def test_changed_on_disk_overwrite_keeps_theirs_as_bak(config: Path) -> None:
    theirs, app = await _conflict(config, "o")
    assert "smtp.office365.com" in config.read_text()
    assert config.with_name("mailtui.toml.bak").read_text() == theirs
    assert not app.editor.modified  # type: ignore[attr-defined]


async def test_changed_on_disk_cancel_writes_nothing(config: Path) -> None:
    theirs, app = await _conflict(config, "escape")
    assert config.read_text() == theirs
    assert app.editor.modified  # type: ignore[attr-defined]


async def test_a_broken_file_opens_with_its_error_and_line(tmp_path: Path) -> None:
    path = tmp_path / "mailtui.toml"
    broken = '# mine\n[server]\nusername = "a"\nusername = "b"\n'
    path.write_text(broken)
    app = make_app(path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, BrokenScreen)
        detail = str(app.screen.query_one("#broken-detail").render())
        assert f"{path}:4:15: TOML syntax error" in detail
        assert '     4 | username = "b"' in detail
        await pilot.press("ctrl+s")  # refused: never overwritten with defaults
        await pilot.press("c")  # no continuing into the app with a file that does not parse
        await pilot.pause()
        assert isinstance(app.screen, BrokenScreen)
        # fix it in the raw editor: first still broken (refused), then valid
        await pilot.press("e")
        await pilot.pause()
        area = app.screen.query_one("TextArea")
        area.text = '# mine\n[server]\nusername = "a\n'  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "Not saved" in str(app.screen.query_one("#raw-status").render())
        assert path.read_text() == broken
        area.text = '# mine\n[server]\nusername = "a"\n'  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not isinstance(app.screen, BrokenScreen)
        assert app.editor.broken is None
    assert path.read_text() == '# mine\n[server]\nusername = "a"\n'
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


async def test_a_broken_file_fixed_elsewhere_then_reload(tmp_path: Path) -> None:
    path = tmp_path / "mailtui.toml"
    path.write_text("[server\n")
    app = make_app(path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, BrokenScreen)
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, BrokenScreen)  # still broken
        path.write_text('[server]\nusername = "fixed@example.org"\n')
        await pilot.press("r")
        await pilot.pause()
        assert not isinstance(app.screen, BrokenScreen)
        assert app.editor.get("server.username") == "fixed@example.org"


async def test_a_bad_value_shows_its_line_and_allows_continuing(tmp_path: Path) -> None:
    path = tmp_path / "mailtui.toml"
    path.write_text('[server]\ndefault_sender = "bob@"\n')
    app = make_app(path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, BrokenScreen)
        detail = str(app.screen.query_one("#broken-detail").render())
        assert f"{path}:2: server.default_sender" in detail
        assert 'default_sender = "bob@"' in detail
        await pilot.press("c")
        await pilot.pause()
        assert app.current_mode == "settings" and not isinstance(app.screen, BrokenScreen)
    assert path.read_text() == '[server]\ndefault_sender = "bob@"\n'


async def test_first_run_office365_then_save_creates_the_file_0600(tmp_path: Path) -> None:
    path = tmp_path / "config" / "mailtui" / "mailtui.toml"
    app = make_app(path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, WelcomeScreen)
        assert not path.exists()
        await pilot.press("enter")  # the first choice is Office 365
        await pilot.pause()
        assert isinstance(app.screen, PresetScreen)
        await pilot.press("enter")
        await pilot.pause()
        assert app.current_mode == "settings" and not isinstance(app.screen, WelcomeScreen)
        assert not path.exists()  # created on the first save only
        await pilot.press("ctrl+s")
        await pilot.pause()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert '"mail.smtp.host" = "smtp.office365.com"' in path.read_text()


async def test_first_run_start_empty(tmp_path: Path) -> None:
    path = tmp_path / "mailtui.toml"
    app = make_app(path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("2")  # the screens wait until the welcome is answered
        await pilot.pause()
        assert isinstance(app.screen, WelcomeScreen)
        await pilot.press("end", "enter")
        await pilot.pause()
        assert not isinstance(app.screen, WelcomeScreen)
        assert not app.editor.modified
    assert not path.exists()


async def test_keymap_remaps_and_reports_bad_entries(config: Path) -> None:
    config.write_text(EXAMPLE + '\n[keymap]\n"app.save" = "f2"\n"go.properties" = "p"\n'
                      '"app.sav" = "f3"\n"go.templates" = "ctrl+nope"\n')
    app = make_app(config)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        errors = [m for m, severity in app.notes if severity == "error"]
        assert any(f"{config}:15: keymap: unknown binding id 'app.sav'; did you mean app.save?"
                   in m for m in errors), errors
        assert any(f"{config}:16: keymap.go.templates: 'ctrl+nope' is not a key" in m
                   for m in errors), errors
        await pilot.press("p")
        await pilot.pause()
        assert app.current_mode == "properties"
        await pilot.press("3")  # the bad entry is ignored: the default key still works
        await pilot.pause()
        assert app.current_mode == "templates"
        await palette(pilot, "Apply Office 365")
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("ctrl+s")  # remapped away
        await pilot.pause()
        assert app.editor.modified
        await pilot.press("f2")
        await pilot.pause()
        assert not app.editor.modified
    assert "smtp.office365.com" in config.read_text()


async def test_theme_switch_from_the_palette_is_saved(config: Path) -> None:
    app = make_app(config)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.theme == "mailtui-dark"
        await palette(pilot, "theme: mailtui-light")
        assert app.theme == "mailtui-light"
    text = config.read_text()
    assert '[ui]\ntheme = "mailtui-light"' in text
    assert "# the old relay" in text
    again = make_app(config)
    async with again.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert again.theme == "mailtui-light"


async def test_a_bad_user_theme_is_reported_not_fatal(config: Path, tmp_path: Path) -> None:
    themes = tmp_path / "themes"
    themes.mkdir()
    (themes / "mine.toml").write_text('name = "mine"\nprimary = "#123456"\n')
    (themes / "bad.toml").write_text('name = "bad"\nprimary = "blurple"\n')
    config.write_text(EXAMPLE + '\n[ui]\ntheme = "mine"\n')
    app = make_app(config, user_themes=themes)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.theme == "mine"
        assert any(f"{themes / 'bad.toml'}: primary: 'blurple' is not a colour" in m
                   for m, _ in app.notes), app.notes


async def test_unknown_theme_in_the_file_falls_back_with_a_message(config: Path) -> None:
    config.write_text(EXAMPLE + '\n[ui]\ntheme = "nope"\n')
    app = make_app(config)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.theme == "mailtui-dark"
        assert any("ui.theme: unknown theme 'nope'" in m for m, _ in app.notes)


async def test_keys_help_lists_ids(config: Path) -> None:
    app = make_app(config)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("f1")
        await pilot.pause()
        table = app.screen.query_one("DataTable")
        ids = [table.get_row_at(i)[2] for i in range(table.row_count)]  # type: ignore[attr-defined]
        assert "app.save" in ids and "go.settings" in ids
        await pilot.press("escape")
        await pilot.press("question_mark")
        await pilot.pause()
        assert app.screen.query("DataTable")


async def test_screens_switch_on_keys_and_show_the_plan(config: Path) -> None:
    app = make_app(config)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        content = str(app.screen.query_one("#connection").render())
        assert "smtp.example.org:25, no TLS" in content
        for key, mode in (("2", "properties"), ("3", "templates"), ("4", "test_send"),
                          ("1", "settings")):
            await pilot.press(key)
            await pilot.pause()
            assert app.current_mode == mode
        await pilot.press("4")
        await pilot.pause()
        assert app.screen.query_one("#ts-to").value == "admin@example.org"  # type: ignore[attr-defined]


async def test_sixteen_colour_terminal_and_no_color_pick_their_themes(
        config: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TERM", "xterm")
    app = make_app(config)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.theme == "mailtui-ansi"
    monkeypatch.setenv("NO_COLOR", "1")
    config.write_text(EXAMPLE + '\n[ui]\ntheme = "mailtui-light"\n')
    app = make_app(config)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.theme == "mailtui-no-color"  # NO_COLOR wins over the saved choice


async def test_a_broken_password_line_is_shown_without_its_value(tmp_path: Path) -> None:
    path = tmp_path / "mailtui.toml"
    path.write_text('[server]\npassword = "hunter2-secret\n')
    app = make_app(path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, BrokenScreen)
        detail = str(app.screen.query_one("#broken-detail").render())
        assert f"{path}:2:" in detail
        assert "     2 | password = ********" in detail
        assert "hunter2" not in detail


def test_masked_keeps_ordinary_lines_and_env_names() -> None:
    from mailtui.tui.screens.broken import masked

    assert masked('username = "bob"') == 'username = "bob"'
    assert masked('password_env = "SMTP_PASS"') == 'password_env = "SMTP_PASS"'
    assert masked('"mail.smtp.proxy.password" = "x"') == '"mail.smtp.proxy.password" = ********'
    assert masked("  api_token = 'abc'") == "  api_token = ********"
