"""Issue 8 #21: settings + one-run overrides -> settings (the domain merge)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mailtui.config.model import SecretRef, ServerSettings, Settings
from mailtui.errors import ConfigError
from mailtui.javamail.overrides import Overrides, apply_overrides
from mailtui.javamail.resolve import resolve_plan


def settings(**props: str) -> Settings:
    return Settings(server=ServerSettings(
        username="file@example.org", default_sender="File <file@example.org>",
        password=SecretRef("server.password", env="FILE_PW"),
        properties={k.replace("_", "."): v for k, v in props.items()}))


def test_no_override_is_the_same_settings() -> None:
    base = settings(mail_smtp_host="a.example.org")
    assert apply_overrides(base, Overrides()) is base


def test_properties_merge_and_the_file_settings_stay_untouched() -> None:
    base = settings(mail_smtp_host="a.example.org", mail_smtp_port="25")
    merged = apply_overrides(base, Overrides(properties=(
        ("mail.smtp.port", "2525"), ("mail.smtp.port", "587"),
        ("mail.smtp.starttls.required", "true"))))
    assert merged.server.properties == {"mail.smtp.host": "a.example.org",
                                        "mail.smtp.port": "587",
                                        "mail.smtp.starttls.required": "true"}
    assert base.server.properties["mail.smtp.port"] == "25"  # frozen input, not mutated
    assert resolve_plan(merged).security == "starttls-required"


def test_smtps_protocol_gets_its_own_keys() -> None:
    base = settings(mail_transport_protocol="smtps", mail_smtps_host="h.example.org")
    merged = apply_overrides(base, Overrides(timeout="2", username="u@example.org"))
    props = merged.server.properties
    assert props["mail.smtps.connectiontimeout"] == "2000"
    assert props["mail.smtps.timeout"] == "2000" and props["mail.smtps.writetimeout"] == "2000"
    assert props["mail.smtps.auth"] == "true"
    assert "mail.smtp.auth" not in props
    plan = resolve_plan(merged)
    assert plan.auth and plan.username == "u@example.org" and plan.timeouts.read == 2.0


def test_user_does_not_override_an_explicit_auth_property() -> None:
    merged = apply_overrides(settings(), Overrides(
        properties=(("mail.smtp.auth", "false"),), username="u@example.org"))
    assert merged.server.properties["mail.smtp.auth"] == "false"


def test_from_sets_the_sender_and_an_existing_envelope_key() -> None:
    base = settings(mail_smtp_host="h.example.org", mail_smtp_from="bounce@example.org")
    merged = apply_overrides(base, Overrides(sender="Ops <ops@example.org>"))
    assert merged.server.default_sender == "Ops <ops@example.org>"
    assert resolve_plan(merged).envelope_from == "ops@example.org"
    pinned = apply_overrides(base, Overrides(sender="ops@example.org", properties=(
        ("mail.smtp.from", "bounce2@example.org"),)))
    assert resolve_plan(pinned).envelope_from == "bounce2@example.org"


def test_a_relative_cafile_is_relative_to_the_current_directory() -> None:
    merged = apply_overrides(settings(), Overrides(
        properties=(("mailtui.ssl.cafile", "certs/ca.pem"),)))
    assert merged.server.properties["mailtui.ssl.cafile"] == str(Path.cwd() / "certs/ca.pem")


def test_unknown_key_is_a_warning_with_a_suggestion() -> None:
    warnings: list[str] = []
    merged = apply_overrides(settings(), Overrides(properties=(("mail.smtp.hots", "x"),)),
                             warn=warnings.append)
    assert merged.server.properties["mail.smtp.hots"] == "x"
    assert warnings == ["-P mail.smtp.hots: unknown property, ignored by JavaMail "
                        "(did you mean mail.smtp.host?)"]


def test_password_sources_replace_the_file_source_and_name_the_flag(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("RUN_PW", "s3cret-run")
    merged = apply_overrides(settings(), Overrides(password_env="RUN_PW"))
    assert merged.server.password.resolve() == "s3cret-run"
    script = tmp_path / "pw"
    script.write_text("#!/bin/sh\nexit 7\n")
    script.chmod(0o700)
    merged = apply_overrides(settings(), Overrides(password_command=str(script)))
    with pytest.raises(ConfigError, match=r"^--password-command exited with status 7"):
        merged.server.password.resolve()
    monkeypatch.delenv("RUN_PW")
    with pytest.raises(ConfigError, match=r"--password-env names \$RUN_PW, which is not set"):
        apply_overrides(settings(), Overrides(password_env="RUN_PW"))


@pytest.mark.parametrize(("overrides", "message"), [
    (Overrides(properties=(("mail.smtp.port", "0"),)), "-P mail.smtp.port: '0' is not a port"),
    (Overrides(properties=(("mail.smtp.connectiontimeout", "-5"),)),
     "-P mail.smtp.connectiontimeout: '-5' is not a timeout"),
    (Overrides(properties=(("mail.smtp.host", "a\nRCPT TO:<x@y>"),)), "holds a line break"),
    (Overrides(properties=(("mail smtp host", "a"),)), "not a property name"),
    (Overrides(properties=(("mail.smtp.sasl.xoauth2.token", "t0k"),)), "never goes on"),
    (Overrides(timeout="inf"), "--timeout: 'inf'"),
    (Overrides(timeout="9999999"), "--timeout: '9999999'"),
    (Overrides(username="a\r\nb"), "--user: contains a line break"),
    (Overrides(sender="not an address"), "--from: 'not an address' is not an email"),
])
def test_bad_values_are_refused_naming_the_flag(overrides: Overrides, message: str) -> None:
    with pytest.raises(ConfigError) as err:
        apply_overrides(settings(), overrides)
    assert message in str(err.value)
    assert err.value.exit_code == 3
    assert "t0k" not in str(err.value)

