"""The PDF editions: one WeasyPrint layout, written once, finished as a print and a screen PDF.

``lay_out`` renders the whole book as one HTML document and returns the layout with its
PageMap; Chinese lines are justified between characters (pdf_justify.py). ``write`` paints
that layout once, as a tagged PDF/X-4, and derives both files from it (pdf_post.py):
``<slug>.pdf`` for the printer (PDF/X-4, bleed, crop marks, no annotations) and
``<slug>-screen.pdf`` for reading (PDF/UA-1, cropped to the trim, live links).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from .. import fonts, model, render
from ..pagemap import PageMap
from ..render import Fragments
from . import pdf_justify, pdf_post, pdf_progress, pdf_speed
from .common import build_time, toc_tree
from .pdf_geometry import BODY_PT, LINE_HEIGHT, Geometry

log = logging.getLogger(__name__)
SCREEN_SUFFIX = "-screen"
INTENTS = {"srgb": "srgb", "cmyk": "device-cmyk"}  # book.yaml value -> WeasyPrint's


@dataclass(frozen=True)
class Layout:
    """A laid-out print edition: WeasyPrint's document and the PageMap read from it."""

    document: object
    pagemap: PageMap


def write(book: model.Book, out_dir: Path, fragments: Fragments | None = None,
          layout: Layout | None = None) -> Path:
    """Write ``<slug>.pdf`` and ``<slug>-screen.pdf`` into ``out_dir``; return the print one."""
    layout = layout or lay_out(book, fragments)
    out_dir = Path(out_dir)
    printed = out_dir / f"{book.meta.slug}.pdf"
    screen = out_dir / f"{book.meta.slug}{SCREEN_SUFFIX}.pdf"
    log.info("Painting the PDF (WeasyPrint)")
    intent = INTENTS[book.meta.print.output_intent]
    with pdf_progress.painting(len(layout.document.pages)):
        painted = layout.document.write_pdf(pdf_variant="pdf/x-4", pdf_tags=True,
                                            output_intent=intent,
                                            pdf_identifier=book.meta.slug.encode())
    finish = pdf_post.Finish(book, layout.pagemap, Geometry.of(book.meta.print))
    finish.print_pdf(painted, printed)
    finish.screen_pdf(painted, screen)
    for path in (printed, screen):
        embedded = fonts.check_embedded(path, shown=path.name)
        log.info("PDF: %s (%d pages, %.1f MB; fonts: %s)", path, len(layout.pagemap.pages),
                 path.stat().st_size / 1e6, ", ".join(embedded))
    return printed


def lay_out(book: model.Book, fragments: Fragments | None = None,
            folios: dict[str, str] | None = None) -> Layout:
    """Lay the book out once; both PDFs and the EPUB page-list use the result.

    ``folios`` (each TOC target's printed page label, from an earlier PageMap) prints the TOC
    numbers as given instead of counting them with ``target-counter()``; a chunked render
    that lays parts out separately supplies them.
    """
    fonts.check_glyphs(book)
    for family in fonts.DECLARED:
        fonts.locate(family)
    pdf_justify.install()
    pdf_speed.install()
    fragments = fragments or render.render_all(book)
    env = render.environment(book)
    html = render.render_template(env, "pdf/book.html.j2", book=book, fragments=fragments,
                                  tree=toc_tree(book), sections=_sections(book),
                                  created=build_time().isoformat(), folios=folios)
    log.info("Laying out the PDF (WeasyPrint)")
    base = book.root.resolve().as_uri() + "/"
    profiles: dict = {}  # @color-profile and @font-face rules fill these: share them
    font_config = FontConfiguration()
    with pdf_progress.laying_out():
        document = HTML(string=html, base_url=base).render(
            stylesheets=_stylesheets(book, env, profiles, font_config), color_profiles=profiles,
            font_config=font_config, output_intent=INTENTS[book.meta.print.output_intent])
    anchors = [list(page.anchors) for page in document.pages]
    first = next(iter(book.parts), None) or next(iter(book.back), None)
    return Layout(document, PageMap.from_anchors(anchors, first.id if first else None))


def toc_folios(book: model.Book, pagemap: PageMap) -> dict[str, str]:
    """Every TOC target's printed folio, from a PageMap: the data a chunked TOC is set from."""
    labels = pagemap.labels()
    return {entry.target: labels[entry.target] for entry in book.toc()}


def _stylesheets(book: model.Book, env, profiles: dict, font_config) -> list[CSS]:
    spec = book.meta.print
    geometry = render.render_template(
        env, "pdf/page.css.j2", g=Geometry.of(spec), body_pt=BODY_PT, line_height=LINE_HEIGHT,
        icc_url=spec.icc.resolve().as_uri() if spec.icc else "")
    texts = (render.style("common.css", book), render.style("pdf.css", book), geometry)
    return [CSS(string=text, color_profiles=profiles, font_config=font_config)
            for text in texts]


def _sections(book: model.Book) -> dict[str, str]:
    """Which part of the book each TOC target is in: front, body or back."""
    sections = {m.id: m.section for m in (*book.front, *book.back)}
    sections.update({item.id: "body" for item in book.reading_order()
                     if not isinstance(item, model.Matter)})
    return sections
