"""Cancelling a session from another thread (a UI's Cancel button, the CLI's Ctrl-C).

A :class:`CancelToken` is handed to ``run_test_send``, ``run_probe`` or a ``Deliverer``. The
session registers an abort callback for its live socket; ``cancel()`` (from any thread) sets
the flag and runs the callbacks, which shut the connection down so that a blocked ``recv``,
``connect`` or TLS handshake returns at once. The session checks the flag between stages,
sleeps its backoff delays with :meth:`CancelToken.wait`, and reports ``Stage.CANCELLED``.
Cancelling twice, or before anything started, is harmless.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from typing import TypeVar

_T = TypeVar("_T")


class CancelToken:
    """A thread-safe, one-way flag with callbacks run once when it is set."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self._lock = threading.Lock()
        self._callbacks: dict[int, Callable[[], None]] = {}
        self._next = 0

    def __repr__(self) -> str:
        return f"CancelToken(cancelled={self.cancelled})"

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def cancel(self) -> None:
        """Set the flag, then run every registered callback (once each, errors ignored)."""
        with self._lock:
            if self._event.is_set():
                return
            self._event.set()
            callbacks, self._callbacks = list(self._callbacks.values()), {}
        for callback in callbacks:
            with contextlib.suppress(Exception):
                callback()

    def wait(self, timeout: float | None) -> bool:
        """Sleep up to ``timeout`` seconds, waking at once when cancelled; True if cancelled."""
        return self._event.wait(timeout)

    def register(self, callback: Callable[[], None]) -> Callable[[], None]:
        """Call ``callback`` on cancel (at once if already cancelled); returns the function
        that unregisters it."""
        with self._lock:
            if not self._event.is_set():
                key = self._next
                self._next += 1
                self._callbacks[key] = callback
                return lambda: self._unregister(key)
        with contextlib.suppress(Exception):
            callback()
        return lambda: None

    def _unregister(self, key: int) -> None:
        with self._lock:
            self._callbacks.pop(key, None)

    @contextlib.contextmanager
    def registered(self, callback: Callable[[], None]) -> Iterator[None]:
        """``callback`` registered while the block runs."""
        unregister = self.register(callback)
        try:
            yield
        finally:
            unregister()


def unless_cancelled(token: CancelToken | None, work: Callable[[], _T], default: _T) -> _T:
    """``work()`` (a short diagnostic connection), or ``default`` as soon as ``token`` is
    cancelled: the work goes on in a daemon thread, bounded by its own timeout, and its
    result is dropped."""
    if token is None:
        return work()
    if token.cancelled:
        return default
    box: list[_T] = []
    errors: list[BaseException] = []
    done = threading.Event()

    def run() -> None:
        try:
            box.append(work())
        except BaseException as exc:  # handed to the caller's thread
            errors.append(exc)
        finally:
            done.set()

    threading.Thread(target=run, name="mailtui-diagnostic", daemon=True).start()
    with token.registered(done.set):
        done.wait()
    if token.cancelled:
        return default
    if errors:
        raise errors[0]
    return box[0] if box else default
