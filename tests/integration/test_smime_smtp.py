"""Signed and encrypted messages through a real SMTP server, verified with openssl."""

from __future__ import annotations

import email
import email.policy
import shutil
import smtplib
import socket
import subprocess
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from mailtui.config.model import SecretRef, SmimeSettings
from mailtui.errors import MessageBuildError
from mailtui.mail.smime import load_signer, protect, protect_with_settings
from tests.support.pki import Authority

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl"),
]

SUBJECT = "Prêt prolongé — dossier « 2024-17 » ✓"
TEXT = (
    "Bonjour Bob,\n"
    "From the records office: your loan was extended.\n"
    ".\n"
    "Ligne accentuée : déjà vu, π ≈ 3.14\n"
)
HTML = "<p>Bonjour Bob,</p>\n<p>From the records office: prêt prolongé.</p>\n"


class Recorder:
    """aiosmtpd handler keeping the raw bytes of every message received."""

    def __init__(self) -> None:
        self.received: list[tuple[str, list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope) -> str:  # type: ignore[no-untyped-def]
        raw = envelope.original_content or envelope.content
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), bytes(raw)))
        return "250 2.0.0 stored"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp_server() -> Iterator[tuple[Recorder, int]]:
    handler = Recorder()
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, ready_timeout=10)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


def send(port: int, sender: str, recipients: list[str], data: bytes) -> None:
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
        client.ehlo("mailtui-tests")
        client.sendmail(sender, recipients, data)


def openssl(*args: str | Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        ["openssl", *map(str, args)], capture_output=True, timeout=30, check=False
    )


def message(to: list[str]) -> EmailMessage:
    m = EmailMessage()
    m["From"] = "Records <sender@example.org>"
    m["To"] = ", ".join(to)
    m["Subject"] = SUBJECT
    m["Date"] = "Tue, 03 Mar 2026 09:30:00 +0100"
    m["Message-ID"] = "<loan-17@records.example.org>"
    m["Auto-Submitted"] = "auto-generated"
    m.set_content(TEXT, cte="8bit")
    m.add_alternative(HTML, subtype="html", cte="8bit")
    return m


@pytest.fixture
def pki(tmp_path: Path, test_ca: Authority) -> dict[str, Path]:
    paths = {"ca": test_ca.write_ca(tmp_path / "ca.pem")}
    sender = test_ca.issue_smime("sender@example.org", common_name="Records")
    paths["p12"] = tmp_path / "sender.p12"
    paths["p12"].write_bytes(sender.p12("p12-secret"))
    paths["sender.pem"], paths["sender.key"] = sender.write(tmp_path, "sender")
    rdir = tmp_path / "recipients"
    for who in ("bob@example.org", "alice@example.org"):
        paths[f"{who}.pem"], paths[f"{who}.key"] = test_ca.issue_smime(who).write(rdir, who)
    paths["recipients"] = rdir
    return paths


def settings(pki: dict[str, Path], encrypt: str) -> SmimeSettings:
    return SmimeSettings(
        certificate=pki["p12"],
        password=SecretRef("smime.password", value="p12-secret"),
        encrypt=encrypt,  # type: ignore[arg-type]
        recipients=pki["recipients"],
    )


def verified_content(pki: dict[str, Path], path: Path, tool: str) -> EmailMessage:
    out = path.with_suffix(f".{tool}.out")
    res = openssl(tool, "-verify", "-CAfile", pki["ca"], "-in", path, "-out", out)
    assert res.returncode == 0, res.stderr.decode()
    assert b"Verification successful" in res.stderr
    return email.message_from_bytes(out.read_bytes(), policy=email.policy.default)  # type: ignore[return-value]


def assert_body(entity: EmailMessage) -> None:
    plain, html = entity.get_body(("plain",)), entity.get_body(("html",))
    assert plain is not None and html is not None
    assert plain.get_content().replace("\r\n", "\n") == TEXT
    assert html.get_content().replace("\r\n", "\n") == HTML


def test_signed_message_through_smtp_verifies(
    smtp_server: tuple[Recorder, int], pki: dict[str, Path], tmp_path: Path
) -> None:
    recorder, port = smtp_server
    result = protect_with_settings(message(["bob@example.org"]), settings(pki, "never"))
    assert result.summary == "signed (SHA-256, CN=Records)"
    send(port, "sender@example.org", ["bob@example.org"], result.data)

    assert len(recorder.received) == 1
    _, rcpts, raw = recorder.received[0]
    assert rcpts == ["bob@example.org"]
    assert raw == result.data  # not a byte changed on the way (dot-stuffing undone, CRLF kept)
    received = tmp_path / "received.eml"
    received.write_bytes(raw)
    for tool in ("smime", "cms"):
        assert_body(verified_content(pki, received, tool))
    outer = email.message_from_bytes(raw, policy=email.policy.default)
    assert outer["Subject"] == SUBJECT
    assert b"\r\n=46rom the records office" in raw


def test_signed_and_encrypted_through_smtp(
    smtp_server: tuple[Recorder, int], pki: dict[str, Path], tmp_path: Path
) -> None:
    recorder, port = smtp_server
    to = ["bob@example.org", "alice@example.org"]
    result = protect_with_settings(message(to), settings(pki, "always"))
    assert result.summary == "signed + encrypted (AES-256-CBC, 2 recipients)"
    send(port, "sender@example.org", to, result.data)
    raw = recorder.received[0][2]
    assert raw == result.data
    received = tmp_path / "received.eml"
    received.write_bytes(raw)

    printed = openssl("cms", "-cmsout", "-print", "-in", received)
    assert printed.returncode == 0, printed.stderr.decode()
    assert b"aes-256-cbc" in printed.stdout
    assert printed.stdout.count(b"d.ktri") == 3  # bob, alice and the sender

    readers = [(pki[f"{w}.pem"], pki[f"{w}.key"]) for w in to]
    readers.append((pki["sender.pem"], pki["sender.key"]))
    for i, (cert, key) in enumerate(readers):
        decrypted = tmp_path / f"decrypted-{i}.eml"
        res = openssl("cms", "-decrypt", "-recip", cert, "-inkey", key,
                      "-in", received, "-out", decrypted)
        assert res.returncode == 0, res.stderr.decode()
        assert_body(verified_content(pki, decrypted, "smime"))
    outer = email.message_from_bytes(raw, policy=email.policy.default)
    assert outer["Subject"] == SUBJECT  # envelope headers stay readable
    assert b"records office" not in raw  # the body does not


def test_pem_signer_through_smtp(
    smtp_server: tuple[Recorder, int], pki: dict[str, Path], tmp_path: Path
) -> None:
    recorder, port = smtp_server
    signer = load_signer(SmimeSettings(certificate=pki["sender.pem"]))
    result = protect(message(["bob@example.org"]), signer=signer)
    send(port, "sender@example.org", ["bob@example.org"], result.data)
    received = tmp_path / "pem.eml"
    received.write_bytes(recorder.received[0][2])
    assert_body(verified_content(pki, received, "cms"))


def test_always_with_unknown_recipient_sends_nothing(
    smtp_server: tuple[Recorder, int], pki: dict[str, Path]
) -> None:
    recorder, _ = smtp_server
    with pytest.raises(MessageBuildError) as info:
        protect_with_settings(
            message(["bob@example.org", "zoe@example.org"]), settings(pki, "always")
        )
    assert info.value.exit_code == 30
    assert "zoe@example.org" in str(info.value)
    assert recorder.received == []
