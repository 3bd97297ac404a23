"""The property catalog: lookup (smtps mirrors smtp), value validation, did-you-mean."""

from __future__ import annotations

import pytest

from mailtui.javamail.catalog import (
    PropertySpec,
    all_specs,
    explain_unknown,
    is_secret_key,
    lookup,
    suggest,
    validate_value,
    value_fix,
)

# The mail.smtp.* properties of the Jakarta Mail / Angus Mail SMTP package summary.
DOCUMENTED_SMTP = [
    "host", "port", "user", "from", "localhost", "localaddress", "localport", "ehlo", "auth",
    "auth.mechanisms", "auth.login.disable", "auth.plain.disable", "auth.digest-md5.disable",
    "auth.ntlm.disable", "auth.ntlm.domain", "auth.ntlm.flags", "auth.xoauth2.disable",
    "submitter", "dsn.notify", "dsn.ret", "allow8bitmime", "sendpartial", "sasl.enable",
    "sasl.mechanisms", "sasl.authorizationid", "sasl.realm", "sasl.usecanonicalhostname",
    "quitwait", "quitonsessionreject", "reportsuccess", "connectiontimeout", "timeout",
    "writetimeout", "socketFactory", "socketFactory.class", "socketFactory.fallback",
    "socketFactory.port", "ssl.enable", "ssl.checkserveridentity", "ssl.trust",
    "ssl.socketFactory", "ssl.socketFactory.class", "ssl.socketFactory.port", "ssl.protocols",
    "ssl.ciphersuites", "starttls.enable", "starttls.required", "proxy.host", "proxy.port",
    "proxy.user", "proxy.password", "socks.host", "socks.port", "mailextension", "userset",
    "noop.strict",
]
GENERAL = ["mail.host", "mail.user", "mail.from", "mail.transport.protocol", "mail.debug",
           "mail.debug.auth", "mail.mime.allowutf8", "mailtui.ssl.cafile"]


def spec(key: str) -> PropertySpec:
    found = lookup(key)
    assert found is not None, key
    return found


def test_every_documented_property_is_in_the_catalog() -> None:
    names = {s.name for s in all_specs()}
    missing = [n for n in ["mail.smtp." + s for s in DOCUMENTED_SMTP] + GENERAL if n not in names]
    assert missing == []
    assert len(names) == len(all_specs())  # no duplicates


def test_every_spec_is_complete_and_validatable() -> None:
    for s in all_specs():
        assert s.description and "\n" not in s.description, s.name
        assert s.type in {"bool", "int", "port", "localport", "millis", "string", "host", "ehlo",
                          "hostlist", "list", "mechanisms", "tls-protocols", "class", "enum",
                          "dsn-notify", "address", "mailbox", "object", "path",
                          "fingerprints"}, s.name
        if s.default is not None and s.type != "object":
            assert validate_value(s, s.default) is None, s.name  # defaults are valid values
        if s.type == "enum":
            assert s.choices, s.name


@pytest.mark.parametrize(
    ("key", "default"),
    [
        ("mail.smtp.port", "25"),
        ("mail.smtp.auth", "false"),
        ("mail.smtp.ehlo", "true"),
        ("mail.smtp.quitwait", "true"),
        ("mail.smtp.socketFactory.fallback", "true"),
        ("mail.smtp.auth.xoauth2.disable", "true"),
        ("mail.smtp.auth.mechanisms", "LOGIN PLAIN DIGEST-MD5 NTLM"),
        ("mail.smtp.connectiontimeout", None),  # infinite in JavaMail
        ("mail.smtp.timeout", None),
        ("mail.smtp.writetimeout", None),
        ("mail.smtp.starttls.enable", "false"),
        ("mail.transport.protocol", "smtp"),
    ],
)
def test_javamail_defaults(key: str, default: str | None) -> None:
    assert spec(key).default == default


def test_checkserveridentity_default_is_the_jakarta_2_one() -> None:
    s = spec("mail.smtp.ssl.checkserveridentity")
    assert s.default == "true"
    assert "1.x" in s.note and "false" in s.note


def test_smtps_mirrors_smtp_with_its_own_defaults() -> None:
    port = spec("mail.smtps.port")
    assert (port.name, port.type, port.default) == ("mail.smtps.port", "port", "465")
    assert spec("mail.smtps.ssl.enable").default == "true"
    assert spec("mail.smtp.ssl.enable").default == "false"
    auth = spec("mail.smtps.auth")
    assert (auth.name, auth.default, auth.description) == (
        "mail.smtps.auth", "false", spec("mail.smtp.auth").description)


def test_unknown_keys_are_not_found() -> None:
    assert lookup("mail.smtp.starttls.enabled") is None
    assert lookup("mail.smtps.nonsense") is None
    assert lookup("MAIL.SMTP.HOST") is None  # Java keys are case-sensitive
    assert lookup("mail.smtps.") is None


def test_sandbox_trust_anchor_key() -> None:
    s = spec("mailtui.ssl.cafile")
    assert s.type == "path" and s.default is None


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("mail.smtp.auth", "true"), ("mail.smtp.auth", "FALSE"), ("mail.smtp.auth", "True"),
        ("mail.smtp.port", "1"), ("mail.smtp.port", "65535"), ("mail.smtp.port", "+587"),
        ("mail.smtp.localport", "0"),
        ("mail.smtp.timeout", "0"), ("mail.smtp.timeout", "30000"),
        ("mail.smtp.auth.ntlm.flags", "-5"),
        ("mail.smtp.host", "smtp.gmail.com"), ("mail.smtp.host", "127.0.0.1"),
        ("mail.smtp.host", "::1"), ("mail.smtp.host", "[::1]"), ("mail.smtp.host", "localhost"),
        ("mail.smtp.host", "b\u00fccher.example"), ("mail.smtp.host", "smtp.example.com."),
        ("mail.smtp.ssl.trust", "*"), ("mail.smtp.ssl.trust", "a.example.com b.example.com"),
        ("mail.smtp.dsn.notify", "NEVER"), ("mail.smtp.dsn.notify", "SUCCESS,FAILURE,DELAY"),
        ("mail.smtp.dsn.notify", "failure"), ("mail.smtp.dsn.ret", "HDRS"),
        ("mail.smtp.dsn.ret", "full"),
        ("mail.smtp.socketFactory.class", "javax.net.ssl.SSLSocketFactory"),
        ("mail.smtp.ssl.socketFactory.class", "com.example.My$Factory"),
        ("mail.smtp.auth.mechanisms", "XOAUTH2"), ("mail.smtp.auth.mechanisms", "plain,login"),
        ("mail.smtp.ssl.protocols", "TLSv1.2 TLSv1.3"),
        ("mail.smtp.from", "bounce@example.com"),
        ("mail.from", "Alerts <alerts@example.com>"), ("mail.from", "alerts@example.com"),
        ("mail.transport.protocol", "smtps"),
        ("mail.smtp.user", "anything at all"),
        ("mailtui.ssl.cafile", "~/sandbox/ca.pem"),
    ],
)
def test_valid_values(key: str, value: str) -> None:
    assert validate_value(spec(key), value) is None


@pytest.mark.parametrize(
    ("key", "value", "says"),
    [
        ("mail.smtp.port", "58x7", "'58x7' is not a port number (1-65535)"),
        ("mail.smtp.port", "0", "not a port number"),
        ("mail.smtp.port", "65536", "not a port number"),
        ("mail.smtp.port", "465 ", "not a port number"),
        ("mail.smtp.localport", "-1", "not a local port"),
        ("mail.smtp.auth", "true ", "JavaMail reads anything but 'true' as false"),
        ("mail.smtp.auth", "yes", "is not true or false"),
        ("mail.smtp.quitwait", "no", "anything but 'false' as true"),
        ("mail.smtp.timeout", "-1", "milliseconds"),
        ("mail.smtp.timeout", "30s", "milliseconds"),
        ("mail.smtp.timeout", "99999999999", "milliseconds"),  # beyond Java's int
        ("mail.smtp.auth.ntlm.flags", "0x1", "whole number"),
        ("mail.smtp.host", "smtp.gmail.com:465", "includes a port"),
        ("mail.smtp.host", "smtps://smtp.gmail.com", "URL"),
        ("mail.smtp.host", "me@gmail.com", "email address"),
        ("mail.smtp.host", "smtp gmail com", "not a host name"),
        ("mail.smtp.host", "", "empty"),
        ("mail.smtp.ssl.trust", "a.example.com,b.example.com", "separate hosts with spaces"),
        ("mail.smtp.ssl.trust", "* a.example.com", "cannot be mixed"),
        ("mail.smtp.dsn.notify", "NEVER,SUCCESS", "NEVER cannot be combined"),
        ("mail.smtp.dsn.notify", "SUCCESS, FAILURE", "spaces"),
        ("mail.smtp.dsn.notify", "ALWAYS", "comma list"),
        ("mail.smtp.dsn.notify", "SUCCESS,SUCCESS", "at most once"),
        ("mail.smtp.dsn.ret", "BODY", "FULL, HDRS"),
        ("mail.smtp.socketFactory.class", "javax.net.ssl. SSLSocketFactory", "stray whitespace"),
        ("mail.smtp.socketFactory.class", "javax.net.ssl.SSL-Factory", "not a Java class name"),
        ("mail.smtp.socketFactory", "javax.net.ssl.SSLSocketFactory", "Java object"),
        ("mail.smtp.auth.mechanisms", "GSSAPI", "not a mechanism JavaMail implements"),
        ("mail.smtp.ssl.protocols", "tlsv1.2", "write TLSv1.2"),
        ("mail.smtp.ssl.protocols", "TLSv1.2,TLSv1.3", "not a TLS protocol name"),
        ("mail.smtp.from", "Alerts <alerts@example.com>", "bare email address"),
        ("mail.from", "not an address", "not an address"),
        ("mail.transport.protocol", "SMTP", "smtp, smtps"),
        ("mail.transport.protocol", "imap", "smtp, smtps"),
    ],
)
def test_invalid_values(key: str, value: str, says: str) -> None:
    problem = validate_value(spec(key), value)
    assert problem is not None and says in problem


def test_secret_values_are_not_echoed() -> None:
    secret = spec("mail.smtp.proxy.password")
    assert secret.secret and is_secret_key("mail.smtp.proxy.password")
    assert is_secret_key("mail.smtp.password") and not is_secret_key("mail.smtp.host")


@pytest.mark.parametrize(
    ("key", "value", "fix"),
    [
        ("mail.smtp.port", "58x7", "write a number such as 587"),
        ("mail.smtp.host", "smtp.gmail.com:465",
         "use smtp.gmail.com and set the port property to 465"),
        ("mail.smtp.host", "smtps://smtp.gmail.com/", "use smtp.gmail.com"),
        ("mail.smtp.socketFactory.class", "javax.net.ssl.SSLSocketFactroy",
         "use javax.net.ssl.SSLSocketFactory"),
        ("mail.smtp.dsn.ret", "BODY", "use one of FULL, HDRS"),
        ("mail.smtp.auth", "yes", "write exactly true or false"),
    ],
)
def test_value_fixes(key: str, value: str, fix: str) -> None:
    assert value_fix(spec(key), value) == fix


@pytest.mark.parametrize(
    ("typo", "meant"),
    [
        ("mail.smtp.starttls.enabled", "mail.smtp.starttls.enable"),
        ("mail.smtp.ssl.enabled", "mail.smtp.ssl.enable"),
        ("mail.smtp.hostname", "mail.smtp.host"),
        ("mail.smtp.username", "mail.smtp.user"),
        ("mail.smtp.starttls.require", "mail.smtp.starttls.required"),
        ("mail.smtp.socketfactory.class", "mail.smtp.socketFactory.class"),
        ("mail.smtp.connectionTimeout", "mail.smtp.connectiontimeout"),
        ("mail.smtp.conectiontimeout", "mail.smtp.connectiontimeout"),
        ("mail.smtp.ssl.checkServerIdentity", "mail.smtp.ssl.checkserveridentity"),
        ("mail.smtp.socketFactory.fallbak", "mail.smtp.socketFactory.fallback"),
        ("mail.smtps.starttls.enabled", "mail.smtps.starttls.enable"),
        ("mail.smtps.hostname", "mail.smtps.host"),
        ("mail.smtps.socketfactory.port", "mail.smtps.socketFactory.port"),
        ("mail.transport", "mail.transport.protocol"),
        ("mail.transport.protocl", "mail.transport.protocol"),
        ("mail.debg", "mail.debug"),
    ],
)
def test_suggest_did_you_mean(typo: str, meant: str) -> None:
    assert suggest(typo) == meant


@pytest.mark.parametrize(
    "key", ["mail.smtp.host", "mail.smtps.port", "mail.smtp.password", "completely.unrelated",
            "mail.imap.host"])
def test_suggest_stays_silent(key: str) -> None:
    assert suggest(key) is None


def test_password_key_is_explained_not_suggested() -> None:
    why = explain_unknown("mail.smtp.password")
    assert why is not None and "password" in why
    assert explain_unknown("mail.smtp.host") is None
