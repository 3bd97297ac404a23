"""``mailtui send`` / ``send-test`` as real processes: two batches at once, a stdout closed
early, a terminal watching a stalled server, flags that do not apply. Real aiosmtpd servers
(STARTTLS + AUTH, certificates of the test CA) are the sinks."""

from __future__ import annotations

import json
import os
import pty
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from mailtui.cli import main
from tests.integration.test_outbox_batch import write_batch
from tests.integration.test_smtp_cli import write_config
from tests.support.pki import Authority, Issued
from tests.support.smtpserver import PASSWORD, Faults, RunningServer, start_server

pytestmark = pytest.mark.integration

DEADLINE = 60.0  # "did not hang" bound, not a performance figure
NOTE = "mailtui: stdout closed; output discarded, sending continued"


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("send-process")


@pytest.fixture(scope="module")
def ca_file(test_ca: Authority, workdir: Path) -> Path:
    return test_ca.write_ca(workdir / "ca.pem")


@pytest.fixture(scope="module")
def good_cert(test_ca: Authority) -> Issued:
    return test_ca.issue_server(("localhost", "127.0.0.1"))


def _env() -> dict[str, str]:
    return {**os.environ, "MAILTUI_TEST_PASSWORD": PASSWORD, "PYTHONIOENCODING": "utf-8"}


def _mailtui(config: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "mailtui", "--config", str(config), *args]


@pytest.fixture
def slow_server(good_cert: Issued, workdir: Path) -> Iterator[RunningServer]:
    """Each message takes 0.1 s to be accepted: the first run is caught mid-batch."""
    with start_server(mode="starttls", cert=good_cert, workdir=workdir,
                      faults=Faults(stall_at="after-data", stall_seconds=0.1,
                                    advertise=("PIPELINING",))) as srv:
        yield srv


@pytest.fixture
def server(good_cert: Issued, workdir: Path) -> Iterator[RunningServer]:
    with start_server(mode="starttls", cert=good_cert, workdir=workdir) as srv:
        yield srv


def _started_sending(srv: RunningServer, proc: subprocess.Popen[bytes]) -> None:
    """Block until ``proc`` has delivered its first message, then freeze it (SIGSTOP) so it is
    certainly still running while the second run starts."""
    deadline = time.monotonic() + DEADLINE
    while not srv.received:
        assert proc.poll() is None, "the first run ended before sending anything"
        assert time.monotonic() < deadline, "the first run never sent anything"
        time.sleep(0.01)
    os.kill(proc.pid, signal.SIGSTOP)


def _recipients(srv: RunningServer) -> list[str]:
    return sorted(r for received in srv.received for r in received.rcpt_tos)


EVERYONE = sorted(f"user{i}@example.org" for i in range(1, 13))


# -- 1. two runs of the same batch at once ------------------------------------------------
def test_a_second_concurrent_batch_is_refused_naming_the_first_pid(
    tmp_path: Path, slow_server: RunningServer, ca_file: Path
) -> None:
    config = write_config(tmp_path / "mailtui.toml", slow_server.port, ca_file)
    batch = write_batch(tmp_path / "conc.jsonl", 12)
    first = subprocess.Popen(_mailtui(config, "send", "--batch", str(batch)),
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=_env())
    try:
        _started_sending(slow_server, first)
        second = subprocess.run(_mailtui(config, "send", "--batch", str(batch)),
                                capture_output=True, text=True, env=_env(), timeout=DEADLINE)
    finally:
        os.kill(first.pid, signal.SIGCONT)
        _, first_err = first.communicate(timeout=DEADLINE)
    assert second.returncode == 3, second.stderr
    assert f"PID {first.pid}" in second.stderr
    assert "nothing was sent" in second.stderr and "--wait" in second.stderr
    assert "Traceback" not in second.stderr
    assert second.stdout == ""
    assert first.returncode == 0, first_err
    assert _recipients(slow_server) == EVERYONE  # each message exactly once
    assert not (tmp_path / "conc.jsonl.results.jsonl.lock").exists()  # removed by its holder


def test_wait_runs_the_second_batch_after_the_first_and_sends_nothing_twice(
    tmp_path: Path, slow_server: RunningServer, ca_file: Path
) -> None:
    config = write_config(tmp_path / "mailtui.toml", slow_server.port, ca_file)
    batch = write_batch(tmp_path / "conc.jsonl", 12)
    first = subprocess.Popen(_mailtui(config, "send", "--batch", str(batch)),
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=_env())
    second = None
    try:
        _started_sending(slow_server, first)
        second = subprocess.Popen(_mailtui(config, "send", "--batch", str(batch), "--wait"),
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                  env=_env())
        assert second.stderr is not None
        announced = second.stderr.readline().decode()  # said before it blocks
        assert second.poll() is None  # still waiting while the first is frozen
    finally:
        os.kill(first.pid, signal.SIGCONT)
        _, first_err = first.communicate(timeout=DEADLINE)
        _, second_err = second.communicate(timeout=DEADLINE) if second else (b"", b"")
    assert first.returncode == 0, first_err
    assert second.returncode == 0, second_err
    assert f"PID {first.pid}" in announced and "waiting" in announced
    assert "12 skipped" in second_err.decode()
    assert _recipients(slow_server) == EVERYONE


# -- 4. a stdout closed early --------------------------------------------------------------
@pytest.mark.parametrize(("faults", "expected"), [
    (Faults(), 0),
    (Faults(rcpt="550 5.1.1 No such user here"), 25),  # a failure keeps its stage code
])
def test_send_test_with_stdout_closed_still_sends(
    tmp_path: Path, good_cert: Issued, workdir: Path, ca_file: Path, faults: Faults,
    expected: int,
) -> None:
    with start_server(mode="starttls", cert=good_cert, workdir=workdir, faults=faults) as srv:
        config = write_config(tmp_path / "mailtui.toml", srv.port, ca_file)
        with (tmp_path / "err").open("w+b") as err:
            proc = subprocess.Popen(_mailtui(config, "send-test", "--to", "x@example.net"),
                                    stdout=subprocess.PIPE, stderr=err, env=_env())
            assert proc.stdout is not None
            proc.stdout.close()  # the reader is gone before the first line is written
            code = proc.wait(timeout=DEADLINE)
            err.seek(0)
            stderr = err.read().decode()
    assert code == expected, stderr  # 25: the session did reach RCPT TO
    if expected == 0:
        assert [r.rcpt_tos for r in srv.received] == [["x@example.net"]]
    assert stderr.count(NOTE) == 1
    assert "Traceback" not in stderr and "internal error" not in stderr


def test_batch_piped_into_head_sends_every_message(
    tmp_path: Path, server: RunningServer, ca_file: Path
) -> None:
    config = write_config(tmp_path / "mailtui.toml", server.port, ca_file)
    batch = write_batch(tmp_path / "f.jsonl", 30)
    with (tmp_path / "err").open("w+b") as err:
        proc = subprocess.Popen(_mailtui(config, "send", "--batch", str(batch)),
                                stdout=subprocess.PIPE, stderr=err, env=_env())
        assert proc.stdout is not None
        first = json.loads(proc.stdout.readline())  # `| head -1`
        proc.stdout.close()
        code = proc.wait(timeout=DEADLINE)
        err.seek(0)
        stderr = err.read().decode()
    assert first["status"] == "sent"
    assert code == 0, stderr
    assert _recipients(server) == sorted(f"user{i}@example.org" for i in range(1, 31))
    results = (tmp_path / "f.jsonl.results.jsonl").read_text().splitlines()
    assert sum(json.loads(x)["status"] == "sent" for x in results) == 30
    assert stderr.count(NOTE) == 1
    assert "30 sent" in stderr  # the summary still reaches stderr


# -- 19. a terminal sees what a stalled server is keeping it waiting for --------------------
def test_a_terminal_sees_the_wait_for_a_stalled_greeting(
    tmp_path: Path, good_cert: Issued, workdir: Path, ca_file: Path
) -> None:
    with start_server(mode="starttls", cert=good_cert, workdir=workdir,
                      faults=Faults(stall_at="greeting", stall_seconds=2.5)) as srv:
        config = write_config(tmp_path / "mailtui.toml", srv.port, ca_file)
        text = config.read_text().replace('"mail.smtp.timeout" = "1000"',
                                          '"mail.smtp.timeout" = "6000"')
        config.write_text(text)
        master, slave = pty.openpty()
        proc = subprocess.Popen(_mailtui(config, "send-test"), stdin=slave, stdout=slave,
                                stderr=slave, env=_env(), close_fds=True)
        os.close(slave)
        output = b""
        deadline = time.monotonic() + DEADLINE
        while time.monotonic() < deadline:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            output += chunk
        os.close(master)
        code = proc.wait(timeout=DEADLINE)
    text = output.decode("utf-8", "replace")
    assert code == 0, text
    assert re.search(r"mailtui: waiting for the greeting… [12] s of 6 s", text), text
    waiting = text.index("waiting for the greeting")
    erased = text.index("\r\x1b[K", waiting)
    assert erased < text.index("S: 220 ")  # the ticker line is gone before the reply shows


# -- 14. flags that do not apply ----------------------------------------------------------
@pytest.mark.parametrize(("argv", "flag"), [
    (["send", "--batch", "b.jsonl", "--to", "x@example.org"], "--to"),
    (["send", "--batch", "b.jsonl", "--context", "ctx.json"], "--context"),
    (["send", "--batch", "b.jsonl", "--locale", "fr"], "--locale"),
    (["send", "--batch", "b.jsonl", "-v"], "--verbose"),
    (["send", "task_completed", "--to", "x@example.org", "--results", "r.jsonl"],
     "--results"),
    (["send", "task_completed", "--to", "x@example.org", "--retry-uncertain"],
     "--retry-uncertain"),
    (["send", "task_completed", "--to", "x@example.org", "--retry-failed"], "--retry-failed"),
    (["send", "task_completed", "--to", "x@example.org", "--wait"], "--wait"),
])
def test_flags_that_do_not_apply_are_usage_errors(
    argv: list[str], flag: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert flag in err and out == ""


def test_batch_with_to_is_a_usage_error_and_sends_nothing(
    tmp_path: Path, server: RunningServer, ca_file: Path
) -> None:
    config = write_config(tmp_path / "mailtui.toml", server.port, ca_file)
    batch = write_batch(tmp_path / "f.jsonl", 2)
    proc = subprocess.run(_mailtui(config, "send", "--batch", str(batch), "--to",
                                   "x@example.org"),
                          capture_output=True, text=True, env=_env(), timeout=DEADLINE)
    assert proc.returncode == 2
    assert "--to does not apply to --batch" in proc.stderr
    assert server.received == []
    assert not (tmp_path / "f.jsonl.results.jsonl").exists()


def test_send_announces_each_retry_with_its_delay(
    tmp_path: Path, good_cert: Issued, workdir: Path, ca_file: Path
) -> None:
    from mailtui.events.catalog import load_catalog

    context = tmp_path / "ctx.json"
    context.write_text(json.dumps(load_catalog().get("task_completed").samples("en"),
                                  default=str))
    with start_server(mode="starttls", cert=good_cert, workdir=workdir,
                      faults=Faults(rcpt="451 4.7.1 Greylisted, try later")) as srv:
        config = write_config(tmp_path / "mailtui.toml", srv.port, ca_file)
        proc = subprocess.run(
            _mailtui(config, "send", "task_completed", "--to", "x@example.org", "--context",
                     str(context), "--retries", "2", "--retry-delay", "0.1"),
            capture_output=True, text=True, env=_env(), timeout=DEADLINE)
    assert proc.returncode == 25, proc.stderr
    assert proc.stderr.splitlines()[:2] == [
        "mailtui: retrying in 0.1 s (try 2 of 3): temporary failure at RCPT TO "
        "(451 4.7.1 Greylisted, try later)",
        "mailtui: retrying in 0.2 s (try 3 of 3): temporary failure at RCPT TO "
        "(451 4.7.1 Greylisted, try later)",
    ]
