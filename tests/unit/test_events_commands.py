"""`mailtui render`: formats, context files, settings from the configuration file."""

from __future__ import annotations

import json
from email import message_from_bytes, policy
from pathlib import Path

import pytest

from mailtui.cli import main


def test_render_text_is_subject_then_text(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["render", "task_reminder"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Subject: Reminder: “Review the 2025 retention schedule” is due")
    assert "\n\nTask reminder\n=============\n" in out


def test_render_html_in_french(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["render", "loan_reminder", "--locale", "fr", "--format", "html"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("<!DOCTYPE html>") and "Rappel de prêt" in out


def test_render_with_a_context_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ctx = tmp_path / "ctx.json"
    ctx.write_text(json.dumps({"task_title": "Audit 2026", "app_name": "Archives"}))
    assert main(["render", "task_completed", "--context", str(ctx)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Subject: Task completed: Audit 2026\n")
    assert "Archives: https://records.example.org" in out


@pytest.mark.parametrize(("content", "where", "message"), [
    ('{\n  "task_title": "x",\n}\n', ":3:1:", "invalid JSON"),
    ('["x"]', ":1:", "must be a JSON object"),
])
def test_bad_context_file_names_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, where: str, message: str
) -> None:
    ctx = tmp_path / "ctx.json"
    ctx.write_text(content)
    assert main(["render", "task_completed", "--context", str(ctx)]) == 3
    err = capsys.readouterr().err
    assert f"{ctx}{where}" in err and message in err and "Traceback" not in err


def test_missing_context_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["render", "task_completed", "--context", str(tmp_path / "no.json")]) == 3
    assert "no such context file" in capsys.readouterr().err


def test_unknown_event(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["render", "task_complete"]) == 3
    assert "did you mean task_completed" in capsys.readouterr().err


def test_eml_without_config_uses_placeholders(capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    assert main(["render", "test_message", "--format", "eml"]) == 0
    captured = capsysbinary.readouterr()
    assert b"placeholder" in captured.err
    msg = message_from_bytes(captured.out, policy=policy.default)
    assert msg["To"] == "recipient@example.com"
    assert msg.get_content_type() == "multipart/alternative"


def test_settings_drive_locale_overrides_sender_and_recipient(
    tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    (tmp_path / "tpl" / "fr").mkdir(parents=True)
    (tmp_path / "tpl" / "fr" / "test_message.subject.txt").write_text(
        "Essai {{ app_name }} via {{ smtp_host }}\n", encoding="utf-8")
    config = tmp_path / "mailtui.toml"
    config.write_text(
        '[server]\ndefault_sender = "Archives <notif@example.org>"\n'
        'test_recipient = "admin@example.org"\n'
        '[templates]\nlocale = "fr"\ndirectory = "tpl"\n'
        '[templates.context]\napp_name = "Archives"\n', encoding="utf-8")
    assert main(["--config", str(config), "render", "test_message", "--format", "eml"]) == 0
    captured = capsysbinary.readouterr()
    assert b"placeholder" not in captured.err
    msg = message_from_bytes(captured.out, policy=policy.default)
    assert msg["Subject"] == "Essai Archives via smtp.office365.com"
    assert msg["From"] == "Archives <notif@example.org>" and msg["To"] == "admin@example.org"
    assert msg["Message-ID"].endswith("@example.org>")
    text = msg.get_body(("plain",)).get_content()
    assert "admin@example.org" in text and "Vous recevez ce courriel" in text


def test_overrides_found_with_a_relative_config_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "conf" / "tpl" / "en").mkdir(parents=True)
    (tmp_path / "conf" / "tpl" / "en" / "task_completed.subject.txt").write_text(
        "OVERRIDDEN {{ task_title }}\n", encoding="utf-8")
    (tmp_path / "conf" / "mailtui.toml").write_text('[templates]\ndirectory = "tpl"\n')
    monkeypatch.chdir(tmp_path)
    assert main(["--config", "conf/mailtui.toml", "render", "task_completed"]) == 0
    assert capsys.readouterr().out.startswith("Subject: OVERRIDDEN ")
