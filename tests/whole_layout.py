"""The whole book laid out as one WeasyPrint document: the reference the tests hold builds to.

Not a test module. The build never lays a book out this way: a short book is one chunk,
laid out and painted in a worker, and a long one many (casebook/editions/pdf/chunks.py),
their folios and page references set as data. Here WeasyPrint counts every folio and
page reference itself, from the same template and stylesheets, so a chunked layout, or one
given folios, can be compared with it page for page.
"""

from __future__ import annotations

from dataclasses import dataclass

from casebook import model
from casebook.clock import build_time
from casebook.editions.pdf import document as pdf
from casebook.editions.pdf import plan as pdf_plan
from casebook.pagemap import PageMap
from casebook.render import fragments as render
from casebook.render.fragments import Fragments


@dataclass(frozen=True)
class Whole:
    """A whole-book layout: WeasyPrint's document and its PageMap."""

    document: object
    pagemap: PageMap

    def painted(self, book: model.Book) -> pdf.Layout:
        """Painted as the build paints a layout, ready for ``editions.pdf.edition.finish``."""
        return pdf.Layout(self.pagemap, pdf.paint(book, self.document))


def lay_out(book: model.Book, fragments: Fragments | None = None,
            folios: dict[str, str] | None = None) -> Whole:
    """Lay the whole book out as one document.

    ``folios`` (each TOC target's printed page label, from an earlier PageMap) prints the TOC
    and page-reference numbers as given instead of counting them with ``target-counter()``,
    as a chunked layout does.
    """
    pdf.prepare(book)
    fragments = fragments or render.render_all(book)
    html = pdf.book_html(book, fragments, pdf_plan.whole(book), folios,
                         build_time().isoformat())
    document = pdf.render_document(book, html)
    anchors = [list(page.anchors) for page in document.pages]
    return Whole(document, PageMap.from_anchors(anchors, pdf.body_start(book)))


def toc_folios(book: model.Book, pagemap: PageMap) -> dict[str, str]:
    """Every TOC target's printed folio, from a PageMap: the data a chunked TOC is set from."""
    labels = pagemap.labels()
    return {entry.target: labels[entry.target] for entry in book.toc()}
