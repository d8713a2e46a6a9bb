"""One build at a time per output folder: an advisory lock file, and cleanup of dead builds."""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import shutil
from pathlib import Path
from typing import Iterator

from .errors import CasebookError

log = logging.getLogger(__name__)
LOCK_NAME = ".casebook.lock"
_held: list[int] = []  # descriptors of the locks this process holds


class BuildLocked(CasebookError):
    """Another build holds the output folder."""

    exit_code = 5


@contextlib.contextmanager
def hold(out: Path) -> Iterator[None]:
    """Hold the output folder's lock for the duration of a build, or fail at once."""
    out.mkdir(parents=True, exist_ok=True)
    path = out / LOCK_NAME
    with open(path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BuildLocked("another build is running into this folder; wait for it to "
                              "finish, or build into another --out", out) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        _remove_leftovers(out)
        _held.append(handle.fileno())
        try:
            yield
        finally:
            _held.remove(handle.fileno())


def forget_inherited() -> None:
    """In a forked worker: close the inherited lock descriptors (the parent keeps the lock),
    so a worker that outlives a killed build cannot keep the folder locked."""
    for fd in _held:
        try:
            os.close(fd)
        except OSError:
            pass
    _held.clear()


def _remove_leftovers(out: Path) -> None:
    """Staging folders of builds that were killed: safe to remove while we hold the lock."""
    for stale in out.glob(".staging-*"):
        log.info("Removing %s, left by an interrupted build", stale)
        shutil.rmtree(stale, ignore_errors=True)
    for stale in out.glob(".old-*"):
        shutil.rmtree(stale, ignore_errors=True)
