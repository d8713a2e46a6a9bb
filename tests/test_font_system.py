"""The declared font system: Latin in a Latin face, every role's stack checked before layout at the
character's true line, invisible format characters kept and never reported, book.yaml overrides."""

from __future__ import annotations

import pdfplumber
import pytest
from bookfactory import (BODY_LINE, CASE, build_book, build_case, case_book, long_case_book,
                         make_book)
from conftest import cli

from casebook import model
from casebook.errors import SourceError
from casebook.render import fonts, fontstack
from casebook.source import loader as source

NAMES = "Łukasz Kowalski、Gül İnce、Mirosław Ćwikła、Šimon Žák、ğ ć ž Ś č ı"
SYNTHETIC = "（合成测试文本）"
# U+200B, ZWNJ, ZWJ, the soft hyphen, the word joiner, LRM, a BOM inside the text, VS16
FORMAT_CHARS = "\u200b\u200c\u200d\u00ad\u2060\u200e\ufeff\ufe0f"


def _load(root):
    return source.load(root).select(False)


def test_latin_extended_superscripts_symbols_and_greek_are_covered(tmp_path):
    body = f"{SYNTHETIC}作者 {NAMES}，x⁵ 与 y⁶ 的写法 ✗ 不可取，ϕ 与 φ 是希腊字母。\n"
    fonts.check_glyphs(_load(case_book(tmp_path, "甲", body)))


def test_a_missing_glyph_is_found_at_its_true_line_far_down_a_long_body(tmp_path):
    root, line = long_case_book(tmp_path, 900, 818, "合成正文里有一个私用区字符\ue000，没有字体有它。",
                                filler="合成正文第{i}行，Latin text {i}。")
    result = cli("check", "--book", root)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert f"{CASE}:{line}:" in result.stderr, result.stderr
    assert "U+E000" in result.stderr and "fallbacks" in result.stderr


def test_format_characters_are_kept_and_never_missing_glyphs(tmp_path):
    body = (f"{SYNTHETIC}零宽\u200b空格、Ka\u200cn、a\u200db、soft\u00adhyphen、word\u2060joiner、"
            f"\u200e左右、中\ufeff间、✔\ufe0f。\n")
    root = case_book(tmp_path, "甲", body)
    book = _load(root)
    fonts.check_glyphs(book)  # nothing reported
    assert all(fonts.invisible(c) for c in FORMAT_CHARS)
    assert not fonts.invisible("\u3000") and not fonts.invisible("ł")
    from casebook.render.fragments import render_all
    html = render_all(book)[book.parts[0].cases[0].id]
    assert "\u200b" in html and "\u00ad" in html and "\u200d" in html  # kept for the text
    # the print PDF draws them with the declared faces only (write() checks what it embeds)
    assert fonts.check_embedded(build_book(root, editions=("pdf",))["pdf"])


def test_the_build_stops_before_layout_for_what_check_knows(tmp_path):
    body = "合成正文。\n\n第二段有\ue001这个字符。\n"
    root = case_book(tmp_path, "甲", body)
    result = cli("pdf", "--book", root, "--out", tmp_path / "out")
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert f"{CASE}:{BODY_LINE + 2}:" in result.stderr and "U+E001" in result.stderr
    assert "Step 2/4" not in result.stderr + result.stdout  # not even pandoc ran
    assert "Laying out" not in result.stderr + result.stdout


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("latin")
    body = (f"{SYNTHETIC}作者 {NAMES} 的“引号”与——破折号，x⁵ ✗ ϕ。\n\n"
            "```python\ndef f(x):  # 注释 Łódź\n    return x\n```\n")
    pdf = build_case(tmp, "Kowalski 的模型", body, editions=("pdf",))["pdf"]  # checks its fonts
    with pdfplumber.open(pdf) as doc:
        chars = [c for page in doc.pages for c in page.chars]
    return chars


def _font(chars, text: str) -> set[str]:
    return {c["fontname"].split("+", 1)[-1] for c in chars if text in c["text"]}  # —— is one glyph


def test_latin_is_set_in_the_latin_face_and_chinese_punctuation_in_the_cjk_face(printed):
    assert _font(printed, "Ł") >= {"casebook-serif-latin"}  # the body
    assert _font(printed, "ć") == {"casebook-serif-latin"}
    assert _font(printed, "⁵") == {"casebook-serif-latin"}
    assert "Noto-Sans-CJK-SC-Bold" in _font(printed, "模")  # the heading (the TOC: serif)
    assert "casebook-sans-latin-Bold" in _font(printed, "K")
    assert _font(printed, "“") == {"Noto-Serif-CJK-SC"}  # full-width, not the Latin quote
    assert _font(printed, "—") == {"Noto-Serif-CJK-SC"}
    assert _font(printed, "✗") == {"DejaVu-Sans"}  # a declared fallback
    assert "casebook-mono-latin" in _font(printed, "x")  # f(x), return x
    assert "casebook-mono-latin-Bold" in _font(printed, "d")  # def: a keyword, bold
    assert _font(printed, "注") == {"Noto-Sans-Mono-CJK-SC-Oblique"}  # the code's comment


def test_book_yaml_overrides_a_role_and_the_fallbacks(tmp_path):
    extra = ('fonts:\n  serif: {latin: "DejaVu Serif"}\n'
             '  fallbacks: ["DejaVu Sans", "Noto Sans Symbols2"]\n')
    root = make_book(tmp_path, yaml_extra=extra)
    spec = _load(root).meta.fonts
    assert spec.serif == model.FontRole("DejaVu Serif", "Noto Serif CJK SC")
    assert spec.sans == model.FontSpec().sans and spec.fallbacks[-1] == "Noto Sans Symbols2"
    faces = fontstack.latin_faces("DejaVu Serif", "serif")
    assert faces[0].ps_name == "DejaVuSerif"
    from casebook.editions.pdf import document
    css = "".join(document.stylesheet_texts(_load(root)))
    assert 'local("DejaVuSerif")' in css


def test_a_bad_fonts_entry_is_an_error_at_its_line(tmp_path):
    root = make_book(tmp_path, yaml_extra="fonts:\n  serif: {latn: Noto Serif}\n")
    with pytest.raises(SourceError, match="did you mean 'latin'") as error:
        _load(root)
    assert "book.yaml:" in str(error.value)


def test_a_declared_family_that_is_not_installed_names_itself(tmp_path):
    root = make_book(tmp_path, yaml_extra='fonts:\n  fallbacks: ["No Such Font Sans"]\n')
    result = cli("check", "--book", root)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "No Such Font Sans" in result.stderr and "not installed" in result.stderr


def test_a_cover_text_the_cover_font_lacks_is_found_before_layout(tmp_path):
    root = make_book(tmp_path, yaml_extra="cover: {blurb: 合成的封底文字 ☐ 在这里}\n")
    assert ord("☐") not in fonts.coverage(fonts.KAI)  # the cover sets its blurb in 楷体 alone
    result = cli("pdf", "--book", root, "--out", tmp_path / "out")
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "book.yaml" in result.stderr and "LXGW WenKai lacks: ☐" in result.stderr
    assert "Step 2/4" not in result.stderr + result.stdout
