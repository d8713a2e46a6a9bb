"""A progress bar on stderr for long work, silent when stderr is not a terminal or in -q mode."""

from __future__ import annotations

import logging
import sys
from typing import Iterable, Iterator, TypeVar

from tqdm import tqdm

T = TypeVar("T")


def _disabled() -> bool:
    quiet = logging.getLogger("casebook").getEffectiveLevel() > logging.INFO
    return quiet or not sys.stderr.isatty()


def progress(items: Iterable[T], total: int | None, label: str, unit: str = "doc") -> Iterator[T]:
    """Yield ``items`` while a bar counts them (``total`` None: a counter without an end)."""
    yield from tqdm(items, total=total, desc=label, unit=unit, disable=_disabled(), leave=False)


def bar(total: int | None, label: str, unit: str) -> tqdm:
    """A bar to ``update()`` by hand; close it when the work ends."""
    return tqdm(total=total, desc=label, unit=unit, disable=_disabled(), leave=False)
