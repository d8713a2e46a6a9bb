"""The glyph check: a character set found covered is not looked up again; a new one is."""

from __future__ import annotations

import json

import pytest
from bookfactory import make_book, md

from casebook import model
from casebook.errors import SourceError
from casebook.render import fonts, fontstack
from casebook.source import loader as source


def _book(tmp_path, body):
    root = make_book(tmp_path, {"source/cases/01/001-a.md": md("甲", body)})
    return source.load(root).select(False)


def test_a_covered_character_set_is_remembered_and_an_uncovered_one_is_still_an_error(
        tmp_path, monkeypatch):
    checks = []
    real = fonts._check_glyphs
    monkeypatch.setattr(fonts, "_check_glyphs",
                        lambda texts, covered, spec: checks.append(1) or real(texts, covered,
                                                                             spec))
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


def test_the_kept_coverage_is_the_fonts_and_is_read_again_for_another_file(tmp_path):
    spec = model.FontSpec()
    kept = fonts._kept_coverage(spec, tmp_path)
    assert kept == fontstack.drawable(spec) and ord("党") in kept and 0xE000 not in kept
    assert ord("ł") in kept and ord("✗") in kept  # the Latin faces and the fallbacks count
    record = json.loads((tmp_path / fonts.COVERAGE_KEPT).read_text(encoding="utf-8"))
    record["ranges"] = [[0x41, 0x42]]  # what the file says is what is used
    (tmp_path / fonts.COVERAGE_KEPT).write_text(json.dumps(record), encoding="utf-8")
    assert fonts._kept_coverage(spec, tmp_path) == {0x41, 0x42}
    record["fonts"][1][2] -= 1  # a record for another version of a font file: read the fonts
    (tmp_path / fonts.COVERAGE_KEPT).write_text(json.dumps(record), encoding="utf-8")
    assert fonts._kept_coverage(spec, tmp_path) == kept


def test_every_font_is_checked_once_even_when_pages_share_it(tmp_path):
    import pikepdf

    from casebook.errors import CheckError
    pdf = pikepdf.new()
    shared = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font,
                                                  BaseFont=pikepdf.Name("/Helvetica")))
    direct = [pikepdf.Dictionary(Type=pikepdf.Name.Font, BaseFont=pikepdf.Name(name))
              for name in ("/Times-Roman", "/Courier")]
    for fonts_of_page in ([shared], [shared, *direct]):  # page 2 adds fonts of its own
        pdf.add_blank_page()
        pdf.pages[-1].obj.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(
            {f"/F{i}": font for i, font in enumerate(fonts_of_page)}))
    pdf.save(tmp_path / "shared.pdf")
    with pytest.raises(CheckError) as error:
        fonts.check_embedded(tmp_path / "shared.pdf")
    assert all(f"'{name}'" in str(error.value) for name in ("Helvetica", "Times-Roman", "Courier"))
