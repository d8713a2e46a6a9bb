"""A real reading engine: calibre's ebook-convert reads every case and the preface, in order."""

import pytest
import readback

from casebook import check

pytestmark = pytest.mark.slow  # the real book, converted by calibre


@pytest.fixture(scope="module")
def calibre(builds, tmp_path_factory):
    """The real book in draft mode (every case title) as calibre's plain text."""
    built = builds("real", True)
    return built, readback.calibre_text(built.epub, tmp_path_factory.mktemp("calibre"))


def _opening(epub, doc_id, chars=24):
    """How a document starts in the EPUB: its title, then its unit, notice or first words."""
    return check.normalise(check.epub_document_text(epub, doc_id))[:chars]


def test_calibre_reads_the_preface_then_every_case_in_order(calibre):
    built, text = calibre
    text = check.normalise(text)
    preface = built.book.preface()
    position = text.find(check.normalise(check.epub_document_text(built.epub, preface.id)))
    assert position >= 0, "calibre's text lacks the preface"
    cases = list(built.book.cases())
    assert len(cases) == 110
    for case in cases:
        opening = _opening(built.epub, case.id)
        assert opening.startswith(check.normalise(case.title))
        found = text.find(opening, position + 1)
        assert found > position, f"{case.title} missing or out of order in calibre's text"
        position = found
