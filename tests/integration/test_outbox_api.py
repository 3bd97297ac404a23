"""The Python API and the wiring of events and S/MIME into real sends (aiosmtpd, STARTTLS)."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from email import message_from_bytes
from pathlib import Path

import pytest

from mailtui import Mailer, load_config
from mailtui.api import SendError
from mailtui.cli import main
from tests.support.pki import Authority
from tests.support.smtpserver import PASSWORD, USERNAME, RunningServer, start_server

pytestmark = pytest.mark.integration


@pytest.fixture
def server(test_ca: Authority, tmp_path: Path) -> Iterator[RunningServer]:
    with start_server(mode="starttls", cert=test_ca.issue_server(("127.0.0.1",)),
                      workdir=tmp_path) as running:
        yield running


def write_config(path: Path, server: RunningServer, ca: Path, extra: str = "") -> Path:
    path.write_text(
        f'[server]\nenabled = true\nusername = "{USERNAME}"\npassword_env = "API_PW"\n'
        'default_sender = "Records <sender@example.org>"\n'
        'test_recipient = "admin@example.org"\n'
        "[server.properties]\n"
        f'"mail.smtp.host" = "127.0.0.1"\n"mail.smtp.port" = "{server.port}"\n'
        '"mail.smtp.auth" = "true"\n"mail.smtp.starttls.enable" = "true"\n'
        '"mail.smtp.starttls.required" = "true"\n'
        f'"mailtui.ssl.cafile" = "{ca}"\n' + extra)
    return path


@pytest.fixture
def config(server: RunningServer, test_ca: Authority, tmp_path: Path,
           monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("API_PW", PASSWORD)
    return write_config(tmp_path / "mailtui.toml", server, test_ca.write_ca(tmp_path / "ca.pem"))


def test_mailer_sends_events_over_one_connection(server: RunningServer, config: Path) -> None:
    from mailtui.events.catalog import load_catalog

    samples = load_catalog().get("loan_reminder").samples("fr")
    with Mailer(load_config(config)) as mailer:
        first = mailer.send_event("loan_reminder", to="Bob <bob@example.org>",
                                  context=samples, locale="fr")
        second = mailer.send_event("loan_reminder", to=["carol@example.org"], context=samples)
        assert mailer._deliverer.connections == 1
    assert first.ok and second.ok
    assert [r.rcpt_tos for r in server.received] == [["bob@example.org"],
                                                     ["carol@example.org"]]
    french = message_from_bytes(server.received[0].data)
    assert french["Auto-Submitted"] == "auto-generated"
    assert french["X-Auto-Response-Suppress"] == "All"
    assert french["Message-ID"].endswith("@example.org>")
    assert french.get_content_type() == "multipart/alternative"


def test_mailer_refuses_missing_variables_before_connecting(server: RunningServer,
                                                            config: Path) -> None:
    from mailtui.errors import MessageBuildError

    with Mailer(load_config(config)) as mailer, pytest.raises(MessageBuildError) as info:
        mailer.send_event("loan_reminder", to="bob@example.org", context={})
    assert info.value.exit_code == 30 and "missing variable" in str(info.value)
    assert server.received == []


def test_mailer_raises_send_error_with_the_stage(test_ca: Authority, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.support.smtpserver import Faults

    monkeypatch.setenv("API_PW", PASSWORD)
    with start_server(mode="starttls", cert=test_ca.issue_server(("127.0.0.1",)),
                      workdir=tmp_path, faults=Faults(rcpt="550 5.1.1 No such user")) as srv:
        cfg = write_config(tmp_path / "m.toml", srv, test_ca.write_ca(tmp_path / "ca.pem"))
        from mailtui.events.catalog import load_catalog

        samples = load_catalog().get("task_completed").samples("en")
        with Mailer(load_config(cfg)) as mailer, pytest.raises(SendError) as info:
            mailer.send_event("task_completed", to="ghost@example.org", context=samples)
    assert info.value.exit_code == 25 and info.value.delivery.status == "failed"
    assert info.value.delivery.reply_code == 550


def test_mailer_refuses_when_disabled(config: Path) -> None:
    from mailtui.errors import ConfigError

    config.write_text(config.read_text().replace("enabled = true", "enabled = false"))
    with pytest.raises(ConfigError, match="disabled"):
        Mailer(load_config(config))


def test_send_test_event_uses_the_template(server: RunningServer, config: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--config", str(config), "send-test", "--event", "security_new_ip_login"])
    out = capsys.readouterr().out
    assert code == 0, out
    [received] = server.received
    message = message_from_bytes(received.data)
    assert "multipart/alternative" in message.get_content_type()
    assert "Subject:" in out  # headers shown in the DATA section of the transcript


def test_single_send_command(server: RunningServer, config: Path, tmp_path: Path,
                             capsys: pytest.CaptureFixture[str]) -> None:
    from mailtui.events.catalog import load_catalog

    context = tmp_path / "ctx.json"
    context.write_text(json.dumps(load_catalog().get("task_completed").samples("en"),
                                  default=str))
    code = main(["--config", str(config), "send", "task_completed", "--to",
                 "bob@example.org", "--context", str(context), "--json"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert json.loads(out)["status"] == "sent"
    assert server.received[0].rcpt_tos == ["bob@example.org"]
    assert PASSWORD not in out


def test_send_test_signs_and_reports_it(server: RunningServer, config: Path,
                                        test_ca: Authority, tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    signer = test_ca.issue_smime("sender@example.org", common_name="Records")
    (tmp_path / "signer.p12").write_bytes(signer.p12("p12-pass"))
    config.write_text(config.read_text() + '\n[smime]\ncertificate = "signer.p12"\n'
                      'password = "p12-pass"\n')
    config.chmod(0o600)
    code = main(["--config", str(config), "send-test", "--json"])
    result = json.loads(capsys.readouterr().out)
    assert code == 0 and result["ok"]
    assert result["smime"]["signed"] is True and result["smime"]["encrypted"] is False
    data_lines = [e["text"] for e in result["transcript"] if "S/MIME signed" in e["text"]]
    assert data_lines, "the DATA summary names the signature"
    assert "p12-pass" not in json.dumps(result)
    received = tmp_path / "received.eml"
    received.write_bytes(server.received[0].data)
    ca = test_ca.write_ca(tmp_path / "ca-verify.pem")
    proc = subprocess.run(["openssl", "smime", "-verify", "-CAfile", str(ca), "-in",
                           str(received), "-out", str(tmp_path / "inner.txt")],
                          capture_output=True, text=True, timeout=30, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "Verification successful" in proc.stderr


def test_notifications_are_signed_and_encrypted_and_openssl_agrees(
    server: RunningServer, config: Path, test_ca: Authority, tmp_path: Path
) -> None:
    from mailtui.events.catalog import load_catalog

    signer = test_ca.issue_smime("sender@example.org", common_name="Records")
    bob = test_ca.issue_smime("bob@example.org")
    recipients = tmp_path / "recipients"
    recipients.mkdir()
    (recipients / "bob@example.org.pem").write_bytes(bob.cert_pem())
    bob_cert, bob_key = bob.write(tmp_path / "bob", "bob")
    (tmp_path / "signer.p12").write_bytes(signer.p12("p12-pass"))
    config.write_text(config.read_text() + '\n[smime]\ncertificate = "signer.p12"\n'
                      'password = "p12-pass"\nencrypt = "when-possible"\n'
                      'recipients = "recipients"\n')
    samples = load_catalog().get("record_shared").samples("en")
    with Mailer(load_config(config)) as mailer:
        message = mailer.builder.build("record_shared", "bob@example.org", samples)
        assert message.signed and message.encrypted
        mailer.send(message)
    received = tmp_path / "received.eml"
    received.write_bytes(server.received[0].data)
    ca = test_ca.write_ca(tmp_path / "ca-check.pem")

    def openssl(*args: str) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(["openssl", *args], capture_output=True, timeout=30, check=False)

    decrypted = openssl("cms", "-decrypt", "-recip", str(bob_cert), "-inkey", str(bob_key),
                        "-in", str(received))
    assert decrypted.returncode == 0, decrypted.stderr
    inner = tmp_path / "inner.eml"
    inner.write_bytes(decrypted.stdout)
    verified = openssl("smime", "-verify", "-CAfile", str(ca), "-in", str(inner))
    assert verified.returncode == 0, verified.stderr
    assert b"Verification successful" in verified.stderr


def test_encrypt_always_without_a_certificate_stops_at_message_build(
    server: RunningServer, config: Path, test_ca: Authority, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    signer = test_ca.issue_smime("sender@example.org")
    (tmp_path / "signer.p12").write_bytes(signer.p12(None))
    (tmp_path / "recipients").mkdir()
    config.write_text(config.read_text() + '\n[smime]\ncertificate = "signer.p12"\n'
                      'encrypt = "always"\nrecipients = "recipients"\n')
    context = tmp_path / "ctx.json"
    from mailtui.events.catalog import load_catalog

    context.write_text(json.dumps(load_catalog().get("record_shared").samples("en"),
                                  default=str))
    code = main(["--config", str(config), "send", "record_shared", "--to",
                 "carol@example.org", "--context", str(context)])
    err = capsys.readouterr().err
    assert code == 30 and "carol@example.org" in err
    assert server.received == []


def test_no_password_is_read_when_the_account_does_not_log_in(
    server: RunningServer, config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mailtui.events.catalog import load_catalog

    monkeypatch.delenv("API_PW", raising=False)  # would be an error if it were read
    config.write_text(config.read_text().replace('"mail.smtp.auth" = "true"',
                                                 '"mail.smtp.auth" = "false"'))
    samples = load_catalog().get("task_completed").samples("en")
    with Mailer(load_config(config)) as mailer:
        assert mailer.send_event("task_completed", to="bob@example.org", context=samples).ok
    assert server.received[0].authenticated_as is None
