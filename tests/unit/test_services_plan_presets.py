"""services.plan and services.presets without any CLI (issue 9): the plan description of the
office365 preset, the preset list, a preset's diff then its application."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from mailtui.config.model import ServerSettings, Settings
from mailtui.errors import ConfigError
from mailtui.services.plan import (
    SECURITY_TEXT,
    describe_plan,
    effective_plan,
    security_label,
)
from mailtui.services.presets import list_presets, prepare_preset, preset_to_json

OTHER = '[server.properties]\n"mail.smtp.host" = "old.example.org"\n"mail.debug" = "true"\n'


def office365_settings() -> Settings:
    from mailtui.javamail.presets import get_preset

    return Settings(server=ServerSettings(
        username="me@example.org", default_sender="Me <me@example.org>",
        properties=get_preset("office365").render()))


def test_plan_description_of_office365() -> None:
    plan = effective_plan(office365_settings())
    assert (plan.host, plan.port, plan.security, plan.auth) == (
        "smtp.office365.com", 587, "starttls-required", True)
    description = describe_plan(plan)
    rows = dict(description.rows)
    assert rows["Server"] == "smtp.office365.com:587 (smtp)"
    assert rows["Security"] == SECURITY_TEXT["starttls-required"]
    assert rows["Certificate"] == "verified (system store); host name checked"
    assert rows["Auth"].startswith("yes, as me@example.org; mechanisms ")
    assert rows["TLS versions"] == "TLSv1.2 TLSv1.3"
    assert rows["Envelope from"] == "me@example.org"
    assert [label for label, _ in description.rows][:7] == [
        "Server", "Security", "Certificate", "Auth", "Timeouts", "EHLO name", "Envelope from"]
    assert description.errors == (
        "server.password: authentication is on but no password source is set",)


def test_plan_description_carries_the_lint_errors() -> None:
    settings = Settings(server=ServerSettings(properties={"mail.smtp.auth": "true"}))
    description = describe_plan(effective_plan(settings))
    assert dict(description.rows)["Server"].startswith("(no host!)")
    assert description.errors  # no host: the send would fail


def test_security_labels() -> None:
    assert security_label("starttls-optional") == \
        "STARTTLS if the server offers it (opportunistic)"
    assert security_label("starttls-optional", short=True) == "STARTTLS if the server offers it"
    assert set(SECURITY_TEXT) == {"none", "starttls-optional", "starttls-required",
                                  "implicit-tls"}


def test_preset_list_with_a_broken_user_preset(tmp_path: Path) -> None:
    (tmp_path / "mine.toml").write_text('id = "mine"\n[properties]\n"mail.smtp.host" = "m"\n')
    (tmp_path / "broken.toml").write_text("id = \n")
    catalog = list_presets(tmp_path)
    ids = [p.id for p in catalog.presets]
    assert {"gmail", "office365", "sandbox", "mine"} <= set(ids)
    assert [str(e.location.path) for e in catalog.problems if e.location] == [
        str(tmp_path / "broken.toml")]
    data = preset_to_json(next(p for p in catalog.presets if p.id == "office365"))
    assert data["properties"]["mail.smtp.port"] == "587" and data["notes"]


def test_preset_diff_changes_nothing_then_apply_saves_it(tmp_path: Path) -> None:
    path = tmp_path / "mailtui.toml"
    path.write_text("# mine\n" + OTHER)
    before = path.read_bytes()
    diff = prepare_preset("office365", config=path)
    changes = {c.key: (c.old, c.new) for c in diff.changes}
    assert changes["mail.smtp.host"] == ("old.example.org", "smtp.office365.com")
    assert changes["mail.smtp.port"] == (None, "587")
    assert "mail.debug" not in changes  # not a connection key: kept
    assert diff.skeleton is False
    assert path.read_bytes() == before  # a diff never writes

    applied = prepare_preset("office365", config=path)
    assert applied.changes == diff.changes
    assert applied.save() is True
    text = path.read_text()
    assert text.startswith("# mine\n") and '"mail.debug" = "true"' in text
    assert '"mail.smtp.host" = "smtp.office365.com"' in text
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    again = prepare_preset("office365", config=path)
    assert again.changes == () and again.save() is False


def test_a_new_file_gets_the_server_skeleton(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "mailtui.toml"
    applied = prepare_preset("gmail", config=path)
    assert applied.skeleton is True and not path.exists()
    applied.save()
    assert "# fill these in" in path.read_text()


def test_preset_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no preset named 'ofice365'") as unknown:
        prepare_preset("ofice365", config=tmp_path / "m.toml")
    assert unknown.value.hint and "did you mean office365?" in unknown.value.hint
    with pytest.raises(ConfigError, match="is not a valid region"):
        prepare_preset("amazon-ses", {"region": "../etc"}, config=tmp_path / "m.toml")
    assert not (tmp_path / "m.toml").exists()
