"""Ctrl-C (SIGINT) of real ``mailtui`` processes while a real aiosmtpd server stalls: the
process exits at once with 130 and says ``cancelled``; an interrupted batch records the
message in flight as it truly is, and the rerun delivers every message exactly once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.test_outbox_batch import write_batch
from tests.integration.test_smtp_cli import write_config
from tests.support.pki import Authority, Issued
from tests.support.smtpserver import PASSWORD, Faults, RunningServer, start_server

pytestmark = pytest.mark.integration

DEADLINE = 60.0  # "did not hang" bound
PROMPT = 3.0  # generous bound for "exits within about a second" (a process, a loaded machine)
STALL = 60.0


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cancel-process")


@pytest.fixture(scope="module")
def ca_file(test_ca: Authority, workdir: Path) -> Path:
    return test_ca.write_ca(workdir / "ca.pem")


@pytest.fixture(scope="module")
def good_cert(test_ca: Authority) -> Issued:
    return test_ca.issue_server(("localhost", "127.0.0.1"))


def _env() -> dict[str, str]:
    return {**os.environ, "MAILTUI_TEST_PASSWORD": PASSWORD, "PYTHONIOENCODING": "utf-8"}


def _config(path: Path, srv: RunningServer, ca_file: Path) -> Path:
    """The test account, with a read timeout far longer than the test (no timeout ends the
    stall: only Ctrl-C does)."""
    config = write_config(path, srv.port, ca_file)
    config.write_text(config.read_text().replace('"mail.smtp.timeout" = "1000"',
                                                  '"mail.smtp.timeout" = "120000"'))
    return config


@pytest.fixture
def stall_server(good_cert: Issued, workdir: Path,
                 request: pytest.FixtureRequest) -> Iterator[RunningServer]:
    stage, address = request.param
    with start_server(mode="starttls", cert=good_cert, workdir=workdir,
                      faults=Faults(stall_at=stage, stall_seconds=STALL,
                                    stall_address=address)) as srv:
        deadline = time.monotonic() + 10  # the server's own start-up check is not a client
        while srv.handler.open_connections and time.monotonic() < deadline:
            time.sleep(0.01)
        srv.handler.stalled.clear()
        yield srv


def _interrupt_when_stalled(srv: RunningServer, proc: subprocess.Popen[str]) -> float:
    """SIGINT to ``proc`` once the server keeps it waiting; returns the seconds it took to
    exit after that."""
    assert srv.handler.stalled.wait(DEADLINE), "the server never stalled"
    time.sleep(0.2)  # well inside the wait
    assert proc.poll() is None
    sent = time.monotonic()
    proc.send_signal(signal.SIGINT)
    proc.wait(timeout=DEADLINE)
    return time.monotonic() - sent


def _mailtui(config: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "mailtui", "--config", str(config), *args]


@pytest.mark.parametrize(("stall_server", "argv", "during"), [
    (("rcpt", None), ["send-test"], "RCPT TO"),
    (("greeting", None), ["send-test"], "the greeting"),
    (("greeting", None), ["probe"], "the greeting"),
], indirect=["stall_server"], ids=["send-test-rcpt", "send-test-greeting", "probe-greeting"])
def test_ctrl_c_ends_a_stalled_session_at_once(
    tmp_path: Path, stall_server: RunningServer, ca_file: Path, argv: list[str], during: str
) -> None:
    config = _config(tmp_path / "mailtui.toml", stall_server, ca_file)
    proc = subprocess.Popen(_mailtui(config, *argv), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=_env())
    took = _interrupt_when_stalled(stall_server, proc)
    out, err = proc.communicate(timeout=DEADLINE)
    assert took < PROMPT, (took, out, err)  # was 5 s: the session waited for QUIT's reply
    assert proc.returncode == 130, (out, err)
    assert f"result: CANCELLED during {during} (exit 130)" in out, out
    assert "Cancelled during" in out
    assert "C: QUIT" not in out
    assert "NOT offered" not in out  # a cancelled probe judges nothing it did not see
    assert "Traceback" not in err and "internal error" not in err
    assert "connection lost" not in (out + err).lower()
    assert PASSWORD not in out + err
    assert stall_server.received == []


@pytest.mark.parametrize("stall_server", [("rcpt", None)], indirect=True)
def test_ctrl_c_of_a_single_send_exits_130_and_says_it_was_not_sent(
    tmp_path: Path, stall_server: RunningServer, ca_file: Path
) -> None:
    from mailtui.events.catalog import load_catalog

    config = _config(tmp_path / "mailtui.toml", stall_server, ca_file)
    context = tmp_path / "ctx.json"
    context.write_text(json.dumps(load_catalog().get("task_completed").samples("en"),
                                  default=str))
    proc = subprocess.Popen(
        _mailtui(config, "send", "task_completed", "--to", "x@example.org", "--context",
                 str(context), "--json"),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env())
    took = _interrupt_when_stalled(stall_server, proc)
    out, err = proc.communicate(timeout=DEADLINE)
    assert took < PROMPT, (took, err)
    assert proc.returncode == 130, err
    record = json.loads(out)
    assert (record["status"], record["stage"], record["during"]) == ("cancelled", "cancelled",
                                                                     "rcpt")
    assert "not sent" in record["explanation"]
    assert stall_server.received == []


@pytest.mark.parametrize("stall_server", [("rcpt", "user1@example.org")], indirect=True)
def test_ctrl_c_while_waiting_for_another_runs_lock_exits_at_once(
    tmp_path: Path, stall_server: RunningServer, ca_file: Path
) -> None:
    config = _config(tmp_path / "mailtui.toml", stall_server, ca_file)
    batch = write_batch(tmp_path / "q.jsonl", 2)
    first = subprocess.Popen(_mailtui(config, "send", "--batch", str(batch)),
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                             env=_env())
    second = None
    try:
        assert stall_server.handler.stalled.wait(DEADLINE)  # the first run holds the lock
        second = subprocess.Popen(_mailtui(config, "send", "--batch", str(batch), "--wait"),
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                  env=_env())
        deadline = time.monotonic() + DEADLINE
        line = ""
        while "waiting for it" not in line and time.monotonic() < deadline:
            line = second.stderr.readline() if second.stderr else ""
        assert "waiting for it" in line
        sent = time.monotonic()
        second.send_signal(signal.SIGINT)
        _, err = second.communicate(timeout=DEADLINE)
        assert time.monotonic() - sent < PROMPT
        assert second.returncode == 130, err
        assert "2 left" in err and "interrupted" in err and "Traceback" not in err
    finally:
        first.send_signal(signal.SIGINT)
        first.communicate(timeout=DEADLINE)
        if second is not None and second.poll() is None:
            second.kill()
    assert first.returncode == 130
    assert stall_server.received == []


def _last_records(results: Path) -> dict[str, dict[str, object]]:
    last: dict[str, dict[str, object]] = {}
    for line in results.read_text().splitlines():
        record = json.loads(line)
        last[str(record["key"])] = record
    return last


@pytest.mark.parametrize("stall_server", [("rcpt", "user4@example.org")], indirect=True)
def test_ctrl_c_mid_batch_then_resume_delivers_each_message_once(
    tmp_path: Path, stall_server: RunningServer, ca_file: Path
) -> None:
    config = _config(tmp_path / "mailtui.toml", stall_server, ca_file)
    batch = write_batch(tmp_path / "night.jsonl", 6)
    results = tmp_path / "night.jsonl.results.jsonl"
    first = subprocess.Popen(_mailtui(config, "send", "--batch", str(batch)),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             env=_env())
    took = _interrupt_when_stalled(stall_server, first)
    out, err = first.communicate(timeout=DEADLINE)
    assert took < PROMPT, (took, err)
    assert first.returncode == 130, err
    assert "interrupted" in err and "rerun the same command to resume" in err
    assert "3 sent, 1 cancelled, 2 left" in err
    assert "Traceback" not in err
    records = _last_records(results)
    assert [records[f"msg-{i}"]["status"] for i in (1, 2, 3)] == ["sent"] * 3
    # Interrupted at RCPT TO: its content never went out, so it is not "sending"/"uncertain"
    in_flight = records["msg-4"]
    assert (in_flight["status"], in_flight["stage"], in_flight["during"]) == (
        "cancelled", "cancelled", "rcpt")
    assert json.loads(out.splitlines()[-1])["status"] == "cancelled"  # echoed like the others
    assert "msg-5" not in records and "msg-6" not in records
    assert sorted(r for m in stall_server.received for r in m.rcpt_tos) == [
        "user1@example.org", "user2@example.org", "user3@example.org"]

    stall_server.handler.faults.stall_at = None  # the server recovers
    resume = subprocess.run(_mailtui(config, "send", "--batch", str(batch)),
                            capture_output=True, text=True, env=_env(), timeout=DEADLINE)
    assert resume.returncode == 0, resume.stderr
    assert "3 skipped" in resume.stderr and "3 sent" in resume.stderr
    assert sorted(r for m in stall_server.received for r in m.rcpt_tos) == sorted(
        f"user{i}@example.org" for i in range(1, 7))  # every message exactly once
