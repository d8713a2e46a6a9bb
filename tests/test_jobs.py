"""The lean schedule of a long book writes the same editions as the fast one, in order; the
EPUB job waits for the HTML job's cover, unless an earlier build kept it."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from bookfactory import sample_copy
from conftest import DATA

from casebook.build import jobs
from casebook.build.pipeline import Options, build
from casebook.editions.pdf import plan as pdf_plan
from casebook.source import loader as source


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file() and not p.name.startswith(".")}


@pytest.mark.slow
def test_a_lean_build_writes_the_same_editions_with_the_workers_done_first(
        tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    monkeypatch.setattr(pdf_plan, "WHOLE_BELOW", 0)  # chunked, as a long book is
    book = sample_copy(tmp_path / "sample")
    assert not jobs.lean(source.load(book).select(False))
    fast = build(Options(book_dir=book, out_dir=tmp_path / "fast", cache=False))
    monkeypatch.setattr(jobs, "LEAN_ABOVE", 0)
    held = _held_by_the_build(monkeypatch)
    with caplog.at_level(logging.INFO, logger="casebook"):
        lean = build(Options(book_dir=book, out_dir=tmp_path / "lean", cache=False))
    assert held == {"merge": [], "index": []}, "kept after the layout was done"
    messages = [r.getMessage() for r in caplog.records]
    done = next(i for i, m in enumerate(messages) if m.startswith("Long book: the workers"))
    merging = next(i for i, m in enumerate(messages) if m.startswith("Merging"))
    indexed = next(i for i, m in enumerate(messages) if m.startswith("Search index"))
    assert done < merging < indexed, "the pool must be closed before the merge, then Pagefind"
    assert set(lean) == set(fast) == {"pdf", "epub", "html", "cover"}
    for name in ("pdf", "epub", "cover"):
        assert lean[name].read_bytes() == fast[name].read_bytes(), name
    screen = "sample-screen.pdf"
    assert (lean["pdf"].parent / screen).read_bytes() == (fast["pdf"].parent / screen).read_bytes()
    ours, theirs = _files(lean["html"].parent), _files(fast["html"].parent)
    assert any(name.startswith("pagefind/") for name in ours), "no search index"
    assert ours == theirs


def _held_by_the_build(monkeypatch) -> dict[str, list[str]]:
    """What this process still holds, of what only the layout needs, when the lean build
    merges the PDF and when Pagefind starts (its memory adds to the build's)."""
    import weakref

    from casebook.editions.html import search
    from casebook.editions.pdf import chunks, document
    from casebook.render import fonts, fontstack
    from casebook.render import fragments as render
    held: dict[str, list[str]] = {}
    made: list = []

    def check(when: str) -> None:
        caches = {"stylesheets": len(document._PARSED),
                  "code points": sum(cached.cache_info().currsize for cached in (
                      fonts.coverage, fontstack.cmap, fontstack.coverage, fontstack.drawable)),
                  "fragments": sum(ref() is not None for ref in made) if when == "index" else 0}
        held[when] = [name for name, count in caches.items() if count]

    def spy(module, name: str, when: str) -> None:
        real = getattr(module, name)
        monkeypatch.setattr(module, name, lambda *a, **k: check(when) or real(*a, **k))

    def render_all(*args):
        fragments = real_render(*args)
        made.append(weakref.ref(fragments))
        return fragments
    real_render = render.render_all
    monkeypatch.setattr(render, "render_all", render_all)
    spy(chunks, "_merge", "merge")
    spy(search, "build_index", "index")
    return held


def test_the_epub_waits_for_the_html_jobs_cover_without_blocking_the_build():
    from concurrent.futures import Future, ThreadPoolExecutor
    html: Future = Future()
    with ThreadPoolExecutor(1) as pool:
        epub = jobs._after(html, lambda cover: pool.submit(
            lambda: (f"epub with pages and {cover}", None)))
        assert not epub.done(), "the EPUB started before the HTML job had its cover"
        html.set_result(("html", "the cover"))
        assert epub.result(timeout=10) == ("epub with pages and the cover", None)


def test_a_failed_html_job_fails_the_epub_job_it_feeds():
    from concurrent.futures import Future
    html: Future = Future()
    epub = jobs._after(html, lambda cover: pytest.fail("must not be submitted"))
    html.set_exception(OSError("synthetic: Pagefind failed"))
    with pytest.raises(OSError, match="Pagefind failed"):
        epub.result(timeout=10)


def test_with_a_kept_cover_the_epub_does_not_wait_for_the_html_job(monkeypatch):
    """The HTML job hands the screen cover on only when done (Pagefind included); a cover an
    earlier build kept is the same, so the EPUB takes that and starts at once."""
    from concurrent.futures import Future

    from casebook import editions
    run = jobs.Jobs.__new__(jobs.Jobs)
    run.book, run.cache_dir, run.lean, run.cover_from = None, Path("cache"), False, "html"
    html: Future = Future()
    run.jobs = {"html": html}
    submitted = []
    monkeypatch.setattr(run, "_job", lambda entry, pagemap, cover: submitted.append(cover)
                        or Future(), raising=False)
    monkeypatch.setattr(jobs, "kept_cover", lambda book, cache_dir: "the kept cover")
    run._submit(editions.edition("epub"), "pages")
    assert submitted == ["the kept cover"] and not html.done()
    monkeypatch.setattr(jobs, "kept_cover", lambda book, cache_dir: None)
    run._submit(editions.edition("epub"), "pages")
    assert submitted == ["the kept cover"], "without a kept cover the EPUB must wait"
    html.set_result(("html", "the rendered cover"))
    assert submitted == ["the kept cover", "the rendered cover"]


def test_the_kept_screen_cover_is_none_until_a_build_kept_it_then_the_same(tmp_path,
                                                                          monkeypatch):
    from casebook.editions.cover import screen
    monkeypatch.setattr(screen, "_made", {})  # nothing rendered in this process yet
    book = source.load(DATA / "sample").select(False)
    assert screen.kept(book.meta, book.root, tmp_path) is None
    assert screen.kept(book.meta, book.root, None) is None
    made = screen.make(book.meta, book.root, tmp_path)
    screen._made.clear()  # as in another process
    assert screen.kept(book.meta, book.root, tmp_path).data == made.data


def test_a_done_layout_gives_back_its_stylesheets_however_small_the_process(monkeypatch):
    """Before a lean build's merge and its Pagefind, the build drops what only the layout
    needed (the stylesheets, the fonts' code points): under GIVE_BACK_ABOVE a process keeps
    its memory, unless its layout is done."""
    from casebook.editions.pdf import document
    from casebook.render import fontstack
    book = source.load(DATA / "sample").select(False)
    monkeypatch.setattr(document, "GIVE_BACK_ABOVE", 1 << 40)  # this process is "small"
    document.parsed(book)
    document.give_back_memory()
    assert document._PARSED, "a small process kept its stylesheets"
    fontstack.drawable(book.meta.fonts)
    document.give_back_memory()
    assert fontstack.cmap.cache_info().currsize, "a small process kept the fonts' code points"
    document.give_back_memory(done=True)
    assert not document._PARSED
    assert not fontstack.cmap.cache_info().currsize + fontstack.drawable.cache_info().currsize
