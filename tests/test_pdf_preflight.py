"""Print-shop preflight of the print PDF (PDF/X-4) and PDF/UA structure of the screen PDF."""

import re
import subprocess
from pathlib import Path

import pikepdf
import pypdf
import pytest
from bookfactory import make_book
from PIL import Image

from casebook.build.pipeline import Options, build
from casebook.check import pdf as preflight
from casebook.errors import ErrorList, SourceError
from casebook.geometry import PT_PER_MM, SLUG_MM, Geometry
from casebook.source import loader as source

CMYK_ICC = Path("/usr/share/color/icc/ghostscript/default_cmyk.icc")  # apt libgs-common
RGB_ICC = Path("/usr/share/color/icc/ghostscript/srgb.icc")


def screen_of(built) -> Path:
    return built.pdf.with_name(f"{built.book.meta.slug}-screen.pdf")


@pytest.mark.parametrize("kind, draft", [pytest.param("real", False, marks=pytest.mark.slow),
                                         ("synthetic", True)])
def test_print_pdf_passes_preflight(builds, kind, draft):
    built = builds(kind, draft)
    assert preflight.print_preflight(built.pdf, Geometry.of(built.book.meta.print)) == []


@pytest.mark.parametrize("kind, draft", [pytest.param("real", False, marks=pytest.mark.slow),
                                         ("synthetic", True)])
def test_screen_pdf_passes_pdfua_structure_checks(builds, kind, draft):
    built = builds(kind, draft)
    assert preflight.screen_preflight(screen_of(built), Geometry.of(built.book.meta.print)) == []


@pytest.mark.slow
def test_print_pdf_is_pdfx4_with_a_cmyk_intent_and_the_configured_boxes(builds):
    built = builds("real", False)
    spec = built.book.meta.print
    with pikepdf.open(built.pdf) as pdf:
        intent = preflight.output_intent(pdf)
        assert (intent.subtype, intent.components) == ("/GTS_PDFX", 4)  # the default intent
        assert "SWOP" in intent.condition
        assert str(pdf.docinfo["/GTS_PDFXVersion"]) == "PDF/X-4"
        assert pdf.open_metadata()["pdfxid:GTS_PDFXVersion"] == "PDF/X-4"
        page = pdf.pages[0].obj
        trim = [float(v) for v in page.TrimBox]
        bleed = [float(v) for v in page.BleedBox]
        media = [float(v) for v in page.MediaBox]
    assert trim[2] - trim[0] == pytest.approx(spec.trim_width * PT_PER_MM, abs=0.01)
    assert trim[3] - trim[1] == pytest.approx(spec.trim_height * PT_PER_MM, abs=0.01)
    assert trim[0] - bleed[0] == pytest.approx(spec.bleed * PT_PER_MM, abs=0.01)
    assert bleed[3] - trim[3] == pytest.approx(spec.bleed * PT_PER_MM, abs=0.01)
    assert bleed[0] - media[0] == pytest.approx(SLUG_MM * PT_PER_MM, abs=0.01)  # the marks'


@pytest.mark.slow
def test_crop_marks_are_drawn_outside_the_trim_on_every_page(builds, tmp_path):
    built = builds("real", False)
    with pikepdf.open(built.pdf) as pdf:
        assert all("/CasebookCropMarks" in p.obj.Resources.XObject for p in pdf.pages)
    dpi, spec = 200, built.book.meta.print
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-f", "1", "-l", "1", str(built.pdf),
                    str(tmp_path / "p")], check=True)
    image = Image.open(next(tmp_path.glob("p*.png"))).convert("L")
    px = dpi / 25.4
    slug, edge = round(SLUG_MM * px), round((SLUG_MM + spec.bleed) * px)
    beside = image.crop((0, 0, slug, edge + 60))        # the slug left of the top-left corner
    inside = image.crop((slug + 2, slug + 2, edge + 60, edge + 60))  # bleed and trim beside it
    assert beside.getextrema()[0] < 128, "no dark crop mark in the slug"
    assert inside.getextrema()[0] > 250, "marks reach into the bleed or the trimmed page"


@pytest.mark.slow
def test_screen_pdf_is_cropped_tagged_and_linked(builds):
    built = builds("real", False)
    with pikepdf.open(screen_of(built)) as pdf:
        assert pdf.pdf_version == "1.7"
        assert pdf.open_metadata()["pdfuaid:part"] == "1"
        assert "/OutputIntents" not in pdf.Root
        links = [a for p in pdf.pages for a in p.obj.get("/Annots", [])
                 if a.get("/Subtype") == "/Link"]
        described = {str(a.Contents) for a in links}
        media = [float(v) for v in pdf.pages[0].obj.MediaBox]
    assert "外资银行金融机构党建工作探索" in described     # the TOC entry links to case 1
    assert media == pytest.approx(list(Geometry.of(built.book.meta.print).trim_box_pt()),
                                  abs=0.01)


def test_internal_links_land_on_their_targets(builds):
    built = builds("synthetic", True)
    reader = pypdf.PdfReader(screen_of(built))
    pages = {name: reader.get_destination_page_number(dest)
             for name, dest in reader.named_destinations.items()}
    landed = 0
    for page in reader.pages:
        for annot in page.get("/Annots") or []:
            annot = annot.get_object()
            if annot.get("/Subtype") == "/Link" and "/Dest" in annot:
                assert str(annot["/Dest"]) in pages
                landed += 1
    assert landed >= len(built.book.toc())


# -- a CMYK output intent from book.yaml ------------------------------------------------------
def test_a_named_cmyk_profile_is_embedded_and_text_is_in_black_ink_only(tmp_path):
    assert CMYK_ICC.is_file(), f"{CMYK_ICC} is missing: apt-get install libgs-common"
    book = make_book(tmp_path, yaml_extra=f"print: {{output_intent: cmyk, icc: {CMYK_ICC}}}\n")
    out = build(Options(book_dir=book, out_dir=tmp_path / "out", editions=("pdf",)))["pdf"]
    geometry = Geometry.of(source.load(book).meta.print)
    assert preflight.print_preflight(out, geometry) == []
    with pikepdf.open(out) as pdf:
        assert preflight.output_intent(pdf).components == 4
        page = pdf.pages[0].obj
        content = b"".join(s.read_bytes() for s in page.Contents)
        assert "/DefaultRGB" in page.Resources.ColorSpace
    assert re.search(rb"\s0 g\s", content)  # DeviceGray black: K alone on a CMYK press
    assert not re.search(rb"\s(rg|RG)\s", content), "RGB colour operators under a CMYK intent"


@pytest.mark.parametrize("extra, message", [
    (f"print: {{output_intent: srgb, icc: {CMYK_ICC}}}\n",
     "'print.icc' is only used with 'print.output_intent: cmyk'"),
    (f"print: {{output_intent: cmyk, icc: {RGB_ICC}}}\n",
     f"'print.icc' '{RGB_ICC}' is a RGB profile, not a CMYK one"),
    ("print: {output_intent: cmyk, icc: none.icc}\n", "'print.icc' 'none.icc' does not exist"),
    ("print: {output_intent: rgb}\n", "'output_intent' must be one of: srgb, cmyk (got 'rgb')"),
])
def test_bad_output_intents_are_reported_at_their_line(tmp_path, extra, message):
    book = make_book(tmp_path, yaml_extra=extra)
    with pytest.raises((SourceError, ErrorList)) as info:
        source.load(book)
    assert message in str(info.value)
    assert f"book.yaml:{_line_of(book, 'print:')}: " in str(info.value)


def _line_of(book: Path, needle: str) -> int:
    lines = (book / "book.yaml").read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, start=1) if needle in line)
