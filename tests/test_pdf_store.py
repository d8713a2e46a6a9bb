"""The chunk cache: a chunk read back is the chunk that was kept, down to its glyphs."""

from __future__ import annotations

from bookfactory import sample_copy

from casebook.editions.pdf.store import Laid, Store
from casebook.source import loader as source


def _book(tmp_path):
    return source.load(sample_copy(tmp_path / "sample")).select(False)


def _laid() -> Laid:
    return Laid(b"%PDF-1.7 a chunk", (("case-a", "case-a--b1"), ()), (True, False),
                frozenset({b"H1-3", b"\xe8\xa1\xa8"}),
                (("Noto|/FontFile3", "ab" * 32, 2, "NotoSerifCJKsc-Regular", 25_000_000,
                  (0, 17, 4242), False),))


def test_a_kept_chunk_is_read_back_whole_by_the_next_build(tmp_path):
    book = _book(tmp_path)
    Store(book, tmp_path / "cache").put("<html>chunk</html>", _laid())
    again = Store(book, tmp_path / "cache")  # a new build: nothing in memory
    assert again.get("<html>chunk</html>") == _laid()
    assert again.get("<html>another chunk</html>") is None


def test_a_damaged_record_is_a_miss_not_an_error(tmp_path):
    book = _book(tmp_path)
    Store(book, tmp_path / "cache").put("<html>chunk</html>", _laid())
    for record in (tmp_path / "cache" / "pdf").glob("*.json"):
        record.write_text('{"anchors": []}')  # a record an older casebook wrote
    assert Store(book, tmp_path / "cache").get("<html>chunk</html>") is None
