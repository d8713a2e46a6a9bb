"""Progress bars for WeasyPrint's two long steps: laying out pages and painting them.

WeasyPrint reports neither, so ``patch`` (run by ``weasy.install()``) hooks its page
generator and ``Page.paint`` for good; the hooks count pages on a bar only within one step
(``with laying_out(expected):`` / ``with painting(total):``) and do nothing otherwise.
"""

from __future__ import annotations

import contextlib
from typing import Iterator

from weasyprint import document

from casebook.editions.weasy import hook

from casebook.progress import bar

_installed = hook.Originals()
_bars: dict = {}  # "layout" / "paint" -> the bar counting pages now


def patch() -> None:
    """Hook WeasyPrint's page generator and ``Page.paint`` (idempotent)."""
    _installed.replace(document, "layout_document", _layout_document)
    _installed.replace(document.Page, "paint", _paint)


def _layout_document(*args, **kwargs):
    for page in _installed["layout_document"](*args, **kwargs):
        _count("layout")
        yield page


def _paint(self, *args, **kwargs):
    try:
        return _installed["paint"](self, *args, **kwargs)
    finally:
        _count("paint")


def _count(step: str) -> None:
    counter = _bars.get(step)
    if counter is not None:
        counter.update()


@contextlib.contextmanager
def laying_out(expected: int | None = None) -> Iterator[None]:
    """Count pages as WeasyPrint lays them out (``expected``: a guess at the total, or None)."""
    with _counting("layout", bar(expected, "layout", "page")):
        yield


@contextlib.contextmanager
def painting(total: int) -> Iterator[None]:
    """Count pages as WeasyPrint paints them into the PDF."""
    with _counting("paint", bar(total, "paint", "page")):
        yield


@contextlib.contextmanager
def _counting(step: str, counter) -> Iterator[None]:
    _bars[step] = counter
    try:
        yield
    finally:
        _bars.pop(step, None)
        counter.close()
