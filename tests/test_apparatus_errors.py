"""The apparatus's errors and rules: unknown cross-references, missing alt text, index entries, note marks."""

from __future__ import annotations

import logging
import re

import pytest
from bookfactory import make_book, md, yaml_line
from PIL import Image

from casebook.check.book import check_book
from casebook.errors import CasebookError, SourceError
from casebook.render import fragments as render
from casebook.render import indexes, notes, xref
from casebook.source import loader as source

XREF_BODY = "第一段（合成）。\n\n第二段见[见本书“乙”](case:999-missing)。\n"


def _png(path):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (40, 20), (200, 200, 200)).save(path)


def _errors(book_dir) -> list[str]:
    return [str(e) for e in check_book(book_dir)]


def test_unknown_cross_reference_is_an_error_at_its_line(tmp_path):
    book = make_book(tmp_path, {"source/cases/01/001-a.md": md("甲", XREF_BODY)})
    with pytest.raises(SourceError) as caught:
        render.render_all(source.load(book))
    error = caught.value
    assert error.path.name == "001-a.md" and error.line == 7  # 4 lines of front matter, 2 blank
    assert "case:999-missing" in error.message and "001-a" in error.message


def test_known_cross_reference_resolves_and_empty_text_takes_the_title(tmp_path):
    cases = {"source/cases/01/001-a.md": md("甲", "见[](case:002-b)。\n"),
             "source/cases/01/002-b.md": md("乙之案例", "正文（合成）。\n")}
    html = render.render_all(source.load(make_book(tmp_path, cases)))["case-001-a"]
    assert '<a class="xref" href="#case-002-b">“乙之案例<span class="halt">”</span></a>' in html


ANCHORED = {
    "source/cases/01/001-a.md": md("甲", "第一段（合成）。\n\n见[乙之第二节](case:002-b#sec_two)，"
                                         "[乙之锚](case:002-b#top)，[缺](case:002-b#nowhere)。\n"),
    "source/cases/01/002-b.md": md("乙之案例", '<a id="top"></a>\n\n正文（合成）。\n\n'
                                           "## 第二节 {#sec_two}\n\n正文（合成）。\n"),
}


def test_cross_reference_to_an_anchor_of_another_case_resolves(tmp_path):
    # case:<stem>#<anchor>: a heading's {#id} or a raw <a id>, both prefixed like pandoc's
    cases = dict(ANCHORED)
    cases["source/cases/01/001-a.md"] = md("甲", "见[乙之第二节](case:002-b#sec_two)，"
                                                "[](case:002-b#top)。\n")
    html = render.render_all(source.load(make_book(tmp_path, cases)))["case-001-a"]
    assert '<a class="xref" href="#case-002-b--sec_two">乙之第二节</a>' in html
    assert '<a class="xref" href="#case-002-b--top">“乙之案例<span class="halt">”</span></a>' in html
    # the EPUB and HTML editions point it at the other case's file, anchor kept
    local = xref.localise(html, "case-001-a", {"case-001-a": "001-a.xhtml",
                                               "case-002-b": "002-b.xhtml"})
    assert 'href="002-b.xhtml#case-002-b--sec_two"' in local
    assert 'href="002-b.xhtml#case-002-b--top"' in local


def test_cross_reference_to_a_missing_anchor_is_an_error_at_its_line(tmp_path):
    with pytest.raises(SourceError) as caught:
        render.render_all(source.load(make_book(tmp_path, ANCHORED)))
    error = caught.value
    assert error.path.name == "001-a.md" and error.line == 7
    assert "'case:002-b#nowhere' names no anchor of 002-b" in error.message


def test_missing_alt_text_is_a_check_and_build_warning(tmp_path, caplog):
    # a warning with its line (a draft builds); verify fails on it (test_md_compat)
    body = "正文（合成）。\n\n![](../../img/a.png)\n\n![有说明的图](../../img/a.png)\n"
    book = make_book(tmp_path, {"source/cases/01/001-a.md": md("甲", body)})
    _png(book / "source" / "img" / "a.png")
    with caplog.at_level(logging.WARNING):
        assert _errors(book) == []
        html = render.render_all(source.load(book))["case-001-a"]
    warned = [r.getMessage() for r in caplog.records]
    # the editions stay valid HTML (vnu wants an alt attribute): an empty one, the warning kept
    assert '<img alt="" src="source/img/a.png"' in html
    # alone in its paragraph but no figure (no caption): set without the first-line indent
    assert re.search(r'<p id="[^"]+" class="image-alone"><img alt="" src="source/img/a.png">', html)
    assert 'alt="有说明的图"' in html
    caplog.clear()
    assert len(warned) == 2 and warned[0] == warned[1]
    assert warned[0].endswith("001-a.md:7: image 'a.png' has no alt text; write what it "
                              "shows between the brackets, ![说明](a.png)")


def test_index_entries_in_back_are_checked(tmp_path):
    book = make_book(tmp_path, yaml_extra="back:\n  - index: people\n  - index: topics\n"
                                          "  - index: topics\n  - {title: 无}\n")
    with pytest.raises(CasebookError) as caught:
        source.load(book)
    text = str(caught.value)
    assert f":{yaml_line(book, 'index: people')}: 'index' must be one of: contributors, topics" in text
    assert "the topics index is listed twice" in text
    assert "'index' is missing from an index entry" in text


def test_index_documents_join_the_toc_with_their_titles(tmp_path):
    book = make_book(tmp_path, yaml_extra="back:\n  - index: contributors\n    title: 供稿单位一览\n")
    loaded = source.load(book)
    assert [(e.title, e.target) for e in loaded.toc()][-1] == ("供稿单位一览",
                                                               "back-index-contributors")


def test_empty_contributors_index_warns(tmp_path, caplog):
    book = make_book(tmp_path, yaml_extra="back:\n  - index: contributors\n")
    with caplog.at_level(logging.WARNING):
        html = render.render_all(source.load(book))["back-index-contributors"]
    assert "index-empty" in html and "no case has a 'unit'" in caplog.text
    caplog.clear()  # the warning was the point


def test_units_and_terms_sort_by_pinyin():
    words = ["中山", "长沙", "北京", "安徽", "楼宇", "流动"]
    assert sorted(words, key=indexes.sort_key) == ["安徽", "北京", "长沙", "流动", "楼宇", "中山"]
    assert indexes.initial("长沙") == "C" and indexes.initial("2024年") == "#"


def test_nested_spans_inside_a_term_are_kept_whole():
    html = ('<p><span class="index" id="d--ix1">“楼宇<span class="halt">”</span>党建</span>'
            '与<span class="index" id="d--ix2">网格</span></p>')
    assert indexes.terms_in(html) == [("d--ix1", "“楼宇”党建"), ("d--ix2", "网格")]


def test_circled_numbers():
    assert [notes.circled(n) for n in (1, 10, 20, 21, 35, 36, 50, 51)] == [
        "①", "⑩", "⑳", "㉑", "㉟", "㊱", "㊿", "(51)"]


def test_print_notes_move_to_their_call_with_every_paragraph():
    html = ('<p id="d--b1">正文<a href="#d--fn1" class="footnote-ref" id="d--fnref1" '
            'role="doc-noteref"><sup>1</sup></a>，续。</p>\n'
            '<section id="d--footnotes" class="footnotes" role="doc-endnotes">\n<hr>\n<ol>\n'
            '<li id="d--fn1"><p id="d--b2">第一段<em>强调</em>。</p>\n<p id="d--b3">第二段。'
            '<a href="#d--fnref1" class="footnote-back" role="doc-backlink">↩︎</a></p></li>\n'
            '</ol>\n</section>\n')
    printed = notes.for_print(notes.mark(html))
    assert printed.startswith('<p id="d--b1">正文<span class="footnote" data-mark="①">第一段'
                              '<em>强调</em>。<br>第二段。</span>，续。</p>')
    assert "footnotes" not in printed and "↩" not in printed


def test_lint_reads_the_sources_not_book_yaml_for_generated_indexes():
    from conftest import DATA

    from casebook.authoring import lint
    report = lint.lint_book(DATA / "apparatus")
    assert report.files == 6 and report.findings == []  # preface, 4 cases, afterword


def test_print_notes_keep_the_text_of_lists_inside_a_note():
    html = ('<p>正文<a href="#d--fn1" class="footnote-ref" id="d--fnref1" role="doc-noteref">'
            '<sup>1</sup></a>。</p>\n<section class="footnotes" role="doc-endnotes"><hr><ol>'
            '<li id="d--fn1"><p>甲</p><ul><li>一 &amp; 二</li><li>三</li></ul>'
            '<p>乙<a href="#d--fnref1" class="footnote-back" role="doc-backlink">↩︎</a></p></li>'
            '</ol></section>')
    assert notes.for_print(notes.mark(html)) == (
        '<p>正文<span class="footnote" data-mark="①">甲<br>一 &amp; 二；三<br>乙</span>。</p>\n')
