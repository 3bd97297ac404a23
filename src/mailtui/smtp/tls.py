"""TLS for the session: the verifying context, certificate details, diagnostics.

Never the unverified default context of ``smtplib``: the context is built here from the plan
(system store, ``SSL_CERT_FILE``, ``mailtui.ssl.cafile``, ``mail.smtp.ssl.trust``,
``checkserveridentity``, protocols, ciphers).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import os
import smtplib
import socket
import ssl
import sys
from dataclasses import dataclass
from typing import Any

from mailtui.javamail.plan import Plan

# The TLS files load in javamail/tlsfiles.py (the lint checks them too); re-exported here.
from mailtui.javamail.tlsfiles import TlsSettingError as TlsSettingError
from mailtui.javamail.tlsfiles import load_ca_file as load_ca_file
from mailtui.javamail.tlsfiles import load_client_certificate as load_client_certificate

_PROTOCOLS = {
    "TLSV1": ssl.TLSVersion.TLSv1,
    "TLSV1.1": ssl.TLSVersion.TLSv1_1,
    "TLSV1.2": ssl.TLSVersion.TLSv1_2,
    "TLSV1.3": ssl.TLSVersion.TLSv1_3,
}


def host_trusted(plan: Plan) -> bool:
    """``mail.smtp.ssl.trust``: "*" or the host listed means the chain is not verified."""
    return "*" in plan.trusted_hosts or (plan.host or "") in plan.trusted_hosts


def verifies_chain(plan: Plan) -> bool:
    """CA verification: off when ssl.trust covers the host, or when a pin replaces it."""
    return plan.verify_certificate and not host_trusted(plan) and not plan.tls_fingerprints


def pin_matches(plan: Plan, cert: CertificateInfo | None) -> bool:
    """mailtui.ssl.fingerprint: the leaf certificate's SHA-256 is one of the pins."""
    return cert is not None and cert.sha256 in plan.tls_fingerprints


def build_context(plan: Plan) -> ssl.SSLContext:
    """The client context for this plan. TlsSettingError names the property at fault."""
    # The system store. OpenSSL's default paths honour SSL_CERT_FILE / SSL_CERT_DIR; the
    # Windows store does not, so the file is added explicitly there.
    context = ssl.create_default_context()
    cert_file = os.environ.get("SSL_CERT_FILE")
    if sys.platform == "win32" and cert_file and os.path.isfile(cert_file):
        context.load_verify_locations(cafile=cert_file)
    if plan.ca_file:
        load_ca_file(context, plan.ca_file)
    load_client_certificate(context, plan)
    if verifies_chain(plan):
        context.check_hostname = plan.check_server_identity
        context.verify_mode = ssl.CERT_REQUIRED
    else:
        # JavaMail ssl.trust: accept this host's chain; the name is still checked after the
        # handshake when checkserveridentity is on (see check_identity).
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    if plan.tls_protocols:
        versions = []
        for name in plan.tls_protocols:
            version = _PROTOCOLS.get(name.upper())
            if version is None:
                key = f"mail.{plan.protocol}.ssl.protocols"
                raise TlsSettingError(key, f"unknown TLS protocol {name!r} in {key}")
            versions.append(version)
        context.minimum_version = min(versions)
        context.maximum_version = max(versions)
    if plan.tls_ciphers:
        # TLS 1.3 suites are not configurable through set_ciphers; 1.2 names are.
        tls12 = [c for c in plan.tls_ciphers if not c.startswith("TLS_AES_")
                 and not c.startswith("TLS_CHACHA20_")]
        if tls12:
            try:
                context.set_ciphers(":".join(tls12))
            except ssl.SSLError:
                key = f"mail.{plan.protocol}.ssl.ciphersuites"
                raise TlsSettingError(
                    key, f"no usable cipher in {key} (OpenSSL names expected, e.g. "
                    "ECDHE-RSA-AES128-GCM-SHA256)") from None
    return context


@dataclass(frozen=True)
class CertificateInfo:
    subject: str
    issuer: str
    names: tuple[str, ...]  # subjectAltName DNS names and IP addresses
    not_before: dt.datetime
    not_after: dt.datetime
    sha256: str  # colon-separated upper-case hex
    self_signed: bool

    @classmethod
    def from_der(cls, der: bytes) -> CertificateInfo:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes

        cert = x509.load_der_x509_certificate(der)
        names: list[str] = []
        try:
            san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
            names += san.get_values_for_type(x509.DNSName)
            names += [str(ip) for ip in san.get_values_for_type(x509.IPAddress)]
        except x509.ExtensionNotFound:
            pass
        digest = cert.fingerprint(hashes.SHA256()).hex().upper()
        return cls(
            subject=cert.subject.rfc4514_string(),
            issuer=cert.issuer.rfc4514_string(),
            names=tuple(names),
            not_before=cert.not_valid_before_utc,
            not_after=cert.not_valid_after_utc,
            sha256=":".join(digest[i : i + 2] for i in range(0, len(digest), 2)),
            self_signed=cert.subject == cert.issuer,
        )

    @classmethod
    def from_socket(cls, sock: ssl.SSLSocket) -> CertificateInfo | None:
        """From the verified peer certificate ``ssl`` already decoded (no extra import);
        ``cryptography`` only when the chain was not verified (``ssl`` then decodes nothing)."""
        der = sock.getpeercert(binary_form=True)
        if not der:
            return None
        decoded = sock.getpeercert()
        if not decoded:
            return cls.from_der(der)
        alt_names = decoded.get("subjectAltName", ())  # ((type, value), ...)
        names = tuple(str(entry[1]) for entry in alt_names
                      if isinstance(entry, tuple) and entry[0] in ("DNS", "IP Address"))
        digest = hashlib.sha256(der).hexdigest().upper()
        subject = _rdn_string(decoded.get("subject", ()))
        issuer = _rdn_string(decoded.get("issuer", ()))
        return cls(
            subject=subject,
            issuer=issuer,
            names=names,
            not_before=_cert_time(str(decoded["notBefore"])),
            not_after=_cert_time(str(decoded["notAfter"])),
            sha256=":".join(digest[i : i + 2] for i in range(0, len(digest), 2)),
            self_signed=subject == issuer,
        )

    @property
    def common_name(self) -> str | None:
        for part in self.subject.split(","):
            key, _, value = part.partition("=")
            if key.strip().upper() == "CN":
                return value
        return None

    def names_text(self) -> str:
        names = list(self.names) or ([self.common_name] if self.common_name else [])
        return ", ".join(names) if names else "(no names)"

    def to_json(self) -> dict[str, Any]:
        return {
            "subject": self.subject,
            "issuer": self.issuer,
            "names": list(self.names),
            "not_before": self.not_before.isoformat(),
            "not_after": self.not_after.isoformat(),
            "sha256": self.sha256,
            "self_signed": self.self_signed,
        }


_SHORT_NAMES = {
    "commonName": "CN", "organizationName": "O", "organizationalUnitName": "OU",
    "countryName": "C", "stateOrProvinceName": "ST", "localityName": "L",
    "streetAddress": "STREET", "domainComponent": "DC", "userId": "UID",
}


def _rdn_string(rdns: Any) -> str:
    """RFC 4514 order (last RDN first), as ``cryptography`` prints it."""
    parts = []
    for rdn in reversed(rdns):
        parts.append("+".join(f"{_SHORT_NAMES.get(k, k)}={v}" for k, v in rdn))
    return ",".join(parts)


def _cert_time(text: str) -> dt.datetime:
    return dt.datetime.fromtimestamp(ssl.cert_time_to_seconds(text), dt.UTC)


@dataclass(frozen=True)
class TlsInfo:
    version: str
    cipher: str
    bits: int | None
    certificate: CertificateInfo | None
    verification: str  # plain words: what was checked and the result

    def to_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "cipher": self.cipher,
            "bits": self.bits,
            "certificate": self.certificate.to_json() if self.certificate else None,
            "verification": self.verification,
        }

    def lines(self) -> list[str]:
        out = [f"TLS established: {self.version}, {self.cipher}"
               + (f" ({self.bits} bits)" if self.bits else "")]
        cert = self.certificate
        if cert is not None:
            out += [
                f"certificate subject: {cert.subject}",
                f"certificate issuer: {cert.issuer}" + (" (self-signed)" if cert.self_signed
                                                        else ""),
                f"certificate names: {cert.names_text()}",
                f"certificate valid: {cert.not_before:%Y-%m-%d} to {cert.not_after:%Y-%m-%d}",
                f"certificate SHA-256: {cert.sha256}",
            ]
        out.append(f"verification: {self.verification}")
        return out


def name_matches(host: str, cert: CertificateInfo) -> bool:
    """RFC 6125 matching: IP SANs for IP addresses, DNS SANs (left-most wildcard) otherwise."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        address = None
    if address is not None:
        return any(_same_ip(address, n) for n in cert.names)
    host = host.rstrip(".").lower()
    candidates = [n for n in cert.names if not _is_ip(n)]
    if not cert.names and cert.common_name:
        candidates = [cert.common_name]
    for pattern in candidates:
        pattern = pattern.rstrip(".").lower()
        if pattern == host:
            return True
        first, _, rest = host.partition(".")
        if pattern.startswith("*.") and first and rest == pattern[2:]:
            return True
    return False


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _same_ip(address: ipaddress.IPv4Address | ipaddress.IPv6Address, text: str) -> bool:
    try:
        return ipaddress.ip_address(text) == address
    except ValueError:
        return False


def describe_session(sock: ssl.SSLSocket, plan: Plan, identity_ok: bool | None) -> TlsInfo:
    """TLS details of an established connection and the verification result in words."""
    cipher = sock.cipher() or ("?", "?", None)
    cert = CertificateInfo.from_socket(sock)
    if plan.tls_fingerprints:
        pinned = "certificate pinned (mailtui.ssl.fingerprint): SHA-256 " + (
            "matches" if pin_matches(plan, cert) else "does NOT match")
        return TlsInfo(version=sock.version() or "?", cipher=cipher[0], bits=cipher[2],
                       certificate=cert,
                       verification=f"{pinned}; chain and host name not checked (the pin "
                       "replaces them)")
    if verifies_chain(plan):
        chain = "certificate chain verified"
        if plan.check_server_identity:
            name = f"name {plan.host} matches the certificate"
        else:
            name = "host name NOT checked (mail.smtp.ssl.checkserveridentity=false)"
    else:
        chain = "certificate chain NOT verified (mail.smtp.ssl.trust covers this host)"
        if not plan.check_server_identity:
            name = "host name NOT checked (mail.smtp.ssl.checkserveridentity=false)"
        elif identity_ok:
            name = f"name {plan.host} matches the certificate"
        else:
            name = f"name {plan.host} does NOT match the certificate"
    return TlsInfo(
        version=sock.version() or "?",
        cipher=cipher[0],
        bits=cipher[2],
        certificate=cert,
        verification=f"{chain}; {name}",
    )


def _diagnostic_context() -> ssl.SSLContext:
    """Only to *look at* a certificate that already failed verification; nothing is sent."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def peek_certificate(plan: Plan, timeout: float) -> CertificateInfo | None:
    """Fetch the certificate the server presents, without verifying it, for an explanation.

    A separate short connection that stops right after the handshake (no AUTH, no mail).
    """
    assert plan.host is not None
    context = _diagnostic_context()
    source = (plan.source_address, plan.source_port) if plan.source_address else None
    try:
        if plan.security == "implicit-tls":
            with socket.create_connection((plan.host, plan.port), timeout, source) as raw, \
                    context.wrap_socket(raw, server_hostname=plan.host) as tls:
                der = tls.getpeercert(binary_form=True)
        else:
            client = smtplib.SMTP(plan.host, plan.port, timeout=timeout,
                                  local_hostname=plan.ehlo_name or "localhost",
                                  source_address=source)
            try:
                client.ehlo()
                client.starttls(context=context)
                assert isinstance(client.sock, ssl.SSLSocket)
                der = client.sock.getpeercert(binary_form=True)
            finally:
                client.close()
    except (OSError, smtplib.SMTPException, ValueError):
        return None
    return CertificateInfo.from_der(der) if der else None


def sniff_plain_greeting(plan: Plan, timeout: float) -> str | None:
    """The first line a server sends unprompted on a plain connection (an SMTP greeting?)."""
    assert plan.host is not None
    try:
        with socket.create_connection((plan.host, plan.port), timeout) as raw:
            raw.settimeout(timeout)
            data = raw.recv(512)
    except OSError:
        return None
    line = data.split(b"\n", 1)[0].strip()
    return line.decode("latin-1") if line else None


def sniff_tls(plan: Plan, timeout: float) -> bool:
    """Does the port complete a TLS handshake right away (implicit TLS)?"""
    assert plan.host is not None
    try:
        with socket.create_connection((plan.host, plan.port), timeout) as raw:
            raw.settimeout(timeout)
            with _diagnostic_context().wrap_socket(raw, server_hostname=plan.host):
                return True
    except (OSError, ValueError):
        return False
