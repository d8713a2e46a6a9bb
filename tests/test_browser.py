"""The HTML edition in a real browser: Debian's Chromium driven by Playwright, from file:// and HTTP."""

import logging
import os
import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from casebook.check import html as check_html

pytestmark = pytest.mark.slow  # Chromium on the real and the 110-case book

CHROMIUM = check_html.CHROMIUM
FLAGS = check_html.CHROMIUM_FLAGS
CASE = "cases/001-foreign-banks.html"
CASE_TITLE = "外资银行金融机构党建工作探索"
log = logging.getLogger(__name__)


@pytest.fixture(scope="module")
def browser():
    if not shutil.which(CHROMIUM):
        pytest.fail("Debian chromium is not installed: run `make test`, which installs it")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def real_url(builds):
    """The real book's default site, served over HTTP (search needs it)."""
    with check_html.serve(builds("real", False).html) as url:
        yield url


@pytest.fixture(scope="session")
def shots(tmp_path_factory):
    """Where screenshots go: $CASEBOOK_SCREENSHOTS if set (to keep them), else a temp folder."""
    folder = Path(os.environ.get("CASEBOOK_SCREENSHOTS") or tmp_path_factory.mktemp("shots"))
    folder.mkdir(parents=True, exist_ok=True)
    yield folder
    log.info("screenshots in %s", folder)


def watched_page(browser, width=360, **options):
    """A new page that records console errors and uncaught exceptions in ``page.errors``."""
    page = browser.new_page(viewport={"width": width, "height": 800}, **options)
    page.errors = []
    page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    return page


def overflows(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth > window.innerWidth")


def search(page, query: str) -> list[str]:
    """Type a query into the header search box; return the result links once shown."""
    page.locator("#search-q").fill(query)
    page.locator("#search-q").press("Enter")
    expect(page.locator("#search-status")).to_contain_text(f"“{query}”", timeout=20_000)
    return page.locator("#search-results a").evaluate_all("els => els.map(a => a.href)")


def test_index_to_case_and_back(browser, builds, tmp_path):
    built = builds("real", False)
    page = browser.new_page(viewport={"width": 360, "height": 740})
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto((built.html / "index.html").as_uri())
    assert page.title() == "一流党建促一流开发"
    page.get_by_role("link", name="外资银行金融机构党建工作探索").click()
    expect(page.locator("h1")).to_have_text("外资银行金融机构党建工作探索")
    assert page.locator("aside.commentary").is_visible()
    overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    assert not overflow, "horizontal scroll at 360 px"
    page.screenshot(path=str(tmp_path / "case-360.png"), full_page=True)
    page.locator("a[rel=prev]").click()
    expect(page.locator("h1")).to_have_text("党的组织覆盖和工作覆盖")
    page.locator("a[rel=next]").click()
    expect(page).to_have_url(re.compile("001-foreign-banks"))
    assert not errors


def test_served_walk_index_case_next_previous(browser, builds):
    built = builds("synthetic110", False)
    cases = list(built.book.cases())
    with check_html.serve(built.html) as url:
        page = watched_page(browser, 1280)
        page.goto(url + "index.html")
        page.locator("#toc").get_by_role("link", name=cases[0].title, exact=True).click()
        expect(page.locator("h1")).to_have_text(cases[0].title)
        page.locator("a[rel=next]").click()
        expect(page.locator("h1")).to_have_text(cases[1].title)
        page.locator("a[rel=prev]").click()
        expect(page.locator("h1")).to_have_text(cases[0].title)
        page.locator(".pager-toc").click()
        expect(page.locator("#toc")).to_be_visible()
    assert not page.errors


def test_search_a_phrase_and_open_a_result(browser, real_url):
    page = watched_page(browser, 360)
    page.goto(real_url + CASE)
    links = search(page, "外资银行")  # the header form leads to the search page
    assert "/search.html?q=" in page.url
    assert real_url + CASE in links
    result = page.locator("#search-results li").filter(has_text=CASE_TITLE)
    expect(result.locator("mark").first).to_have_text("外资银行")
    result.get_by_role("link", name=CASE_TITLE).click()
    expect(page.locator("h1")).to_have_text(CASE_TITLE)
    assert not page.errors


def test_search_reports_no_match(browser, real_url):
    page = watched_page(browser, 360)
    page.goto(real_url + "search.html")
    assert search(page, "量子引力") == []
    expect(page.locator("#search-status")).to_have_text("没有找到含“量子引力”的文章。")
    assert not page.errors


def test_search_page_from_a_folder_explains_and_stays_quiet(browser, builds):
    page = watched_page(browser, 360)
    page.goto((builds("real", False).html / "search.html").as_uri() + "?q=党建")
    expect(page.locator("#search-status")).to_contain_text("静态网站服务器")
    assert page.locator("#search-results li").count() == 0
    assert not page.errors


@pytest.mark.parametrize("width", [360, 1280])
def test_screenshots_and_no_horizontal_scroll(browser, real_url, shots, width):
    page = watched_page(browser, width)
    for name, path in [("index", "index.html"), ("case", CASE), ("part", "parts/part-1.html"),
                       ("copyright", "front/copyright.html")]:
        page.goto(real_url + path)
        assert not overflows(page), f"{path}: horizontal scroll at {width} px"
        page.screenshot(path=str(shots / f"{name}-{width}.png"), full_page=True)
    page.goto(real_url + "search.html")
    search(page, "党建")
    assert not overflows(page)
    page.screenshot(path=str(shots / f"search-{width}.png"), full_page=True)
    assert not page.errors


def test_measure_is_35_to_40_characters_on_a_desktop(browser, real_url):
    page = watched_page(browser, 1280)
    page.goto(real_url + CASE)
    chars = page.locator("main article > p:not([class])").first.evaluate(
        "p => p.clientWidth / parseFloat(getComputedStyle(p).fontSize)")
    assert 35 <= chars <= 40


def test_focus_is_visible_and_the_skip_link_works(browser, real_url):
    page = watched_page(browser, 1280)
    page.goto(real_url + CASE)
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    expect(skip).to_be_focused()
    assert skip.evaluate("a => getComputedStyle(a).outlineStyle") != "none"
    assert skip.bounding_box()["y"] >= 0, "the focused skip link is on screen"
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile("#main$"))  # waits: the jump is async
    expect(page.locator("#main")).to_be_in_viewport()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_violations(browser, real_url, scheme):
    page = watched_page(browser, 1280, color_scheme=scheme)
    found = []
    for path in ["index.html", CASE]:
        page.goto(real_url + path)
        found += check_html.axe(page)
    page.goto(real_url + "search.html")
    assert search(page, "党建")
    found += check_html.axe(page)
    assert not found, "\n".join(map(str, found))
    assert not page.errors


def test_dark_mode_changes_the_colours(browser, real_url):
    colours = []
    for scheme in ("light", "dark"):
        page = watched_page(browser, 1280, color_scheme=scheme)
        page.goto(real_url + CASE)
        colours.append(page.evaluate("getComputedStyle(document.documentElement).backgroundColor"))
    assert colours[0] != colours[1]


def test_axe_reports_violations(browser):
    page = browser.new_page()
    page.set_content("<html><body><img src='x.png'><a href='#'></a></body></html>")
    found = {f.kind for f in check_html.axe(page)}
    assert {"image-alt", "link-name", "html-has-lang"} <= found


def test_cjk_typography(browser, real_url):
    page = watched_page(browser, 1280)
    page.goto(real_url + CASE)
    style = page.locator("main article > p:not([class])").first.evaluate("""p => {
        const s = getComputedStyle(p);
        return [parseFloat(s.textIndent) / parseFloat(s.fontSize),
                parseFloat(s.lineHeight) / parseFloat(s.fontSize), s.fontFamily];
    }""")
    assert style[0] == 2 and 1.7 <= style[1] <= 1.9
    # the declared faces (render/fontstack.py): Latin text in the Latin serif, then the CJK one
    assert style[2].startswith('"casebook serif latin", "Noto Serif CJK SC"')
    aside = page.locator("aside.commentary").evaluate("a => getComputedStyle(a).fontFamily")
    assert aside.startswith('"Noto Serif CJK SC quotes", "casebook kai latin", "LXGW WenKai"')
    halts = page.locator(".halt")
    assert halts.count() > 0
    assert halts.first.evaluate("s => getComputedStyle(s).fontFeatureSettings") == '"halt"'


def test_print_stylesheet_keeps_only_the_text(browser, real_url):
    page = watched_page(browser, 1280)
    page.goto(real_url + CASE)
    page.emulate_media(media="print")
    for hidden in [".site-header", ".breadcrumb", ".pager", ".site-footer"]:
        expect(page.locator(hidden)).to_be_hidden()
    expect(page.locator("aside.commentary")).to_be_visible()
    assert page.evaluate("getComputedStyle(document.documentElement).backgroundColor") in (
        "rgb(255, 255, 255)", "rgba(0, 0, 0, 0)")
