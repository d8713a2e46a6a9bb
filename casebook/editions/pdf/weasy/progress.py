"""Progress bars for WeasyPrint's two long steps: laying out pages and painting them.

WeasyPrint reports neither, so the bars hook its page generator and ``Page.paint`` for the
duration of one step (``with laying_out(expected):`` / ``with painting(total):``).
"""

from __future__ import annotations

import contextlib
from typing import Iterator

from weasyprint import document

from casebook.progress import bar


@contextlib.contextmanager
def laying_out(expected: int | None = None) -> Iterator[None]:
    """Count pages as WeasyPrint lays them out (``expected``: a guess at the total, or None)."""
    original = document.layout_document
    counter = bar(expected, "layout", "page")

    def counted(*args, **kwargs):
        for page in original(*args, **kwargs):
            counter.update()
            yield page
    document.layout_document = counted
    try:
        yield
    finally:
        document.layout_document = original
        counter.close()


@contextlib.contextmanager
def painting(total: int) -> Iterator[None]:
    """Count pages as WeasyPrint paints them into the PDF."""
    original = document.Page.paint
    counter = bar(total, "paint", "page")

    def counted(self, *args, **kwargs):
        try:
            return original(self, *args, **kwargs)
        finally:
            counter.update()
    document.Page.paint = counted
    try:
        yield
    finally:
        document.Page.paint = original
        counter.close()
