"""The chunked PDF: the same book as a whole-book render, page for page, and reused by chunk."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest
import whole_layout
from conftest import DATA

from casebook.build import pipeline as build
from casebook.editions.pdf import chunks as pdf_chunks
from casebook.editions.pdf import document as pdf
from casebook.editions.pdf import edition as pdf_edition
from casebook.editions.pdf import fontshare as pdf_fontshare
from casebook.editions.pdf import plan as pdf_plan
from casebook.editions.pdf import store as pdf_store
from casebook.render import fragments as render
from casebook.source import loader as source


@pytest.fixture(autouse=True)
def chunked(monkeypatch):
    """The test books are short: lay them out in chunks all the same."""
    monkeypatch.setattr(pdf_plan, "WHOLE_BELOW", 0)


class Counting:
    """The in-process pool of build.py, counting the chunks it is given to lay out."""

    def __init__(self):
        self.pool, self.laid, self.cases = build._pool(0), 0, []

    def submit(self, fn, *args):
        self.laid += fn is pdf_chunks.lay_out_chunk
        if fn is pdf_chunks.lay_out_chunk:  # how many cases each chunk laid out holds
            self.cases.append(args[1].count('<article class="case'))
        return self.pool.submit(fn, *args)


def _book(tmp_path: Path, name: str, draft: bool = False):
    root = tmp_path / name
    shutil.copytree(DATA / name, root)
    return source.load(root).select(draft)


def _pages(path: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout
    return text.split("\f")


def _outline_and_labels(path: Path):
    with pikepdf.open(path) as doc:
        with doc.open_outline() as outline:
            titles = [(item.title, [c.title for c in item.children]) for item in outline.root]
        return titles, repr(doc.Root.PageLabels.Nums)


def _both(book, tmp_path: Path, cache: Path | None = None, pool=None, limit=None):
    """The print PDF written from a chunked layout (``limit``: pdf_plan.plan's) and from
    one whole-book layout."""
    fragments = render.render_all(book)
    chunked = pdf_chunks.lay_out(book, fragments, pool or Counting(), cache, limit=limit)
    (tmp_path / "chunked").mkdir()
    (tmp_path / "whole").mkdir()
    one = pdf_edition.finish(book, tmp_path / "chunked", chunked)
    whole = whole_layout.lay_out(book, fragments)
    other = pdf_edition.finish(book, tmp_path / "whole", whole.painted(book))
    return one, other, chunked.pagemap, whole.pagemap


@pytest.mark.parametrize("name,draft", [("sample", False),
                                        pytest.param("sample", True, marks=pytest.mark.slow),
                                        pytest.param("apparatus", False, marks=pytest.mark.slow)])
def test_the_chunked_pdf_is_the_whole_book_render_page_for_page(tmp_path, name, draft):
    """Every page's text (running heads, folios, TOC and index page numbers, notes) agrees."""
    book = _book(tmp_path, name, draft)
    chunked, whole, chunked_map, whole_map = _both(book, tmp_path)
    assert chunked_map == whole_map
    pages = _pages(chunked)
    assert len(pages) > 5
    assert pages == _pages(whole)
    assert _outline_and_labels(chunked) == _outline_and_labels(whole)


@pytest.mark.slow
def test_parts_cut_at_a_case_continue_on_the_side_they_fall_on(tmp_path):
    """With a chunk per case (the preview's), some start on a verso; the book is still the
    same, page for page."""
    book = _book(tmp_path, "apparatus")
    chunks = pdf_plan.plan(book, pdf_plan.ONE_CASE)
    assert sum(not c.opens_recto for c in chunks) >= 1, "no chunk continues a part"
    assert all(len(c.pieces[0].cases) == 1 for c in chunks if c.pieces and c.pieces[0].cases)
    pool = Counting()
    chunked, whole, chunked_map, whole_map = _both(book, tmp_path, pool=pool,
                                                   limit=pdf_plan.ONE_CASE)
    assert max(pool.cases) == 1, "a chunk laid out holds more than one case"
    assert chunked_map == whole_map
    assert _pages(chunked) == _pages(whole)


@pytest.mark.slow
def test_an_unchanged_book_reuses_every_chunk_and_an_edit_lays_out_one(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # the same dates in both PDFs
    book = _book(tmp_path, "sample")
    cache = tmp_path / "cache"
    fragments = render.render_all(book)
    first = Counting()
    clean = pdf_chunks.lay_out(book, fragments, first, cache)
    assert first.laid >= len(pdf_plan.plan(book))
    shared = []
    share = pdf_fontshare.share
    monkeypatch.setattr(pdf_fontshare, "share", lambda *a: shared.append(share(*a)) or shared[-1])
    again = Counting()
    assert pdf_chunks.lay_out(book, fragments, again, cache).painted == clean.painted
    assert again.laid == 0
    # the glyphs kept with each cached chunk started the very subsets the merge wanted
    assert shared[-1]["prefetched"] > 0  # 0 if the merge had subset every face itself
    assert shared[-1]["prefetch_unused"] == 0 and shared[-1]["subset_runs"] == 0
    case = list(book.cases())[-1]
    case.source.write_text(case.source.read_text(encoding="utf-8").replace("。", "！", 1),
                           encoding="utf-8")
    edited = source.load(book.root).select(False)
    once = Counting()
    layout = pdf_chunks.lay_out(edited, render.render_all(edited), once, cache)
    assert once.laid == 1
    assert layout.pagemap == clean.pagemap
    assert layout.painted != clean.painted


def test_a_clean_build_needs_one_extra_round_only_for_chunks_that_print_folios(tmp_path):
    """The TOC (and any page reference) is laid out again; the parts are laid out once."""
    book = _book(tmp_path, "sample")
    pool = Counting()
    pdf_chunks.lay_out(book, render.render_all(book), pool, None)
    assert pool.laid == len(pdf_plan.plan(book)) + 1


def test_a_round_renders_again_only_the_html_of_chunks_whose_folios_moved(tmp_path,
                                                                         monkeypatch):
    book = _book(tmp_path, "sample")
    rendered = []
    real = pdf.book_html
    monkeypatch.setattr(pdf, "book_html", lambda *a: rendered.append(a[2].name) or real(*a))
    pdf_chunks.lay_out(book, render.render_all(book), Counting(), None)
    plan = [chunk.name for chunk in pdf_plan.plan(book)]
    assert sorted(rendered) == sorted(plan + ["toc"]), "only the TOC prints folios"


class _Nines(pdf_chunks._Folios):
    """Every page reference printed as 9: a chunk whose HTML changes prints folios."""

    def __missing__(self, anchor: str) -> str:
        return "9"


def _prints_folios(book, fragments, chunk) -> bool:
    return (pdf.book_html(book, fragments, chunk, _Nines(), pdf_chunks.CHUNK_CREATED)
            != pdf_chunks._Htmls(book, fragments)(chunk, {}))


@pytest.mark.slow
def test_a_chunk_that_continues_a_part_is_laid_out_once_on_its_true_side(tmp_path,
                                                                          monkeypatch):
    """It waits for the part's earlier chunks: a clean build never guesses its side wrong.
    Only chunks that print folios (TOC, cross-references, indexes) are laid out again."""
    monkeypatch.setattr(pdf_plan, "CHUNK_CHARS", 1)
    book = _book(tmp_path, "apparatus")
    fragments, pool = render.render_all(book), Counting()
    pdf_chunks.lay_out(book, fragments, pool, tmp_path / "cache")
    versos = json.loads((tmp_path / "cache" / "pdf" / "folios.json").read_text())["versos"]
    assert versos, "no chunk starts on a verso: the test proves nothing"
    plan = pdf_plan.plan(book)
    again = [c.name for c in plan if _prints_folios(book, fragments, c)]
    assert "toc" in again and len(again) < len(plan)
    assert pool.laid == len(plan) + len(again)


def test_the_pagemap_puts_a_blank_verso_before_a_chunk_that_opens_on_a_recto(tmp_path):
    book = _book(tmp_path, "sample")
    layout = pdf_chunks.lay_out(book, render.render_all(book), Counting(), None)
    with pikepdf.open(io.BytesIO(layout.painted)) as doc:
        assert len(doc.pages) == len(layout.pagemap.pages)
    for part in book.parts:
        index = next(p.index for p in layout.pagemap.pages if part.id in p.anchors)
        assert index % 2 == 0, f"{part.id} opens on page {index + 1}, a verso"


def test_the_cache_forgets_chunks_that_no_build_used_for_a_week(tmp_path):
    book = _book(tmp_path, "sample")
    cache = tmp_path / "cache"
    fragments = render.render_all(book)
    pdf_chunks.lay_out(book, fragments, Counting(), cache)
    kept = sorted((cache / "pdf").glob("*.pdf"))
    stale = cache / "pdf" / ("0" * 64 + ".pdf")
    stale.write_bytes(b"%PDF-1.6")
    stale.with_suffix(".json").write_text("{}")
    week = pdf_store.UNUSED_FOR + 60
    for path in (stale, *kept):  # every file old; the next build still uses most of them
        os.utime(path, (path.stat().st_atime - week, path.stat().st_mtime - week))
    pool = Counting()
    pdf_chunks.lay_out(book, fragments, pool, cache)
    assert pool.laid == 0
    assert not stale.exists() and not stale.with_suffix(".json").exists()
    assert len(list((cache / "pdf").glob("*.pdf"))) >= len(pdf_plan.plan(book))
    assert list((cache / "pdf" / "folios").glob("*.pdf")), "the folio sheet was forgotten"
    again = Counting()  # what the build used is still there
    pdf_chunks.lay_out(book, fragments, again, cache)
    assert again.laid == 0


def test_a_short_book_is_one_document_with_counted_folios(tmp_path, monkeypatch):
    monkeypatch.setattr(pdf_plan, "WHOLE_BELOW", 10 ** 9)
    book = _book(tmp_path, "sample")
    assert pdf_plan.plan(book) == [pdf_plan.whole(book)]
    pool = Counting()
    chunked, whole, chunked_map, whole_map = _both(book, tmp_path, pool=pool)
    assert pool.laid == 0  # no chunk job: one whole-book job
    assert chunked_map == whole_map
    assert _pages(chunked) == _pages(whole)
