"""The EPUB edition: EPUBCheck 5.3.0 reports nothing, and the package carries the metadata."""

import zipfile

from lxml import etree

from casebook import check

OPF = {"opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/"}


def test_epubcheck_reports_no_errors_and_no_warnings(built):
    result = check.epubcheck(built.epub)
    assert result.version == "5.3.0"
    assert (result.errors, result.warnings) == (0, 0), result.messages


def _opf(epub):
    with zipfile.ZipFile(epub) as z:
        return etree.fromstring(z.read("EPUB/content.opf"))


def test_package_metadata(builds):
    built = builds("real", False)
    opf = _opf(built.epub)
    assert opf.get("{http://www.w3.org/XML/1998/namespace}lang") == "zh-CN"
    assert opf.xpath("//dc:language/text()", namespaces=OPF) == ["zh-CN"]
    assert opf.xpath("//dc:identifier/text()", namespaces=OPF) == ["urn:isbn:9787807458654"]
    assert "吴信宝" in opf.xpath("//dc:creator/text()", namespaces=OPF)


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


def test_commentary_is_an_aside_with_its_attribution(builds):
    built = builds("real", False)
    with zipfile.ZipFile(built.epub) as z:
        text = z.read("EPUB/text/case-001-foreign-banks.xhtml").decode()
    assert '<aside class="commentary"' in text
    assert "上海市社会工作党委研究室主任　方世雄" in text
