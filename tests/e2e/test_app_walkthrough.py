"""The "done when" walkthrough in a real terminal (tmux, 80x24, TERM=xterm): `mailtui` with no
file -> welcome -> Office 365 -> username, sender, password from an environment variable ->
ctrl+s -> ctrl+q; then `mailtui check` and `mailtui plan` agree with what the app showed."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import stat
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from tests.e2e.test_app_terminal import tmux, wait_for

pytestmark = pytest.mark.integration


def keys(session: str, *names: str, text: str | None = None) -> None:
    for name in names:
        tmux("send-keys", "-t", session, name)
        time.sleep(0.3)  # one key at a time, as typed (a burst can read as a paste)
    if text is not None:
        tmux("send-keys", "-t", session, "-l", text)
        time.sleep(0.3)


def test_new_user_office365_walkthrough(tmp_path: Path) -> None:
    if shutil.which("tmux") is None:
        pytest.fail("tmux is required for the terminal test (./dev test installs it)")
    mailtui = Path(sys.executable).with_name("mailtui")
    config = tmp_path / "config" / "mailtui" / "mailtui.toml"  # where `check` looks
    session = f"mailtui-walk-{uuid.uuid4().hex[:8]}"
    env = {"HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "config"),
           "LANG": "C.UTF-8", "TERM": "xterm"}
    exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
    done = tmp_path / "done"
    command = (f"env {exports} {shlex.quote(str(mailtui))}; "
               f"echo EXIT=$? > {shlex.quote(str(done))}; sleep 60")
    tmux("new-session", "-d", "-s", session, "-x", "80", "-y", "24", command)
    try:
        wait_for(session, lambda s: "Start from a provider preset" in s, "the welcome")
        keys(session, "Enter")  # Office 365 is first
        wait_for(session, lambda s: "+ mail.smtp.host = smtp.office365.com" in s, "the diff")
        keys(session, "Enter")
        wait_for(session, lambda s: "server.username is required" in s, "the form")
        keys(session, "Tab", "Tab", text="records@example.org")
        keys(session, "Tab", text="Records <records@example.org>")
        keys(session, "Tab", "Enter", "Up", "Up", "Enter")  # source: environment variable
        keys(session, "Tab", text="MAILTUI_PASSWORD")
        screen = wait_for(session, lambda s: "read from the environment" in s,
                          "the password source")
        flat = " ".join(screen.split())  # the connection line may wrap
        assert "smtp.office365.com:587, STARTTLS required, AUTH as records@example.org" in flat
        assert "is required" not in flat, screen  # nothing missing any more
        keys(session, "C-s")
        wait_for(session, lambda s: "[modified]" not in s and "Saved" in s, "the save")
        keys(session, "C-q")
        deadline = time.monotonic() + 20
        while not done.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True,
                       timeout=10, check=False)
    assert done.read_text().strip() == "EXIT=0"
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    run_env = {**os.environ, **env, "MAILTUI_PASSWORD": "not-shown"}
    check = subprocess.run([str(mailtui), "check"], capture_output=True, text=True,
                           env=run_env, timeout=60, check=False)
    assert check.returncode == 0, check.stdout + check.stderr
    plan = json.loads(subprocess.run([str(mailtui), "plan", "--json"], capture_output=True,
                                     text=True, env=run_env, timeout=60, check=True).stdout)
    assert (plan["host"], plan["port"], plan["security"], plan["auth"]) == (
        "smtp.office365.com", 587, "starttls-required", True)
    assert plan["envelope_from"] == "records@example.org"
    text = config.read_text()
    assert 'username = "records@example.org"' in text
    assert 'password_env = "MAILTUI_PASSWORD"' in text and "not-shown" not in text
