"""Batch sending against a real aiosmtpd server (STARTTLS + AUTH) that misbehaves mid-batch:
every message is delivered exactly once, and a lost reply is never turned into a duplicate."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from email import message_from_bytes
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

from mailtui.cli import main
from mailtui.config.model import SecretRef, ServerSettings, Settings
from mailtui.outbox.batch import read_batch, read_journal, run_batch
from tests.support.pki import Authority
from tests.support.smtpserver import free_port, server_context

pytestmark = pytest.mark.integration

USER, PASSWORD = "app@example.org", "B4tch-s3cret-pw"


def _hang_up(server: SMTP) -> None:
    if server.transport is not None:
        server.transport.abort()


class ScriptedHandler:
    """Accepts mail, but misbehaves on the Nth MAIL / RCPT / DATA command (counted from 1)."""

    def __init__(self, *, drop_at_mail: set[int] = frozenset(),  # type: ignore[assignment]
                 greylist_rcpt: set[int] = frozenset(),  # type: ignore[assignment]
                 lose_reply_after_data: set[int] = frozenset(),  # type: ignore[assignment]
                 pipelining: bool = True) -> None:
        self.drop_at_mail, self.greylist_rcpt = drop_at_mail, greylist_rcpt
        self.lose_reply_after_data = lose_reply_after_data
        self.pipelining = pipelining
        self.calls = {"MAIL": 0, "RCPT": 0, "DATA": 0, "EHLO": 0}
        self.received: list[bytes] = []

    async def handle_EHLO(self, server: SMTP, session: Any, envelope: Any, hostname: str,
                          responses: list[str]) -> list[str]:
        self.calls["EHLO"] += 1
        session.host_name = hostname
        if self.pipelining:
            responses.insert(-1, "250-PIPELINING")
        return responses

    async def handle_MAIL(self, server: SMTP, session: Any, envelope: Any, address: str,
                          options: list[str]) -> str:
        self.calls["MAIL"] += 1
        if self.calls["MAIL"] in self.drop_at_mail:
            _hang_up(server)
            return "421 4.3.0 gone"
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 2.1.0 OK"

    async def handle_RCPT(self, server: SMTP, session: Any, envelope: Any, address: str,
                          options: list[str]) -> str:
        self.calls["RCPT"] += 1
        if self.calls["RCPT"] in self.greylist_rcpt:
            return "451 4.7.1 Greylisted, please try again later"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: SMTP, session: Any, envelope: Any) -> str:
        self.calls["DATA"] += 1
        self.received.append(envelope.original_content or envelope.content)
        if self.calls["DATA"] in self.lose_reply_after_data:
            _hang_up(server)  # stored, but the client never hears about it
        return "250 2.0.0 queued"

    def message_ids(self) -> list[str]:
        return [str(message_from_bytes(raw)["Message-ID"]) for raw in self.received]


def _authenticator(server: SMTP, session: Any, envelope: Any, mechanism: str,
                   auth_data: Any) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and (
        auth_data.login.decode(), auth_data.password.decode()) == (USER, PASSWORD)
    return AuthResult(success=ok, handled=False)


@pytest.fixture
def ca_file(test_ca: Authority, tmp_path: Path) -> Path:
    return test_ca.write_ca(tmp_path / "ca.pem")


def serve(handler: ScriptedHandler, test_ca: Authority, tmp_path: Path) -> Controller:
    controller = Controller(
        handler, hostname="127.0.0.1", port=free_port(), server_hostname="mx.test",
        tls_context=server_context(test_ca.issue_server(("127.0.0.1",)), tmp_path),
        require_starttls=True, authenticator=_authenticator, auth_required=True,
        ready_timeout=5.0,
    )
    controller.start()
    return controller


@pytest.fixture
def server_factory(test_ca: Authority, tmp_path: Path) -> Iterator[Any]:
    started: list[Controller] = []

    def start(handler: ScriptedHandler) -> Controller:
        controller = serve(handler, test_ca, tmp_path)
        started.append(controller)
        return controller

    yield start
    for controller in started:
        controller.stop()


def settings_for(port: int, ca_file: Path, password: str = PASSWORD) -> Settings:
    return Settings(server=ServerSettings(
        enabled=True, username=USER, default_sender="Records <app@example.org>",
        password=SecretRef("server.password", value=password),
        properties={
            "mail.smtp.host": "127.0.0.1", "mail.smtp.port": str(port),
            "mail.smtp.auth": "true", "mail.smtp.starttls.enable": "true",
            "mail.smtp.starttls.required": "true", "mailtui.ssl.cafile": str(ca_file),
            "mail.smtp.connectiontimeout": "5000", "mail.smtp.timeout": "5000",
        }))


def write_batch(path: Path, count: int) -> Path:
    from mailtui.events.catalog import load_catalog

    samples = load_catalog().get("task_completed").samples("en")
    lines = [json.dumps({"event": "task_completed", "to": f"user{i}@example.org",
                         "context": {**samples, "task_title": f"Task number {i}"},
                         "id": f"msg-{i}"}, default=str)
             for i in range(1, count + 1)]
    path.write_text("\n".join(lines) + "\n")
    return path


def run(settings: Settings, batch: Path, results: Path, **kw: Any) -> Any:
    return run_batch(settings, read_batch(batch), results, retry_delay=0.05, **kw)


@pytest.mark.parametrize("pipelining", [True, False])
def test_drop_and_451_mid_batch_deliver_each_message_once(
    server_factory: Any, ca_file: Path, tmp_path: Path, pipelining: bool
) -> None:
    handler = ScriptedHandler(drop_at_mail={3}, greylist_rcpt={5}, pipelining=pipelining)
    controller = server_factory(handler)
    batch = write_batch(tmp_path / "batch.jsonl", 8)
    results = tmp_path / "results.jsonl"
    summary = run(settings_for(controller.port, ca_file), batch, results)
    assert summary.counts == {"sent": 8}
    assert summary.exit_code == 0
    assert summary.connections == 2  # one reconnect after the drop, none for the 451
    ids = handler.message_ids()
    assert len(ids) == len(set(ids)) == 8
    subjects = sorted(str(message_from_bytes(raw)["Subject"]) for raw in handler.received)
    assert all("Task number" in s for s in subjects)
    journal = read_journal(results)
    assert {k: v["status"] for k, v in journal.items()} == {f"msg-{i}": "sent"
                                                            for i in range(1, 9)}
    assert journal["msg-3"]["attempts"] == 2 and journal["msg-1"]["attempts"] == 1


def test_lost_reply_is_uncertain_and_never_resent(
    server_factory: Any, ca_file: Path, tmp_path: Path
) -> None:
    handler = ScriptedHandler(lose_reply_after_data={2})
    controller = server_factory(handler)
    batch = write_batch(tmp_path / "batch.jsonl", 4)
    results = tmp_path / "results.jsonl"
    settings = settings_for(controller.port, ca_file)
    summary = run(settings, batch, results)
    assert summary.counts == {"sent": 3, "uncertain": 1}
    assert summary.exit_code == 28  # connection lost
    assert len(handler.received) == 4  # the server did store the "uncertain" one
    journal = read_journal(results)
    assert journal["msg-2"]["status"] == "uncertain"
    assert "may" in journal["msg-2"]["explanation"].lower() or journal["msg-2"]["explanation"]

    again = run(settings, batch, results)  # resume: nothing is sent again...
    assert again.counts == {"skipped": 3, "unconfirmed": 1}
    assert again.exit_code == 28  # ...but the unconfirmed message keeps the run non-zero
    assert len(handler.received) == 4

    forced = run(settings, batch, results, retry_uncertain=True)
    assert forced.counts == {"sent": 1, "skipped": 3}
    assert len(handler.received) == 5


def test_editing_the_batch_file_does_not_resend(
    server_factory: Any, ca_file: Path, tmp_path: Path
) -> None:
    handler = ScriptedHandler()
    controller = server_factory(handler)
    batch = tmp_path / "batch.jsonl"
    write_batch(batch, 3)
    lines = [json.loads(x) for x in batch.read_text().splitlines()]
    for line in lines:
        del line["id"]  # keyed by content
    batch.write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    results = tmp_path / "results.jsonl"
    settings = settings_for(controller.port, ca_file)
    assert run(settings, batch, results).counts == {"sent": 3}
    extra = {**lines[0], "to": "new@example.org"}
    batch.write_text("\n" + "\n".join(json.dumps(x) for x in [extra, *reversed(lines)]) + "\n")
    summary = run(settings, batch, results)
    assert summary.counts == {"sent": 1, "skipped": 3}
    assert len(handler.received) == 4


def test_a_torn_results_line_does_not_corrupt_the_next_run(
    server_factory: Any, ca_file: Path, tmp_path: Path
) -> None:
    handler = ScriptedHandler()
    controller = server_factory(handler)
    batch = write_batch(tmp_path / "batch.jsonl", 2)
    results = tmp_path / "results.jsonl"
    settings = settings_for(controller.port, ca_file)
    run(settings, batch, results)
    data = results.read_bytes()
    results.write_bytes(data[: data.rindex(b'"status": "sent"')])  # crash mid-write
    assert run(settings, batch, results, retry_uncertain=True).counts == {"sent": 1,
                                                                          "skipped": 1}
    journal = read_journal(results)  # every line parses again (no two records on one line)
    assert {k: v["status"] for k, v in journal.items()} == {"msg-1": "sent", "msg-2": "sent"}


def test_an_unusable_results_path_is_a_clear_error(tmp_path: Path, ca_file: Path) -> None:
    from mailtui.errors import ConfigError

    batch = write_batch(tmp_path / "batch.jsonl", 1)
    with pytest.raises(ConfigError, match="results file"):
        run(settings_for(1, ca_file), batch, tmp_path)  # a directory


def test_bad_password_aborts_then_resume_sends_everything_once(
    server_factory: Any, ca_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    handler = ScriptedHandler()
    controller = server_factory(handler)
    batch = write_batch(tmp_path / "batch.jsonl", 3)
    results = tmp_path / "results.jsonl"
    summary = run(settings_for(controller.port, ca_file, password="wrong-pw-123"), batch,
                  results)
    assert summary.exit_code == 23 and summary.aborted
    assert handler.received == []
    summary = run(settings_for(controller.port, ca_file), batch, results)
    assert summary.counts == {"sent": 3}
    assert len(handler.received) == 3


def test_send_batch_command_streams_results_and_hides_secrets(
    server_factory: Any, ca_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    handler = ScriptedHandler(greylist_rcpt={1})
    controller = server_factory(handler)
    config = tmp_path / "mailtui.toml"
    config.write_text(
        '[server]\nenabled = true\nusername = "app@example.org"\n'
        'password_env = "BATCH_PW"\ndefault_sender = "Records <app@example.org>"\n'
        "[server.properties]\n"
        f'"mail.smtp.host" = "127.0.0.1"\n"mail.smtp.port" = "{controller.port}"\n'
        '"mail.smtp.auth" = "true"\n"mail.smtp.starttls.required" = "true"\n'
        '"mail.smtp.starttls.enable" = "true"\n'
        f'"mailtui.ssl.cafile" = "{ca_file}"\n')
    batch = write_batch(tmp_path / "b.jsonl", 2)
    pytest.MonkeyPatch().setenv("BATCH_PW", PASSWORD)
    try:
        code = main(["--config", str(config), "send", "--batch", str(batch),
                     "--retry-delay", "0.05"])
    finally:
        pytest.MonkeyPatch().delenv("BATCH_PW", raising=False)
    out, err = capsys.readouterr()
    assert code == 0
    lines = [json.loads(x) for x in out.splitlines() if x.startswith("{")]
    assert [x["status"] for x in lines] == ["sent", "sent"]
    assert "2 sent" in err
    assert (tmp_path / "b.jsonl.results.jsonl").exists()
    for secret in (PASSWORD, "QjR0Y2gtczNjcmV0LXB3"):
        assert secret not in out + err


def test_disabled_server_refuses_send(tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "mailtui.toml"
    config.write_text('[server]\nenabled = false\ndefault_sender = "a@example.org"\n'
                      '[server.properties]\n"mail.smtp.host" = "127.0.0.1"\n')
    code = main(["--config", str(config), "send", "task_completed", "--to", "b@example.org"])
    assert code == 3
    assert "disabled" in capsys.readouterr().err


def test_batch_file_errors_name_each_line_and_send_nothing(tmp_path: Path) -> None:
    from mailtui.errors import ConfigError

    batch = tmp_path / "bad.jsonl"
    batch.write_text('{"event": "task_completed", "to": "a@example.org"}\n'
                     '{"event": "no_such_event", "to": "a@example.org"}\n'
                     '{"event": "task_completed", "to": "not-an-address"}\n'
                     "not json\n")
    with pytest.raises(ConfigError) as info:
        read_batch(batch)
    text = str(info.value)
    for line in (2, 3, 4):
        assert re.search(rf"bad\.jsonl:{line}: ", text)
    assert "bad.jsonl:1:" not in text


def test_a_results_file_that_is_not_ours_is_refused(tmp_path: Path) -> None:
    from mailtui.errors import ConfigError

    results = tmp_path / "notes.txt"
    results.write_text('{"key": "a", "status": "sent"}\nshopping list\n')
    with pytest.raises(ConfigError, match=r"notes\.txt:2: not a results line"):
        read_journal(results)
