"""Signing and encrypting messages, checked with the openssl command line."""

from __future__ import annotations

import email
import email.policy
import re
import shutil
import subprocess
from email.message import EmailMessage
from pathlib import Path

import pytest

from mailtui.config.model import SecretRef, SmimeSettings
from mailtui.errors import EXIT_MESSAGE_BUILD, MessageBuildError
from mailtui.mail.smime import (
    ProtectedMessage,
    Signer,
    load_signer,
    protect,
    protect_with_settings,
)
from mailtui.mail.smime_mime import body_entity, envelope_headers
from tests.support.pki import Authority

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl")

SUBJECT = "Tâche assignée ✓ — Résumé"
TEXT = "Hello Bob,\nFrom now on this line starts with From.\nπ ≈ 3.14, trailing space \n"
HTML = "<p>Hello <b>Bob</b>, π ≈ 3.14</p>\n"


def openssl(*args: str | Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        ["openssl", *map(str, args)], capture_output=True, timeout=30, check=False
    )


def make_message(to: str = "bob@example.org", cc: str | None = None) -> EmailMessage:
    m = EmailMessage()
    m["From"] = "Records <sender@example.org>"
    m["To"] = to
    if cc:
        m["Cc"] = cc
    m["Bcc"] = "hidden@example.org"
    m["Subject"] = SUBJECT
    m["Date"] = "Mon, 02 Mar 2026 10:00:00 +0000"
    m["Message-ID"] = "<1234@example.org>"
    m["Auto-Submitted"] = "auto-generated"
    m["X-Auto-Response-Suppress"] = "All"
    m.set_content(TEXT, cte="8bit")
    m.add_alternative(HTML, subtype="html", cte="8bit")
    return m


class Pki:
    def __init__(self, root: Path, ca: Authority) -> None:
        self.root = root
        self.ca_file = ca.write_ca(root / "ca.pem")
        self.sender = ca.issue_smime("sender@example.org", common_name="Records sender")
        self.sender_cert, self.sender_key = self.sender.write(root, "sender")
        self.p12 = root / "sender.p12"
        self.p12.write_bytes(self.sender.p12("pw"))
        self.rdir = root / "recipients"
        self.bob = ca.issue_smime("bob@example.org")
        self.carol = ca.issue_smime("carol@example.org")
        self.bob.write(self.rdir, "bob@example.org")
        self.carol.write(self.rdir, "carol@example.org")

    def settings(self, encrypt: str = "never") -> SmimeSettings:
        return SmimeSettings(
            certificate=self.p12,
            password=SecretRef("smime.password", value="pw"),
            encrypt=encrypt,  # type: ignore[arg-type]
            recipients=self.rdir,
        )

    def signer(self) -> Signer:
        return load_signer(self.settings())

    def key_pair(self, who: str) -> tuple[Path, Path]:
        return self.rdir / f"{who}.pem", self.rdir / f"{who}.key"


@pytest.fixture
def pki(tmp_path: Path, test_ca: Authority) -> Pki:
    return Pki(tmp_path, test_ca)


def verify(pki: Pki, data: bytes, tmp_path: Path, tool: str = "smime") -> EmailMessage:
    """openssl-verify ``data``; return the signed content, parsed."""
    src, out = tmp_path / "in.eml", tmp_path / "verified.eml"
    src.write_bytes(data)
    res = openssl(tool, "-verify", "-CAfile", pki.ca_file, "-in", src, "-out", out)
    assert res.returncode == 0, res.stderr.decode()
    return email.message_from_bytes(out.read_bytes(), policy=email.policy.default)  # type: ignore[return-value]


def decrypt(data: bytes, cert: Path, key: Path, tmp_path: Path) -> bytes:
    src, out = tmp_path / "enc.eml", tmp_path / "dec.eml"
    src.write_bytes(data)
    res = openssl("cms", "-decrypt", "-recip", cert, "-inkey", key, "-in", src, "-out", out)
    assert res.returncode == 0, res.stderr.decode()
    return out.read_bytes()


def texts(entity: EmailMessage) -> tuple[str, str]:
    plain = entity.get_body(("plain",))
    html = entity.get_body(("html",))
    assert plain is not None and html is not None
    # line ends are CRLF on the wire; compare the text itself
    return (plain.get_content().replace("\r\n", "\n"),
            html.get_content().replace("\r\n", "\n"))


# ------------------------------------------------------------------ MIME canonical form


def test_body_entity_is_7bit_crlf_and_keeps_from_lines() -> None:
    entity = body_entity(make_message())
    assert entity.isascii()
    assert b"\n" not in entity.replace(b"\r\n", b"")
    assert b"\r" not in entity.replace(b"\r\n", b"")
    assert not re.search(rb"(^|\r\n)From ", entity)
    assert b"\r\n=46rom now on" in entity
    assert b"Content-Transfer-Encoding: 8bit" not in entity
    assert all(len(line) <= 78 for line in entity.split(b"\r\n"))
    parsed = email.message_from_bytes(entity, policy=email.policy.default)
    plain, html = texts(parsed)  # type: ignore[arg-type]
    assert plain == TEXT and html == HTML


def test_plain_ascii_stays_7bit() -> None:
    m = EmailMessage()
    m.set_content("Just ASCII.\nSecond line.\n")
    entity = body_entity(m)
    assert b"Content-Transfer-Encoding: 7bit\r\n\r\nJust ASCII.\r\nSecond line.\r\n" in entity


def test_long_lines_are_wrapped_and_survive(pki: Pki, tmp_path: Path) -> None:
    m = EmailMessage()
    m["Subject"] = "long"
    body = "x" * 2500 + "\n" + "From the start\n"
    m.set_content(body, cte="7bit")
    result = protect(m, signer=pki.signer())
    assert max(len(line) for line in result.data.split(b"\r\n")) <= 78
    inner = verify(pki, result.data, tmp_path)
    assert inner.get_content().replace("\r\n", "\n") == body


def test_attachment_is_base64() -> None:
    m = make_message()
    m.add_attachment(bytes(range(256)), maintype="application", subtype="octet-stream",
                     filename="blob.bin")
    entity = body_entity(m)
    parsed = email.message_from_bytes(entity, policy=email.policy.default)
    attachment = next(parsed.iter_attachments())  # type: ignore[attr-defined]
    assert attachment["Content-Transfer-Encoding"] == "base64"
    assert attachment.get_content() == bytes(range(256))


def test_envelope_headers_stay_outside() -> None:
    names = [n.lower() for n, _ in envelope_headers(make_message())]
    assert names == ["from", "to", "subject", "date", "message-id", "auto-submitted",
                     "x-auto-response-suppress"]


# ------------------------------------------------------------------ signing


def test_signed_message_verifies_with_openssl(pki: Pki, tmp_path: Path) -> None:
    result = protect(make_message(), signer=pki.signer())
    assert result.signed and not result.encrypted
    assert result.summary == "signed (SHA-256, CN=Records sender)"
    assert result.data.isascii() and result.data.endswith(b"\r\n")
    assert b"\n" not in result.data.replace(b"\r\n", b"")
    assert b"hidden@example.org" not in result.data  # Bcc never goes out
    outer = email.message_from_bytes(result.data, policy=email.policy.default)
    assert outer["Subject"] == SUBJECT
    assert outer.get_content_type() == "multipart/signed"
    assert outer.get_param("protocol") == "application/pkcs7-signature"
    assert outer.get_param("micalg") == "sha-256"
    assert b"micalg=sha-256;" in result.data
    for tool in ("smime", "cms"):
        inner = verify(pki, result.data, tmp_path, tool)
        assert texts(inner) == (TEXT, HTML)


def test_signature_carries_the_chain(pki: Pki, tmp_path: Path) -> None:
    # Verify with only the CA as trust anchor and no -certfile: the signer certificate
    # must come from the signature itself.
    src = tmp_path / "s.eml"
    src.write_bytes(protect(make_message(), signer=pki.signer()).data)
    certs = tmp_path / "signers.pem"
    res = openssl("smime", "-verify", "-CAfile", pki.ca_file, "-in", src, "-out", "/dev/null",
                  "-signer", certs)
    assert res.returncode == 0, res.stderr.decode()
    assert certs.read_bytes().strip() == pki.sender.cert_pem().strip()


def test_tampered_body_fails_verification(pki: Pki, tmp_path: Path) -> None:
    data = protect(make_message(), signer=pki.signer()).data
    tampered = data.replace(b"Hello Bob", b"Hello Rob", 1)
    assert tampered != data
    src = tmp_path / "t.eml"
    src.write_bytes(tampered)
    res = openssl("smime", "-verify", "-CAfile", pki.ca_file, "-in", src, "-out", "/dev/null")
    assert res.returncode != 0


def test_ec_signer(pki: Pki, tmp_path: Path, test_ca: Authority) -> None:
    ec = test_ca.issue_smime("sender@example.org", key_kind="ec")
    signer = Signer(ec.cert, ec.key, (test_ca.cert,))  # type: ignore[arg-type]
    inner = verify(pki, protect(make_message(), signer=signer).data, tmp_path)
    assert texts(inner) == (TEXT, HTML)
    # an EC sender cannot be an encryption recipient: said in the note, still encrypted for Bob
    result = protect(make_message(), signer=signer, encrypt_for=[pki.bob.cert])
    assert result.encrypted and not result.encrypted_to_sender
    assert result.note and "not RSA" in result.note


def test_unsigned_passthrough() -> None:
    result = protect(make_message(), signer=None)
    assert not result.signed and not result.encrypted and result.summary == "not signed"
    parsed = email.message_from_bytes(result.data, policy=email.policy.default)
    assert texts(parsed) == (TEXT, HTML)  # type: ignore[arg-type]


# ------------------------------------------------------------------ encryption


def _check_encrypted(pki: Pki, result: ProtectedMessage, tmp_path: Path, who: list[str]) -> None:
    assert result.encrypted and result.signed
    outer = email.message_from_bytes(result.data, policy=email.policy.default)
    assert outer.get_content_type() == "application/pkcs7-mime"
    assert outer.get_param("smime-type") == "enveloped-data"
    assert outer["Subject"] == SUBJECT
    src = tmp_path / "enc.eml"
    src.write_bytes(result.data)
    printed = openssl("cms", "-cmsout", "-print", "-in", src)
    assert printed.returncode == 0
    assert b"aes-256-cbc" in printed.stdout
    for name in who:
        cert, key = pki.key_pair(name)
        inner = decrypt(result.data, cert, key, tmp_path)
        assert texts(verify(pki, inner, tmp_path)) == (TEXT, HTML)
    # the sender can read its own copy
    inner = decrypt(result.data, pki.sender_cert, pki.sender_key, tmp_path)
    assert texts(verify(pki, inner, tmp_path)) == (TEXT, HTML)


def test_sign_then_encrypt_for_recipients_and_sender(pki: Pki, tmp_path: Path) -> None:
    result = protect(
        make_message(), signer=pki.signer(), encrypt_for=[pki.bob.cert, pki.carol.cert]
    )
    assert result.summary == "signed + encrypted (AES-256-CBC, 2 recipients)"
    assert result.recipients == ("bob@example.org", "carol@example.org")
    assert result.encrypted_to_sender
    _check_encrypted(pki, result, tmp_path, ["bob@example.org", "carol@example.org"])


def test_a_stranger_cannot_decrypt(pki: Pki, tmp_path: Path, test_ca: Authority) -> None:
    result = protect(make_message(), signer=pki.signer(), encrypt_for=[pki.bob.cert])
    eve_cert, eve_key = test_ca.issue_smime("eve@example.org").write(tmp_path, "eve")
    src = tmp_path / "enc.eml"
    src.write_bytes(result.data)
    res = openssl("cms", "-decrypt", "-recip", eve_cert, "-inkey", eve_key, "-in", src,
                  "-out", tmp_path / "x")
    assert res.returncode != 0


def test_settings_always_encrypts(pki: Pki, tmp_path: Path) -> None:
    message = make_message(to="Bob <bob@example.org>", cc="carol@example.org")
    result = protect_with_settings(message, pki.settings("always"),
                                   ["bob@example.org", "carol@example.org"])
    _check_encrypted(pki, result, tmp_path, ["bob@example.org", "carol@example.org"])


def test_settings_always_refuses_a_recipient_without_certificate(pki: Pki) -> None:
    with pytest.raises(MessageBuildError) as info:
        protect_with_settings(
            make_message(), pki.settings("always"), ["bob@example.org", "dave@example.org"]
        )
    assert info.value.exit_code == EXIT_MESSAGE_BUILD == 30
    assert "dave@example.org" in info.value.message
    assert "bob@example.org" not in info.value.message
    assert str(pki.rdir) in info.value.message


def test_settings_recipients_default_to_to_cc_bcc(pki: Pki) -> None:
    # make_message() has Bcc: hidden@example.org, for whom there is no certificate
    with pytest.raises(MessageBuildError) as info:
        protect_with_settings(make_message(), pki.settings("always"))
    assert "hidden@example.org" in info.value.message


def test_settings_when_possible(pki: Pki, tmp_path: Path) -> None:
    s = pki.settings("when-possible")
    full = protect_with_settings(make_message(), s, ["bob@example.org"])
    assert full.encrypted and full.note is None
    partial = protect_with_settings(make_message(), s, ["bob@example.org", "dave@example.org"])
    assert partial.signed and not partial.encrypted
    assert partial.note == "not encrypted: no certificate for dave@example.org"
    assert partial.summary.startswith("signed (SHA-256, CN=Records sender); not encrypted")
    assert texts(verify(pki, partial.data, tmp_path)) == (TEXT, HTML)
    assert partial.to_json()["note"] == partial.note


def test_settings_never_only_signs(pki: Pki, tmp_path: Path) -> None:
    result = protect_with_settings(make_message(), pki.settings("never"), ["bob@example.org"])
    assert result.signed and not result.encrypted
    verify(pki, result.data, tmp_path)


def test_settings_without_certificate_send_plain() -> None:
    result = protect_with_settings(make_message(), SmimeSettings(), ["bob@example.org"])
    assert not result.signed and not result.encrypted


def test_signer_reused_across_a_batch(pki: Pki, tmp_path: Path) -> None:
    signer = pki.signer()
    s = pki.settings("when-possible")
    for to in ("bob@example.org", "carol@example.org"):
        result = protect_with_settings(make_message(to=to), s, [to], signer=signer)
        _check_encrypted(pki, result, tmp_path, [to])
