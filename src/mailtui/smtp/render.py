"""Plain-text rendering of transcripts and results for the headless commands."""

from __future__ import annotations

import io
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, TextIO

from mailtui.smtp.stages import STAGE_LABELS, Stage
from mailtui.smtp.transcript import TranscriptEvent

if TYPE_CHECKING:
    from mailtui.smtp.results import Outcome

MARKS = {"client": "C:", "server": "S:", "info": " *"}


def _lock(stream: TextIO) -> tuple[str, str]:
    encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
    if encoding.startswith("utf"):
        return "🔒", "  "
    return "[tls]", "     "


class LiveTranscript:
    """An ``on_event`` callback printing each event as it happens, with timings.

    ``[  0.123] 🔒 S: 250 OK   (+4 ms)``: the offset since the start, a lock when the line
    went over TLS, C: client / S: server / * info, and for server replies the wait since the
    previous client line.
    """

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stdout
        self.lock, self.no_lock = _lock(self.stream)
        self._last_client: float | None = None

    def format(self, event: TranscriptEvent) -> str:
        mark = MARKS[event.dir]
        lock = self.lock if event.tls else self.no_lock
        line = f"[{event.t:8.3f}] {lock} {mark} {event.text}"
        if event.dir == "client":
            self._last_client = event.t
        elif event.dir == "server" and self._last_client is not None:
            line += f"   (+{(event.t - self._last_client) * 1000:.0f} ms)"
            self._last_client = None
        return line

    def __call__(self, event: TranscriptEvent) -> None:
        self.stream.write(self.format(event) + "\n")
        self.stream.flush()


def plain_transcript(events: Iterable[TranscriptEvent]) -> list[str]:
    """The transcript as ``LiveTranscript`` prints it, in plain ASCII (``[tls]`` for the
    lock): for a file, a clipboard or a ticket. Events are already redacted."""
    live = LiveTranscript(io.StringIO())
    return [live.format(event) for event in events]


def probe_lines(result: Any) -> list[str]:
    """What a probe found: the capabilities before and after TLS, the TLS session and the
    certificate (or the certificate presented when verification failed)."""
    lines: list[str] = []
    if result.before_tls is not None or result.after_tls is None:
        lines.append("before TLS: " + (result.before_tls.summary() if result.before_tls
                                       else "(not reached)"))
    if result.after_tls is not None:
        lines.append("after TLS:  " + result.after_tls.summary())
    if result.tls is not None:
        lines += ["", *result.tls.lines()]
    elif result.certificate is not None:
        cert = result.certificate
        lines += ["", f"certificate presented: {cert.subject}; issuer {cert.issuer}",
                  f"certificate names: {cert.names_text()}",
                  f"certificate valid: {cert.not_before:%Y-%m-%d} to {cert.not_after:%Y-%m-%d}",
                  f"certificate SHA-256: {cert.sha256}"]
    return lines


def reply_text(code: int | None, enhanced: str | None, reply: str | None) -> str:
    """``250 2.0.0 OK queued``: the code, the enhanced status code (once), the text."""
    text = reply or ""
    if enhanced and not text.startswith(enhanced):
        text = f"{enhanced} {text}"
    return f"{code} {text}".rstrip() if code is not None else text


def result_lines(result: Outcome, success_text: str = "OK") -> list[str]:
    """The end of a run: outcome, the server's last word, why, and the fix. ``result`` is a
    SessionResult, ProbeResult or Delivery (``duration_s`` None: no timing shown)."""
    duration = getattr(result, "duration_s", None)
    lines = [""]
    if result.ok:
        server = f" ({reply_text(result.reply_code, result.enhanced_code, result.reply)})" \
            if result.reply_code else ""
        timing = f" in {duration:.3f} s" if duration is not None else ""
        lines.append(f"result: {success_text}{server}{timing}")
    else:
        stage, during = result.stage, result.during
        where = STAGE_LABELS.get(stage, str(stage)).upper()
        if during is not None and during != stage:
            where += f" during {STAGE_LABELS.get(during, str(during))}"
        timing = f" after {duration:.3f} s" if duration is not None else ""
        if stage == Stage.CANCELLED:  # not a failure of the server: say what was interrupted
            where = "CANCELLED" + (f" during {STAGE_LABELS.get(during, str(during))}"
                                   if during is not None else "")
            lines.append(f"result: {where} (exit {result.exit_code}){timing}")
        else:
            lines.append(f"result: FAILED at {where} (exit {result.exit_code}){timing}")
        if result.reply_code is not None:
            lines.append("server: " + reply_text(result.reply_code, result.enhanced_code,
                                                 result.reply))
    if result.explanation:
        lines.append(f"why: {result.explanation}")
    if result.fix:
        lines.append(f"fix: {result.fix}")
    return lines
