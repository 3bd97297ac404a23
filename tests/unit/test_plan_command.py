"""``mailtui plan``: errors are errors (defect 16)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mailtui.cli import main

CONFIG = """\
[server]
default_sender = "app@example.org"
[server.properties]
"mail.smtp.host" = "smtp.example.org"
"mail.smtp.port" = "587"
"mail.smtp.starttls.enable" = "true"
"mail.smtp.starttls.required" = "true"
"mail.smtp.connectiontimeout" = "10000"
"mail.smtp.writetimeout" = "10000"
"""


def plan(capsys: pytest.CaptureFixture[str], path: Path, *extra: str) -> tuple[int, str]:
    code = main(["--config", str(path), "plan", *extra])
    out, err = capsys.readouterr()
    return code, out + err


def test_plan_lists_errors_under_errors_and_exits_3(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "mailtui.toml"
    path.write_text(CONFIG + '"mail.smtp.timeout" = "99999999999"\n')
    code, out = plan(capsys, path)
    assert code == 3
    errors = out.split("Errors:")[1].split("Warnings:")[0]
    assert "mail.smtp.timeout: '99999999999' is not a timeout" in errors
    assert "mailtui uses its default read timeout of 60 s" in errors
    assert "Timeouts      connect 10 s, read 60 s, write 10 s" in out
    assert "waits forever)" not in out.replace("ignores it and waits forever", "")
    line = next(ln for ln in out.splitlines() if "99999999999" in ln)
    assert "not set" not in line

    code, out = plan(capsys, path, "--json")
    data = json.loads(out)
    assert code == 3
    assert len(data["errors"]) == 1 and "99999999999" in data["errors"][0]
    assert not [w for w in data["warnings"] if "99999999999" in w]


def test_plan_without_errors_exits_0_with_empty_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "mailtui.toml"
    path.write_text(CONFIG + '"mail.smtp.timeout" = "0"\n')
    code, out = plan(capsys, path)
    assert code == 0 and "Errors:" not in out
    assert "mail.smtp.timeout: 0 (JavaMail waits forever): mailtui uses a read timeout" in out
    code, out = plan(capsys, path, "--json")
    assert code == 0 and json.loads(out)["errors"] == []


# -- issue 8 review, item J ----------------------------------------------------------------
def test_info_notes_are_under_info_not_warnings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "mailtui.toml"
    path.write_text(CONFIG + '"mail.smtp.timeout" = "0"\n"mail.smtp.ssl.trust" = "*"\n')
    code, out = plan(capsys, path)
    assert code == 0
    warnings = out.split("Warnings:")[1].split("Info:")[0]
    info = out.split("Info:")[1]
    assert "ssl.trust" in warnings  # a real warning stays a warning
    assert "waits forever" not in warnings and "server.enabled" not in warnings
    assert "mail.smtp.timeout: 0 (JavaMail waits forever)" in info
    assert "server.enabled: sending is disabled" in info  # as `check` shows it: info
    data = json.loads(plan(capsys, path, "--json")[1])
    assert any("server.enabled" in note for note in data["info"])


def test_an_unusable_ca_file_is_not_called_verified(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "mailtui.toml"
    path.write_text(CONFIG + '"mailtui.ssl.cafile" = "nope.pem"\n')
    code, out = plan(capsys, path)
    assert code == 3
    cert = next(ln for ln in out.splitlines() if ln.startswith("Certificate"))
    assert "verified (" not in cert
    assert f"cannot be verified: mailtui.ssl.cafile {tmp_path / 'nope.pem'} cannot be used" \
        in cert
    assert f"mailtui.ssl.cafile: {tmp_path / 'nope.pem'}" in out.split("Errors:")[1]


def test_check_quiet_prints_the_errors_and_the_summary_on_stderr_as_documented(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "mailtui.toml"
    path.write_text(CONFIG + '"mail.smtp.timeout" = "0"\n"mail.smtp.auth" = "maybe"\n')
    code = main(["--config", str(path), "check", "-q"])
    out, err = capsys.readouterr()
    assert code == 3
    assert "error: mail.smtp.auth" in out and "info:" not in out and "warning:" not in out
    assert "1 error(s)" in err and "error(s)" not in out
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    row = next(ln for ln in readme.splitlines() if ln.startswith("| `mailtui check"))
    assert "`-q` prints only the errors, and the one-line summary on stderr" in row
