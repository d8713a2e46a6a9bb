"""The EPUB edition: EPUBCheck 5.3.0 reports nothing, and the package carries the metadata."""

import zipfile

import pytest
from lxml import etree

from casebook import check

OPF = {"opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/"}


@pytest.mark.slow
def test_epubcheck_reports_no_errors_and_no_warnings(built):
    result = check.epubcheck(built.epub)
    assert result.version == "5.3.0"
    assert (result.errors, result.warnings) == (0, 0), result.messages


def _opf(epub):
    with zipfile.ZipFile(epub) as z:
        return etree.fromstring(z.read("EPUB/content.opf"))


@pytest.mark.slow
def test_package_metadata(builds):
    built = builds("real", False)
    opf = _opf(built.epub)
    assert opf.get("{http://www.w3.org/XML/1998/namespace}lang") == "zh-CN"
    assert opf.xpath("//dc:language/text()", namespaces=OPF) == ["zh-CN"]
    assert opf.xpath("//dc:identifier/text()", namespaces=OPF) == ["urn:isbn:9787807458654"]
    assert "吴信宝" in opf.xpath("//dc:creator/text()", namespaces=OPF)


@pytest.mark.slow
def test_one_document_per_page_in_reading_order(builds):
    built = builds("real", True)
    opf = _opf(built.epub)
    spine = opf.xpath("//opf:spine/opf:itemref/@idref", namespaces=OPF)
    expected = [item.id for item in built.book.reading_order()]
    body = [i for i in spine if i in set(expected)]
    assert body == expected
    assert spine.index("nav") < spine.index(built.book.parts[0].id)


def test_every_xhtml_root_has_its_language(builds):
    with zipfile.ZipFile(builds("synthetic", True).epub) as z:
        for name in z.namelist():
            if name.endswith(".xhtml"):
                root = etree.fromstring(z.read(name))
                assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "zh-CN", name


@pytest.mark.slow
def test_commentary_is_an_aside_with_its_attribution(builds):
    built = builds("real", False)
    with zipfile.ZipFile(built.epub) as z:
        root = etree.fromstring(z.read("EPUB/text/case-001-foreign-banks.xhtml"))
    ns = {"x": "http://www.w3.org/1999/xhtml"}
    aside = root.xpath("//x:aside[contains(@class, 'commentary')]", namespaces=ns)
    assert len(aside) == 1 and aside[0].get("aria-label") == "点评"
    paragraphs = ["".join(p.itertext()) for p in aside[0].xpath(".//x:p", namespaces=ns)]
    assert paragraphs[0] == "点评"
    assert paragraphs[-1] == "（上海市社会工作党委研究室主任　方世雄）"


# -- conformance on the synthetic book in the original's shape ----------------------------------
@pytest.mark.slow
def test_epubcheck_synthetic110_with_lists_tables_footnotes_figures(builds):
    built = builds("synthetic110", False)
    with zipfile.ZipFile(built.epub) as z:
        text = "".join(z.read(n).decode() for n in z.namelist() if n.endswith(".xhtml"))
    for needle in ("<ul>", "<table", 'epub:type="noteref"', "<figure", "<strong>", "<em>"):
        assert needle in text, needle
    result = check.epubcheck(built.epub)
    assert (result.errors, result.warnings) == (0, 0), result.messages


# -- accessibility metadata -------------------------------------------------------------------
def _props(opf, name):
    return opf.xpath(f"//opf:meta[@property='{name}']/text()", namespaces=OPF)


@pytest.mark.slow
def test_accessibility_metadata_of_the_real_book(builds):
    opf = _opf(builds("real", False).epub)
    assert _props(opf, "schema:accessMode") == ["textual", "visual"]
    assert _props(opf, "schema:accessModeSufficient") == ["textual", "textual,visual"]
    assert set(_props(opf, "schema:accessibilityFeature")) >= {
        "tableOfContents", "readingOrder", "structuralNavigation", "pageNavigation",
        "pageBreakMarkers", "alternativeText"}
    assert _props(opf, "schema:accessibilityHazard") == ["none"]
    summary = _props(opf, "schema:accessibilitySummary")
    assert len(summary) == 1 and "WCAG 2.1 AA" in summary[0] and "\n" not in summary[0]
    assert _props(opf, "dcterms:conformsTo") == ["EPUB Accessibility 1.1 - WCAG 2.1 Level AA"]
    assert _props(opf, "pageBreakSource") == ["urn:isbn:9787807458654"]
    assert _props(opf, "dcterms:modified")


def test_alternative_text_is_claimed_only_when_every_image_has_it():
    from casebook.editions.epub.meta import Features, accessibility
    assert "alternativeText" in accessibility(Features(3, 3, 10))["schema:accessibilityFeature"]
    partial = accessibility(Features(3, 2, 10))
    assert "alternativeText" not in partial["schema:accessibilityFeature"]
    assert partial["schema:accessModeSufficient"] == ["textual,visual"]
    assert "pageNavigation" not in accessibility(Features(1, 1, 0))["schema:accessibilityFeature"]


# -- semantics --------------------------------------------------------------------------------
XNS = {"x": "http://www.w3.org/1999/xhtml", "ops": "http://www.idpf.org/2007/ops"}
ROLE_OF = {"preface": "doc-preface", "afterword": "doc-afterword", "part": "doc-part",
           "chapter": "doc-chapter", "toc": "doc-toc", "page-list": "doc-pagelist",
           "pagebreak": "doc-pagebreak", "noteref": "doc-noteref", "footnote": "doc-footnote"}


def _documents(epub):
    with zipfile.ZipFile(epub) as z:
        return {n.removeprefix("EPUB/"): etree.fromstring(z.read(n))
                for n in sorted(z.namelist()) if n.endswith(".xhtml")}


@pytest.mark.slow
def test_epub_types_carry_their_matching_roles(builds):
    docs = {**_documents(builds("real", True).epub),
            **_documents(builds("synthetic110", False).epub)}
    types = set()
    for name, root in docs.items():
        for element in root.xpath("//*[@ops:type]", namespaces=XNS):
            kind = element.get("{http://www.idpf.org/2007/ops}type")
            types.add(kind)
            if kind in ROLE_OF and not element.xpath("ancestor::x:nav[@ops:type='landmarks']",
                                                     namespaces=XNS):
                assert element.get("role") == ROLE_OF[kind], (name, kind)
    assert {"frontmatter", "bodymatter", "backmatter", "cover", "titlepage", "copyright-page",
            "preface", "toc", "landmarks", "page-list", "part", "chapter", "afterword",
            "pagebreak", "noteref", "footnote"} <= types


@pytest.mark.slow
def test_body_sections_and_heading_hierarchy(builds):
    built = builds("synthetic110", False)
    docs = _documents(built.epub)
    for item in built.book.reading_order():
        root = docs[f"text/{item.id}.xhtml"]
        body = root.xpath("//x:body", namespaces=XNS)[0]
        levels = [int(h.tag[-1]) for h in root.xpath("//x:h1|//x:h2|//x:h3|//x:h4|//x:h5|//x:h6",
                                                      namespaces=XNS)]
        top = {"Part": 1, "Case": 2, "Matter": 1}[type(item).__name__]
        assert levels[0] == top, item.id
        assert all(b - a <= 1 for a, b in zip(levels, levels[1:])), (item.id, levels)
        section = getattr(item, "section", "body")
        expected = {"front": "frontmatter", "back": "backmatter", "body": "bodymatter"}[section]
        assert body.get("{http://www.idpf.org/2007/ops}type") == expected
    case = next(built.book.cases())
    assert [int(h.tag[-1]) for h in docs[f"text/{case.id}.xhtml"].xpath(
        "//x:h2|//x:h3", namespaces=XNS)][:2] == [2, 3]


@pytest.mark.slow
def test_landmarks_point_at_the_cover_the_toc_and_the_body(builds):
    built = builds("real", False)
    nav = _documents(built.epub)["nav.xhtml"]
    marks = {a.get("{http://www.idpf.org/2007/ops}type"): a.get("href") for a in nav.xpath(
        "//x:nav[@ops:type='landmarks']//x:a", namespaces=XNS)}
    assert marks["cover"] == "text/cover.xhtml"
    assert marks["toc"] == "nav.xhtml#toc"
    assert marks["bodymatter"] == f"text/{built.book.parts[0].id}.xhtml"


# -- cover ------------------------------------------------------------------------------------
@pytest.mark.slow
def test_cover_image_and_cover_page(builds):
    built = builds("real", False)
    opf = _opf(built.epub)
    item = opf.xpath("//opf:item[@properties='cover-image']", namespaces=OPF)
    assert len(item) == 1 and item[0].get("media-type") == "image/png"
    assert opf.xpath("//opf:meta[@name='cover']/@content", namespaces=OPF) == [item[0].get("id")]
    assert opf.xpath("//opf:spine/opf:itemref/@idref", namespaces=OPF)[0] == "cover"
    page = _documents(built.epub)["text/cover.xhtml"]
    img = page.xpath("//x:img", namespaces=XNS)[0]
    assert img.get("src") == "../" + item[0].get("href")
    assert img.get("role") == "doc-cover"
    for text in ("一流党建促一流开发", "上海市浦东新区基层党建案例百篇", "吴信宝", "上海社会科学院出版社"):
        assert text in img.get("alt")


# -- typography -------------------------------------------------------------------------------
@pytest.mark.slow
def test_stylesheet_leaves_reader_settings_alone(builds):
    import re
    with zipfile.ZipFile(builds("real", False).epub) as z:
        css = z.read("EPUB/styles/epub.css").decode()
    sizes = re.findall(r"font-size:\s*([^;}]+)", css)
    assert sizes and all(re.fullmatch(r"[\d.]+(em|rem|%)", s.strip()) for s in sizes), sizes
    rules = re.sub(r"/\*.*?\*/|\b[12]px solid", "", css, flags=re.S)  # hairlines and the
    # 三线表's rules only (comments aside)
    assert not re.search(r"\d(px|pt)\b", rules)
    assert "text-indent: 2em" in css and re.search(r"line-height:\s*1\.[6-8]", css)
    assert re.search(r'"LXGW WenKai"[^;}]*"Kaiti SC", STKaiti, KaiTi', css)
    assert re.search(r"h1, h2, h3[^{]*\{[^}]*font-family:[^}]*sans-serif", css)
    # fonts are only embedded on request: without, every face (the 点评's quotes, each role's
    # Latin face) is the reader's installed font, local()
    faces = re.findall(r"@font-face\s*\{[^}]*\}", css)
    assert len(faces) > 1 and all("local(" in f for f in faces) and "url(" not in css
