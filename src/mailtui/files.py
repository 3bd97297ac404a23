"""Writing files that hold settings, keys or certificates."""

from __future__ import annotations

import errno
import os
import sys
import tempfile
from pathlib import Path

from mailtui.errors import ConfigError


class WriteError(ConfigError, OSError):
    """A file could not be written (exit 3, a message naming the path and the reason).

    Also an ``OSError``, so callers that handle those keep working; ``errno``, ``strerror``
    and ``filename`` are those of the underlying error."""

    def __init__(self, path: Path, exc: OSError, *, step: str | None = None,
                 unchanged: bool = True, hint: str | None = None) -> None:
        reason = exc.strerror or str(exc)
        where = f" (while {step})" if step else ""
        if unchanged:
            message = f"cannot write {path}: {reason}{where}; {path} was not changed"
        else:
            message = f"{path} was written, but {step or 'the last step'} failed: {reason}"
        ConfigError.__init__(
            self, message,
            hint=hint or f"make {path} or its folder {path.parent} writable (permissions, "
            "ownership, a read-write mount)",
        )
        self.errno = exc.errno
        self.strerror = reason
        self.filename = str(path)


_FS_IOC_GETFLAGS = 0x80086601  # Linux: the chattr attributes of an open file
_IMMUTABLE, _APPEND_ONLY = 0x10, 0x20


def _attribute(path: Path) -> str | None:
    """"immutable" / "append-only" when ``path`` carries that chattr attribute (Linux file
    systems that have them), else None: mailtui only names the flag when it can tell."""
    try:
        import fcntl

        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        try:
            buffer = bytearray(8)
            fcntl.ioctl(fd, _FS_IOC_GETFLAGS, buffer)
        finally:
            os.close(fd)
    except (ImportError, OSError):
        return None
    flags = int.from_bytes(buffer[:4], sys.byteorder)
    return "immutable" if flags & _IMMUTABLE else "append-only" if flags & _APPEND_ONLY else None


def write_hint(path: Path, exc: OSError, *, in_folder: bool) -> str:
    """The fix for a failed write of ``path``: what is really not writable. ``in_folder``:
    creating a file in its folder failed (the folder is at fault), else replacing the file."""
    if exc.errno == errno.EROFS:
        return (f"{path.parent} is on a read-only file system: remount it read-write, or use "
                "another path (--config)")
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return f"free some space (or quota) on the file system of {path.parent}"
    target = path.parent if in_folder else path
    flag = _attribute(target) if target.exists() else None
    if flag is not None:
        option = "-d " if target.is_dir() else ""
        return (f"{target} is {flag} (`lsattr {option}{target}` shows "
                f"{'i' if flag == 'immutable' else 'a'}): if that is not deliberate, "
                f"`chattr -{'i' if flag == 'immutable' else 'a'} {target}` as root")
    if in_folder:
        return (f"make the folder {path.parent} writable (permissions, ownership, a read-write "
                "mount)")
    return (f"make {path} or its folder {path.parent} writable (permissions, ownership, a "
            "read-write mount)")


def atomic_write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` with mode 0600 so that a crash leaves either the old file or
    the new one, never a mix: temporary file in the same folder, fsync, rename, fsync the
    folder. Any failure is a WriteError naming ``path``; the old file is then untouched."""
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise WriteError(path, exc, step=f"creating a file in {path.parent}",
                         hint=write_hint(path, exc, in_folder=True)) from exc
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
            raise WriteError(path, exc, hint=write_hint(path, exc, in_folder=False)) from exc
        raise
    try:
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except OSError as exc:
        raise WriteError(path, exc, step=f"syncing {path.parent}", unchanged=False) from exc
