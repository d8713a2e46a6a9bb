"""Folios of a chunked print PDF: laid out hidden in each chunk, stamped from a folio sheet.

A chunk is laid out without knowing its first page number, so ``styles/pdf-chunk.css`` hides
its folio box: the box is still generated wherever the book's design prints a folio, and
``shown`` reads which pages those are. Once the chunks are merged, ``sheet`` lays out a
folio sheet (templates/pdf/folios.html.j2: one page per book page, each showing only its
folio, with the book's page geometry and folio style) and ``stamp`` draws sheet page i onto
book page i as a pagination artifact.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Sequence

import pikepdf

from casebook import model
from casebook.editions.pdf import document as pdf
from casebook.editions.weasy import pages as weasy_pages
from casebook.errors import RenderError
from casebook.render import templates

log = logging.getLogger(__name__)
CHUNK_STYLE = "pdf-chunk.css"    # pdf.render_document(..., extra=(CHUNK_STYLE,)) for a chunk
SHEET_STYLE = "pdf-folios.css"   # appended last to the folio sheet's stylesheets
FOLIO_BOX = "@bottom-center"
_ARTIFACT = b"/Artifact <</Type /Pagination /Subtype /Footer>> BDC q %s Do Q EMC\n"
_PAINTING = {"Tj", "TJ", "'", '"', "Do", "S", "s", "f", "F", "f*", "B", "B*", "b", "b*",
             "sh", "BI"}


def shown(document) -> list[bool]:
    """Which pages of a laid-out WeasyPrint document have a non-empty folio box."""
    return [weasy_pages.margin_box_filled(page, FOLIO_BOX) for page in document.pages]


def sheet(book: model.Book, labels: Sequence[str | None]) -> bytes:
    """The folio sheet as PDF bytes: page i shows ``labels[i]``, or nothing when it is None."""
    document = sheet_document(book, labels)
    log.info("Folio sheet: %d pages, %d with a folio", len(labels),
             sum(label is not None for label in labels))
    return document.write_pdf(pdf_variant="pdf/x-4", pdf_tags=False,
                              output_intent=pdf.PAINT_INTENT)


def sheet_document(book: model.Book, labels: Sequence[str | None]):
    """The folio sheet laid out by WeasyPrint, one page per label (see ``sheet``)."""
    html = templates.render_template(templates.environment(book), "pdf/folios.html.j2", book=book,
                                  labels=list(labels))
    document = pdf.render_document(book, html, extra=(SHEET_STYLE,))
    if len(document.pages) != len(labels):
        raise RenderError(f"the folio sheet has {len(document.pages)} pages "
                          f"for {len(labels)} book pages")
    return document


def stamp(target: pikepdf.Pdf, sheet_pdf: bytes) -> int:
    """Draw sheet page i onto page i of ``target`` as a footer artifact; return pages stamped."""
    with pikepdf.open(io.BytesIO(sheet_pdf)) as source:
        if len(source.pages) != len(target.pages):
            raise RenderError(f"the folio sheet has {len(source.pages)} pages, "
                              f"the book {len(target.pages)}")
        return stamp_pages(target, list(source.pages))


def stamp_pages(target: pikepdf.Pdf, folios: Sequence[pikepdf.Page | None]) -> int:
    """Draw ``folios[i]`` (a sheet page, from any sheet) onto page i of ``target``.

    The sheets must stay open until ``target`` is saved.
    """
    stamped = 0
    for page, folio in zip(target.pages, folios, strict=True):
        if folio is not None and _paints(folio):
            _overlay(target, page, folio)
            stamped += 1
    log.info("Folios stamped on %d of %d pages", stamped, len(target.pages))
    return stamped


def arrange(labels: Sequence[tuple[str, bool]]) -> list[str | None]:
    """Sheet pages for (label, on a verso) pairs: each on its side, blank pages between."""
    pages: list[str | None] = []
    for label, verso in labels:
        if (len(pages) % 2 == 1) != verso:
            pages.append(None)
        pages.append(label)
    return pages


def _paints(page: pikepdf.Page) -> bool:
    """Whether a sheet page draws anything (a page without a folio draws nothing)."""
    return any(str(operator) in _PAINTING
               for _, operator in pikepdf.parse_content_stream(page))


def _overlay(target: pikepdf.Pdf, page: pikepdf.Page, folio: pikepdf.Page) -> None:
    """Append ``q /FolioN Do Q`` as an artifact, after the page's content, itself put in q/Q.

    WeasyPrint opens a page's content with an unbalanced ``cm`` (it flips the y axis), so the
    page's own content is wrapped in q/Q first. WeasyPrint also shares one /Resources
    dictionary between all pages: the page gets its own, with its own /XObject dictionary.
    """
    form = target.copy_foreign(folio.as_form_xobject())
    xobjects = _own_resources(target, page)
    name = _free_name(xobjects)
    xobjects[name] = form
    page.contents_add(target.make_stream(b"q\n"), prepend=True)
    page.contents_add(target.make_stream(b"Q\n" + _ARTIFACT % str(name).encode()),
                      prepend=False)


def _free_name(xobjects: pikepdf.Dictionary) -> pikepdf.Name:
    """/Folio, or /Folio1, /Folio2...: not add_resource's random name, so builds reproduce."""
    names = {str(key) for key in xobjects.keys()}
    return pikepdf.Name(next(name for name in (f"/Folio{i or ''}" for i in range(len(names) + 1))
                             if name not in names))


def _own_resources(target: pikepdf.Pdf, page: pikepdf.Page) -> pikepdf.Dictionary:
    """Give a page a /Resources dictionary of its own; return its own /XObject dictionary.

    The shared dictionary's other entries are made indirect first, so that every page's copy
    refers to them instead of writing them out again.
    """
    shared = page.obj.get(pikepdf.Name.Resources, pikepdf.Dictionary())
    own = pikepdf.Dictionary()
    for key, value in list(shared.items()):
        if key != "/XObject" and isinstance(value, (pikepdf.Dictionary, pikepdf.Array)) \
                and not value.is_indirect:
            value = shared[key] = target.make_indirect(value)
        own[key] = value
    xobjects = shared.get(pikepdf.Name.XObject, pikepdf.Dictionary())
    own[pikepdf.Name.XObject] = pikepdf.Dictionary({k: v for k, v in xobjects.items()})
    page.obj[pikepdf.Name.Resources] = own
    return page.obj.Resources.XObject
