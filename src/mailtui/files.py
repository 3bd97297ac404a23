"""Writing files that hold settings, keys or certificates."""

from __future__ import annotations

import os
from pathlib import Path

from mailtui.errors import ConfigError


class WriteError(ConfigError, OSError):
    """A file could not be written (exit 3, a message naming the path and the reason).

    Also an ``OSError``, so callers that handle those keep working; ``errno``, ``strerror``
    and ``filename`` are those of the underlying error."""

    def __init__(self, path: Path, exc: OSError, *, step: str | None = None,
                 unchanged: bool = True) -> None:
        reason = exc.strerror or str(exc)
        where = f" (while {step})" if step else ""
        if unchanged:
            message = f"cannot write {path}: {reason}{where}; {path} was not changed"
        else:
            message = f"{path} was written, but {step or 'the last step'} failed: {reason}"
        ConfigError.__init__(
            self, message,
            hint=f"make {path.parent} writable (permissions, `chattr -i`, a read-write mount)",
        )
        self.errno = exc.errno
        self.strerror = reason
        self.filename = str(path)


def atomic_write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` with mode 0600 so that a crash leaves either the old file or
    the new one, never a mix: temporary file in the same folder, fsync, rename, fsync the
    folder. Any failure is a WriteError naming ``path``; the old file is then untouched."""
    import tempfile  # here: importing it costs start-up time that reading never needs

    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise WriteError(path, exc, step=f"creating a file in {path.parent}") from exc
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), 0o600)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise WriteError(path, exc) from exc
        raise
    try:
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except OSError as exc:
        raise WriteError(path, exc, step=f"syncing {path.parent}", unchanged=False) from exc
