"""The one private read of WeasyPrint's laid-out pages: which margin boxes a page filled.

WeasyPrint's ``Page`` keeps its page box, whose children include the page's margin boxes,
in the private ``_page_box``; no public attribute tells whether a margin box got content.
"""

from __future__ import annotations


def margin_box_filled(page, at_keyword: str) -> bool:
    """Whether a laid-out WeasyPrint page has a non-empty margin box ``at_keyword``
    (``"@bottom-center"``, say)."""
    return any(getattr(box, "at_keyword", None) == at_keyword and box.children
               for box in page._page_box.children)
