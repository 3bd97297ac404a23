"""``probe``: what the server offers before and after TLS, and what the properties would do
with it; optionally whether it takes mail for an address (MAIL FROM / RCPT TO, then RSET) and
the certificate chain it presents, saved as PEM. Sends no mail."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mailtui.config.model import Settings
    from mailtui.javamail.plan import Plan
    from mailtui.smtp.probe import ProbeResult
    from mailtui.smtp.transcript import EventCallback


@dataclass(frozen=True)
class SavedCertificate:
    subject: str
    issuer: str
    sha256: str
    self_signed: bool


@dataclass(frozen=True)
class SavedChain:
    """The certificate chain written by ``save_cert`` (PEM, leaf first)."""

    path: str
    verified: bool  # the chain passed the verification the plan asks for
    certificates: tuple[SavedCertificate, ...]

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "verified": self.verified,
                "certificates": [vars(c) for c in self.certificates]}


@dataclass(frozen=True)
class ProbeOutcome:
    result: ProbeResult
    exit_code: int  # the result's, or 22 when a chain was asked for and none was presented
    save_cert: Path | None = None  # where the chain was asked to go
    saved: SavedChain | None = None  # None: nothing saved (no TLS, or the handshake failed)

    def to_json(self, plan: Plan) -> dict[str, Any]:
        """The object of ``mailtui probe --json``."""
        data = self.result.to_json(plan)
        if self.save_cert is not None:
            data["saved_certificates"] = self.saved.to_json() if self.saved else None
        return data


@dataclass(frozen=True)
class PreparedProbe:
    plan: Plan
    rcpt: str | None = None  # the address to try (addr-spec), None: capabilities only
    sender: str | None = None  # MAIL FROM for ``rcpt``
    save_cert: Path | None = None
    password: str | None = field(default=None, repr=False)

    def run(self, on_event: EventCallback | None = None, **options: Any) -> ProbeOutcome:
        """Probe, then save the chain when asked. ``options`` go to
        :func:`mailtui.smtp.probe.run_probe` (``on_wait``, ``cancel``, ...)."""
        from mailtui.smtp.probe import run_probe

        result = run_probe(self.plan, on_event, rcpt=self.rcpt, sender=self.sender,
                           password=self.password, want_chain=self.save_cert is not None,
                           **options)
        if self.save_cert is None:
            return ProbeOutcome(result, result.exit_code)
        saved = save_chain(self.save_cert, result)
        code = result.exit_code
        if saved is None and code == 0:
            code = 22  # asked for a certificate, none to be had: the TLS stage failed for it
        return ProbeOutcome(result, code, self.save_cert, saved)


def prepare_probe(settings: Settings, *, plan: Plan | None = None, rcpt: str | None = None,
                  save_cert: str | Path | None = None) -> PreparedProbe:
    """Check what the probe needs before connecting: a server, usable TLS files, a writable
    ``save_cert`` path; with ``rcpt``, an address, a sender and the password (a prompt asks
    now). Raises ConfigError (exit 3)."""
    from mailtui.services._preflight import require_server, require_usable_tls

    if plan is None:
        from mailtui.javamail.resolve import resolve_plan

        plan = resolve_plan(settings)
    require_server(plan)
    require_usable_tls(settings, plan)
    target = None
    if save_cert is not None:
        target = Path(save_cert).expanduser().absolute()
        _check_writable(target)  # before connecting, not after
    if rcpt is None:
        return PreparedProbe(plan, save_cert=target)
    address, sender, password = _recipient_setup(settings, plan, rcpt)
    return PreparedProbe(plan, address, sender, target, password)



def _recipient_setup(settings: Settings, plan: Plan, rcpt: str) -> tuple[str, str, str | None]:
    """(recipient, envelope sender, password) for ``rcpt``; ConfigError when one is missing."""
    from mailtui.config.addresses import parse_mailbox
    from mailtui.errors import ConfigError
    from mailtui.javamail.resolve import password_for

    try:
        address = parse_mailbox(rcpt).addr_spec
    except ValueError as exc:
        raise ConfigError(f"--rcpt: {rcpt!r} is not an email address: {exc}") from None
    if not plan.envelope_from:
        raise ConfigError("no sender for MAIL FROM",
                          hint="pass --from ADDR or set server.default_sender")
    return address, plan.envelope_from, password_for(settings, plan)


def _check_writable(path: Path) -> None:
    import os

    from mailtui.errors import ConfigError

    problem = ("is a directory" if path.is_dir() else
               "its directory does not exist" if not path.parent.is_dir() else
               "its directory is not writable" if not os.access(path.parent, os.W_OK) else None)
    if problem:
        raise ConfigError(f"--save-cert {path}: cannot write: {problem}",
                          hint="choose a file in a directory you can write")


def save_chain(path: Path, result: ProbeResult) -> SavedChain | None:
    """Write the chain (PEM, atomically, 0600); what was saved, or None when there was none."""
    from mailtui.errors import ConfigError
    from mailtui.files import atomic_write_private
    from mailtui.smtp.probe import chain_pem
    from mailtui.smtp.tls import CertificateInfo

    if not result.chain:
        return None
    try:
        atomic_write_private(path, chain_pem(result.chain))
    except OSError as exc:
        raise ConfigError(f"--save-cert {path}: cannot write: {exc.strerror or exc}",
                          hint="choose a file in a directory you can write") from None
    certificates = []
    for der in result.chain:
        info = CertificateInfo.from_der(der)
        certificates.append(SavedCertificate(info.subject, info.issuer, info.sha256,
                                             info.self_signed))
    return SavedChain(str(path), result.chain_verified, tuple(certificates))
