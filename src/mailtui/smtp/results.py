"""Results of SMTP sessions: capabilities, failures, per-recipient and whole-send outcomes."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, get_args

from mailtui.smtp import tls as tlsmod
from mailtui.smtp.stages import Stage
from mailtui.smtp.transcript import TranscriptEvent

_ENHANCED = re.compile(r"^([245]\.\d{1,3}\.\d{1,3})(?:\s|$)")

# Why a session stopped, beyond its stage: the explainer's table (smtp/failure_rules.py) and the
# retry rule (outbox/deliver.py) match on it.
FailureKind = Literal[
    # the settings, before any connection
    "no-host", "no-username", "no-password", "no-sender", "tls-config",
    # the network
    "dns", "refused", "unreachable", "timeout", "lost", "not-smtp",
    # TLS
    "tls-handshake", "tls-closed-after-handshake", "plaintext-on-tls-port", "tls-not-offered",
    "tls-needed-for-auth", "auth-needs-tls",
    "cert-hostname", "cert-expired", "cert-self-signed", "cert-untrusted", "cert-pin-mismatch",
    # AUTH
    "auth-not-offered", "auth-no-mechanism",
    # the server's answer: a refusal, some recipients refused, no SMTPUTF8 for an IDN address
    "reply", "partial", "smtputf8",
    # cancel() from another thread, or Ctrl-C (Stage.CANCELLED, exit 130)
    "cancelled",
]
FAILURE_KINDS: frozenset[str] = frozenset(get_args(FailureKind))


@dataclass(frozen=True)
class Capabilities:
    """What one EHLO reply advertised (smtplib's parsed ``esmtp_features``)."""

    features: dict[str, str]
    esmtp: bool = True

    def has(self, name: str) -> bool:
        return name.lower() in self.features

    @property
    def size(self) -> int | None:
        value = self.features.get("size")
        if value is None:
            return None
        try:
            return int(value.split()[0]) if value.strip() else 0
        except ValueError:
            return 0

    @property
    def auth(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.features.get("auth", "").upper().split()))

    @property
    def starttls(self) -> bool:
        return self.has("starttls")

    @property
    def pipelining(self) -> bool:
        return self.has("pipelining")

    @property
    def smtputf8(self) -> bool:
        return self.has("smtputf8")

    @property
    def eightbitmime(self) -> bool:
        return self.has("8bitmime")

    @property
    def dsn(self) -> bool:
        return self.has("dsn")

    def to_json(self) -> dict[str, Any]:
        return {
            "esmtp": self.esmtp,
            "size": self.size,
            "auth": list(self.auth),
            "starttls": self.starttls,
            "pipelining": self.pipelining,
            "smtputf8": self.smtputf8,
            "8bitmime": self.eightbitmime,
            "dsn": self.dsn,
            "chunking": self.has("chunking"),
            "enhancedstatuscodes": self.has("enhancedstatuscodes"),
            "extensions": sorted(k.upper() for k in self.features),
        }

    def summary(self) -> str:
        if not self.esmtp:
            return "no ESMTP (HELO only): no extensions"
        size = self.size
        parts = [
            "SIZE " + (("unlimited" if size == 0 else f"{size:,} bytes") if size is not None
                       else "not advertised"),
            "AUTH " + (" ".join(self.auth) if self.auth else "not offered"),
        ]
        for label, present in (("STARTTLS", self.starttls), ("PIPELINING", self.pipelining),
                               ("SMTPUTF8", self.smtputf8), ("8BITMIME", self.eightbitmime),
                               ("DSN", self.dsn)):
            parts.append(f"{label} {'yes' if present else 'no'}")
        return ", ".join(parts)


@dataclass
class Failure:
    """Where and why a session stopped. ``stage`` gives the exit code; ``during`` is the
    protocol stage it happened in (they differ for timeouts and lost connections)."""

    stage: Stage
    during: Stage
    kind: FailureKind
    reply_code: int | None = None
    enhanced_code: str | None = None
    reply: str | None = None
    detail: str | None = None
    certificate: tlsmod.CertificateInfo | None = None
    facts: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind not in FAILURE_KINDS:  # a typo would silently match no explanation
            raise ValueError(f"unknown failure kind {self.kind!r}")

    @property
    def exit_code(self) -> int:
        return self.stage.exit_code


class SessionError(Exception):
    """An SMTP failure; ``recoverable`` when the connection can carry the next message."""

    def __init__(self, failure: Failure, *, recoverable: bool = False) -> None:
        super().__init__(failure.detail or failure.reply or failure.kind)
        self.failure = failure
        self.recoverable = recoverable


@dataclass(frozen=True)
class RecipientResult:
    """The reply to one RCPT TO, parsed by :func:`split_reply` like every other reply."""

    address: str
    accepted: bool
    code: int
    reply: str  # the text, without the enhanced status code
    enhanced_code: str | None = None

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class SendResult:
    recipients: tuple[RecipientResult, ...]
    reply_code: int
    reply: str  # the final reply after the data (queue id, usually), as split_reply gives it
    enhanced_code: str | None = None

    @property
    def accepted(self) -> tuple[str, ...]:
        return tuple(r.address for r in self.recipients if r.accepted)

    @property
    def rejected(self) -> tuple[RecipientResult, ...]:
        return tuple(r for r in self.recipients if not r.accepted)


@dataclass
class SessionResult:
    """The outcome of one test send (SPEC §4 ``send-test --json``)."""

    ok: bool
    stage: Stage
    exit_code: int
    reply_code: int | None
    enhanced_code: str | None
    reply: str | None
    explanation: str
    fix: str | None
    duration_s: float
    transcript: list[TranscriptEvent]
    during: Stage | None = None
    recipients: list[RecipientResult] = field(default_factory=list)
    tls: tlsmod.TlsInfo | None = None
    message_sent: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            **outcome_json(self),
            "message_sent": self.message_sent,
            "recipients": [r.to_json() for r in self.recipients],
            "tls": self.tls.to_json() if self.tls else None,
            "transcript": [e.to_json() for e in self.transcript],
        }


class Outcome(Protocol):
    """Where a session ended: what a :class:`SessionResult`, an ``smtp.probe.ProbeResult`` and
    an ``outbox.deliver.Delivery`` have in common (read-only here)."""

    @property
    def ok(self) -> bool: ...
    @property
    def stage(self) -> Stage: ...
    @property
    def during(self) -> Stage | None: ...
    @property
    def exit_code(self) -> int: ...
    @property
    def reply_code(self) -> int | None: ...
    @property
    def enhanced_code(self) -> str | None: ...
    @property
    def reply(self) -> str | None: ...
    @property
    def explanation(self) -> str | None: ...
    @property
    def fix(self) -> str | None: ...


class TimedOutcome(Outcome, Protocol):
    """An :class:`Outcome` that was timed (a test send, a probe)."""

    @property
    def duration_s(self) -> float: ...


def outcome_json(result: TimedOutcome) -> dict[str, Any]:
    """The fields a test send and a probe report alike: where it ended, the server's last
    word, and what it means."""
    return {
        "ok": result.ok,
        "stage": str(result.stage),
        "during": str(result.during) if result.during else None,
        "exit_code": result.exit_code,
        "reply_code": result.reply_code,
        "enhanced_code": result.enhanced_code,
        "reply": result.reply,
        "explanation": result.explanation,
        "fix": result.fix,
        "duration_s": round(result.duration_s, 4),
    }


def split_reply(code: int, raw: bytes) -> tuple[str | None, str]:
    """(enhanced status code, text) of a reply; continuation lines' enhanced codes dropped.

    The one reply parser: every result (test send, probe, delivery, batch record, recipient)
    carries ``enhanced_code`` and ``reply`` as it returns them."""
    lines = raw.decode("utf-8", "replace").split("\n")
    enhanced = None
    texts = []
    for index, line in enumerate(lines):
        match = _ENHANCED.match(line)
        if match and code >= 200:
            if index == 0:
                enhanced = match.group(1)
            line = line[match.end():]
        texts.append(line.strip())
    return enhanced, " ".join(t for t in texts if t)
