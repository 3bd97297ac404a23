"""services.probe and services.send_test against a real aiosmtpd server with real TLS, without
any CLI (issue 9): the outcome is data, the transcript reaches the callback, extra keyword
arguments reach the session, and no credential appears anywhere."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from mailtui.errors import ConfigError
from mailtui.services.config import load
from mailtui.services.probe import ProbeOutcome, SavedChain, prepare_probe
from mailtui.services.send_test import prepare_test_send
from mailtui.smtp.transcript import TranscriptEvent, WaitNotice
from tests.integration.test_smtp_cli import assert_no_credentials, write_config
from tests.support.pki import Authority, Issued
from tests.support.smtpserver import PASSWORD, USERNAME, Faults, RunningServer, start_server

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("services-probe")


@pytest.fixture(scope="module")
def ca_file(test_ca: Authority, workdir: Path) -> Path:
    return test_ca.write_ca(workdir / "ca.pem")


@pytest.fixture(scope="module")
def good_cert(test_ca: Authority) -> Issued:
    return test_ca.issue_server(("localhost", "127.0.0.1"))


@pytest.fixture
def server(good_cert: Issued, workdir: Path) -> Iterator[RunningServer]:
    refused = {"nobody@example.org": "550 5.1.1 <nobody@example.org>: User unknown"}
    with start_server(mode="starttls", cert=good_cert, workdir=workdir,
                      faults=Faults(rcpt=refused)) as srv:
        yield srv


@pytest.fixture
def config(tmp_path: Path, server: RunningServer, ca_file: Path,
           monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("MAILTUI_TEST_PASSWORD", PASSWORD)
    return write_config(tmp_path / "mailtui.toml", server.port, ca_file)


def texts(events: list[TranscriptEvent]) -> str:
    return "\n".join(f"{e.dir} {e.text}" for e in events)


def test_probe_returns_the_capabilities_and_streams_the_transcript(
        config: Path, server: RunningServer, capsys: pytest.CaptureFixture[str]) -> None:
    events: list[TranscriptEvent] = []
    waits: list[WaitNotice] = []
    outcome = prepare_probe(load(config)).run(events.append, on_wait=waits.append)
    assert isinstance(outcome, ProbeOutcome)
    assert outcome.exit_code == 0 and outcome.result.ok and outcome.saved is None
    assert outcome.result.before_tls is not None and outcome.result.after_tls is not None
    assert outcome.result.tls is not None
    assert events and events == outcome.result.transcript
    assert "client STARTTLS" in texts(events) and "client QUIT" in texts(events)
    assert "AUTH" not in "".join(e.text for e in events if e.dir == "client")  # no password
    assert waits  # the extra keyword argument reached the session
    assert server.received == []
    assert capsys.readouterr() == ("", "")  # a service never prints
    assert_no_credentials(texts(events), repr(outcome))


def test_probe_rcpt_refused_is_exit_25_as_data(config: Path, server: RunningServer) -> None:
    prepared = prepare_probe(load(config), rcpt="Nobody <nobody@example.org>")
    assert (prepared.rcpt, prepared.sender) == ("nobody@example.org", USERNAME)
    assert PASSWORD not in repr(prepared)
    outcome = prepared.run()
    assert outcome.exit_code == 25 and not outcome.result.ok
    assert outcome.result.recipient is not None and outcome.result.recipient.accepted is False
    assert outcome.result.reply_code == 550
    data = outcome.to_json(prepared.plan)
    assert data["rcpt"]["accepted"] is False and "saved_certificates" not in data
    assert server.received == []
    assert_no_credentials(texts(outcome.result.transcript), repr(data))


def test_probe_saves_the_chain_it_is_shown(config: Path, tmp_path: Path,
                                           good_cert: Issued) -> None:
    target = tmp_path / "chain.pem"
    prepared = prepare_probe(load(config), save_cert=str(target))
    outcome = prepared.run()
    assert outcome.exit_code == 0
    saved = outcome.saved
    assert isinstance(saved, SavedChain) and saved.path == str(target) and saved.verified
    assert saved.certificates[0].sha256 and not saved.certificates[0].self_signed
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert target.read_bytes().startswith(b"-----BEGIN CERTIFICATE-----")
    assert outcome.to_json(prepared.plan)["saved_certificates"]["verified"] is True


def test_probe_preparation_errors_come_before_connecting(config: Path, tmp_path: Path) -> None:
    settings = load(config)
    with pytest.raises(ConfigError, match="its directory does not exist"):
        prepare_probe(settings, save_cert=tmp_path / "no" / "such" / "dir.pem")
    with pytest.raises(ConfigError, match="--rcpt: 'bob@' is not an email address"):
        prepare_probe(settings, rcpt="bob@")


def test_a_test_send_runs_and_the_server_gets_it(config: Path, server: RunningServer,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    prepared = prepare_test_send(load(config), to="bob@example.org")
    events: list[TranscriptEvent] = []
    result = prepared.run(events.append)
    assert result.ok and result.exit_code == 0 and result.message_sent
    assert events == result.transcript
    [got] = server.received
    assert got.rcpt_tos == ["bob@example.org"] and got.authenticated_as == USERNAME
    assert b"Subject: mailtui test message" in got.data
    assert b"Subject: mailtui test message" in prepared.message
    assert capsys.readouterr() == ("", "")
    assert_no_credentials(texts(events), repr(result.to_json()), repr(prepared))


def test_a_refused_test_send_is_a_result_not_an_exception(config: Path,
                                                          server: RunningServer) -> None:
    result = prepare_test_send(load(config), to="nobody@example.org").run()
    assert not result.ok and result.exit_code == 25 and result.reply_code == 550
    assert result.explanation and server.received == []
