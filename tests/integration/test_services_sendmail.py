"""services.sendmail without any CLI (issue 9): prepare, compose and deliver against a real
aiosmtpd server with real TLS; the outcome and its sysexits code are data, nothing is printed,
refusals before sending are exceptions carrying their sysexits code."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest

from mailtui.errors import ConfigError, MessageBuildError
from mailtui.mail.rawmessage import MessageDataError
from mailtui.outbox.deliver import Delivery
from mailtui.services.config import load
from mailtui.services.sendmail import (
    EX_CONFIG,
    EX_DATAERR,
    EX_IOERR,
    EX_NOPERM,
    EX_NOUSER,
    EX_PROTOCOL,
    EX_SOFTWARE,
    EX_TEMPFAIL,
    EX_UNAVAILABLE,
    EX_USAGE,
    PreparedSendmail,
    SendmailError,
    SendmailOutcome,
    check_dsn_notify,
    error_sysexit,
    exit_code,
    prepare_sendmail,
)
from mailtui.smtp.stages import Stage
from mailtui.smtp.transcript import TranscriptEvent
from tests.integration.test_smtp_cli import assert_no_credentials, write_config
from tests.support.pki import Authority, Issued
from tests.support.smtpserver import PASSWORD, USERNAME, Faults, RunningServer, start_server

pytestmark = pytest.mark.integration

MESSAGE = b"Subject: nightly\r\n\r\nAll good.\r\n"


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("services-sendmail")


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


def head_of(data: bytes) -> str:
    return data.partition(b"\r\n\r\n")[0].decode("utf-8")


def test_prepare_chooses_the_envelope_sender_and_the_from_header(config: Path) -> None:
    settings = load(config)
    prepared = prepare_sendmail(settings, recipients=["admin@example.org"])
    assert isinstance(prepared, PreparedSendmail)
    assert prepared.envelope_from == USERNAME  # the plan's: server.default_sender
    assert prepared.from_header == f"Records <{USERNAME}>"
    assert prepared.recipients == ("admin@example.org",) and not prepared.read_recipients
    given = prepare_sendmail(settings, envelope_from="cron@example.org", full_name="Cron")
    assert (given.envelope_from, given.from_header) == ("cron@example.org",
                                                        "Cron <cron@example.org>")
    renamed = prepare_sendmail(settings, full_name="Nightly")  # -F alone: the default sender
    assert renamed.from_header == f"Nightly <{USERNAME}>"
    for null in ("<>", "", "  "):  # the null sender; From is still the default sender
        bounce = prepare_sendmail(settings, envelope_from=null)
        assert (bounce.envelope_from, bounce.from_header) == ("", f"Records <{USERNAME}>")
    assert PASSWORD not in repr(prepared)


def test_prepare_applies_the_dsn_options_to_the_plan(config: Path) -> None:
    prepared = prepare_sendmail(load(config), dsn_notify="failure,delay", dsn_ret="hdrs")
    assert (prepared.plan.dsn_notify, prepared.plan.dsn_ret) == ("FAILURE,DELAY", "HDRS")


@pytest.mark.parametrize(("kwargs", "sysexit", "words"), [
    ({"envelope_from": "a@example.org, b@example.org"}, EX_USAGE, "is not one address"),
    ({"dsn_notify": "sometimes"}, EX_USAGE, "-N: "),
])
def test_prepare_refusals_carry_their_sysexits_code(config: Path, kwargs: dict[str, str],
                                                    sysexit: int, words: str) -> None:
    with pytest.raises(SendmailError, match=words) as caught:
        prepare_sendmail(load(config), **kwargs)
    assert caught.value.sysexit == sysexit and error_sysexit(caught.value) == sysexit
    assert caught.value.exit_code == 2  # mailtui's own code: usage


def test_prepare_refuses_a_disabled_account_and_a_missing_server_or_sender(
        tmp_path: Path, server: RunningServer, ca_file: Path) -> None:
    disabled = load(write_config(tmp_path / "off.toml", server.port, ca_file, enabled=False))
    with pytest.raises(ConfigError, match="sending is disabled") as caught:
        prepare_sendmail(disabled)
    assert error_sysexit(caught.value) == EX_CONFIG
    settings = load(write_config(tmp_path / "on.toml", server.port, ca_file))
    from mailtui.javamail.resolve import resolve_plan

    plan = resolve_plan(settings)
    with pytest.raises(SendmailError, match="no SMTP server") as no_host:
        prepare_sendmail(settings, plan=dataclasses.replace(plan, host=""))
    with pytest.raises(SendmailError, match="no sender address") as no_sender:
        prepare_sendmail(settings, plan=dataclasses.replace(plan, envelope_from=None))
    assert no_host.value.sysexit == no_sender.value.sysexit == EX_CONFIG
    assert no_host.value.exit_code == 3
    with pytest.raises(MessageDataError):  # -f that is no address at all: EX_DATAERR
        prepare_sendmail(settings, envelope_from="bob@")


def test_check_dsn_notify() -> None:
    check_dsn_notify(None)
    check_dsn_notify("never")
    check_dsn_notify("success,FAILURE")
    with pytest.raises(SendmailError):
        check_dsn_notify("never,success")


def test_compose_collects_recipients_completes_the_header_and_removes_bcc(
        config: Path) -> None:
    prepared = prepare_sendmail(load(config), recipients=["a@example.org, b@example.org",
                                                          "A@example.org"],
                                read_recipients=True)
    message = prepared.compose(b"To: Ann <ann@example.org>\r\nBcc: hidden@example.org\r\n"
                               b"Subject: s\r\n\r\nbody\r\n")
    assert message.recipients == ("a@example.org", "b@example.org", "ann@example.org",
                                  "hidden@example.org")
    head = head_of(message.data)
    assert "hidden" not in head and f"From: Records <{USERNAME}>" in head
    assert message.subject == "s" and message.message_id.startswith("<")
    assert message.message_id in head and "Date" in message.added
    assert message.data.endswith(b"\r\n\r\nbody\r\n")


@pytest.mark.parametrize(("recipients", "read", "data", "error", "words"), [
    ((), False, MESSAGE, SendmailError, "no recipient"),
    ((), True, MESSAGE, SendmailError, "no recipient"),
    (("root",), False, MESSAGE, MessageDataError, "'root' is a local user name"),
    ((), True, b"To: bob@\r\n\r\nb\r\n", MessageDataError, "To header: 'bob@'"),
])
def test_compose_refusals(config: Path, recipients: tuple[str, ...], read: bool, data: bytes,
                          error: type[Exception], words: str) -> None:
    prepared = prepare_sendmail(load(config), recipients=recipients, read_recipients=read)
    with pytest.raises(error, match=words) as caught:
        prepared.compose(data)
    if isinstance(caught.value, SendmailError):
        assert caught.value.sysexit == EX_USAGE


def test_a_message_is_delivered_and_the_outcome_is_data(
        config: Path, server: RunningServer, capsys: pytest.CaptureFixture[str]) -> None:
    prepared = prepare_sendmail(load(config), recipients=["admin@example.org"],
                                envelope_from="bounce@example.org")
    events: list[TranscriptEvent] = []
    outcome = prepared.run(MESSAGE, events.append)
    assert isinstance(outcome, SendmailOutcome)
    assert outcome.ok and outcome.exit_code == 0 and outcome.delivery.status == "sent"
    assert outcome.recipients == ("admin@example.org",)
    [got] = server.received
    assert got.mail_from == "bounce@example.org" and got.rcpt_tos == ["admin@example.org"]
    assert got.authenticated_as == USERNAME
    assert got.data.rstrip(b"\r\n") == outcome.message.data.rstrip(b"\r\n")
    assert "From: bounce@example.org" in head_of(got.data)
    assert any("RCPT TO:<admin@example.org>" in e.text for e in events)
    assert capsys.readouterr() == ("", "")  # a service never prints
    assert_no_credentials("\n".join(e.text for e in events), repr(outcome), repr(prepared))


def test_a_composed_message_can_be_run_as_it_is(config: Path, server: RunningServer) -> None:
    prepared = prepare_sendmail(load(config), recipients=["admin@example.org"])
    message = prepared.compose(MESSAGE)
    outcome = prepared.run(message)
    assert outcome.ok and outcome.message is message
    assert len(server.received) == 1


def test_a_refused_recipient_is_ex_nouser_as_data(config: Path, server: RunningServer) -> None:
    outcome = prepare_sendmail(load(config), recipients=["nobody@example.org"]).run(MESSAGE)
    assert not outcome.ok and outcome.exit_code == EX_NOUSER
    assert outcome.delivery.reply_code == 550 and outcome.delivery.stage == Stage.RCPT
    assert outcome.delivery.explanation and server.received == []


@pytest.mark.parametrize(("faults", "expected", "status"), [
    (Faults(auth="535 5.7.8 Authentication credentials invalid"), EX_NOPERM, "deferred"),
    (Faults(close_at="after-data"), EX_IOERR, "uncertain"),
    (Faults(rcpt="450 4.2.0 Greylisted"), EX_TEMPFAIL, None),
])
def test_failures_map_to_sysexits(tmp_path: Path, cert: Issued, workdir: Path, ca_file: Path,
                                  monkeypatch: pytest.MonkeyPatch, faults: Faults,
                                  expected: int, status: str | None) -> None:
    monkeypatch.setenv("MAILTUI_TEST_PASSWORD", PASSWORD)
    with start_server(mode="starttls", cert=cert, workdir=workdir, faults=faults) as srv:
        settings = load(write_config(tmp_path / "mailtui.toml", srv.port, ca_file))
        outcome = prepare_sendmail(settings, recipients=["admin@example.org"]).run(MESSAGE)
    assert not outcome.ok and outcome.exit_code == expected
    if status is not None:
        assert outcome.delivery.status == status


def test_a_refused_connection_is_tempfail(tmp_path: Path, ca_file: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.support.smtpserver import free_port

    monkeypatch.setenv("MAILTUI_TEST_PASSWORD", PASSWORD)
    settings = load(write_config(tmp_path / "mailtui.toml", free_port(), ca_file))
    outcome = prepare_sendmail(settings, recipients=["a@example.org"]).run(MESSAGE)
    assert outcome.exit_code == EX_TEMPFAIL and outcome.delivery.stage == Stage.CONNECT


@pytest.mark.parametrize(("delivery", "expected"), [
    (Delivery("failed", 1, 550, "5.1.1", "no", Stage.RCPT), EX_NOUSER),
    (Delivery("failed", 1, None, None, None, Stage.RCPT), EX_DATAERR),  # no SMTPUTF8
    (Delivery("failed", 1, None, None, None, Stage.MAIL_FROM), EX_DATAERR),
    (Delivery("failed", 1, 553, None, "no", Stage.MAIL_FROM), EX_UNAVAILABLE),
    (Delivery("deferred", 1, 421, None, "busy", Stage.GREETING), EX_TEMPFAIL),
    (Delivery("deferred", 1, None, None, None, Stage.DNS), EX_TEMPFAIL),
    (Delivery("deferred", 1, None, None, None, Stage.TIMEOUT), EX_TEMPFAIL),
    (Delivery("deferred", 1, 502, None, "what", Stage.EHLO), EX_PROTOCOL),
    (Delivery("deferred", 1, None, None, None, Stage.TLS), EX_UNAVAILABLE),
    (Delivery("deferred", 1, None, None, None, Stage.CONFIG), EX_CONFIG),
    (Delivery("uncertain", 1, None, None, None, Stage.AFTER_DATA), EX_IOERR),
    (Delivery("failed", 1, None, None, None, Stage.MESSAGE_BUILD), EX_DATAERR),
    (Delivery("failed", 1, None, None, None, Stage.DONE), EX_SOFTWARE),
])
def test_exit_code_of_a_delivery(delivery: Delivery, expected: int) -> None:
    assert exit_code(delivery) == expected


def test_error_sysexit_of_other_errors() -> None:
    assert error_sysexit(MessageBuildError("no certificate")) == EX_DATAERR
    assert error_sysexit(ConfigError("bad")) == EX_CONFIG
    assert error_sysexit(SendmailError(EX_IOERR, "stdin")) == EX_IOERR
