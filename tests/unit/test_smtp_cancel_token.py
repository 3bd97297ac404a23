"""The CancelToken on its own: thread-safe, one-way, callbacks once, waits that wake."""

from __future__ import annotations

import threading
import time

import pytest

from mailtui.smtp.cancel import CancelToken, unless_cancelled


def test_cancel_runs_each_callback_once_and_is_idempotent() -> None:
    token = CancelToken()
    calls: list[str] = []
    token.register(lambda: calls.append("a"))
    unregister = token.register(lambda: calls.append("b"))
    unregister()
    assert not token.cancelled
    token.cancel()
    token.cancel()
    assert token.cancelled and calls == ["a"]


def test_registering_after_cancel_runs_the_callback_at_once() -> None:
    token = CancelToken()
    token.cancel()
    calls: list[int] = []
    token.register(lambda: calls.append(1))
    assert calls == [1]


def test_a_failing_callback_does_not_stop_the_others() -> None:
    token = CancelToken()
    calls: list[int] = []

    def broken() -> None:
        raise OSError("already closed")

    token.register(broken)
    token.register(lambda: calls.append(1))
    token.cancel()
    assert calls == [1]


def test_wait_wakes_as_soon_as_another_thread_cancels() -> None:
    token = CancelToken()
    assert token.wait(0.01) is False
    threading.Timer(0.1, token.cancel).start()
    started = time.monotonic()
    assert token.wait(30) is True
    assert time.monotonic() - started < 5  # not the 30 s


def test_unless_cancelled_gives_up_on_slow_work_when_cancelled() -> None:
    token = CancelToken()
    release = threading.Event()

    def slow() -> str:
        release.wait(30)
        return "late"

    threading.Timer(0.1, token.cancel).start()
    started = time.monotonic()
    assert unless_cancelled(token, slow, "default") == "default"
    assert time.monotonic() - started < 5
    release.set()


def test_unless_cancelled_returns_the_work_or_raises_its_error() -> None:
    token = CancelToken()
    assert unless_cancelled(token, lambda: 42, 0) == 42
    assert unless_cancelled(None, lambda: 42, 0) == 42

    def broken() -> int:
        raise ValueError("bad")

    with pytest.raises(ValueError, match="bad"):
        unless_cancelled(token, broken, 0)
    token.cancel()
    assert unless_cancelled(token, lambda: 42, 0) == 0  # cancelled: not even started
