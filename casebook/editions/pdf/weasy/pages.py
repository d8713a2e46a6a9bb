"""The private reads of WeasyPrint's laid-out pages: the margin boxes a page filled, its tables.

WeasyPrint's ``Page`` keeps its page box, whose children include the page's margin boxes,
in the private ``_page_box``; no public attribute tells whether a margin box got content,
or which rows of which table a page holds.
"""

from __future__ import annotations

from dataclasses import dataclass


def margin_box_filled(page, at_keyword: str) -> bool:
    """Whether a laid-out WeasyPrint page has a non-empty margin box ``at_keyword``
    (``"@bottom-center"``, say)."""
    return any(getattr(box, "at_keyword", None) == at_keyword and box.children
               for box in page._page_box.children)


@dataclass(frozen=True)
class TablePiece:
    """The part of one table a page holds: the <table> element, the element of its first
    body row there (None if the page holds none), and the table's column widths (CSS px)."""

    element: object
    first_row: object | None
    column_widths: tuple[float, ...]


def tables(page) -> list[TablePiece]:
    """The tables on a laid-out page, in order; a table split over pages is on each of them.

    The walk skips line boxes (no table sits in a line) and does not enter tables."""
    from weasyprint.formatting_structure.boxes import LineBox, TableBox
    found, stack = [], [page._page_box]
    while stack:
        box = stack.pop()
        if isinstance(box, TableBox):
            found.append(TablePiece(box.element, _first_body_row(box),
                                    tuple(getattr(box, "column_widths", ()))))
        elif not isinstance(box, LineBox):
            stack.extend(reversed(getattr(box, "children", ())))
    return found


def _first_body_row(table) -> object | None:
    for group in table.children:
        if getattr(group, "is_header", False) or getattr(group, "is_footer", False):
            continue
        for row in getattr(group, "children", ()):
            return row.element
    return None
