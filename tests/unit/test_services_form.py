"""The settings form's model (services/form.py), the properties text of the editor model and
the catalog completion: plain functions, no Textual."""

from __future__ import annotations

import stat
from pathlib import Path

from mailtui.javamail.complete import complete_key, describe_key
from mailtui.services import form
from mailtui.services.editor import ConfigEditor

OFFICE = """\
# mine
[server]
username = "me@example.org"
password_env = "SMTP_PW"
default_sender = "me@example.org"

[server.properties]
"mail.smtp.host" = "smtp.office365.com"
"mail.smtp.port" = "587"
"mail.smtp.auth" = "true"
"mail.smtp.starttls.enable" = "true"
"mail.smtp.starttls.required" = "true"
"""


def editor(tmp_path: Path, text: str | None = OFFICE) -> ConfigEditor:
    path = tmp_path / "mailtui.toml"
    if text is not None:
        path.write_text(text)
    return ConfigEditor(path)


def test_an_invalid_sender_is_reported_kept_and_refuses_the_save(tmp_path: Path) -> None:
    ed = editor(tmp_path)
    problems = form.set_field(ed, "server.default_sender", "not an address")
    assert problems and "server.default_sender" in problems[0].message
    assert ed.get("server.default_sender") == "not an address"  # what was typed is kept
    errors = form.save_errors(ed)
    assert any("server.default_sender" in e.message for e in errors)
    assert form.set_field(ed, "server.default_sender", "Me <me@example.org>") == []
    assert form.save_errors(ed) == []


def test_a_plan_that_authenticates_needs_a_username(tmp_path: Path) -> None:
    ed = editor(tmp_path)
    problems = form.set_field(ed, "server.username", "  ")
    assert problems and "required" in problems[0].message
    assert ed.get("server.username") is None
    assert form.save_errors(ed) == []  # work in progress may be saved; check fails
    assert any("server.username" in e.message for e in form.missing_fields(ed))
    ed.set_properties_text("mail.smtp.host=relay.example.org\nmail.smtp.port=25\n")
    assert form.check_field(ed, "server.username", "") == []  # no AUTH: not required


def test_the_password_source_is_exactly_one(tmp_path: Path) -> None:
    ed = editor(tmp_path)
    assert form.secret_source(ed, "server") == ("env", "SMTP_PW")
    assert form.set_secret(ed, "server", "command", "pass show smtp") == []
    assert ed.get("server.password_env") is None
    assert form.secret_source(ed, "server") == ("command", "pass show smtp")
    problems = form.set_secret(ed, "server", "none", "")
    assert problems and "required" in problems[0].message
    assert any("password" in e.message for e in form.missing_fields(ed))


def test_trying_a_password_command_never_returns_the_secret() -> None:
    ok, text = form.try_secret_command("printf 'hunter2-secret'")
    assert (ok, text) == (True, "ok, 14 characters")
    ok, text = form.try_secret_command("echo hunter2-secret; exit 3")
    assert not ok and "status 3" in text and "hunter2" not in text
    ok, text = form.try_secret_command("sleep 5", timeout=0.3)
    assert not ok and "did not finish within 0.3 s" in text


def test_properties_text_sets_the_table_and_returns_the_plan(tmp_path: Path) -> None:
    ed = editor(tmp_path)
    assert ed.properties_text().splitlines()[0] == "mail.smtp.host=smtp.office365.com"
    seed_gmail = ("mail.smtp.host=smtp.gmail.com\n\nmail.smtp.socketFactory.port=465\n\n"
                  "mail.smtp.socketFactory.class=javax.net.ssl. SSLSocketFactory"
                  "         **Optional, if SSL\n\nmail.smtp.auth=true\n\nmail.smtp.port=465\n")
    report = ed.set_properties_text(seed_gmail)
    assert (report.plan.host, report.plan.port, report.plan.security) == (
        "smtp.gmail.com", 465, "implicit-tls")
    assert any(d.applied for d in report.at_line(5))  # the repaired class line
    assert ed.modified
    props = ed.properties()
    assert props["mail.smtp.socketFactory.class"] == "javax.net.ssl.SSLSocketFactory"
    assert "mail.smtp.starttls.enable" not in props
    ed.save()
    text = (tmp_path / "mailtui.toml").read_text()
    assert text.startswith("# mine\n") and '"mail.smtp.port" = "465"' in text
    assert stat.S_IMODE((tmp_path / "mailtui.toml").stat().st_mode) == 0o600


def test_properties_text_on_a_new_file(tmp_path: Path) -> None:
    ed = editor(tmp_path, None)
    report = ed.set_properties_text("mail.smtp.starttls.enabled=true\n")
    assert report.at_line(1)[0].did_you_mean == "mail.smtp.starttls.enable"
    assert ed.modified


def test_completion_and_description_from_the_catalog() -> None:
    assert complete_key("mail.smtp.startt") == ["mail.smtp.starttls.enable",
                                                "mail.smtp.starttls.required"]
    assert all(k.startswith("mail.smtps.") for k in complete_key("mail.smtps.con"))
    assert complete_key("") == [] and complete_key("mail.smtp.host") == []
    port = describe_key("mail.smtp.port")
    assert port is not None and "default 25" in port
    assert describe_key("mail.smtp.nonsense") is None
