"""The three editions share one TOC and one preface, on the real and the synthetic book."""

from casebook import check


def test_toc_is_identical_in_every_edition(built):
    expected = check.book_toc(built.book)
    assert len(expected) > 2
    assert check.epub_nav_toc(built.epub) == expected
    assert check.epub_ncx_toc(built.epub) == expected
    assert check.pdf_outline(built.pdf) == expected
    assert check.pdf_printed_toc(built.pdf, built.book) == expected
    assert check.html_index_toc(built.html / "index.html") == expected


def test_preface_text_is_identical_in_every_edition(built):
    preface = built.book.preface()
    epub = check.normalise(check.epub_document_text(built.epub, preface.id))
    pdf = check.normalise(check.pdf_document_text(built.pdf, built.book, preface.id))
    html = check.normalise(check.html_document_text(
        built.html / "front" / f"{preface.source.stem}.html", preface.id))
    assert len(epub) > 100
    assert epub == pdf == html


def test_pending_cases_follow_the_mode(built):
    pending = [c for c in built.book.cases() if c.pending]
    titles = {title for _, title in check.book_toc(built.book)}
    if built.book.draft:
        assert pending, "a draft build includes the pending cases"
        assert all(check.squeeze(c.title) in titles for c in pending)
        assert "稿件待补" in check.pdf_text(built.pdf, 1, 10_000)
    else:
        assert not pending and built.book.pending_omitted > 0
        assert "稿件待补" not in check.pdf_text(built.pdf, 1, 10_000)
