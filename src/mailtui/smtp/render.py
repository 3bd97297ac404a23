"""Plain-text rendering of transcripts and results for the headless commands."""

from __future__ import annotations

import sys
from typing import TextIO

from mailtui.smtp.stages import STAGE_LABELS, Stage
from mailtui.smtp.transcript import TranscriptEvent

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


def result_lines(ok: bool, stage: Stage, exit_code: int, during: Stage | None,
                 reply_code: int | None, enhanced: str | None, reply: str | None,
                 explanation: str | None, fix: str | None, duration: float,
                 success_text: str = "OK") -> list[str]:
    lines = [""]
    if ok:
        text = reply or ""
        if enhanced and not text.startswith(enhanced):
            text = f"{enhanced} {text}"
        server = f" ({reply_code} {text})" if reply_code else ""
        lines.append(f"result: {success_text}{server} in {duration:.3f} s")
    else:
        where = STAGE_LABELS.get(stage, str(stage)).upper()
        if during is not None and during != stage:
            where += f" during {STAGE_LABELS.get(during, str(during))}"
        lines.append(f"result: FAILED at {where} (exit {exit_code}) after {duration:.3f} s")
        if reply_code is not None:
            text = reply or ""
            if enhanced and not text.startswith(enhanced):
                text = f"{enhanced} {text}"
            lines.append(f"server: {reply_code} {text}".rstrip())
    if explanation:
        lines.append(f"why: {explanation}")
    if fix:
        lines.append(f"fix: {fix}")
    return lines
