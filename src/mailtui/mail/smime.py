"""S/MIME for outgoing mail: sign (detached, SHA-256), then encrypt (AES-256-CBC) when asked.

``protect()`` turns an ``EmailMessage`` into the exact bytes to send; ``protect_with_settings()``
applies ``[smime]`` (certificate, encrypt mode, recipient certificates) on top of it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from email.message import Message
from email.utils import getaddresses
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.ciphers import algorithms
from cryptography.hazmat.primitives.serialization import pkcs7

from mailtui.config.model import SmimeSettings
from mailtui.errors import MessageBuildError
from mailtui.mail.certinfo import (
    CertificateSummary,
    certificate_warnings,
    common_name,
    describe_certificate,
    san_emails,
    subject_emails,
    subject_text,
)
from mailtui.mail.smime_cert import Signer, describe_signer, load_signer
from mailtui.mail.smime_mime import (
    CRLF,
    base64_lines,
    new_boundary,
    split_envelope,
    write_headers,
)
from mailtui.mail.smime_recipients import (
    RecipientLookup,
    bare_address,
    recipient_certificates,
)

__all__ = [
    "CIPHER_NAME",
    "DIGEST_NAME",
    "CertificateSummary",
    "ProtectedMessage",
    "RecipientLookup",
    "Signer",
    "certificate_warnings",
    "describe_certificate",
    "describe_signer",
    "load_signer",
    "message_recipients",
    "protect",
    "protect_with_settings",
    "recipient_certificates",
]

DIGEST_NAME = "SHA-256"
MICALG = "sha-256"
CIPHER_NAME = "AES-256-CBC"
_SIGNED_PREAMBLE = b"This is an S/MIME signed message"


@dataclass(frozen=True)
class ProtectedMessage:
    """The message as it goes on the wire (CRLF line ends, 7-bit), and what was done to it."""

    data: bytes
    signed: bool
    encrypted: bool
    signer: str | None = None  # subject of the signing certificate
    recipients: tuple[str, ...] = ()  # who it is encrypted for (certificate email, else subject)
    encrypted_to_sender: bool = False
    note: str | None = None  # e.g. why a when-possible message was not encrypted

    @property
    def summary(self) -> str:
        """One line for the transcript's DATA summary and ``send-test --json``."""
        count = len(self.recipients)
        crypt = f"{CIPHER_NAME}, {count} recipient{'s' if count != 1 else ''}"
        if self.signed and self.encrypted:
            text = f"signed + encrypted ({crypt})"
        elif self.encrypted:
            text = f"encrypted ({crypt})"
        elif self.signed:
            text = f"signed ({DIGEST_NAME}, {self.signer})"
        else:
            text = "not signed"
        return f"{text}; {self.note}" if self.note else text

    def to_json(self) -> dict[str, Any]:
        return {
            "signed": self.signed,
            "encrypted": self.encrypted,
            "summary": self.summary,
            "digest": DIGEST_NAME if self.signed else None,
            "cipher": CIPHER_NAME if self.encrypted else None,
            "signer": self.signer,
            "recipients": list(self.recipients),
            "encrypted_to_sender": self.encrypted_to_sender,
            "note": self.note,
        }


def _signer_label(cert: x509.Certificate) -> str:
    cn = common_name(cert)
    return f"CN={cn}" if cn else subject_text(cert)


def _recipient_label(cert: x509.Certificate) -> str:
    emails = san_emails(cert) or subject_emails(cert)
    return emails[0] if emails else subject_text(cert)


def sign_entity(entity: bytes, signer: Signer) -> bytes:
    """A detached CMS SignedData (DER) over exactly ``entity``, with the signer's chain."""
    builder = (
        pkcs7.PKCS7SignatureBuilder()
        .set_data(entity)
        .add_signer(signer.cert, signer.key, hashes.SHA256())
    )
    for cert in signer.chain:
        builder = builder.add_certificate(cert)
    options = [pkcs7.PKCS7Options.DetachedSignature, pkcs7.PKCS7Options.Binary]
    try:
        return builder.sign(serialization.Encoding.DER, options)
    except Exception as exc:
        raise MessageBuildError(f"S/MIME signing failed: {exc}") from None


def signed_entity(entity: bytes, signer: Signer) -> bytes:
    """``multipart/signed`` around ``entity`` (copied verbatim), headers included."""
    signature = sign_entity(entity, signer)
    boundary = new_boundary()
    delim = b"--" + boundary.encode()
    ctype = (
        b'Content-Type: multipart/signed; protocol="application/pkcs7-signature";' + CRLF
        + b' micalg=' + MICALG.encode() + b'; boundary="' + boundary.encode() + b'"' + CRLF
    )
    sig_headers = (
        b'Content-Type: application/pkcs7-signature; name="smime.p7s"' + CRLF
        + b"Content-Transfer-Encoding: base64" + CRLF
        + b'Content-Disposition: attachment; filename="smime.p7s"' + CRLF
        + b"Content-Description: S/MIME Cryptographic Signature" + CRLF
    )
    return b"".join(
        [
            ctype,
            CRLF,
            _SIGNED_PREAMBLE + CRLF + CRLF,
            delim + CRLF,
            entity + CRLF,
            delim + CRLF,
            sig_headers + CRLF,
            base64_lines(signature),
            CRLF + delim + b"--" + CRLF,
        ]
    )


def encrypt_entity(entity: bytes, certificates: Sequence[x509.Certificate]) -> bytes:
    """``application/pkcs7-mime; smime-type=enveloped-data`` (AES-256-CBC) around ``entity``."""
    builder = (
        pkcs7.PKCS7EnvelopeBuilder()
        .set_data(entity)
        .set_content_encryption_algorithm(algorithms.AES256)
    )
    for cert in certificates:
        if not isinstance(cert.public_key(), rsa.RSAPublicKey):
            raise MessageBuildError(
                f"cannot encrypt for {subject_text(cert)}: only RSA certificates "
                "can receive encrypted mail"
            )
        builder = builder.add_recipient(cert)
    try:
        der = builder.encrypt(serialization.Encoding.DER, [pkcs7.PKCS7Options.Binary])
    except Exception as exc:
        raise MessageBuildError(f"S/MIME encryption failed: {exc}") from None
    headers = (
        b"Content-Type: application/pkcs7-mime; smime-type=enveloped-data;" + CRLF
        + b' name="smime.p7m"' + CRLF
        + b"Content-Transfer-Encoding: base64" + CRLF
        + b'Content-Disposition: attachment; filename="smime.p7m"' + CRLF
        + b"Content-Description: S/MIME Encrypted Message" + CRLF
    )
    return headers + CRLF + base64_lines(der)


def protect(
    message: Message,
    *,
    signer: Signer | None,
    encrypt_for: Sequence[x509.Certificate] = (),
    encrypt_to_sender: bool = True,
    note: str | None = None,
) -> ProtectedMessage:
    """Sign ``message`` with ``signer`` (if any), then encrypt it for ``encrypt_for`` (if any).

    Envelope headers (From, To, Subject, Date, Message-ID, ...) stay outside; the body entity
    is made 7-bit and CRLF-canonical, signed as a detached ``multipart/signed`` and, when
    there are recipient certificates, enveloped with AES-256-CBC for them plus the signer's
    own certificate. Bcc headers are dropped. ``.data`` is the full message to send.
    """
    outer, entity = split_envelope(message)
    signed = signer is not None
    if signer is not None:
        entity = signed_entity(entity, signer)
    recipients = list(encrypt_for)
    to_sender = False
    if recipients:
        targets = list(recipients)
        if encrypt_to_sender and signer is not None:
            if isinstance(signer.cert.public_key(), rsa.RSAPublicKey):
                if signer.cert not in targets:
                    targets.append(signer.cert)
                to_sender = True
            else:
                extra = "the sender's certificate is not RSA: the sent copy cannot be decrypted"
                note = f"{note}; {extra}" if note else extra
        entity = encrypt_entity(entity, targets)
    data = write_headers(outer) + b"MIME-Version: 1.0" + CRLF + entity
    if not data.endswith(CRLF):
        data += CRLF
    return ProtectedMessage(
        data=data,
        signed=signed,
        encrypted=bool(recipients),
        signer=_signer_label(signer.cert) if signer is not None else None,
        recipients=tuple(_recipient_label(c) for c in recipients),
        encrypted_to_sender=to_sender,
        note=note,
    )


def message_recipients(message: Message) -> list[str]:
    """The bare addresses in To, Cc and Bcc, without duplicates (case-insensitive)."""
    fields = [str(v) for name in ("To", "Cc", "Bcc") for v in message.get_all(name, [])]
    seen: set[str] = set()
    out: list[str] = []
    for _, addr in getaddresses(fields):
        if addr and addr.lower() not in seen:
            seen.add(addr.lower())
            out.append(addr)
    return out


def protect_with_settings(
    message: Message,
    settings: SmimeSettings,
    recipients: Sequence[str] | None = None,
    *,
    signer: Signer | None = None,
) -> ProtectedMessage:
    """Apply ``[smime]`` to ``message``: sign, and encrypt as ``settings.encrypt`` says.

    ``recipients`` are the envelope recipients (default: To, Cc and Bcc of the message).
    ``signer`` saves reloading the certificate for each message of a batch.
    Raises ConfigError (certificate problems, exit 3) or MessageBuildError (exit 30), e.g.
    with ``encrypt = "always"`` and a recipient whose certificate is unknown.
    """
    if not settings.configured:
        outer, entity = split_envelope(message)
        data = write_headers(outer) + b"MIME-Version: 1.0" + CRLF + entity
        return ProtectedMessage(data=data if data.endswith(CRLF) else data + CRLF,
                                signed=False, encrypted=False)
    signer = signer or load_signer(settings)
    if settings.encrypt == "never":
        return protect(message, signer=signer)
    addresses = list(recipients) if recipients is not None else message_recipients(message)
    if not addresses:
        raise MessageBuildError("cannot encrypt a message that has no recipient")
    lookup = recipient_certificates(settings, addresses)
    if lookup.missing:
        if settings.encrypt == "always":
            where = settings.recipients or "[smime] recipients (not set)"
            raise MessageBuildError(
                f"cannot encrypt for {lookup.describe_missing()}: no usable certificate "
                f"in {where}",
                hint=f"add <address>.pem to {where}, or set [smime] encrypt = "
                '"when-possible" to send signed-only mail to such recipients',
            )
        note = f"not encrypted: no certificate for {lookup.describe_missing()}"
        return protect(message, signer=signer, note=note)
    ordered = [lookup.found[bare_address(a)] for a in addresses if bare_address(a) in lookup.found]
    unique = list({c.fingerprint(hashes.SHA256()): c for c in ordered}.values())
    return protect(message, signer=signer, encrypt_for=unique)
