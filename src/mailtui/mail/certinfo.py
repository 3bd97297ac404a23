"""Describe an X.509 certificate as a sysadmin wants to read it (subject, addresses, key,
usages, validity, fingerprint) and say what to fix before recipients trust a signature."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from email.utils import parseaddr
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

EXPIRY_WARNING_DAYS = 30
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


def key_type(key: Any) -> str:
    """"RSA", "EC", "DSA", "Ed25519" or "Ed448" (else the class name) for a key."""
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
        key_type=key_type(public_key),
        key_size=key_size,
        key_curve=curve,
        key_usage=_key_usage(cert),
        extended_key_usage=_extended_key_usage(cert),
        fingerprint_sha256=":".join(digest[i : i + 2] for i in range(0, len(digest), 2)),
        serial=f"{cert.serial_number:X}",
        self_signed=is_self_signed(cert),
        chain=tuple(name_text(c.subject) for c in chain),
    )


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
