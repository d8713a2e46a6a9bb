"""Publishing a finished build: every output replaces its old version in one atomic step."""

from __future__ import annotations

import ctypes
import errno
import logging
import os
import shutil
from pathlib import Path

from casebook.fsio import libc

log = logging.getLogger(__name__)
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def exchange(a: Path, b: Path) -> None:
    """Swap two paths atomically (Linux renameat2 RENAME_EXCHANGE)."""
    if libc.renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b),
                      _RENAME_EXCHANGE) != 0:
        code = ctypes.get_errno()
        raise OSError(code, f"renameat2 exchange failed: {os.strerror(code)}", str(a))


def publish(staging: Path, out: Path) -> None:
    """Move every output from staging into out; readers always see an old or a new version."""
    for top in sorted(staging.iterdir()):
        final = out / top.name
        if top.is_dir() and final.is_dir():
            _replace_dir(top, final)
        elif top.is_dir():
            top.rename(final)
        else:
            os.replace(top, final)


def _replace_dir(new: Path, final: Path) -> None:
    try:
        exchange(new, final)
    except OSError as exc:
        if exc.errno not in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
            raise
        log.warning("This file system cannot swap folders atomically; replacing %s in two "
                    "steps", final)
        old = final.with_name(f".old-{final.name}-{os.getpid()}")
        final.rename(old)
        new.rename(final)
        new = old
    shutil.rmtree(new, ignore_errors=True)
