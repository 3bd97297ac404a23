"""Ctrl-C cancels a session the way an app's Cancel button does: through a CancelToken.

The SMTP work runs in a worker thread; the main thread (where Python delivers SIGINT) waits
for it, and on Ctrl-C cancels the token, which shuts the connection down at once. The work
then returns its own result (``Stage.CANCELLED``, exit 130), printed like any other, and a
batch journals the true state of the message in flight. A second Ctrl-C, or work that does not
finish within ``GRACE`` seconds (stuck in a DNS lookup, which nothing can interrupt), ends the
wait: the CLI then reports ``interrupted`` (exit 130).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from mailtui.smtp.cancel import CancelToken

_T = TypeVar("_T")

GRACE = 2.0  # seconds the cancelled work gets to return its result


def run_interruptible(work: Callable[[CancelToken], _T]) -> _T:
    """``work(token)`` in a worker thread; Ctrl-C cancels ``token``. Returns what ``work``
    returns, re-raises what it raises, raises KeyboardInterrupt if it does not return."""
    token = CancelToken()
    results: list[_T] = []
    errors: list[BaseException] = []

    done = threading.Event()  # not Thread.join(): an interrupted join() may mark a running
    # thread as stopped (Python 3.11, bpo-45274)

    def target() -> None:
        try:
            results.append(work(token))
        except BaseException as exc:  # handed over to the main thread
            errors.append(exc)
        finally:
            done.set()

    threading.Thread(target=target, name="mailtui-session", daemon=True).start()
    try:
        done.wait()
    except KeyboardInterrupt:
        token.cancel()
        if not done.wait(GRACE):  # a second Ctrl-C interrupts this wait too
            raise
    if errors:
        raise errors[0]
    return results[0]
