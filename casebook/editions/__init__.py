"""The edition registry: each edition is a module with ``write(book, out_dir) -> Path``.

Modules are imported on first use, so that commands which build nothing stay quick.
"""

from __future__ import annotations

import importlib
from typing import Callable

NAMES = ("pdf", "epub", "html")  # build order: the EPUB takes the PDF layout's PageMap


def writer(name: str) -> Callable:
    """The ``write`` function of the edition called ``name``."""
    if name not in NAMES:
        raise KeyError(name)
    return importlib.import_module(f"{__name__}.{name}.edition").write
