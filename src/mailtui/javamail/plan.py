"""The effective connection plan: what a set of JavaMail properties will actually do."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Security = Literal["none", "starttls-optional", "starttls-required", "implicit-tls"]
TransportProtocol = Literal["smtp", "smtps"]  # mail.transport.protocol

# JavaMail leaves these infinite; mailtui never waits forever (SPEC §3).
DEFAULT_CONNECT_TIMEOUT = 30.0
DEFAULT_READ_TIMEOUT = 60.0
DEFAULT_WRITE_TIMEOUT = 60.0

# The SASL mechanisms mailtui's client implements (mailtui.smtp.auth), in JavaMail's order.
SUPPORTED_MECHANISMS = ("LOGIN", "PLAIN", "CRAM-MD5", "XOAUTH2")


@dataclass(frozen=True)
class Timeouts:
    connect: float = DEFAULT_CONNECT_TIMEOUT
    read: float = DEFAULT_READ_TIMEOUT
    write: float = DEFAULT_WRITE_TIMEOUT


@dataclass(frozen=True)
class Plan:
    """Everything the session engine needs to open and drive one SMTP connection."""

    host: str | None
    port: int
    security: Security
    auth: bool
    mechanisms: tuple[str, ...]  # in the order they will be tried, upper case
    verify_certificate: bool  # chain verification (off when ssl.trust covers the host)
    check_server_identity: bool  # host name must match the certificate
    timeouts: Timeouts = field(default_factory=Timeouts)
    ehlo_name: str | None = None  # None: the local host name, as JavaMail
    envelope_from: str | None = None
    username: str | None = None
    protocol: TransportProtocol = "smtp"
    trusted_hosts: tuple[str, ...] = ()  # mail.smtp.ssl.trust ("*" = every host)
    ca_file: str | None = None  # extra trust anchors (mailtui.ssl.cafile), e.g. the sandbox CA
    # mailtui.ssl.fingerprint: SHA-256 pins of the leaf certificate (AB:CD:...); when set they
    # replace CA verification and the host name check (as msmtp's tls_fingerprint)
    tls_fingerprints: tuple[str, ...] = ()
    client_cert: str | None = None  # mailtui.ssl.certfile (resolved against the config file)
    client_key: str | None = None  # mailtui.ssl.keyfile (None: the key is in client_cert)
    tls_protocols: tuple[str, ...] = ()  # mail.smtp.ssl.protocols, e.g. ("TLSv1.2", "TLSv1.3")
    tls_ciphers: tuple[str, ...] = ()  # mail.smtp.ssl.ciphersuites
    source_address: str | None = None  # mail.smtp.localaddress
    source_port: int = 0  # mail.smtp.localport
    dsn_notify: str | None = None  # mail.smtp.dsn.notify, e.g. "SUCCESS,FAILURE"
    dsn_ret: str | None = None  # mail.smtp.dsn.ret: FULL | HDRS
    allow_8bitmime: bool = False  # mail.smtp.allow8bitmime
    allow_utf8: bool = False  # mail.mime.allowutf8 (SMTPUTF8 when the server offers it)
    send_partial: bool = False  # mail.smtp.sendpartial
    quit_wait: bool = True  # mail.smtp.quitwait
    sasl_authzid: str | None = None  # mail.smtp.sasl.authorizationid
    warnings: tuple[str, ...] = ()
    errors: tuple[str, ...] = ()  # lint errors (``with_lint``): the send would fail or be unsafe
    info: tuple[str, ...] = ()  # lint info notes (``with_lint``), as `check` shows them

    @property
    def uses_tls(self) -> bool:
        return self.security != "none"

    def to_json(self) -> dict[str, Any]:
        """The object of ``mailtui plan --json`` (SPEC §4), plus the extra detail."""
        data = asdict(self)
        data["mechanisms"] = list(self.mechanisms)
        data["warnings"] = list(self.warnings)
        data["errors"] = list(self.errors)
        data["info"] = list(self.info)
        for key in ("trusted_hosts", "tls_protocols", "tls_ciphers", "tls_fingerprints"):
            data[key] = list(data[key])
        return data
