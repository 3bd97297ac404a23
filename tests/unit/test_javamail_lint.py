"""Every lint rule fires when it should and names the property and a fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from mailtui.config.model import SecretRef, ServerSettings, Settings
from mailtui.javamail.lint import Finding, lint
from mailtui.javamail.presets import get_preset
from mailtui.javamail.resolve import resolve_plan
from tests.support.pki import Authority

SECURE = {
    "mail.smtp.host": "smtp.example.org",
    "mail.smtp.port": "587",
    "mail.smtp.auth": "true",
    "mail.smtp.starttls.enable": "true",
    "mail.smtp.starttls.required": "true",
}


def findings(props: dict[str, str], **server: object) -> list[Finding]:
    base: dict[str, object] = {
        "enabled": True, "username": "u@example.org", "default_sender": "a@example.org",
        "password": SecretRef("server.password", env="PW"),
    }
    base.update(server)
    settings = Settings(server=ServerSettings(properties=props, **base))  # type: ignore[arg-type]
    return lint(settings, resolve_plan(settings, with_lint=False))


def codes(props: dict[str, str], **server: object) -> dict[str, Finding]:
    return {f.code: f for f in findings(props, **server)}


def test_a_secure_configuration_is_clean() -> None:
    assert [f for f in findings(SECURE) if f.severity != "info"] == []


@pytest.mark.parametrize("preset_id", ["gmail", "gmail-starttls", "office365", "sendgrid",
                                       "local-relay", "sandbox"])
def test_presets_have_no_errors(preset_id: str, test_ca: Authority) -> None:
    props = get_preset(preset_id).render()
    if "mailtui.ssl.cafile" in props:  # the sandbox's CA, made when it first starts
        ca_file = Path(props["mailtui.ssl.cafile"])
        ca_file.parent.mkdir(parents=True, exist_ok=True)
        test_ca.write_ca(ca_file)
    assert [f for f in findings(props) if f.severity == "error"] == []


@pytest.mark.parametrize(
    ("change", "code", "severity", "key"),
    [
        ({"mail.smtp.starttls.required": "false"}, "starttls-optional", "warning",
         "mail.smtp.starttls.enable"),
        ({"mail.smtp.starttls.required": None, "mail.smtp.starttls.enable": None},
         "auth-without-tls", "error", "mail.smtp.auth"),
        ({"mail.smtp.ssl.trust": "*"}, "trust-all", "warning", "mail.smtp.ssl.trust"),
        ({"mail.smtp.ssl.trust": "smtp.example.org"}, "trust-host", "warning",
         "mail.smtp.ssl.trust"),
        ({"mail.smtp.ssl.checkserveridentity": "false"}, "identity-off", "warning",
         "mail.smtp.ssl.checkserveridentity"),
        ({"mail.smtp.port": "465"}, "port-mode-mismatch", "error", "mail.smtp.port"),
        ({"mail.smtp.starttls.required": None, "mail.smtp.starttls.enable": None,
          "mail.smtp.ssl.enable": "true"}, "port-mode-mismatch", "error", "mail.smtp.port"),
        ({"mail.smtp.host": None}, "missing-host", "error", "mail.smtp.host"),
        ({"mail.smtp.socketFactory.port": "587"}, "redundant-key", "warning",
         "mail.smtp.socketFactory.port"),
        ({"mail.smtp.socketFactory.class": "com.example.MyFactory"}, "custom-factory",
         "warning", "mail.smtp.socketFactory.class"),
        ({"mail.smtp.auth.mechanisms": "NTLM"}, "no-mechanism", "error",
         "mail.smtp.auth.mechanisms"),
        ({"mail.smtp.auth.mechanisms": "DIGEST-MD5 PLAIN"}, "mechanism-unsupported", "info",
         "mail.smtp.auth.mechanisms"),
        ({"mail.smtp.proxy.host": "proxy"}, "proxy-unsupported", "warning",
         "mail.smtp.proxy.host"),
        ({"mail.smtp.ehlo": "false"}, "helo-unsupported", "warning", "mail.smtp.ehlo"),
        ({"mail.smtp.password": "x"}, "password-in-properties", "error", "mail.smtp.password"),
        ({"mail.smtp.starttls.enabled": "true"}, "unknown-key", "warning",
         "mail.smtp.starttls.enabled"),
        ({"mail.smtp.port": "58x7"}, "bad-value", "error", "mail.smtp.port"),
        ({"mail.smtp.auth": "true "}, "bad-value", "error", "mail.smtp.auth"),
        ({"mail.smtps.host": "x"}, "other-protocol", "warning", "mail.smtps.host"),
        ({"mail.smtp.starttls.enable": None}, "required-without-enable", "info",
         "mail.smtp.starttls.required"),
        ({"mail.smtp.host": "smtp.office365.com"}, "basic-auth-retiring", "warning",
         "mail.smtp.host"),
    ],
)
def test_rule(change: dict[str, str | None], code: str, severity: str, key: str) -> None:
    props = {k: v for k, v in {**SECURE, **change}.items() if v is not None}
    found = codes(props)
    assert code in found, sorted(found)
    assert found[code].severity == severity
    assert found[code].key == key
    assert found[code].fix or severity == "info"


def test_unknown_key_suggests_the_right_one() -> None:
    found = codes({**SECURE, "mail.smtp.starttls.enabled": "true"})
    assert "mail.smtp.starttls.enable" in (found["unknown-key"].fix or "")


def test_seed_gmail_legacy_form() -> None:
    props = {
        "mail.smtp.host": "smtp.gmail.com",
        "mail.smtp.socketFactory.port": "465",
        "mail.smtp.socketFactory.class": "javax.net.ssl.SSLSocketFactory",
        "mail.smtp.auth": "true",
        "mail.smtp.port": "465",
    }
    found = codes(props)
    assert found["legacy-ssl-factory"].severity == "info"
    assert found["factory-fallback"].severity == "warning"
    assert "port-mode-mismatch" not in found


def test_factory_port_differs() -> None:
    found = codes({"mail.smtp.host": "h", "mail.smtp.port": "25",
                   "mail.smtp.socketFactory.class": "javax.net.ssl.SSLSocketFactory",
                   "mail.smtp.socketFactory.port": "465",
                   "mail.smtp.socketFactory.fallback": "false"})
    assert "factory-port-differs" in found and "factory-fallback" not in found


def test_starttls_with_implicit_tls_is_redundant() -> None:
    found = findings({"mail.smtp.host": "h", "mail.smtp.port": "465",
                      "mail.smtp.ssl.enable": "true", "mail.smtp.starttls.enable": "true"})
    assert any(f.code == "redundant-key" and f.key == "mail.smtp.starttls.enable"
               for f in found)


def test_auth_without_credentials() -> None:
    found = codes(SECURE, username=None, password=SecretRef("server.password"))
    assert found["auth-no-username"].severity == "error"
    assert found["auth-no-password"].severity == "error"


def test_password_without_auth_is_unused() -> None:
    found = codes({**SECURE, "mail.smtp.auth": "false"})
    assert found["password-unused"].severity == "warning"


def test_settings_level_findings() -> None:
    found = codes(SECURE, enabled=False, default_sender=None)
    assert found["disabled"].severity == "info"
    assert found["no-sender"].severity == "warning"


def test_errors_come_first() -> None:
    result = findings({"mail.smtp.port": "58x7", "mail.smtp.starttls.enable": "true"})
    severities = [f.severity for f in result]
    assert severities == sorted(severities, key=["error", "warning", "info"].index)


def test_missing_sandbox_ca_says_how_to_make_it() -> None:
    props = get_preset("sandbox").render()
    found = codes(props)["ca-file"]
    assert found.severity == "error" and "No such file or directory" in found.message
    assert "mailtui sandbox" in (found.fix or "")
