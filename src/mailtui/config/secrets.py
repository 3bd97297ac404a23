"""Secret sources: a plain value, an environment variable, or a command's stdout.

:class:`SecretRef` says where a secret comes from; :func:`resolve_secret` reads it.

A ``password_command`` runs with ``/bin/sh -c`` (pipes and quoting work as in a shell:
``pass show smtp | head -1``) in its own process group. Its secret is what it printed by the
time it exited: a background child that keeps stdout open is not waited for, and whatever the
command left running is killed with the group, as is everything on timeout.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mailtui.errors import ConfigError

if TYPE_CHECKING:  # subprocess and selectors load when a command is run, not with the settings
    import selectors

_MAX_OUTPUT = 1 << 20  # a secret is short; never buffer an endless stream
_SECRET_WORDS = ("password", "passwd", "secret", "token", ".pass")


def is_secret_name(name: str) -> bool:
    """True when a key's name says its value is a password, a secret or a token: such a value
    is never shown (``mailtui.javamail.catalog.is_secret_key`` adds the catalog's own)."""
    low = name.lower()
    return any(word in low for word in _SECRET_WORDS)


@dataclass(frozen=True)
class SecretRef:
    """Where a secret comes from: exactly one of a value, an environment variable, a command.

    ``field`` is the TOML key prefix it was read from (``server.password``), used in messages.
    """

    field: str
    value: str | None = None
    env: str | None = None
    command: str | None = None

    @property
    def is_set(self) -> bool:
        return any(x is not None for x in (self.value, self.env, self.command))

    @property
    def source(self) -> str:
        if self.value is not None:
            return "value"
        if self.env is not None:
            return f"environment variable {self.env}"
        if self.command is not None:
            return "command"
        return "none"

    def resolve(self, timeout: float = 10.0) -> str | None:
        """The secret, or None when no source is set. Raises ConfigError on failure."""
        return resolve_secret(self, timeout=timeout)

    def __repr__(self) -> str:  # never show the value
        return f"SecretRef(field={self.field!r}, source={self.source!r})"


def resolve_secret(ref: SecretRef, *, timeout: float = 10.0) -> str | None:
    if ref.value is not None:
        return ref.value
    if ref.env is not None:
        value = os.environ.get(ref.env)
        if value is None:
            raise ConfigError(
                f"{ref.field}_env names ${ref.env}, which is not set",
                hint=f"export {ref.env}=... in the environment that runs mailtui",
            )
        return value
    if ref.command is not None:
        return _run_command(ref, timeout)
    return None


def _run_command(ref: SecretRef, timeout: float) -> str:
    assert ref.command is not None
    name = f"{ref.field}_command"
    if not ref.command.strip():
        raise ConfigError(f"{name} is empty")
    try:
        returncode, out, err = _run_shell(ref.command, timeout)
    except TimeoutError:
        raise ConfigError(
            f"{name} did not finish within {timeout:g} s (it was stopped, with every process "
            "it started)",
            hint="a secret command must print the secret and exit without asking anything",
        ) from None
    except OSError as exc:
        raise ConfigError(f"{name} could not be started: {exc.strerror or exc}") from None
    secret = out.decode("utf-8", "replace").strip()
    if returncode != 0:
        # stderr may help, but not when the command printed anything on stdout: that may be
        # the secret, and a wrapper (set -x, a debug log) may have repeated it on stderr.
        lines = err.decode("utf-8", "replace").strip().splitlines()
        detail = f": {lines[-1][:200]}" if lines and not secret else ""
        if returncode < 0:
            raise ConfigError(f"{name} was killed by signal {-returncode}{detail}")
        hint = {127: "the program was not found: use an absolute path or fix PATH",
                126: "the program is not executable"}.get(returncode)
        raise ConfigError(f"{name} exited with status {returncode}{detail}", hint=hint)
    if not secret:
        raise ConfigError(f"{name} printed nothing on stdout")
    return secret


def _run_shell(command: str, timeout: float) -> tuple[int, bytes, bytes]:
    """(exit status, stdout, stderr) of ``sh -c command``; TimeoutError after ``timeout``."""
    import selectors
    import subprocess

    if sys.platform == "win32":  # no process groups to manage: the shell's own timeout
        try:
            done = subprocess.run(command, shell=True, capture_output=True, timeout=timeout,
                                  stdin=subprocess.DEVNULL, check=False)
        except subprocess.TimeoutExpired:
            raise TimeoutError from None
        return done.returncode, done.stdout, done.stderr
    proc = subprocess.Popen(["/bin/sh", "-c", command], stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)  # its own process group (pgid = pid)
    assert proc.stdout is not None and proc.stderr is not None
    out_fd, err_fd = proc.stdout.fileno(), proc.stderr.fileno()
    chunks: dict[int, list[bytes]] = {out_fd: [], err_fd: []}
    deadline = time.monotonic() + timeout
    try:
        with selectors.DefaultSelector() as selector:
            for fd in (out_fd, err_fd):
                os.set_blocking(fd, False)
                selector.register(fd, selectors.EVENT_READ)
            # Read while the command runs (it could fill a pipe), until it exits; then take
            # what is already in the pipes without waiting for an EOF a background child of
            # the command may hold off forever.
            while proc.poll() is None:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError
                _read_ready(selector, chunks, min(remaining, 0.1))
            while _read_ready(selector, chunks, 0):
                pass
    finally:
        _kill_group(proc.pid)
        proc.wait()
        proc.stdout.close()
        proc.stderr.close()
    return proc.returncode, b"".join(chunks[out_fd]), b"".join(chunks[err_fd])


def _read_ready(
    selector: selectors.BaseSelector, chunks: dict[int, list[bytes]], wait: float
) -> bool:
    """Read what the pipes hold now; False when nothing was read (or output too large)."""
    got = False
    for key, _ in selector.select(wait):
        fd = key.fd
        try:
            data = os.read(fd, 65536)
        except BlockingIOError:
            continue
        if not data:
            selector.unregister(fd)
            continue
        if sum(map(len, chunks[fd])) < _MAX_OUTPUT:
            chunks[fd].append(data)
            got = True
    return got


def _kill_group(pgid: int) -> None:
    import signal

    with contextlib.suppress(ProcessLookupError, PermissionError):  # nothing left in it
        os.killpg(pgid, signal.SIGKILL)
