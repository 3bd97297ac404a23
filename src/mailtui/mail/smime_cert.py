"""S/MIME certificates: load the signer (PKCS#12 or PEM); its summary and warnings come from
:mod:`mailtui.mail.certinfo` (re-exported here)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12

from mailtui.config.model import SmimeSettings
from mailtui.errors import ConfigError, Location
from mailtui.mail.certinfo import CertificateSummary, describe_certificate, key_type, name_text
from mailtui.mail.certinfo import certificate_warnings as certificate_warnings  # re-exported

SigningKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey

PEM_MARKER = b"-----BEGIN "
KEY_SUFFIXES = (".key", ".key.pem")  # looked for beside a PEM certificate without its key

@dataclass(frozen=True)
class Signer:
    """The sender's certificate, its private key and the chain to send along."""

    cert: x509.Certificate
    key: SigningKey
    chain: tuple[x509.Certificate, ...] = ()
    source: Path | None = None
    format: str = "PKCS#12"  # or "PEM"

    def __repr__(self) -> str:  # never show the key
        return f"Signer(subject={name_text(self.cert.subject)!r}, source={self.source!r})"


def load_signer(settings: SmimeSettings) -> Signer:
    """Load ``[smime].certificate`` (PKCS#12, or PEM certificate + key). ConfigError on failure.

    The password comes from ``smime.password`` / ``_env`` / ``_command``; it opens the PKCS#12
    file or an encrypted PEM key.
    """
    if settings.certificate is None:
        raise ConfigError(
            "no S/MIME certificate configured",
            hint='set [smime] certificate = "/path/to/sender.p12"',
        )
    path = Path(settings.certificate).expanduser()
    data = _read(path, "S/MIME certificate")  # file problems first, then the secret
    if data.lstrip().startswith(PEM_MARKER):
        return _load_pem_signer(path, data, settings.password.resolve)
    if not _looks_like_pfx(data):
        raise ConfigError(
            "not a PKCS#12 (.p12/.pfx) file, nor a PEM file",
            location=Location(str(path)),
            hint="export the certificate with its private key as .p12/.pfx, or give a PEM file "
            "holding the certificate and the key",
        )
    return _load_p12_signer(path, data, settings.password.resolve())


def _read(path: Path, what: str) -> bytes:
    loc = Location(str(path))
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(
            f"{what} file not found", location=loc, hint="check [smime] certificate"
        ) from None
    except IsADirectoryError:
        raise ConfigError(f"{what} path is a directory, not a file", location=loc) from None
    except PermissionError:
        raise ConfigError(
            f"{what} file is not readable (permission denied)",
            location=loc,
            hint="let the user that runs mailtui read it (chmod/chown), keep it private",
        ) from None
    except OSError as exc:
        raise ConfigError(f"{what} file cannot be read: {exc.strerror}", location=loc) from None


def _looks_like_pfx(data: bytes) -> bool:
    """True when ``data`` starts like a DER PKCS#12 PFX: SEQUENCE { INTEGER 3, ... }."""
    if len(data) < 8 or data[0] != 0x30:
        return False
    i = 1
    first = data[i]
    if first & 0x80:
        i += 1 + (first & 0x7F)
    else:
        i += 1
    return data[i : i + 3] == b"\x02\x01\x03"


def _open_p12(data: bytes, secret: bytes | None) -> Any:
    try:
        return pkcs12.load_key_and_certificates(data, secret)
    except ValueError:
        if secret is None:
            raise
        # A password is configured but the file has none: that is fine.
        return pkcs12.load_key_and_certificates(data, None)


def _load_p12_signer(path: Path, data: bytes, password: str | None) -> Signer:
    loc = Location(str(path))
    secret = password.encode() if password is not None else None
    try:
        key, cert, extra = _open_p12(data, secret)
    except ValueError:
        if password is None:
            raise ConfigError(
                "the PKCS#12 file is password-protected and no password is configured",
                location=loc,
                hint="set smime.password_env (or smime.password / smime.password_command)",
            ) from None
        raise ConfigError(
            "cannot open the PKCS#12 file: wrong password (or damaged file)",
            location=loc,
            hint="check the secret given by "
            "smime.password / smime.password_env / smime.password_command",
        ) from None
    except Exception as exc:  # unsupported algorithms inside the file, ...
        raise ConfigError(f"cannot read the PKCS#12 file: {exc}", location=loc) from None
    if key is None:
        raise ConfigError(
            "the PKCS#12 file holds no private key",
            location=loc,
            hint="export it again including the private key",
        )
    extra = list(extra)
    if cert is None:  # some exporters do not tie the key to its certificate
        cert = next((c for c in extra if _matches(c, key)), None)
        if cert is None:
            raise ConfigError("the PKCS#12 file holds no certificate for its key", location=loc)
        extra.remove(cert)
    key = _signing_key(key, loc)
    if not _matches(cert, key):
        raise ConfigError("the private key does not match the certificate", location=loc)
    return Signer(cert, key, tuple(extra), path, "PKCS#12")


def _load_pem_signer(path: Path, data: bytes, password: Callable[[], str | None]) -> Signer:
    loc = Location(str(path))
    try:
        certs = x509.load_pem_x509_certificates(data)
    except ValueError:
        certs = []
    if not certs:
        raise ConfigError(
            "the PEM file holds no certificate",
            location=loc,
            hint="it must contain a -----BEGIN CERTIFICATE----- block",
        )
    key_path, key_data = path, data
    if b"PRIVATE KEY-----" not in data:
        found = _key_beside(path)
        if found is None:
            names = ", ".join(path.with_suffix(s).name for s in KEY_SUFFIXES)
            raise ConfigError(
                "the PEM file holds no private key, and no key file was found beside it",
                location=loc,
                hint=f"append the key to the file, or put it beside it as {names}",
            )
        key_path = found
        key_data = _read(found, "S/MIME private key")
    secret = password() if b"ENCRYPTED" in key_data else None  # only ask when needed
    key = _signing_key(_load_pem_key(key_path, key_data, secret), Location(str(key_path)))
    for i, cert in enumerate(certs):
        if _matches(cert, key):
            return Signer(cert, key, tuple(certs[:i] + certs[i + 1 :]), path, "PEM")
    raise ConfigError(
        "the private key does not match the certificate",
        location=Location(str(key_path)),
        hint=f"use the key that belongs to {name_text(certs[0].subject)}",
    )


def _key_beside(path: Path) -> Path | None:
    for suffix in KEY_SUFFIXES:
        candidate = path.with_suffix(suffix)
        if candidate != path and candidate.is_file():
            return candidate
    return None


def _load_pem_key(path: Path, data: bytes, password: str | None) -> Any:
    loc = Location(str(path))
    secret = password.encode() if password is not None else None
    try:
        return serialization.load_pem_private_key(data, secret)
    except TypeError as exc:
        if "not encrypted" in str(exc):  # a password is set but the key has none
            return _load_pem_key(path, data, None)
        raise ConfigError(
            "the private key is encrypted and no password is configured",
            location=loc,
            hint="set smime.password_env (or smime.password / smime.password_command)",
        ) from None
    except ValueError:
        if secret is not None and b"ENCRYPTED" in data:
            raise ConfigError(
                "cannot decrypt the private key: wrong password",
                location=loc,
                hint="check smime.password / smime.password_env / smime.password_command",
            ) from None
        raise ConfigError("the private key in the PEM file cannot be read", location=loc) from None
    except Exception as exc:
        raise ConfigError(f"the private key cannot be read: {exc}", location=loc) from None


def _signing_key(key: Any, loc: Location) -> SigningKey:
    if isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        return key
    raise ConfigError(
        f"unsupported private key type {key_type(key)} for S/MIME",
        location=loc,
        hint="use an RSA key (needed to receive encrypted mail) or an EC key",
    )


def _spki(public_key: Any) -> bytes:
    return public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _matches(cert: x509.Certificate, key: Any) -> bool:
    return _spki(cert.public_key()) == _spki(key.public_key())


def describe_signer(signer: Signer) -> CertificateSummary:
    return describe_certificate(signer.cert, signer.chain)
