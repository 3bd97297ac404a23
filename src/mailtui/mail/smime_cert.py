"""S/MIME certificates: load the signer (PKCS#12 or PEM), summarise it, warn about it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import parseaddr
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from mailtui.config.model import SmimeSettings
from mailtui.errors import ConfigError, Location

SigningKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey

EXPIRY_WARNING_DAYS = 30
PEM_MARKER = b"-----BEGIN "
KEY_SUFFIXES = (".key", ".key.pem")  # looked for beside a PEM certificate without its key

_KEY_USAGE_NAMES = (
    "digital_signature", "content_commitment", "key_encipherment", "data_encipherment",
    "key_agreement", "key_cert_sign", "crl_sign",
)
_EKU_NAMES = {
    ExtendedKeyUsageOID.EMAIL_PROTECTION: "emailProtection",
    ExtendedKeyUsageOID.SERVER_AUTH: "serverAuth",
    ExtendedKeyUsageOID.CLIENT_AUTH: "clientAuth",
    ExtendedKeyUsageOID.CODE_SIGNING: "codeSigning",
    ExtendedKeyUsageOID.TIME_STAMPING: "timeStamping",
    ExtendedKeyUsageOID.OCSP_SIGNING: "OCSPSigning",
    ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE: "anyExtendedKeyUsage",
}


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


@dataclass(frozen=True)
class CertificateSummary:
    """What a sysadmin wants to know about a certificate."""

    subject: str
    issuer: str
    common_name: str | None
    emails: tuple[str, ...]  # rfc822Name entries of the SAN
    subject_emails: tuple[str, ...]  # emailAddress attributes of the subject (legacy)
    not_before: dt.datetime
    not_after: dt.datetime
    key_type: str  # "RSA", "EC", ...
    key_size: int | None  # bits
    key_curve: str | None  # EC curve name
    key_usage: tuple[str, ...] | None  # None: no KeyUsage extension (no restriction)
    extended_key_usage: tuple[str, ...] | None  # None: no EKU extension
    fingerprint_sha256: str
    serial: str
    self_signed: bool
    chain: tuple[str, ...] = field(default=())  # subjects of the certificates sent along

    @property
    def key_description(self) -> str:
        if self.key_curve:
            return f"{self.key_type} {self.key_curve} ({self.key_size} bits)"
        return f"{self.key_type} {self.key_size}" if self.key_size else self.key_type

    def to_json(self) -> dict[str, Any]:
        return {
            "subject": self.subject,
            "issuer": self.issuer,
            "common_name": self.common_name,
            "emails": list(self.emails),
            "subject_emails": list(self.subject_emails),
            "not_before": self.not_before.isoformat(),
            "not_after": self.not_after.isoformat(),
            "key_type": self.key_type,
            "key_size": self.key_size,
            "key_curve": self.key_curve,
            "key_usage": None if self.key_usage is None else list(self.key_usage),
            "extended_key_usage": (
                None if self.extended_key_usage is None else list(self.extended_key_usage)
            ),
            "fingerprint_sha256": self.fingerprint_sha256,
            "serial": self.serial,
            "self_signed": self.self_signed,
            "chain": list(self.chain),
        }


# --------------------------------------------------------------------------- loading


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
        f"unsupported private key type {_key_type(key)} for S/MIME",
        location=loc,
        hint="use an RSA key (needed to receive encrypted mail) or an EC key",
    )


def _spki(public_key: Any) -> bytes:
    return public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _matches(cert: x509.Certificate, key: Any) -> bool:
    return _spki(cert.public_key()) == _spki(key.public_key())


# --------------------------------------------------------------------------- describing


def _key_type(key: Any) -> str:
    if isinstance(key, rsa.RSAPrivateKey | rsa.RSAPublicKey):
        return "RSA"
    if isinstance(key, ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey):
        return "EC"
    if isinstance(key, dsa.DSAPrivateKey | dsa.DSAPublicKey):
        return "DSA"
    if isinstance(key, ed25519.Ed25519PrivateKey | ed25519.Ed25519PublicKey):
        return "Ed25519"
    if isinstance(key, ed448.Ed448PrivateKey | ed448.Ed448PublicKey):
        return "Ed448"
    return type(key).__name__


def san_emails(cert: x509.Certificate) -> tuple[str, ...]:
    """The rfc822Name entries of the subject alternative name."""
    try:
        ext = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    except x509.ExtensionNotFound:
        return ()
    return tuple(ext.value.get_values_for_type(x509.RFC822Name))


def subject_emails(cert: x509.Certificate) -> tuple[str, ...]:
    return tuple(
        str(a.value) for a in cert.subject.get_attributes_for_oid(NameOID.EMAIL_ADDRESS)
    )


def name_text(name: x509.Name) -> str:
    """An RFC 4514 string, with emailAddress spelt out rather than as an OID."""
    return name.rfc4514_string({NameOID.EMAIL_ADDRESS: "emailAddress"})


def subject_text(cert: x509.Certificate) -> str:
    return name_text(cert.subject)


def common_name(cert: x509.Certificate) -> str | None:
    attrs = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(attrs[0].value) if attrs else None


def _key_usage(cert: x509.Certificate) -> tuple[str, ...] | None:
    try:
        ku = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return None
    names = []
    for attr in _KEY_USAGE_NAMES:
        if getattr(ku, attr):
            first, *rest = attr.split("_")
            names.append(first + "".join(w.capitalize() for w in rest))
    if ku.key_agreement:
        if ku.encipher_only:
            names.append("encipherOnly")
        if ku.decipher_only:
            names.append("decipherOnly")
    return tuple(names)


def _extended_key_usage(cert: x509.Certificate) -> tuple[str, ...] | None:
    try:
        eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        return None
    return tuple(_EKU_NAMES.get(oid, oid.dotted_string) for oid in eku)


def is_self_signed(cert: x509.Certificate) -> bool:
    if cert.subject != cert.issuer:
        return False
    try:
        cert.verify_directly_issued_by(cert)
    except Exception:
        return False
    return True


def describe_certificate(
    cert: x509.Certificate, chain: tuple[x509.Certificate, ...] = ()
) -> CertificateSummary:
    """Summarise ``cert`` (and name the ``chain`` certificates sent along with it)."""
    public_key = cert.public_key()
    key_size = getattr(public_key, "key_size", None)
    curve = public_key.curve.name if isinstance(public_key, ec.EllipticCurvePublicKey) else None
    digest = cert.fingerprint(hashes.SHA256()).hex().upper()
    return CertificateSummary(
        subject=name_text(cert.subject),
        issuer=name_text(cert.issuer),
        common_name=common_name(cert),
        emails=san_emails(cert),
        subject_emails=subject_emails(cert),
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        key_type=_key_type(public_key),
        key_size=key_size,
        key_curve=curve,
        key_usage=_key_usage(cert),
        extended_key_usage=_extended_key_usage(cert),
        fingerprint_sha256=":".join(digest[i : i + 2] for i in range(0, len(digest), 2)),
        serial=f"{cert.serial_number:X}",
        self_signed=is_self_signed(cert),
        chain=tuple(name_text(c.subject) for c in chain),
    )


def describe_signer(signer: Signer) -> CertificateSummary:
    return describe_certificate(signer.cert, signer.chain)


def certificate_warnings(
    summary: CertificateSummary,
    default_sender: str | None,
    *,
    now: dt.datetime | None = None,
) -> list[str]:
    """Things to fix before recipients trust the signature; empty when all is well.

    A missing KeyUsage / ExtendedKeyUsage extension means "no restriction" (RFC 5280), so only
    an extension that is present but lacks digitalSignature / emailProtection is reported.
    """
    now = now or dt.datetime.now(dt.UTC)
    warnings: list[str] = []
    fmt = "%Y-%m-%d %H:%M UTC"
    if summary.not_after <= now:
        warnings.append(f"the certificate expired on {summary.not_after.strftime(fmt)}")
    elif summary.not_after - now <= dt.timedelta(days=EXPIRY_WARNING_DAYS):
        days = (summary.not_after - now).days
        warnings.append(
            f"the certificate expires in {days} day{'s' if days != 1 else ''} "
            f"({summary.not_after.strftime(fmt)})"
        )
    if summary.not_before > now:
        warnings.append(f"the certificate is not valid before {summary.not_before.strftime(fmt)}")
    sender = parseaddr(default_sender)[1].strip() if default_sender else ""
    if not summary.emails:
        warnings.append("the certificate lists no email address in its subject alternative name")
    if sender and not any(sender.lower() == e.lower() for e in summary.emails):
        listed = ", ".join(summary.emails) or "none"
        warnings.append(
            f"no email address of the certificate ({listed}) matches the default sender {sender}"
        )
    if summary.key_usage is not None and "digitalSignature" not in summary.key_usage:
        warnings.append("the key usage does not allow digitalSignature: signatures will be refused")
    if summary.extended_key_usage is not None and not (
        {"emailProtection", "anyExtendedKeyUsage"} & set(summary.extended_key_usage)
    ):
        warnings.append("the extended key usage does not include emailProtection")
    if summary.self_signed:
        warnings.append("the certificate is self-signed: recipients will not trust it by default")
    return warnings
