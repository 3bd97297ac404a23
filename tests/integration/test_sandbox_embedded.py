"""The sandbox API an embedding app uses: free ports, settings, arrivals, list, read, clear."""

from __future__ import annotations

import dataclasses
import os
import smtplib
import socket
import threading
from pathlib import Path

import pytest

from mailtui.api import Mailer
from mailtui.config.model import SecretRef, Settings, SmimeSettings
from mailtui.errors import MailtuiError
from mailtui.sandbox import EmbeddedSandbox, MessageSummary, SandboxError
from mailtui.sandbox.certs import client_context
from mailtui.sandbox.server import SANDBOX_PASSWORD, SANDBOX_USERNAME
from tests.support.pki import Authority

pytestmark = pytest.mark.integration


@pytest.fixture
def sandbox(tmp_path: Path) -> EmbeddedSandbox:
    return EmbeddedSandbox(data_dir=tmp_path / "data", maildir=tmp_path / "maildir")


def send_event(settings: Settings, to: str, event: str = "task_completed") -> None:
    with Mailer(settings, retries=0) as mailer:
        delivery = mailer.send(mailer.builder.build(event, to, samples=True))
        assert delivery.status == "sent"


def refused(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    except ConnectionRefusedError:
        return True
    return False


def test_send_with_the_engine_then_callback_list_read_clear(sandbox: EmbeddedSandbox) -> None:
    seen: list[tuple[MessageSummary, str]] = []
    with sandbox:
        info = sandbox.info
        assert info.host == "127.0.0.1" and info.port > 0 and info.tls_port > 0
        assert info.port != info.tls_port and info.username == SANDBOX_USERNAME
        props = info.settings.server.properties
        assert props["mail.smtp.port"] == str(info.port)
        assert props["mail.smtp.starttls.required"] == "true"
        assert props["mailtui.ssl.cafile"] == str(info.ca_file)
        assert info.tls_settings.server.properties["mail.smtp.port"] == str(info.tls_port)
        assert SANDBOX_PASSWORD not in repr(info)
        sandbox.on_arrival(lambda s: seen.append((s, threading.current_thread().name)))

        send_event(info.settings, "Bob <bob@example.org>")

        [(summary, thread)] = seen  # called before the server answered DATA
        assert thread == "mailtui-sandbox"  # the server thread, not the caller's
        assert summary.number == 1
        assert summary.subject == "Task completed: Review the 2025 retention schedule"
        assert summary.mail_from == "sender@example.org"
        assert summary.rcpt_tos == ("bob@example.org",)
        assert summary.to_header == "Bob <bob@example.org>"
        assert summary.tls is not None and summary.tls.startswith("TLSv1.")
        assert summary.auth_user == "sandbox" and summary.size > 1000
        assert (summary.signed, summary.encrypted) == (False, False)
        assert sandbox.messages() == [summary]

        detail = sandbox.read(1)
        assert detail.summary == summary
        assert ("Subject", summary.subject) in detail.headers
        assert detail.headers[0][0] == "Received"  # the sandbox's trace header first
        assert detail.text is not None and "Review the 2025 retention schedule" in detail.text
        assert detail.html is not None and "<table" in detail.html
        tree = detail.structure
        assert tree.content_type == "multipart/alternative"
        assert [c.content_type for c in tree.children] == ["text/plain", "text/html"]
        assert tree.children[0].charset == "utf-8"
        assert tree.size == sum(c.size for c in tree.children) > 0
        assert detail.source().startswith(b"Received: from ")
        assert sandbox.read("last") == detail and sandbox.read(summary.key) == detail

        assert sandbox.clear() == 1
        assert sandbox.messages() == []
        with pytest.raises(MailtuiError, match=r"no message 1 \(there are 0\)") as info_error:
            sandbox.read(1)
        assert info_error.value.exit_code == 3
        with pytest.raises(MailtuiError, match="no message with key") as key_error:
            sandbox.read(summary.key)
        assert key_error.value.exit_code == 3


def test_implicit_tls_settings_and_unregistering_a_callback(sandbox: EmbeddedSandbox) -> None:
    seen: list[MessageSummary] = []
    with sandbox:
        remove = sandbox.on_arrival(seen.append)
        send_event(sandbox.info.tls_settings, "bob@example.org")
        remove()
        remove()  # twice is harmless
        send_event(sandbox.info.settings, "carol@example.org")
        assert [s.rcpt_tos for s in seen] == [("bob@example.org",)]
        listed = sandbox.messages()
        assert [m.rcpt_tos for m in listed] == [("bob@example.org",), ("carol@example.org",)]
        assert [m.number for m in listed] == [1, 2]
        assert all(m.tls for m in listed)


def test_a_failing_callback_spares_delivery_and_the_other_callbacks(tmp_path: Path) -> None:
    notices: list[str] = []
    seen: list[MessageSummary] = []

    def broken(summary: MessageSummary) -> None:
        raise RuntimeError("widget gone")

    with EmbeddedSandbox(data_dir=tmp_path / "data", maildir=tmp_path / "md",
                         on_notice=notices.append) as sandbox:
        sandbox.on_arrival(broken)
        sandbox.on_arrival(seen.append)
        send_event(sandbox.info.settings, "bob@example.org")
    assert len(seen) == 1
    assert any("widget gone" in n for n in notices)


def test_stop_releases_the_ports_and_start_again(sandbox: EmbeddedSandbox) -> None:
    info = sandbox.start()
    assert sandbox.start() is info  # already running: same ports
    assert sandbox.running and not refused(info.port) and not refused(info.tls_port)
    sandbox.stop()
    assert not sandbox.running
    assert refused(info.port) and refused(info.tls_port)
    with pytest.raises(MailtuiError, match="not running"):
        _ = sandbox.info
    sandbox.stop()  # twice is harmless
    # The very same ports can be bound again at once (by another sandbox here).
    again = EmbeddedSandbox(port=info.port, tls_port=info.tls_port,
                            data_dir=info.ca_file.parent, maildir=info.maildir)
    with again:
        assert (again.info.port, again.info.tls_port) == (info.port, info.tls_port)
    # The first object restarts too, on new free ports, and still sees the Maildir.
    with sandbox:
        assert sandbox.info.port > 0
    assert sandbox.messages() == []


def test_port_in_use_is_a_clear_error(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        sandbox = EmbeddedSandbox(port=port, data_dir=tmp_path / "data", maildir=tmp_path / "md")
        with pytest.raises(SandboxError, match=f"port {port}"):
            sandbox.start()
        assert not sandbox.running


def test_no_user_configuration_is_written(tmp_path: Path) -> None:
    config_home = Path(os.environ["XDG_CONFIG_HOME"])
    with EmbeddedSandbox() as sandbox:  # default data dir and Maildir, as `mailtui sandbox`
        send_event(sandbox.info.settings, "bob@example.org")
        assert len(sandbox.messages()) == 1
        sandbox.clear()
    assert not (config_home / "mailtui").exists()


def test_signed_and_encrypted_messages_are_told_apart(
    sandbox: EmbeddedSandbox, test_ca: Authority, tmp_path: Path
) -> None:
    signer = test_ca.issue_smime("sender@example.org", common_name="Records")
    (tmp_path / "signer.p12").write_bytes(signer.p12("p12-pass"))
    recipients = tmp_path / "recipients"
    recipients.mkdir()
    (recipients / "bob@example.org.pem").write_bytes(test_ca.issue_smime("bob@example.org")
                                                     .cert_pem())
    smime = SmimeSettings(certificate=tmp_path / "signer.p12",
                          password=SecretRef("smime.password", value="p12-pass"),
                          encrypt="when-possible", recipients=recipients)
    with sandbox:
        settings = dataclasses.replace(sandbox.info.settings, smime=smime)
        send_event(settings, "bob@example.org")  # has a certificate: encrypted
        send_event(settings, "carol@example.org")  # has none: signed only
        send_event(sandbox.info.settings, "dave@example.org")  # no S/MIME at all
        encrypted, signed, plain = sandbox.messages()
    assert (encrypted.encrypted, encrypted.signed) == (True, None)
    assert (signed.encrypted, signed.signed) == (False, True)
    assert (plain.encrypted, plain.signed) == (False, False)
    opaque = sandbox.read(encrypted.number)
    assert opaque.text is None and opaque.html is None
    assert opaque.structure.content_type == "application/pkcs7-mime"
    assert opaque.structure.children == () and opaque.structure.size > 0
    readable = sandbox.read(signed.number)
    assert readable.text is not None and "retention schedule" in readable.text
    assert readable.structure.content_type == "multipart/signed"
    assert [c.content_type for c in readable.structure.children] == [
        "multipart/alternative", "application/pkcs7-signature"]


def test_reading_a_malformed_message_never_fails(sandbox: EmbeddedSandbox) -> None:
    raw = (b"From: =?x-unknown?q?=FF?= <a@example.org>\r\n"
           b"To: b@example.org\r\n"
           b"Subject: =?utf-8?b?!!!not-base64?=\r\n"
           b"Content-Type: text/plain; charset=x-no-such-charset\r\n"
           b"Content-Transfer-Encoding: quoted-printable\r\n"
           b"\r\n"
           b"caf=E9 =ZZ broken\r\n")
    with sandbox:
        info = sandbox.info
        with smtplib.SMTP(info.host, info.port, timeout=5) as client:
            client.starttls(context=client_context(info.ca_file))
            client.login(SANDBOX_USERNAME, SANDBOX_PASSWORD)
            client.sendmail("a@example.org", ["b@example.org"], raw)
    detail = sandbox.read("last")
    assert detail.text is not None and "broken" in detail.text
    assert detail.html is None
    assert detail.structure.content_type == "text/plain"
    assert detail.structure.charset == "x-no-such-charset"
    assert any(name == "Subject" for name, _ in detail.headers)
