"""``smime``: the signing certificate as a typed result, and which encryption certificate each
recipient would get. Raises ConfigError when the certificate cannot be used."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mailtui.config.model import EncryptMode, Settings
    from mailtui.mail.certinfo import CertificateSummary


@dataclass(frozen=True)
class SmimeInfo:
    """The ``[smime]`` signing certificate, what it allows, and what to fix."""

    certificate: str  # the file it was read from
    format: str  # "PKCS#12", "PEM", ...
    summary: CertificateSummary  # subject, issuer, emails, validity, key, usages, fingerprint
    encrypt: EncryptMode
    recipients: str | None  # the recipient certificates (directory or bundle)
    warnings: tuple[str, ...]  # things to fix before recipients trust the signature

    def to_json(self) -> dict[str, Any]:
        """The object of ``mailtui smime info --json``."""
        return {
            "certificate": self.certificate,
            "format": self.format,
            **self.summary.to_json(),
            "encrypt": self.encrypt,
            "recipients": self.recipients,
            "warnings": list(self.warnings),
        }


def smime_info(settings: Settings) -> SmimeInfo:
    """Load ``[smime].certificate`` (reading its password source) and describe it."""
    from mailtui.mail.certinfo import certificate_warnings
    from mailtui.mail.smime_cert import describe_signer, load_signer

    signer = load_signer(settings.smime)
    summary = describe_signer(signer)
    return SmimeInfo(
        certificate=str(signer.source),
        format=signer.format,
        summary=summary,
        encrypt=settings.smime.encrypt,
        recipients=str(settings.smime.recipients) if settings.smime.recipients else None,
        warnings=tuple(certificate_warnings(summary, settings.server.default_sender)),
    )


@dataclass(frozen=True)
class RecipientCertificate:
    subject: str
    not_after: dt.datetime
    fingerprint_sha256: str

    def to_json(self) -> dict[str, Any]:
        return {"subject": self.subject, "not_after": self.not_after.isoformat(),
                "fingerprint_sha256": self.fingerprint_sha256}


@dataclass(frozen=True)
class RecipientCertificates:
    """Per address: the certificate a send would encrypt for, or why there is none."""

    found: dict[str, RecipientCertificate]
    missing: dict[str, str]  # address -> reason

    def to_json(self) -> dict[str, Any]:
        return {"found": {a: c.to_json() for a, c in self.found.items()},
                "missing": dict(self.missing)}


def smime_recipients(settings: Settings, addresses: Sequence[str]) -> RecipientCertificates:
    """Look ``addresses`` up in ``[smime].recipients`` as a send would."""
    from mailtui.mail.certinfo import describe_certificate
    from mailtui.mail.smime_recipients import recipient_certificates

    lookup = recipient_certificates(settings.smime, list(addresses))
    found = {}
    for address, cert in lookup.found.items():
        summary = describe_certificate(cert)
        found[address] = RecipientCertificate(summary.subject, summary.not_after,
                                              summary.fingerprint_sha256)
    missing = {a: lookup.reasons.get(a, "no certificate") for a in lookup.missing}
    return RecipientCertificates(found, missing)
