"""The book's apparatus on rendered fragments: cross-references, note marks, figure and table numbers, index terms."""

from __future__ import annotations

from casebook import model
from casebook.errors import Collector
from casebook.render import figures, indexes, notes, xref


def prepare(book: model.Book, doc: model.Document, html: str, errors: Collector,
            ids: frozenset[str] = frozenset()) -> str:
    """One document's fragment with its apparatus set; problems go to ``errors`` with lines.

    ``ids``: the ids of every fragment of the book, which cross-references may point at.
    """
    if not html:
        return html
    html = xref.resolve(book, doc, html, errors, ids)
    html = figures.number(doc, html)
    html = notes.mark(html)
    return indexes.mark_terms(doc, html)


def finish(book: model.Book, html: dict[str, str]) -> dict[str, str]:
    """Every fragment, with the generated indexes (which need all the others) written."""
    if not any(doc.generated for doc in book.back):
        return html
    from casebook.render.templates import environment
    return indexes.fill(book, html, environment(book))
