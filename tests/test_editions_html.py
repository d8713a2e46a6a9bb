"""The HTML edition: an index, a page per document, prev/next in book order, working links."""

from pathlib import Path
from urllib.parse import urlsplit

from lxml import html as lxml_html

from casebook import check
from casebook.editions.html import page_path


def test_next_links_walk_the_whole_book_in_order(built):
    site = built.html
    expected = [site / page_path(item) for item in built.book.reading_order()]
    page, seen = site / "index.html", []
    while (href := check.html_pager(page).get("next")):
        page = (page.parent / href).resolve()
        seen.append(page)
    assert seen == [p.resolve() for p in expected]


def test_prev_links_mirror_next_links(builds):
    site = builds("synthetic", True).html
    for page in site.rglob("*.html"):
        nxt = check.html_pager(page).get("next")
        if nxt and page.name != "index.html":
            target = (page.parent / nxt).resolve()
            assert (target.parent / check.html_pager(target)["prev"]).resolve() == page.resolve()


def test_every_internal_link_resolves(built):
    for page in built.html.rglob("*.html"):
        tree = lxml_html.parse(str(page))
        for href in tree.xpath("//a/@href | //link/@href"):
            parts = urlsplit(href)
            if parts.scheme or not parts.path:
                continue
            target = (page.parent / parts.path).resolve()
            assert target.exists(), f"{page}: {href}"
            if parts.fragment:
                ids = lxml_html.parse(str(target)).xpath(f"//*[@id='{parts.fragment}']")
                assert ids, f"{page}: {href}"


def test_case_page_has_breadcrumb_and_one_h1(builds):
    built = builds("real", False)
    page = built.html / "cases" / "001-foreign-banks.html"
    tree = lxml_html.parse(str(page))
    assert [h.text_content() for h in tree.xpath("//h1")] == ["外资银行金融机构党建工作探索"]
    crumbs = [li.text_content() for li in tree.xpath("//nav[@class='breadcrumb']//li")]
    assert crumbs == ["一流党建促一流开发", "党的组织覆盖和工作覆盖", "外资银行金融机构党建工作探索"]
    assert tree.xpath("//aside[@class='commentary']")
    assert tree.xpath("//html/@lang") == ["zh-CN"]
