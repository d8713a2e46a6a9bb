"""The glyph check: a character set found covered is not looked up again; a new one is."""

from __future__ import annotations

import dataclasses
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
    read = fonts._kept_coverage(spec, tmp_path)
    assert set(read) == {0x41, 0x42} and 0x40 not in read and 0x43 not in read
    record["fonts"][1][2] -= 1  # a record for another version of a font file: read the fonts
    (tmp_path / fonts.COVERAGE_KEPT).write_text(json.dumps(record), encoding="utf-8")
    assert set(fonts._kept_coverage(spec, tmp_path)) == set(kept)


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


def test_the_cover_checks_its_faces_against_kept_coverage_and_still_finds_a_missing_glyph(
        tmp_path, monkeypatch):
    """The print cover checks its texts on every build: with a cache, no face's cmap is read
    again (it cost 0.4 s an edit), and a character a face lacks is still an error."""
    from casebook.editions.cover import design
    meta = _book(tmp_path / "book", "合成正文。").meta
    design.check_glyphs(meta, tmp_path / "cache")
    kept = sorted(p.name for p in (tmp_path / "cache").iterdir())
    assert kept == sorted(["coverage-Noto-Serif-CJK-SC.json", "coverage-LXGW-WenKai.json",
                           "coverage-Noto-Sans-CJK-SC.json"])
    monkeypatch.setattr(fonts, "coverage", lambda family: pytest.fail(f"{family}'s cmap read"))
    design.check_glyphs(meta, tmp_path / "cache")
    bad = dataclasses.replace(meta, publisher=meta.publisher + "\ue000")
    with pytest.raises(SourceError, match="Noto Sans CJK SC lacks: \ue000"):
        design.check_glyphs(bad, tmp_path / "cache")



def test_fontconfig_in_process_answers_as_fc_match_does(tmp_path, monkeypatch):
    """faces asks libfontconfig in the process (fcmatch) instead of one fc-match process per
    face: the answers must be fc-match's, for every declared face, a missing family, and a
    configuration FONTCONFIG_FILE names."""
    import subprocess

    from casebook.render import fcmatch, faces
    assert fcmatch.available()
    fmt = "%{family}\n%{style}\n%{file}\n%{index}"
    patterns = sorted({f"{f.family}:style={f.style}" for f in fontstack.all_latin_faces(
        model.FontSpec())} | set(model.FontSpec().families()) | {"No Such Family"})

    def both(pattern):
        tool = subprocess.run(["fc-match", "-f", fmt, pattern], capture_output=True,
                              text=True, check=True).stdout.split("\n")
        return faces.best_match(pattern), tool
    for pattern in patterns:
        mine, tool = both(pattern)
        assert mine == tool, pattern
    conf = tmp_path / "fonts.conf"
    conf.write_text('<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
                    f"<dir>/usr/share/fonts/truetype/dejavu</dir><cachedir>{tmp_path}</cachedir>"
                    "</fontconfig>")
    monkeypatch.setenv("FONTCONFIG_FILE", str(conf))
    mine, tool = both("Noto Serif")
    assert mine == tool and mine[0].startswith("DejaVu")
