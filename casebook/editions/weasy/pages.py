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


def splits(pages) -> list[tuple[str, int] | None]:
    """For each laid-out page, where it starts inside a block carried over from the page
    before: (the block's id, how many characters of it, white space aside, earlier pages
    printed), or None when it starts with a block of its own or with no text.

    Only the flow is read (not margin boxes or the footnote area); generated content
    (``::after``, footnote calls) is not the block's text and is not counted."""
    printed: dict[str, int] = {}
    found = []
    for page in pages:
        first = None
        seen = False
        for ident, text in _flow_lines(page._page_box.children[0]):
            if not text:
                continue
            if not seen:
                seen = True
                first = (ident, printed[ident]) if ident and printed.get(ident) else None
            printed[ident] = printed.get(ident, 0) + len(text)
        found.append(first)
    return found


def _flow_lines(root):
    """(id of the nearest block with one, its non-space characters) of each line, in order."""
    from weasyprint.formatting_structure.boxes import LineBox, TextBox
    stack = [(root, "")]
    while stack:
        box, ident = stack.pop()
        element = getattr(box, "element", None)
        if element is not None and not box.element_tag.count("::") and "--" in (
                element.get("id") or ""):
            ident = element.get("id")
        if isinstance(box, LineBox):
            text = "".join(b.text for b in box.descendants() if isinstance(b, TextBox)
                           and "::" not in b.element_tag)
            yield ident, "".join(text.split())
            continue
        stack.extend((child, ident) for child in reversed(getattr(box, "children", ())))
