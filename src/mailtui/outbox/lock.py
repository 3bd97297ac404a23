"""The advisory lock of a batch run: two runs of the same batch never share a results file.

Overlapping cron jobs would otherwise both read the journal before either wrote to it and send
every message twice. The lock is an ``fcntl.flock`` on ``RESULTS.lock`` beside the results
file, held from before the journal is read until the run ends; the file holds the PID of the
run that owns it, so the run that is refused can name it. The kernel releases the lock when
its process dies, so a crashed run never leaves a stale lock behind.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from mailtui.errors import ConfigError, Location

if TYPE_CHECKING:
    from mailtui.smtp.cancel import CancelToken

POLL = 0.1  # seconds between tries while waiting for the lock with a cancel token


class LockWaitCancelled(Exception):
    """Cancelled while waiting for another run to release the lock: nothing was sent."""


def lock_path(results: Path) -> Path:
    return results.with_name(results.name + ".lock")


def _holder(fd: int) -> int | None:
    """The PID written in the lock file by the run that holds it (None: not written yet)."""
    try:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def _still_linked(fd: int, path: Path) -> bool:
    """False when the run we waited for removed the lock file (we locked a dead inode)."""
    try:
        here, there = os.fstat(fd), os.stat(path)
    except OSError:
        return False
    return (here.st_dev, here.st_ino) == (there.st_dev, there.st_ino)


def _open(path: Path) -> int:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    except OSError as exc:
        raise ConfigError(f"cannot create the lock file of the results file: "
                          f"{exc.strerror or exc}", location=Location(str(path)),
                          hint="give a --results FILE in a writable folder") from None


def _block(fd: int, cancel: CancelToken | None) -> None:
    """Wait for the lock: in the kernel, or by polling when a cancel token may end the wait."""
    if cancel is None:
        fcntl.flock(fd, fcntl.LOCK_EX)
        return
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if cancel.wait(POLL):
                raise LockWaitCancelled from None


@contextlib.contextmanager
def hold_run_lock(
    results: Path,
    *,
    wait: bool = False,
    on_wait: Callable[[int | None], None] | None = None,
    cancel: CancelToken | None = None,
) -> Iterator[None]:
    """Hold the lock of ``results`` for the duration of the ``with`` block.

    When another run holds it: ConfigError (exit 3) naming its PID, or, with ``wait``, block
    until it ends (``on_wait(pid)`` is called once before blocking); ``cancel`` ends that wait
    at once (LockWaitCancelled).
    """
    path = lock_path(results)
    announced = False
    while True:
        fd = _open(path)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                pid = _holder(fd)
                who = f"another mailtui run (PID {pid})" if pid else "another mailtui run"
                if not wait:
                    raise ConfigError(
                        f"{who} is already sending with the results file {results}; "
                        "nothing was sent", location=Location(str(path)),
                        hint="let it finish and rerun (what it sent is skipped), or add "
                        "--wait to start when it ends") from None
                if on_wait is not None and not announced:
                    on_wait(pid)
                    announced = True
                _block(fd, cancel)
            if _still_linked(fd, path):
                break
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)  # the previous holder removed the file: lock the current one
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        yield
    finally:
        # Removed while still held: a run waiting on this inode sees it is gone and retries.
        with contextlib.suppress(OSError):
            path.unlink()
        os.close(fd)
