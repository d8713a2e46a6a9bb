"""The print PDF edition: one HTML document from templates, laid out by WeasyPrint."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from weasyprint import CSS, HTML

from .. import fonts, model, render
from ..pagemap import PageMap
from ..render import Fragments
from .common import build_time, toc_tree

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Layout:
    """A laid-out print edition: WeasyPrint's document and the PageMap read from it."""

    document: object
    pagemap: PageMap


def write(book: model.Book, out_dir: Path, fragments: Fragments | None = None,
          layout: Layout | None = None) -> Path:
    """Write ``<slug>.pdf`` into ``out_dir`` and return its path."""
    layout = layout or lay_out(book, fragments)
    target = Path(out_dir) / f"{book.meta.slug}.pdf"
    layout.document.write_pdf(target, pdf_variant="pdf/x-4", output_intent="sRGB",
                              pdf_identifier=book.meta.slug.encode())
    embedded = fonts.check_embedded(target, shown=f"{book.meta.slug}.pdf")
    log.info("PDF: %s (%d pages; fonts: %s)", target, len(layout.pagemap.pages),
             ", ".join(embedded))
    return target


def lay_out(book: model.Book, fragments: Fragments | None = None) -> Layout:
    """Lay the book out once; both the PDF and the EPUB page-list use the result."""
    fonts.check_glyphs(book)
    for family in fonts.DECLARED:
        fonts.locate(family)
    fragments = fragments or render.render_all(book)
    env = render.environment(book)
    html = render.render_template(env, "pdf/book.html.j2", book=book, fragments=fragments,
                                  tree=toc_tree(book), sections=_sections(book),
                                  created=build_time().isoformat())
    geometry = render.render_template(env, "pdf/page.css.j2", book=book)
    styles = [CSS(string=render.style("common.css")), CSS(string=render.style("pdf.css")),
              CSS(string=geometry)]
    log.info("Laying out the PDF (WeasyPrint)")
    base = book.root.resolve().as_uri() + "/"
    document = HTML(string=html, base_url=base).render(stylesheets=styles)
    anchors = [list(page.anchors) for page in document.pages]
    first = next(iter(book.parts), None) or next(iter(book.back), None)
    return Layout(document, PageMap.from_anchors(anchors, first.id if first else None))


def _sections(book: model.Book) -> dict[str, str]:
    """Which part of the book each TOC target is in: front, body or back."""
    sections = {m.id: m.section for m in (*book.front, *book.back)}
    sections.update({item.id: "body" for item in book.reading_order()
                     if not isinstance(item, model.Matter)})
    return sections
