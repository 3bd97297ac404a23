"""The one diagnostic type every checker returns, and ``diagnose_properties`` (a properties
text → its diagnostics and the plan, in one call). No CLI here except the last test, which
checks that ``mailtui check`` still reports each property problem once, on its TOML line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mailtui.config.model import SecretRef, ServerSettings, Settings
from mailtui.config.store import ConfigStore
from mailtui.diagnostics import Diagnostic, Location, Severity, by_severity, located
from mailtui.events.validate import validate_templates
from mailtui.javamail.diagnose import diagnose_properties
from mailtui.javamail.lint import lint
from mailtui.javamail.parser import PropertiesError, parse_properties
from mailtui.javamail.resolve import resolve_plan

ACCOUNT = Settings(server=ServerSettings(
    enabled=True, username="u@example.org", default_sender="a@example.org",
    password=SecretRef("server.password", env="PW")))

SECURE = """\
# the account
mail.smtp.host=smtp.example.org
mail.smtp.port=587
mail.smtp.auth=true
mail.smtp.starttls.enable=true
mail.smtp.starttls.required=true
mail.smtp.connectiontimeout=10000
mail.smtp.timeout=10000
mail.smtp.writetimeout=10000
"""


# ------------------------------------------------------------------ the type


def test_severity_is_one_str_valued_enum() -> None:
    assert Severity("error") is Severity.ERROR
    assert Severity.WARNING == "warning" and f"{Severity.INFO}" == "info"
    assert json.dumps({"s": Severity.ERROR}) == '{"s": "error"}'
    assert [d.severity for d in by_severity([Diagnostic("info", "c"), Diagnostic("error", "a"),
                                             Diagnostic("warning", "b")])] == [
        "error", "warning", "info"]


def test_plain_strings_become_the_enum_and_a_wrong_one_is_refused() -> None:
    assert Diagnostic("warning", "m").severity is Severity.WARNING
    with pytest.raises(ValueError):
        Diagnostic("fatal", "m")


def test_the_place_and_both_text_forms() -> None:
    d = Diagnostic("error", "mail.smtp.port: '58x7' is not a port number", fix="use 587",
                   path="mailtui.toml", line=7, column=3, key="mail.smtp.port")
    assert d.location == Location("mailtui.toml", 7, 3)
    assert str(d) == ("mailtui.toml:7:3: error: mail.smtp.port: '58x7' is not a port number"
                      "\n    fix: use 587")
    assert d.describe() == ("mailtui.toml:7:3: error: mail.smtp.port: '58x7' is not a port "
                            "number\n  fix: use 587")
    assert str(Diagnostic("info", "no file")) == "info: no file"
    moved = d.at("<input>", 2)
    assert (moved.path, moved.line, moved.column, moved.key) == ("<input>", 2, None,
                                                                   "mail.smtp.port")
    data = json.loads(json.dumps(d.to_dict()))
    assert data["severity"] == "error" and data["line"] == 7 and data["key"] == "mail.smtp.port"
    assert located(None, "warning", "x", fix="y") == Diagnostic("warning", "x", fix="y")


def test_every_checker_returns_the_one_type(tmp_path: Path) -> None:
    parsed = parse_properties("mail.smtp.port=58x7\n")
    settings = Settings(server=ServerSettings(properties={"mail.smtp.port": "58x7"}))
    findings = lint(settings, resolve_plan(settings))
    config = tmp_path / "mailtui.toml"
    config.write_text('[server]\nusernme = "x"\n')
    _, issues = ConfigStore.load(config).check()
    (tmp_path / "tpl" / "en").mkdir(parents=True)
    (tmp_path / "tpl" / "en" / "task_completed.txt").write_text("{% if %}\n")
    templates = validate_templates(tmp_path / "tpl")
    for found in (parsed.diagnostics, findings, issues, templates):
        assert found and all(type(d) is Diagnostic for d in found)
        assert all(isinstance(d.severity, Severity) for d in found)
    assert issues[0].key == "server.usernme" and issues[0].did_you_mean == "server.username"
    assert (issues[0].path, issues[0].line) == (str(config), 2)
    assert any(d.event_id == "task_completed" and d.part == "text" for d in templates)


# ------------------------------------------------------------------ diagnose_properties


def test_a_typo_key_is_reported_once_on_its_line_with_a_did_you_mean() -> None:
    report = diagnose_properties(SECURE + "mail.smtp.starttls.enabled=true\n", ACCOUNT)
    [typo] = [d for d in report.diagnostics if d.key == "mail.smtp.starttls.enabled"]
    assert (typo.line, typo.severity, typo.code) == (10, "warning", "unknown-key")
    assert typo.did_you_mean == "mail.smtp.starttls.enable"
    assert typo.fix == "did you mean mail.smtp.starttls.enable?"


def test_each_problem_once_parser_and_lint_together() -> None:
    text = SECURE + "mail.smtp.port=58x7\nmail.smtp.password=hunter2\nmail.smtp.hots=x\n"
    report = diagnose_properties(text, ACCOUNT)
    keyed = [(d.key, d.code) for d in report.diagnostics if d.code]
    assert len(keyed) == len(set(keyed)), keyed
    assert sorted((d.line, d.code or "") for d in report.diagnostics
                  if d.key == "mail.smtp.port") == [(10, ""), (10, "bad-value")]
    # (the one without a code: "set on line 3 and again on line 10")
    assert [d.code for d in report.diagnostics if d.key == "mail.smtp.password"] == [
        "password-in-properties"]
    assert "hunter2" not in repr(report.diagnostics) and "hunter2" not in str(report.plan)
    assert "mail.smtp.password" not in report.properties  # never stored
    # the lint alone still checks each key (for `mailtui check` on a file): that part is
    # left out here only because the parser reported it with its line
    settings = Settings(server=ServerSettings(properties=report.parsed.properties()))
    assert {"bad-value", "password-in-properties", "unknown-key"} <= {
        f.code for f in lint(settings, resolve_plan(settings))}


def test_a_lint_finding_sits_on_the_line_of_its_property() -> None:
    text = "mail.smtp.host=smtp.example.org\nmail.smtp.auth=true\n"
    report = diagnose_properties(text, ACCOUNT)
    [clear] = [d for d in report.diagnostics if d.code == "auth-without-tls"]
    assert (clear.line, clear.path, clear.key) == (2, "<input>", "mail.smtp.auth")
    assert clear.message in report.plan.errors
    # a problem of no line (a setting, a property the text lacks) comes last, without a line
    missing = diagnose_properties("mail.smtp.port=25\n", ACCOUNT)
    host = [d for d in missing.diagnostics if d.code == "missing-host"]
    assert host and host[0].line is None and missing.diagnostics[-1].line is None


def test_the_plan_follows_the_text() -> None:
    first = diagnose_properties(SECURE, ACCOUNT)
    assert (first.plan.host, first.plan.port, first.plan.security) == (
        "smtp.example.org", 587, "starttls-required")
    assert first.errors == [] and first.plan.errors == ()
    edited = SECURE.replace("mail.smtp.port=587", 'mail.smtp.port="465"  # implicit TLS') \
        + "mail.smtp.ssl.enable=true\nmail.smtp.host=smtp2.example.org\n"
    second = diagnose_properties(edited, ACCOUNT)
    assert (second.plan.host, second.plan.port, second.plan.security) == (
        "smtp2.example.org", 465, "implicit-tls")  # repaired value, last occurrence wins
    assert second.properties["mail.smtp.port"] == "465"
    assert [d.line for d in second.diagnostics if d.key == "mail.smtp.host"
            and "again" in d.message] == [11]


def test_a_text_that_no_send_could_use_still_gets_a_plan() -> None:
    report = diagnose_properties("mail.smtp.host=a\\r\\nRSET\nmailtui.ssl.fingerprint=zz\n"
                                 "mail.smtp.port=2525\n")
    assert report.plan.port == 2525 and report.plan.host is None
    assert report.plan.tls_fingerprints == ()
    assert {d.line for d in report.errors} == {1, 2}
    # the refused host is reported once, and the lint's "no host" sits on its line
    assert [(d.code, d.refused) for d in report.at_line(1)] == [("missing-host", False),
                                                               (None, True)]


def test_the_settings_count_and_not_text_is_refused() -> None:
    text = "mail.smtp.host=h.example.org\nmail.smtp.auth=true\nmail.smtp.ssl.enable=true\n"
    alone = {d.code for d in diagnose_properties(text).diagnostics}
    assert {"auth-no-username", "auth-no-password"} <= alone
    with_account = {d.code for d in diagnose_properties(text, ACCOUNT).diagnostics}
    assert not {"auth-no-username", "auth-no-password"} & with_account
    with pytest.raises(PropertiesError):
        diagnose_properties(b"mail.smtp.host=x" * 2)  # type: ignore[arg-type]


# ------------------------------------------------------------------ check, with the CLI


def test_check_reports_each_property_problem_once_with_its_toml_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from mailtui.cli import main

    config = tmp_path / "mailtui.toml"
    config.write_text('[server]\nenabled = true\ndefault_sender = "a@example.org"\n\n'
                      '[server.properties]\n"mail.smtp.host" = "smtp.example.org"\n'
                      '"mail.smtp.port" = "58x7"\n"mail.smtp.starttls.enabled" = "true"\n')
    assert main(["--config", str(config), "check"]) == 3
    out = capsys.readouterr().out
    assert out.count("mail.smtp.port: '58x7'") == 1
    assert f"{config}:7: error: mail.smtp.port: '58x7' is not a port number" in out
    assert out.count("mail.smtp.starttls.enabled") == 1
    assert (f"{config}:8: warning: mail.smtp.starttls.enabled: unknown property, ignored by "
            "JavaMail\n    fix: did you mean mail.smtp.starttls.enable?") in out
