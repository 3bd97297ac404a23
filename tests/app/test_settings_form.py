"""The Settings form under Pilot at 80x24: validation as you type (message under the field),
save refused while a value is invalid, the password source choice and its "test it", the
S/MIME certificate described once it loads, and the saved file agreeing with the CLI."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Input, Select, Static

from mailtui.tui.screens.file_picker import FilePickerScreen
from mailtui.tui.screens.settings import SettingsScreen
from tests.app.conftest import SIZE, make_app
from tests.app.screen_text import screen_text
from tests.support.pki import Authority

OFFICE = """\
# the records system
[server]
username = "me@example.org"

[server.properties]
"mail.smtp.host" = "smtp.office365.com"
"mail.smtp.port" = "587"
"mail.smtp.auth" = "true"
"mail.smtp.starttls.enable" = "true"
"mail.smtp.starttls.required" = "true"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "mailtui.toml"
    path.write_text(text)
    path.chmod(0o600)
    return path


async def type_into(pilot: Pilot[int], selector: str, text: str) -> None:
    entry = pilot.app.screen.query_one(selector, Input)
    entry.focus()
    entry.value = ""
    await pilot.press(*text)
    await pilot.pause()


def message(pilot: Pilot[int], selector: str) -> str:
    return str(pilot.app.screen.query_one(selector, Static).render())


async def test_an_invalid_sender_shows_its_message_and_blocks_the_save(tmp_path: Path) -> None:
    path = write(tmp_path, OFFICE)
    app = make_app(path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, SettingsScreen)
        await type_into(pilot, "#server-default_sender", "Records <notifications@")
        shown = message(pilot, "#server-default_sender-message")
        assert "server.default_sender" in shown and "Name <user@example.org>" in shown
        assert app.editor.modified and "[modified]" in app.sub_title
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert path.read_text() == OFFICE  # refused: nothing written
        assert app.editor.modified
        assert "Not saved, fix first" in message(pilot, "#save-errors")
        assert "server.default_sender" in message(pilot, "#save-errors")
        assert any("Not saved" in n and "server.default_sender" in n for n, _ in app.notes)
        await pilot.press(*"example.org>")
        await pilot.pause()
        assert message(pilot, "#server-default_sender-message") == ""
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not app.editor.modified
    assert 'default_sender = "Records <notifications@example.org>"' in path.read_text()


async def test_a_plan_that_authenticates_needs_a_username(tmp_path: Path) -> None:
    app = make_app(write(tmp_path, OFFICE))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await type_into(pilot, "#server-username", "")
        await pilot.press("x", "backspace")
        await pilot.pause()
        shown = message(pilot, "#server-username-message")
        assert "server.username is required" in shown and "mail.smtp.auth=true" in shown


async def test_password_command_test_it_shows_only_the_length(tmp_path: Path) -> None:
    # the command prints a value that its own text does not contain
    command = "echo c2VjcmV0LXZhbHVlLTQy | base64 -d"  # secret-value-42
    app = make_app(write(tmp_path, OFFICE))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        field = app.screen.query_one("#server-password")
        field.query_one(Select).value = "command"
        await pilot.pause()
        await type_into(pilot, "#server-secret", command)
        assert app.editor.get("server.password_command") == command
        await pilot.click("#server-test")
        for _ in range(100):  # the worker runs the command (bounded wait)
            await pilot.pause(0.05)
            if "test:" in message(pilot, "#server-message"):
                break
        assert message(pilot, "#server-message") == "test: ok, 15 characters"
        assert "ok, 15 characters" in screen_text(app)
        assert "secret-value-42" not in screen_text(app)
        assert not any("secret-value-42" in n for n, _ in app.notes)
        await type_into(pilot, "#server-secret", "echo secret-value-42; exit 4")
        await pilot.click("#server-test")
        for _ in range(100):
            await pilot.pause(0.05)
            if "status 4" in message(pilot, "#server-message"):
                break
        assert "exited with status 4" in message(pilot, "#server-message")
        assert "secret-value-42" not in message(pilot, "#server-message")


async def test_password_source_is_one_key_and_the_stored_one_is_masked(tmp_path: Path) -> None:
    path = write(tmp_path, OFFICE.replace('username = "me@example.org"',
                                          'username = "me@example.org"\npassword_env = "PW"'))
    app = make_app(path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        field = app.screen.query_one("#server-password")
        assert field.query_one(Select).value == "env"
        field.query_one(Select).value = "file"
        await pilot.pause()
        await type_into(pilot, "#server-secret", "hunter2-pw")
        entry = app.screen.query_one("#server-secret", Input)
        assert entry.password and "hunter2-pw" not in screen_text(app)
        assert "mode 0600: only you can read it" in message(pilot, "#server-message")
        await pilot.click("#server-reveal")
        await pilot.pause()
        assert not entry.password and "hunter2-pw" in screen_text(app)
        await pilot.press("ctrl+s")
        await pilot.pause()
    text = path.read_text()
    assert 'password = "hunter2-pw"' in text and "password_env" not in text
    path.chmod(0o644)
    app = make_app(path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "readable by others (mode 0644)" in message(pilot, "#server-message")


async def test_smime_certificate_picked_and_described(tmp_path: Path,
                                                     test_ca: Authority) -> None:
    sender = test_ca.issue_smime("me@example.org", common_name="Records")
    (tmp_path / "certs").mkdir()
    (tmp_path / "certs" / "sender.p12").write_bytes(sender.p12(None))
    app = make_app(write(tmp_path, OFFICE))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert isinstance(app.screen, FilePickerScreen)
        await type_into(pilot, "#picker-path", "")
        await pilot.press(*str(tmp_path / "certs" / "sender.p12"), "enter")
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, SettingsScreen)
        assert app.editor.get("smime.certificate") == str(tmp_path / "certs" / "sender.p12")
        for _ in range(100):
            await pilot.pause(0.05)
            if "PKCS#12" in message(pilot, "#smime-info"):
                break
        info = message(pilot, "#smime-info")
        assert "PKCS#12" in info and "Records" in info and "me@example.org" in info
        await type_into(pilot, "#smime-certificate", str(tmp_path / "nowhere.p12"))
        assert "no such file" in message(pilot, "#smime-info")


async def test_saved_settings_agree_with_check_and_plan(tmp_path: Path) -> None:
    path = write(tmp_path, OFFICE)
    app = make_app(path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await type_into(pilot, "#server-default_sender", "Records <me@example.org>")
        field = app.screen.query_one("#server-password")
        field.query_one(Select).value = "env"
        await pilot.pause()
        await type_into(pilot, "#server-secret", "MAILTUI_TEST_PW")
        app.action_go("properties")  # "2" would be typed into the entry
        await pilot.pause()
        await pilot.pause()
        panel = message(pilot, "#panel-text")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not app.editor.modified
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "smtp.office365.com:587" in panel and "STARTTLS required" in panel
    assert "AUTH as me@example.org" in panel
    env = {**os.environ, "MAILTUI_TEST_PW": "x"}
    check = subprocess.run([sys.executable, "-m", "mailtui", "--config", str(path), "check"],
                           capture_output=True, text=True, env=env, timeout=60)
    assert check.returncode == 0, check.stdout + check.stderr
    plan = subprocess.run([sys.executable, "-m", "mailtui", "--config", str(path), "plan",
                           "--json"], capture_output=True, text=True, env=env, timeout=60)
    assert plan.returncode == 0, plan.stderr
    shown = json.loads(plan.stdout)
    assert (shown["host"], shown["port"], shown["security"], shown["auth"]) == (
        "smtp.office365.com", 587, "starttls-required", True)
    assert f"{shown['host']}:{shown['port']}" in panel
    for warning in shown["warnings"]:
        assert warning in panel
    for mechanism in shown["mechanisms"]:
        assert mechanism in panel
