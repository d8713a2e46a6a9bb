"""Folios of a chunked PDF: hidden in the chunk layout, stamped from a folio sheet, as printed."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from html import unescape
from pathlib import Path

import pikepdf
import pypdfium2
import pytest
import whole_layout
from conftest import DATA
from PIL import ImageChops

from casebook.editions.pdf import document as pdf
from casebook.editions.pdf import folios as pdf_folios
from casebook.editions.pdf import plan as pdf_plan
from casebook.errors import RenderError
from casebook.geometry import PT_PER_MM
from casebook.render import fragments as render
from casebook.source import loader as source

POSITION_PT = 0.1   # folios stamped from the sheet stand where the normal layout prints them
CENTRE_PT = 30.0    # the folio is near the middle of the page; draft marks sit in the corners
_WORD = re.compile(r'<page |<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" '
                   r'yMax="([\d.]+)">([^<]*)</word>')


@dataclass
class Run:
    """The sample book laid out the normal way and as a chunk, then stamped."""

    book: object
    normal: Path        # whole_layout + paint: folios drawn by WeasyPrint
    chunk: Path         # laid out with pdf-chunk.css: folio boxes hidden
    stamped: Path       # the chunk with the folio sheet stamped on
    shown: list[bool]   # pdf_folios.shown of the chunk layout
    normal_shown: list[bool]
    hidden: list[bool]  # each chunk page's folio box is visibility: hidden
    labels: list[str | None]
    stamped_count: int


@pytest.fixture(scope="module", params=[False, True], ids=["default", "draft"])
def run(request, tmp_path_factory) -> Run:
    book = source.load(DATA / "sample").select(request.param)
    out = tmp_path_factory.mktemp("folios")
    fragments = render.render_all(book)
    layout = whole_layout.lay_out(book, fragments)
    (out / "normal.pdf").write_bytes(pdf.paint(book, layout.document))
    html = pdf.book_html(book, fragments, pdf_plan.whole(book), None, "2011-06-01T00:00:00")
    chunk = pdf.render_document(book, html, extra=(pdf_folios.CHUNK_STYLE,))
    (out / "chunk.pdf").write_bytes(pdf.paint(book, chunk))
    shown = pdf_folios.shown(chunk)
    labels = [page.label if folio else None for page, folio in zip(layout.pagemap.pages, shown)]
    with pikepdf.open(out / "chunk.pdf") as merged:
        count = pdf_folios.stamp(merged, pdf_folios.sheet(book, labels))
        merged.save(out / "stamped.pdf")
    return Run(book, out / "normal.pdf", out / "chunk.pdf", out / "stamped.pdf", shown,
               pdf_folios.shown(layout.document), _hidden(chunk), labels, count)


def _hidden(document) -> list[bool]:
    return [all(box.style["visibility"] == "hidden" for box in page._page_box.children
                if getattr(box, "at_keyword", None) == pdf_folios.FOLIO_BOX)
            for page in document.pages]


def bottom_words(path: Path, book) -> list[list[tuple]]:
    """Each page's words in its bottom margin: (text, xMin, yMin, xMax, yMax) in points."""
    spec = book.meta.print
    top = (spec.bleed + spec.trim_height - spec.margins[2]) * PT_PER_MM
    out = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True,
                         text=True, check=True).stdout
    pages: list[list[tuple]] = []
    for match in _WORD.finditer(out):
        if match.group(0).startswith("<page"):
            pages.append([])
            continue
        box = tuple(float(match.group(i)) for i in range(1, 5))
        if box[1] > top:
            pages[-1].append((unescape(match.group(5)), *box))
    return pages


def central(word: tuple, width_pt: float) -> bool:
    return abs((word[1] + word[3]) / 2 - width_pt / 2) < CENTRE_PT


def media_width(path: Path) -> float:
    with pikepdf.open(path) as opened:
        return float(opened.pages[0].mediabox[2])


def test_stamped_folios_stand_where_the_normal_layout_prints_them(run):
    normal, stamped = bottom_words(run.normal, run.book), bottom_words(run.stamped, run.book)
    assert len(normal) == len(stamped) == len(run.labels)
    worst = 0.0
    for page, (want, got) in enumerate(zip(normal, stamped)):
        assert [w[0] for w in got] == [w[0] for w in want], page
        for a, b in zip(want, got):
            worst = max(worst, *(abs(x - y) for x, y in zip(a[1:], b[1:])))
    assert worst <= POSITION_PT, worst
    width = media_width(run.normal)
    folios = [[w[0] for w in words if central(w, width)] for words in normal]
    assert folios == [[label] if label else [] for label in run.labels]
    assert run.stamped_count == sum(bool(label) for label in run.labels) >= 4


def test_shown_reads_the_folio_boxes_of_the_design(run):
    assert run.shown == run.normal_shown
    assert any(run.shown) and not all(run.shown)
    assert all(run.hidden)


def test_the_chunk_layout_draws_no_folio(run):
    width = media_width(run.normal)
    normal, chunk = bottom_words(run.normal, run.book), bottom_words(run.chunk, run.book)
    assert [[w for w in words if not central(w, width)] for words in normal] == chunk
    assert not any(central(w, width) for words in chunk for w in words)


def images(path: Path, dpi: int = 50) -> list:
    document = pypdfium2.PdfDocument(str(path))
    try:
        return [page.render(scale=dpi / 72).to_pil().convert("L") for page in document]
    finally:
        document.close()


def difference(a, b) -> tuple[int, int]:
    """The largest grey-level difference between two page images and how many pixels differ."""
    diff = ImageChops.difference(a, b)
    histogram = diff.histogram()
    return max(i for i, n in enumerate(histogram) if n), sum(histogram[9:])


def test_stamped_pages_look_like_the_normal_ones(run):
    normal, stamped, chunk = images(run.normal), images(run.stamped), images(run.chunk)
    for page, label in enumerate(run.labels):
        largest, pixels = difference(normal[page], stamped[page])
        assert pixels <= 2 and largest <= 16, (page, largest, pixels)
        if label:
            assert difference(normal[page], chunk[page])[1] > 5, page


def test_the_stamp_is_a_pagination_artifact(run):
    with pikepdf.open(run.stamped) as opened:
        for page, label in zip(opened.pages, run.labels):
            names = [str(n) for n in page.resources.get("/XObject", {}).keys()
                     if str(n).startswith("/Folio")]
            assert names == (["/Folio"] if label else [])
            if label:
                assert _artifact_draws(page, names[0])
                form = page.resources.XObject[names[0]]
                assert b"MCID" not in form.read_bytes() and b"TJ" in form.read_bytes()


def _artifact_draws(page, name: str) -> bool:
    """Whether ``name`` is drawn inside /Artifact <</Type /Pagination /Subtype /Footer>>."""
    stack: list = []
    for operands, operator in pikepdf.parse_content_stream(page):
        op = str(operator)
        if op in ("BDC", "BMC"):
            stack.append(operands)
        elif op == "EMC":
            stack.pop()
        elif op == "Do" and str(operands[0]) == name:
            return any(str(o[0]) == "/Artifact" and len(o) > 1
                       and o[1].get("/Type") == "/Pagination"
                       and o[1].get("/Subtype") == "/Footer" for o in stack)
    return False


def test_stamp_refuses_a_sheet_of_another_length(run):
    with pikepdf.open(run.chunk) as opened:
        with pytest.raises(RenderError, match="pages"):
            pdf_folios.stamp(opened, pdf_folios.sheet(run.book, run.labels[:-1]))
        assert pdf_folios.stamp(opened, pdf_folios.sheet(run.book, [None] * len(run.labels))) == 0


def test_the_sheet_has_a_folio_box_only_where_a_label_is_printed(run):
    labels = ["iv", None, "", "12"]
    assert pdf_folios.shown(pdf_folios.sheet_document(run.book, labels)) == \
        [True, False, False, True]


def test_a_second_stamp_takes_a_free_name_and_the_file_stays_valid(run, tmp_path):
    with pikepdf.open(run.stamped) as opened:
        assert pdf_folios.stamp(opened, pdf_folios.sheet(run.book, run.labels)) >= 4
        page = opened.pages[run.labels.index(next(filter(None, run.labels)))]
        assert sorted(str(n) for n in page.resources.XObject.keys()
                      if str(n).startswith("/Folio")) == ["/Folio", "/Folio1"]
        opened.save(tmp_path / "twice.pdf")
    check = subprocess.run(["qpdf", "--check", str(tmp_path / "twice.pdf")],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
