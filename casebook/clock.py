"""The build's time: SOURCE_DATE_EPOCH when set (a reproducible build), otherwise now."""

from __future__ import annotations

import datetime
import os


def build_time() -> datetime.datetime:
    """SOURCE_DATE_EPOCH when set (reproducible builds), otherwise now, in UTC."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return datetime.datetime.fromtimestamp(int(epoch), tz=datetime.timezone.utc)
    return datetime.datetime.now(tz=datetime.timezone.utc).replace(microsecond=0)
