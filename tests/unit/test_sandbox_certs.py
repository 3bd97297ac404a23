"""The sandbox's CA and server certificate: where they live, their modes, their renewal."""

from __future__ import annotations

import ipaddress
import stat
from pathlib import Path

import pytest
from cryptography import x509

from mailtui.sandbox import certs
from mailtui.sandbox.certs import ensure_sandbox_certs, sandbox_ca_path, sandbox_dir


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_default_location_is_the_user_data_dir(tmp_path: Path) -> None:
    # conftest points XDG_DATA_HOME at a temporary home
    assert sandbox_dir().parts[-2:] == ("mailtui", "sandbox")
    assert sandbox_ca_path() == sandbox_dir() / "ca.pem"
    made = ensure_sandbox_certs()
    assert made.ca_file == sandbox_ca_path()
    assert made.ca_file.exists()


def test_files_are_private(tmp_path: Path) -> None:
    made = ensure_sandbox_certs(tmp_path / "sb")
    assert _mode(tmp_path / "sb") == 0o700
    for path in (made.ca_file, made.cert_file, made.key_file):
        assert _mode(path) == 0o600, path
    assert sorted(p.name for p in (tmp_path / "sb").iterdir()) == [
        "ca.pem",
        "server.key",
        "server.pem",
    ]  # no temporary files left behind, and no CA key


def test_existing_certificates_are_reused(tmp_path: Path) -> None:
    first = ensure_sandbox_certs(tmp_path)
    before = first.cert_file.read_bytes(), first.ca_file.read_bytes()
    second = ensure_sandbox_certs(tmp_path)
    assert (second.cert_file.read_bytes(), second.ca_file.read_bytes()) == before


@pytest.mark.parametrize("missing", ["ca.pem", "server.pem", "server.key"])
def test_regenerated_when_a_file_is_missing(tmp_path: Path, missing: str) -> None:
    first = ensure_sandbox_certs(tmp_path)
    old_ca = first.ca_file.read_bytes()
    (tmp_path / missing).unlink()
    second = ensure_sandbox_certs(tmp_path)
    assert (tmp_path / missing).exists()
    assert second.ca_file.read_bytes() != old_ca
    _assert_chain(second)


def test_regenerated_when_corrupt(tmp_path: Path) -> None:
    first = ensure_sandbox_certs(tmp_path)
    first.cert_file.write_bytes(b"not a certificate")
    _assert_chain(ensure_sandbox_certs(tmp_path))


def test_regenerated_when_expiring(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = ensure_sandbox_certs(tmp_path)
    old = first.cert_file.read_bytes()
    monkeypatch.setattr(certs, "RENEW_BEFORE", certs.VALIDITY * 2)  # everything is "expiring"
    assert ensure_sandbox_certs(tmp_path).cert_file.read_bytes() != old


def test_regenerated_when_key_does_not_match(tmp_path: Path) -> None:
    first = ensure_sandbox_certs(tmp_path)
    other = ensure_sandbox_certs(tmp_path / "other")
    first.key_file.write_bytes(other.key_file.read_bytes())
    _assert_chain(ensure_sandbox_certs(tmp_path))


def _assert_chain(made: certs.SandboxCerts) -> None:
    from cryptography.hazmat.primitives import serialization

    ca = x509.load_pem_x509_certificate(made.ca_file.read_bytes())
    server = x509.load_pem_x509_certificates(made.cert_file.read_bytes())[0]
    server.verify_directly_issued_by(ca)
    key = serialization.load_pem_private_key(made.key_file.read_bytes(), None)
    spki = serialization.PublicFormat.SubjectPublicKeyInfo
    der = serialization.Encoding.DER
    assert key.public_key().public_bytes(der, spki) == server.public_key().public_bytes(der, spki)


def test_server_certificate_names_and_usage(tmp_path: Path) -> None:
    made = ensure_sandbox_certs(tmp_path)
    server = x509.load_pem_x509_certificates(made.cert_file.read_bytes())[0]
    san = server.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.DNSName) == ["localhost"]
    assert set(san.get_values_for_type(x509.IPAddress)) == {
        ipaddress.ip_address("127.0.0.1"),
        ipaddress.ip_address("::1"),
    }
    assert not server.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    ca = x509.load_pem_x509_certificate(made.ca_file.read_bytes())
    constraints = ca.extensions.get_extension_for_class(x509.NameConstraints)
    assert constraints.critical  # the CA can only vouch for loopback names
    _assert_chain(made)
