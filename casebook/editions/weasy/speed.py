"""Speed fixes for the PDF writer: pydyf's page references, rebuilt on every call, are cached.

WeasyPrint's tagging asks ``pdf.page_references[n]`` once per tagged element; pydyf builds
the whole tuple of every page's reference each time, which is quadratic in the book's size.
The references only change when a page is added, so they are cached against the page count.
"""

from __future__ import annotations

import pydyf

from casebook.editions.weasy import hook

_installed = hook.Originals()


def _page_references(self) -> tuple[bytes, ...]:
    count = len(self.pages["Kids"])
    cached = self.__dict__.get("_casebook_page_refs")
    if cached is None or cached[0] != count:
        cached = (count, _installed["page_references"].fget(self))
        self.__dict__["_casebook_page_refs"] = cached
    return cached[1]


def patch() -> None:
    """Replace pydyf's property with the cached one (idempotent; ``weasy.install`` calls it)."""
    _installed.replace(pydyf.PDF, "page_references", property(_page_references))
