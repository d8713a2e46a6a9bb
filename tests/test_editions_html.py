"""The HTML edition: pages, links, prev/next, CSP, metadata, landmarks and its search index."""

import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import readback
from bookfactory import make_book, md, yaml_line
from conftest import write_edition
from lxml import html as lxml_html

from casebook.editions.html import search as search_index
from casebook.editions.html.edition import page_path
from casebook.errors import SourceError, ToolError
from casebook.source import loader as source


def test_next_links_walk_the_whole_book_in_order(built):
    site = built.html
    expected = [site / page_path(item) for item in built.book.reading_order()]
    page, seen = site / "index.html", []
    while (href := readback.html_pager(page).get("next")):
        page = (page.parent / href).resolve()
        seen.append(page)
    assert seen == [p.resolve() for p in expected]


def test_prev_links_mirror_next_links(builds):
    site = builds("synthetic", True).html
    for page in site.rglob("*.html"):
        nxt = readback.html_pager(page).get("next")
        if nxt and page.name != "index.html":
            target = (page.parent / nxt).resolve()
            assert (target.parent / readback.html_pager(target)["prev"]).resolve() == page.resolve()


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


@pytest.mark.slow
def test_case_page_has_breadcrumb_and_one_h1(builds):
    built = builds("real", False)
    page = built.html / "cases" / "001-foreign-banks.html"
    tree = lxml_html.parse(str(page))
    assert [h.text_content() for h in tree.xpath("//h1")] == ["外资银行金融机构党建工作探索"]
    crumbs = [li.text_content() for li in tree.xpath("//nav[@class='breadcrumb']//li")]
    assert crumbs == ["一流党建促一流开发", "党的组织覆盖和工作覆盖", "外资银行金融机构党建工作探索"]
    assert tree.xpath("//aside[@class='commentary']")
    assert tree.xpath("//html/@lang") == ["zh-CN"]


# -- the site for readers (issue 5) -----------------------------------------------------------
CSP_READING = ("default-src 'self'; script-src 'none'; style-src 'self'; img-src 'self'; "
               "object-src 'none'; base-uri 'none'; form-action 'self'")
LANDMARKS = ["//header[@class='site-header']", "//main[@id='main']", "//footer",
             "//form[@role='search']"]


def _pages(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*.html") if "pagefind" not in p.parts)


def test_every_page_has_the_csp_and_runs_no_inline_code(built):
    for page in _pages(built.html):
        tree = lxml_html.parse(str(page))
        csp = tree.xpath("//meta[@http-equiv='Content-Security-Policy']/@content")
        expected = CSP_READING if page.name != "search.html" else \
            CSP_READING.replace("script-src 'none'", "script-src 'self'")
        assert csp == [expected], page
        assert not tree.xpath("//@*[starts-with(name(), 'on')] | //@style | //style"), page
        scripts = tree.xpath("//script")
        if page.name == "search.html":
            assert [s.get("src") for s in scripts] == ["search.js"] and not scripts[0].text
        else:
            assert not scripts, f"{page}: reading pages run no script"


def test_links_are_relative_so_the_site_reads_from_a_folder(built):
    for page in _pages(built.html):
        tree = lxml_html.parse(str(page))
        for ref in tree.xpath("//a/@href | //link/@href | //img/@src | //script/@src | "
                              "//form/@action"):
            assert not re.match(r"^(/|[a-z]+:)", ref), f"{page}: {ref}"


def test_landmarks_skip_link_and_headings_in_order(built):
    for page in _pages(built.html):
        tree = lxml_html.parse(str(page))
        assert tree.xpath("//html/@lang") == ["zh-CN"]
        assert all(tree.xpath(x) for x in LANDMARKS), page
        assert tree.xpath("//body/*[1][self::a][@class='skip-link']/@href") == ["#main"]
        levels = [int(h.tag[1]) for h in tree.xpath("//main//*[self::h1 or self::h2 or "
                                                    "self::h3 or self::h4 or self::h5]")]
        assert levels[0] == 1 and levels.count(1) == 1, page
        assert all(b - a <= 1 for a, b in zip(levels, levels[1:])), (page, levels)


def test_every_page_has_a_search_box_and_a_way_back_to_the_toc(built):
    for page in _pages(built.html):
        tree = lxml_html.parse(str(page))
        root = "../" * len(page.relative_to(built.html).parent.parts)
        assert tree.xpath("//form[@role='search']/@action") == [root + "search.html"]
        assert tree.xpath("//input[@type='search'][@name='q']/@id") == ["search-q"]
        assert tree.xpath("//label[@for='search-q']")
        if page.name != "index.html":
            assert tree.xpath(f"//nav[@class='pager']//a[@href='{root}index.html#toc']"), page


@pytest.mark.slow
def test_titles_descriptions_and_opengraph(builds):
    built = builds("real", False)
    tree = lxml_html.parse(str(built.html / "cases" / "001-foreign-banks.html"))
    title = "外资银行金融机构党建工作探索"
    assert tree.findtext(".//title") == f"{title} – 一流党建促一流开发"
    meta = {m.get("name") or m.get("property"): m.get("content") for m in tree.xpath("//meta")}
    assert meta["description"] == f"{title}（浦东新区社会工作党委）——一流党建促一流开发"
    assert meta["og:title"] == title and meta["og:description"] == meta["description"]
    assert not tree.xpath("//link[@rel='canonical']"), "no canonical link without html.base_url"
    index = lxml_html.parse(str(built.html / "index.html"))
    assert index.findtext(".//title") == "一流党建促一流开发"


def test_index_has_the_cover_and_every_case_with_its_unit(builds):
    built = builds("synthetic", True)
    tree = lxml_html.parse(str(built.html / "index.html"))
    cover = tree.xpath("//section[@class='cover']")[0].text_content()
    assert all(x in cover for x in ["合成测试书", "合成文本，仅供测试", "合成编者", "合成出版社"])
    items = tree.xpath("//nav[@id='toc']/ol/li/ol/li")
    cases = list(built.book.cases())
    assert [li.xpath("a")[0].text_content() for li in items] == [c.title for c in cases]
    assert [li.findtext("span[@class='unit']") for li in items] == [c.unit for c in cases]
    assert tree.xpath("//ul[@class='front-links']//a/@href") == [
        "front/board.html", "front/copyright.html"]


def test_part_pages_list_their_cases(builds):
    built = builds("synthetic", False)
    for part in built.book.parts:
        tree = lxml_html.parse(str(built.html / page_path(part)))
        hrefs = tree.xpath("//ol[@class='part-cases']//a/@href")
        assert hrefs == [f"../{page_path(c)}" for c in part.cases]


def test_metadata_is_escaped(tmp_path):
    title = '甲<script>alert(1)</script>"&'
    book_dir = make_book(tmp_path, {"source/cases/01/001-a.md": md(f"'{title}'")})
    book = source.load(book_dir)
    site = write_edition("html", book, tmp_path / "out").parent
    tree = lxml_html.parse(str(site / "cases" / "001-a.html"))
    assert not tree.xpath("//script")
    assert tree.findtext(".//title").startswith(title)
    assert tree.xpath("//meta[@property='og:title']/@content") == [title]


def test_canonical_link_when_base_url_is_set(tmp_path):
    book_dir = make_book(tmp_path, yaml_extra="html: {base_url: 'https://example.org/book'}\n")
    book = source.load(book_dir)
    assert book.meta.html.base_url == "https://example.org/book/"
    site = write_edition("html", book, tmp_path / "out").parent
    for rel in ["index.html", "cases/001-a.html", "parts/part-1.html"]:
        tree = lxml_html.parse(str(site / rel))
        assert tree.xpath("//link[@rel='canonical']/@href") == [f"https://example.org/book/{rel}"]
        assert tree.xpath("//meta[@property='og:url']/@content") == [
            f"https://example.org/book/{rel}"]


@pytest.mark.parametrize("extra, message", [
    ("html: {base_url: 'example.org/book'}\n", "'html.base_url' must be an absolute http(s) URL"),
    ("html: {base_url: 'https://example.org/?a=1'}\n", "without query or fragment"),
    ("html: {baseurl: 'https://example.org/'}\n", "unknown key 'baseurl' in html; did you mean"),
])
def test_bad_html_settings_are_errors(tmp_path, extra, message):
    book_dir = make_book(tmp_path, yaml_extra=extra)
    with pytest.raises(SourceError) as info:
        source.load(book_dir)
    assert message in str(info.value)
    assert info.value.line == yaml_line(book_dir, "html:")


def test_search_index_covers_every_document(built):
    index = built.html / search_index.INDEX_DIR
    entry = json.loads((index / "pagefind-entry.json").read_text(encoding="utf-8"))
    assert entry["version"] == search_index.VERSION
    pages = sum(lang["page_count"] for lang in entry["languages"].values())
    assert pages == sum(1 for _ in built.book.documents())


def test_missing_pagefind_is_a_tool_error(tmp_path, monkeypatch):
    book = source.load(make_book(tmp_path))
    monkeypatch.setattr(search_index, "PAGEFIND", tmp_path / "no" / "pagefind")
    with pytest.raises(ToolError) as info:
        write_edition("html", book, tmp_path / "out")
    assert "Pagefind 1.6.0 is missing" in str(info.value) and info.value.exit_code == 3
    assert "npm install --prefix" in str(info.value) and "pagefind@1.6.0" in str(info.value)


def test_an_edit_renders_only_its_page_and_the_site_equals_one_rendered_afresh(
        tmp_path, monkeypatch):
    """Pages are kept in the cache by all their template reads (editions/html/kept.py): an
    edit to a body renders that page alone, a title (which other pages show) renders all."""
    from casebook.build import jobs
    from casebook.render import templates
    from casebook.render.fragments import render_all
    root = make_book(tmp_path / "book", {f"source/cases/01/00{i}-c.md": md(t, f"合成正文{t}。\n")
                                         for i, t in enumerate("甲乙丙", 1)})
    rendered = []
    real = templates.render_template
    monkeypatch.setattr(templates, "render_template", lambda env, name, **context: (
        rendered.append(name) if name.startswith("html/") else None) or real(env, name,
                                                                              **context))

    def site(out: Path, cache: Path | None) -> dict[str, bytes]:
        book = source.load(root).select(False)
        jobs.edition("html", book, out, render_all(book), {"index": False}, cache_dir=cache)
        return {p.relative_to(out).as_posix(): p.read_bytes()
                for p in sorted(out.rglob("*")) if p.is_file()}

    site(tmp_path / "first", tmp_path / "cache")
    every = len(rendered)
    case = root / "source/cases/01/002-c.md"
    case.write_text(md("乙", "合成正文乙，改过。\n"), encoding="utf-8")
    rendered.clear()
    edited = site(tmp_path / "edited", tmp_path / "cache")
    assert rendered == ["html/case.html.j2"], "pages the edit did not change were rendered"
    assert "合成正文乙，改过。" in edited["html/cases/002-c.html"].decode()
    rendered.clear()
    assert edited == site(tmp_path / "afresh", None) and len(rendered) == every
    case.write_text(md("乙二", "合成正文乙，改过。\n"), encoding="utf-8")
    rendered.clear()
    retitled = site(tmp_path / "retitled", tmp_path / "cache")
    assert len(rendered) == every and b"\xe4\xb9\x99\xe4\xba\x8c" in retitled["html/index.html"]
    from casebook import resources
    (root / "templates/html").mkdir(parents=True)  # a book's own template may read bodies
    (root / "templates/html/part.html.j2").write_text(
        (resources.TEMPLATES / "html/part.html.j2").read_text(encoding="utf-8"), "utf-8")
    site(tmp_path / "own", tmp_path / "cache")
    case.write_text(md("乙二", "合成正文乙，又改过。\n"), encoding="utf-8")
    rendered.clear()
    site(tmp_path / "own-edited", tmp_path / "cache")
    assert "html/part.html.j2" in rendered, "with its own templates, a body counts for all"
