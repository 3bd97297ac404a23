"""Effective plan: JavaMail semantics for every preset and every form of TLS."""

from __future__ import annotations

import pytest

from mailtui.config.model import SecretRef, ServerSettings, Settings
from mailtui.javamail.presets import apply_preset, builtin_presets, get_preset
from mailtui.javamail.resolve import resolve_plan


def settings_with(props: dict[str, str], **server: object) -> Settings:
    base = {"username": "user@example.org", "default_sender": "App <app@example.org>",
            "password": SecretRef("server.password", env="PW")}
    base.update(server)
    return Settings(server=ServerSettings(properties=props, **base))  # type: ignore[arg-type]


EXPECTED = {
    "gmail": ("smtp.gmail.com", 465, "implicit-tls", True),
    "gmail-starttls": ("smtp.gmail.com", 587, "starttls-required", True),
    "office365": ("smtp.office365.com", 587, "starttls-required", True),
    "outlook": ("smtp-mail.outlook.com", 587, "starttls-required", True),
    "amazon-ses": ("email-smtp.us-east-1.amazonaws.com", 587, "starttls-required", True),
    "sendgrid": ("smtp.sendgrid.net", 587, "starttls-required", True),
    "mailgun": ("smtp.mailgun.org", 587, "starttls-required", True),
    "mailgun-eu": ("smtp.eu.mailgun.org", 587, "starttls-required", True),
    "postmark": ("smtp.postmarkapp.com", 587, "starttls-required", True),
    "zoho": ("smtp.zoho.com", 465, "implicit-tls", True),
    "fastmail": ("smtp.fastmail.com", 465, "implicit-tls", True),
    "icloud": ("smtp.mail.me.com", 587, "starttls-required", True),
    "yahoo": ("smtp.mail.yahoo.com", 465, "implicit-tls", True),
    "local-relay": ("localhost", 25, "none", False),
    "sandbox": ("127.0.0.1", 2525, "starttls-required", True),
}


def test_every_spec_preset_exists() -> None:
    assert set(EXPECTED) <= set(builtin_presets())


@pytest.mark.parametrize("preset_id", sorted(EXPECTED))
def test_plan_for_every_preset(preset_id: str) -> None:
    preset = get_preset(preset_id)
    plan = resolve_plan(settings_with(preset.render()), with_lint=True)
    host, port, security, auth = EXPECTED[preset_id]
    assert (plan.host, plan.port, plan.security, plan.auth) == (host, port, security, auth)
    assert plan.verify_certificate is True
    assert plan.check_server_identity is True
    if auth:
        assert plan.mechanisms[:2] == ("LOGIN", "PLAIN")
    assert not [w for w in plan.warnings if "clear" in w and "password" in w]


def test_preset_parameter_fills_the_host() -> None:
    rendered = get_preset("amazon-ses").render({"region": "eu-west-1"})
    assert rendered["mail.smtp.host"] == "email-smtp.eu-west-1.amazonaws.com"


def test_seed_gmail_example_is_implicit_tls_on_465() -> None:
    plan = resolve_plan(settings_with({
        "mail.smtp.host": "smtp.gmail.com",
        "mail.smtp.socketFactory.port": "465",
        "mail.smtp.socketFactory.class": "javax.net.ssl.SSLSocketFactory",
        "mail.smtp.auth": "true",
        "mail.smtp.port": "465",
    }))
    assert (plan.host, plan.port, plan.security) == ("smtp.gmail.com", 465, "implicit-tls")


def test_legacy_factory_port_wins_over_port() -> None:
    plan = resolve_plan(settings_with({
        "mail.smtp.host": "h.example.org",
        "mail.smtp.port": "25",
        "mail.smtp.socketFactory.class": "javax.net.ssl.SSLSocketFactory",
        "mail.smtp.socketFactory.port": "465",
    }))
    assert plan.port == 465 and plan.security == "implicit-tls"


def test_seed_office365_example_is_starttls_required_on_587() -> None:
    plan = resolve_plan(settings_with({
        "mail.smtp.socketFactory.port": "587",
        "mail.smtp.host": "smtp.office365.com",
        "mail.smtp.port": "587",
        "mail.smtp.auth": "true",
        "mail.smtp.starttls.enable": "true",
        "mail.smtp.starttls.required": "true",
    }))
    assert (plan.port, plan.security) == (587, "starttls-required")


@pytest.mark.parametrize(
    ("props", "security", "port"),
    [
        ({}, "none", 25),
        ({"mail.smtp.starttls.enable": "true"}, "starttls-optional", 25),
        ({"mail.smtp.starttls.required": "true"}, "starttls-required", 25),
        ({"mail.smtp.ssl.enable": "true"}, "implicit-tls", 465),
        ({"mail.smtp.ssl.enable": "TRUE"}, "implicit-tls", 465),
        ({"mail.smtp.ssl.enable": "true "}, "none", 25),  # as Java: junk makes it false
        ({"mail.smtp.ssl.enable": "yes"}, "none", 25),  # Java reads "yes" as false
        ({"mail.transport.protocol": "smtps"}, "implicit-tls", 465),
        ({"mail.transport.protocol": "smtps", "mail.smtps.port": "2465"}, "implicit-tls", 2465),
        ({"mail.smtp.port": "58x7"}, "none", 25),  # JavaMail ignores an unparsable number
        ({"mail.smtp.port": " 587"}, "none", 25),  # Integer.parseInt does not trim
    ],
)
def test_security_and_default_port(props: dict[str, str], security: str, port: int) -> None:
    plan = resolve_plan(settings_with({"mail.smtp.host": "h.example.org", **props}))
    assert (plan.security, plan.port) == (security, port)


def test_smtps_protocol_reads_smtps_keys_only() -> None:
    plan = resolve_plan(settings_with({
        "mail.transport.protocol": "smtps", "mail.smtps.host": "a.example.org",
        "mail.smtp.host": "b.example.org", "mail.smtps.auth": "true",
    }))
    assert plan.host == "a.example.org" and plan.auth and plan.protocol == "smtps"


def test_mail_host_and_mail_user_fallbacks() -> None:
    plan = resolve_plan(settings_with({"mail.host": "g.example.org", "mail.user": "u"},
                                      username=None))
    assert plan.host == "g.example.org" and plan.username == "u"


def test_mechanism_order_and_disable_flags() -> None:
    base = {"mail.smtp.host": "h", "mail.smtp.auth": "true"}
    assert resolve_plan(settings_with(base)).mechanisms == ("LOGIN", "PLAIN")
    plan = resolve_plan(settings_with({**base, "mail.smtp.auth.login.disable": "true"}))
    assert plan.mechanisms == ("PLAIN",)
    plan = resolve_plan(settings_with({**base, "mail.smtp.auth.mechanisms": "cram-md5 PLAIN"}))
    assert plan.mechanisms == ("CRAM-MD5", "PLAIN")
    plan = resolve_plan(settings_with({**base, "mail.smtp.auth.xoauth2.disable": "false"}))
    assert plan.mechanisms == ("LOGIN", "PLAIN", "XOAUTH2")
    plan = resolve_plan(settings_with({**base, "mail.smtp.auth.mechanisms": "XOAUTH2,PLAIN"}))
    assert plan.mechanisms == ("XOAUTH2", "PLAIN")
    # As Jakarta Mail: the disable flags only filter the default list.
    plan = resolve_plan(settings_with({**base, "mail.smtp.auth.mechanisms": "LOGIN",
                                       "mail.smtp.auth.login.disable": "true"}))
    assert plan.mechanisms == ("LOGIN",)


def test_ssl_trust_and_identity() -> None:
    base = {"mail.smtp.host": "h.example.org", "mail.smtp.ssl.enable": "true"}
    assert resolve_plan(settings_with(base)).verify_certificate
    plan = resolve_plan(settings_with({**base, "mail.smtp.ssl.trust": "*"}))
    assert not plan.verify_certificate
    plan = resolve_plan(settings_with({**base, "mail.smtp.ssl.trust": "other h.example.org"}))
    assert not plan.verify_certificate
    plan = resolve_plan(settings_with({**base, "mail.smtp.ssl.trust": "other.example.org"}))
    assert plan.verify_certificate
    plan = resolve_plan(settings_with({**base, "mail.smtp.ssl.checkserveridentity": "false"}))
    assert plan.verify_certificate and not plan.check_server_identity


def test_timeouts_finite_defaults_are_reported() -> None:
    plan = resolve_plan(settings_with({"mail.smtp.host": "h", "mail.smtp.timeout": "5000",
                                       "mail.smtp.writetimeout": "0"}), with_lint=True)
    assert (plan.timeouts.connect, plan.timeouts.read, plan.timeouts.write) == (30, 5, 60)
    joined = "\n".join(plan.warnings)
    assert "mail.smtp.connectiontimeout: not set (JavaMail waits forever)" in joined
    assert "mail.smtp.writetimeout: 0 (JavaMail waits forever)" in joined
    assert "mail.smtp.timeout: not set" not in joined


def test_envelope_ehlo_source_dsn_and_mime_options() -> None:
    plan = resolve_plan(settings_with({
        "mail.smtp.host": "h", "mail.smtp.from": "bounces@example.org",
        "mail.smtp.localhost": "app01.example.org", "mail.smtp.localaddress": "127.0.0.1",
        "mail.smtp.localport": "40000", "mail.smtp.dsn.notify": "FAILURE,DELAY",
        "mail.smtp.dsn.ret": "hdrs", "mail.smtp.allow8bitmime": "true",
        "mail.mime.allowutf8": "true", "mail.smtp.sendpartial": "true",
    }))
    assert plan.envelope_from == "bounces@example.org"
    assert plan.ehlo_name == "app01.example.org"
    assert (plan.source_address, plan.source_port) == ("127.0.0.1", 40000)
    assert (plan.dsn_notify, plan.dsn_ret) == ("FAILURE,DELAY", "HDRS")
    assert plan.allow_8bitmime and plan.allow_utf8 and plan.send_partial


def test_envelope_falls_back_to_default_sender_address() -> None:
    plan = resolve_plan(settings_with({"mail.smtp.host": "h"}))
    assert plan.envelope_from == "app@example.org"


def test_plan_json_has_the_spec_fields() -> None:
    data = resolve_plan(settings_with(get_preset("office365").render())).to_json()
    for key in ("host", "port", "security", "auth", "mechanisms", "verify_certificate",
                "timeouts", "ehlo_name", "envelope_from", "warnings"):
        assert key in data
    assert set(data["timeouts"]) == {"connect", "read", "write"}


def test_apply_preset_replaces_connection_keys_only() -> None:
    current = {"mail.smtp.host": "old", "mail.smtp.socketFactory.class": "x",
               "mail.smtp.timeout": "9000", "mail.smtp.from": "b@example.org",
               "mail.smtp.auth.login.disable": "true"}
    new = apply_preset(current, get_preset("gmail").render())
    assert new["mail.smtp.host"] == "smtp.gmail.com"
    assert "mail.smtp.socketFactory.class" not in new
    assert "mail.smtp.auth.login.disable" not in new
    assert new["mail.smtp.timeout"] == "9000" and new["mail.smtp.from"] == "b@example.org"


def test_an_unusable_timeout_is_one_error_saying_which_default_applies() -> None:
    plan = resolve_plan(settings_with({"mail.smtp.host": "h",
                                       "mail.smtp.timeout": "99999999999"}), with_lint=True)
    assert plan.timeouts.read == 60
    read_notes = [n for n in (*plan.errors, *plan.warnings) if "mail.smtp.timeout:" in n]
    assert read_notes == [
        "mail.smtp.timeout: '99999999999' is not a timeout in milliseconds (a whole number "
        ">= 0); JavaMail ignores it and waits forever, mailtui uses its default read timeout "
        "of 60 s"]
    assert plan.to_json()["errors"] == list(plan.errors)
    assert not [w for w in plan.warnings if "99999999999" in w]
