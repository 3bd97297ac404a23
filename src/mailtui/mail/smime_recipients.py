"""Recipient certificates for encryption: a directory of ``<address>.pem`` or one PEM bundle."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from email.utils import parseaddr
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa

from mailtui.config.model import SmimeSettings
from mailtui.errors import ConfigError, Location
from mailtui.mail.certinfo import san_emails, subject_emails

CERT_SUFFIXES = (".pem", ".crt", ".cer")


@dataclass
class RecipientLookup:
    """Certificates found per address, the addresses without a usable one, and why.

    Unpacks as ``found, missing = recipient_certificates(...)``.
    """

    found: dict[str, x509.Certificate] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    reasons: dict[str, str] = field(default_factory=dict)  # missing address -> why

    def __iter__(self) -> Iterator[object]:
        return iter((self.found, self.missing))

    def describe_missing(self) -> str:
        return ", ".join(
            f"{a} ({self.reasons[a]})" if a in self.reasons else a for a in self.missing
        )


def bare_address(address: str) -> str:
    """``"Bob <bob@example.org>"`` -> ``"bob@example.org"``."""
    return parseaddr(address)[1].strip() or address.strip()


def unusable_reason(cert: x509.Certificate, now: dt.datetime | None = None) -> str | None:
    """Why ``cert`` cannot receive encrypted mail, or None when it can."""
    now = now or dt.datetime.now(dt.UTC)
    if not isinstance(cert.public_key(), rsa.RSAPublicKey):
        return "certificate key is not RSA"
    if cert.not_valid_after_utc <= now:
        return "certificate expired"
    if cert.not_valid_before_utc > now:
        return "certificate not yet valid"
    try:
        ku = cert.extensions.get_extension_for_class(x509.KeyUsage).value
        if not ku.key_encipherment:
            return "certificate key usage lacks keyEncipherment"
    except x509.ExtensionNotFound:
        pass
    try:
        eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
        allowed = {x509.ExtendedKeyUsageOID.EMAIL_PROTECTION,
                   x509.ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE}
        if not allowed & set(eku):
            return "certificate extended key usage lacks emailProtection"
    except x509.ExtensionNotFound:
        pass
    return None


def cert_addresses(cert: x509.Certificate) -> set[str]:
    """The lower-cased addresses a certificate vouches for (SAN, else subject emailAddress)."""
    return {a.lower() for a in (*san_emails(cert), *subject_emails(cert))}


def load_cert_file(path: Path) -> list[x509.Certificate]:
    """Every certificate in a PEM (or single DER) file. ConfigError naming the file."""
    loc = Location(str(path))
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError("recipient certificate file not found", location=loc) from None
    except OSError as exc:
        raise ConfigError(
            f"recipient certificate file cannot be read: {exc.strerror}", location=loc
        ) from None
    try:
        if b"-----BEGIN" in data:
            return x509.load_pem_x509_certificates(data)
        return [x509.load_der_x509_certificate(data)]
    except ValueError:
        raise ConfigError(
            "not a certificate file (expected PEM -----BEGIN CERTIFICATE----- blocks)",
            location=loc,
        ) from None


def _best(
    candidates: Iterable[x509.Certificate], now: dt.datetime
) -> tuple[x509.Certificate | None, str | None]:
    """The usable candidate that expires last, else the first reason none is usable."""
    usable, reason = [], None
    for cert in candidates:
        why = unusable_reason(cert, now)
        if why is None:
            usable.append(cert)
        elif reason is None:
            reason = why
    if usable:
        return max(usable, key=lambda c: c.not_valid_after_utc), None
    return None, reason


def _directory_index(directory: Path) -> dict[str, Path]:
    index: dict[str, Path] = {}
    for entry in sorted(directory.iterdir()):
        if entry.suffix.lower() in CERT_SUFFIXES and entry.is_file():
            index.setdefault(entry.stem.lower(), entry)
    return index


def recipient_certificates(
    settings: SmimeSettings, addresses: Sequence[str], *, now: dt.datetime | None = None
) -> RecipientLookup:
    """Find an encryption certificate for each address in ``[smime].recipients``.

    A directory holds ``<address>.pem`` files (the address matched case-insensitively; ``.crt``
    and ``.cer`` are accepted too); a file is a PEM bundle whose certificates are matched by
    their SAN rfc822Name or subject emailAddress. Expired, not-RSA or wrong-usage certificates
    count as missing, with the reason in ``reasons``.
    """
    now = now or dt.datetime.now(dt.UTC)
    lookup = RecipientLookup()
    wanted: list[str] = []
    for address in (bare_address(a) for a in addresses):
        if address.lower() not in {w.lower() for w in wanted}:
            wanted.append(address)
    source = settings.recipients
    if source is None:
        for address in wanted:
            lookup.missing.append(address)
            lookup.reasons[address] = "no [smime] recipients configured"
        return lookup
    path = Path(source).expanduser()
    if not path.exists():
        raise ConfigError(
            "recipient certificates not found",
            location=Location(str(path)),
            hint="[smime] recipients names a directory of <address>.pem files or one PEM bundle",
        )
    if path.is_dir():
        index = _directory_index(path)
        for address in wanted:
            file = index.get(address.lower())
            if file is None:
                lookup.missing.append(address)
                continue
            certs = load_cert_file(file)
            matching = [c for c in certs if address.lower() in cert_addresses(c)]
            chosen, reason = _best(matching or certs, now)
            _record(lookup, address, chosen, reason)
    else:
        bundle = load_cert_file(path)
        for address in wanted:
            matching = [c for c in bundle if address.lower() in cert_addresses(c)]
            chosen, reason = _best(matching, now)
            _record(lookup, address, chosen, reason)
    return lookup


def _record(
    lookup: RecipientLookup, address: str, cert: x509.Certificate | None, reason: str | None
) -> None:
    if cert is not None:
        lookup.found[address] = cert
        return
    lookup.missing.append(address)
    if reason:
        lookup.reasons[address] = reason
