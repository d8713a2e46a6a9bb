"""Search on the synthetic 110-case book in Chromium: every page holding an exact phrase is found."""

import json
import logging
import random
import re
from urllib.parse import urlsplit

import pytest
from lxml import html as lxml_html
from playwright.sync_api import expect, sync_playwright

from casebook.check import html as check_html
from casebook.editions.html import search as search_index

pytestmark = pytest.mark.slow  # Pagefind on the 110-case book, searched in Chromium

log = logging.getLogger(__name__)
BLOCKS = "p|li|td|th|h1|h2|h3|h4|h5|h6|figcaption|dt|dd|blockquote"
_CJK = re.compile(r"^[\u4e00-\u9fff]+$")
# Fixed phrases: a word inside a longer one (党建 in 党建工作), a pair spanning two words
# (建工), a footnote, a figure caption, the 点评 label and a phrase no page holds.
FIXED = ["党建", "建工", "作社", "合成脚注", "柱状图", "点评", "合成单位3", "量子引力"]
SAMPLED = 32


def page_texts(site) -> dict[str, list[str]]:
    """The indexed pages (``data-pagefind-body``), each as the text of its blocks."""
    pages = {}
    for path in sorted(site.rglob("*.html")):
        body = lxml_html.parse(str(path)).xpath("//*[@data-pagefind-body]")
        if body:
            blocks = body[0].xpath(" | ".join(f".//{b}" for b in BLOCKS.split("|")))
            pages[path.relative_to(site).as_posix()] = [b.text_content() for b in blocks]
    return pages


def phrases(pages: dict[str, list[str]]) -> list[str]:
    """FIXED plus phrases of 2–6 Chinese characters cut at random from random blocks."""
    rng = random.Random(110)
    blocks = [b for texts in pages.values() for b in texts]
    chosen: list[str] = []
    while len(chosen) < SAMPLED:
        block = rng.choice(blocks)
        size = rng.randint(2, 6)
        if len(block) <= size:
            continue
        start = rng.randrange(len(block) - size)
        phrase = block[start:start + size]
        if _CJK.match(phrase) and phrase not in chosen + FIXED:
            chosen.append(phrase)
    return FIXED + chosen


def holding(pages, phrase) -> set[str]:
    return {path for path, blocks in pages.items() if any(phrase in b for b in blocks)}


@pytest.fixture(scope="module")
def site_page(builds):
    site = builds("synthetic110", False).html
    with check_html.serve(site) as url, sync_playwright() as p:
        browser = check_html.launch_chromium(p)
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.errors = []
        page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
        page.goto(url + "search.html")
        yield site, url, page
        browser.close()


def shown_results(page, url, phrase) -> set[str]:
    page.locator("#search-q").fill(phrase)
    page.locator("#search-q").press("Enter")
    expect(page.locator("#search-status")).to_contain_text(f"“{phrase}”", timeout=20_000)
    hrefs = page.locator("#search-results a").evaluate_all("els => els.map(a => a.href)")
    return {h[len(url):] for h in hrefs}


def pagefind_results(page, url, phrase) -> set[str]:
    """What Pagefind itself returns, before search.js keeps only the exact matches."""
    urls = page.evaluate("""async ([module, q]) => {
        const pf = await import(module);
        const found = await pf.search(q);
        return Promise.all(found.results.map(async r => (await r.data()).url));
    }""", [url + "pagefind/pagefind.js", phrase])
    return {urlsplit(u).path.lstrip("/") for u in urls}


def score(found: set[str], truth: set[str]) -> tuple[float, float]:
    hit = len(found & truth)
    return (hit / len(truth) if truth else 1.0), (hit / len(found) if found else 1.0)


def test_every_page_holding_a_phrase_is_found(site_page, record_property):
    site, url, page = site_page
    pages = page_texts(site)
    assert len(pages) == 113  # preface, board, 110 cases, afterword
    report, raw_hits, raw_found, ui_hits, ui_found = {}, 0, 0, 0, 0
    for phrase in phrases(pages):
        truth = holding(pages, phrase)
        shown, raw = shown_results(page, url, phrase), pagefind_results(page, url, phrase)
        report[phrase] = dict(pages=len(truth), pagefind=len(raw), shown=len(shown),
                              recall=score(shown, truth)[0], missed=sorted(truth - shown))
        raw_hits, raw_found = raw_hits + len(raw & truth), raw_found + len(raw)
        ui_hits, ui_found = ui_hits + len(shown & truth), ui_found + len(shown)
    summary = dict(phrases=len(report), raw_precision=raw_hits / raw_found,
                   shown_precision=ui_hits / ui_found,
                   recall=min(r["recall"] for r in report.values()))
    log.info("search: %s\n%s", summary, "\n".join(
        f"{p}\tpages {r['pages']}\tpagefind {r['pagefind']}\tshown {r['shown']}"
        for p, r in report.items()))
    record_property("search", summary)
    assert report["量子引力"]["pages"] == 0 and report["党建"]["pages"] > 50
    assert all(r["recall"] == 1.0 for r in report.values()), \
        {p: r["missed"] for p, r in report.items() if r["missed"]}
    assert summary["shown_precision"] >= 0.9, summary
    assert not page.errors


def test_search_index_is_pagefind_1_6_0_without_unused_bundles(builds):
    index = builds("synthetic110", False).html / search_index.INDEX_DIR
    entry = json.loads((index / "pagefind-entry.json").read_text(encoding="utf-8"))
    assert entry["version"] == "1.6.0"
    assert (index / "pagefind.js").is_file()
    assert not [n for n in search_index.UNUSED if (index / n).exists()]


def test_result_excerpts_mark_the_phrase(site_page):
    site, url, page = site_page
    shown_results(page, url, "合成脚注")
    marks = page.locator("#search-results li mark").all_inner_texts()
    assert marks and set(marks) == {"合成脚注"}
    assert page.locator("#search-results li").count() == len(page_texts(site)) - 3
