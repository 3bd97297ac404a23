"""End to end in a real terminal: the headless demo `mailtui sandbox --demo` under tmux
(80x24), read back with capture-pane, the way a sysadmin sees it over SSH. (`mailtui --sandbox`
in a terminal opens the app: tests/e2e/test_sandbox_app.py.)"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from mailtui.sandbox.server import SANDBOX_PASSWORD

pytestmark = pytest.mark.integration


def tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], capture_output=True, text=True, timeout=10,
                          check=True).stdout


def test_sandbox_demo_in_a_real_terminal(tmp_path: Path) -> None:
    if shutil.which("tmux") is None:
        pytest.fail("tmux is required for the terminal test (./dev test installs it)")
    session = f"mailtui-e2e-{uuid.uuid4().hex[:8]}"
    env = {"HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "data"),
           "XDG_CONFIG_HOME": str(tmp_path / "config"), "LANG": "C.UTF-8",
           "TERM": "xterm-256color"}
    exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
    done = tmp_path / "done"
    command = (f"env {exports} {shlex.quote(sys.executable)} -m mailtui sandbox --demo; "
               f"echo EXIT=$? > {shlex.quote(str(done))}; sleep 60")
    tmux("new-session", "-d", "-s", session, "-x", "80", "-y", "24", command)
    try:
        deadline = time.monotonic() + 45
        while not done.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        screen = tmux("capture-pane", "-p", "-t", session, "-S", "-400", "-J")
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True,
                       timeout=10, check=False)
    assert done.exists(), f"mailtui sandbox --demo did not finish:\n{screen}"
    assert done.read_text().strip() == "EXIT=0", screen
    lines = screen.splitlines()
    assert any("C: STARTTLS" in line for line in lines)
    assert any("TLS established: TLSv1." in line for line in lines)
    assert any("[LOGIN password redacted" in line for line in lines)
    assert any(line.startswith("result: message accepted") for line in lines)
    assert any("What the sandbox received:" in line for line in lines)
    assert SANDBOX_PASSWORD not in screen
    assert os.path.isdir(tmp_path / "data" / "mailtui" / "sandbox" / "maildir")
