"""On a terminal, what the SMTP session is waiting for, updated in place once a second.

``mailtui: waiting for the greeting… 12 s of 60 s`` on stderr while the server is silent,
erased as soon as the wait ends (before the reply is printed). The session only emits
:class:`~mailtui.smtp.transcript.WaitNotice` data; this module is the terminal's view of it.
Nothing is shown when stderr is not a terminal, nor for waits shorter than a second.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any, TextIO

CLEAR = "\r\x1b[K"


class WaitTicker:
    """An ``on_wait`` callback drawing one status line on ``stream`` from a small thread."""

    def __init__(self, stream: TextIO, *, delay: float = 1.0) -> None:
        self.stream = stream
        self.delay = delay
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
        self.ellipsis = "…" if encoding.startswith("utf") else "..."
        self._cond = threading.Condition()
        self._notice: Any = None
        self._since = 0.0
        self._shown = False
        self._closed = False
        self._thread: threading.Thread | None = None

    def __enter__(self) -> WaitTicker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __call__(self, notice: Any) -> None:
        with self._cond:
            if notice.done:
                self._erase()  # in the session's thread: gone before the reply is printed
                self._notice = None
            else:
                self._notice, self._since = notice, time.monotonic()
                if self._thread is None:
                    self._thread = threading.Thread(target=self._loop, name="mailtui-ticker",
                                                    daemon=True)
                    self._thread.start()
            self._cond.notify()

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._erase()
            self._cond.notify()
        if self._thread is not None:
            self._thread.join(timeout=2)

    def _loop(self) -> None:
        with self._cond:
            while not self._closed:
                if self._notice is None:
                    self._cond.wait()
                    continue
                elapsed = time.monotonic() - self._since
                if elapsed >= self.delay:
                    line = "mailtui: " + self._notice.text(elapsed, self.ellipsis)
                    self._write(CLEAR + line[: self._width()])  # one row, or \r cannot erase it
                    self._shown = True
                    # the next whole second of the wait
                    self._cond.wait(timeout=int(elapsed) + 1 - elapsed + 0.01)
                else:
                    self._cond.wait(timeout=self.delay - elapsed)

    def _width(self) -> int:
        try:
            columns = os.get_terminal_size(self.stream.fileno()).columns
        except (AttributeError, ValueError, OSError):
            columns = 0
        return max(20, columns - 1) if columns > 0 else 79  # 0: the size is not known

    def _erase(self) -> None:
        if self._shown:
            self._write(CLEAR)
            self._shown = False

    def _write(self, text: str) -> None:
        with contextlib.suppress(OSError, ValueError):
            self.stream.write(text)
            self.stream.flush()


@contextlib.contextmanager
def wait_ticker(stream: TextIO | None = None) -> Iterator[WaitTicker | None]:
    """A ticker on ``stream`` (default stderr) while the block runs when it is a terminal,
    else None (nobody to show it to: the session then skips the notices altogether)."""
    stream = stream or sys.stderr
    try:
        interactive = stream.isatty()
    except (AttributeError, ValueError, OSError):
        interactive = False
    if not interactive:
        yield None
        return
    with WaitTicker(stream) as ticker:
        yield ticker
