"""The explainer table: each documented failure gets its own words and a fix."""

from __future__ import annotations

import pytest

from mailtui.javamail.plan import Plan
from mailtui.smtp.explain import explain, find_rule
from mailtui.smtp.failure_rules import FAILURE_RULES, FALLBACK
from mailtui.smtp.results import Failure, split_reply
from mailtui.smtp.stages import Stage
from mailtui.smtp.tls import CertificateInfo

PLAN = Plan(host="smtp.example.org", port=587, security="starttls-required", auth=True,
            mechanisms=("LOGIN", "PLAIN"), verify_certificate=True, check_server_identity=True,
            username="me@example.org", envelope_from="me@example.org")


def reply(stage: Stage, line: str, **facts: object) -> Failure:
    code = int(line[:3])
    enhanced, text = split_reply(code, line[4:].encode())
    return Failure(stage, stage, "reply", reply_code=code, enhanced_code=enhanced, reply=text,
                   facts=dict(facts))


@pytest.mark.parametrize(
    ("failure", "host", "expected"),
    [
        (reply(Stage.AUTH, "534 5.7.9 Application-specific password required. abc gsmtp"),
         "smtp.gmail.com", "app password"),
        (reply(Stage.AUTH, "535 5.7.8 Username and Password not accepted. abc gsmtp"),
         "smtp.gmail.com", "app password"),
        (reply(Stage.AUTH, "535 5.7.8 Username and Password not accepted"),
         "mail.example.org", "rejected the username or password"),
        (reply(Stage.AUTH, "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication "
                           "is disabled for the Tenant."), "smtp.office365.com", "tenant"),
        (reply(Stage.AUTH, "535 5.7.139 Authentication unsuccessful, basic authentication is "
                           "disabled."), "smtp.office365.com", "Basic authentication"),
        (reply(Stage.AUTH, "535 5.7.3 Authentication unsuccessful"), "smtp.office365.com",
         "OAuth2"),
        (reply(Stage.MAIL_FROM, "530 5.7.0 Must issue a STARTTLS command first"), None,
         "STARTTLS before"),
        (reply(Stage.MAIL_FROM, "550 5.7.60 SMTP; Client does not have permissions to send as "
                                "this sender", sender="boss@example.org"), None,
         "not allowed to send as boss@example.org"),
        (reply(Stage.AFTER_DATA, "554 5.2.252 SendAsDenied; me@example.org not allowed to send "
                                 "as boss@example.org"), None, "not allowed to send as"),
        (reply(Stage.AFTER_DATA, "552 5.3.4 Message size exceeds fixed limit", size_limit=1000,
               message_size=5000), None, "limit is 1,000 bytes"),
        (reply(Stage.RCPT, "451 4.7.1 Please try again later (greylisted)"), None, "greylist"),
        (reply(Stage.MAIL_FROM, "421 4.7.0 Too many connections"), None, "temporary"),
        (reply(Stage.RCPT, "451 4.3.0 Local error"), None, "temporary"),
        (reply(Stage.RCPT, "554 5.7.1 Relay access denied"), None, "relay"),
        (reply(Stage.GREETING, "554 5.7.1 Your IP is listed"), None, "greeting"),
    ],
)
def test_reply_explanations(failure: Failure, host: str | None, expected: str) -> None:
    plan = PLAN if host is None else Plan(**{**PLAN.__dict__, "host": host})
    explanation, fix = explain(failure, plan)
    assert expected.lower() in (explanation + " " + fix).lower(), explanation
    assert find_rule(failure, plan) is not FALLBACK
    assert fix


@pytest.mark.parametrize(
    ("stage", "during", "kind", "expected"),
    [
        (Stage.TIMEOUT, Stage.CONNECT, "timeout", "firewall"),
        (Stage.TIMEOUT, Stage.GREETING, "timeout", "no greeting"),
        (Stage.TIMEOUT, Stage.TLS, "timeout", "handshake"),
        (Stage.TIMEOUT, Stage.AUTH, "timeout", "did not answer within 7 s"),
        (Stage.TIMEOUT, Stage.DATA, "timeout", "writetimeout"),
        (Stage.TIMEOUT, Stage.AFTER_DATA, "timeout", "may or may not"),
        (Stage.CONNECTION_LOST, Stage.DATA, "lost", "not delivered"),
        (Stage.CONNECTION_LOST, Stage.AFTER_DATA, "lost", "not delivered"),
        (Stage.CONNECTION_LOST, Stage.GREETING, "lost", "before greeting"),
        (Stage.TLS, Stage.TLS, "tls-not-offered", "did not offer STARTTLS"),
        (Stage.TLS, Stage.TLS, "tls-needed-for-auth", "never sends credentials"),
        (Stage.AUTH, Stage.AUTH, "auth-not-offered", "does not offer authentication"),
        (Stage.TLS, Stage.TLS, "plaintext-on-tls-port", "speaks plain SMTP"),
        (Stage.DNS, Stage.DNS, "dns", "could not be resolved"),
        (Stage.CONNECT, Stage.CONNECT, "refused", "connection refused"),
    ],
)
def test_kind_explanations(stage: Stage, during: Stage, kind: str, expected: str) -> None:
    failure = Failure(stage, during, kind, detail="x", facts={"timeout": 7})
    explanation, fix = explain(failure, PLAN)
    assert expected.lower() in (explanation + " " + fix).lower(), explanation
    if stage in (Stage.TIMEOUT, Stage.CONNECTION_LOST):
        assert explanation.startswith(("Timed out during", "Connection lost during"))


def test_timeout_at_greeting_on_a_tls_port() -> None:
    failure = Failure(Stage.TIMEOUT, Stage.GREETING, "timeout",
                      facts={"timeout": 2, "speaks_tls": True})
    explanation, fix = explain(failure, PLAN)
    assert "implicit-TLS port" in explanation
    assert "mail.smtp.ssl.enable=true" in fix


def test_certificate_names_are_named() -> None:
    import datetime as dt

    cert = CertificateInfo("CN=mx.other.test", "CN=Some CA", ("mx.other.test", "other.test"),
                           dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
                           dt.datetime(2030, 1, 1, tzinfo=dt.UTC), "AA:BB", False)
    failure = Failure(Stage.TLS, Stage.TLS, "cert-hostname", certificate=cert)
    explanation, fix = explain(failure, PLAN)
    assert "not valid for smtp.example.org" in explanation
    assert "mx.other.test, other.test" in explanation
    assert "mx.other.test" in fix
    untrusted = Failure(Stage.TLS, Stage.TLS, "cert-untrusted", detail="unable to get local "
                        "issuer certificate", certificate=cert)
    explanation, fix = explain(untrusted, PLAN)
    assert "CN=Some CA" in explanation and "mailtui.ssl.cafile" in fix


def test_unknown_failure_uses_the_fallback() -> None:
    failure = reply(Stage.DONE, "299 something odd")
    explanation, fix = explain(failure, PLAN)
    assert "299 something odd" in explanation
    assert fix


def test_every_placeholder_is_known() -> None:
    """A typo in a placeholder would print '?' to the user: every name must be provided."""
    import string

    from mailtui.smtp.explain import _values

    known = set(_values(Failure(Stage.AUTH, Stage.AUTH, "reply"), PLAN))
    for rule in (*FAILURE_RULES, FALLBACK):
        for text in (rule.explanation, rule.fix):
            names = {name for _, name, _, _ in string.Formatter().parse(text) if name}
            assert names <= known, (text, names - known)


def test_split_reply_drops_repeated_enhanced_codes() -> None:
    enhanced, text = split_reply(535, b"5.7.8 Username and Password not accepted. For more\n"
                                      b"5.7.8  information, go to https://example.org gsmtp")
    assert enhanced == "5.7.8"
    assert text == ("Username and Password not accepted. For more information, go to "
                    "https://example.org gsmtp")
