"""The PDF layout primitives: a laid-out, painted book finished as a print and a screen PDF.

The book is laid out in chunks (chunks.py; a short book is one) from the template and
stylesheets here (``book_html``, ``render_document``). Chinese lines are justified between
characters (weasy/justify.py). ``write`` derives both files from the painted, tagged PDF/X-4
(pdf_post.py): ``<slug>.pdf`` for the printer (PDF/X-4, bleed, crop marks, no annotations)
and ``<slug>-screen.pdf`` for reading (PDF/UA-1, cropped to the trim, live links).
"""

from __future__ import annotations

import functools
import gc
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from casebook import model
from casebook.editions.common import toc_tree
from casebook.editions import weasy
from casebook.editions.pdf import continued
from casebook.editions.pdf import post as pdf_post
from casebook.editions.weasy import progress as pdf_progress
from casebook.fsio import libc, published
from casebook.geometry import BODY_PT, LINE_HEIGHT, PT_PER_MM, Geometry
from casebook.pagemap import PageMap
from casebook.render import fonts, fontstack, templates
from casebook.render.fragments import Fragments

log = logging.getLogger(__name__)
SCREEN_SUFFIX = "-screen"
# Every PDF is painted in sRGB with an sRGB intent, whatever book.yaml's print.output_intent:
# the screen PDF is finished from the same bytes, and post.Finish.print_pdf sets the print
# file's colours and output intent (editions/inks.py, pdfx.output_intent).
PAINT_INTENT = "srgb"


@dataclass(frozen=True)
class Layout:
    """A laid-out, painted print edition: the PageMap and the painted PDF (chunks.py)."""

    pagemap: PageMap
    painted: bytes
    paginated: bool = False  # running heads and folios are pagination artifacts already


def write_print(book: model.Book, out_dir: Path, pagemap: PageMap, painted: bytes,
                cache_dir: Path | None = None) -> Path:
    """``<slug>.pdf`` for the printer, from the painted PDF; the pages' press colours are
    kept in ``cache_dir`` for the next build (kept.py)."""
    from casebook.editions.pdf import kept
    path = Path(out_dir) / f"{book.meta.slug}.pdf"
    pages = kept.load(cache_dir)
    _finish(book, pagemap).print_pdf(painted, path, pages)
    kept.save(cache_dir, pages)
    return _checked(path, pagemap, book)


def write_screen(book: model.Book, out_dir: Path, pagemap: PageMap, painted: bytes,
                 paginated: bool = False) -> Path:
    """``<slug>-screen.pdf`` for reading, from the painted PDF (a worker may write it);
    ``paginated``: its running heads and folios are pagination artifacts already."""
    path = Path(out_dir) / f"{book.meta.slug}{SCREEN_SUFFIX}.pdf"
    _finish(book, pagemap).screen_pdf(painted, path, paginated)
    return _checked(path, pagemap, book)


def _finish(book: model.Book, pagemap: PageMap) -> pdf_post.Finish:
    return pdf_post.Finish(book, pagemap, Geometry.of(book.meta.print))


def _checked(path: Path, pagemap: PageMap, book: model.Book) -> Path:
    give_back_memory()
    embedded = fonts.check_embedded(path, shown=path.name, spec=book.meta.fonts)
    log.info("PDF: %s (%d pages, %.1f MB; fonts: %s)", published(path), len(pagemap.pages),
             path.stat().st_size / 1e6, ", ".join(embedded))
    return path


GIVE_BACK_ABOVE = 400 << 20  # bytes resident: a smaller process keeps what it has


def give_back_memory(done: bool = False) -> None:
    """Return freed memory to the system (glibc keeps it otherwise): a 3,000-page book's
    layouts and PDF objects are hundreds of MB that the rest of the build does not need.
    A process under GIVE_BACK_ABOVE skips it (a full collection costs tens of ms), unless
    its layout is ``done``: then the parsed stylesheets and the fonts' code points go too,
    whatever its size."""
    if done:
        _PARSED.clear()
        fonts.forget_coverage()
    elif _resident() < GIVE_BACK_ABOVE:
        return
    gc.collect()
    if hasattr(libc, "malloc_trim"):
        libc.malloc_trim(0)


def _resident() -> int:
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return GIVE_BACK_ABOVE  # unknown: give back


def paint(book: model.Book, document) -> bytes:
    """Paint a laid-out document as a tagged PDF/X-4 with the book's output intent."""
    log.info("Painting the PDF (WeasyPrint)")
    with pdf_progress.painting(len(document.pages)):
        return document.write_pdf(pdf_variant="pdf/x-4", pdf_tags=True,
                                  output_intent=PAINT_INTENT,
                                  pdf_identifier=book.meta.slug.encode())


def prepare(book: model.Book, glyphs: bool = True) -> None:
    """Check that the fonts exist and (``glyphs``) cover the book's text; install the
    WeasyPrint patches."""
    if glyphs:
        fonts.check_glyphs(book)
    fontstack.font_files(book.meta.fonts)  # every declared face is installed
    weasy.install()
    _subsetter()


@functools.cache
def _subsetter() -> None:
    """Say once what WeasyPrint says once per font (shown with -v only) without HarfBuzz's
    subsetter: it then subsets with fontTools, several times slower."""
    from weasyprint.text import ffi
    if ffi.harfbuzz_subset is None:
        log.warning("libharfbuzz-subset is not installed, so WeasyPrint subsets the fonts "
                    "with fontTools, several times slower; install it: apt-get install "
                    "libharfbuzz-subset0")


def book_html(book: model.Book, fragments: Fragments, chunk, folios: dict[str, str] | None,
              created: str, tree=None) -> str:
    """The HTML of the whole book or of one chunk (pdf_plan.Chunk) for WeasyPrint;
    ``tree``: the book's ``toc_tree``, if the caller made it already (one for every chunk)."""
    return templates.render_template(templates.environment(book), "pdf/book.html.j2", book=book,
                                  fragments=fragments, tree=tree or toc_tree(book),
                                  sections=_sections(book), created=created, folios=folios,
                                  chunk=chunk)


def render_document(book: model.Book, html: str, extra: tuple[str, ...] = ()):
    """Lay out ``html`` with the book's stylesheets and any ``extra`` ones from styles/; a
    table that crosses a page is split, its continuation pages under 续表N (continued.py)."""
    base = book.root.resolve().as_uri() + "/"
    stylesheets, profiles, font_config = parsed(book, extra)

    def render(text: str):
        return HTML(string=text, base_url=base).render(
            stylesheets=stylesheets, color_profiles=profiles, font_config=font_config,
            output_intent=PAINT_INTENT)
    with weasy.typesetting(book.meta.print.margins[0] * PT_PER_MM, BODY_PT * LINE_HEIGHT,
                           book.meta.fonts.serif.cjk):
        return continued.lay_out(render, html)


_PARSED: dict[tuple[str, ...], tuple] = {}


def parsed(book: model.Book, extra: tuple[str, ...] = ()):
    """The book's stylesheets and ``extra`` ones, parsed: (CSS list, profiles, font config)."""
    return _parsed(tuple(stylesheet_texts(book, extra)))


def _parsed(texts: tuple[str, ...]) -> tuple[list[CSS], dict, FontConfiguration]:
    """Stylesheets parsed once per process: a worker lays out many chunks with the same.
    The font configuration is fontconfig's as ``FONTCONFIG_FILE`` names it now: one made
    under another configuration (fewer fonts) is never served."""
    key = (*texts, os.environ.get("FONTCONFIG_FILE", ""))
    found = _PARSED.get(key)  # books built side by side (build/many.py) share this
    if found is not None and not _faces_kept(found[2]):
        found = None  # its @font-face files were removed: parse again
    if found is None:
        profiles: dict = {}  # @color-profile and @font-face rules fill these: share them
        font_config = FontConfiguration()
        css = [CSS(string=text, color_profiles=profiles, font_config=font_config)
               for text in texts]
        found = (css, profiles, font_config)
        if len(_PARSED) >= 4:  # a book's chunks, its folio sheet: a few sets at most
            _PARSED.clear()
        _PARSED[key] = found
    return found


def forget_parsed() -> None:
    """Drop the parsed stylesheets: a build that lays out in its own process (no workers)
    starts from the fonts as a new process would find them."""
    _PARSED.clear()


def _faces_kept(font_config: FontConfiguration) -> bool:
    """Whether the files WeasyPrint wrote for the stylesheets' @font-face rules are still
    there (a temporary folder outlives no cleaning of /tmp)."""
    folder = getattr(font_config, "_folder", None)
    return folder is None or Path(folder).is_dir()


def body_start(book: model.Book) -> str | None:
    """The id where arabic folios start at 1: the first part, or else the back matter."""
    first = next(iter(book.parts), None) or next(iter(book.back), None)
    return first.id if first else None


def stylesheet_texts(book: model.Book, extra: tuple[str, ...] = ()) -> list[str]:
    """The print stylesheets' text: common.css, pdf.css, the page geometry, then ``extra``."""
    spec = book.meta.print
    geometry = templates.render_template(
        templates.environment(book), "pdf/page.css.j2", g=Geometry.of(spec), body_pt=BODY_PT,
        line_height=LINE_HEIGHT, pitch=BODY_PT * LINE_HEIGHT)
    faces = templates.render_template(templates.environment(book), "pdf/fonts.css.j2",
                                      **fontstack.css_context(book.meta.fonts))
    return [templates.style("common.css", book), templates.style("pdf.css", book), geometry,
            faces, templates.style("pdf-code.css", book),
            *(templates.style(name, book) for name in extra)]


def _sections(book: model.Book) -> dict[str, str]:
    """Which part of the book each TOC target is in: front, body or back."""
    sections = {m.id: m.section for m in (*book.front, *book.back)}
    sections.update({item.id: "body" for item in book.reading_order()
                     if not isinstance(item, model.Matter)})
    return sections
