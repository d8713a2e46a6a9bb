"""Markdown books written for other tools build: their front matter, alt text, alerts, raw HTML, true lines."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest
from bookfactory import make_book, md

from casebook.authoring import lint
from casebook.errors import CasebookError
from casebook.source import loader as source

HUGO = "weight: 101\ndate: 2021-03-04T10:00:00+08:00\ndraft: false\ntags: [合同, 租赁]\n" \
       "slug: case-a\nlayout: single\nmenu:\n  main:\n    parent: 案例\n"


def _hugo_case(title: str, n: int) -> str:
    return f"---\ntitle: {title}\n{HUGO}---\n\n第{n}篇正文（合成）。\n"


def _warnings(caplog) -> list[str]:
    found = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    caplog.clear()  # the warnings were the point
    return found


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


# -- 1. front matter from other tools -----------------------------------------------------------
def test_other_tools_front_matter_is_ignored_with_one_warning_per_key(tmp_path, caplog):
    cases = {f"source/cases/01/{i:03d}-c.md": _hugo_case(f"案例{i}", i) for i in range(1, 15)}
    root = make_book(tmp_path, cases)
    with caplog.at_level(logging.WARNING):
        book = source.load(root)
    assert [c.title for c in book.cases()][:2] == ["案例1", "案例2"]
    warned = _warnings(caplog)
    first = _shown(root / "source/cases/01/001-c.md")
    assert f"front matter key 'weight' (in 14 files, first {first}:3) is not casebook's; " \
           "ignored" in warned
    assert len(warned) == 7, warned  # weight, date, draft, tags, slug, layout, menu: once each
    assert not any("parent" in w for w in warned)  # a nested key is part of its key's value


def test_a_typo_of_a_casebook_key_is_still_an_error(tmp_path, caplog):
    root = make_book(tmp_path, {"source/cases/01/001-a.md": "---\ntitle: 甲\nweight: 3\n"
                                "uint: 某法院\n---\n\n正文（合成）。\n",
                                "source/cases/01/002-b.md": "---\ntitel: 乙\n---\n\n正文。\n"})
    with caplog.at_level(logging.WARNING), pytest.raises(CasebookError) as info:
        source.load(root)
    text = str(info.value)
    assert "001-a.md:4: unknown key 'uint' in case front matter; did you mean 'unit'?" in text
    assert "002-b.md:2: unknown key 'titel' in case front matter; did you mean 'title'?" in text
    assert "weight" not in text
    assert any("'weight'" in w for w in _warnings(caplog))


def test_a_matter_key_in_a_case_is_ignored_with_a_warning_that_says_where_it_is_read(
        tmp_path, caplog):
    root = make_book(tmp_path, {"source/cases/01/001-a.md": md(author="某")})
    with caplog.at_level(logging.WARNING):
        source.load(root)
    assert _warnings(caplog) == [f"front matter key 'author' ("
                                 f"{_shown(root / 'source/cases/01/001-a.md')}:3) is only read "
                                 "in front and back matter; ignored"]


def test_book_yaml_stays_strict(tmp_path):
    with pytest.raises(CasebookError, match="unknown key 'weight' in book.yaml"):
        source.load(make_book(tmp_path, yaml_extra="weight: 1\n"))


def test_lint_lists_every_foreign_key_at_its_line(tmp_path, caplog):
    cases = {f"source/cases/01/{i:03d}-c.md": _hugo_case(f"案例{i}", i) for i in range(1, 3)}
    root = make_book(tmp_path, cases)
    with caplog.at_level(logging.WARNING):
        report = lint.lint_book(root)
    _warnings(caplog)
    rows = [f"{f.path.name}:{f.line}: {f.message}" for f in report.findings
            if f.rule == "front-matter-key"]
    assert len(rows) == 14
    assert rows[:2] == ["001-c.md:3: front matter key 'weight' is not casebook's; the build "
                        "ignores it", "001-c.md:4: front matter key 'date' is not casebook's; "
                        "the build ignores it"]
