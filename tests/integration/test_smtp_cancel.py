"""Cancelling sessions from another thread, against real aiosmtpd servers that stall: the
call returns at once, the connection is closed (the server sees it go, this process holds no
socket to it), the result says ``cancelled`` (never "connection lost") and holds no secret."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from mailtui.javamail.plan import Plan, Timeouts
from mailtui.mail.testmessage import build_test_message
from mailtui.outbox.build import Outgoing
from mailtui.outbox.deliver import Deliverer
from mailtui.smtp.cancel import CancelToken
from mailtui.smtp.probe import run_probe
from mailtui.smtp.session import Session, SessionError
from mailtui.smtp.stages import Stage
from mailtui.smtp.testsend import run_test_send
from mailtui.smtp.transcript import EventLog
from tests.integration.test_smtp_session import Certs, assert_clean, make_plan, server
from tests.support.pki import Authority, self_signed_server
from tests.support.smtpserver import PASSWORD, Faults, RunningServer

pytestmark = pytest.mark.integration

RCPT = "admin@example.org"
PROMPT = 1.0  # the issue's bound: cancel returns within a second
STALL = 60.0  # the server would keep the client waiting this long
SLOW = Timeouts(connect=30.0, read=60.0, write=30.0)  # no timeout ends the wait first


@pytest.fixture(scope="module")
def certs(test_ca: Authority, tmp_path_factory: pytest.TempPathFactory) -> Certs:
    workdir = tmp_path_factory.mktemp("cancel-certs")
    return Certs(workdir=workdir, ca_file=str(test_ca.write_ca(workdir / "ca.pem")),
                 good=test_ca.issue_server(("localhost", "127.0.0.1")),
                 wrong_host=test_ca.issue_server(("mail.other.test",)),
                 self_signed=self_signed_server(("localhost", "127.0.0.1")))


@pytest.fixture
def stalled(certs: Certs, request: pytest.FixtureRequest) -> Iterator[RunningServer]:
    stage, address = request.param if isinstance(request.param, tuple) else (request.param,
                                                                              None)
    with server(certs, faults=Faults(stall_at=stage, stall_seconds=STALL,
                                     stall_address=address)) as srv:
        settle(srv)
        yield srv


def settle(srv: RunningServer) -> None:
    """Forget the stall of the server's own start-up check connection."""
    deadline = time.monotonic() + 10
    while srv.handler.open_connections and time.monotonic() < deadline:
        time.sleep(0.01)
    srv.handler.stalled.clear()


def client_sockets_to(port: int) -> list[str]:
    """This process's open TCP sockets whose remote port is ``port`` (Linux /proc)."""
    inodes = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not Path(table).exists():
            continue
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            remote_port = int(fields[2].rsplit(":", 1)[1], 16)
            if remote_port == port and fields[9] in inodes:
                found.append(line)
    return found


def cancel_when_stalled(srv: RunningServer, token: CancelToken) -> dict[str, float]:
    """From a helper thread: cancel ``token`` as soon as the server starts stalling."""
    when: dict[str, float] = {}

    def run() -> None:
        if srv.handler.stalled.wait(30):
            when["cancel"] = time.monotonic()
            token.cancel()

    threading.Thread(target=run, daemon=True).start()
    return when


def assert_closed_at_once(srv: RunningServer, cancelled_at: float) -> None:
    assert client_sockets_to(srv.port) == []  # this side: every socket to it closed
    deadline = cancelled_at + PROMPT
    while srv.handler.open_connections and time.monotonic() < deadline:
        time.sleep(0.01)
    assert srv.handler.open_connections == 0  # the server saw the connection go


def _cancelled_run(srv: RunningServer, work: Callable[[CancelToken], Any]) -> tuple[Any, float]:
    token = CancelToken()
    when = cancel_when_stalled(srv, token)
    result = work(token)
    returned = time.monotonic()
    assert "cancel" in when, "the server never stalled"
    assert returned - when["cancel"] < PROMPT
    return result, when["cancel"]


def _plan(srv: RunningServer, certs: Certs) -> Plan:
    return make_plan(srv, certs, timeouts=SLOW)


@pytest.mark.parametrize(("stalled", "during"), [("rcpt", Stage.RCPT),
                                                 ("greeting", Stage.GREETING)],
                         indirect=["stalled"])
def test_cancelling_a_stalled_test_send_returns_at_once(
    stalled: RunningServer, certs: Certs, during: Stage
) -> None:
    log = EventLog()
    message = build_test_message("Records <sender@example.org>", RCPT)
    result, cancelled_at = _cancelled_run(stalled, lambda token: run_test_send(
        _plan(stalled, certs), PASSWORD, message, [RCPT], log, cancel=token))
    assert (result.ok, result.stage, result.exit_code) == (False, Stage.CANCELLED, 130)
    assert result.during == during
    assert "cancelled" in result.explanation.lower()
    assert "connection lost" not in repr(result.to_json()).lower()
    assert not any(e.text.startswith("QUIT") for e in log.events if e.dir == "client")
    assert result.to_json()["stage"] == "cancelled"
    assert_clean(result)  # no credential in the result (AUTH happened before the RCPT stall)
    assert_closed_at_once(stalled, cancelled_at)
    assert stalled.received == []


@pytest.mark.parametrize("stalled", ["greeting"], indirect=True)
def test_cancelling_a_stalled_probe_returns_at_once(stalled: RunningServer,
                                                    certs: Certs) -> None:
    result, cancelled_at = _cancelled_run(
        stalled, lambda token: run_probe(_plan(stalled, certs), cancel=token))
    assert (result.stage, result.during, result.exit_code) == (Stage.CANCELLED,
                                                               Stage.GREETING, 130)
    assert result.explanation and "cancelled" in result.explanation.lower()
    assert result.assessment == []  # nothing was seen: no "STARTTLS NOT offered" verdict
    assert_closed_at_once(stalled, cancelled_at)


def test_a_token_cancelled_beforehand_connects_nowhere(certs: Certs) -> None:
    token = CancelToken()
    token.cancel()
    with server(certs) as srv:
        result = run_test_send(_plan(srv, certs), PASSWORD, b"Subject: x\r\n\r\nx\r\n",
                               [RCPT], cancel=token)
        time.sleep(0.1)
        assert srv.handler.open_connections == 0
    assert (result.stage, result.exit_code) == (Stage.CANCELLED, 130)


def _outgoing(to: str = RCPT) -> Outgoing:
    return Outgoing("test_message", "sender@example.org", (to,),
                    build_test_message("Records <sender@example.org>", to), "<id@example.org>",
                    "test")


@pytest.mark.parametrize(("stalled", "status", "content_sent"),
                         [("rcpt", "cancelled", False), ("after-data", "uncertain", True)],
                         indirect=["stalled"])
def test_a_cancelled_delivery_says_whether_the_content_went_out(
    stalled: RunningServer, certs: Certs, status: str, content_sent: bool
) -> None:
    committed: list[bool] = []

    def deliver(token: CancelToken) -> Any:
        with Deliverer(_plan(stalled, certs), PASSWORD, cancel=token) as deliverer:
            return deliverer.deliver(_outgoing(), on_content=lambda: committed.append(True))

    delivery, cancelled_at = _cancelled_run(stalled, deliver)
    assert (delivery.status, delivery.stage, delivery.exit_code) == (status, Stage.CANCELLED,
                                                                     130)
    assert bool(committed) is content_sent
    assert_closed_at_once(stalled, cancelled_at)


def test_cancelling_during_the_backoff_returns_at_once(certs: Certs) -> None:
    token = CancelToken()
    retries: list[str] = []

    def cancel_on_retry(text: str) -> None:
        retries.append(text)
        threading.Timer(0.2, token.cancel).start()

    with server(certs, faults=Faults(rcpt="451 4.7.1 Greylisted")) as srv:
        deliverer = Deliverer(_plan(srv, certs), PASSWORD, cancel=token, retry_delay=60.0,
                              on_retry=cancel_on_retry)
        started = time.monotonic()
        with deliverer:
            delivery = deliverer.deliver(_outgoing())
        elapsed = time.monotonic() - started
    assert retries and elapsed < 0.2 + PROMPT + 5  # not the 60 s backoff
    assert (delivery.status, delivery.stage, delivery.during) == ("cancelled", Stage.CANCELLED,
                                                                  Stage.RCPT)
    assert "not sent" in (delivery.explanation or "")


@pytest.mark.parametrize("stalled", ["rcpt"], indirect=True)
def test_a_cancelled_session_raises_the_cancelled_kind(stalled: RunningServer,
                                                        certs: Certs) -> None:
    token = CancelToken()
    with Session(_plan(stalled, certs), password=PASSWORD, cancel=token) as session:
        session.connect()
        cancel_when_stalled(stalled, token)
        with pytest.raises(SessionError) as caught:
            session.send("sender@example.org", [RCPT], b"Subject: x\r\n\r\nx\r\n")
    failure = caught.value.failure
    assert (failure.stage, failure.during, failure.kind) == (Stage.CANCELLED, Stage.RCPT,
                                                             "cancelled")
    assert not caught.value.recoverable
