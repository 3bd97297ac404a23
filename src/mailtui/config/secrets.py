"""Secret sources: a plain value, an environment variable, or a command's stdout."""

from __future__ import annotations

import os
import shlex
import subprocess

from mailtui.config.model import SecretRef
from mailtui.errors import ConfigError


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
    try:
        argv = shlex.split(ref.command)
    except ValueError as exc:
        raise ConfigError(f"{name} cannot be parsed: {exc}") from None
    if not argv:
        raise ConfigError(f"{name} is empty")
    try:
        proc = subprocess.run(
            argv,
            capture_output=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
            check=False,
        )
    except FileNotFoundError:
        raise ConfigError(
            f"{name}: program {argv[0]!r} not found", hint="use an absolute path or fix PATH"
        ) from None
    except PermissionError:
        raise ConfigError(f"{name}: program {argv[0]!r} is not executable") from None
    except subprocess.TimeoutExpired:
        raise ConfigError(
            f"{name} did not finish within {timeout:g} s",
            hint="a secret command must print the secret and exit without asking anything",
        ) from None
    if proc.returncode != 0:
        # stderr may help, but not when the command printed anything on stdout: that may be
        # the secret, and a wrapper (set -x, a debug log) may have repeated it on stderr.
        err = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        detail = f": {err[-1][:200]}" if err and not proc.stdout.strip() else ""
        raise ConfigError(f"{name} exited with status {proc.returncode}{detail}")
    secret = proc.stdout.decode("utf-8", "replace").strip()
    if not secret:
        raise ConfigError(f"{name} printed nothing on stdout")
    return secret
