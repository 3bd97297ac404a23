"""services.send without any CLI (issue 9): the pre-flight, one notification and a batch
against a real aiosmtpd server with real TLS; outcomes are data and nothing is printed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from mailtui.errors import ConfigError, MessageBuildError
from mailtui.services.config import load
from mailtui.services.send import (
    PreparedBatch,
    SendOutcome,
    check_sending,
    default_results_path,
    prepare_batch,
    send_notification,
)
from mailtui.smtp.stages import Stage
from mailtui.smtp.transcript import TranscriptEvent
from tests.integration.test_smtp_cli import assert_no_credentials, write_config
from tests.support.pki import Authority, Issued
from tests.support.smtpserver import PASSWORD, USERNAME, Faults, RunningServer, start_server

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("services-send")


@pytest.fixture(scope="module")
def ca_file(test_ca: Authority, workdir: Path) -> Path:
    return test_ca.write_ca(workdir / "ca.pem")


@pytest.fixture(scope="module")
def cert(test_ca: Authority) -> Issued:
    return test_ca.issue_server(("localhost", "127.0.0.1"))


@pytest.fixture
def server(cert: Issued, workdir: Path) -> Iterator[RunningServer]:
    refused = {"nobody@example.org": "550 5.1.1 <nobody@example.org>: User unknown"}
    with start_server(mode="starttls", cert=cert, workdir=workdir,
                      faults=Faults(rcpt=refused)) as srv:
        yield srv


@pytest.fixture
def config(tmp_path: Path, server: RunningServer, ca_file: Path,
           monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("MAILTUI_TEST_PASSWORD", PASSWORD)
    return write_config(tmp_path / "mailtui.toml", server.port, ca_file)


def samples(event: str) -> dict[str, object]:
    from mailtui.events.catalog import load_catalog

    return dict(load_catalog().get(event).samples("en"))


def test_check_sending_returns_the_plan_and_refuses_a_disabled_account(
        config: Path, tmp_path: Path, server: RunningServer, ca_file: Path) -> None:
    plan = check_sending(load(config))
    assert plan.host == "127.0.0.1" and plan.port == server.port
    off = write_config(tmp_path / "off.toml", server.port, ca_file, enabled=False)
    with pytest.raises(ConfigError, match="sending is disabled"):
        check_sending(load(off))
    broken = write_config(tmp_path / "broken.toml", server.port, tmp_path / "absent.pem")
    with pytest.raises(ConfigError, match=r"mailtui\.ssl\.cafile"):
        check_sending(load(broken))


def test_a_notification_is_sent_and_the_outcome_is_data(
        config: Path, server: RunningServer, capsys: pytest.CaptureFixture[str]) -> None:
    events: list[TranscriptEvent] = []
    outcome = send_notification(load(config), "loan_reminder", ["bob@example.org"],
                                samples("loan_reminder"), on_event=events.append)
    assert isinstance(outcome, SendOutcome)
    assert outcome.ok and outcome.exit_code == 0 and outcome.delivery.status == "sent"
    assert outcome.to == ("bob@example.org",) and outcome.message.event_id == "loan_reminder"
    [got] = server.received
    assert got.rcpt_tos == ["bob@example.org"] and got.authenticated_as == USERNAME
    assert outcome.message.message_id.encode() in got.data
    record = outcome.to_json()
    assert record["event"] == "loan_reminder" and record["to"] == ["bob@example.org"]
    assert record["status"] == "sent" and record["smime"] is None
    assert record["message_id"] == outcome.message.message_id
    assert events and capsys.readouterr() == ("", "")
    assert_no_credentials("\n".join(e.text for e in events), json.dumps(record))


def test_a_single_address_string_is_one_recipient(config: Path, server: RunningServer) -> None:
    outcome = send_notification(load(config), "loan_reminder", "Bob <bob@example.org>",
                                samples("loan_reminder"))
    assert outcome.ok and outcome.to == ("Bob <bob@example.org>",)
    assert server.received[0].rcpt_tos == ["bob@example.org"]


def test_a_refused_recipient_is_an_outcome(config: Path, server: RunningServer) -> None:
    outcome = send_notification(load(config), "loan_reminder", ["nobody@example.org"],
                                samples("loan_reminder"), retries=0)
    assert not outcome.ok and outcome.exit_code == 25
    assert outcome.delivery.stage == Stage.RCPT and outcome.delivery.reply_code == 550
    record = outcome.to_json()
    assert record["exit_code"] == 25 and record["explanation"]
    assert server.received == []


def test_a_message_that_cannot_be_built_is_refused_before_connecting(
        config: Path, server: RunningServer) -> None:
    with pytest.raises(MessageBuildError, match="missing variable"):
        send_notification(load(config), "loan_reminder", ["bob@example.org"], {})
    assert server.received == []


def test_a_server_that_cannot_be_used_is_a_deferred_outcome(
        tmp_path: Path, cert: Issued, workdir: Path, ca_file: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAILTUI_TEST_PASSWORD", PASSWORD)
    faults = Faults(auth="535 5.7.8 Authentication credentials invalid")
    with start_server(mode="starttls", cert=cert, workdir=workdir, faults=faults) as srv:
        settings = load(write_config(tmp_path / "mailtui.toml", srv.port, ca_file))
        outcome = send_notification(settings, "loan_reminder", ["bob@example.org"],
                                    samples("loan_reminder"), retries=0)
    assert outcome.delivery.status == "deferred" and outcome.exit_code == 23


def test_a_batch_is_validated_then_sent_and_resumes(
        config: Path, server: RunningServer, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    batch = tmp_path / "tonight.jsonl"
    lines = [{"event": "loan_reminder", "to": f"user{i}@example.org",
              "context": samples("loan_reminder"), "id": f"k{i}"} for i in range(3)]
    batch.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    prepared = prepare_batch(batch)
    assert isinstance(prepared, PreparedBatch)
    assert prepared.results == default_results_path(batch) == tmp_path / \
        "tonight.jsonl.results.jsonl"
    assert [item.key for item in prepared.items] == ["k0", "k1", "k2"]
    echoed: list[dict[str, object]] = []
    summary = prepared.run(load(config), echo=echoed.append)
    assert summary.exit_code == 0 and summary.counts == {"sent": 3}
    assert len(server.received) == 3 and len(echoed) == 3
    again = prepare_batch(batch).run(load(config))
    assert again.counts.get("sent", 0) == 0 and len(server.received) == 3  # nothing twice
    assert capsys.readouterr() == ("", "")


def test_a_bad_batch_is_refused_naming_its_lines(tmp_path: Path) -> None:
    batch = tmp_path / "bad.jsonl"
    batch.write_text('{"event": "no_such_event", "to": "a@example.org"}\nnot json\n',
                     encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        prepare_batch(batch, tmp_path / "elsewhere.jsonl")
    assert "bad.jsonl:1" in caught.value.describe() and "bad.jsonl:2" in caught.value.describe()


def test_the_results_file_can_be_chosen(tmp_path: Path) -> None:
    batch = tmp_path / "one.jsonl"
    batch.write_text('{"event": "test_message", "to": "a@example.org"}\n', encoding="utf-8")
    prepared = prepare_batch(str(batch), str(tmp_path / "out.jsonl"))
    assert prepared.path == batch and prepared.results == tmp_path / "out.jsonl"
