"""The PDF edition: trim and bleed from book.yaml, declared fonts embedded, folios, pagination."""

import subprocess

import pikepdf
import pytest

from casebook import check
from casebook.geometry import SLUG_MM
from casebook.render import fonts

MM = 72 / 25.4


@pytest.mark.slow
def test_boxes_follow_book_yaml(builds):
    built = builds("real", False)
    spec = built.book.meta.print
    with pikepdf.open(built.pdf) as pdf:
        page = pdf.pages[0]
        trim = [float(v) for v in page.obj["/TrimBox"]]
        media = [float(v) for v in page.obj["/MediaBox"]]
    assert abs((trim[2] - trim[0]) - spec.trim_width * MM) < 0.5
    assert abs((trim[3] - trim[1]) - spec.trim_height * MM) < 0.5
    slug = 2 * (spec.bleed + SLUG_MM)  # the marks are drawn in a slug beyond the bleed
    assert abs((media[2] - media[0]) - (spec.trim_width + slug) * MM) < 0.5


def test_every_font_is_embedded_subset_and_declared(built):
    out = subprocess.run(["pdffonts", str(built.pdf)], capture_output=True, text=True,
                         check=True).stdout.splitlines()[2:]
    assert out
    for line in out:
        name, emb, sub = line.split()[0], line.split()[-5], line.split()[-4]
        assert (emb, sub) == ("yes", "yes"), line
        # a declared family (or a role's Latin face), in one of its styles
        declared = fonts.allowed_names(built.book.meta.fonts)
        assert fonts._declared(name.split("+")[1], declared), line
        assert not fonts._declared("Noto-Sans-Mono-CJK-SC", declared - {"Noto-Sans-Mono-CJK-SC"})


@pytest.mark.slow
def test_front_matter_folios_are_roman_and_body_restarts_at_one(builds):
    built = builds("real", False)
    pages = check.pdf_anchor_pages(built.pdf)
    preface = pages[built.book.preface().id]
    case = pages[built.book.parts[0].cases[0].id]
    folio = check.pdf_text(built.pdf, preface, preface).split()[-1]
    assert folio in ("v", "vi", "vii", "viii", "ix")
    assert check.pdf_text(built.pdf, case, case).split()[-1] == "3"


@pytest.mark.slow
def test_case_one_fits_in_the_original_four_pages(builds):
    built = builds("real", False)
    pages = check.pdf_anchor_pages(built.pdf)
    start = pages["case-001-foreign-banks"]
    total = len(pikepdf.open(built.pdf).pages)
    assert 1 <= total - start + 1 <= 4


@pytest.mark.slow
def test_the_build_publishes_a_screen_pdf_from_the_same_layout(builds):
    built = builds("real", False)
    screen = built.out / f"{built.book.meta.slug}-screen.pdf"
    with pikepdf.open(built.pdf) as printed, pikepdf.open(screen) as shown:
        assert len(printed.pages) == len(shown.pages)
        trim = [float(v) for v in printed.pages[0].obj.TrimBox]
        assert [float(v) for v in shown.pages[0].obj.MediaBox] == pytest.approx(trim, abs=0.01)
    assert check.pdf_anchor_pages(screen) == check.pdf_anchor_pages(built.pdf)
