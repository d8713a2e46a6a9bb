"""The page-list: one entry per PDF page, each in the XHTML file that holds that page's text."""

import re
import zipfile

import pypdf
import pytest
import readback
from lxml import etree

from casebook import check
from casebook.check import epub as epub_check
from casebook.check import pdf as pdf_check
from casebook.editions.epub import pagelist
from casebook.editions.epub.docs import Doc, parse
from casebook.pagemap import Page, PageMap, roman

BOOKS = [pytest.param(book, marks=pytest.mark.slow)  # each a slow build
         for book in [("real", False), ("real", True), ("synthetic110", False)]]
IDS = ["real-default", "real-draft", "synthetic110"]
MM = 72 / 25.4
_HAN = re.compile(r"[\u4e00-\u9fff]{2,}")  # runs of ideographs: no folios, leaders or spaces


@pytest.fixture(params=BOOKS, ids=IDS)
def built(request, builds):
    return builds(*request.param)


@pytest.fixture(scope="module")
def pdf_pages():
    """Per PDF, the text of each page's type area (no running heads, no folios)."""
    cache = {}

    def get(built):
        if built.pdf not in cache:
            spec, trim = built.book.meta.print, pdf_check.trim_top_pt(built.pdf)
            top = trim + spec.margins[0] * MM - 2
            bottom = trim + (spec.trim_height - spec.margins[2]) * MM + 2
            out = check.pdf_text(built.pdf, 1, len(pypdf.PdfReader(built.pdf).pages),
                                 (top, bottom))
            pages = out.split("\f")
            assert pages[-1] == ""  # pdftotext ends every page with a form feed
            cache[built.pdf] = pages[:-1]
        return cache[built.pdf]
    return get


def test_one_entry_per_pdf_page_in_nav_and_ncx(built):
    pages = epub_check.page_list(built.epub)
    assert len(pages) == len(pypdf.PdfReader(built.pdf).pages)
    assert readback.ncx_page_list(built.epub) == pages
    assert len({label for label, _ in pages}) == len(pages)
    for href in {h.split("#")[0] for _, h in pages}:
        ids = [s.get("id") for s in readback.pagebreaks(built.epub, href)]
        assert ids == [h.split("#")[1] for _, h in pages if h.startswith(href + "#")], href


def test_labels_are_the_pdf_page_labels_roman_then_arabic(built):
    """The PDF's own /PageLabels (test_pdf_pages checks them against the printed folios)."""
    labels = [label for label, _ in epub_check.page_list(built.epub)]
    assert labels == list(pypdf.PdfReader(built.pdf).page_labels)
    front = [label for label in labels if not label.isdigit()]
    assert front == [roman(i) for i in range(1, len(front) + 1)]
    assert labels[len(front):] == [str(i) for i in range(1, len(labels) - len(front) + 1)]


def test_each_entry_lands_in_the_file_holding_the_text_of_its_page(built, pdf_pages):
    entries = epub_check.page_list(built.epub)
    assert len(entries) == len(pdf_pages(built))
    texts = {}
    previous = None
    for (label, href), page in zip(entries, pdf_pages(built)):
        name = href.split("#")[0]
        if name not in texts:
            texts[name] = check.normalise(readback.xhtml_text(built.epub, name))
        runs = _HAN.findall(page)
        if not runs:  # a blank page stays with the page before it
            assert previous is None or name == previous, (label, name)
        missing = [run for run in runs if run not in texts[name]]
        assert not missing, f"page {label} → {name} lacks {missing[:3]}"
        previous = name


_ONE_HAN = re.compile(r"[\u4e00-\u9fff]")


def test_a_page_starting_inside_a_paragraph_breaks_before_its_first_character(built,
                                                                              pdf_pages):
    """The span sits where the print page begins, inside the paragraph, not at its edge."""
    entries = epub_check.page_list(built.epub)
    inside = 0
    for (label, href), page in zip(entries, pdf_pages(built)):
        name, ident = href.split("#")
        (span,) = [s for s in readback.pagebreaks(built.epub, name) if s.get("id") == ident]
        if span.getparent().tag.split("}")[1] not in {"p", "li"} or not _before(span):
            continue
        inside += 1
        after = "".join(_ONE_HAN.findall(_after(span)))[:6]
        assert after and "".join(_ONE_HAN.findall(page))[:6] == after, (label, after, page[:40])
    if built.book.meta.slug == "yiliu-dangjian":  # case 1's long paragraphs cross pages
        assert inside >= 2
    # the synthetic book's short paragraphs all end before a page does: nothing to check


def _before(span) -> str:
    """The paragraph's text before the span (the span's parent's text and earlier tails)."""
    parent, text = span.getparent(), span.getparent().text or ""
    for child in parent:
        if child is span:
            return text.strip()
        text += etree.tostring(child, method="text", encoding="unicode", with_tail=True)
    return text.strip()


def _after(span) -> str:
    """The paragraph's text after the span."""
    text, node = span.tail or "", span.getnext()
    while node is not None:
        if "noteref" not in (node.get("{http://www.idpf.org/2007/ops}type") or ""):
            text += etree.tostring(node, method="text", encoding="unicode", with_tail=False)
        text += node.tail or ""
        node = node.getnext()
    return text


def test_a_split_page_breaks_inside_its_paragraph_before_the_character():
    doc = _doc("a", '<section id="a"><p id="a1">甲乙 <a epub:type="noteref">①</a>丙'
                    '<em>丁戊</em>己</p><p id="a2">庚</p></section>')
    pages = [Page(0, "1", ("a", "a1")), Page(1, "2", (), ("a1",), ("a1", 4)),
             Page(2, "3", ("a2",), ("a1",), ("a1", 5))]
    targets = pagelist.place([doc], PageMap(tuple(pages)))
    assert [t.label for t in targets] == ["1", "2", "3"]
    assert _body(doc) == ('[1]<sectionid="a"><pid="a1">甲乙<aepub:type="noteref">①</a>丙'
                          '<em>丁[2]戊</em>[3]己</p><pid="a2">庚</p></section>')


# -- the placement rule, on hand-made documents -------------------------------------------------
def _doc(uid, body):
    root = parse('<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub='
                 f'"http://www.idpf.org/2007/ops"><body>{body}</body></html>', uid)
    return Doc(uid, f"{uid}.xhtml", root)


def _body(doc):
    text = etree.tostring(doc.root, encoding="unicode")
    text = re.sub(r'<span xmlns:epub="[^"]+" epub:type="pagebreak" role="doc-pagebreak" '
                  r'id="page-(\w+)" aria-label="\1"/>', r"[\1]", text)
    text = re.sub(r'<span epub:type="pagebreak" role="doc-pagebreak" '
                  r'id="page-(\w+)" aria-label="\1"/>', r"[\1]", text)
    return re.sub(r"\s+", "", text.split("<body>")[1].split("</body>")[0])


def test_breaks_go_before_the_first_block_or_after_the_last_one():
    docs = [_doc("a", '<section id="a"><p id="a1">x</p><ul><li id="a2">y</li></ul></section>'),
            _doc("nav", '<nav id="toc"><h1 id="toc-title">t</h1><ol><li>t</li></ol></nav>'),
            _doc("b", '<section id="b"><p id="b1">z</p></section>')]
    pages = [("i", ("halftitle",)), ("ii", ()), ("iii", ("a", "a1")), ("iv", ("a2",)),
             ("v", ()), ("vi", ("toc", "toc-title")), ("vii", ()), ("1", ("b1", "b")),
             ("2", ()), ("3", ())]
    targets = pagelist.place(docs, PageMap(tuple(Page(i, label, anchors) for i, (label, anchors)
                                                 in enumerate(pages))))
    assert [(t.label, t.file) for t in targets] == [
        ("i", "a.xhtml"), ("ii", "a.xhtml"), ("iii", "a.xhtml"), ("iv", "a.xhtml"),
        ("v", "a.xhtml"), ("vi", "nav.xhtml"), ("vii", "nav.xhtml"), ("1", "b.xhtml"),
        ("2", "b.xhtml"), ("3", "b.xhtml")]
    assert _body(docs[0]) == ('[i][ii][iii]<sectionid="a"><pid="a1">x</p><ul><liid="a2">[iv]y'
                              '[v]</li></ul></section>')
    assert _body(docs[1]).startswith("[vi]<navid=\"toc\">")
    assert _body(docs[1]).endswith("</nav>[vii]")
    assert _body(docs[2]) == '[1]<sectionid="b"><pid="b1">z</p>[2][3]</section>'


@pytest.mark.slow
def test_ncx_play_order_is_one_sequence_in_reading_order(builds):
    with zipfile.ZipFile(builds("real", True).epub) as z:
        ncx = etree.fromstring(z.read("EPUB/toc.ncx"))
    ns = {"n": "http://www.daisy.org/z3986/2005/ncx/"}
    orders = [int(o) for o in ncx.xpath("//n:navPoint/@playOrder|//n:pageTarget/@playOrder",
                                        namespaces=ns)]
    assert sorted(orders) == list(range(1, len(orders) + 1))
    pages = [int(o) for o in ncx.xpath("//n:pageTarget/@playOrder", namespaces=ns)]
    assert pages == sorted(pages)
    assert ncx.xpath("//n:meta[@name='dtb:totalPageCount']/@content", namespaces=ns) == [
        str(len(pages))]
