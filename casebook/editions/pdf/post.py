"""Finish the painted PDF twice: a PDF/X-4 print file and a PDF/UA-1 screen file (pikepdf).

Both get the same page labels (roman front matter, arabic body, from the PageMap) and the
same outline (the book's TOC, each entry pointing at the named destination of its target),
so neither depends on one monolithic render: merged chunks can be finished the same way.

Print: the colours are set for the press (editions/inks.py: greys, black text included, in
DeviceGray, other RGB in CMYK through the output intent); a CMYK intent (the default) replaces
WeasyPrint's sRGB output intent with the book's CMYK profile and adds a DefaultRGB (sRGB), so
colour images stay colour-managed. The BleedBox is the configured bleed and the MediaBox adds
a slug round it, where the crop marks are drawn (0.25 pt, K only), clear of the bleed;
``GTS_PDFXVersion`` joins the XMP key in the Info dictionary, and the structure tree and link
annotations go (PDF/X allows no annotations inside the BleedBox).

Screen: the pages are cropped to the trim, the output intent and PDF/X keys go, the XMP
declares PDF/UA-1, and running heads and folios become pagination artifacts (pdf_tags.py).
"""

from __future__ import annotations

import io
import logging
import uuid
from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary, Name, String

from casebook import model
from casebook.editions import inks, pdfx
from casebook.editions.common import toc_tree
from casebook.editions.pdf import tags as pdf_tags
from casebook.editions.pdfx import PDFX_VERSION, contents, crop_marks, default_rgb
from casebook.geometry import Geometry
from casebook.pagemap import PageMap, roman

log = logging.getLogger(__name__)
_ROMAN_VALUES = {roman(n): n for n in range(1, 4000)}


class Finish:
    """The post-processing steps for one book, its PageMap and its page geometry."""

    def __init__(self, book: model.Book, pagemap: PageMap, geometry: Geometry):
        self.book, self.pagemap, self.geometry = book, pagemap, geometry

    def print_pdf(self, painted: bytes, target: Path, kept: dict | None = None) -> None:
        """The print file; ``kept``: pages' press colours from earlier builds (inks.convert)."""
        spec = self.book.meta.print
        cmyk = spec.output_intent == "cmyk"
        with pikepdf.open(io.BytesIO(painted)) as pdf:
            self._common(pdf)
            _strip_structure(pdf)
            inks.convert(pdf, spec.icc if cmyk else None, kept)
            if cmyk:
                pdfx.output_intent(pdf, spec.icc)
                default_rgb(pdf)
            self._print_boxes(pdf)
            self._crop_marks(pdf)
            pdf.docinfo[Name.GTS_PDFXVersion] = String(PDFX_VERSION)
            self._document_id(pdf, "print")
            pdf.save(target, deterministic_id=True)

    def screen_pdf(self, painted: bytes, target: Path, paginated: bool = False) -> None:
        with pikepdf.open(io.BytesIO(painted)) as pdf:
            self._common(pdf)
            self._screen_boxes(pdf)
            if Name.OutputIntents in pdf.Root:
                del pdf.Root.OutputIntents
            for key in (Name.GTS_PDFXVersion, Name.GTS_PDFXConformance):
                if key in pdf.docinfo:
                    del pdf.docinfo[key]
            if not paginated:
                log.debug("Screen PDF: %d running heads and folios marked as artifacts",
                          pdf_tags.paginate_artifacts(pdf))
            pdf_tags.describe_links(pdf, self._link_texts())
            self._document_id(pdf, "screen", ua=True)
            pdf.save(target, deterministic_id=True, min_version="1.7")

    # -- shared ---------------------------------------------------------------------------
    def _common(self, pdf: pikepdf.Pdf) -> None:
        pdf.Root.PageLabels = page_labels(self.pagemap)
        pdf.Root.Outlines = outline(pdf, toc_tree(self.book))

    def _document_id(self, pdf: pikepdf.Pdf, variant: str, ua: bool = False) -> None:
        """A stable xmpMM:DocumentID per book and variant; PDF/UA-1 identification."""
        name = f"casebook:{self.book.meta.slug}:{variant}"
        with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
            meta["xmpMM:DocumentID"] = f"uuid:{uuid.uuid5(uuid.NAMESPACE_URL, name)}"
            if ua:
                for key in ("pdfxid:GTS_PDFXVersion", "pdfx:GTS_PDFXVersion",
                            "pdfx:GTS_PDFXConformance", "xmpMM:RenditionClass"):
                    if key in meta:
                        del meta[key]
                meta["pdfuaid:part"] = "1"

    def _link_texts(self) -> dict[str, str]:
        """What each internal link leads to, for its /Contents: a title or a page."""
        texts = {f"#{a}": f"第{label}页" for a, label in self.pagemap.labels().items()}
        texts.update({f"#{e.target}": e.title for e in self.book.toc()})
        return texts

    # -- print ----------------------------------------------------------------------------
    def _print_boxes(self, pdf: pikepdf.Pdf) -> None:
        for page in pdf.pages:
            pdfx.print_boxes(page.obj, self.geometry)

    def _crop_marks(self, pdf: pikepdf.Pdf) -> None:
        """One form XObject with eight strokes in the slug, drawn on every page after its
        content."""
        marks = pikepdf.Stream(pdf, _marks_content(self.geometry))
        marks.Type, marks.Subtype = Name.XObject, Name.Form
        marks.BBox = Array(self.geometry.media_box_pt())
        marks.Resources = Dictionary()
        before = pdf.make_stream(b"q\n")
        after = pdf.make_stream(b"\nQ q /CasebookCropMarks Do Q\n")
        for page in pdf.pages:
            resources = page.obj.Resources
            if Name.XObject not in resources:
                resources.XObject = Dictionary()
            resources.XObject.CasebookCropMarks = marks
            page.obj.Contents = Array([before, *contents(page.obj), after])

    # -- screen ---------------------------------------------------------------------------
    def _screen_boxes(self, pdf: pikepdf.Pdf) -> None:
        trim = Array(self.geometry.trim_box_pt())
        for page in pdf.pages:
            cut_to(page.obj, trim)


def cut_to(page: Dictionary, trim: Array) -> None:
    """A page cut to ``trim`` as a screen shows it: its only box, the MediaBox."""
    page.MediaBox = trim
    for box in (Name.CropBox, Name.BleedBox, Name.TrimBox, Name.ArtBox):
        if box in page:
            del page[box]


def outline(pdf: pikepdf.Pdf, tree) -> Dictionary:
    """The TOC as the outline: each entry open, at its named destination, its children under
    it. (pikepdf's OutlineItem writes the same, at about 0.1 s a book for its bookkeeping.)"""
    root = pdf.make_indirect(Dictionary(Type=Name.Outlines))
    if tree:
        _outline_items(pdf, root, tree)
    return root


def _outline_items(pdf: pikepdf.Pdf, parent: Dictionary, entries) -> int:
    """Link ``entries`` ((entry, children) pairs) under ``parent``; return the open count."""
    items, count = [], 0
    for entry, children in entries:
        item = pdf.make_indirect(Dictionary(Title=String(entry.title),
                                            Dest=String(entry.target), Parent=parent))
        count += 1 + _outline_items(pdf, item, [(child, ()) for child in children])
        items.append(item)
    for before, after in zip(items, items[1:]):
        before.Next, after.Prev = after, before
    if items:
        parent.First, parent.Last = items[0], items[-1]
    parent.Count = count
    return count


def page_labels(pagemap: PageMap) -> Dictionary:
    """/PageLabels from the PageMap: a new range wherever the numbering style or run changes."""
    nums, previous = [], None
    for page in pagemap.pages:
        style, number = _label_style(page.label)
        if previous is None or previous != (style, number - 1):
            entry = Dictionary(S=Name("/" + style))
            if number != 1:
                entry.St = number
            nums += [page.index, entry]
        previous = (style, number)
    return Dictionary(Nums=Array(nums))


def _label_style(label: str) -> tuple[str, int]:
    if label.isdigit():
        return "D", int(label)
    if label in _ROMAN_VALUES:
        return "r", _ROMAN_VALUES[label]
    raise ValueError(f"page label {label!r} is neither arabic nor lowercase roman")


def _marks_content(g: Geometry) -> bytes:
    return "\n".join(crop_marks(g)).encode()


def _strip_structure(pdf: pikepdf.Pdf) -> None:
    """The print file carries no structure tree and no annotations (PDF/X)."""
    for key in (Name.StructTreeRoot, Name.MarkInfo):
        if key in pdf.Root:
            del pdf.Root[key]
    for page in pdf.pages:
        for key in (Name.Annots, Name.StructParents, Name.Tabs):
            if key in page.obj:
                del page.obj[key]


