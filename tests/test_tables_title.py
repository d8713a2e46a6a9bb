"""Tables (三线表, column alignment, 续表), the 点评's quotes, balanced headings, the title's lines.

Tables on the fixture tests/data/apparatus (a 70-row table runs over three print pages, a
wide one follows it), read back as a reader meets them: the rules WeasyPrint drew in the PDF
(pdfplumber), Chromium's computed style in the HTML and in the EPUB's XHTML. Headings, quotes
and the title page on the real book.
"""

from __future__ import annotations

import itertools
import os
import re
import shutil
import zipfile
from pathlib import Path

import pdfplumber
import pytest
from conftest import DATA
from playwright.sync_api import sync_playwright

from casebook.build.pipeline import Options, build
from casebook.check import html as check_html
from casebook.errors import CasebookError
from casebook.source import loader

APPARATUS = DATA / "apparatus"
THICK, THIN = 1.5, 0.75  # pt: the 三线表's rules (2px and 1px in the stylesheets)
ROW = re.compile(r"示例社区(\d+)")


@pytest.fixture(scope="module")
def ap(tmp_path_factory):
    """The apparatus fixture built into all three editions, the EPUB unpacked."""
    out = tmp_path_factory.mktemp("tables")
    paths = build(Options(book_dir=APPARATUS, out_dir=out, cache=False))
    epub = out / "epub-unpacked"
    with zipfile.ZipFile(paths["epub"]) as z:
        z.extractall(epub)
    return {"pdf": paths["pdf"], "html": paths["html"].parent, "epub": epub / "EPUB"}


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=check_html.CHROMIUM,
                              args=["--headless", "--no-sandbox"])
        yield b
        b.close()


@pytest.fixture(scope="module")
def table_pages(ap):
    """The PDF pages that hold the long table: (page, its words, its rules), in order."""
    found = []
    with pdfplumber.open(ap["pdf"]) as pdf:
        for page in pdf.pages:
            words = page.extract_words()
            if any(ROW.fullmatch(w["text"]) for w in words):
                rules = sorted((round(line["top"], 2), round(line["linewidth"], 2),
                                line["x0"], line["x1"], line["height"])
                               for line in page.lines if line["linewidth"] > 0.5)
                found.append((page.page_number, words, rules))
    return found


def _word(words, text):
    return next(w for w in words if w["text"] == text)


# -- 三线表 --------------------------------------------------------------------------------------
def test_pdf_tables_have_three_rules_and_no_others(table_pages):
    assert len(table_pages) >= 2
    for number, _, rules in table_pages:
        assert all(height == 0 for *_, height in rules), f"page {number}: a vertical rule"
        widths = []
        for top, width, *_ in rules:  # a rule is drawn cell by cell: one y, several segments
            if not widths or widths[-1][0] != top:
                widths.append((top, width))
        kinds = [width for _, width in widths]
        assert len(kinds) % 3 == 0 and kinds, (number, widths)
        for i in range(0, len(kinds), 3):  # each table on the page: thick, thin, thick
            assert kinds[i:i + 3] == [THICK, THIN, THICK], (number, widths)


@pytest.mark.parametrize("edition", ["html", "epub"])
def test_html_and_epub_tables_compute_as_three_rule_tables(ap, browser, edition):
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto((ap["html"] / "cases" / "003-tables.html").as_uri() if edition == "html"
              else (ap["epub"] / "text" / "case-003-tables.xhtml").as_uri())
    style = page.locator("table").first.evaluate("""t => {
        const b = (e, side) => { const s = getComputedStyle(e);
            return s['border' + side + 'Style'] === 'none' ? 0 : parseFloat(s['border' + side + 'Width']); };
        const sides = e => ['Top', 'Right', 'Bottom', 'Left'].map(side => b(e, side));
        const cap = t.caption.getBoundingClientRect(), head = t.tHead.getBoundingClientRect();
        return {table: sides(t), th: [...t.querySelectorAll('thead th')].map(sides),
                td: [...t.querySelectorAll('tbody td')].map(sides),
                caption: [getComputedStyle(t.caption).textAlign, cap.bottom <= head.top + 1,
                          Math.abs((cap.left + cap.right) / 2 - (head.left + head.right) / 2) < 2]};
    }""")
    page.close()
    assert style["table"] == [2, 0, 2, 0]
    assert all(th == [0, 0, 1, 0] for th in style["th"]), style["th"]
    assert all(td == [0, 0, 0, 0] for td in style["td"])
    assert style["caption"] == ["center", True, True]  # centred above the header


# -- column alignment --------------------------------------------------------------------------
def test_pandoc_alignment_styles_become_classes():
    import pypandoc

    from casebook.render import sanitize
    html = pypandoc.convert_text("| 甲 | 乙 | 丙 | 丁 |\n|--:|:-:|:--|---|\n| 1 | 2 | 3 | 4 |\n",
                                 "html5", format="markdown")
    assert 'style="text-align: right;"' in html  # pandoc writes a style: the allowlist drops it
    clean = sanitize.clean(html)
    assert re.findall(r"<td[^>]*>", clean) == ['<td class="align-right">',
                                               '<td class="align-center">',
                                               '<td class="align-left">', "<td>"]
    row = '<table><tr><th class="x" style="text-align: center;">甲</th><td style="color: red">乙'
    assert '<th class="align-center x">甲</th><td>乙</td>' in sanitize.clean(row)


def test_markdown_alignment_reaches_the_html_and_the_epub(ap, browser):
    html = (ap["html"] / "cases" / "003-tables.html").read_text(encoding="utf-8")
    xhtml = (ap["epub"] / "text" / "case-003-tables.xhtml").read_text(encoding="utf-8")
    for text in (html, xhtml):
        assert '<th scope="col" class="align-right">序号</th>' in text
        assert '<td class="align-right">70</td>' in text and "<td>示例社区70</td>" in text
        assert 'style="text-align' not in text
    for url in ((ap["html"] / "cases" / "003-tables.html").as_uri(),
                (ap["epub"] / "text" / "case-003-tables.xhtml").as_uri()):
        page = browser.new_page()
        page.goto(url)
        aligns = page.locator("table").first.evaluate(
            "t => [...t.rows[1].cells].map(c => getComputedStyle(c).textAlign)")
        page.close()
        assert aligns[0] == "right" and aligns[2] == "right" and aligns[1] != "right", url


def test_markdown_alignment_reaches_the_pdf(table_pages):
    """序号 and 党员数 are ---: columns: their numbers end where their header ends."""
    for number, words, rules in table_pages:
        bottom = next(top for top, width, *_ in rules[::-1] if width == THICK)
        for header in ("序号", "党员数"):
            head = _word(words, header)
            column = [w for w in words if re.fullmatch("[0-9]+", w["text"])
                      and head["top"] < w["top"] < bottom
                      and head["x0"] - 20 < w["x1"] <= head["x1"] + 1]
            assert len(column) >= 5, (number, header)
            assert all(abs(w["x1"] - head["x1"]) < 0.5 for w in column), (number, header)


# -- 续表 ----------------------------------------------------------------------------------------
def test_a_table_over_pages_repeats_its_header_under_xubiao(table_pages):
    rows = [int(m.group(1)) for _, words, _ in table_pages for w in words
            if (m := ROW.fullmatch(w["text"]))]
    assert rows == list(range(1, 71)), "every row once, in order"
    first, *others = table_pages
    assert "表1" in [w["text"] for w in first[1]] and "续表1" not in [w["text"] for w in first[1]]
    assert len(others) >= 1
    for number, words, rules in others:
        label, head = _word(words, "续表1"), _word(words, "序号")
        assert label["bottom"] < rules[0][0] <= head["top"], number  # 续表1, the rule, the head
        left, right = min(r[2] for r in rules), max(r[3] for r in rules)
        assert abs((label["x0"] + label["x1"]) / 2 - (left + right) / 2) < 2, "centred"
        assert [w["text"] for w in words if w["top"] < head["top"] - 1][-1] == "续表1"


def test_continuation_parts_keep_the_column_widths(table_pages):
    """The top rule is drawn cell by cell: its segments' ends are the column edges."""
    edges = [sorted({x for r in rules if r[0] == rules[0][0] for x in r[2:4]})
             for _, _, rules in table_pages]
    widths = [[round(b - a, 1) for a, b in itertools.pairwise(e)] for e in edges]  # versos sit
    assert len(widths[0]) == 4 and all(w == widths[0] for w in widths), widths  # elsewhere


def _counting(render):
    calls = []

    def counted(text):
        calls.append(text)
        return render(text)
    return counted, calls


def test_a_document_whose_tables_fit_is_laid_out_once():
    from weasyprint import HTML

    from casebook.editions.pdf import continued
    render, calls = _counting(lambda text: HTML(string=text).render())
    rows = "".join(f"<tr><td>{i}</td></tr>" for i in range(5))
    document = continued.lay_out(render, f'<table id="t"><thead><tr><th>号</th></tr></thead>'
                                         f"<tbody>{rows}</tbody></table>")
    assert len(calls) == 1 and len(document.pages) == 1
    continued.lay_out(render, "<p>无表</p>")
    assert len(calls) == 2


# -- the 点评's quotes and the headings ---------------------------------------------------------
QUOTE_WIDTH = """a => { const walk = document.createTreeWalker(a, NodeFilter.SHOW_TEXT);
    for (let n; (n = walk.nextNode());) { const i = n.data.indexOf('“');
        if (i < 0) continue;
        const r = document.createRange(); r.setStart(n, i); r.setEnd(n, i + 1);
        return r.getBoundingClientRect().width / parseFloat(getComputedStyle(n.parentElement).fontSize); }
    return null; }"""
# The characters on the last line box of an element: one Range per character, by its top
LAST_LINE = """h => { const walk = document.createTreeWalker(h, NodeFilter.SHOW_TEXT); const tops = [];
    for (let n; (n = walk.nextNode());) for (let i = 0; i < n.length; i++) {
        if (!n.data[i].trim()) continue;
        const r = document.createRange(); r.setStart(n, i); r.setEnd(n, i + 1);
        tops.push(Math.round(r.getBoundingClientRect().top)); }
    const last = Math.max(...tops);
    return [new Set(tops).size, tops.filter(t => t === last).length]; }"""


@pytest.fixture(scope="module")
def real(builds, tmp_path_factory):
    built = builds("real", False)
    epub = tmp_path_factory.mktemp("real-epub")
    with zipfile.ZipFile(built.epub) as z:
        z.extractall(epub)
    return {"built": built, "html": built.html, "epub": epub / "EPUB"}


def _case_one(real, edition):
    return ((real["html"] / "cases" / "001-foreign-banks.html") if edition == "html"
            else (real["epub"] / "text" / "case-001-foreign-banks.xhtml")).as_uri()


@pytest.mark.slow
@pytest.mark.parametrize("edition", ["html", "epub"])
def test_commentary_quotes_are_full_width(real, browser, edition):
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto(_case_one(real, edition))
    aside = page.locator("aside.commentary")
    family = aside.evaluate("a => getComputedStyle(a).fontFamily")
    width = aside.evaluate(QUOTE_WIDTH)
    page.close()
    assert family.startswith('"Noto Serif CJK SC quotes", "casebook kai latin", "LXGW WenKai"')
    assert width is not None and width > 0.9, f"“ is {width} em wide in the 点评"


@pytest.mark.slow
def test_epub_body_has_a_cjk_serif_stack_and_no_fixed_sizes(real):
    css = (real["epub"] / "styles" / "epub.css").read_text(encoding="utf-8")
    body = re.search(r"\nbody \{([^}]*)\}", css).group(1)
    assert re.search(r'font-family: "Noto Serif CJK SC", "Source Han Serif SC", "Songti SC"'
                     r"[^;]*serif;", body) and "font-size" not in body
    face = re.search(r"@font-face \{[^}]*\}", css).group(0)
    assert "U+2018-2019, U+201C-201D" in face and "url(" not in face  # nothing to ship


@pytest.mark.slow
@pytest.mark.parametrize("edition", ["html", "epub"])
def test_no_heading_leaves_one_character_alone(real, browser, edition, tmp_path):
    page = browser.new_page(viewport={"width": 390, "height": 800})
    page.goto(_case_one(real, edition))
    alone = []
    for width in [*range(360, 1281, 40), 390]:
        page.set_viewport_size({"width": width, "height": 800})
        for i in range(page.locator("h1, h2, h3").count()):
            lines, last = page.locator("h1, h2, h3").nth(i).evaluate(LAST_LINE)
            if lines > 1 and last < 2:
                alone.append((width, i))
    title = page.locator("h1.case-title, h2.case-title").evaluate(LAST_LINE)
    shots = Path(os.environ.get("CASEBOOK_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / f"case-001-{edition}-390.png"))
    page.close()
    assert not alone, f"(width, heading) with one character on its last line: {alone}"
    if edition == "html":  # 13 characters a line at 390 px: 索 alone, unbalanced
        assert title == [2, 7], "外资银行金融机构党建工作探索 in two lines of seven at 390 px"


@pytest.mark.slow
# -- the title's lines ---------------------------------------------------------------------------
def test_title_lines_in_all_three_editions(real):
    built = real["built"]
    title = '<h1 class="book-title">一流党建<br/>促一流开发</h1>'
    assert title in (real["html"] / "index.html").read_text(encoding="utf-8")
    assert title in (real["epub"] / "text" / "titlepage.xhtml").read_text(encoding="utf-8")
    with pdfplumber.open(built.pdf) as pdf:
        page = next(p for p in pdf.pages if "上海市浦东新区基层党建案例百篇" in (p.extract_text() or "")
                    and "CIP" not in (p.extract_text() or ""))
        lines = page.extract_text().splitlines()
    assert lines[:2] == ["一流党建", "促一流开发"], lines


def _book(tmp_path: Path, title_lines: str) -> Path:
    book = tmp_path / "book"
    shutil.copytree(APPARATUS / "source", book / "source")
    text = (APPARATUS / "book.yaml").read_text(encoding="utf-8")
    (book / "book.yaml").write_text(text.replace(
        "\ntitle: 附录功能示例（合成）\n", f"\ntitle: 附录功能示例（合成）\ntitle_lines: {title_lines}\n"),
        encoding="utf-8")
    return book


def _line_of(book: Path, key: str) -> int:
    lines = (book / "book.yaml").read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if line.startswith(key))


def test_title_lines_must_join_to_the_title(tmp_path):
    book = _book(tmp_path, "[附录功能示例, （合成）]")
    assert loader.load(book).meta.title_lines == ("附录功能示例", "（合成）")
    for n, (wrong, says) in enumerate((("[附录功能, 示例]", "must join to the title exactly"),
                                       ("[附录功能示例（合成）, '']", "each a non-empty string"),
                                       ("附录功能示例（合成）", "'title_lines' must be a list"))):
        book = _book(tmp_path / str(n), wrong)
        with pytest.raises(CasebookError) as raised:
            loader.load(book)
        assert f"book.yaml:{_line_of(book, 'title_lines')}: " in str(raised.value)
        assert says in str(raised.value), str(raised.value)
