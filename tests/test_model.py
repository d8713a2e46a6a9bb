"""casebook.model: the frozen Book and its views (toc, reading order, part_of, preface)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from bookfactory import make_book, md

from casebook import model
from casebook.source import loader as source

SRC = Path("book.yaml")


def matter(stem, title, section="front", **kw) -> model.Matter:
    return model.Matter(id=f"{section}-{stem}", title=title, body="正文。\n",
                        source=Path(f"source/{section}/{stem}.md"), body_line=4,
                        section=section, **kw)


def case(stem, title, number, part_id, **kw) -> model.Case:
    return model.Case(id=f"case-{stem}", title=title, body="正文。\n",
                      source=Path(f"source/cases/{stem}.md"), body_line=4, number=number,
                      part_id=part_id, **kw)


@pytest.fixture
def book() -> model.Book:
    board = matter("board", "编委会", in_toc=False, type="contributors")
    preface = matter("preface", "序言", author="徐麟", type="preface")
    foreword = matter("foreword", "前言", type="preface")  # a second preface: not returned
    c1 = case("001-a", "甲", 1, "part-1", unit="单位")
    c2 = case("002-b", "乙", 2, "part-1")
    c3 = case("003-c", "丙", 3, "part-2", status=model.PENDING)
    parts = (model.Part("part-1", 1, "第一部分", (c1, c2), SRC, 10),
             model.Part("part-2", 2, "第二部分", (c3,), SRC, 20))
    back = (matter("afterword", "后记", section="back", type="afterword"),)
    meta = model.Meta(slug="t", title="书", lang="zh-CN",
                      creators=(model.Creator("吴信宝", "主编"), model.Creator("某某")))
    return model.Book(meta=meta, root=Path("/book"), front=(board, preface, foreword),
                      parts=parts, back=back)


# -- frozen ----------------------------------------------------------------------------------

@pytest.mark.parametrize("attr, value", [("meta", None), ("parts", ()), ("draft", True),
                                          ("pending_omitted", 5)])
def test_book_is_frozen(book, attr, value):
    before = getattr(book, attr)
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(book, attr, value)
    assert getattr(book, attr) == before


@pytest.mark.parametrize("get, attr", [
    (lambda b: b.parts[0], "title"),
    (lambda b: b.parts[0].cases[0], "body"),
    (lambda b: b.front[1], "author"),
    (lambda b: b.meta, "slug"),
    (lambda b: b.meta.print, "bleed"),
    (lambda b: b.meta.creators[0], "name"),
])
def test_everything_inside_is_frozen(book, get, attr):
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(get(book), attr, "x")


def test_book_has_no_mutable_containers(book):
    # hash() walks every field: it fails on any list, dict or set hidden inside.
    hash(book)
    assert isinstance(book.parts, tuple) and isinstance(book.parts[0].cases, tuple)


def test_loaded_book_is_deeply_immutable(tmp_path):
    extra = ("creators: [{name: 某, role: 主编}]\nprint: {margins: 1mm 2mm 3mm 4mm}\n"
             "copyright:\n  cip: [a, b]\n  imprint: [{label: 印张, value: '23'}]\n")
    loaded = source.load(make_book(tmp_path, {"source/cases/01/001-a.md": md()},
                                   yaml_extra=extra))
    hash(loaded)  # no LineDict / LineList leaked into the model
    assert type(loaded.meta.copyright.cip) is tuple
    assert type(loaded.meta.print.margins) is tuple
    with pytest.raises(dataclasses.FrozenInstanceError):
        loaded.meta.copyright.cip = ()


# -- views -----------------------------------------------------------------------------------

def test_reading_order(book):
    ids = [item.id for item in book.reading_order()]
    assert ids == ["front-board", "front-preface", "front-foreword",
                   "part-1", "case-001-a", "case-002-b",
                   "part-2", "case-003-c",
                   "back-afterword"]


def test_documents_skip_parts(book):
    assert [d.id for d in book.documents()] == [
        "front-board", "front-preface", "front-foreword",
        "case-001-a", "case-002-b", "case-003-c", "back-afterword"]
    assert [c.id for c in book.cases()] == ["case-001-a", "case-002-b", "case-003-c"]


def test_toc_levels_titles_and_targets(book):
    toc = book.toc()
    assert isinstance(toc, tuple) and all(isinstance(e, model.TocEntry) for e in toc)
    assert [(e.level, e.title, e.target) for e in toc] == [
        (1, "序言（徐麟）", "front-preface"),
        (1, "前言", "front-foreword"),
        (1, "第一部分", "part-1"),
        (2, "甲", "case-001-a"),
        (2, "乙", "case-002-b"),
        (1, "第二部分", "part-2"),
        (2, "丙", "case-003-c"),
        (1, "后记", "back-afterword"),
    ]


def test_toc_follows_select(book):
    assert [e.target for e in book.select(False).toc()] == [
        "front-preface", "front-foreword", "part-1", "case-001-a", "case-002-b",
        "back-afterword"]


def test_part_of(book):
    c1, c2, c3 = book.cases()
    assert book.part_of(c1) is book.parts[0]
    assert book.part_of(c2) is book.parts[0]
    assert book.part_of(c3) is book.parts[1]


def test_preface_is_the_first_front_matter_of_type_preface(book):
    assert book.preface() is book.front[1]
    assert book.preface().toc_title == "序言（徐麟）"


def test_no_preface(book):
    only_board = dataclasses.replace(book, front=book.front[:1])
    assert only_board.preface() is None
    # back matter is never the preface, even when typed so
    moved = dataclasses.replace(book, front=(), back=(book.front[1],))
    assert moved.preface() is None


def test_toc_title_without_author_is_the_title(book):
    assert book.front[2].toc_title == "前言"
    assert book.parts[0].toc_title == "第一部分"
    assert book.parts[0].cases[0].toc_title == "甲"


def test_pending(book):
    assert [c.pending for c in book.cases()] == [False, False, True]


def test_editors(book):
    # a creator without a role loses the trailing full-width space
    assert book.meta.editors == "吴信宝　主编；某某"


def test_select_returns_new_books(book):
    final, draft = book.select(False), book.select(True)
    assert final is not book and draft is not book
    assert (final.draft, final.pending_omitted) == (False, 1)
    assert (draft.draft, draft.pending_omitted) == (True, 0)
    assert [p.id for p in final.parts] == ["part-1"]
    assert [p.id for p in draft.parts] == ["part-1", "part-2"]
    assert len(book.parts) == 2 and book.draft is False  # original unchanged
