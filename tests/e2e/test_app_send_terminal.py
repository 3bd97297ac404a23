"""End to end in a real terminal: the installed `mailtui` under tmux at 80x24, pointed at the
embedded sandbox (STARTTLS + AUTH, verified certificate): ctrl+p "send test" streams the
conversation; scrolling through the transcript shows STARTTLS, the AUTH line redacted and
the 250 reply; the sandbox password and its base64 forms are never on screen."""

from __future__ import annotations

import base64
import shlex
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from mailtui.sandbox.embedded import EmbeddedSandbox
from mailtui.sandbox.server import SANDBOX_PASSWORD
from tests.e2e.test_app_terminal import tmux, wait_for

pytestmark = pytest.mark.integration


def secret_forms(username: str) -> list[str]:
    def b64(text: str) -> str:
        return base64.b64encode(text.encode()).decode()

    return [SANDBOX_PASSWORD, b64(SANDBOX_PASSWORD), b64(f"\0{username}\0{SANDBOX_PASSWORD}"),
            b64(f"{username}\0{SANDBOX_PASSWORD}")]


def test_send_test_from_the_palette_in_a_real_terminal(tmp_path: Path) -> None:
    if shutil.which("tmux") is None:
        pytest.fail("tmux is required for the terminal test (./dev test installs it)")
    mailtui = Path(sys.executable).with_name("mailtui")
    assert mailtui.exists(), "mailtui is not installed in this environment"
    with EmbeddedSandbox(maildir=tmp_path / "maildir", data_dir=tmp_path / "data") as sandbox:
        info = sandbox.info
        config = tmp_path / "mailtui.toml"
        config.write_text(
            f'[server]\nusername = "{info.username}"\npassword_env = "SANDBOX_PASSWORD"\n'
            'default_sender = "Records <records@example.org>"\n'
            'test_recipient = "admin@example.org"\n\n[server.properties]\n'
            f'"mail.smtp.host" = "127.0.0.1"\n"mail.smtp.port" = "{info.port}"\n'
            '"mail.smtp.auth" = "true"\n"mail.smtp.starttls.required" = "true"\n'
            f'"mailtui.ssl.cafile" = "{info.ca_file}"\n')
        config.chmod(0o600)
        session = f"mailtui-send-{uuid.uuid4().hex[:8]}"
        env = {"HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "config"),
               "LANG": "C.UTF-8", "TERM": "xterm-256color",
               "SANDBOX_PASSWORD": SANDBOX_PASSWORD}
        exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
        command = (f"env {exports} {shlex.quote(str(mailtui))} "
                   f"--config {shlex.quote(str(config))}; sleep 60")
        tmux("new-session", "-d", "-s", session, "-x", "80", "-y", "24", command)
        screens: list[str] = []
        try:
            wait_for(session, lambda s: "1 Settings" in s and "Quit" in s, "the first screen")
            tmux("send-keys", "-t", session, "C-p")
            wait_for(session, lambda s: "Search for commands" in s or "🔎" in s, "the palette")
            tmux("send-keys", "-t", session, "-l", "send test")
            wait_for(session, lambda s: "send: Send test message" in s, "the send command")
            tmux("send-keys", "-t", session, "Enter")
            screens.append(wait_for(
                session, lambda s: "result: message accepted" in s and "TLS S: 221 " in s
                and "esc Cancel" not in s, "the result, the transcript scrolled to its end"))
            tmux("send-keys", "-t", session, "Home")  # the transcript has the focus
            screens.append(wait_for(session, lambda s: "* connecting to " in s, "the top"))
            while "TLS S: 221 " not in screens[-1]:  # page down to the end again
                assert len(screens) < 20, screens[-1]
                tmux("send-keys", "-t", session, "PageDown")
                previous = screens[-1]
                screens.append(wait_for(session, lambda s, p=previous: s != p, "a page"))
        finally:
            subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True,
                           timeout=10, check=False)
        received = sandbox.messages()
    seen = "\n".join(screens)
    assert "✓done" in screens[0] and "✗" not in screens[0]
    assert "C: STARTTLS" in seen and "S: 220 " in seen
    assert "TLS C: AUTH LOGIN" in seen
    assert "TLS C: [LOGIN password redacted" in seen  # the payload itself never shown
    assert "TLS S: 235 " in seen and "TLS S: 250 " in seen
    assert len(received) == 1 and received[0].rcpt_tos == ("admin@example.org",)
    for form in secret_forms(info.username):
        assert form not in seen
