"""One build at a time per output folder: an advisory lock file, and cleanup of dead builds."""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import shutil
from pathlib import Path
from typing import Iterator

from casebook.errors import CasebookError
from casebook.fsio import STAGING

log = logging.getLogger(__name__)
LOCK_NAME = ".casebook.lock"


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
        yield


def forget_inherited() -> None:
    """In a forked worker: close every inherited lock file descriptor (the parent keeps the
    lock), so no worker can keep a folder locked: neither one that outlives a killed build nor
    one forked by another thread's build while this lock was being taken."""
    for entry in Path("/proc/self/fd").iterdir():
        try:
            target = os.readlink(entry)
        except OSError:
            continue
        if target.endswith(f"/{LOCK_NAME}"):
            try:
                os.close(int(entry.name))
            except OSError:
                pass


def _remove_leftovers(out: Path) -> None:
    """Staging folders of builds that were killed: safe to remove while we hold the lock."""
    for stale in out.glob(f"{STAGING}*"):
        log.info("Removing %s, left by an interrupted build", stale)
        shutil.rmtree(stale, ignore_errors=True)
    for stale in out.glob(".old-*"):
        shutil.rmtree(stale, ignore_errors=True)
