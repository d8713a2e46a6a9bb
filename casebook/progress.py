"""A progress bar on stderr for long work, silent when stderr is not a terminal or in -q mode."""

from __future__ import annotations

import logging
import sys
from typing import Iterable, Iterator, TypeVar

from tqdm import tqdm

T = TypeVar("T")


def progress(items: Iterable[T], total: int, label: str) -> Iterator[T]:
    quiet = logging.getLogger("casebook").getEffectiveLevel() > logging.INFO
    disable = quiet or not sys.stderr.isatty()
    yield from tqdm(items, total=total, desc=label, unit="doc", disable=disable, leave=False)
