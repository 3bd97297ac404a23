"""Writing files that hold settings, keys or certificates."""

from __future__ import annotations

import os
from pathlib import Path


def atomic_write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` with mode 0600 so that a crash leaves either the old file or
    the new one, never a mix: temporary file in the same folder, fsync, rename, fsync the
    folder."""
    import tempfile  # here: importing it costs start-up time that reading never needs

    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), 0o600)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
