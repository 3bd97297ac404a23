"""Loading the S/MIME signer (PKCS#12 / PEM), its summary and its warnings."""

from __future__ import annotations

import datetime as dt
import os
import re
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from mailtui.config.model import SecretRef, SmimeSettings
from mailtui.errors import EXIT_CONFIG, ConfigError
from mailtui.mail.smime_cert import (
    certificate_warnings,
    describe_certificate,
    describe_signer,
    load_signer,
)
from tests.support.pki import Authority, Issued, self_signed_server

NOW = dt.datetime.now(dt.UTC)


def settings(path: Path, password: str | None = None, **ref: str) -> SmimeSettings:
    return SmimeSettings(
        certificate=path, password=SecretRef("smime.password", value=password, **ref)
    )


@pytest.fixture(scope="module")
def sender(test_ca: Authority) -> Issued:
    return test_ca.issue_smime("notifications@example.org", common_name="Records")


def load_error(s: SmimeSettings) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        load_signer(s)
    assert info.value.exit_code == EXIT_CONFIG
    return info.value


# ------------------------------------------------------------------ good inputs


def test_p12_with_password(tmp_path: Path, sender: Issued, test_ca: Authority) -> None:
    path = tmp_path / "sender.p12"
    path.write_bytes(sender.p12("s3cret"))
    signer = load_signer(settings(path, "s3cret"))
    assert signer.cert == sender.cert
    assert signer.chain == (test_ca.cert,)
    assert signer.format == "PKCS#12"
    assert "s3cret" not in repr(signer)


def test_p12_password_from_env_and_command(
    tmp_path: Path, sender: Issued, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "sender.pfx"
    path.write_bytes(sender.p12("from-env"))
    monkeypatch.setenv("SMIME_PW", "from-env")
    assert load_signer(settings(path, env="SMIME_PW")).cert == sender.cert
    command = f"{sys.executable} -c \"print('from-env')\""
    assert load_signer(settings(path, command=command)).cert == sender.cert


def test_p12_without_password(tmp_path: Path, sender: Issued) -> None:
    path = tmp_path / "open.p12"
    path.write_bytes(sender.p12(None))
    assert load_signer(settings(path)).cert == sender.cert
    assert load_signer(settings(path, "not-needed")).cert == sender.cert


def test_pem_with_key_in_the_same_file(tmp_path: Path, sender: Issued) -> None:
    cert_path, key_path = sender.write(tmp_path, "both")
    cert_path.write_bytes(key_path.read_bytes() + cert_path.read_bytes())
    key_path.unlink()
    signer = load_signer(settings(cert_path))
    assert signer.cert == sender.cert and signer.format == "PEM"
    assert len(signer.chain) == 1


def test_pem_with_key_beside_it(tmp_path: Path, sender: Issued, test_ca: Authority) -> None:
    cert_path, _ = sender.write(tmp_path, "sender")  # sender.pem + sender.key
    signer = load_signer(settings(cert_path))
    assert signer.cert == sender.cert
    assert signer.chain == (test_ca.cert,)


def test_pem_encrypted_key_uses_the_password(tmp_path: Path, sender: Issued) -> None:
    cert_path = tmp_path / "enc.pem"
    key = sender.key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"pem-pass"),
    )
    cert_path.write_bytes(sender.cert_pem() + key)
    assert load_signer(settings(cert_path, "pem-pass")).cert == sender.cert
    err = load_error(settings(cert_path, "wrong"))
    assert "wrong password" in err.message and str(cert_path) in str(err)
    err = load_error(settings(cert_path))
    assert "no password is configured" in err.message


# ------------------------------------------------------------------ bad inputs


def test_wrong_p12_password(tmp_path: Path, sender: Issued) -> None:
    path = tmp_path / "sender.p12"
    path.write_bytes(sender.p12("right"))
    err = load_error(settings(path, "Xyzzy-9"))
    assert "wrong password" in err.message
    assert str(path) in str(err)
    assert "Xyzzy-9" not in err.describe()  # the secret is never echoed


def test_p12_needs_a_password(tmp_path: Path, sender: Issued) -> None:
    path = tmp_path / "sender.p12"
    path.write_bytes(sender.p12("right"))
    err = load_error(settings(path))
    assert "no password is configured" in err.message
    assert err.hint and "smime.password_env" in err.hint


@pytest.mark.parametrize(
    "content",
    [b"this is not a certificate\n", os.urandom(600), b"\x30\x03\x02\x01\x01"],
    ids=["text", "random", "other-der"],
)
def test_not_a_pkcs12(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "bogus.p12"
    path.write_bytes(content)
    err = load_error(settings(path, "pw"))
    assert "not a PKCS#12" in err.message and str(path) in str(err)


def test_p12_without_private_key(tmp_path: Path, sender: Issued) -> None:
    path = tmp_path / "cert-only.p12"
    path.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"x", None, sender.cert, None, serialization.BestAvailableEncryption(b"pw")
        )
    )
    err = load_error(settings(path, "pw"))
    assert "no private key" in err.message and str(path) in str(err)


def test_pem_without_key_and_none_beside(tmp_path: Path, sender: Issued) -> None:
    path = tmp_path / "alone.pem"
    path.write_bytes(sender.cert_pem())
    err = load_error(settings(path))
    assert "no private key" in err.message
    assert err.hint and "alone.key" in err.hint


def test_pem_without_certificate(tmp_path: Path, sender: Issued) -> None:
    path = tmp_path / "key-only.pem"
    path.write_bytes(sender.key_pem())
    err = load_error(settings(path))
    assert "no certificate" in err.message


def test_key_does_not_match_certificate(
    tmp_path: Path, sender: Issued, test_ca: Authority
) -> None:
    other = test_ca.issue_smime("other@example.org")
    path = tmp_path / "mixed.pem"
    path.write_bytes(sender.cert_pem() + other.key_pem())
    err = load_error(settings(path))
    assert "does not match" in err.message and str(path) in str(err)
    # same with the key in a file beside the certificate: that file is named
    cert_path, _ = sender.write(tmp_path, "pair")
    (tmp_path / "pair.key").write_bytes(other.key_pem())
    err = load_error(settings(cert_path))
    assert "does not match" in err.message and "pair.key" in str(err)


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.p12"
    err = load_error(settings(path, "pw"))
    assert "not found" in err.message and str(path) in str(err)


def test_directory_instead_of_file(tmp_path: Path) -> None:
    err = load_error(settings(tmp_path, "pw"))
    assert "directory" in err.message


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_unreadable_file(tmp_path: Path, sender: Issued) -> None:
    path = tmp_path / "locked.p12"
    path.write_bytes(sender.p12("pw"))
    path.chmod(0)
    err = load_error(settings(path, "pw"))
    assert "not readable" in err.message


def test_not_configured() -> None:
    err = load_error(SmimeSettings())
    assert "no S/MIME certificate" in err.message


def test_secret_source_failure_is_a_config_error(tmp_path: Path, sender: Issued) -> None:
    path = tmp_path / "sender.p12"
    path.write_bytes(sender.p12("pw"))
    err = load_error(settings(path, env="MAILTUI_TEST_UNSET_VARIABLE"))
    assert "MAILTUI_TEST_UNSET_VARIABLE" in err.message


# ------------------------------------------------------------------ summary and warnings


def test_describe_certificate(sender: Issued, test_ca: Authority) -> None:
    s = describe_certificate(sender.cert, (test_ca.cert,))
    assert s.common_name == "Records"
    assert "CN=Records" in s.subject and "emailAddress=notifications@example.org" in s.subject
    assert s.issuer == "CN=mailtui test CA,O=mailtui tests"
    assert s.emails == ("notifications@example.org",)
    assert s.key_type == "RSA" and s.key_size == 2048 and s.key_description == "RSA 2048"
    assert s.key_usage == ("digitalSignature", "keyEncipherment")
    assert s.extended_key_usage == ("emailProtection",)
    assert s.fingerprint_sha256.replace(":", "") == sender.cert.fingerprint(
        hashes.SHA256()
    ).hex().upper()
    assert s.not_before < NOW < s.not_after
    assert not s.self_signed
    assert s.chain == ("CN=mailtui test CA,O=mailtui tests",)
    data = s.to_json()
    assert data["emails"] == ["notifications@example.org"] and data["key_size"] == 2048


def test_describe_ec_certificate(test_ca: Authority) -> None:
    s = describe_certificate(test_ca.issue_smime("ec@example.org", key_kind="ec").cert)
    assert (s.key_type, s.key_curve, s.key_size) == ("EC", "secp256r1", 256)


def test_good_certificate_has_no_warnings(sender: Issued) -> None:
    summary = describe_certificate(sender.cert)
    assert certificate_warnings(summary, "Records <notifications@example.org>") == []
    assert certificate_warnings(summary, "NOTIFICATIONS@example.org") == []
    assert certificate_warnings(summary, None) == []


def test_warning_sender_mismatch(sender: Issued) -> None:
    warnings = certificate_warnings(describe_certificate(sender.cert), "other@example.org")
    assert len(warnings) == 1
    assert "other@example.org" in warnings[0] and "notifications@example.org" in warnings[0]


def test_warning_expired(test_ca: Authority) -> None:
    cert = test_ca.issue_smime(
        "old@example.org",
        not_before=NOW - dt.timedelta(days=400),
        not_after=NOW - dt.timedelta(days=2),
    ).cert
    warnings = certificate_warnings(describe_certificate(cert), "old@example.org")
    assert len(warnings) == 1 and "expired" in warnings[0]


def test_warning_expiring_soon(test_ca: Authority) -> None:
    cert = test_ca.issue_smime("soon@example.org", not_after=NOW + dt.timedelta(days=10)).cert
    warnings = certificate_warnings(describe_certificate(cert), "soon@example.org")
    assert len(warnings) == 1
    assert re.search(r"expires in (9|10) days", warnings[0])
    later = test_ca.issue_smime("later@example.org", not_after=NOW + dt.timedelta(days=45)).cert
    assert certificate_warnings(describe_certificate(later), "later@example.org") == []


def test_warning_not_yet_valid(test_ca: Authority) -> None:
    cert = test_ca.issue_smime("future@example.org", not_before=NOW + dt.timedelta(days=3)).cert
    warnings = certificate_warnings(describe_certificate(cert), "future@example.org")
    assert len(warnings) == 1 and "not valid before" in warnings[0]


def test_warning_usages(test_ca: Authority) -> None:
    cert = test_ca.issue_smime(
        "u@example.org", digital_signature=False, email_protection=False
    ).cert
    summary = describe_certificate(cert)
    assert summary.extended_key_usage is None  # absent extension: no restriction, no warning
    warnings = certificate_warnings(summary, "u@example.org")
    assert len(warnings) == 1 and "digitalSignature" in warnings[0]


def test_warning_wrong_extended_key_usage(test_ca: Authority) -> None:
    server = test_ca.issue_server(("mail.example.org",))
    warnings = certificate_warnings(describe_certificate(server.cert), None)
    assert any("emailProtection" in w for w in warnings)
    assert any("no email address" in w for w in warnings)


def test_warning_self_signed() -> None:
    summary = describe_certificate(self_signed_server().cert)
    assert summary.self_signed
    assert any("self-signed" in w for w in certificate_warnings(summary, None))


def test_describe_signer(tmp_path: Path, sender: Issued) -> None:
    path = tmp_path / "sender.p12"
    path.write_bytes(sender.p12("pw"))
    summary = describe_signer(load_signer(settings(path, "pw")))
    assert summary.emails == ("notifications@example.org",)
    assert len(summary.chain) == 1
