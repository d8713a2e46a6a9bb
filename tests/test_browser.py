"""The HTML edition in a real browser: Debian's Chromium driven by Playwright, from file://."""

import shutil

import pytest
from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def browser():
    if not shutil.which(CHROMIUM):
        pytest.fail("Debian chromium is not installed: run `make test`, which installs it")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


def test_index_to_case_and_back(browser, builds, tmp_path):
    built = builds("real", False)
    page = browser.new_page(viewport={"width": 360, "height": 740})
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto((built.html / "index.html").as_uri())
    assert page.title() == "一流党建促一流开发"
    page.get_by_role("link", name="外资银行金融机构党建工作探索").click()
    assert page.locator("h1").inner_text() == "外资银行金融机构党建工作探索"
    assert page.locator("aside.commentary").is_visible()
    overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    assert not overflow, "horizontal scroll at 360 px"
    page.screenshot(path=str(tmp_path / "case-360.png"), full_page=True)
    page.locator("a[rel=prev]").click()
    assert page.locator("h1").inner_text() == "党的组织覆盖和工作覆盖"
    page.locator("a[rel=next]").click()
    assert "001-foreign-banks" in page.url
    assert not errors
