"""The glyph check: a character set found covered is not looked up again; a new one is."""

from __future__ import annotations

import pytest

from bookfactory import make_book, md
from casebook import fonts, source
from casebook.errors import SourceError


def _book(tmp_path, body):
    root = make_book(tmp_path, {"source/cases/01/001-a.md": md("甲", body)})
    return source.load(root).select(False)


def test_a_covered_character_set_is_remembered_and_an_uncovered_one_is_still_an_error(
        tmp_path, monkeypatch):
    checks = []
    real = fonts._check_glyphs
    monkeypatch.setattr(fonts, "_check_glyphs", lambda texts: checks.append(1) or real(texts))
    cache = tmp_path / "cache"
    book = _book(tmp_path / "one", "合成正文，字都在字体里。")
    fonts.check_glyphs(book, cache)
    fonts.check_glyphs(book, cache)
    assert len(checks) == 1, "the same characters were looked up in the font again"
    fonts.check_glyphs(book)
    assert len(checks) == 2, "without a cache every check looks the characters up"
    bad = _book(tmp_path / "two", "合成正文\ue000。")  # a private-use code point: no glyph
    with pytest.raises(SourceError, match="U\\+E000"):
        fonts.check_glyphs(bad, cache)
    with pytest.raises(SourceError, match="U\\+E000"):
        fonts.check_glyphs(bad, cache)
    assert len(checks) == 4
