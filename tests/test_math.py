"""TeX math: MathML in the HTML and the EPUB, black SVG on the baseline in the PDF, and a formula
that cannot be read or drawn is an error at its line."""

from __future__ import annotations

import re
import subprocess
import zipfile

import pdfplumber
import pytest
from bookfactory import BODY_LINE, CASE, build_case, case_book, long_case_book
from conftest import cli

from casebook.editions.pdf import document as pdf
from casebook.editions.pdf import plan as pdf_plan
from casebook.errors import Collector
from casebook.render import mathsvg
from casebook.render.fragments import render_all
from casebook.source import loader as source

BODY = ("合成测试文本：行内 abc 公式 $E = mc^2 + g(y)$ 出现在句中。\n\n"
        "$$\\begin{aligned}f(x) &= \\sum_{i=1}^{n} a_i x^i \\\\ "
        "g(x) &= \\int_0^1 \\frac{\\sqrt{x}}{1+x^2}\\,dx\\end{aligned}$$\n\n"
        "合成正文的最后一段。\n")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return build_case(tmp_path_factory.mktemp("math"), "公式", BODY)


def test_the_html_and_the_epub_carry_mathml(built):
    page = (built["html"].parent / "cases" / "001-a.html").read_text(encoding="utf-8")
    assert '<math display="inline"' in page and '<math display="block"' in page
    assert "<mi>E</mi>" in page and "$" not in page
    with zipfile.ZipFile(built["epub"]) as epub:
        xhtml = epub.read("EPUB/text/case-001-a.xhtml").decode()
        opf = epub.read("EPUB/content.opf").decode()
    assert 'xmlns="http://www.w3.org/1998/Math/MathML"' in xhtml and "<msup>" in xhtml
    item = re.search(r'<item [^>]*href="text/case-001-a.xhtml"[^>]*>', opf).group(0)
    assert "mathml" in item  # EPUB 3 wants documents with MathML to say so


def _descent() -> float:
    """The body's Latin face's descent, in em (pdfplumber's ``bottom`` is the baseline's
    plus the descent)."""
    from casebook.render.faces import face, load
    font = load(face("Noto Serif", None))
    return -font["hhea"].descent / font["head"].unitsPerEm


def _case_page(pdf):
    return next(p for p in pdf.pages if "行内" in (p.extract_text() or ""))


def test_the_pdf_draws_formulas_in_black_on_the_baseline(built):
    text = subprocess.run(["pdftotext", str(built["pdf"]), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "mc^2" not in text and "\\frac" not in text and "aligned" not in text
    with pdfplumber.open(built["pdf"]) as pdf:
        page = _case_page(pdf)
        latin = [c for c in page.chars if c["text"] in "abc"]
        baseline = latin[0]["bottom"] - latin[0]["size"] * _descent()  # of the Latin serif
        left = max(c["x1"] for c in latin)
        after = min(c["x0"] for c in page.chars if c["text"] == "出")
        line = latin[0]
        inline = [c for c in page.curves if left < c["x0"] < after
                  and c["top"] > line["top"] - 3 and c["bottom"] < line["bottom"] + 0.5]
        assert len(inline) >= 4, "E, =, m, c and ² are drawn as outlines"
        assert all(c["non_stroking_color"] in (0, 0.0, (0,), (0.0,), [0], [0.0])
                   for c in page.curves), "formulas are black (K) only"
        first = min(inline, key=lambda c: c["x0"])  # E sits on the baseline, g and y below it
        assert abs(first["bottom"] - baseline) < 0.6
        assert max(c["bottom"] for c in inline) > baseline + 1
        display = [c for c in page.curves if c["top"] > latin[0]["bottom"] + 5]
        assert display and max(c["x1"] for c in display) < page.width


def test_a_formula_pandoc_cannot_read_is_an_error_at_its_line(tmp_path):
    root, line = long_case_book(tmp_path, 300, 250, "坏公式 $\\frac{1}{$ 在这里。")
    result = cli("check", "--book", root)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert f"{CASE}:{line}:" in result.stderr, result.stderr
    assert "formula $\\frac{1}{$" in result.stderr
    build_ = cli("pdf", "--book", root, "--out", tmp_path / "out")
    assert build_.returncode != 0 and "Laying out" not in build_.stderr + build_.stdout


def test_a_formula_ziamath_cannot_draw_is_an_error_at_its_line(tmp_path):
    body = "合成正文。\n\n第二段 $x^{}$ 在这里。\n"
    root = case_book(tmp_path, "甲", body)
    book = source.load(root).select(False)
    doc = book.parts[0].cases[0]
    broken = ('<p><math display="inline" xmlns="http://www.w3.org/1998/Math/MathML"><semantics>'
              '<msup><mi>x</mi></msup><annotation encoding="application/x-tex">x^{}'
              '</annotation></semantics></math></p>')  # an msup without its exponent
    errors = Collector()
    mathsvg.check(book, {doc.id: broken}, errors)
    assert len(errors.errors) == 1
    error = errors.errors[0]
    assert error.line == BODY_LINE + 2 and "cannot be drawn for print" in error.message


def _print_html(root) -> str:
    book = source.load(root).select(False)
    return pdf.book_html(book, render_all(book), pdf_plan.whole(book), None, "2011-06-01T00:00")


def test_the_print_html_sets_each_drawing_with_the_math_template(tmp_path):
    root = case_book(tmp_path, "甲", "撇号 $f'(x) < 1$ 在这里。\n")
    img = re.search(r'<img class="math-svg math-inline"[^>]*>', _print_html(root)).group(0)
    assert 'alt="f&#x27;(x) &lt; 1" src="data:image/svg+xml;base64,' in img
    assert re.search(r'" style="width: \d+\.\d{3}em; height: \d+\.\d{3}em; '
                     r'vertical-align: -?\d+\.\d{3}em">$', img), img
    own = root / "templates" / "pdf" / "math.html.j2"  # a book's own template takes its place
    own.parent.mkdir(parents=True)
    own.write_text('<span class="formula-{{ kind }}">{{ alt }}</span>', encoding="utf-8")
    html = _print_html(root)
    assert '撇号 <span class="formula-inline">f&#x27;(x) &lt; 1</span> 在这里' in html
    assert "math-svg" not in html
