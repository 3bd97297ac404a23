"""``mailtui check`` tries the password sources a send would read (defect 11)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mailtui.cli import main
from tests.support.pki import Authority

AUTH_PROPERTIES = """
[server.properties]
"mail.smtp.host" = "smtp.example.org"
"mail.smtp.port" = "587"
"mail.smtp.auth" = "true"
"mail.smtp.starttls.enable" = "true"
"mail.smtp.starttls.required" = "true"
"""


def write(tmp_path: Path, server: str, rest: str = AUTH_PROPERTIES) -> Path:
    path = tmp_path / "mailtui.toml"
    path.write_text('[server]\nusername = "me@example.org"\n'
                    'default_sender = "me@example.org"\n' + server + rest)
    path.chmod(0o600)
    return path


def check(capsys: pytest.CaptureFixture[str], path: Path) -> tuple[int, str]:
    code = main(["--config", str(path), "check"])
    out, err = capsys.readouterr()
    return code, out + err


def test_unset_password_env_is_an_error_with_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MT_CHECK_PW", raising=False)
    path = write(tmp_path, 'password_env = "MT_CHECK_PW"\n')
    code, out = check(capsys, path)
    assert code == 3
    assert f"{path}:4: error: server.password_env names $MT_CHECK_PW, which is not set" in out
    assert "1 error(s)" in out

    monkeypatch.setenv("MT_CHECK_PW", "pw-env-secret")
    code, out = check(capsys, path)
    assert code == 0 and "pw-env-secret" not in out


def test_failing_password_command_is_an_error_without_the_secret(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "password_command = \"echo pw-cmd-secret; echo pw-cmd-secret >&2; "
                 "exit 4\"\n")
    code, out = check(capsys, path)
    assert code == 3
    assert f"{path}:4: error: server.password_command exited with status 4" in out
    assert "pw-cmd-secret" not in out


def test_working_password_command_is_run_and_not_shown(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    marker = tmp_path / "ran"
    path = write(tmp_path, f'password_command = "touch {marker}; echo pw-ok-secret"\n')
    code, out = check(capsys, path)
    assert code == 0 and marker.exists() and "pw-ok-secret" not in out


def test_source_not_tried_when_the_plan_does_not_authenticate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MT_CHECK_PW", raising=False)
    path = write(tmp_path, 'password_env = "MT_CHECK_PW"\n',
                 AUTH_PROPERTIES.replace('"mail.smtp.auth" = "true"', '"mail.smtp.auth" = "false"'))
    code, out = check(capsys, path)
    assert code == 0 and "MT_CHECK_PW" not in out


def test_smime_password_source_is_tried(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
    test_ca: Authority,
) -> None:
    monkeypatch.setenv("MT_CHECK_PW", "x")
    monkeypatch.delenv("MT_CHECK_SMIME_PW", raising=False)
    sender = test_ca.issue_smime("me@example.org")
    (tmp_path / "sender.p12").write_bytes(sender.p12("p12-secret"))
    path = write(tmp_path, 'password_env = "MT_CHECK_PW"\n', AUTH_PROPERTIES +
                 '[smime]\ncertificate = "sender.p12"\npassword_env = "MT_CHECK_SMIME_PW"\n')
    code, out = check(capsys, path)
    assert code == 3
    assert "error: smime.password_env names $MT_CHECK_SMIME_PW, which is not set" in out
    assert out.count("error:") == 1  # not repeated by the certificate check

    monkeypatch.setenv("MT_CHECK_SMIME_PW", "p12-secret")
    code, out = check(capsys, path)
    assert code == 0, out
    assert "p12-secret" not in out
