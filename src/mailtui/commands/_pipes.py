"""Output that survives its reader going away (``mailtui send --batch F | head -1``).

The rule: a closed stdout (or stderr) never changes what a command does. The first write that
fails with EPIPE points the descriptor at /dev/null and every later write is dropped, so the
command finishes its work (every message is sent, every result journaled) and exits with the
code of that work; the CLI then says once on stderr that the output was discarded.
"""

from __future__ import annotations

import errno
import os
from typing import Any


class _State:
    def __init__(self) -> None:
        self.broken = False

    def mark_broken(self, stream: Any) -> None:
        """Stop writing: the rest of the output (and Python's flush at exit) goes nowhere."""
        self.broken = True
        try:
            fd = stream.fileno()
        except (OSError, ValueError, AttributeError):
            return  # not a real descriptor (an in-memory stream): dropping writes is enough
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, fd)
        finally:
            os.close(devnull)


def _is_broken_pipe(exc: OSError) -> bool:
    return isinstance(exc, BrokenPipeError) or exc.errno == errno.EPIPE


class GuardedStream:
    """Wraps a text stream (and its ``buffer``): writes after a broken pipe are dropped."""

    def __init__(self, stream: Any, state: _State | None = None) -> None:
        self._stream = stream
        self._state = state or _State()

    @property
    def broken(self) -> bool:
        return self._state.broken

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)

    @property
    def buffer(self) -> GuardedStream:
        return GuardedStream(self._stream.buffer, self._state)

    def _guarded(self, method: str, *args: Any) -> Any:
        if self._state.broken:
            return None
        try:
            return getattr(self._stream, method)(*args)
        except OSError as exc:
            if not _is_broken_pipe(exc):
                raise
            self._state.mark_broken(self._stream)
            return None

    def write(self, data: Any) -> int:
        self._guarded("write", data)
        return len(data)

    def writelines(self, lines: Any) -> None:
        self._guarded("writelines", lines)

    def flush(self) -> None:
        self._guarded("flush")


def guard(stream: Any) -> GuardedStream:
    """``stream`` guarded; a missing stream (started with the descriptor closed) counts as
    already broken."""
    if stream is None:
        state = _State()
        state.broken = True
        return GuardedStream(open(os.devnull, "w", encoding="utf-8"), state)
    return GuardedStream(stream)
