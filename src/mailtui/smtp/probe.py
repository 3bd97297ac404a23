"""The capability probe: connect, EHLO, STARTTLS, EHLO, QUIT; sends no mail, no password.

With a recipient to try it also authenticates (when the plan does) and goes through MAIL FROM
and RCPT TO, then RSET and QUIT (swaks ``--quit-after RCPT``): still no mail. It can keep the
certificate chain the server presented (``probe --save-cert``).
"""

from __future__ import annotations

import contextlib
import hashlib
import smtplib
import socket
import ssl
import time
from dataclasses import dataclass, field
from typing import Any

from mailtui.javamail.plan import Plan
from mailtui.smtp import tls as tlsmod
from mailtui.smtp.auth import choose_mechanism
from mailtui.smtp.cancel import CancelToken
from mailtui.smtp.codes import ReplyCode
from mailtui.smtp.explain import explain
from mailtui.smtp.results import outcome_json, split_reply
from mailtui.smtp.session import Capabilities, Failure, Session, SessionError
from mailtui.smtp.stages import Stage
from mailtui.smtp.tls import CertificateInfo, TlsInfo
from mailtui.smtp.transaction import ascii_address
from mailtui.smtp.transcript import EventCallback, Transcript, TranscriptEvent, WaitCallback

CHAIN_FETCH_TIMEOUT = 10.0  # cap for the extra, unverified connection of fetch_chain


@dataclass
class RecipientCheck:
    """MAIL FROM + RCPT TO without DATA: would the server take mail for ``address``?"""

    sender: str
    address: str
    mail_reply_code: int | None = None
    mail_enhanced_code: str | None = None
    mail_reply: str | None = None
    accepted: bool | None = None  # None: the probe stopped before RCPT TO
    reply_code: int | None = None
    enhanced_code: str | None = None
    reply: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "sender": self.sender,
            "address": self.address,
            "mail_from": {"reply_code": self.mail_reply_code,
                          "enhanced_code": self.mail_enhanced_code, "reply": self.mail_reply},
            "accepted": self.accepted,
            "reply_code": self.reply_code,
            "enhanced_code": self.enhanced_code,
            "reply": self.reply,
        }


@dataclass
class ProbeResult:
    ok: bool
    stage: Stage
    exit_code: int
    during: Stage | None
    reply_code: int | None
    enhanced_code: str | None
    reply: str | None
    explanation: str | None
    fix: str | None
    duration_s: float
    greeting: str | None
    before_tls: Capabilities | None
    after_tls: Capabilities | None
    tls: TlsInfo | None
    certificate: CertificateInfo | None  # when verification failed: what the server showed
    assessment: list[str] = field(default_factory=list)
    transcript: list[TranscriptEvent] = field(default_factory=list)
    recipient: RecipientCheck | None = None
    chain: list[bytes] = field(default_factory=list)  # DER, leaf first (want_chain=True)
    chain_verified: bool = False  # the chain passed verification in this probe

    def to_json(self, plan: Plan) -> dict[str, Any]:
        return {
            **outcome_json(self),
            "host": plan.host,
            "port": plan.port,
            "security": plan.security,
            "greeting": self.greeting,
            "capabilities_before_tls": self.before_tls.to_json() if self.before_tls else None,
            "capabilities_after_tls": self.after_tls.to_json() if self.after_tls else None,
            "tls": self.tls.to_json() if self.tls else None,
            "certificate": self.certificate.to_json() if self.certificate else None,
            "assessment": list(self.assessment),
            "rcpt": self.recipient.to_json() if self.recipient else None,
            "transcript": [e.to_json() for e in self.transcript],
        }


def run_probe(
    plan: Plan,
    on_event: EventCallback | None = None,
    *,
    rcpt: str | None = None,
    sender: str | None = None,
    password: str | None = None,
    want_chain: bool = False,
    on_wait: WaitCallback | None = None,
    cancel: CancelToken | None = None,
) -> ProbeResult:
    """Probe the server of ``plan``; never raises for an SMTP failure.

    ``rcpt``: also authenticate (when the plan does, with ``password``) and try MAIL FROM
    ``sender`` / RCPT TO ``rcpt``, then RSET. ``want_chain``: keep the certificate chain the
    server presents (fetched without verification when the probe's own handshake failed).
    ``cancel`` ends it at once from another thread (``Stage.CANCELLED``, no QUIT waited for).
    """
    started = time.monotonic()
    transcript = Transcript(on_event, start=started, on_wait=on_wait)
    session = Session(plan, password=password, transcript=transcript, cancel=cancel)
    failure: Failure | None = None
    check = RecipientCheck(sender or "", rcpt) if rcpt is not None else None
    chain: list[bytes] = []
    try:
        session.connect(authenticate=check is not None)
        chain = _session_chain(session) if want_chain else []
        if check is not None:
            try_recipient(session, check)
    except SessionError as err:
        failure = session.scrub(err.failure)
    finally:
        session.close()
    if want_chain and not chain and not (cancel is not None and cancel.cancelled):
        # the handshake failed, or the session ended before
        chain = fetch_chain(plan, min(plan.timeouts.connect, CHAIN_FETCH_TIMEOUT))
    chain_verified = bool(chain) and _verified_leaf(plan, session, chain[0])
    assessment, predicted = assess(plan, session, failure)
    if failure is None:
        failure = predicted
    elif failure.stage == Stage.CANCELLED:
        assessment = []  # what was not seen yet cannot be judged ("STARTTLS NOT offered")
    if check is not None and check.accepted is not None:
        assessment.append(f"{check.address} tried with MAIL FROM and RCPT TO, then RSET: "
                          "no mail sent")
    before = session.capabilities_before_tls
    after = session.capabilities if session.tls is not None else None
    if plan.security == "implicit-tls":
        before = None
    elif session.tls is None:
        before = session.capabilities
    explanation = fix = None
    if failure is not None:
        failure.facts = {**session.facts(), **failure.facts}
        explanation, fix = explain(failure, plan)
    last = failure or (check if check is not None and check.accepted else None)
    return ProbeResult(
        ok=failure is None,
        stage=failure.stage if failure else Stage.DONE,
        exit_code=failure.exit_code if failure else 0,
        during=failure.during if failure else None,
        reply_code=last.reply_code if last else None,
        enhanced_code=last.enhanced_code if last else None,
        reply=last.reply if last else None,
        explanation=explanation,
        fix=fix,
        duration_s=time.monotonic() - started,
        greeting=session.greeting,
        before_tls=before,
        after_tls=after,
        tls=session.tls,
        certificate=failure.certificate if failure else None,
        assessment=assessment,
        transcript=list(transcript.events),
        recipient=check,
        chain=chain,
        chain_verified=chain_verified,
    )


def try_recipient(session: Session, check: RecipientCheck) -> None:
    """MAIL FROM, RCPT TO, RSET on the open session, filling ``check``. Raises SessionError
    (stage MAIL FROM or RCPT TO) when the server refuses; sends no DATA."""
    client = session.client
    assert client is not None and session.capabilities is not None
    caps = session.capabilities
    sender, address = check.sender, check.address
    with session._guard():
        client.stage = Stage.MAIL_FROM
        options = ""
        if not (sender + address).isascii():
            if caps.smtputf8:
                options = " SMTPUTF8"
                client.command_encoding = "utf-8"
            else:
                sender = ascii_address(session, sender, Stage.MAIL_FROM)
                address = ascii_address(session, address, Stage.RCPT)
        code, raw = client.docmd("MAIL", f"FROM:{smtplib.quoteaddr(sender)}{options}")
        check.mail_reply_code = code
        check.mail_enhanced_code, check.mail_reply = split_reply(code, raw)
        if code != ReplyCode.OK:
            raise SessionError(_refusal(Stage.MAIL_FROM, code, raw, sender, address))
        client.stage = Stage.RCPT
        code, raw = client.docmd("RCPT", f"TO:{smtplib.quoteaddr(address)}")
        check.accepted = code in (ReplyCode.OK, ReplyCode.WILL_FORWARD)
        check.reply_code = code
        check.enhanced_code, check.reply = split_reply(code, raw)
    client.command_encoding = "ascii"
    # The answer is known: a failing RSET changes nothing (QUIT follows).
    with contextlib.suppress(OSError, smtplib.SMTPException):
        client.docmd("RSET")
    if not check.accepted:
        raise SessionError(_refusal(Stage.RCPT, code, raw, sender, address))


def _refusal(stage: Stage, code: int, raw: bytes, sender: str, address: str) -> Failure:
    enhanced, text = split_reply(code, raw)
    facts: dict[str, Any] = {"sender": sender}
    if stage == Stage.RCPT:
        facts.update(rejected=[address], accepted=[])
    return Failure(stage, stage, "reply", reply_code=code, enhanced_code=enhanced, reply=text,
                   facts=facts)


# -- the certificate chain ----------------------------------------------------------------
def peer_chain(sock: ssl.SSLSocket) -> list[bytes]:
    """The chain the server sent (DER, leaf first). Python 3.13 has
    ``SSLSocket.get_unverified_chain()``; 3.10-3.12 the same method on the private
    ``_sslobj``; if neither is there, the leaf alone."""
    getter = getattr(sock, "get_unverified_chain", None) or getattr(
        getattr(sock, "_sslobj", None), "get_unverified_chain", None)
    certs = getter() if getter is not None else None
    if certs:
        return [c if isinstance(c, bytes) else c.public_bytes(ssl._ssl.ENCODING_DER)  # type: ignore[attr-defined]
                for c in certs]
    leaf = sock.getpeercert(binary_form=True)
    return [leaf] if leaf else []


def _verified_leaf(plan: Plan, session: Session, leaf: bytes) -> bool:
    """Did this probe verify the chain whose leaf is ``leaf`` (same certificate)?"""
    cert = session.tls.certificate if session.tls is not None else None
    return (cert is not None and tlsmod.verifies_chain(plan)
            and cert.sha256.replace(":", "") == hashlib.sha256(leaf).hexdigest().upper())


def _session_chain(session: Session) -> list[bytes]:
    sock = session.client.sock if session.client is not None else None
    return peer_chain(sock) if isinstance(sock, ssl.SSLSocket) else []


def fetch_chain(plan: Plan, timeout: float) -> list[bytes]:
    """The chain the server presents, fetched WITHOUT verification on a separate connection
    that stops after the handshake (STARTTLS when the plan is not implicit TLS)."""
    assert plan.host is not None
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    source = (plan.source_address, plan.source_port) if plan.source_address else None
    try:
        if plan.security == "implicit-tls":
            with socket.create_connection((plan.host, plan.port), timeout, source) as raw, \
                    context.wrap_socket(raw, server_hostname=plan.host) as sock:
                return peer_chain(sock)
        client = smtplib.SMTP(plan.host, plan.port, timeout=timeout,
                              local_hostname=plan.ehlo_name or "localhost",
                              source_address=source)
        try:
            client.ehlo()
            client.starttls(context=context)
            assert isinstance(client.sock, ssl.SSLSocket)
            return peer_chain(client.sock)
        finally:
            client.close()
    except (OSError, smtplib.SMTPException, ValueError):
        return []


def chain_pem(chain: list[bytes]) -> bytes:
    """The chain as a PEM bundle (usable as ``mailtui.ssl.cafile`` or by openssl)."""
    return "".join(ssl.DER_cert_to_PEM_cert(der) for der in chain).encode("ascii")


def _encryption_notes(plan: Plan, offered_tls: bool) -> list[str]:
    """What the security properties do with a server that does (not) offer STARTTLS."""
    if plan.security == "implicit-tls":
        return [f"implicit TLS on port {plan.port}: encrypted from the first byte"]
    if plan.security == "starttls-required":
        return ["STARTTLS required and " + ("offered" if offered_tls else
                "NOT offered: a send would stop at the TLS stage (exit 22)")]
    if plan.security == "starttls-optional":
        if offered_tls:
            return ["STARTTLS enabled and offered: the session will be encrypted"]
        if plan.auth:
            return ["STARTTLS enabled but NOT offered: a send would stop at the TLS stage "
                    "(mailtui never sends a password in clear)"]
        return ["STARTTLS enabled but NOT offered: mail would go unencrypted"]
    notes = ["no encryption (mail.smtp.starttls.enable and ssl.enable are off)"]
    if offered_tls:
        notes.append("the server offers STARTTLS: set mail.smtp.starttls.enable=true "
                     "and mail.smtp.starttls.required=true")
    if plan.auth:
        notes.append("authentication without encryption: a send would stop at the TLS "
                     "stage (credentials are never sent in clear)")
    return notes


def assess(
    plan: Plan, session: Session, failure: Failure | None
) -> tuple[list[str], Failure | None]:
    """What the current properties would do with what the server offers, and the failure a
    send would meet (before MAIL FROM) if any."""
    predicted: Failure | None = None
    caps = session.capabilities
    before = session.capabilities_before_tls or caps
    offered_tls = bool(before and before.starttls)
    notes = _encryption_notes(plan, offered_tls)
    if session.tls is not None:
        notes.append(f"certificate: {session.tls.verification}")
    if failure is not None or caps is None:
        return notes, None

    if plan.security == "starttls-optional" and not offered_tls and plan.auth:
        predicted = Failure(Stage.TLS, Stage.TLS, "tls-needed-for-auth")
    elif plan.security == "none" and plan.auth:
        predicted = Failure(Stage.TLS, Stage.TLS, "auth-needs-tls",
                            facts={"starttls_offered": offered_tls})

    if plan.auth:
        if not caps.auth:
            notes.append("mail.smtp.auth=true but the server offers no AUTH: a send would "
                         "stop at the AUTH stage (exit 23)")
            predicted = predicted or Failure(Stage.AUTH, Stage.AUTH, "auth-not-offered")
        else:
            mechanism = choose_mechanism(plan.mechanisms, caps.auth)
            if session.mechanism:
                notes.append(f"authenticated as {plan.username} with {session.mechanism}")
            elif mechanism:
                notes.append(f"would authenticate as {plan.username or '(no username!)'} "
                             f"with {mechanism} (server offers {' '.join(caps.auth)}; "
                             f"properties allow {' '.join(plan.mechanisms) or 'none'})")
            else:
                notes.append(f"no usable AUTH mechanism: server offers {' '.join(caps.auth)}, "
                             f"properties allow {' '.join(plan.mechanisms) or 'none'}")
                predicted = predicted or Failure(
                    Stage.AUTH, Stage.AUTH, "auth-no-mechanism",
                    facts={"offered": list(caps.auth), "mechanisms": list(plan.mechanisms)})
    elif caps.auth:
        notes.append(f"no authentication (mail.smtp.auth=false); the server offers AUTH "
                     f"{' '.join(caps.auth)}: if it does not relay for this machine, set "
                     "mail.smtp.auth=true")
    else:
        notes.append("no authentication (mail.smtp.auth=false), none offered")
    if caps.size:
        notes.append(f"messages up to {caps.size:,} bytes")
    notes.append("internationalised addresses (SMTPUTF8): " + (
        "supported" if caps.smtputf8 else "not supported (IDN domains go out as punycode)"))
    if caps.pipelining:
        notes.append("PIPELINING offered: batch sends pipeline MAIL/RCPT")
    if (plan.dsn_notify or plan.dsn_ret) and not caps.dsn:
        notes.append("mail.smtp.dsn.* set but the server does not offer DSN: ignored")
    return notes, predicted
