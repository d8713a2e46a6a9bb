"""casebook.source.load: a valid book, select(), and every kind of bad input with path:line."""

from __future__ import annotations

import dataclasses
import logging
import re
import unicodedata
from pathlib import Path

import pytest
from bookfactory import make_book, md, yaml_line
from conftest import ROOT

from casebook import model
from casebook.errors import CasebookError, ErrorList, SourceError
from casebook.source import bodycheck, textfile
from casebook.source import loader as source

A = "source/cases/01/001-a.md"
A_SHOWN = f"book/{A}"  # how casebook shows it: relative to the working directory
YAML_SHOWN = "book/book.yaml"


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch):
    """Run from tmp_path, so reported paths are the short relative 'book/...'."""
    monkeypatch.chdir(tmp_path)


def problems(book_dir: Path) -> list[str]:
    """Load a book that must be bad; return its problems as 'path:line: message' strings."""
    with pytest.raises(CasebookError) as info:
        source.load(book_dir)
    exc = info.value
    assert isinstance(exc, (SourceError, ErrorList)), type(exc)
    lines = str(exc).split("\n")
    if isinstance(exc, ErrorList):
        assert lines == [str(e) for e in exc.errors]
        assert len(lines) >= 2
    return lines


def single(book_dir: Path) -> SourceError:
    """Load a book with exactly one problem; return that SourceError."""
    with pytest.raises(SourceError) as info:
        source.load(book_dir)
    return info.value


def case_book(tmp_path, text, **kw) -> Path:
    """A book whose only case, source/cases/01/001-a.md, has this text (str or bytes)."""
    return make_book(tmp_path, {A: text}, **kw)


# --------------------------------------------------------------------------------------------
# A valid book
# --------------------------------------------------------------------------------------------

FRONT = {
    "source/front/board.md": md("编委会", "主编：某某\n", toc="false", type="contributors"),
    "source/front/preface.md": md("序言", "序言正文。\n", author="徐麟", type="preface",
                                  print_page=1),
}
BACK = {"source/back/afterword.md": md("后记", "后记正文。\n", type="afterword")}
CASES = {
    "source/cases/01/001-alpha.md": md("'  第一个案例  '", "第一段。\n\n## 小标题\n\n第二段。\n",
                                       unit="某某党委", print_page=3),
    "source/cases/01/002-beta.md": md("第二个案例", "正文。\n"),
    "source/cases/02/003-gamma.md": md("第三个案例", "正文。\n", unit="另一单位"),
}


@pytest.fixture
def good_book(tmp_path) -> model.Book:
    root = make_book(tmp_path, CASES, front=FRONT, back=BACK,
                     yaml_extra="subtitle: 副标题\ncreators:\n  - {name: 吴信宝, role: 主编}\n")
    return source.load(root)


def test_valid_book_metadata(good_book, tmp_path):
    meta = good_book.meta
    assert (meta.slug, meta.title, meta.lang, meta.subtitle) == (
        "test-book", "测试之书", "zh-CN", "副标题")
    assert meta.creators == (model.Creator("吴信宝", "主编"),)
    assert meta.editors == "吴信宝　主编"
    assert meta.print == model.PrintSpec()  # no print: block -> defaults
    assert good_book.root == (tmp_path / "book").resolve()
    assert good_book.draft is False and good_book.pending_omitted == 0


def test_valid_book_parts_and_cases(good_book):
    parts = good_book.parts
    assert [(p.id, p.number, p.title) for p in parts] == [
        ("part-1", 1, "第1部分"), ("part-2", 2, "第2部分")]
    assert [[c.id for c in p.cases] for p in parts] == [
        ["case-001-alpha", "case-002-beta"], ["case-003-gamma"]]
    cases = list(good_book.cases())
    assert [c.number for c in cases] == [1, 2, 3]
    assert [c.part_id for c in cases] == ["part-1", "part-1", "part-2"]
    first = cases[0]
    assert first.title == "第一个案例"  # surrounding spaces stripped
    assert first.unit == "某某党委"
    assert first.print_page == 3
    assert cases[1].print_page is None and cases[1].unit == ""
    assert first.status == "" and not first.pending
    assert first.source == Path("book/source/cases/01/001-alpha.md")
    # The body is everything after the closing '---' line; body_line is its first line.
    assert first.body == "\n第一段。\n\n## 小标题\n\n第二段。\n"
    assert first.body_line == 6
    lines = (good_book.root / "source/cases/01/001-alpha.md").read_text().split("\n")
    assert lines[first.body_line] == "第一段。"  # body line 6 is blank, line 7 the text


def test_valid_book_front_and_back_matter(good_book):
    board, preface = good_book.front
    assert (board.id, board.in_toc, board.type, board.section) == (
        "front-board", False, "contributors", "front")
    assert (preface.id, preface.author, preface.type, preface.print_page) == (
        "front-preface", "徐麟", "preface", 1)
    assert preface.toc_title == "序言（徐麟）"
    assert board.toc_title == "编委会"
    (afterword,) = good_book.back
    assert (afterword.id, afterword.section, afterword.in_toc) == ("back-afterword", "back", True)
    assert good_book.preface() is preface


def test_valid_book_toc(good_book):
    toc = [(e.level, e.title, e.target) for e in good_book.toc()]
    assert toc == [
        (1, "序言（徐麟）", "front-preface"),  # the board has toc: false
        (1, "第1部分", "part-1"),
        (2, "第一个案例", "case-001-alpha"),
        (2, "第二个案例", "case-002-beta"),
        (1, "第2部分", "part-2"),
        (2, "第三个案例", "case-003-gamma"),
        (1, "后记", "back-afterword"),
    ]


PREFACE = "source/front/preface.md"


@pytest.mark.parametrize("title", ["序言", "序", "前言", "代序", "'  序言  '"])
def test_a_preface_title_without_a_type_is_the_preface(tmp_path, caplog, title):
    with caplog.at_level(logging.DEBUG, logger="casebook.source"):
        book = source.load(make_book(tmp_path, front={PREFACE: md(title, "序言正文。\n")}))
    (preface,) = book.front
    assert preface.type == "preface" and book.preface() is preface
    shown = title.strip("' ")
    assert f"book/{PREFACE}: titled {shown} without a type: taken as the preface" in [
        r.getMessage() for r in caplog.records if r.levelno == logging.DEBUG]


def test_a_typeless_preface_is_the_same_document_as_a_typed_one(tmp_path):
    """The editions read only the model: equal Matter, equal editions."""
    typed = source.load(make_book(tmp_path / "typed", front={
        PREFACE: md("序言", "序言正文。\n", author="徐麟", type="preface")}))
    typeless = source.load(make_book(tmp_path / "typeless", front={
        PREFACE: md("序言", "序言正文。\n", author="徐麟")}))
    want = dataclasses.replace(typed.front[0], source=typeless.front[0].source,
                               body_line=typeless.front[0].body_line)
    assert typeless.front[0] == want


@pytest.mark.parametrize("title, meta, section", [
    ("序言", {"type": "foreword"}, "front"),   # an explicit type wins
    ("序言", {"type": "other"}, "front"),
    ("序言一", {}, "front"), ("自序", {}, "front"), ("后记", {}, "front"),
    ("序言", {}, "back"),                      # back matter is never the preface
])
def test_other_matter_is_not_taken_as_the_preface(tmp_path, title, meta, section):
    doc = {f"source/{section}/preface.md": md(title, "正文。\n", **meta)}
    book = source.load(make_book(tmp_path, **{section: doc}))
    (matter,) = book.front or book.back
    assert matter.type == meta.get("type", "other") and book.preface() is None


def test_print_spec_parsed(tmp_path):
    extra = "print:\n  trim: 150mm 210mm\n  bleed: 2.5mm\n  margins: 10mm 11mm 12mm 13mm\n"
    book = source.load(make_book(tmp_path, yaml_extra=extra))
    assert book.meta.print == model.PrintSpec(150.0, 210.0, 2.5, (10.0, 11.0, 12.0, 13.0))


def test_real_book_loads():
    book = source.load(ROOT)
    assert [len(p.cases) for p in book.parts] == [19, 12, 19, 15, 16, 5, 11, 8, 5]
    assert [c.number for c in book.cases()] == list(range(1, 111))
    assert book.preface().toc_title == "序言（徐麟）"
    assert book.toc()[0].title == "序言（徐麟）"  # 编委会 has toc: false
    assert len({d.id for d in book.documents()}) == len(list(book.documents()))
    # pending_omitted agrees with a plain count of 'status: pending' front matter lines.
    sources = [ROOT / d.source for d in book.documents()]
    pending = sum(1 for p in sources
                  if re.search(r"^status: pending$", p.read_text().split("\n---")[0], re.M))
    assert book.select(False).pending_omitted == pending


# --------------------------------------------------------------------------------------------
# select(): pending documents and empty parts
# --------------------------------------------------------------------------------------------

PENDING_CASES = {
    "source/cases/01/001-done.md": md("已完成"),
    "source/cases/01/002-todo.md": md("待补一", "", status="pending"),
    "source/cases/02/003-todo.md": md("待补二", "", status="pending"),
    "source/cases/03/004-done.md": md("也已完成"),
}
PENDING_BACK = {"source/back/afterword.md": md("后记", "", status="pending")}


@pytest.fixture
def pending_book(tmp_path) -> model.Book:
    return source.load(make_book(tmp_path, PENDING_CASES, back=PENDING_BACK))


def test_loaded_book_keeps_pending(pending_book):
    assert [c.id for c in pending_book.cases()] == [
        "case-001-done", "case-002-todo", "case-003-todo", "case-004-done"]
    assert [c.pending for c in pending_book.cases()] == [False, True, True, False]
    assert pending_book.back[0].pending


def test_select_final_drops_pending_and_empty_parts(pending_book):
    final = pending_book.select(draft=False)
    assert final.draft is False
    assert final.pending_omitted == 3  # two cases and the afterword
    assert [p.id for p in final.parts] == ["part-1", "part-3"]  # part-2 had only pending
    assert [c.id for c in final.cases()] == ["case-001-done", "case-004-done"]
    assert final.back == ()
    assert not any(d.pending for d in final.documents())
    assert [e.target for e in final.toc()] == ["part-1", "case-001-done", "part-3",
                                               "case-004-done"]
    # part_of still works on the kept cases, and the original is untouched.
    assert final.part_of(list(final.cases())[1]).title == "第3部分"
    assert len(list(pending_book.cases())) == 4 and len(pending_book.parts) == 3


def test_select_draft_keeps_everything(pending_book):
    draft = pending_book.select(True)
    assert draft.draft is True and draft.pending_omitted == 0
    assert [p.id for p in draft.parts] == ["part-1", "part-2", "part-3"]
    assert [c.id for c in draft.cases()] == [c.id for c in pending_book.cases()]
    assert [m.id for m in draft.back] == ["back-afterword"]
    assert "case-003-todo" in [e.target for e in draft.toc()]


def test_select_final_without_pending_counts_zero(good_book):
    final = good_book.select(False)
    assert final.pending_omitted == 0
    assert final.parts == good_book.parts and final.front == good_book.front


# --------------------------------------------------------------------------------------------
# Malformed YAML: the line must be the line in the file
# --------------------------------------------------------------------------------------------

def test_malformed_yaml_in_book_yaml(tmp_path):
    root = make_book(tmp_path, book_yaml=(
        "# 注释\n"
        "slug: t\n"
        "title: 标题: 副标题\n"
        "lang: zh-CN\n"
        "parts: []\n"))
    assert str(single(root)) == (
        f"{YAML_SHOWN}:3: malformed YAML: mapping values are not allowed here")


def test_duplicate_key_in_book_yaml(tmp_path):
    root = make_book(tmp_path, yaml_extra="\ntitle: 又一个标题\n")
    err = single(root)
    assert (str(err.path), err.line) == (YAML_SHOWN, yaml_line(root, "又一个标题"))
    assert err.line == 9  # after the 7 generated lines and a blank one
    assert "duplicate key 'title'" in err.message


@pytest.mark.parametrize("text, line", [
    ("---\ntitle: 甲\nunit: 某: 单位\n---\n\n正文。\n", 3),
    ("---\n# 注释\n\ntitle: 甲\nunit: 某: 单位\n---\n\n正文。\n", 5),
    ("---\ntitle: 甲\nunit: 乙\nunit: 丙\n---\n\n正文。\n", 4),  # duplicate key
    ("---\ntitle: [甲\nunit: 乙\n---\n\n正文。\n", None),  # unclosed flow: somewhere after
])
def test_malformed_yaml_in_front_matter(tmp_path, text, line):
    err = single(case_book(tmp_path, text))
    assert str(err.path) == A_SHOWN
    assert err.message.startswith("malformed YAML: ")
    if line is not None:
        assert err.line == line and str(err).startswith(f"{A_SHOWN}:{line}: malformed YAML")
    else:
        assert 2 <= err.line <= 4  # inside the front matter, never line 1 of the YAML text


@pytest.mark.parametrize("encode", [
    pytest.param(lambda t: t.encode(), id="utf8"),
    pytest.param(lambda t: b"\xef\xbb\xbf" + t.encode(), id="bom"),
    pytest.param(lambda t: t.replace("\n", "\r\n").encode(), id="crlf"),
    pytest.param(lambda t: b"\xef\xbb\xbf" + t.replace("\n", "\r\n").encode(), id="bom-crlf"),
])
def test_front_matter_line_numbers_survive_bom_and_crlf(tmp_path, encode):
    err = single(case_book(tmp_path, encode("---\ntitle: 甲\nunit: a: b\n---\n\n正文。\n")))
    assert (str(err.path), err.line) == (A_SHOWN, 3)


def test_unclosed_quote_points_at_the_opening_quote(tmp_path):
    err = single(case_book(tmp_path, '---\ntitle: "甲\nunit: 乙\n---\n\n正文。\n'))
    assert err.line == 2


def test_missing_colon_points_at_the_key_line(tmp_path):
    err = single(case_book(tmp_path, "---\ntitle: 甲\nunit 乙\nprint_page: 3\n---\n\n正文。\n"))
    assert err.line == 3 and "could not find expected ':'" in err.message


def test_bad_escape_points_at_its_own_line(tmp_path):
    err = single(case_book(tmp_path, '---\ntitle: "甲\n  乙\n  丙\\q"\n---\n\n正文。\n'))
    assert "unknown escape character" in err.message
    assert err.line == 4


# --------------------------------------------------------------------------------------------
# Schema problems: missing, unknown, wrong type
# --------------------------------------------------------------------------------------------

def test_missing_title_in_case(tmp_path):
    err = single(case_book(tmp_path, "---\nunit: 某单位\n---\n\n正文。\n"))
    assert str(err) == f"{A_SHOWN}:2: 'title' is missing from case front matter"


def test_missing_title_in_front_matter(tmp_path):
    root = make_book(tmp_path, front={"source/front/p.md": "---\n\nauthor: 某\n---\n\n序。\n"})
    assert str(single(root)) == "book/source/front/p.md:3: 'title' is missing from front matter"


def test_missing_front_matter(tmp_path):
    err = single(case_book(tmp_path, "# 标题\n\n正文。\n"))
    assert (str(err.path), err.line) == (A_SHOWN, 1)
    assert "missing YAML front matter" in err.message


def test_unclosed_front_matter(tmp_path):
    err = single(case_book(tmp_path, "---\ntitle: 甲\n\n正文。\n"))
    assert (str(err.path), err.line) == (A_SHOWN, 1)
    assert "front matter is not closed" in err.message


def test_empty_title(tmp_path):
    err = single(case_book(tmp_path, md("''")))
    assert str(err) == f"{A_SHOWN}:2: 'title' must not be empty"


def test_missing_required_keys_in_book_yaml(tmp_path):
    root = make_book(tmp_path, book_yaml="slug: t\nparts: []\n")
    assert problems(root) == [f"{YAML_SHOWN}:1: 'title' is missing from book.yaml",
                              f"{YAML_SHOWN}:1: 'lang' is missing from book.yaml"]


def test_unknown_key_in_front_matter_suggests(tmp_path):
    found = problems(case_book(tmp_path, "---\ntitel: 甲\n---\n\n正文。\n"))
    assert f"{A_SHOWN}:2: unknown key 'titel' in case front matter; did you mean 'title'?" \
        in found
    assert f"{A_SHOWN}:2: 'title' is missing from case front matter" in found


def test_unknown_key_in_book_yaml_suggests(tmp_path):
    root = make_book(tmp_path, yaml_extra="subtitel: 副标题\n")
    line = yaml_line(root, "subtitel")
    assert str(single(root)) == (f"{YAML_SHOWN}:{line}: unknown key 'subtitel' in book.yaml; "
                                 "did you mean 'subtitle'?")


def test_unknown_key_without_close_match_is_ignored_with_a_warning(tmp_path, caplog):
    # another tool's key (Hugo's weight, say) is no typo: left out, one warning (test_md_compat)
    with caplog.at_level(logging.WARNING):
        source.load(case_book(tmp_path, md(zzz="1")))
    assert [r.getMessage() for r in caplog.records] == [
        f"front matter key 'zzz' ({A_SHOWN}:3) is not casebook's; ignored"]
    caplog.clear()


def test_case_keys_are_not_matter_keys(tmp_path, caplog):
    with caplog.at_level(logging.WARNING):  # author is for front/back matter only
        book = source.load(case_book(tmp_path, md(author="某")))
    assert not hasattr(next(book.cases()), "author")
    assert [r.getMessage() for r in caplog.records] == [
        f"front matter key 'author' ({A_SHOWN}:3) is only read in front and back matter; ignored"]
    caplog.clear()


@pytest.mark.parametrize("meta, message", [
    ({"unit": "[甲, 乙]"}, "'unit' must be a string, not a list"),
    ({"unit": "{a: 1}"}, "'unit' must be a string, not a mapping"),
    ({"print_page": "三"}, "'print_page' must be an integer, not a string"),
    ({"print_page": "true"}, "'print_page' must be an integer, not a boolean"),
    ({"status": "draft"}, "'status' must be one of: pending (got 'draft')"),
])
def test_wrong_type_in_case(tmp_path, meta, message):
    assert str(single(case_book(tmp_path, md(**meta)))) == f"{A_SHOWN}:3: {message}"


def test_wrong_type_in_matter(tmp_path):
    root = make_book(tmp_path, front={"source/front/p.md": md("序", toc="'no'", type="intro")})
    assert problems(root) == [
        "book/source/front/p.md:3: 'toc' must be true or false, not a string",
        "book/source/front/p.md:4: 'type' must be one of: preface, afterword, contributors, "
        "foreword, acknowledgments, appendix, other (got 'intro')",
    ]


def test_wrong_type_in_book_yaml(tmp_path):
    root = make_book(tmp_path, book_yaml=(
        "slug: t\ntitle:\n  - 甲\n  - 乙\nlang: zh-CN\nparts: []\n"))
    assert str(single(root)) == f"{YAML_SHOWN}:2: 'title' must be a string, not a list"


def test_book_yaml_not_a_mapping(tmp_path):
    root = make_book(tmp_path, book_yaml="- slug: t\n")
    assert str(single(root)) == f"{YAML_SHOWN}:1: book.yaml must be a mapping of keys, not a list"


def test_no_book_yaml(tmp_path):
    (tmp_path / "empty").mkdir()
    err = single(tmp_path / "empty")
    assert err.path == tmp_path / "empty" / "book.yaml"
    assert "no book.yaml here" in err.message


def test_part_without_cases(tmp_path):
    root = make_book(tmp_path, book_yaml=(
        "slug: t\ntitle: 书\nlang: zh-CN\nparts:\n  - title: 空\n  - cases: []\n"))
    assert problems(root) == [f"{YAML_SHOWN}:5: 'cases' is missing from a part",
                              f"{YAML_SHOWN}:6: 'title' is missing from a part"]


# --------------------------------------------------------------------------------------------
# Paths listed in book.yaml
# --------------------------------------------------------------------------------------------

def test_listed_path_does_not_exist(tmp_path):
    root = make_book(tmp_path, book_yaml=(
        "slug: t\ntitle: 书\nlang: zh-CN\nparts:\n  - title: 一\n    cases:\n"
        "      - source/cases/01/002-missing.md\n"))
    assert str(single(root)) == (
        f"{YAML_SHOWN}:7: 'source/cases/01/002-missing.md' does not exist")


def test_listed_path_typo_suggests_the_real_file(tmp_path):
    root = make_book(tmp_path, files={"source/cases/01/001-foreign-banks.md": md()},
                     book_yaml=("slug: t\ntitle: 书\nlang: zh-CN\nparts:\n  - title: 一\n"
                                "    cases:\n      - source/cases/01/001-foriegn-banks.md\n"))
    err = single(root)
    assert (str(err.path), err.line) == (YAML_SHOWN, 7)
    assert err.message == ("'source/cases/01/001-foriegn-banks.md' does not exist; "
                           "did you mean 'source/cases/01/001-foreign-banks.md'?")


def test_directory_is_not_a_source(tmp_path):
    root = make_book(tmp_path, book_yaml=(
        "slug: t\ntitle: 书\nlang: zh-CN\nparts:\n  - title: 一\n    cases:\n"
        "      - source/cases/01\n"))
    assert str(single(root)) == f"{YAML_SHOWN}:7: 'source/cases/01' does not exist"


@pytest.mark.parametrize("again", [A, "source/cases/01/../01/001-a.md", "./" + A])
def test_same_case_listed_twice(tmp_path, again):
    root = make_book(tmp_path, book_yaml=(
        "slug: t\ntitle: 书\nlang: zh-CN\nparts:\n"
        f"  - title: 一\n    cases:\n      - {A}\n"
        f"  - title: 二\n    cases:\n      - {again}\n"))
    assert str(single(root)) == (f"{YAML_SHOWN}:10: '{again}' is listed twice "
                                 f"(first at line 7)")


def test_same_file_stem_in_two_folders(tmp_path):
    root = make_book(tmp_path, {A: md("甲"), "source/cases/02/001-a.md": md("乙")})
    line = yaml_line(root, "source/cases/02/001-a.md")
    assert str(single(root)) == (
        f"{YAML_SHOWN}:{line}: two documents map to the same output name '001-a' "
        f"({A_SHOWN} and book/source/cases/02/001-a.md); rename one")


def test_front_and_back_may_share_a_stem(tmp_path):
    book = source.load(make_book(tmp_path, front={"source/front/note.md": md("前注")},
                                 back={"source/back/note.md": md("后注")}))
    assert [d.id for d in book.documents()] == ["front-note", "case-001-a", "back-note"]


@pytest.mark.parametrize("rel", ["../outside.md", "source/../../outside.md"])
def test_path_escaping_the_book(tmp_path, rel):
    (tmp_path / "outside.md").write_text(md())
    root = make_book(tmp_path, book_yaml=(
        f"slug: t\ntitle: 书\nlang: zh-CN\nfront:\n  - {rel}\nparts: []\n"))
    assert str(single(root)) == f"{YAML_SHOWN}:5: '{rel}' points outside the book directory"


def test_absolute_path_outside_the_book(tmp_path):
    outside = tmp_path / "outside.md"
    outside.write_text(md())
    root = make_book(tmp_path, book_yaml=(
        f"slug: t\ntitle: 书\nlang: zh-CN\nparts:\n  - title: 一\n    cases: [{outside}]\n"))
    err = single(root)
    assert (str(err.path), err.line) == (YAML_SHOWN, 6)
    assert err.message == f"'{outside}' points outside the book directory"


def test_symlink_out_of_the_book(tmp_path):
    (tmp_path / "outside.md").write_text(md())
    root = make_book(tmp_path, {})
    link = root / "source" / "cases" / "link.md"
    link.parent.mkdir(parents=True)
    link.symlink_to(tmp_path / "outside.md")
    (root / "book.yaml").write_text("slug: t\ntitle: 书\nlang: zh-CN\nparts:\n  - title: 一\n"
                                    "    cases: [source/cases/link.md]\n")
    err = single(root)
    assert (str(err.path), err.line) == (YAML_SHOWN, 6)
    assert "points outside the book directory" in err.message


def test_line_after_a_bad_entry_is_still_right(tmp_path):
    root = make_book(tmp_path, book_yaml=(
        "slug: t\ntitle: 书\nlang: zh-CN\nparts:\n  - title: 一\n    cases:\n"
        "      - {x: 1}\n"                      # line 7: not a string
        "      - source/cases/01/missing.md\n"))  # line 8: does not exist
    assert problems(root) == [
        f"{YAML_SHOWN}:7: each entry of 'cases' must be a string",
        f"{YAML_SHOWN}:8: 'source/cases/01/missing.md' does not exist",
    ]


# --------------------------------------------------------------------------------------------
# File contents: empty, binary, encodings, size
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["", "\n\n  \n", "\ufeff"])
def test_empty_file(tmp_path, text):
    err = single(case_book(tmp_path, text))
    assert str(err).startswith(f"{A_SHOWN}:1: file is empty")


def test_empty_book_yaml(tmp_path):
    root = make_book(tmp_path, book_yaml="")
    assert str(single(root)) == f"{YAML_SHOWN}:1: book.yaml must be a mapping of keys, not empty"


def test_binary_file(tmp_path):
    root = case_book(tmp_path, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    err = single(root)
    assert str(err.path) == A_SHOWN
    assert str(err).startswith(f"{A_SHOWN}:")
    assert "binary file (contains NUL bytes)" in err.message


def test_nul_byte_after_the_first_8k(tmp_path):
    text = md(body="正文。\n" * 1000).encode() + b"\x00\n"
    assert len(text) > 8192
    err = single(case_book(tmp_path, text))
    assert "NUL" in err.message


def test_gbk_encoded_file(tmp_path):
    err = single(case_book(tmp_path, "---\ntitle: 甲\n---\n\n正文。\n".encode("gbk")))
    assert (str(err.path), err.line) == (A_SHOWN, 2)  # 甲 is the first non-ASCII byte
    assert str(err).startswith(f"{A_SHOWN}:2: file is not UTF-8")
    for needle in ("GB18030", "GBK", "iconv -f GB18030 -t UTF-8"):
        assert needle in err.message


def test_gbk_error_line_is_the_first_bad_byte(tmp_path):
    text = "---\ntitle: ABC\nunit: x\n---\n\n正文。\n".encode("gb18030")
    err = single(case_book(tmp_path, text))
    assert err.line == 6 and "GB18030" in err.message


def test_invalid_utf8_that_is_not_gbk(tmp_path):
    err = single(case_book(tmp_path, b"---\ntitle: x\n---\n\nbad \xff byte\n"))
    assert str(err) == (f"{A_SHOWN}:5: not valid UTF-8 (byte 0xff); save the file as UTF-8")


def test_gbk_book_yaml(tmp_path):
    root = make_book(tmp_path, book_yaml="slug: t\ntitle: 书\nlang: zh-CN\nparts: []\n"
                     .encode("gbk"))
    err = single(root)
    assert (str(err.path), err.line) == (YAML_SHOWN, 2)
    assert "GB18030" in err.message


def _oversized(tmp_path, extra: int) -> Path:
    root = case_book(tmp_path, md())
    with open(root / A, "r+b") as f:
        f.truncate(textfile.MAX_BYTES + extra)  # sparse: quick to write
    return root


def test_file_over_the_size_limit(tmp_path):
    err = single(_oversized(tmp_path, 1))
    assert str(err.path) == A_SHOWN
    assert str(err).startswith(f"{A_SHOWN}:")
    limit = textfile.MAX_BYTES // 2**20
    assert re.search(rf"the limit for one source file is {limit}(\.0+)? MB", err.message)


def test_file_at_the_size_limit_is_read(tmp_path):
    # Exactly MAX_BYTES is allowed; the sparse tail is NULs, so the next check is binary.
    err = single(_oversized(tmp_path, 0))
    assert "binary file" in err.message


@pytest.mark.parametrize("kind", ["binary", "oversized"])
def test_whole_file_problems_still_carry_a_line(tmp_path, kind):
    root = (case_book(tmp_path, b"---\ntitle: \x00\n---\n") if kind == "binary"
            else _oversized(tmp_path, 1))
    assert re.match(rf"{re.escape(A_SHOWN)}:\d+: ", str(single(root)))


def test_size_message_shows_a_size_above_the_limit(tmp_path):
    err = single(_oversized(tmp_path, 2**19))  # 10.5 MB
    size, limit = map(float, re.findall(r"(\d+(?:\.\d+)?) MB", err.message))
    assert size > limit


def test_size_message_just_over_the_limit(tmp_path):
    # Rounded to MB, one byte over looks like "10 MB; the limit is 10 MB": the exact size
    # in bytes must be there too.
    err = single(_oversized(tmp_path, 1))
    assert str(textfile.MAX_BYTES + 1) in err.message.replace(",", "")


# --------------------------------------------------------------------------------------------
# Bodies
# --------------------------------------------------------------------------------------------

def test_front_matter_only_and_not_pending(tmp_path):
    err = single(case_book(tmp_path, "---\ntitle: 甲\n---\n\n\n"))
    assert str(err).startswith(f"{A_SHOWN}:4: the body is empty")
    assert "status: pending" in err.message


def test_pending_with_body(tmp_path):
    err = single(case_book(tmp_path, "---\ntitle: 甲\nstatus: pending\n---\n正文。\n"))
    assert str(err).startswith(f"{A_SHOWN}:5: the file has text but is marked "
                               "'status: pending'")


def test_pending_without_body_is_fine(tmp_path):
    book = source.load(case_book(tmp_path, md(body="\n  \n", status="pending")))
    assert list(book.cases())[0].pending


def test_unclosed_fenced_div(tmp_path):
    text = md(body="引言。\n\n::: note\n注释。\n\n后文。\n")
    lines = text.split("\n")
    opening = lines.index("::: note") + 1
    assert str(single(case_book(tmp_path, text))) == (
        f"{A_SHOWN}:{opening}: fenced div opened here is never closed; add a ':::' line after it")


def test_nested_unclosed_div_reports_the_outer_opening(tmp_path):
    text = "---\ntitle: 甲\n---\n\n::: outer\n::: inner\n内。\n:::\n"
    assert single(case_book(tmp_path, text)).line == 5


def test_stray_closing_div(tmp_path):
    text = "---\ntitle: 甲\n---\n\n正文。\n:::\n"
    assert str(single(case_book(tmp_path, text))) == (
        f"{A_SHOWN}:6: ':::' closes a div that was never opened")


def test_div_fences_inside_code_blocks_are_ignored(tmp_path):
    text = md(body="```\n::: not-a-div\n```\n\n正文。\n")
    assert list(source.load(case_book(tmp_path, text)).cases())[0].title == "甲"


@pytest.mark.parametrize("opening", ["::: commentary", "::: {.commentary}",
                                     '::: {.commentary title="x"}', '::: {.commentary by=""}'])
def test_commentary_without_by_loads_and_is_found_at_its_fence(tmp_path, opening):
    text = f"---\ntitle: 甲\n---\n\n正文。\n\n{opening}\n评。\n:::\n"
    book = source.load(case_book(tmp_path, text))
    assert bodycheck.unsigned_in_book(book) == [f"{A_SHOWN}:7: 点评 without a signature"]


def test_commentary_with_by_is_fine(tmp_path):
    text = md(body='正文。\n\n::: {.commentary by="主任　某某"}\n评。\n:::\n')
    book = source.load(case_book(tmp_path, text))
    assert '::: {.commentary by="主任　某某"}' in list(book.cases())[0].body
    assert bodycheck.unsigned_in_book(book) == []


# --------------------------------------------------------------------------------------------
# book.yaml values: print geometry, slug
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("trim, shown", [
    ("185mm", "'185mm'"), ("185 260", "'185 260'"), ("185mm 260mm 3mm", "'185mm 260mm 3mm'"),
    ("a4", "'a4'"), ("185cm 260cm", "'185cm 260cm'"),
])
def test_bad_print_trim(tmp_path, trim, shown):
    root = make_book(tmp_path, yaml_extra=f"print:\n  bleed: 3mm\n  trim: {trim}\n")
    line = yaml_line(root, "  trim:")
    assert str(single(root)) == (f"{YAML_SHOWN}:{line}: 'print.trim' must be 2 length(s) in "
                                 f"mm, like '10mm 10mm' (got {shown})")


def test_bad_print_bleed_and_margins_together(tmp_path):
    root = make_book(tmp_path, yaml_extra="print:\n  bleed: 3\n  margins: 1mm 2mm\n")
    found = problems(root)
    assert len(found) == 2
    assert found[0].startswith(f"{YAML_SHOWN}:{yaml_line(root, 'bleed')}: 'print.bleed' must be 1")
    assert found[1].startswith(f"{YAML_SHOWN}:{yaml_line(root, 'margins')}: 'print.margins' "
                               "must be 4")


def test_unknown_print_key(tmp_path):
    root = make_book(tmp_path, yaml_extra="print: {trimm: 185mm 260mm}\n")
    err = single(root)
    assert err.line == yaml_line(root, "print:")
    assert "unknown key 'trimm' in print; did you mean 'trim'?" in err.message


@pytest.mark.parametrize("slug", ["Test-Book", "test_book", "-test", "测试", "test book"])
def test_bad_slug(tmp_path, slug):
    root = make_book(tmp_path, slug=f"'{slug}'")
    err = single(root)
    assert (str(err.path), err.line) == (YAML_SHOWN, 1)
    assert err.message == (f"'slug' must be lowercase ASCII letters, digits and '-' "
                           f"(got {slug!r})")


def test_numbers_in_string_fields_are_not_altered(tmp_path):
    # YAML would read these as 38.0, 8, 90 and 1.1; text fields keep them as written.
    root = make_book(tmp_path, {A: md("1.10", unit="010", print_page="12")},
                     yaml_extra="price: 38.00\nsubtitle: 1:30\n"
                                "copyright: {cip: [2011.10], imprint: [{value: 023}]}\n")
    book = source.load(root)
    assert (book.meta.price, book.meta.subtitle) == ("38.00", "1:30")
    assert book.meta.copyright.cip == ("2011.10",)
    assert book.meta.copyright.imprint[0].value == "023"
    (case,) = book.cases()
    assert (case.title, case.unit) == ("1.10", "010")
    assert case.print_page == 12 and type(case.print_page) is int  # an int field gets the number
    for text in (book.meta.price, book.meta.subtitle, case.title, case.unit,
                 book.meta.copyright.cip[0], book.meta.copyright.imprint[0].value):
        assert type(text) is str  # plain str in the model, not a YAML helper type


def test_zero_padded_print_page_is_not_octal(tmp_path):
    try:
        book = source.load(case_book(tmp_path, md(print_page="010")))
    except SourceError as err:  # refusing it, at the right line, would also be fine
        assert (str(err.path), err.line) == (A_SHOWN, 3)
        return
    assert list(book.cases())[0].print_page == 10


@pytest.mark.parametrize("meta, message", [
    ({"print_page": "3.0"}, "'print_page' must be an integer, not a number"),
    ({"print_page": "'3'"}, "'print_page' must be an integer, not a string"),
])
def test_number_types_still_checked(tmp_path, meta, message):
    assert str(single(case_book(tmp_path, md(**meta)))) == f"{A_SHOWN}:3: {message}"


def test_unhashable_key_is_a_source_error(tmp_path):
    root = make_book(tmp_path, yaml_extra="[a, b]: c\n")
    err = single(root)
    assert (str(err.path), err.line) == (YAML_SHOWN, yaml_line(root, "[a, b]"))


# --------------------------------------------------------------------------------------------
# Accepted transparently: BOM, CRLF, NFD
# --------------------------------------------------------------------------------------------

def test_bom_is_accepted(tmp_path):
    bom = b"\xef\xbb\xbf"
    cases = {A: bom + md("甲").encode()}
    root = make_book(tmp_path, cases)
    (root / "book.yaml").write_bytes(bom + (root / "book.yaml").read_bytes())
    book = source.load(root)
    (case,) = book.cases()
    assert case.title == "甲" and case.body == "\n正文。\n" and case.body_line == 4
    assert book.meta.slug == "test-book"  # the first key is not '\ufeffslug'


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_crlf_and_cr_are_accepted(tmp_path, newline):
    text = md("甲", "第一段。\n\n第二段。\n", unit="乙").replace("\n", newline)
    root = make_book(tmp_path, {A: text})
    yaml = root / "book.yaml"
    yaml.write_bytes(yaml.read_bytes().replace(b"\n", newline.encode()))
    book = source.load(root)
    (case,) = book.cases()
    assert (case.title, case.unit) == ("甲", "乙")
    assert case.body == "\n第一段。\n\n第二段。\n" and "\r" not in case.body
    assert case.body_line == 5
    assert book.parts[0].title == "第1部分"


def test_nfd_is_normalised_to_nfc(tmp_path):
    nfd_title = unicodedata.normalize("NFD", "Café 한국")
    assert nfd_title != "Café 한국"
    root = make_book(tmp_path, {A: md(nfd_title, unicodedata.normalize("NFD", "Ré sumé\n"))},
                     yaml_extra="subtitle: " + unicodedata.normalize("NFD", "Noël") + "\n")
    book = source.load(root)
    (case,) = book.cases()
    assert case.title == "Café 한국"
    assert case.body == "\nRé sumé\n"
    assert book.meta.subtitle == "Noël"
    assert all(unicodedata.is_normalized("NFC", s) for s in (case.title, case.body,
                                                               book.meta.subtitle))


# --------------------------------------------------------------------------------------------
# Several problems: all reported together
# --------------------------------------------------------------------------------------------

def test_several_problems_reported_together(tmp_path):
    cases = {
        A: "---\nunit: 某\n---\n\n正文。\n",                          # missing title
        "source/cases/01/002-b.md": md(body="::: note\n未闭合。\n"),    # unclosed div
        "source/cases/02/003-c.md": md("丙", "正文。\n", status="pending"),  # pending + body
        "source/cases/02/004-d.md": "---\ntitle: 丁\n---\n".encode("gbk"),  # GBK
    }
    root = make_book(tmp_path, cases, slug="Bad_Slug", yaml_extra="print: {trim: 185mm}\n")
    with pytest.raises(ErrorList) as info:
        source.load(root)
    found = str(info.value).split("\n")
    assert len(found) == 6, found
    expected_starts = [
        f"{YAML_SHOWN}:1: 'slug' must be lowercase",
        f"{YAML_SHOWN}:{yaml_line(root, 'print:')}: 'print.trim' must be 2",
        f"{A_SHOWN}:2: 'title' is missing",
        "book/source/cases/01/002-b.md:5: fenced div opened here is never closed",
        "book/source/cases/02/003-c.md:5: the file has text but is marked 'status: pending'",
        "book/source/cases/02/004-d.md:2: file is not UTF-8",
    ]
    for start in expected_starts:
        assert sum(line.startswith(start) for line in found) == 1, (start, found)
    assert info.value.exit_code == 1
    assert all(isinstance(e, SourceError) for e in info.value.errors)


def test_front_matter_reads_the_same_on_libyaml_as_on_the_pure_python_parser():
    """yamlines parses with libyaml (quick) and falls back to the pure-Python parser for the
    error's words: both must give the same values, types and lines for every YAML here."""
    import yaml

    from casebook.source import yamlines
    assert yamlines._FastLoader.__mro__[1] is yaml.CSafeLoader  # the quick one is in use
    root = Path(__file__).resolve().parents[1]
    texts = [p.read_text(encoding="utf-8") for p in sorted(root.glob("**/book.yaml"))
             if ".venv" not in p.parts and "node_modules" not in p.parts]
    for md_file in sorted((root / "source").rglob("*.md")) + sorted(
            (root / "tests" / "data").rglob("*.md")):
        text = md_file.read_text(encoding="utf-8")
        if text.startswith("---\n") and "\n---" in text[3:]:
            texts.append(text[4:text.index("\n---", 3)])
    assert len(texts) > 100

    def seen(node):
        if isinstance(node, dict):
            return ("map", node.line, node.key_lines,
                    [(k, seen(v)) for k, v in node.items()])
        if isinstance(node, list):
            return ("seq", node.line, node.item_lines, [seen(v) for v in node])
        return (type(node).__name__, node, getattr(node, "number", None))
    for text in texts:
        fast = yaml.load(text, Loader=yamlines._FastLoader)  # noqa: S506
        slow = yaml.load(text, Loader=yamlines._Loader)  # noqa: S506
        assert seen(fast) == seen(slow), text[:80]
    with pytest.raises(SourceError, match=r"x\.md:4: malformed YAML: found character"):
        yamlines.load("a: 1\nb:\n  - 2\n\tc: 3\n", Path("x.md"))
