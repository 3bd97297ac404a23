"""The TOML store: precise errors, byte-for-byte preservation, atomic saves, edit races."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from mailtui.config.store import ConcurrentEditError, ConfigStore, load_settings
from mailtui.errors import ConfigError

EXAMPLE = """\
# Outgoing mail for the records system
[server]
enabled = true
username = "notifications@example.org"
password_env = "MAILTUI_PASSWORD"   # never in the file
default_sender = "Records <notifications@example.org>"
test_recipient = "admin@example.org"
future_option = 42

[server.properties]
"mail.smtp.host" = "smtp.office365.com"
"mail.smtp.port" = "587"   # submission
"mail.smtp.auth" = "true"
"mail.smtp.starttls.enable" = "true"
"mail.smtp.starttls.required" = "true"
"mail.smtp.timeout" = "20000"

[smime]
certificate = "certs/sender.p12"
password_env = "MAILTUI_SMIME_PASSWORD"
encrypt = "when-possible"
recipients = "/etc/mailtui/recipients"

[templates]
locale = "fr"
directory = "templates"
[templates.context]
app_name = "Records"
app_url = "https://records.example.org"

[my_own_table]
kept = "yes"
"""


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "mailtui.toml"
    path.write_text(EXAMPLE)
    path.chmod(0o600)
    return path


def test_loads_every_setting_of_the_spec_example(config: Path) -> None:
    settings = load_settings(config)
    assert settings.server.enabled is True
    assert settings.server.username == "notifications@example.org"
    assert settings.server.password.env == "MAILTUI_PASSWORD"
    assert settings.server.password.value is None
    assert settings.server.default_sender == "Records <notifications@example.org>"
    assert settings.server.test_recipient == "admin@example.org"
    assert list(settings.server.properties) == [
        "mail.smtp.host", "mail.smtp.port", "mail.smtp.auth", "mail.smtp.starttls.enable",
        "mail.smtp.starttls.required", "mail.smtp.timeout",
    ]
    assert settings.smime.certificate == config.parent / "certs" / "sender.p12"
    assert settings.smime.recipients == Path("/etc/mailtui/recipients")
    assert settings.smime.encrypt == "when-possible"
    assert settings.templates.locale == "fr"
    assert settings.templates.directory == config.parent / "templates"
    assert settings.templates.context == {
        "app_name": "Records", "app_url": "https://records.example.org"}


def test_unknown_keys_are_warnings_with_their_line(config: Path) -> None:
    settings, issues = ConfigStore.load(config).check()
    assert settings is not None
    unknown = {str(i.location): i.message for i in issues if "unknown key" in i.message}
    assert unknown == {
        f"{config}:8": "unknown key server.future_option",
        f"{config}": "unknown key my_own_table",
    }


def test_syntax_error_names_file_line_and_column_and_leaves_file_alone(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    original = '[server]\nenabled = true\nusername = "unterminated\n'
    path.write_text(original)
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    assert info.value.location is not None
    assert info.value.location.path == str(path)
    assert info.value.location.line == 3
    assert info.value.location.column is not None
    assert str(path) + ":3:" in str(info.value)
    assert path.read_text() == original


@pytest.mark.parametrize(
    ("snippet", "line", "needle"),
    [
        ('[server]\nenabled = "yes"\n', 2, "server.enabled must be true or false"),
        ('[server]\ndefault_sender = "not an address"\n', 2, "server.default_sender"),
        ('[server]\ntest_recipient = "a@b.c, d@e.f"\n', 2, "not a single address"),
        ('[server]\npassword = "x"\npassword_env = "Y"\n', 3, "set only one of"),
        ('[smime]\ncertificate = "c.p12"\nencrypt = "sometimes"\n', 3, "smime.encrypt"),
        ('[templates]\nlocale = "de"\n', 2, "templates.locale"),
        ('[server.properties]\n"mail.smtp.port" = [587]\n', 2, "must be a string"),
    ],
)
def test_bad_values_are_errors_naming_field_and_line(
    tmp_path: Path, snippet: str, line: int, needle: str
) -> None:
    path = tmp_path / "c.toml"
    path.write_text(snippet)
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    assert needle in str(info.value)
    assert info.value.location is not None and info.value.location.line == line


def test_idn_and_display_names_are_accepted(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text('[server]\ndefault_sender = "Bücher GmbH <post@bücher.de>"\n'
                    'test_recipient = "josé@exemple.fr"\n')
    settings = load_settings(path)
    assert settings.server.default_sender == "Bücher GmbH <post@bücher.de>"
    assert settings.server.test_recipient == "josé@exemple.fr"


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no configuration file"):
        load_settings(tmp_path / "nope.toml")


def test_untouched_bytes_survive_an_edit(config: Path) -> None:
    store = ConfigStore.load(config)
    props = store.properties()
    props["mail.smtp.port"] = "2525"
    props["mail.smtp.connectiontimeout"] = "10000"
    store.set_properties(props)
    store.save()
    expected = EXAMPLE.replace('"mail.smtp.port" = "587"   # submission',
                               '"mail.smtp.port" = "2525"   # submission')
    expected = expected.replace(
        '"mail.smtp.timeout" = "20000"\n',
        '"mail.smtp.timeout" = "20000"\n"mail.smtp.connectiontimeout" = "10000"\n',
    )
    assert config.read_text() == expected


def test_save_is_mode_0600_and_keeps_a_backup(config: Path) -> None:
    config.chmod(0o644)
    store = ConfigStore.load(config)
    store.set_value("server.username", "other@example.org")
    store.save()
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    backup = config.with_name("mailtui.toml.bak")
    assert backup.read_text() == EXAMPLE
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    assert 'username = "other@example.org"' in config.read_text()


def test_crash_between_write_and_replace_keeps_the_old_file(
    config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = ConfigStore.load(config)
    store.set_value("server.username", "new@example.org")
    real_replace = os.replace

    def crash(src: str, dst: str) -> None:
        if Path(dst) == config:
            raise OSError("simulated power cut")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="simulated"):
        store.save()
    assert config.read_text() == EXAMPLE
    leftovers = [p.name for p in config.parent.iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []


def test_refuses_to_overwrite_a_file_changed_on_disk(config: Path) -> None:
    store = ConfigStore.load(config)
    store.set_value("server.username", "mine@example.org")
    someone_else = EXAMPLE.replace("enabled = true", "enabled = false")
    config.write_text(someone_else)
    with pytest.raises(ConcurrentEditError) as info:
        store.save()
    assert "changed on disk" in str(info.value)
    assert config.read_text() == someone_else  # their change is intact
    pending = config.with_name("mailtui.toml.pending")
    assert 'username = "mine@example.org"' in pending.read_text()  # ours is not lost
    assert stat.S_IMODE(pending.stat().st_mode) == 0o600


def test_refuses_when_a_file_appeared_since_loading(tmp_path: Path) -> None:
    path = tmp_path / "new.toml"
    store = ConfigStore.load(path, must_exist=False)
    store.set_properties({"mail.smtp.host": "a.example.org"})
    path.write_text("[server]\n")
    with pytest.raises(ConcurrentEditError, match="was created"):
        store.save()


def test_new_file_is_created_with_0600(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "mailtui.toml"
    store = ConfigStore.load(path, must_exist=False)
    store.set_properties({"mail.smtp.host": "smtp.example.org"})
    store.save()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_settings(path).server.properties == {"mail.smtp.host": "smtp.example.org"}


def test_set_properties_reports_changes_and_keeps_comments(config: Path) -> None:
    store = ConfigStore.load(config)
    changes = store.set_properties({"mail.smtp.host": "smtp.gmail.com", "mail.smtp.port": "587"})
    summary = {(c.key, c.old, c.new) for c in changes}
    assert ("mail.smtp.host", "smtp.office365.com", "smtp.gmail.com") in summary
    assert ("mail.smtp.auth", "true", None) in summary
    assert ("mail.smtp.port", "587", "587") not in summary
    assert "# submission" in store.text()


def test_plain_password_in_a_readable_file_is_warned_about(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text('[server]\npassword = "hunter2"\n')
    path.chmod(0o644)
    _, issues = ConfigStore.load(path).check()
    warning = [i for i in issues if "readable by group or others" in i.message]
    assert warning and "chmod 600" in (warning[0].hint or "")
    assert all("hunter2" not in str(i) for i in issues)
    path.chmod(0o600)
    _, issues = ConfigStore.load(path).check()
    assert not [i for i in issues if "readable" in i.message]


@pytest.mark.parametrize("snippet", ['[server]\npassword = 12345678\n',
                                     '[smime]\npassword = 987654321\n',
                                     '[server.properties]\n"mail.smtp.passwd" = [4242424242]\n'])
def test_a_mistyped_password_is_not_echoed(tmp_path: Path, snippet: str) -> None:
    path = tmp_path / "c.toml"
    path.write_text(snippet)
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    text = info.value.describe()
    assert "must be a string, not a " in text
    for secret in ("12345678", "987654321", "4242424242"):
        assert secret not in text


def test_a_duplicate_key_is_a_config_error_with_its_line_for_the_editing_store(
        tmp_path: Path) -> None:
    # tomlkit raises KeyAlreadyPresent (not a ParseError): it used to escape as a crash
    path = tmp_path / "mailtui.toml"
    path.write_text('[server]\nusername = "a"\nusername = "b"\n')
    with pytest.raises(ConfigError) as info:
        ConfigStore.load(path)
    assert str(info.value.location) == f"{path}:3:15"
    assert "TOML syntax error: duplicate key" in info.value.message


def test_save_overwrite_keeps_the_version_on_disk_as_bak(config: Path) -> None:
    store = ConfigStore.load(config)
    store.set_value("server.username", "mine@example.org")
    config.write_text(EXAMPLE.replace("fr", "en"))
    with pytest.raises(ConcurrentEditError):
        store.save()
    store.save(overwrite=True)
    assert config.with_name("mailtui.toml.bak").read_text() == EXAMPLE.replace("fr", "en")
    assert 'username = "mine@example.org"' in config.read_text()
    store.set_value("server.username", "again@example.org")
    store.save()  # in step with the disk again
