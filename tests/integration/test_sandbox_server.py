"""The sandbox server against plain smtplib clients that trust only the sandbox CA."""

from __future__ import annotations

import base64
import smtplib
import socket
import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest

from mailtui.sandbox import Arrival, Sandbox, SandboxError, sandbox_settings
from mailtui.sandbox.certs import client_context
from mailtui.sandbox.server import SANDBOX_PASSWORD, SANDBOX_USERNAME

pytestmark = pytest.mark.integration

TIMEOUT = 5
MESSAGE = (
    b"From: Sender <sender@example.org>\r\n"
    b"To: recipient@example.org\r\n"
    b"Subject: sandbox test\r\n"
    b"\r\n"
    b"hello from the test\r\n"
)


@pytest.fixture
def arrivals() -> list[Arrival]:
    return []


@pytest.fixture
def sandbox(tmp_path: Path, arrivals: list[Arrival]) -> Iterator[Sandbox]:
    with Sandbox(
        port=0,
        tls_port=0,
        data_dir=tmp_path / "data",
        maildir=tmp_path / "maildir",
        on_arrival=arrivals.append,
    ) as sb:
        yield sb


def _starttls(sb: Sandbox) -> smtplib.SMTP:
    client = smtplib.SMTP(sb.host, sb.port, timeout=TIMEOUT)
    client.ehlo("client.test")
    client.starttls(context=client_context(sb.ca_file))
    client.ehlo("client.test")
    return client


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


@pytest.mark.parametrize("mechanism", ["PLAIN", "LOGIN"])
def test_starttls_auth_and_delivery(
    sandbox: Sandbox, arrivals: list[Arrival], mechanism: str
) -> None:
    with _starttls(sandbox) as client:
        assert client.sock is not None and isinstance(client.sock, ssl.SSLSocket)
        assert mechanism in client.esmtp_features["auth"].split()
        client.user, client.password = SANDBOX_USERNAME, SANDBOX_PASSWORD
        code, _ = client.auth(mechanism, getattr(client, f"auth_{mechanism.lower()}"))
        assert code == 235
        refused = client.sendmail("sender@example.org", ["recipient@example.org"], MESSAGE)
        assert refused == {}

    [stored] = sandbox.messages()
    assert stored.mail_from == "sender@example.org"
    assert stored.rcpt_tos == ("recipient@example.org",)
    assert stored.subject == "sandbox test"
    assert stored.tls and stored.tls.startswith("TLS")
    assert stored.auth_user == "sandbox"
    assert stored.session["listener"] == "starttls"
    assert stored.size == len(MESSAGE)
    assert stored.message().get_content().strip() == "hello from the test"
    assert (sandbox.maildir / "new" / stored.path.name).exists()

    [arrival] = arrivals
    line = arrival.line()
    assert "sender@example.org" in line and "recipient@example.org" in line
    assert "sandbox test" in line and "TLS yes" in line and "auth sandbox" in line


def test_data_reply_names_the_stored_message(sandbox: Sandbox) -> None:
    with _starttls(sandbox) as client:
        client.login(SANDBOX_USERNAME, SANDBOX_PASSWORD)
        client.mail("sender@example.org")
        client.rcpt("recipient@example.org")
        code, reply = client.data(MESSAGE)
    assert code == 250
    assert b"--show 1" in reply


@pytest.mark.parametrize("mechanism", ["PLAIN", "LOGIN"])
def test_wrong_password_is_535_without_hanging(sandbox: Sandbox, mechanism: str) -> None:
    with _starttls(sandbox) as client:
        if mechanism == "PLAIN":
            code, reply = client.docmd("AUTH", "PLAIN " + _b64(b"\0sandbox\0wrong"))
        else:
            assert client.docmd("AUTH", "LOGIN")[0] == 334
            assert client.docmd(_b64(b"sandbox"))[0] == 334
            code, reply = client.docmd(_b64(b"wrong"))
        assert code == 535, reply
        assert b"5.7.8" in reply
        # the session is still usable and not authenticated
        assert client.docmd("MAIL", "FROM:<sender@example.org>")[0] == 530
    assert sandbox.messages() == []


def test_wrong_username_is_refused(sandbox: Sandbox) -> None:
    with _starttls(sandbox) as client, pytest.raises(smtplib.SMTPAuthenticationError) as err:
        client.login("admin", SANDBOX_PASSWORD)
    assert err.value.smtp_code == 535


def test_auth_not_offered_before_starttls(sandbox: Sandbox) -> None:
    with smtplib.SMTP(sandbox.host, sandbox.port, timeout=TIMEOUT) as client:
        client.ehlo("client.test")
        assert client.has_extn("starttls")
        assert not client.has_extn("auth")
        payload = _b64(f"\0{SANDBOX_USERNAME}\0{SANDBOX_PASSWORD}".encode())
        assert client.docmd("AUTH", "PLAIN " + payload)[0] == 530
        assert client.docmd("MAIL", "FROM:<sender@example.org>")[0] == 530
    assert sandbox.messages() == []


def test_mail_requires_auth_after_starttls(sandbox: Sandbox) -> None:
    with _starttls(sandbox) as client:
        code, reply = client.docmd("MAIL", "FROM:<sender@example.org>")
    assert code == 530
    assert b"Authentication required" in reply


def test_implicit_tls_listener_offers_auth_and_accepts_mail(sandbox: Sandbox) -> None:
    context = client_context(sandbox.ca_file)
    with smtplib.SMTP_SSL(
        sandbox.host, sandbox.tls_port, timeout=TIMEOUT, context=context
    ) as client:
        client.ehlo("client.test")
        assert client.has_extn("auth")
        assert {"PLAIN", "LOGIN"} <= set(client.esmtp_features["auth"].split())
        assert not client.has_extn("starttls")
        client.login(SANDBOX_USERNAME, SANDBOX_PASSWORD)
        client.sendmail("sender@example.org", ["a@example.org", "b@example.org"], MESSAGE)
    [stored] = sandbox.messages()
    assert stored.rcpt_tos == ("a@example.org", "b@example.org")
    assert stored.session["listener"] == "implicit-tls"
    assert stored.tls is not None and stored.auth_user == "sandbox"


def test_certificate_is_not_trusted_by_the_system_store(sandbox: Sandbox) -> None:
    system = ssl.create_default_context()
    with pytest.raises(ssl.SSLCertVerificationError):
        smtplib.SMTP_SSL(sandbox.host, sandbox.tls_port, timeout=TIMEOUT, context=system)
    with (
        smtplib.SMTP(sandbox.host, sandbox.port, timeout=TIMEOUT) as client,
        pytest.raises(ssl.SSLCertVerificationError),
    ):
        client.ehlo("client.test")
        client.starttls(context=system)


@pytest.mark.parametrize("name", ["localhost", "127.0.0.1"])
def test_certificate_matches_loopback_names(sandbox: Sandbox, name: str) -> None:
    context = client_context(sandbox.ca_file)
    with (
        socket.create_connection((sandbox.host, sandbox.tls_port), timeout=TIMEOUT) as raw,
        context.wrap_socket(raw, server_hostname=name) as tls,
    ):
        assert tls.version() in ("TLSv1.2", "TLSv1.3")
        assert tls.recv(1024).startswith(b"220 ")


def test_certificate_does_not_match_other_names(sandbox: Sandbox) -> None:
    context = client_context(sandbox.ca_file)
    with (
        socket.create_connection((sandbox.host, sandbox.tls_port), timeout=TIMEOUT) as raw,
        pytest.raises(ssl.SSLCertVerificationError),
    ):
        context.wrap_socket(raw, server_hostname="smtp.example.org")


def test_settings_point_at_the_running_sandbox(sandbox: Sandbox) -> None:
    settings = sandbox_settings(sandbox)
    props = settings.server.properties
    assert settings.server.enabled is True
    assert settings.server.username == "sandbox"
    assert settings.server.password.resolve() == SANDBOX_PASSWORD
    assert props["mail.smtp.host"] == sandbox.host
    assert props["mail.smtp.port"] == str(sandbox.port)
    assert props["mail.smtp.starttls.required"] == "true"
    assert props["mailtui.ssl.cafile"] == str(sandbox.ca_file)
    implicit = sandbox_settings(sandbox, implicit_tls=True).server.properties
    assert implicit["mail.smtp.port"] == str(sandbox.tls_port)
    assert implicit["mail.smtp.ssl.enable"] == "true"
    assert "mail.smtp.starttls.enable" not in implicit

    # the settings really work: connect the way they describe
    context = ssl.create_default_context(cafile=props["mailtui.ssl.cafile"])
    with smtplib.SMTP(props["mail.smtp.host"], int(props["mail.smtp.port"]), timeout=5) as c:
        c.starttls(context=context)
        c.login(settings.server.username, settings.server.password.resolve() or "")


def test_control_characters_never_reach_the_arrival_line(
    sandbox: Sandbox, arrivals: list[Arrival]
) -> None:
    nasty = b"Subject: \x1b[31mred\x1b[0m\x07\r\n\r\nbody\r\n"
    with _starttls(sandbox) as client:
        client.login(SANDBOX_USERNAME, SANDBOX_PASSWORD)
        client.sendmail("sender@example.org", ["recipient@example.org"], nasty)
    [arrival] = arrivals
    assert "\x1b" not in arrival.line() and "\x07" not in arrival.line()
    assert "red" in arrival.line()


def test_stop_closes_open_connections(tmp_path: Path) -> None:
    sb = Sandbox(port=0, tls_port=0, data_dir=tmp_path / "data", maildir=tmp_path / "md")
    with sb:
        client = smtplib.SMTP(sb.host, sb.port, timeout=TIMEOUT)
        client.ehlo("client.test")
        port = sb.port
    assert not sb.running
    with pytest.raises((smtplib.SMTPServerDisconnected, OSError)):
        client.noop()
    client.close()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT).close()


def test_port_in_use_is_a_clear_error(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        sb = Sandbox(port=0, tls_port=port, data_dir=tmp_path / "data", maildir=tmp_path / "md")
        with pytest.raises(SandboxError) as err:
            sb.start()
    assert str(port) in err.value.message
    assert "--tls-port" in (err.value.hint or "")
    assert not sb.running


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.0.2.10", "example.org", ""])
def test_refuses_non_loopback_addresses(host: str) -> None:
    with pytest.raises(SandboxError) as err:
        Sandbox(host=host, port=0, tls_port=0)
    assert "loopback" in err.value.message
