"""The build's time: SOURCE_DATE_EPOCH when set (a reproducible build), otherwise now."""

from __future__ import annotations

import contextlib
import datetime
import os
import threading

_pinned = threading.local()  # a job on another machine's worker: the build's epoch, not its


def build_time() -> datetime.datetime:
    """SOURCE_DATE_EPOCH when set (reproducible builds), otherwise now, in UTC. A job run
    under ``pinned`` takes the build's SOURCE_DATE_EPOCH instead of its own process's."""
    epoch = _pinned.epoch[0] if hasattr(_pinned, "epoch") else os.environ.get(
        "SOURCE_DATE_EPOCH")
    if epoch:
        return datetime.datetime.fromtimestamp(int(epoch), tz=datetime.timezone.utc)
    return datetime.datetime.now(tz=datetime.timezone.utc).replace(microsecond=0)


def epoch() -> str | None:
    """This process's SOURCE_DATE_EPOCH, for jobs that run elsewhere (``pinned``)."""
    return os.environ.get("SOURCE_DATE_EPOCH")


@contextlib.contextmanager
def pinned(value: str | None):
    """Within the block, this thread's build_time() uses ``value`` (a build's
    SOURCE_DATE_EPOCH, or None: now) whatever this process's environment says."""
    _pinned.epoch = (value,)
    try:
        yield
    finally:
        del _pinned.epoch
