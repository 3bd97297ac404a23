"""services.send_test (preparation, no network) and services.smime without any CLI (issue 9)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest

from mailtui.config.model import SecretRef, ServerSettings, Settings, SmimeSettings
from mailtui.errors import ConfigError, MessageBuildError
from mailtui.services.send_test import prepare_test_send
from mailtui.services.smime import SmimeInfo, smime_info, smime_recipients
from tests.support.pki import Authority

PROPS = {"mail.smtp.host": "smtp.example.org", "mail.smtp.port": "587",
         "mail.smtp.starttls.enable": "true", "mail.smtp.starttls.required": "true"}


def settings(**server: object) -> Settings:
    values: dict[str, object] = {"default_sender": "Records <app@example.org>",
                                 "test_recipient": "admin@example.org", "properties": PROPS}
    values.update(server)
    return Settings(server=ServerSettings(**values))  # type: ignore[arg-type]


# -- test send preparation ------------------------------------------------------------------
def test_the_plain_test_message_is_prepared() -> None:
    prepared = prepare_test_send(settings())
    assert prepared.recipient == "admin@example.org"
    assert prepared.sender == "Records <app@example.org>"
    assert prepared.event is None and prepared.protection is None
    assert prepared.plan.host == "smtp.example.org" and prepared.warnings == ()
    assert b"To: admin@example.org" in prepared.message
    assert b"Server: smtp.example.org:587 (starttls-required)" in prepared.message


def test_to_overrides_the_test_recipient_and_an_event_sample_is_built() -> None:
    prepared = prepare_test_send(settings(), to="Bob <bob@example.org>",
                                 event="task_completed")
    assert prepared.recipient == "bob@example.org" and prepared.event == "task_completed"
    assert b"Subject: Task completed" in prepared.message


def test_an_event_takes_the_values_given_and_samples_for_the_rest() -> None:
    """The template browser's edited sample values reach the message sent."""
    import email

    prepared = prepare_test_send(settings(), event="task_completed", locale="fr",
                                 variables={"task_title": "Budget 2027 zz-marker"})
    message = email.message_from_bytes(prepared.message)
    text = "".join(part.get_payload(decode=True).decode("utf-8")
                   for part in message.walk() if part.get_content_type() == "text/plain")
    assert "Budget 2027 zz-marker" in text
    plain = prepare_test_send(settings(), event="task_completed", locale="fr")
    assert b"zz-marker" not in plain.message


@pytest.mark.parametrize(("kwargs", "server", "message"), [
    ({"to": "not an address"}, {}, "--to: 'not an address' is not an email address"),
    ({}, {"test_recipient": "bob@"}, "server.test_recipient: 'bob@' is not an email address"),
    ({}, {"test_recipient": None}, "no recipient for the test message"),
    ({}, {"default_sender": None}, "no sender address"),
    ({}, {"properties": {"mail.smtp.port": "25"}}, "no SMTP server: mail.smtp.host is not set"),
])
def test_preparation_errors(kwargs: dict[str, str], server: dict[str, object],
                            message: str) -> None:
    with pytest.raises(ConfigError) as info:
        prepare_test_send(settings(**server), **kwargs)
    assert info.value.message.startswith(message) and info.value.exit_code == 3


def test_an_unknown_event_is_a_message_build_error() -> None:
    with pytest.raises((ConfigError, MessageBuildError)):
        prepare_test_send(settings(), event="no_such_event")


def test_internal_domains_are_warned_as_found_and_returned() -> None:
    heard: list[str] = []
    prepared = prepare_test_send(settings(default_sender="app@corp.local"),
                                 to="ops@intranet.lan", warn=heard.append)
    assert heard == list(prepared.warnings) and len(heard) == 2
    assert heard[0].startswith("recipient ops@intranet.lan is an internal domain")
    assert heard[1].startswith("sender app@corp.local is an internal domain")


def test_a_password_source_failure_is_a_config_error_and_never_shown() -> None:
    secret = SecretRef("server.password", command="echo prep-secret-out; exit 3")
    props = {**PROPS, "mail.smtp.auth": "true"}
    with pytest.raises(ConfigError) as info:
        prepare_test_send(settings(username="me", password=secret, properties=props))
    assert "prep-secret-out" not in info.value.describe()


def test_the_password_never_shows_in_the_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MT_PREP_PW", "prep-pw-value")
    props = {**PROPS, "mail.smtp.auth": "true"}
    prepared = prepare_test_send(settings(username="me", properties=props,
                                          password=SecretRef("server.password",
                                                             env="MT_PREP_PW")))
    assert prepared.password == "prep-pw-value" and "prep-pw-value" not in repr(prepared)


# -- S/MIME --------------------------------------------------------------------------------
@pytest.fixture
def smime_settings(tmp_path: Path, test_ca: Authority) -> Settings:
    sender = test_ca.issue_smime("app@example.org", common_name="Records")
    (tmp_path / "sender.p12").write_bytes(sender.p12("svc-smime-pw"))
    test_ca.issue_smime("bob@example.org").write(tmp_path / "recipients", "bob@example.org")
    return replace(settings(), smime=SmimeSettings(
        certificate=tmp_path / "sender.p12",
        password=SecretRef("smime.password", value="svc-smime-pw"),
        encrypt="when-possible", recipients=tmp_path / "recipients"))


def test_smime_info_is_typed(smime_settings: Settings, tmp_path: Path) -> None:
    info = smime_info(smime_settings)
    assert isinstance(info, SmimeInfo)
    assert info.format == "PKCS#12" and info.certificate == str(tmp_path / "sender.p12")
    assert info.summary.emails == ("app@example.org",)
    assert info.summary.common_name == "Records"
    assert isinstance(info.summary.not_after, dt.datetime)
    assert info.encrypt == "when-possible" and info.recipients == str(tmp_path / "recipients")
    assert info.warnings == ()
    data = info.to_json()
    assert data["emails"] == ["app@example.org"] and data["warnings"] == []
    assert "svc-smime-pw" not in repr(info) + repr(data)


def test_smime_info_warns_and_fails_as_data_and_errors(smime_settings: Settings) -> None:
    other = replace(smime_settings, server=replace(smime_settings.server,
                                                   default_sender="else@example.org"))
    assert any("matches the default sender else@example.org" in w
               for w in smime_info(other).warnings)
    wrong = replace(smime_settings, smime=replace(
        smime_settings.smime, password=SecretRef("smime.password", value="wrong")))
    with pytest.raises(ConfigError):
        smime_info(wrong)


def test_smime_recipients(smime_settings: Settings) -> None:
    lookup = smime_recipients(smime_settings, ["bob@example.org", "eve@example.org"])
    assert list(lookup.found) == ["bob@example.org"]
    assert "CN=bob@example.org" in lookup.found["bob@example.org"].subject
    assert set(lookup.missing) == {"eve@example.org"}


def test_a_test_send_is_signed_and_encrypted_when_configured(smime_settings: Settings) -> None:
    prepared = prepare_test_send(smime_settings, to="bob@example.org")
    assert prepared.protection is not None
    assert prepared.protection.signed and prepared.protection.encrypted
    assert prepared.message == prepared.protection.data
    assert b"application/pkcs7-mime" in prepared.message
    event = prepare_test_send(smime_settings, to="bob@example.org", event="task_completed")
    assert event.protection is not None and event.protection.encrypted
