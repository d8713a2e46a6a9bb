"""The screen cover is kept between builds, and rendered again when anything it shows changes."""

from __future__ import annotations

import pytest
from bookfactory import make_book

from casebook.editions.cover import edition as cover_pdf
from casebook.editions.cover import screen as cover
from casebook.render.templates import TEMPLATES_DIR
from casebook.source import loader as source


@pytest.fixture
def renders(monkeypatch):
    """The covers rendered (not taken from a cache) from here on."""
    made: list = []
    real = cover._make
    monkeypatch.setattr(cover, "_make", lambda *args: made.append(args) or real(*args))
    return made


def _make(root, cache_dir=None, fresh_process=True):
    if fresh_process:
        cover._made.clear()  # what a new build's worker starts with
    book = source.load(root)
    return cover.make(book.meta, book.root, cache_dir)


def test_a_kept_cover_is_taken_while_its_inputs_are_unchanged(tmp_path, renders):
    root = make_book(tmp_path, yaml_extra="subtitle: 合成副题\n")
    first = _make(root, tmp_path / "cache")
    kept = list((tmp_path / "cache" / "cover").glob("*.png"))
    assert [p.read_bytes() for p in kept] == [first.data]
    assert _make(root, tmp_path / "cache") == first
    assert len(renders) == 1, "the second build rendered the cover again"


def test_an_edit_to_book_yaml_or_the_books_templates_renders_a_new_cover(tmp_path, renders):
    root = make_book(tmp_path, yaml_extra="subtitle: 合成副题\n")
    first = _make(root, tmp_path / "cache")
    text = (root / "book.yaml").read_text(encoding="utf-8")
    (root / "book.yaml").write_text(text.replace("合成副题", "另一副题"), encoding="utf-8")
    retitled = _make(root, tmp_path / "cache")
    assert len(renders) == 2 and retitled.data != first.data
    screen = (TEMPLATES_DIR / "cover" / "screen.html.j2").read_text(encoding="utf-8")
    assert "</body>" in screen
    own = root / "templates" / "cover" / "screen.html.j2"
    own.parent.mkdir(parents=True)
    own.write_text(screen.replace("</body>", "<p>合成附言</p></body>"), encoding="utf-8")
    restyled = _make(root, tmp_path / "cache")
    assert len(renders) == 3 and restyled.data != retitled.data


def test_without_a_cache_every_build_renders_the_cover(tmp_path, renders):
    root = make_book(tmp_path)
    assert _make(root) == _make(root)
    assert len(renders) == 2
    assert not (tmp_path / "cache").exists()


def test_one_process_renders_again_after_an_edit_to_the_books_templates(tmp_path, renders):
    """A long-lived process (`serve`) keeps covers by their inputs, not by the book."""
    root = make_book(tmp_path)
    first = _make(root)
    assert _make(root, fresh_process=False) is first and len(renders) == 1
    own = root / "templates" / "cover" / "screen.html.j2"
    own.parent.mkdir(parents=True)
    screen = (TEMPLATES_DIR / "cover" / "screen.html.j2").read_text(encoding="utf-8")
    own.write_text(screen.replace("</body>", "<p>合成附言</p></body>"), encoding="utf-8")
    assert _make(root, fresh_process=False).data != first.data
    assert len(renders) == 2


def test_a_build_without_a_cache_writes_none_after_one_with_a_cache(tmp_path, renders):
    """Where covers are kept is an argument of each call, not a state the last build left."""
    root = make_book(tmp_path)
    _make(root, tmp_path / "cache")
    (tmp_path / "other").mkdir()
    cover_pdf.write(source.load(root).select(False), tmp_path / "other", 40)
    assert [p.suffix for p in (tmp_path / "cache" / "cover").iterdir()] == [".png"]
