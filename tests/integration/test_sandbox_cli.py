"""``mailtui sandbox`` (serve, --list, --show) and the ``mailtui --sandbox`` demo."""

from __future__ import annotations

import base64
import os
import re
import selectors
import signal
import smtplib
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mailtui.cli import main
from mailtui.sandbox import Sandbox
from mailtui.sandbox.certs import client_context
from mailtui.sandbox.server import SANDBOX_PASSWORD, SANDBOX_USERNAME
from mailtui.sandbox.store import default_maildir

pytestmark = pytest.mark.integration

MESSAGE = b"From: sender@example.org\r\nTo: r@example.org\r\nSubject: %s\r\n\r\nline one\r\n"
AUTH_PLAIN = base64.b64encode(f"\0{SANDBOX_USERNAME}\0{SANDBOX_PASSWORD}".encode()).decode()


def _deliver(maildir: Path, tmp_path: Path, subjects: list[str]) -> None:
    with Sandbox(port=0, tls_port=0, data_dir=tmp_path / "data", maildir=maildir) as sb:
        for subject in subjects:
            with smtplib.SMTP(sb.host, sb.port, timeout=5) as client:
                client.starttls(context=client_context(sb.ca_file))
                client.login(SANDBOX_USERNAME, SANDBOX_PASSWORD)
                client.sendmail("sender@example.org", ["r@example.org"], MESSAGE % subject.encode())


def test_list_and_show(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    maildir = tmp_path / "maildir"
    _deliver(maildir, tmp_path, ["first one", "second one"])

    assert main(["sandbox", "--maildir", str(maildir), "--list"]) == 0
    out = capsys.readouterr().out
    rows = [line for line in out.splitlines() if re.match(r"\s+\d+\s", line)]
    assert len(rows) == 2
    assert rows[0].split()[0] == "1" and "first one" in rows[0]
    assert rows[1].split()[0] == "2" and "second one" in rows[1]
    assert "sender@example.org" in rows[0] and "TLSv1." in rows[0]

    assert main(["sandbox", "--maildir", str(maildir), "--show", "2"]) == 0
    shown = capsys.readouterr().out
    assert "Subject: second one" in shown and "line one" in shown
    assert "X-Sandbox-Session: listener=starttls" in shown

    assert main(["sandbox", "--maildir", str(maildir), "--show", "last"]) == 0
    assert "Subject: second one" in capsys.readouterr().out


def test_show_unknown_number(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    maildir = tmp_path / "maildir"
    _deliver(maildir, tmp_path, ["only"])
    assert main(["sandbox", "--maildir", str(maildir), "--show", "5"]) == 3
    err = capsys.readouterr().err
    assert "no message 5 (there are 1)" in err and "fix:" in err and "Traceback" not in err


@pytest.mark.parametrize("selector", ["99", "last"])
def test_show_on_an_empty_maildir_exits_3(tmp_path: Path, selector: str) -> None:
    """Issue 8 #15: a message that is not there is not a usage error (was exit 2)."""
    proc = subprocess.run(
        [sys.executable, "-m", "mailtui", "sandbox", "--maildir", str(tmp_path / "empty"),
         "--show", selector],
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert proc.returncode == 3, proc.stderr
    assert f"no message {selector} (there are 0)" in proc.stderr
    assert "Traceback" not in proc.stderr and proc.stdout == ""


def test_list_empty_default_maildir(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sandbox", "--list"]) == 0
    assert f"No message in {default_maildir()}" in capsys.readouterr().out


def test_non_loopback_host_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sandbox", "--host", "0.0.0.0", "--port", "0", "--tls-port", "0"]) == 2
    err = capsys.readouterr().err
    assert "refusing to listen on '0.0.0.0'" in err and "Traceback" not in err
    # Issue 8 #18: the sentence used to read "accepts the public credentials documented
    # credentials".
    assert "the sandbox accepts publicly documented credentials, so it only listens" in err
    assert "credentials documented credentials" not in err


class _Lines:
    """Read a child's stdout line by line with a deadline (never blocks past it)."""

    def __init__(self, proc: subprocess.Popen[bytes]) -> None:
        assert proc.stdout is not None
        self.stream = proc.stdout
        self.selector = selectors.DefaultSelector()
        self.selector.register(self.stream, selectors.EVENT_READ)
        self.buffer = b""
        self.seen: list[str] = []

    def until(self, pattern: str, timeout: float = 10.0) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        while True:
            for line in self.seen:
                if match := re.search(pattern, line):
                    self.seen = self.seen[self.seen.index(line) + 1 :]
                    return match
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not self.selector.select(remaining):
                raise AssertionError(f"no line matching {pattern!r}; got {self.seen!r}")
            chunk = os.read(self.stream.fileno(), 65536)
            if not chunk:
                raise AssertionError(f"output ended before {pattern!r}; got {self.seen!r}")
            self.buffer += chunk
            *lines, self.buffer = self.buffer.split(b"\n")
            self.seen.extend(line.decode() for line in lines)


def test_serve_prints_arrivals_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    maildir = tmp_path / "maildir"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mailtui",
            "sandbox",
            "--port",
            "0",
            "--tls-port",
            "0",
            "--maildir",
            str(maildir),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        lines = _Lines(proc)
        port = int(lines.until(r"STARTTLS\s+127\.0\.0\.1:(\d+)").group(1))
        ca_file = lines.until(r"CA\s+(\S+)").group(1)
        lines.until("Ctrl-C stops")
        with smtplib.SMTP("127.0.0.1", port, timeout=5) as client:
            client.starttls(context=client_context(Path(ca_file)))
            client.login(SANDBOX_USERNAME, SANDBOX_PASSWORD)
            client.sendmail("sender@example.org", ["r@example.org"], MESSAGE % b"hello")
        arrival = lines.until(r"#1\s+from <sender@example\.org>").string
        assert "'hello'" in arrival and "TLS yes" in arrival and "auth sandbox" in arrival
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
    assert proc.returncode == 0, err
    assert b"sandbox stopped." in out
    assert b"Traceback" not in err
    assert AUTH_PLAIN.encode() not in out + err


@pytest.mark.parametrize("argv", [["sandbox", "--demo"], ["--sandbox"]])
def test_demo_sends_a_test_and_shows_it(capsys: pytest.CaptureFixture[str],
                                        argv: list[str]) -> None:
    """`mailtui sandbox --demo`, and `mailtui --sandbox` when stdout is not a terminal."""
    assert main(argv) == 0
    captured = capsys.readouterr()
    out = captured.out
    assert "What the sandbox received:" in out
    assert re.search(r"#1\s+from <sender@example\.org> to recipient@example\.org", out)
    assert "TLS yes" in out and "auth sandbox" in out
    assert "mailtui sandbox --show 1" in out
    for secret in (AUTH_PLAIN, base64.b64encode(SANDBOX_PASSWORD.encode()).decode(),
                   SANDBOX_PASSWORD):
        assert secret not in out + captured.err
    [stored] = Sandbox().messages()  # the demo uses the default Maildir
    assert stored.auth_user == "sandbox"
    assert stored.from_header == "mailtui sandbox <sender@example.org>"


def test_sandbox_with_a_pipe_prints_the_demo_instead_of_opening_the_app(tmp_path: Path) -> None:
    """`mailtui --sandbox | cat`: the app needs a terminal, so the headless demo runs."""
    env = {**os.environ, "HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "data")}
    proc = subprocess.run([sys.executable, "-m", "mailtui", "--sandbox"], capture_output=True,
                          text=True, timeout=60, env=env, stdin=subprocess.DEVNULL, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "What the sandbox received:" in proc.stdout and "C: STARTTLS" in proc.stdout
    assert SANDBOX_PASSWORD not in proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr


def test_demo_is_exclusive_with_list_and_show() -> None:
    with pytest.raises(SystemExit) as usage:
        main(["sandbox", "--demo", "--list"])
    assert usage.value.code == 2
