"""A real book by other authors builds in all three editions: tests/data/ddia (see its NOTICE.md).

Three chapters of a Chinese technical book written in Markdown for a Hugo site, converted
the way a user would: Hugo front matter, raw-HTML anchors and links to them (in the same
chapter and in another), GitHub alerts, tables with captions, figures, images without alt
text, code, hundreds of footnotes with long URLs, Latin names with diacritics (ğ, ł), a
display and an inline formula. One build (about 25 s, so its tests are `slow`); each edition
is read back. Findings placed at their true lines are checked without a build.
"""

from __future__ import annotations

import logging
import re
import shutil
import zipfile

import pdfplumber
import pikepdf
import pytest
from conftest import DATA
from lxml import etree

from casebook import check, findings
from casebook.check.book import check_book
from casebook.build.pipeline import Options, build
from casebook.source import loader as source

SLOW = pytest.mark.slow

BOOK = DATA / "ddia"
MATHML = "{http://www.w3.org/1998/Math/MathML}math"
OPS = "{http://www.idpf.org/2007/ops}type"


class _Messages(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    target = tmp_path_factory.mktemp("ddia")
    logger, heard = logging.getLogger("casebook"), _Messages()
    logger.addHandler(heard)
    try:
        with findings.recorded() as found:
            paths = build(Options(book_dir=BOOK, out_dir=target, cache=False))
    finally:
        logger.removeHandler(heard)
    return {"pdf": paths["pdf"], "screen": target / "ddia-zh-excerpt-screen.pdf",
            "epub": paths["epub"],
            "html": paths["html"].parent, "found": found, "warnings": heard.messages,
            "book": source.load(BOOK)}


def html_page(out, name: str) -> str:
    return (out["html"] / "cases" / f"{name}.html").read_text(encoding="utf-8")


def xhtml(out, name: str):
    with zipfile.ZipFile(out["epub"]) as z:
        return etree.fromstring(z.read(f"EPUB/text/case-{name}.xhtml"))


def pdf_pages(out) -> dict[str, int]:
    return check.pdf_anchor_pages(out["pdf"])


def folio(pages: dict, anchor: str) -> str:
    """The printed page number of an anchor (the first part's page is page 1)."""
    return str(pages[anchor] - pages["part-1"] + 1)


def page_holding(out, text: str) -> int:
    whole = [check.pdf_text(out["pdf"], n, n) for n in range(1, len(pikepdf.open(
        out["pdf"]).pages) + 1)]
    return next(n for n, t in enumerate(whole, 1) if text in re.sub(r"\s", "", t))


# -- the build's findings -----------------------------------------------------------------------
@SLOW
def test_the_only_content_warnings_are_the_two_missing_alts_at_their_true_lines(out):
    shown = [text for _, text in out["found"]]
    assert [name for name, _ in out["found"]] == ["missing-alt", "missing-alt"], shown
    assert shown[0].endswith("ch12.md:11: image 'ch11.png' has no alt text; write what it "
                             "shows between the brackets, ![说明](ch11.png)")
    assert shown[1].endswith("ch14.md:9: image 'ch12.png' has no alt text; write what it "
                             "shows between the brackets, ![说明](ch12.png)")
    # accepted by the fixture's book.yaml, so a release (verify) passes its warnings row
    assert findings.unaccepted(out["found"], out["book"].meta.accept) == []


@SLOW
def test_hugo_front_matter_keys_are_one_warning_per_key_name(out):
    keys = [m for m in out["warnings"] if m.startswith("front matter key")]
    assert len(keys) == 4, keys
    assert any(m.startswith("front matter key 'weight' (in 3 files, first ")
               and m.endswith("ch1.md:3) is not casebook's; ignored") for m in keys)
    assert any("'math' (" in m and "ch12.md:5)" in m for m in keys)


# -- raw HTML anchors and the links to them -----------------------------------------------------
@SLOW
def test_raw_anchors_are_targets_in_every_edition_never_text(out):
    for name, anchor in (("ch1", "ch_tradeoffs"), ("ch12", "ch_stream"),
                         ("ch14", "ch_right_thing")):
        assert f'id="case-{name}--{anchor}"' in html_page(out, name)
        assert xhtml(out, name).xpath(f"//*[@id='case-{name}--{anchor}']")
        assert f"case-{name}--{anchor}" in pdf_pages(out)
    text = check.pdf_text(out["pdf"], 1, 999)
    assert "<a id" not in text and "&lt;a id" not in html_page(out, "ch1")


@SLOW
def test_links_to_anchors_of_other_chapters_resolve_in_html_and_epub(out):
    # [第 12 章](/ch12#ch_stream) in the Hugo source, case:ch12#ch_stream here
    wanted = {("ch1", "ch12", "ch_stream"), ("ch1", "ch14", "sec_future_legislation"),
              ("ch12", "ch1", "sec_introduction_dwh"), ("ch14", "ch12", "ch_stream")}
    for source_name, target, anchor in wanted:
        href = f"{target}.html#case-{target}--{anchor}"
        assert f'class="xref" href="../cases/{href}"' in html_page(out, source_name)
        assert f'id="case-{target}--{anchor}"' in html_page(out, target)
        epub = [a.get("href") for a in xhtml(out, source_name).iter("{*}a")
                if a.get("class") == "xref"]
        assert f"case-{target}.xhtml#case-{target}--{anchor}" in epub
        assert xhtml(out, target).xpath(f"//*[@id='case-{target}--{anchor}']")


@SLOW
def test_pdf_cross_references_print_the_page_of_the_anchor(out):
    pages = pdf_pages(out)
    text = re.sub(r"\s", "", check.pdf_text(out["pdf"], pages["case-ch1"],
                                            pages["case-ch12"] - 1))
    assert f"第12章（第{folio(pages, 'case-ch12--ch_stream')}页）" in text
    # a section deep inside chapter 14, not the chapter's first page
    legislation = folio(pages, "case-ch14--sec_future_legislation")
    assert legislation != folio(pages, "case-ch14")
    assert f'"立法与行业自律"（第{legislation}页）' in text


@SLOW
def test_links_within_a_chapter_reach_headings_and_table_captions(out):
    page = html_page(out, "ch1")
    for anchor in ("sec_introduction_microservices", "tab_oltp_vs_olap", "fig_dwh_etl"):
        assert f'href="#case-ch1--{anchor}"' in page and f'id="case-ch1--{anchor}"' in page


# -- alerts, tables, figures, notes -------------------------------------------------------------
@SLOW
def test_alerts_are_titled_asides_not_markers(out):
    page = html_page(out, "ch1")
    assert re.search(r'<aside id="[^"]+" class="alert alert-tip" role="note" '
                     r'aria-label="早期读者注意事项">', page)
    assert "[!TIP]" not in page and "[!NOTE]" not in page
    assert xhtml(out, "ch1").xpath("//*[local-name()='aside'][contains(@class, 'alert-note')]")
    text = check.pdf_text(out["pdf"], 1, 999)
    assert "早期读者注意事项" in text and "[!" not in text


@SLOW
def test_tables_and_figures_are_numbered_per_chapter_with_their_captions(out):
    page = html_page(out, "ch1")
    assert '<span class="table-label">表1</span>　事务型系统和分析型系统特征比较' in page
    assert '<span class="table-label">表2</span>　自托管与云原生数据库系统示例' in page
    assert '<span class="figure-label">图2</span>　软件类型及其运维的范围。' in page
    ch12 = html_page(out, "ch12")
    assert ch12.count('<span class="figure-label">') == 8


@SLOW
def test_every_footnote_is_an_epub_popup_past_fifty(out):
    # pandoc gives a note called twice a second number and copy (so print sets it at the
    # foot of both pages): as many notes as calls
    body = (BOOK / "source" / "ch12.md").read_text(encoding="utf-8")
    calls = len(re.findall(r"\[\^\d+\](?!:)", body))
    root = xhtml(out, "ch12")
    asides = [a for a in root.iter("{*}aside") if a.get(OPS) == "footnote"]
    assert calls == 99 and len(asides) == calls
    refs = [a.findtext("{*}sup") for a in root.iter("{*}a") if a.get(OPS) == "noteref"]
    assert "㊿" in refs and "(51)" in refs


@SLOW
def test_images_without_alt_have_an_empty_alt_in_every_edition(out):
    assert re.search(r'<img alt="" src="\.\./source/map/ch11\.png"', html_page(out, "ch12"))
    imgs = [i for i in xhtml(out, "ch14").iter("{*}img") if "map/" in i.get("src")]
    assert [i.get("alt") for i in imgs] == [""]


# -- math, code, Latin names in the declared faces ----------------------------------------------
@SLOW
def test_formulas_are_mathml_on_screen_and_drawn_images_in_print(out):
    page = html_page(out, "ch12")
    assert '<math display="block"' in page and '<math display="inline"' in page
    maths = list(xhtml(out, "ch12").iter(MATHML))
    assert [m.get("display") for m in maths] == ["block", "inline"]
    text = check.pdf_text(out["pdf"], 1, 999)
    assert "\\begin{aligned}" not in text and "state(now)" not in text
    with pikepdf.open(out["screen"]) as pdf:  # each formula is a Figure whose alt is its TeX
        alts = [str(e.get("/Alt")) for e in _struct(pdf.Root.StructTreeRoot)
                if e.get("/S") == "/Figure" and "/Alt" in e]
    assert any("\\begin{aligned}" in a for a in alts)
    assert any("(u \\cdot v)'" in a for a in alts)


@SLOW
def test_code_is_set_in_the_monospace_face(out):
    number = page_holding(out, "SELECTfollows.follower_idAStimeline_id")
    with pdfplumber.open(out["pdf"]) as pdf:
        chars = pdf.pages[number - 1].chars
    line = "".join(c["text"] for c in chars)
    at = line.index("SELECT")
    fonts = {c["fontname"].split("+")[-1] for c in chars[at:at + 6]}
    assert fonts and all("mono" in f.lower() for f in fonts), fonts


@SLOW
def test_latin_names_with_diacritics_are_set_in_a_latin_face(out):
    number = page_holding(out, "MaciejCegłowski")
    with pdfplumber.open(out["pdf"]) as pdf:
        chars = pdf.pages[number - 1].chars
    fonts = {c["fontname"].split("+")[-1] for c in chars if c["text"] in "łğ"}
    assert fonts and all("latin" in f.lower() for f in fonts), fonts
    with pikepdf.open(out["pdf"]) as pdf:
        names = {str(f.get("/BaseFont")) for p in pdf.pages
                 for f in p.obj.Resources.get("/Font", {}).values()}
    assert not [n for n in names if "DejaVu" in n], names


def _struct(node):
    """Every structure element under ``node``."""
    kids = node.get("/K")
    if kids is None:
        return
    for kid in (kids if isinstance(kids, pikepdf.Array) else [kids]):
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            yield kid
            yield from _struct(kid)


# -- the phone: long URLs and code stay inside the screen ---------------------------------------
@SLOW
def test_html_chapters_never_scroll_sideways_at_390px(out):
    from playwright.sync_api import sync_playwright

    from casebook.check import html as html_check
    widths = {}
    with sync_playwright() as pw, html_check.serve(out["html"]) as base:
        browser = html_check.launch_chromium(pw)
        page = browser.new_page(viewport={"width": 390, "height": 844})
        for name in ("ch1", "ch12", "ch14"):
            page.goto(base + f"cases/{name}.html")
            widths[name] = page.evaluate("document.documentElement.scrollWidth")
        browser.close()
    assert widths == {"ch1": 390, "ch12": 390, "ch14": 390}


# -- true lines, far down a real chapter (no build) ---------------------------------------------
def test_findings_deep_in_a_real_chapter_are_at_their_true_lines(tmp_path, caplog):
    book = shutil.copytree(BOOK, tmp_path / "ddia",
                           ignore=shutil.ignore_patterns(".casebook-cache"))
    chapter = book / "source" / "ch12.md"
    text = chapter.read_text(encoding="utf-8")
    for old, new in (("](case:ch14#sec_future_legislation)", "](case:ch14#sec_nowhere)"),
                     ("](#fig_stream_state_derivative) 所示），并把", "](#fig_nowhere) 所示），并把")):
        assert text.count(old) == 1
        text = text.replace(old, new)
    chapter.write_text(text, encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        errors = [str(e) for e in check_book(book)]
    dangling = [r.getMessage() for r in caplog.records if "leads to no page" in r.getMessage()]
    caplog.clear()
    assert errors == [f"{chapter}:391: cross-reference 'case:ch14#sec_nowhere' names no anchor "
                      "of ch14 (a heading's {#sec_nowhere} or an <a id=\"sec_nowhere\"></a> in it)"]
    # inside a GitHub alert (a quotation), 604 lines down
    assert dangling == [f"{chapter}:604: link '#fig_nowhere' leads to no page of this book; it is "
                        "kept as plain text (use a web address, or a link to a heading in this "
                        "case)"]
