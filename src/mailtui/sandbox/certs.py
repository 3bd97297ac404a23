"""The sandbox's TLS material: a throw-away CA and a server certificate for loopback.

Files live in ``<user data dir>/sandbox`` (directory 0700, files 0600):
``ca.pem`` (the CA certificate the sandbox preset trusts), ``server.pem`` (server certificate
then CA) and ``server.key``. The CA key is never written: when anything is missing, expired,
about to expire or inconsistent, a new CA and server certificate replace all three files.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import ssl
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from mailtui.config.paths import SANDBOX_CA_NAME, sandbox_dir
from mailtui.config.paths import sandbox_ca_path as sandbox_ca_path  # where it always was
from mailtui.files import atomic_write_private

if TYPE_CHECKING:  # cryptography loads only when certificates are made or checked
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric import ec

CA_NAME = SANDBOX_CA_NAME
CERT_NAME = "server.pem"
KEY_NAME = "server.key"
SERVER_NAMES: tuple[str, ...] = ("localhost", "127.0.0.1", "::1")
VALIDITY = dt.timedelta(days=730)
RENEW_BEFORE = dt.timedelta(days=7)  # regenerate when this close to expiry


@dataclass(frozen=True)
class SandboxCerts:
    """Paths of the sandbox's CA certificate, server certificate chain and server key."""

    ca_file: Path
    cert_file: Path
    key_file: Path


def ensure_sandbox_dir(directory: Path | None = None) -> Path:
    """Create the sandbox data directory (0700) if needed and return it."""
    directory = directory or sandbox_dir()
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(directory, 0o700)
    return directory


def ensure_sandbox_certs(directory: Path | None = None) -> SandboxCerts:
    """Return the sandbox's certificate files, generating them when missing or expiring."""
    directory = ensure_sandbox_dir(directory)
    certs = SandboxCerts(directory / CA_NAME, directory / CERT_NAME, directory / KEY_NAME)
    if not _usable(certs):
        _generate(certs)
    return certs


def server_context(certs: SandboxCerts) -> ssl.SSLContext:
    """The server-side TLS context of both listeners (TLS 1.2 or later)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(certs.cert_file, certs.key_file)
    return context


def client_context(certs: SandboxCerts | Path) -> ssl.SSLContext:
    """A verifying client context that trusts the sandbox CA and nothing else."""
    ca_file = certs.ca_file if isinstance(certs, SandboxCerts) else certs
    context = ssl.create_default_context(cafile=str(ca_file))
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


def _usable(certs: SandboxCerts) -> bool:
    from cryptography import x509
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import serialization

    try:
        ca = x509.load_pem_x509_certificate(certs.ca_file.read_bytes())
        chain = x509.load_pem_x509_certificates(certs.cert_file.read_bytes())
        key = serialization.load_pem_private_key(certs.key_file.read_bytes(), password=None)
    except (OSError, ValueError, TypeError):
        return False
    server = chain[0]
    deadline = dt.datetime.now(dt.UTC) + RENEW_BEFORE
    for cert in (ca, server):
        if cert.not_valid_after_utc <= deadline or cert.not_valid_before_utc > _now():
            return False
    try:
        server.verify_directly_issued_by(ca)
    except (InvalidSignature, ValueError, TypeError):
        return False
    if server.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    ) != key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    ):
        return False
    return _names(server) >= set(SERVER_NAMES)


def _names(cert: object) -> set[str]:
    from cryptography import x509

    assert isinstance(cert, x509.Certificate)
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return set()
    names = set(san.get_values_for_type(x509.DNSName))
    names |= {str(ip) for ip in san.get_values_for_type(x509.IPAddress)}
    return names


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _key_usage(*, ca: bool) -> x509.KeyUsage:
    """A CA signs certificates (and CRLs); the server certificate signs its handshakes."""
    from cryptography import x509

    return x509.KeyUsage(
        digital_signature=not ca, content_commitment=False, key_encipherment=False,
        data_encipherment=False, key_agreement=False, key_cert_sign=ca, crl_sign=ca,
        encipher_only=False, decipher_only=False,
    )


def _make_ca(now: dt.datetime) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    """A fresh CA that can only vouch for loopback names, whoever gets hold of the file."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "mailtui sandbox"),
        x509.NameAttribute(NameOID.COMMON_NAME, f"mailtui sandbox CA {now:%Y-%m-%d %H:%M}"),
    ])
    loopback = x509.NameConstraints(
        permitted_subtrees=[
            x509.DNSName("localhost"),
            x509.IPAddress(ipaddress.ip_network("127.0.0.0/8")),
            x509.IPAddress(ipaddress.ip_network("::1/128")),
        ],
        excluded_subtrees=None,
    )
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + VALIDITY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(ca=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()),
                       critical=False)
        .add_extension(loopback, critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    return ca_key, ca


def _make_server(
    ca_key: ec.EllipticCurvePrivateKey, ca: x509.Certificate
) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    """The listeners' key and certificate (SERVER_NAMES), signed by the CA, as long-lived."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    sans: list[x509.GeneralName] = []
    for name in SERVER_NAMES:
        try:
            sans.append(x509.IPAddress(ipaddress.ip_address(name)))
        except ValueError:
            sans.append(x509.DNSName(name))
    ca_ski = ca.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    server = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "mailtui sandbox"),
            x509.NameAttribute(NameOID.COMMON_NAME, "localhost"),
        ]))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(ca.not_valid_before_utc)
        .not_valid_after(ca.not_valid_after_utc)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(ca=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectAlternativeName(sans), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    return key, server


def _generate(certs: SandboxCerts) -> None:
    from cryptography.hazmat.primitives import serialization

    ca_key, ca = _make_ca(_now())
    key, server = _make_server(ca_key, ca)
    pem = serialization.Encoding.PEM
    key_pem = key.private_bytes(
        pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    # Key first, so a reader never pairs a new certificate with an old key for long.
    atomic_write_private(certs.key_file, key_pem)
    atomic_write_private(certs.cert_file, server.public_bytes(pem) + ca.public_bytes(pem))
    atomic_write_private(certs.ca_file, ca.public_bytes(pem))
