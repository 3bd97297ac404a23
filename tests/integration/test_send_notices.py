"""What a send tells while it runs and when it ends, against real aiosmtpd servers: waiting
notices naming the stage and the timeout, retries announced with their delay before the
sleep, and one reply parser behind every result (send-test, send, batch)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mailtui.cli import main
from mailtui.events.catalog import load_catalog
from mailtui.mail.testmessage import build_test_message
from mailtui.outbox.build import Outgoing
from mailtui.outbox.deliver import Deliverer, DeliveryAborted
from mailtui.smtp.stages import Stage
from mailtui.smtp.testsend import run_test_send
from mailtui.smtp.transcript import WaitNotice
from tests.integration.test_outbox_batch import write_batch
from tests.integration.test_smtp_cli import write_config
from tests.integration.test_smtp_session import Certs, make_plan, server
from tests.support.pki import Authority, self_signed_server
from tests.support.smtpserver import PASSWORD, Faults

pytestmark = pytest.mark.integration

RCPT = "admin@example.org"


@pytest.fixture(scope="module")
def certs(test_ca: Authority, tmp_path_factory: pytest.TempPathFactory) -> Certs:
    workdir = tmp_path_factory.mktemp("notice-certs")
    return Certs(workdir=workdir, ca_file=str(test_ca.write_ca(workdir / "ca.pem")),
                 good=test_ca.issue_server(("localhost", "127.0.0.1")),
                 wrong_host=test_ca.issue_server(("mail.other.test",)),
                 self_signed=self_signed_server(("localhost", "127.0.0.1")))


def _message() -> bytes:
    return build_test_message("Records <sender@example.org>", RCPT)


def test_a_stalled_greeting_is_announced_with_its_stage_and_timeout(certs: Certs) -> None:
    notices: list[WaitNotice] = []
    with server(certs, faults=Faults(stall_at="greeting", stall_seconds=0.5)) as srv:
        plan = make_plan(srv, certs)  # read timeout 1 s
        result = run_test_send(plan, PASSWORD, _message(), [RCPT], on_wait=notices.append)
    assert result.ok
    greeting = [n for n in notices if n.stage == Stage.GREETING]
    assert [n.done for n in greeting] == [False, True]  # started, then ended
    assert greeting[0].what == "the greeting" and greeting[0].timeout == 1.0
    assert greeting[0].text(12.4) == "waiting for the greeting… 12 s of 1 s"
    assert greeting[1].t - greeting[0].t >= 0.4  # the notice covered the whole stall
    whats = {n.what for n in notices}
    assert {"the TLS handshake", "the server's reply to STARTTLS",
            "the server's reply to AUTH", "the server's reply to MAIL FROM",
            "the server's reply to RCPT TO", "the server's reply to the message data"} <= whats
    handshake = [n for n in notices if n.what == "the TLS handshake"]
    connection = [n for n in notices if n.what == f"the connection to 127.0.0.1 port {srv.port}"]
    assert handshake and connection  # both bounded by the connect timeout
    assert {n.timeout for n in handshake + connection} == {2.0}


def test_a_reply_that_never_comes_ends_its_notice_and_times_out(certs: Certs) -> None:
    notices: list[WaitNotice] = []
    with server(certs, faults=Faults(stall_at="rcpt", stall_seconds=3)) as srv:
        plan = make_plan(srv, certs)
        result = run_test_send(plan, PASSWORD, _message(), [RCPT], on_wait=notices.append)
    assert result.exit_code == 29 and result.during == Stage.RCPT
    rcpt = [n for n in notices if n.what == "the server's reply to RCPT TO"]
    assert [n.done for n in rcpt] == [False, True]
    assert rcpt[0].stage == Stage.RCPT and rcpt[0].timeout == 1.0


def test_no_listener_means_no_notice_cost(certs: Certs) -> None:
    with server(certs) as srv:
        result = run_test_send(make_plan(srv, certs), PASSWORD, _message(), [RCPT])
    assert result.ok  # on_wait is optional


def test_each_retry_is_announced_with_its_delay_before_the_sleep(certs: Certs) -> None:
    steps: list[tuple[str, Any]] = []
    with server(certs, faults=Faults(rcpt="451 4.7.1 Greylisted, try later")) as srv:
        message = Outgoing(event_id="test_message", envelope_from="sender@example.org",
                           recipients=(RCPT,), data=_message(), message_id="<x@example.org>",
                           subject="test")
        with Deliverer(make_plan(srv, certs), PASSWORD, retries=2, retry_delay=0.5,
                       sleep=lambda s: steps.append(("sleep", s)),
                       on_retry=lambda text: steps.append(("announce", text))) as deliverer:
            delivery = deliverer.deliver(message)
    assert delivery.status == "deferred" and delivery.attempts == 3
    assert [kind for kind, _ in steps] == ["announce", "sleep", "announce", "sleep"]
    assert steps[0][1] == ("retrying in 0.5 s (try 2 of 3): temporary failure at RCPT TO "
                           "(451 4.7.1 Greylisted, try later)")
    assert steps[1] == ("sleep", 0.5)
    assert steps[2][1].startswith("retrying in 1 s (try 3 of 3)") and steps[3] == ("sleep", 1)


# -- 13. one reply parser -------------------------------------------------------------------
@pytest.mark.parametrize(("faults", "enhanced", "reply"), [
    (Faults(), "2.0.0", "OK queued as TEST1"),
    (Faults(rcpt="550 5.1.1 No such user here"), "5.1.1", "No such user here"),
])
def test_send_send_test_and_batch_report_replies_alike(
    certs: Certs, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str], faults: Faults, enhanced: str, reply: str,
) -> None:
    monkeypatch.setenv("MAILTUI_TEST_PASSWORD", PASSWORD)
    with server(certs, faults=faults) as srv:
        config = str(write_config(tmp_path / "mailtui.toml", srv.port, Path(certs.ca_file)))
        main(["--config", config, "send-test", "--json"])
        test_send = json.loads(capsys.readouterr().out)
        context = tmp_path / "ctx.json"
        context.write_text(json.dumps(load_catalog().get("task_completed").samples("en"),
                                      default=str))
        main(["--config", config, "send", "task_completed", "--to", RCPT, "--context",
              str(context), "--json"])
        send = json.loads(capsys.readouterr().out)
        batch = write_batch(tmp_path / "b.jsonl", 1)
        main(["--config", config, "send", "--batch", str(batch)])
        record = json.loads(capsys.readouterr().out.splitlines()[0])
    for result in (test_send, send, record):
        assert (result["enhanced_code"], result["reply"]) == (enhanced, reply), result
    if faults.rcpt:
        recipient = test_send["recipients"]
        assert recipient == [] or recipient[0]["enhanced_code"] == "5.1.1"
    else:
        assert test_send["recipients"][0]["enhanced_code"] == "2.1.5"
        assert test_send["recipients"][0]["reply"] == "OK"


# -- 19. the TLS check after a silent greeting: announced, once per run ------------------------
def _outgoing() -> Outgoing:
    return Outgoing(event_id="test_message", envelope_from="sender@example.org",
                    recipients=(RCPT,), data=_message(), message_id="<x@example.org>",
                    subject="test")


def test_the_tls_check_after_a_silent_greeting_is_announced_once_per_run(certs: Certs) -> None:
    notices: list[WaitNotice] = []
    sleeps: list[float] = []
    with server(certs, faults=Faults(stall_at="greeting", stall_seconds=30)) as srv:
        plan = make_plan(srv, certs)  # read timeout 1 s, connect 2 s
        with Deliverer(plan, PASSWORD, retries=2, retry_delay=0.1, sleep=sleeps.append,
                       on_wait=notices.append) as deliverer, pytest.raises(DeliveryAborted):
            deliverer.deliver(_outgoing())
    assert deliverer.connections == 3 and len(sleeps) == 2  # a stall is retried
    greeting_waits = [n for n in notices if n.what == "the greeting" and not n.done]
    assert len(greeting_waits) == 3
    checks = [n for n in notices if n.doing]
    assert [n.done for n in checks] == [False, True]  # one check for three attempts
    assert checks[0].stage == Stage.GREETING and checks[0].timeout == 2.0
    assert checks[0].text(2.3) == f"checking whether port {srv.port} speaks TLS… 2 s of 2 s"


def test_a_port_found_speaking_tls_is_not_retried(certs: Certs) -> None:
    """The silence is a setting (an implicit-TLS port used with STARTTLS), not bad luck."""
    sleeps: list[float] = []
    with server(certs, "implicit") as srv:
        plan = make_plan(srv, certs, security="starttls-required")
        with Deliverer(plan, PASSWORD, retries=2, retry_delay=0.1,
                       sleep=sleeps.append) as deliverer, pytest.raises(DeliveryAborted) as info:
            deliverer.deliver(_outgoing())
    assert info.value.failure.facts.get("speaks_tls") is True
    assert sleeps == [] and deliverer.connections == 1
