"""End to end in a real terminal: the installed `mailtui` under tmux at 80x24, driven with
keys like a sysadmin over SSH: palette -> Office 365 preset -> ctrl+s -> ctrl+q."""

from __future__ import annotations

import shlex
import shutil
import stat
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration


def tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], capture_output=True, text=True, timeout=10,
                          check=True).stdout


def wait_for(session: str, predicate: object, what: str, timeout: float = 30) -> str:
    deadline = time.monotonic() + timeout
    screen = ""
    while time.monotonic() < deadline:
        screen = tmux("capture-pane", "-p", "-t", session)
        if predicate(screen):  # type: ignore[operator]
            return screen
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}; the screen:\n{screen}")


def test_office365_from_the_palette_save_quit(tmp_path: Path) -> None:
    if shutil.which("tmux") is None:
        pytest.fail("tmux is required for the terminal test (./dev test installs it)")
    mailtui = Path(sys.executable).with_name("mailtui")
    assert mailtui.exists(), "mailtui is not installed in this environment"
    config = tmp_path / "mailtui.toml"
    config.write_text('# records system\n[server]\nusername = "records@example.org"  # login\n')
    session = f"mailtui-app-{uuid.uuid4().hex[:8]}"
    env = {"HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "config"),
           "LANG": "C.UTF-8", "TERM": "xterm-256color"}
    exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
    done = tmp_path / "done"
    command = (f"env {exports} {shlex.quote(str(mailtui))} --config {shlex.quote(str(config))}; "
               f"echo EXIT=$? > {shlex.quote(str(done))}; sleep 60")
    tmux("new-session", "-d", "-s", session, "-x", "80", "-y", "24", command)
    try:
        wait_for(session, lambda s: "1 Settings" in s and "Quit" in s, "the first screen")
        tmux("send-keys", "-t", session, "C-p")
        wait_for(session, lambda s: "🔎" in s or "Search for commands" in s, "the palette")
        tmux("send-keys", "-t", session, "-l", "Apply Office 365")
        wait_for(session, lambda s: "preset: Apply Microsoft 365 / Office 365" in s,
                 "the preset command")
        tmux("send-keys", "-t", session, "Enter")
        wait_for(session, lambda s: "+ mail.smtp.host = smtp.office365.com" in s, "the diff")
        tmux("send-keys", "-t", session, "Enter")
        screen = wait_for(session, lambda s: "[modified]" in s and "smtp.office365.com:587" in s,
                          "the applied preset")
        assert "STARTTLS required" in screen
        tmux("send-keys", "-t", session, "C-s")
        wait_for(session, lambda s: "[modified]" not in s, "the save")
        tmux("send-keys", "-t", session, "C-q")
        deadline = time.monotonic() + 20
        while not done.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        screen = tmux("capture-pane", "-p", "-t", session)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True,
                       timeout=10, check=False)
    assert done.exists(), f"mailtui did not quit:\n{screen}"
    assert done.read_text().strip() == "EXIT=0", screen
    text = config.read_text()
    assert text.startswith('# records system\n[server]\nusername = "records@example.org"  # login')
    assert '"mail.smtp.host" = "smtp.office365.com"' in text
    assert '"mail.smtp.starttls.required" = "true"' in text
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    check = subprocess.run([str(mailtui), "--config", str(config), "plan", "--json"],
                           capture_output=True, text=True, timeout=60, check=False)
    assert '"host": "smtp.office365.com"' in check.stdout
    assert '"security": "starttls-required"' in check.stdout
