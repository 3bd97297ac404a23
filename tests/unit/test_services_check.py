"""services.check: the combined problem list, as data, without any CLI (issue 9)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mailtui.errors import ConfigError
from mailtui.javamail.overrides import Overrides
from mailtui.services.check import CheckReport, check_settings, check_store, run_check
from mailtui.services.config import load, open_store

PROPERTIES = """
[server.properties]
"mail.smtp.host" = "smtp.example.org"
"mail.smtp.port" = "587"
"mail.smtp.auth" = "true"
"mail.smtp.starttls.enable" = "true"
"mail.smtp.starttls.required" = "true"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "mailtui.toml"
    path.write_text(text, encoding="utf-8")
    path.chmod(0o600)
    return path


def where(report: CheckReport, needle: str) -> tuple[str, str | None, int | None]:
    [issue] = [i for i in report.issues if needle in i.message]
    loc = issue.location
    return issue.severity, loc.path if loc else None, loc.line if loc else None


def test_a_duplicate_key_is_one_fatal_error_with_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, '[server]\nusername = "a@example.org"\nusername = "b@example.org"\n')
    report = run_check(path)
    assert isinstance(report.fatal, ConfigError)
    assert report.settings is None and report.plan is None and not report.ok
    [issue] = report.issues
    assert issue.severity == "error" and issue.location is not None
    assert (issue.location.path, issue.location.line) == (str(path), 3)
    assert "duplicate key username" in issue.message


def test_a_typo_and_a_bad_sender_name_their_lines(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, '[server]\nusrname = "me@example.org"\n'
                 'default_sender = "not an address"\n' + PROPERTIES)
    report = run_check(path)
    assert report.fatal is None and report.settings is None  # the error prevents settings
    assert (report.errors, report.warnings) == (1, 1)
    assert where(report, "default_sender") == ("error", str(path), 3)
    assert where(report, "usrname") == ("warning", str(path), 2)
    typo = next(i for i in report.issues if "usrname" in i.message)
    assert typo.hint == "did you mean server.username?"
    assert [i.severity for i in report.issues] == ["error", "warning"]  # errors first
    assert capsys.readouterr() == ("", "")  # a service never prints


def test_properties_secrets_templates_and_smime_in_one_list(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("MT_SVC_UNSET", raising=False)
    templates = tmp_path / "templates" / "en"
    templates.mkdir(parents=True)
    broken = templates / "task_completed.subject.txt"
    broken.write_text("Done: {{ task_title }\n")
    (tmp_path / "sender.p12").write_bytes(b"not a certificate at all")
    path = write(tmp_path, '[server]\nusername = "me@example.org"\n'
                 'default_sender = "Me <me@example.org>"\npassword_env = "MT_SVC_UNSET"\n'
                 + PROPERTIES.replace('"587"', '"abc"')
                 + '[smime]\ncertificate = "sender.p12"\n[templates]\ndirectory = "templates"\n')
    report = run_check(path)
    assert report.settings is not None and report.plan is not None
    assert report.errors == 4 and not report.ok
    assert where(report, "is not a port number") == ("error", str(path), 8)
    assert where(report, "$MT_SVC_UNSET") == ("error", str(path), 4)
    assert where(report, "syntax error") == ("error", str(broken), 1)
    assert where(report, "not a PKCS#12") == ("error", str(tmp_path / "sender.p12"), None)
    severities = [i.severity for i in report.issues]
    assert severities == sorted(severities, key=["error", "warning", "info"].index)
    assert capsys.readouterr() == ("", "")


def test_a_clean_file_has_no_error_and_its_plan(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MT_SVC_PW", "svc-secret")
    path = write(tmp_path, '[server]\nenabled = true\nusername = "me@example.org"\n'
                 'default_sender = "Me <me@example.org>"\npassword_env = "MT_SVC_PW"\n'
                 + PROPERTIES)
    report = run_check(path)
    assert report.ok and report.errors == 0 and report.subject == str(path)
    assert report.plan is not None and report.plan.port == 587
    assert all("svc-secret" not in f"{i.message} {i.hint}" for i in report.issues)


def test_a_missing_file_is_fatal_without_overrides_and_fine_with_them(tmp_path: Path) -> None:
    missing = tmp_path / "absent.toml"
    assert run_check(missing).fatal is not None
    report = run_check(missing, overrides=Overrides(
        properties=(("mail.smtp.host", "smtp.example.org"), ("mail.smtp.port", "99999"))))
    assert report.fatal is None
    assert report.subject == f"{missing} (no file) with the command-line overrides"
    flagged = [i for i in report.issues if i.message.startswith("-P ")]
    assert flagged and flagged[0].location is None  # a -P value has no line in the file


def test_an_edited_store_is_checked_before_it_is_saved(tmp_path: Path) -> None:
    path = write(tmp_path, '[server]\nusername = "me@example.org"\n' + PROPERTIES)
    store = open_store(path)
    store.set_value("server.default_sender", "broken <")
    report = check_store(store)
    assert "default_sender" in " ".join(i.message for i in report.issues if
                                        i.severity == "error")
    assert "broken" not in path.read_text()


def test_settings_without_a_file(tmp_path: Path) -> None:
    path = write(tmp_path, '[server]\nusername = "me@example.org"\n'
                 'default_sender = "me@example.org"\n' + PROPERTIES)
    report = check_settings(load(path), subject="the sandbox")
    assert report.subject == "the sandbox" and report.plan is not None
    assert all(i.location is None or i.location.line is None for i in report.issues)
