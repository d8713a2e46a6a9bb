"""Code and URLs: pandoc's highlighting in the three editions (in black ink in print), long code
lines kept inside the text block, and no line stretched to make room for a long URL."""

from __future__ import annotations

import re
import zipfile
from collections import defaultdict

import pdfplumber
import pytest
from bookfactory import build_case
# long runs without a break Unicode's line breaking allows (after / and - it does)
URL = ("https://www.ReliableScalableAndMaintainableApplicationsExample.org/"
       "DesigningDataIntensiveApplications_references.html?tab=readme&lang=zh")
FILLER = "合成测试文本，用来把一行排满并在行末遇到一个很长的网址。" * 2
BODY = (f"{FILLER}参考资料见 <{URL}> 以及更多这样的链接文字在这里继续写下去，直到段落结束。\n\n"
        "```python\n"
        "def total(values: list[int]) -> int:  # 注释：求和\n"
        "    result = 0  # 一行很长很长的注释，用来测试代码块在印刷版中是否会在文字区域内折行"
        "而不是伸出页边距之外，再长一些也一样\n"
        "    return result\n"
        "```\n\n"
        "调用 `some.very.long.package.name.with.many.parts.function_name()` 即可。\n")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return build_case(tmp_path_factory.mktemp("code"), "代码与网址", BODY)


def test_the_html_and_the_epub_highlight_code_in_the_monospace_stack(built):
    site = built["html"].parent
    page = (site / "cases" / "001-a.html").read_text(encoding="utf-8")
    css = (site / "style.css").read_text(encoding="utf-8")
    assert '<span class="kw">def</span>' in page and '<span class="co">' in page
    assert re.search(r"code span\.kw[^{]*\{[^}]*color", css)
    assert re.search(r'--mono: "casebook mono latin", "Noto Sans Mono CJK SC"', css)
    with zipfile.ZipFile(built["epub"]) as epub:
        xhtml = epub.read("EPUB/text/case-001-a.xhtml").decode()
        css = epub.read("EPUB/styles/epub.css").decode()
    assert '<span class="kw">def</span>' in xhtml
    assert re.search(r"code span\.kw[^{]*\{[^}]*color", css)
    assert re.search(r'code, pre, kbd, samp \{ font-family: "casebook mono latin"', css)


@pytest.fixture(scope="module")
def page(built):
    with pdfplumber.open(built["pdf"]) as pdf:
        found = next(p for p in pdf.pages if "参考资料" in (p.extract_text() or ""))
        yield found


def _gray(colour) -> bool:
    values = colour if isinstance(colour, (tuple, list)) else (colour,)
    return len(values) == 1  # DeviceGray: black ink alone


def test_the_print_pdf_highlights_code_in_black_ink_only(page):
    code = [c for c in page.chars if "Mono" in c["fontname"] or "mono" in c["fontname"]]
    bold = "".join(c["text"] for c in code if "Bold" in c["fontname"])
    assert "def" in bold and "return" in bold, "keywords are bold"
    comment = [c for c in code if c["text"] == "注"]
    assert comment and all("Oblique" in c["fontname"] or "Italic" in c["fontname"]
                           for c in comment)
    assert all(_gray(c["non_stroking_color"]) for c in page.chars), "no colour in print"
    greys = {tuple(c["non_stroking_color"]) for c in comment}
    assert greys and all(0 < g[0] < 1 for g in greys), "comments are grey, not black"


def _lines(chars) -> dict[float, list]:
    lines = defaultdict(list)
    for char in chars:
        lines[round(char["bottom"])].append(char)
    return {y: sorted(cs, key=lambda c: c["x0"]) for y, cs in sorted(lines.items())}


def test_a_long_code_line_wraps_inside_the_text_block(page):
    body = [c for c in page.chars if "Serif" in c["fontname"] or "serif" in c["fontname"]]
    right = max(c["x1"] for c in body)
    code = [c for c in page.chars if "Mono" in c["fontname"] or "mono" in c["fontname"]]
    assert max(c["x1"] for c in code) <= right + 0.5
    wrapped = [y for y, cs in _lines(code).items() if "".join(c["text"] for c in cs)
               .startswith(("而不是", "外"))]
    assert wrapped, "the long comment went on to a second line"


def test_no_line_is_stretched_to_make_room_for_a_url(page):
    checked = 0
    for chars in _lines(page.chars).values():
        line = "".join(c["text"] for c in chars)
        if not any(mark in line for mark in ("参考", "Example", "lang=", "调用", "function")):
            continue  # the lines of the URL's paragraph and of the long inline code
        checked += 1
        gaps = [b["x0"] - a["x1"] for a, b in zip(chars, chars[1:])]
        assert max(gaps) < 0.3 * chars[0]["size"], f"a gap of {max(gaps):.1f} pt in {line!r}"
    assert checked >= 3


def test_an_epub_with_embedded_fonts_embeds_the_code_face_too(tmp_path):
    epub = build_case(tmp_path, "代码", BODY, yaml_extra="epub: {embed_fonts: true}\n",
                      editions=("pdf", "epub"))["epub"]
    with zipfile.ZipFile(epub) as z:
        names = set(z.namelist())
        css = z.read("EPUB/styles/epub.css").decode()
    assert "EPUB/fonts/mono.otf" in names
    assert '@font-face { font-family: "Noto Sans Mono CJK SC"' in css


@pytest.mark.slow
def test_epubcheck_ace_and_vnu_pass_a_book_with_code_math_and_urls(tmp_path):
    from casebook.check import epub as epub_check
    from casebook.check import html as html_check
    from casebook.check import parity
    body = BODY + "\n行内公式 $E = mc^2$ 与展示公式：\n\n$$\\int_0^1 x^2\\,dx = \\frac{1}{3}$$\n"
    paths = build_case(tmp_path, "代码、公式与网址", body)
    result = parity.epubcheck(paths["epub"])
    assert (result.errors, result.warnings) == (0, 0), result.messages
    assert epub_check.ace(paths["epub"], tmp_path / "ace").outcome == "pass"
    assert html_check.vnu(sorted(paths["html"].parent.rglob("*.html"))) == []
    from playwright.sync_api import sync_playwright
    page = (paths["html"].parent / "cases" / "001-a.html").as_uri()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium",
                                    args=["--no-sandbox", "--headless", "--disable-gpu"])
        for scheme in ("light", "dark"):  # the highlighting's colours keep their contrast
            tab = browser.new_page(viewport={"width": 390, "height": 900}, color_scheme=scheme)
            tab.goto(page)
            assert html_check.axe(tab) == [], scheme
        browser.close()
