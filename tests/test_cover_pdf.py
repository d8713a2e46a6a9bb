"""The print cover: spread width from the interior's page count, spine text, barcode, PDF/X."""

from __future__ import annotations

import html
import logging
import re
import subprocess
from pathlib import Path

import pikepdf
import pypdfium2
import pytest
import zxingcpp
from bookfactory import make_book, yaml_line
from conftest import ROOT

from casebook.build.pipeline import Options, build
from casebook.check import pdf as pdf_check
from casebook.editions import pdfx
from casebook.editions.cover import barcode as barcode_svg
from casebook.editions.cover import edition as cover_pdf
from casebook.editions.cover.design import SPINE_MIN_PT
from casebook.errors import SourceError
from casebook.geometry import PT_PER_MM, SLUG_MM, cover_geometry
from casebook.source import loader as source

REAL_ISBN = "9787807458654"
SYNTHETIC_ISBN = "978-0-00-000000-2"  # synthetic: a made-up ISBN with a valid check digit
_WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">'
                   r'([^<]*)</word>')


@pytest.fixture(scope="module")
def real(tmp_path_factory):
    """The real book's interior PDF, built, its page count read back, and its cover.

    Draft: every case of the real book is still pending, so only a draft has its full shape.
    """
    out = tmp_path_factory.mktemp("cover-real")
    paths = build(Options(book_dir=ROOT, out_dir=out, editions=("pdf",), draft=True))
    with pikepdf.open(paths["pdf"]) as pdf:
        pages = len(pdf.pages)
    assert pages > 100
    book = source.load(ROOT).select(True)
    assert paths["cover"] == out / f"{book.meta.slug}-cover.pdf"  # the build wrote it
    return book, pages, paths["cover"]


def _mm(value: float) -> float:
    return float(value) / PT_PER_MM


def _box_mm(path: Path, name: str) -> tuple[float, float]:
    with pikepdf.open(path) as pdf:
        assert len(pdf.pages) == 1
        box = [float(v) for v in pdf.pages[0].obj[name]]
    return _mm(box[2] - box[0]), _mm(box[3] - box[1])


@pytest.mark.slow
def test_the_spread_is_two_trims_plus_spine_plus_bleed(real, caplog):
    book, pages, path = real
    spec = book.meta.print
    spine = pages / 2 * 0.1  # book.yaml sets no caliper: the default 0.1 mm a leaf
    width, height = _box_mm(path, "/BleedBox")
    assert abs(width - (2 * spec.trim_width + spine + 2 * spec.bleed)) < 0.1
    assert abs(height - (spec.trim_height + 2 * spec.bleed)) < 0.1
    slug = 2 * SLUG_MM  # the MediaBox: the marks' slug round the bleed
    assert _box_mm(path, "/MediaBox") == pytest.approx((width + slug, height + slug), abs=0.01)
    trim = _box_mm(path, "/TrimBox")
    assert trim == pytest.approx((2 * spec.trim_width + spine, spec.trim_height), abs=0.1)
    assert path.name == f"{book.meta.slug}-cover.pdf"


@pytest.mark.slow
def test_the_spine_follows_the_page_count(real, tmp_path, caplog):
    book, pages, _ = real
    widths = {}
    for count in (pages, pages + 200):
        with caplog.at_level(logging.INFO, logger="casebook.editions.cover.edition"):
            path = cover_pdf.write(book, tmp_path, count)
        widths[count] = _box_mm(path, "/TrimBox")[0]
        spine = count / 2 * 0.1
        assert f"spine {spine:.2f} mm ({count} pages" in caplog.text  # the build reports it
    assert widths[pages + 200] - widths[pages] == pytest.approx(10.0, abs=0.1)


def test_caliper_and_board_come_from_book_yaml(tmp_path, caplog):
    root = make_book(tmp_path, yaml_extra="print: {paper_caliper_mm: 0.12, cover_board_mm: 2}\n")
    book = source.load(root).select(False)
    assert (book.meta.print.paper_caliper_mm, book.meta.print.cover_board_mm) == (0.12, 2.0)
    with caplog.at_level(logging.INFO, logger="casebook"):
        path = cover_pdf.write(book, tmp_path, 300)
    assert _box_mm(path, "/TrimBox")[0] == pytest.approx(2 * 185 + 150 * 0.12 + 2, abs=0.1)
    assert "book.yaml has no 'isbn', so the back cover has no barcode" in caplog.text


@pytest.mark.parametrize("value", ["thin", "-0.1", "0"])
def test_a_bad_caliper_is_reported_at_its_line(tmp_path, value):
    root = make_book(tmp_path, yaml_extra=f"print:\n  paper_caliper_mm: {value}\n")
    with pytest.raises(SourceError, match="'print.paper_caliper_mm' must be a positive") as info:
        source.load(root)
    assert info.value.line == yaml_line(root, "paper_caliper_mm")


@pytest.mark.slow
def test_the_print_cover_passes_the_interiors_preflight(real):
    book, pages, path = real
    assert pdf_check.print_preflight(path, cover_geometry(book.meta, pages)) == []
    with pikepdf.open(path) as pdf, pikepdf.open(path.with_name(f"{book.meta.slug}.pdf")) as inner:
        ours, theirs = pdf_check.output_intent(pdf), pdf_check.output_intent(inner)
        assert ours == theirs and ours.subtype == "/GTS_PDFX"
        assert pdf.pdf_version <= "1.6"


def _render(path: Path, dpi: int = 400):
    document = pypdfium2.PdfDocument(str(path))
    return document[0].render(scale=dpi / 72).to_pil()


def _decode(path: Path) -> set[str]:
    found = zxingcpp.read_barcodes(_render(path), formats=zxingcpp.BarcodeFormat.EAN13,
                                   ean_add_on_symbol=zxingcpp.EanAddOnSymbol.Read)
    return {r.text for r in found}


@pytest.mark.slow
def test_the_barcode_decodes_to_the_isbn_with_its_add_on(real):
    _, _, path = real
    # book.yaml sets price 38.00 and no cover.addon: the GB/T 12906 add-on 00
    assert f"{REAL_ISBN}00" in _decode(path)
    assert "定价：38.00元" in _text(path)


@pytest.mark.slow
def test_the_barcode_is_vector(real):
    _, _, path = real
    with pikepdf.open(path) as pdf:
        images = list(pdf.pages[0].get_images())
    assert images == []  # no book.yaml cover image here: nothing raster on the cover at all


def test_a_five_digit_add_on_and_no_price(tmp_path):
    root = make_book(tmp_path, yaml_extra=f"isbn: {SYNTHETIC_ISBN}\ncover: {{addon: '90000'}}\n")
    path = cover_pdf.write(source.load(root).select(False), tmp_path, 120)
    assert "9780000000002" + "90000" in _decode(path)
    assert "定价" not in _text(path)


def test_ean5_parity_follows_its_checksum():
    # 52495: 3×(5+4+5) + 9×(2+9) = 141, checksum 1 → parity GLGLL; start 1011, separators 01
    modules = barcode_svg.addon_modules("52495")
    assert len(modules) == 47 and modules.startswith("1011")
    chars = [modules[4 + 9 * i: 11 + 9 * i] for i in range(5)]
    assert [modules[11 + 9 * i: 13 + 9 * i] for i in range(4)] == ["01"] * 4
    sets = ["G" if c in barcode_svg._SETS["G"] else "L" for c in chars]
    assert "".join(sets) == "GLGLL"


def test_a_wrong_check_digit_is_an_error():
    with pytest.raises(SourceError, match="check digit 5; it should be 4"):
        barcode_svg.isbn_digits("978-7-80745-865-5")


def _words(path: Path) -> list[tuple[float, float, float, float, str]]:
    out = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True,
                         check=True).stdout
    return [(*(float(m.group(i)) for i in range(1, 5)), html.unescape(m.group(5)))
            for m in _WORD.finditer(out)]


def _text(path: Path) -> str:
    return "".join(w[4] for w in _words(path))


def _spine_words(path: Path, meta, pages: int):
    spec = meta.print
    left = (SLUG_MM + spec.bleed + spec.trim_width) * PT_PER_MM
    right = left + pages / 2 * spec.paper_caliper_mm * PT_PER_MM
    words = [w for w in _words(path) if left < (w[0] + w[2]) / 2 < right]
    return sorted(words, key=lambda w: w[1]), (left + right) / 2


@pytest.mark.slow
def test_the_spine_text_is_vertical(real):
    book, pages, path = real
    words, centre = _spine_words(path, book.meta, pages)
    text = "".join(w[4] for w in words)
    meta = book.meta
    assert text == (meta.title + meta.editors + meta.publisher).replace("　", "")
    assert all(len(w[4]) == 1 for w in words)  # one character a line: stacked, top to bottom
    for above, below in zip(words, words[1:]):  # each a full character below the one before
        step = (below[1] + below[3]) / 2 - (above[1] + above[3]) / 2
        assert step >= 0.95 * min(above[2] - above[0], below[2] - below[0])
    for w in words:
        assert abs((w[0] + w[2]) / 2 - centre) < 1.0  # on the spine's centre line


@pytest.mark.slow
def test_a_narrow_spine_drops_the_editor_first(real, tmp_path, caplog):
    book, _, _ = real
    pages = 100  # 5 mm: room for the title and the publisher, not the smaller editor
    with caplog.at_level(logging.WARNING):
        path = cover_pdf.write(book, tmp_path, pages)
    assert "too narrow for the editor at" in caplog.text
    assert "publisher" not in caplog.text and "title" not in caplog.text
    words, _ = _spine_words(path, book.meta, pages)
    assert "".join(w[4] for w in words) == book.meta.title + book.meta.publisher
    assert min(w[2] - w[0] for w in words) >= SPINE_MIN_PT * 0.99
    caplog.clear()  # the warning above is expected


@pytest.mark.slow
def test_a_spine_too_narrow_for_any_text_stays_blank_with_warnings(real, tmp_path, caplog):
    book, _, _ = real
    with caplog.at_level(logging.WARNING):
        path = cover_pdf.write(book, tmp_path, 40)  # 2 mm
    assert caplog.text.count("too narrow") == 1
    assert "too narrow for the editor and the publisher and the title" in caplog.text
    assert _spine_words(path, book.meta, 40)[0] == []
    caplog.clear()  # the warning above is expected


@pytest.mark.slow
def test_look_at_the_spread(real, tmp_path):
    """pdftoppm renders the spread; the spine's colour and the barcode's white box show up."""
    book, pages, path = real
    subprocess.run(["pdftoppm", "-r", "50", "-png", "-singlefile", str(path),
                    str(tmp_path / "spread")], check=True)
    from PIL import Image
    image = Image.open(tmp_path / "spread.png").convert("RGB")
    spec = book.meta.print
    px, edge = 50 / 25.4, SLUG_MM + spec.bleed  # the trim's top left, from the MediaBox's
    spine_x, ground = round((edge + spec.trim_width + pages / 40) * px), round((SLUG_MM + 1) * px)
    assert image.getpixel((spine_x, ground)) == image.getpixel((ground, ground))  # in the bleed
    assert image.getpixel((2, 2)) == (255, 255, 255)  # the slug is left blank, but for marks
    barcode = (round((edge + spec.trim_width - 25) * px),
               round((edge + spec.trim_height - 20) * px))
    assert image.getpixel(barcode)[0] > 200 or image.getpixel(barcode) == (0, 0, 0)


@pytest.mark.slow
def test_the_cover_is_reproducible_with_source_date_epoch(real, tmp_path, monkeypatch):
    book, pages, _ = real
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1306886400")
    first = cover_pdf.write(book, tmp_path, pages).read_bytes()
    (tmp_path / "again").mkdir()
    assert cover_pdf.write(book, tmp_path / "again", pages).read_bytes() == first


def test_a_cmyk_intent_gives_a_cmyk_cover_that_passes_preflight(tmp_path):
    icc = "/usr/share/color/icc/ghostscript/default_cmyk.icc"
    root = make_book(tmp_path, yaml_extra=f"isbn: {SYNTHETIC_ISBN}\nprint: {{output_intent: cmyk, "
                                          f"icc: {icc}}}\n")
    book = source.load(root).select(False)
    path = cover_pdf.write(book, tmp_path, 240)
    assert pdf_check.print_preflight(path, cover_geometry(book.meta, 240)) == []
    with pikepdf.open(path) as pdf:
        assert pdf_check.output_intent(pdf).components == 4
        painted = b"".join(_page_streams(pdf))
    assert b"/DeviceCMYK cs" in painted and b"0 0 0 1 scn" in painted  # bars in black ink only
    assert "9780000000002" in _decode(path)


def _page_streams(pdf) -> list[bytes]:
    """Every content stream of the first page and of the forms it draws, decoded."""
    page = pdf.pages[0]
    streams = [s.read_bytes() for s in pdfx.contents(page.obj)]
    for _, xobject in page.Resources.get("/XObject", {}).items():
        if xobject.get("/Subtype") == "/Form":
            streams.append(xobject.read_bytes())
    return streams


def test_a_kept_cover_is_painted_once_for_a_spine_and_dated_by_each_build(tmp_path,
                                                                        monkeypatch):
    root = make_book(tmp_path, yaml_extra="subtitle: 合成副题\n")
    book = source.load(root).select(False)
    painted = []
    real_paint = cover_pdf.paint
    monkeypatch.setattr(cover_pdf, "paint",
                        lambda *a, **k: painted.append(1) or real_paint(*a, **k))
    for name in "abcde":
        (tmp_path / name).mkdir()
    cache = tmp_path / "cache"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    first = cover_pdf.write(book, tmp_path / "a", 200, cache).read_bytes()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
    later = cover_pdf.write(book, tmp_path / "b", 200, cache)
    assert len(painted) == 1, "the same spread was painted again"
    with pikepdf.open(later) as pdf:
        assert str(pdf.docinfo.CreationDate).startswith("D:20270115")  # 1800000000
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert cover_pdf.write(book, tmp_path / "c", 200, cache).read_bytes() == first
    cover_pdf.write(book, tmp_path / "d", 240, cache)
    assert len(painted) == 2, "a wider spine must be painted anew"
    monkeypatch.setattr(cover_pdf, "paint", real_paint)
    assert cover_pdf.write(book, tmp_path / "e", 200).read_bytes() == first, \
        "a cover from the cache differs from one painted now"
