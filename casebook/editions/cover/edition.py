"""The print cover: ``<slug>-cover.pdf``, one PDF/X-4 spread (back, spine, front) with bleed.

The spine's width comes from the interior's real page count (the caller reads it from the
built PDF): pages ÷ 2 × ``print.paper_caliper_mm`` + ``print.cover_board_mm``. The spread is
set by WeasyPrint from templates/cover/ and styles/cover.css with the interior's output
intent; pikepdf then sets its colours for the press as the interior's (editions/inks.py: greys
in black ink alone, the ground and the lettering in CMYK through the intent), adds the
BleedBox, a slug round it (the MediaBox), and in the slug crop marks at the four corners and
fold marks at the spine's two edges (0.25 pt, K only), as the interior has.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pikepdf
from pikepdf import Array, Name, String
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from casebook import digests, model
from casebook.clock import build_time
from casebook.editions import inks, pdfx, weasy
from casebook.editions.common import PAINTED_AT, set_dates
from casebook.editions.cover.design import SPINE_END_MM, Design
from casebook.fsio import published, write_file
from casebook.geometry import Geometry, cover_geometry
from casebook.render import fonts, templates

log = logging.getLogger(__name__)
SUFFIX = "-cover"
INTENTS = {"srgb": "srgb", "cmyk": "device-cmyk"}  # as casebook/editions/pdf.py
UNUSED_FOR = 7 * 24 * 3600  # seconds after which a kept cover no build used is forgotten


def write(book: model.Book, out_dir: Path, pages: int, cache_dir: Path | None = None) -> Path:
    """Write ``<slug>-cover.pdf`` for an interior of ``pages`` pages; return its path.

    The painted spread is kept in ``cache_dir``/cover between builds (None: painted anew)."""
    meta = book.meta
    env = templates.environment(book)
    design = Design.of(meta, pages, env, cache_dir=Path(cache_dir) / "cover" if cache_dir else None)
    spec = meta.print
    log.info("Cover: spine %.2f mm (%d pages ÷ 2 × %.3f mm paper + %.2f mm board); "
             "spread %.2f × %.2f mm plus %.1f mm bleed", design.spine_mm, pages,
             spec.paper_caliper_mm, spec.cover_board_mm, design.spread_width,
             spec.trim_height, spec.bleed)
    target = Path(out_dir) / f"{meta.slug}{SUFFIX}.pdf"
    key = inputs_key(meta, book.root, "spread", str(pages))
    painted = kept(cache_dir, key, ".pdf", lambda: paint(
        book, design, env, "cover/spread.html.j2", design.spread_width, spec.bleed,
        pdf_variant="pdf/x-4", output_intent=INTENTS[spec.output_intent]))
    _finish(painted, target, design)
    embedded = fonts.check_embedded(target, shown=target.name)
    log.info("Cover PDF: %s (%.1f MB; fonts: %s)", published(target),
             target.stat().st_size / 1e6, ", ".join(embedded))
    return target


def paint(book: model.Book, design: Design, env, template: str, width: float, bleed: float,
          **options) -> bytes:
    """Lay out and paint one cover template on a page ``width`` mm wide (plus bleed), with
    the WeasyPrint patches the book is laid out with (its blurb is justified as the text is)."""
    weasy.install()  # whatever this process laid out before: the same cover every time
    spec = book.meta.print
    cmyk = spec.output_intent == "cmyk" and bleed > 0
    page_css = templates.render_template(
        env, "cover/page.css.j2", d=design, width=width, height=spec.trim_height, bleed=bleed,
        front_left=width - spec.trim_width, spine_end=SPINE_END_MM, cmyk=cmyk,
        icc_url=spec.icc.resolve().as_uri() if cmyk else "")
    html = templates.render_template(env, template, d=design, created=PAINTED_AT)
    profiles: dict = {}
    font_config = FontConfiguration()
    sheets = [CSS(string=text, color_profiles=profiles, font_config=font_config)
              for text in (templates.style("cover.css"), page_css)]
    document = HTML(string=html, base_url=book.root.resolve().as_uri() + "/").render(
        stylesheets=sheets, color_profiles=profiles, font_config=font_config,
        output_intent=options.get("output_intent"))
    if len(document.pages) != 1:
        raise ValueError(f"the cover laid out on {len(document.pages)} pages, not one")
    return document.write_pdf(pdf_identifier=f"{book.meta.slug}{SUFFIX}".encode(), **options)


def kept(cache_dir: Path | None, key: str, suffix: str, make: Callable[[], bytes]) -> bytes:
    """What ``make()`` returns, kept in ``cache_dir``/cover while ``key`` is unchanged
    (no ``cache_dir``: made each time)."""
    if cache_dir is None:
        return make()
    path = Path(cache_dir) / "cover" / f"{key}{suffix}"
    try:
        data = path.read_bytes()
        path.touch()
        log.debug("Cover: %s unchanged since an earlier build", path.name)
        return data
    except OSError:  # not made yet (or unreadable): make it, and keep it
        data = make()
        write_file(path, data)
        _forget_unused(path.parent)
        return data


def _forget_unused(folder: Path) -> None:
    old = time.time() - UNUSED_FOR
    for other in folder.iterdir():
        try:
            if other.stat().st_mtime < old:
                other.unlink()
        except OSError:  # another build took it away first
            pass


def inputs_key(meta: model.Meta, root: Path, *extra: str) -> str:
    """The book's metadata, its own templates and styles, the files its metadata names,
    casebook's code, the installed tools and the fonts: all a cover is painted from."""
    named = [p for p in (meta.cover.image, meta.print.icc) if p is not None]
    own = digests.digests(digests.input_files(Path(root), named))
    return hashlib.sha256("\0".join([
        repr(meta), json.dumps(own, sort_keys=True), digests.code_digest(), digests.tools_digest(),
        *(str(fonts.locate(f).path.stat().st_mtime_ns) for f in fonts.DECLARED), *extra,
    ]).encode()).hexdigest()


def _finish(painted: bytes, target: Path, design: Design) -> None:
    """Colours, PDF/X-4 keys, the boxes and the marks, as the PDF edition finishes the
    interior."""
    g = cover_geometry(design.meta, design.pages)
    spec = design.meta.print
    with pikepdf.open(io.BytesIO(painted)) as pdf:
        set_dates(pdf, build_time())
        inks.convert(pdf, spec.icc if spec.output_intent == "cmyk" else None)
        page = pdf.pages[0].obj
        pdfx.print_boxes(page, g)
        marks = pdf.make_stream(b"q\n" + _marks(g, design.trim_width, design.spine_mm)
                                + b"\nQ\n")
        page.Contents = Array([pdf.make_stream(b"q\n"), *pdfx.contents(page),
                               pdf.make_stream(b"\nQ\n"), marks])
        if spec.output_intent == "cmyk":
            pdfx.output_intent(pdf, spec.icc)
            pdfx.default_rgb(pdf)
        pdf.docinfo[Name.GTS_PDFXVersion] = String(pdfx.PDFX_VERSION)
        name = f"casebook:{design.meta.slug}:cover"
        with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
            meta["xmpMM:DocumentID"] = f"uuid:{uuid.uuid5(uuid.NAMESPACE_URL, name)}"
        pdf.save(target, deterministic_id=True)


def _marks(g: Geometry, trim_width: float, spine: float) -> bytes:
    """Crop marks at the corners and fold marks at the spine edges (as the interior's)."""
    return "\n".join(pdfx.crop_marks(g, folds=(trim_width, trim_width + spine))).encode()
