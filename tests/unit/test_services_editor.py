"""The editing model the app drives (services/editor.py), tested without Textual."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from mailtui.config.store import ConfigStore, PropertyChange
from mailtui.errors import ConfigError
from mailtui.javamail.presets import get_preset
from mailtui.services.editor import ConfigEditor, SaveConflict, diff_properties

EXAMPLE = """\
# Outgoing mail for the records system
[server]
username = "notifications@example.org"   # the login
future_option = 42

[server.properties]
"mail.smtp.host" = "smtp.example.org"   # old relay
"mail.smtp.port" = "25"
"mail.smtp.dsn.notify" = "FAILURE"
"""


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "mailtui.toml"
    path.write_text(EXAMPLE)
    path.chmod(0o600)
    return path


def test_preset_diff_changes_nothing_then_apply_and_save_keeps_comments(config: Path) -> None:
    editor = ConfigEditor(config)
    office = get_preset("office365")
    diff = editor.preset_diff(office)
    assert PropertyChange("mail.smtp.host", "smtp.example.org", "smtp.office365.com") in diff
    assert PropertyChange("mail.smtp.port", "25", "587") in diff
    assert not editor.modified and editor.properties()["mail.smtp.port"] == "25"
    assert editor.apply_preset(office) == diff
    assert editor.modified
    editor.save()
    assert not editor.modified
    text = config.read_text()
    assert text.startswith("# Outgoing mail for the records system\n")
    assert 'username = "notifications@example.org"   # the login' in text
    assert "future_option = 42" in text
    assert '"mail.smtp.dsn.notify" = "FAILURE"' in text  # not a connection key: kept
    assert '"mail.smtp.host" = "smtp.office365.com"' in text
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    assert config.with_name("mailtui.toml.bak").read_text() == EXAMPLE


def test_preset_parameters_are_checked(config: Path) -> None:
    editor = ConfigEditor(config)
    ses = get_preset("amazon-ses")
    with pytest.raises(ConfigError, match="not a valid region"):
        editor.apply_preset(ses, {"region": "mars"})
    assert not editor.modified
    editor.apply_preset(ses, {"region": "eu-west-1"})
    assert editor.properties()["mail.smtp.host"] == "email-smtp.eu-west-1.amazonaws.com"


def test_set_value_tracks_modified_only_on_change(config: Path) -> None:
    editor = ConfigEditor(config)
    assert not editor.set_value("server.username", "notifications@example.org")
    assert not editor.modified
    assert editor.set_value("ui.theme", "mailtui-light")
    assert editor.modified and editor.get("ui.theme") == "mailtui-light"


def test_first_save_creates_the_file_0600(tmp_path: Path) -> None:
    path = tmp_path / "new" / "mailtui.toml"
    editor = ConfigEditor(path)
    assert not editor.exists and editor.broken is None
    editor.apply_preset(get_preset("gmail"))
    editor.save()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert '"mail.smtp.host" = "smtp.gmail.com"' in path.read_text()
    assert not path.with_name("mailtui.toml.bak").exists()


def _conflicted(config: Path) -> tuple[ConfigEditor, str]:
    editor = ConfigEditor(config)
    editor.apply_preset(get_preset("office365"))
    theirs = EXAMPLE.replace('"25"', '"2525"')
    config.write_text(theirs)
    with pytest.raises(SaveConflict) as info:
        editor.save()
    assert info.value.pending == config.with_name("mailtui.toml.pending")
    assert "smtp.office365.com" in info.value.pending.read_text()  # mine is never lost
    assert config.read_text() == theirs  # theirs not overwritten
    assert editor.modified
    return editor, theirs


def test_conflict_reload_takes_theirs(config: Path) -> None:
    editor, _theirs = _conflicted(config)
    editor.reload()
    assert not editor.modified
    assert editor.properties()["mail.smtp.port"] == "2525"
    editor.set_value("server.username", "x@example.org")
    editor.save()  # no conflict any more
    assert '"2525"' in config.read_text()


def test_conflict_overwrite_keeps_theirs_as_bak(config: Path) -> None:
    editor, theirs = _conflicted(config)
    bak = editor.overwrite()
    assert bak == config.with_name("mailtui.toml.bak")
    assert bak.read_text() == theirs
    assert "smtp.office365.com" in config.read_text()
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    assert not editor.modified
    assert not config.with_name("mailtui.toml.pending").exists()


def test_conflict_cancel_changes_nothing(config: Path) -> None:
    editor, theirs = _conflicted(config)
    editor.cancel()
    assert editor.modified
    assert config.read_text() == theirs
    with pytest.raises(SaveConflict):  # still refused until the user chooses
        editor.save()


@pytest.mark.parametrize(
    ("text", "line"),
    [('[server]\nusername = "a"\nusername = "b"\n', 3),  # duplicate key
     ('[server]\nenabled = true\n"mail.smtp.host = 1\n', 3)],  # syntax error
)
def test_broken_file_is_kept_with_its_error_and_never_overwritten(
        tmp_path: Path, text: str, line: int) -> None:
    path = tmp_path / "mailtui.toml"
    path.write_text(text)
    editor = ConfigEditor(path)
    assert editor.broken is not None
    assert editor.broken.error.location is not None
    assert editor.broken.error.location.line == line
    assert editor.broken.line_text == text.splitlines()[line - 1]
    assert editor.exists and editor.text() == text
    for attempt in (editor.save, lambda: editor.apply_preset(get_preset("gmail")),
                    lambda: editor.set_value("ui.theme", "x")):
        with pytest.raises(ConfigError):
            attempt()
    assert path.read_text() == text


def test_save_raw_writes_only_valid_toml(tmp_path: Path) -> None:
    path = tmp_path / "mailtui.toml"
    path.write_text('# mine\n[server]\nusername = "a"\nusername = "b"\n')
    path.chmod(0o644)
    editor = ConfigEditor(path)
    with pytest.raises(ConfigError) as info:
        editor.save_raw('# mine\n[server]\nusername = "a\n')
    assert info.value.location is not None and info.value.location.line == 3
    assert "username = \"b\"" in path.read_text()
    editor.save_raw('# mine\n[server]\nusername = "a"\n')
    assert editor.broken is None and editor.get("server.username") == "a"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_save_raw_refuses_when_the_file_changed_meanwhile(tmp_path: Path) -> None:
    path = tmp_path / "mailtui.toml"
    path.write_text("[server\n")
    editor = ConfigEditor(path)
    path.write_text("[server]\n")  # fixed elsewhere
    with pytest.raises(ConfigError, match="changed on disk"):
        editor.save_raw("[server]\nenabled = true\n")
    assert path.read_text() == "[server]\n"
    editor.reload()
    assert editor.broken is None


def test_preference_is_saved_at_once_when_nothing_else_is_pending(config: Path) -> None:
    editor = ConfigEditor(config)
    assert editor.save_preference("ui.theme", "mailtui-light") is True
    text = config.read_text()
    assert '[ui]\ntheme = "mailtui-light"' in text and "# old relay" in text
    assert not editor.modified
    # changed elsewhere meanwhile: nothing of mine is pending, so re-read and write
    config.write_text(text.replace('"25"', '"2525"'))
    assert editor.save_preference("ui.theme", "mailtui-dark") is True
    assert '"2525"' in config.read_text() and '"mailtui-dark"' in config.read_text()
    # with other unsaved edits it waits for the next save
    editor.apply_preset(get_preset("gmail"))
    assert editor.save_preference("ui.theme", "mailtui-ansi") is False
    assert '"mailtui-dark"' in config.read_text()
    editor.save()
    assert '"mailtui-ansi"' in config.read_text()


def test_ui_and_keymap_tables_are_known_to_check(config: Path) -> None:
    config.write_text(EXAMPLE + '\n[ui]\ntheme = "mailtui-light"\n[keymap]\n"app.save" = "f2"\n')
    _, issues = ConfigStore.load(config).check()
    assert [i for i in issues if "unknown key" in i.message and "future" not in i.message] == []


def test_locate_finds_a_keymap_line(config: Path) -> None:
    config.write_text(EXAMPLE + '\n[keymap]\n"app.save" = "f2"\n')
    editor = ConfigEditor(config)
    assert editor.table("keymap") == {"app.save": "f2"}
    assert editor.locate("keymap", "app.save").line == EXAMPLE.count("\n") + 3


def test_diff_properties() -> None:
    assert diff_properties({"a": "1", "b": "2"}, {"b": "3", "c": "4"}) == [
        PropertyChange("a", "1", None), PropertyChange("b", "2", "3"),
        PropertyChange("c", None, "4")]


def test_a_change_on_disk_before_the_first_edit_is_still_a_conflict(config: Path) -> None:
    # opening reads with tomllib; the tomlkit document is built on the first edit, from the
    # bytes read at opening, not from what is on disk by then
    editor = ConfigEditor(config)
    assert editor.get("server.username") == "notifications@example.org"
    config.write_text(EXAMPLE.replace("notifications@", "other@"))
    editor.apply_preset(get_preset("office365"))
    assert editor.get("server.username") == "notifications@example.org"
    with pytest.raises(SaveConflict):
        editor.save()
    assert "other@" in config.read_text()


def test_reading_before_and_after_the_first_edit_agree(config: Path) -> None:
    editor = ConfigEditor(config)
    before = (editor.properties(), editor.get("server.future_option"), editor.check()[1])
    editor.set_value("ui.theme", "x")
    editor.set_value("ui.theme", None)
    after = (editor.properties(), editor.get("server.future_option"), editor.check()[1])
    assert before == after
    assert before[0] == {"mail.smtp.host": "smtp.example.org", "mail.smtp.port": "25",
                         "mail.smtp.dsn.notify": "FAILURE"}


def test_a_secret_property_is_masked_in_the_text_and_kept_through_edits(tmp_path: Path) -> None:
    """The properties editor never holds a secret property's value: it shows the mask, and
    an edit that leaves the mask keeps the stored value; typing a new value replaces it."""
    from mailtui.services.editor import SECRET_MASK

    path = tmp_path / "mailtui.toml"
    path.write_text('[server.properties]\n"mail.smtp.host" = "smtp.example.org"\n'
                    '"mail.smtp.proxy.password" = "pr0xy-s3cret"\n')
    editor = ConfigEditor(path)
    text = editor.properties_text()
    assert "pr0xy-s3cret" not in text
    assert f"mail.smtp.proxy.password={SECRET_MASK}" in text
    editor.set_properties_text(text + "mail.smtp.port=2525\n")
    assert editor.properties()["mail.smtp.proxy.password"] == "pr0xy-s3cret"
    assert editor.properties()["mail.smtp.port"] == "2525"
    editor.save()
    assert 'pr0xy-s3cret' in path.read_text() and SECRET_MASK not in path.read_text()
    editor.set_properties_text(text.replace(SECRET_MASK, "n3w-s3cret"))
    assert editor.properties()["mail.smtp.proxy.password"] == "n3w-s3cret"
