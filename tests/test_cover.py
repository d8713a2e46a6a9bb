"""The screen cover is kept between builds, and rendered again when anything it shows changes."""

from __future__ import annotations

import pytest
from bookfactory import make_book

from casebook.editions.cover import edition as cover_pdf
from casebook.editions.cover import screen as cover
from casebook.render.fragments import TEMPLATES_DIR
from casebook.source import loader as source


@pytest.fixture
def renders(monkeypatch, tmp_path):
    """The covers rendered (not taken from the cache) from here on, in a cache of our own."""
    made: list = []
    real = cover._make
    monkeypatch.setattr(cover, "_make", lambda *args: made.append(args) or real(*args))
    cover_pdf.keep_in(tmp_path / "cache")
    yield made
    cover_pdf.keep_in(None)


def _make(root):
    cover._made.clear()  # what a new build's worker starts with
    book = source.load(root)
    return cover.make(book.meta, book.root)


def test_a_kept_cover_is_taken_while_its_inputs_are_unchanged(tmp_path, renders):
    root = make_book(tmp_path, yaml_extra="subtitle: 合成副题\n")
    first = _make(root)
    kept = list((tmp_path / "cache" / "cover").glob("*.png"))
    assert [p.read_bytes() for p in kept] == [first.data]
    assert _make(root) == first
    assert len(renders) == 1, "the second build rendered the cover again"


def test_an_edit_to_book_yaml_or_the_books_templates_renders_a_new_cover(tmp_path, renders):
    root = make_book(tmp_path, yaml_extra="subtitle: 合成副题\n")
    first = _make(root)
    text = (root / "book.yaml").read_text(encoding="utf-8")
    (root / "book.yaml").write_text(text.replace("合成副题", "另一副题"), encoding="utf-8")
    retitled = _make(root)
    assert len(renders) == 2 and retitled.data != first.data
    screen = (TEMPLATES_DIR / "cover" / "screen.html.j2").read_text(encoding="utf-8")
    assert "</body>" in screen
    own = root / "templates" / "cover" / "screen.html.j2"
    own.parent.mkdir(parents=True)
    own.write_text(screen.replace("</body>", "<p>合成附言</p></body>"), encoding="utf-8")
    restyled = _make(root)
    assert len(renders) == 3 and restyled.data != retitled.data


def test_without_a_cache_every_build_renders_the_cover(tmp_path, renders):
    cover_pdf.keep_in(None)
    root = make_book(tmp_path)
    assert _make(root) == _make(root)
    assert len(renders) == 2
    assert not (tmp_path / "cache").exists()
