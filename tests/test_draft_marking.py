"""Draft marking: a --draft build shows 草稿 · <build date> in all three editions; a release none.

The synthetic book has a preface, a received case and a pending one. The build date comes
from SOURCE_DATE_EPOCH, so the expected label is known.
"""

import datetime
import os
import subprocess
import zipfile

import pytest
from bookfactory import make_book, md

from casebook.build.pipeline import Options, build
from casebook.check import parity

EPOCH = 1764115200
LABEL = "草稿 · " + datetime.datetime.fromtimestamp(EPOCH, datetime.timezone.utc).date().isoformat()
CASES = {"source/cases/01/001-a.md": md("甲", "合成正文一。\n"),
         "source/cases/01/002-b.md": md("乙", "", status="pending")}
FRONT = {"source/front/preface.md": md("序言", "合成序言正文。\n", type="preface")}


@pytest.fixture(scope="module")
def editions(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("draft")
    book = make_book(tmp, CASES, front=FRONT)
    old = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(EPOCH)
    try:
        return {draft: build(Options(book_dir=book, out_dir=tmp / str(draft), draft=draft))
                for draft in (True, False)}
    finally:
        if old is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = old


def _pages(pdf):
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    return text.split("\f")[:-1]


@pytest.mark.parametrize("suffix", ["", "-screen"])
def test_every_pdf_page_carries_the_draft_mark(editions, suffix):
    pdf = editions[True]["pdf"].with_name(f"test-book{suffix}.pdf")
    pages = _pages(pdf)
    printed = [page for page in pages if page.replace(LABEL, "").strip()]
    blank = [page for page in pages if not page.replace(LABEL, "").strip()]
    assert len(printed) >= 6 and all(LABEL in page for page in printed)
    assert all(not page.strip() for page in blank)
    assert any("稿件待补" in page for page in pages)


def test_the_draft_mark_stays_out_of_the_pdf_text_area(editions):
    built = editions[True]
    from casebook.source import loader as source
    book = source.load(built["pdf"].parent.parent / "book").select(True)
    assert "草稿" not in parity.pdf_document_text(built["pdf"], book, "front-preface")


def test_a_release_pdf_has_no_draft_mark(editions):
    pages = _pages(editions[False]["pdf"])
    assert pages and not any("草稿" in page for page in pages)


def _epub_texts(epub):
    with zipfile.ZipFile(epub) as z:
        return {n: z.read(n).decode() for n in z.namelist() if n.endswith(".xhtml")}


def test_the_epub_title_page_notes_the_draft(editions):
    texts = _epub_texts(editions[True]["epub"])
    title = next(t for n, t in texts.items() if n.endswith("titlepage.xhtml"))
    assert f'<p class="draft-mark">{LABEL}</p>' in title
    assert sum("草稿" in t for t in texts.values()) == 1


def test_a_release_epub_has_no_draft_note(editions):
    assert not any("草稿" in t for t in _epub_texts(editions[False]["epub"]).values())


@pytest.mark.slow
def test_the_draft_epub_passes_epubcheck(editions):
    result = parity.epubcheck(editions[True]["epub"])
    assert (result.errors, result.warnings) == (0, 0), result.messages


def test_every_html_page_has_the_draft_banner(editions):
    pages = list(editions[True]["html"].parent.rglob("*.html"))
    assert len(pages) >= 5
    for page in pages:
        assert f'<p class="draft-banner">{LABEL}</p>' in page.read_text(encoding="utf-8"), page


def test_a_release_site_has_no_banner(editions):
    for page in editions[False]["html"].parent.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "draft-banner" not in text and "草稿" not in text, page
