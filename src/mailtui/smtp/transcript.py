"""Transcript events of an SMTP session, emitted live, with absolute redaction of secrets."""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from mailtui.smtp.stages import Stage

Direction = Literal["client", "server", "info"]
EventCallback = Callable[["TranscriptEvent"], None]
WaitCallback = Callable[["WaitNotice"], None]


@dataclass(frozen=True)
class TranscriptEvent:
    """One line of the conversation: who said it, when, whether the link was encrypted."""

    t: float  # seconds since the session started
    dir: Direction
    tls: bool
    stage: Stage
    text: str

    def to_json(self) -> dict[str, Any]:
        return {
            "t": round(self.t, 4),
            "dir": self.dir,
            "tls": self.tls,
            "stage": str(self.stage),
            "text": self.text,
        }


@dataclass(frozen=True)
class WaitNotice:
    """The session is blocked on the server: what it waits for and how long it will wait.

    Sent when a wait starts (``done`` false) and when it ends (``done`` true: the reply came,
    or the wait failed), always before the line that ended it is recorded. Data only: a
    terminal shows a ticker, an app a status line ("waiting for the greeting… 12 s of 60 s").
    """

    t: float  # seconds since the session started
    stage: Stage
    what: str  # "the greeting", "the server's reply to RCPT TO", "the TLS handshake", ...
    timeout: float  # seconds before the session gives up
    done: bool = False
    doing: str | None = None  # instead of "waiting for <what>": "checking whether ..."

    def text(self, elapsed: float, ellipsis: str = "…") -> str:
        head = self.doing or f"waiting for {self.what}"
        return f"{head}{ellipsis} {int(elapsed)} s of {self.timeout:g} s"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


class Redactor:
    """Second line of defence: scrubs every known secret form from any text.

    The engine never records AUTH payloads in the first place (it writes markers instead);
    this catches anything else (a server echoing a payload, an exception message).
    """

    MARK = "[redacted]"

    def __init__(self) -> None:
        self._forms: list[str] = []

    def add_secret(self, secret: str | bytes | None, *, min_length: int = 3) -> None:
        if not secret:
            return
        raw = secret if isinstance(secret, bytes) else secret.encode("utf-8")
        if len(raw) < min_length:
            return
        forms = {raw.decode("utf-8", "replace"), _b64(raw)}
        # The base64 of the secret at each alignment inside a longer payload: the inner,
        # alignment-independent characters are the same for any prefix of that length.
        for pad in (0, 1, 2):
            encoded = _b64(b"\0" * pad + raw)
            inner = encoded[4 : len(encoded) - 4]
            if len(inner) >= 8:
                forms.add(inner)
        for form in forms:
            if form and form not in self._forms:
                self._forms.append(form)
        self._forms.sort(key=len, reverse=True)

    def add_payload(self, payload: bytes) -> None:
        """A whole AUTH payload (clear and base64) that must never be shown."""
        self.add_secret(payload, min_length=1)

    def add_credentials(self, username: str | None, password: str | None) -> None:
        """Every form a login may take on the wire, registered before any is sent: the
        password, and the PLAIN payloads (``\\0user\\0password``, ``user\\0password``), in
        clear and base64, so a server that echoes one back is scrubbed too."""
        if not password:
            return
        self.add_secret(password)
        self.add_payload(_b64(password.encode()).encode())
        user = username or ""
        for payload in (f"\0{user}\0{password}", f"{user}\0{password}"):
            self.add_payload(payload.encode())

    def scrub(self, text: str) -> str:
        for form in self._forms:
            if form in text:
                text = text.replace(form, self.MARK)
        return text


class Transcript:
    """Records events and hands each one to the callback as soon as it happens.

    ``keep=False`` keeps nothing (a long batch on one connection would otherwise hold every
    event); with no callback either, nobody listens and the DATA summary is not even built.
    """

    def __init__(self, on_event: EventCallback | None = None, *, start: float | None = None,
                 keep: bool = True, on_wait: WaitCallback | None = None):
        self.start = time.monotonic() if start is None else start
        self.events: list[TranscriptEvent] = []
        self.on_event = on_event
        self.on_wait = on_wait
        self.keep = keep
        self.redactor = Redactor()

    @contextlib.contextmanager
    def waiting(self, stage: Stage, what: str, timeout: float,
                doing: str | None = None) -> Iterator[None]:
        """Wrap a blocking wait on the server: a WaitNotice before, and one (done) after."""
        on_wait = self.on_wait
        if on_wait is None:
            yield
            return
        notice = WaitNotice(self.elapsed(), stage, what, timeout, doing=doing)
        on_wait(notice)
        try:
            yield
        finally:
            on_wait(dataclasses.replace(notice, t=self.elapsed(), done=True))

    @property
    def listening(self) -> bool:
        return self.keep or self.on_event is not None

    def elapsed(self) -> float:
        return time.monotonic() - self.start

    def add(self, direction: Direction, text: str, *, stage: Stage, tls: bool) -> TranscriptEvent:
        event = TranscriptEvent(self.elapsed(), direction, tls, stage, self.redactor.scrub(text))
        if self.keep:
            self.events.append(event)
        if self.on_event is not None:
            self.on_event(event)
        return event



# -- the DATA section: headers and a one-line summary of the body ----------------------------

BodyNote = Callable[[bytes, list[str]], str | None]


def _smime_note(body: bytes, headers: list[str]) -> str | None:
    """'S/MIME signed' / 'S/MIME encrypted' when the top-level Content-Type says so."""
    content_type = ""
    for line in _unfold(headers):
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-type":
            content_type = value.lower()
    if "multipart/signed" in content_type and "pkcs7-signature" in content_type:
        return "S/MIME signed"
    if "application/pkcs7-mime" in content_type or "application/x-pkcs7-mime" in content_type:
        if "signed-data" in content_type:
            return "S/MIME signed (opaque)"
        return "S/MIME encrypted"
    return None


# Hooks adding words to the body summary (S/MIME by default); others may append.
BODY_NOTES: list[BodyNote] = [_smime_note]


def _unfold(headers: Iterable[str]) -> list[str]:
    out: list[str] = []
    for line in headers:
        if line[:1] in (" ", "\t") and out:
            out[-1] += " " + line.strip()
        else:
            out.append(line)
    return out


def split_message(message: bytes) -> tuple[list[str], bytes]:
    """Header lines (as sent, decoded for display) and the body bytes."""
    head, sep, body = message.partition(b"\r\n\r\n")
    if not sep:
        head, sep, body = message.partition(b"\n\n")
    if not sep:  # no body at all
        head, body = message, b""
    lines = [ln.decode("utf-8", "replace") for ln in head.splitlines()]
    return lines, body


def body_summary(message: bytes, notes: Iterable[BodyNote] | None = None) -> tuple[list[str], str]:
    """The header lines to show, and ``[body: 12 lines, 3,456 bytes]``."""
    headers, body = split_message(message)
    line_count = body.count(b"\n") + (0 if not body or body.endswith(b"\n") else 1)
    words = [f"{line_count} line{'s' if line_count != 1 else ''}", f"{len(body):,} bytes"]
    for note in BODY_NOTES if notes is None else notes:
        extra = note(body, headers)
        if extra:
            words.append(extra)
    return headers, f"[body: {', '.join(words)}]"


@dataclass
class EventLog:
    """A plain list collector usable as ``on_event`` (tests, the batch sender)."""

    events: list[TranscriptEvent] = field(default_factory=list)

    def __call__(self, event: TranscriptEvent) -> None:
        self.events.append(event)
