"""A throw-away PKI for tests: a CA, TLS server certificates and S/MIME certificates.

Everything is generated with ``cryptography`` inside the test run; nothing is committed.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _name(common_name: str, email: str | None = None) -> x509.Name:
    attrs = [
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "mailtui tests"),
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
    ]
    if email:
        attrs.append(x509.NameAttribute(NameOID.EMAIL_ADDRESS, email))
    return x509.Name(attrs)


def new_key(kind: str = "ec") -> PrivateKey:
    if kind == "rsa":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return ec.generate_private_key(ec.SECP256R1())


@dataclass
class Issued:
    """A certificate and its key, with helpers to write them out."""

    cert: x509.Certificate
    key: PrivateKey
    chain: tuple[x509.Certificate, ...] = ()

    def cert_pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)

    def key_pem(self) -> bytes:
        return self.key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )

    def write(self, directory: Path, stem: str) -> tuple[Path, Path]:
        """Write ``stem.pem`` (certificate then chain) and ``stem.key``; return both paths."""
        directory.mkdir(parents=True, exist_ok=True)
        cert_path = directory / f"{stem}.pem"
        key_path = directory / f"{stem}.key"
        chain = b"".join(c.public_bytes(serialization.Encoding.PEM) for c in self.chain)
        cert_path.write_bytes(self.cert_pem() + chain)
        key_path.write_bytes(self.key_pem())
        return cert_path, key_path

    def p12(self, password: str | None, name: str = "mailtui") -> bytes:
        encryption = (
            serialization.BestAvailableEncryption(password.encode())
            if password
            else serialization.NoEncryption()
        )
        return pkcs12.serialize_key_and_certificates(
            name.encode(), self.key, self.cert, list(self.chain) or None, encryption
        )


class Authority:
    """A test certificate authority."""

    def __init__(self, common_name: str = "mailtui test CA") -> None:
        self.key = new_key("ec")
        now = _now()
        name = _name(common_name)
        self.cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(self.key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=365))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True, content_commitment=False, key_encipherment=False,
                    data_encipherment=False, key_agreement=False, key_cert_sign=True,
                    crl_sign=True, encipher_only=False, decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(
                x509.SubjectKeyIdentifier.from_public_key(self.key.public_key()), critical=False
            )
            .sign(self.key, hashes.SHA256())
        )

    def cert_pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)

    def write_ca(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(self.cert_pem())
        return path

    def _builder(
        self, subject: x509.Name, key: PrivateKey, *, not_before: dt.datetime,
        not_after: dt.datetime,
    ) -> x509.CertificateBuilder:
        return (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(self.cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(not_before)
            .not_valid_after(not_after)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()),
                critical=False,
            )
        )

    def issue_server(
        self, names: tuple[str, ...] = ("localhost", "127.0.0.1"), *, days: int = 30
    ) -> Issued:
        """A TLS server certificate whose SAN holds ``names`` (DNS names or IP addresses)."""
        key = new_key("ec")
        sans: list[x509.GeneralName] = []
        for n in names:
            try:
                sans.append(x509.IPAddress(ipaddress.ip_address(n)))
            except ValueError:
                sans.append(x509.DNSName(n))
        now = _now()
        cert = (
            self._builder(_name(names[0]), key, not_before=now - dt.timedelta(hours=1),
                          not_after=now + dt.timedelta(days=days))
            .add_extension(x509.SubjectAlternativeName(sans), critical=False)
            .add_extension(
                x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
            )
            .sign(self.key, hashes.SHA256())
        )
        return Issued(cert, key, (self.cert,))

    def issue_client(self, common_name: str = "relay client") -> Issued:
        """A TLS client certificate (extended key usage clientAuth)."""
        key = new_key("ec")
        now = _now()
        cert = (
            self._builder(_name(common_name), key, not_before=now - dt.timedelta(hours=1),
                          not_after=now + dt.timedelta(days=30))
            .add_extension(
                x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False
            )
            .sign(self.key, hashes.SHA256())
        )
        return Issued(cert, key, (self.cert,))

    def issue_smime(
        self,
        email: str,
        *,
        common_name: str | None = None,
        key_kind: str = "rsa",
        not_before: dt.datetime | None = None,
        not_after: dt.datetime | None = None,
        digital_signature: bool = True,
        email_protection: bool = True,
    ) -> Issued:
        """An S/MIME certificate for ``email`` (RSA by default: needed for encryption)."""
        key = new_key(key_kind)
        now = _now()
        builder = self._builder(
            _name(common_name or email, email),
            key,
            not_before=not_before or now - dt.timedelta(hours=1),
            not_after=not_after or now + dt.timedelta(days=365),
        ).add_extension(x509.SubjectAlternativeName([x509.RFC822Name(email)]), critical=False)
        builder = builder.add_extension(
            x509.KeyUsage(
                digital_signature=digital_signature, content_commitment=False,
                key_encipherment=isinstance(key, rsa.RSAPrivateKey), data_encipherment=False,
                key_agreement=False, key_cert_sign=False, crl_sign=False,
                encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
        if email_protection:
            builder = builder.add_extension(
                x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False
            )
        cert = builder.sign(self.key, hashes.SHA256())
        return Issued(cert, key, (self.cert,))


def self_signed_server(names: tuple[str, ...] = ("localhost", "127.0.0.1")) -> Issued:
    """A self-signed TLS server certificate (no CA will vouch for it)."""
    authority = Authority(common_name=names[0])
    issued = authority.issue_server(names)
    # Re-sign as its own issuer so it is genuinely self-signed.
    now = _now()
    name = _name(names[0])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(issued.key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(issued.cert.extensions.get_extension_for_class(
            x509.SubjectAlternativeName).value, critical=False)
        .sign(issued.key, hashes.SHA256())
    )
    return Issued(cert, issued.key, ())
