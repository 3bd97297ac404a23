"""End to end in a real terminal: `mailtui --sandbox` opens the app on a sandbox of its own,
under tmux at 80x24, driven with keys and read back with capture-pane."""

from __future__ import annotations

import base64
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from mailtui.sandbox.server import SANDBOX_PASSWORD
from tests.e2e.test_app_terminal import tmux, wait_for

pytestmark = pytest.mark.integration

SEND_COMMAND = "send: Send test message"


class Session:
    def __init__(self, tmp_path: Path) -> None:
        if shutil.which("tmux") is None:
            pytest.fail("tmux is required for the terminal test (./dev test installs it)")
        self.name = f"mailtui-sbx-{uuid.uuid4().hex[:8]}"
        self.done = tmp_path / "done"
        self.config = tmp_path / "config" / "mailtui" / "mailtui.toml"
        env = {"HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "config"),
               "XDG_DATA_HOME": str(tmp_path / "data"), "LANG": "C.UTF-8",
               "TERM": "xterm-256color"}
        exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
        command = (f"env {exports} {shlex.quote(sys.executable)} -m mailtui --sandbox; "
                   f"echo EXIT=$? > {shlex.quote(str(self.done))}; sleep 60")
        tmux("new-session", "-d", "-s", self.name, "-x", "80", "-y", "24", command)

    def wait(self, predicate: object, what: str, timeout: float = 30) -> str:
        return wait_for(self.name, predicate, what, timeout)

    def keys(self, *keys: str, literal: bool = False) -> None:
        tmux("send-keys", "-t", self.name, *(["-l"] if literal else []), *keys)

    def quit(self) -> str:
        self.keys("C-q")
        deadline = time.monotonic() + 20
        while not self.done.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        screen = tmux("capture-pane", "-p", "-t", self.name)
        assert self.done.exists(), f"mailtui did not quit:\n{screen}"
        return self.done.read_text().strip()

    def close(self) -> None:
        subprocess.run(["tmux", "kill-session", "-t", self.name], capture_output=True,
                       timeout=10, check=False)


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    running = Session(tmp_path)
    try:
        yield running
    finally:
        running.close()


def test_sandbox_opens_the_app_with_the_sandbox_and_its_inbox(session: Session) -> None:
    screen = session.wait(lambda s: "sandbox 127.0.0.1:" in s and "5 Inbox" in s,
                          "the app on the sandbox")
    assert "Start from a provider preset" not in screen  # no first-run welcome
    session.keys("5")
    screen = session.wait(lambda s: "0 messages" in s and "No message yet" in s, "the Inbox")
    assert "Sandbox 127.0.0.1:" in screen and "(STARTTLS)" in screen
    assert "h Headers" in screen and "s Structure" in screen
    assert SANDBOX_PASSWORD not in screen
    assert session.quit() == "EXIT=0"
    assert not session.config.exists()  # nothing saved, nothing written


def test_send_a_test_from_the_palette_and_see_it_in_the_inbox(session: Session) -> None:
    session.wait(lambda s: "sandbox 127.0.0.1:" in s, "the app on the sandbox")
    session.keys("C-p")
    session.wait(lambda s: "🔎" in s or "Search for commands" in s, "the palette")
    session.keys("Send test message", literal=True)
    session.wait(lambda s: SEND_COMMAND in s, "the send command")
    session.keys("Enter")
    # The transcript scrolled to its end, then read from the top, a page at a time.
    screens = [session.wait(lambda s: "result: message accepted" in s and "TLS S: 221 " in s
                            and "esc Cancel" not in s, "the result", timeout=45)]
    session.keys("Home")  # the transcript has the focus
    screens.append(session.wait(lambda s: "* connecting to " in s, "the top"))
    while "TLS S: 221 " not in screens[-1]:
        assert len(screens) < 20, screens[-1]
        session.keys("PageDown")
        previous = screens[-1]
        screens.append(session.wait(lambda s, p=previous: s != p, "a page"))
    everything = "\n".join(screens)
    assert "C: STARTTLS" in everything and "S: 220 " in everything
    assert "TLS C: AUTH LOGIN" in everything
    assert "TLS C: [LOGIN password redacted" in everything  # the payload itself never shown
    assert "TLS S: 235 " in everything and "TLS S: 250 " in everything
    secrets = (SANDBOX_PASSWORD, base64.b64encode(SANDBOX_PASSWORD.encode()).decode(),
               base64.b64encode(f"\0sandbox\0{SANDBOX_PASSWORD}".encode()).decode())
    for secret in secrets:
        assert secret not in everything
    session.keys("5")
    screen = session.wait(lambda s: "1 message" in s, "the message in the Inbox")
    assert "recipient@example" in screen and "sender@example.org" in screen
    assert session.quit() == "EXIT=0"
