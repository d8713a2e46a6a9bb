"""Pages of the print PDF: folios and labels, running heads, TOC numbers, bookmarks, lines."""

import functools

import pikepdf
import pytest
import readback
import whole_layout
from conftest import DATA

from casebook import check, model
from casebook.check import pdf as preflight
from casebook.geometry import Geometry
from casebook.render.typeset import PUNCTUATION, halted
from casebook.source import loader as source

DRAFTS = [pytest.param("real", True, marks=pytest.mark.slow), ("synthetic", True)]


@functools.lru_cache(maxsize=None)
def boxes(path) -> tuple:
    """Every line of a PDF, once per session: pdftotext is the slow part of these tests."""
    return tuple(preflight.line_boxes(path))


@functools.lru_cache(maxsize=None)
def margins(path, spec) -> tuple[list[str], list[str]]:
    """Each page's running head and folio."""
    geometry = Geometry.of(spec)
    return readback.running_heads(path, geometry), readback.folios(path, geometry)


def roles(built) -> list[tuple[str, object]]:
    """Each page's role and the document it belongs to: the page kinds running heads follow."""
    pages = check.pdf_anchor_pages(built.pdf)
    printed = {line.page for line in boxes(built.pdf)}
    starts = {pages[item.id]: item for item in built.book.reading_order()}
    current, out = None, []
    for number in range(1, len(preflight.page_labels(built.pdf)) + 1):
        if number in starts:
            current = starts[number]
            role = "part" if isinstance(current, model.Part) else "first"
        elif number not in printed:
            role = "blank"
        else:
            role = "verso" if number % 2 == 0 else "recto"
        out.append((role, current))
    return out


@pytest.mark.parametrize("kind, draft", DRAFTS)
def test_page_labels_match_the_pagemap_and_the_printed_folios(builds, kind, draft):
    built = builds(kind, draft)
    labels = preflight.page_labels(built.pdf)
    printed = margins(built.pdf, built.book.meta.print)[1]
    assert len(labels) == len(printed)
    shown = [(label, folio) for label, folio in zip(labels, printed) if folio]
    assert len(shown) > len(labels) / 2
    assert all(label == folio for label, folio in shown), shown
    front = labels[:labels.index("1")]
    assert front and all(set(label) <= set("ivxlcdm") for label in front)


@pytest.mark.parametrize("kind, draft", DRAFTS)
def test_toc_folios_are_the_pages_where_the_titles_stand(builds, kind, draft):
    built = builds(kind, draft)
    pages = check.pdf_anchor_pages(built.pdf)
    labels = preflight.page_labels(built.pdf)
    toc = pages["toc"]
    first_body = min(pages[e.target] for e in built.book.toc() if pages[e.target] > toc)
    printed = readback.printed_toc(built.pdf, toc, first_body - 1)
    entries = built.book.toc()
    assert [check.normalise(t) for t, _ in printed] == [check.normalise(e.title) for e in entries]
    lines = {}
    for line in boxes(built.pdf):
        lines.setdefault(line.page, []).append(check.normalise(line.text))
    titles = {item.id: item.title for item in built.book.reading_order()}
    for (title, folio), entry in zip(printed, entries):
        page = pages[entry.target]
        assert labels[page - 1] == folio, (title, folio, labels[page - 1])
        assert check.normalise(titles[entry.target]) in "".join(lines[page]), (title, page)


@pytest.mark.parametrize("kind, draft", DRAFTS)
def test_bookmarks_mirror_the_toc_and_land_on_the_title_pages(builds, kind, draft):
    built = builds(kind, draft)
    pages = check.pdf_anchor_pages(built.pdf)
    expected = [(e.level, check.squeeze(e.title), pages[e.target]) for e in built.book.toc()]
    got = [(level, check.squeeze(title), page)
           for level, title, page in preflight.outline_targets(built.pdf)]
    assert got == expected
    screen = built.pdf.with_name(f"{built.book.meta.slug}-screen.pdf")
    assert preflight.outline_targets(screen) == preflight.outline_targets(built.pdf)


@pytest.mark.parametrize("kind, draft", DRAFTS)
def test_running_heads_follow_the_page_kind(builds, kind, draft):
    built = builds(kind, draft)
    heads, folios = margins(built.pdf, built.book.meta.print)
    body = preflight.page_labels(built.pdf).index("1")
    seen = set()
    for index, (role, item) in enumerate(roles(built)):
        head = heads[index]
        if index < body or role in ("first", "part", "blank"):
            assert head == "", (index + 1, role, head)
            if role in ("part", "blank"):
                assert folios[index] == "", (index + 1, role)
        elif role == "verso":
            assert head == check.squeeze(built.book.meta.title), (index + 1, head)
        else:
            assert head == check.squeeze(item.title), (index + 1, head)
        seen.add(role)
    assert {"first", "part", "blank"} <= seen


@pytest.mark.slow
def test_no_line_breaks_against_kinsoku_in_the_110_case_book(builds):
    """避头尾: no line starts with closing punctuation or ends with opening punctuation."""
    built = builds("synthetic110", False)
    assert len(boxes(built.pdf)) > 4000
    assert preflight.kinsoku_lines(boxes(built.pdf)) == []


@pytest.mark.slow
def test_no_line_breaks_against_kinsoku_in_the_real_text(builds):
    built = builds("real", True)
    assert len(boxes(built.pdf)) > 300
    assert preflight.kinsoku_lines(boxes(built.pdf)) == []


@pytest.mark.slow
def test_compressed_marks_advance_half_an_em(builds):
    """标点挤压 in the PDF: each compressed mark inside a line is drawn, then the pen moves
    back half an em (a +500 TJ adjustment); one that ends a line needs no shift. The 点评
    counts too: its quotation marks come from the serif, which has the ``halt`` feature."""
    built = builds("real", False)
    first = check.pdf_anchor_pages(built.pdf)["case-001-foreign-banks"]
    inside = sum(halted(a, b) is not None for line in boxes(built.pdf) if line.page >= first
                 for a, b in zip(line.text, line.text[1:])
                 if a in PUNCTUATION and b in PUNCTUATION)
    shifts = 0
    with pikepdf.open(built.pdf) as doc:
        for page in doc.pages[first - 1:]:
            for operands, operator in pikepdf.parse_content_stream(page):
                if str(operator) == "TJ":
                    shifts += sum(not isinstance(x, pikepdf.String) and float(x) == 500
                                  for x in operands[0])
    assert inside >= 4
    assert shifts == inside


def test_toc_numbers_can_come_from_the_pagemap():
    """A chunked render sets the TOC from data; the result is the same book, page for page."""
    book = source.load(DATA / "sample").select(True)
    first = whole_layout.lay_out(book)
    folios = whole_layout.toc_folios(book, first.pagemap)
    second = whole_layout.lay_out(book, folios=folios)
    assert second.pagemap == first.pagemap
    assert folios[book.parts[0].cases[0].id] == first.pagemap.labels()[book.parts[0].cases[0].id]


@pytest.mark.slow
@pytest.mark.parametrize("kind, draft", [("real", False), ("synthetic110", False)])
def test_justified_lines_fill_the_measure(builds, kind, draft):
    """Chinese lines are justified between characters: only a paragraph's last line is short."""
    built = builds(kind, draft)
    first = min(check.pdf_anchor_pages(built.pdf)[c.id] for c in built.book.cases())
    cases = [line for line in boxes(built.pdf) if line.page >= first]
    assert readback.ragged_lines(cases) == []


def test_justification_shares_one_per_gap_between_full_width_characters():
    from casebook.editions.weasy.justify import shares
    assert shares("党建工作") == 3            # four characters, three gaps
    assert shares("党建2010年") == 2          # digits are not spread: 建|2 and 0|年 get half
    assert shares("GDP") == 0
    assert shares("，") == 0


def test_a_mark_after_a_formula_that_begins_a_line_is_no_kinsoku_violation(tmp_path):
    """pdftotext sees no drawing: a line that begins with an inline formula (an SVG) then
    '。' looks like a line starting with '。'. ``after_drawing`` finds the formula in front;
    a line that truly starts with '。' (after a forced break) stays found."""
    from weasyprint import HTML
    svg = ('<img style="width:5em;height:1em" src="data:image/svg+xml;utf8,%3Csvg xmlns='
           '%22http://www.w3.org/2000/svg%22 width=%2250%22 height=%2210%22%3E%3Cpath '
           'd=%22M0 0H50V10H0Z%22/%3E%3C/svg%3E">')
    body = (f'<p style="width:15em">甲乙丙丁戊己庚辛壬癸甲乙丙丁{svg}。换句话说，任何推文</p>'
            '<p>甲乙丙丁戊<br>。己庚辛</p>')
    target = tmp_path / "k.pdf"
    HTML(string=f'<html><body style="font: 10pt \'Noto Serif CJK SC\'">{body}</body></html>'
         ).write_pdf(target)
    found = preflight.kinsoku_lines(preflight.line_boxes(target))
    assert sorted(line.text[:3] for line in found) == ["。己庚", "。换句"]
    led = preflight.after_drawing(target, found)
    assert [line.text[:3] for line in led] == ["。换句"]
