"""Files written safely: the atomic writer (fsync'd), a build's staging folder, the C library."""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import stat
from collections.abc import Iterable
from pathlib import Path

libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)  # the C library, once
STAGING = ".staging-"  # a build writes into <out>/.staging-XXXX/, then publishes into <out>


def write_file(path: Path, data: bytes | Iterable[bytes], mode: int | None = None) -> None:
    """Write ``data`` to ``path`` atomically and durably: a reader, or a machine that lost
    power, sees the old file or the whole new one. ``mode`` keeps a file's permissions.
    ``data`` may come in pieces, written one after the other (never joined in memory)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as out:
            for piece in [data] if isinstance(data, (bytes, bytearray, memoryview)) else data:
                out.write(piece)
            out.flush()
            os.fsync(out.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def rewrite_file(path: Path, data: bytes) -> None:
    """Replace an existing file's bytes with ``write_file``, keeping its permissions."""
    write_file(path, data, stat.S_IMODE(Path(path).stat().st_mode))


def published(path: Path) -> Path:
    """Where ``path``, written in a build's staging folder, is once the build is published:
    ``<out>/.staging-XXXX/html`` is ``<out>/html``. Any other path is returned as it is.
    Messages name this path: the staging folder is gone when the build ends."""
    parts = Path(path).parts
    staged = [i for i, part in enumerate(parts) if part.startswith(STAGING)]
    if not staged:
        return Path(path)
    return Path(*parts[:staged[-1]], *parts[staged[-1] + 1:])
