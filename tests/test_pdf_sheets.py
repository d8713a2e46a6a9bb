"""Folio sheet pages are laid out once per label and side, and found again by later builds."""

from __future__ import annotations

from contextlib import ExitStack

import pytest
from bookfactory import sample_copy

from casebook.build import pipeline as build
from casebook.editions.pdf import folios as pdf_folios
from casebook.editions.pdf import sheets as pdf_sheets
from casebook.source import loader as source


class Counting:
    """The in-process pool, keeping the label lists of the sheets it lays out."""

    def __init__(self):
        self.pool, self.sheets = build._pool(0), []

    def submit(self, fn, *args):
        if fn is pdf_folios.sheet:
            self.sheets.append(args[1])
        return self.pool.submit(fn, *args)


@pytest.fixture
def book(tmp_path):
    return source.load(sample_copy(tmp_path / "sample")).select(False)


def test_arrange_puts_each_label_on_its_side():
    assert pdf_folios.arrange([("1", False), ("2", True), ("5", False), ("7", False)]) == \
        ["1", "2", "5", None, "7"]
    assert pdf_folios.arrange([("iv", True)]) == [None, "iv"]


def test_a_later_build_lays_out_only_the_labels_no_sheet_has(book, tmp_path):
    folder = tmp_path / "folios"
    first = Counting()
    labels = [None, None, "iii", "iv", None, "1", "2", "3"]
    with ExitStack() as stack:
        pages = pdf_sheets.Sheets(book, "base", folder).pages(labels, first, stack)
        assert [p is None for p in pages] == [label is None for label in labels]
    assert len(first.sheets) == 1
    shifted = [None, None, "iii", "iv", None, None, "1", "2", "3", "4"]  # a blank page more
    later = Counting()
    with ExitStack() as stack:
        pdf_sheets.Sheets(book, "base", folder).pages(shifted, later, stack)
    # "1" moved to a verso, "2" to a recto, "3" to a verso: new drawings; "iii" and "iv" kept
    assert sorted(label for sheet in later.sheets for label in sheet if label) == \
        ["1", "2", "3", "4"]
    again = Counting()
    with ExitStack() as stack:
        pdf_sheets.Sheets(book, "base", folder).pages(shifted, again, stack)
    assert again.sheets == []


def test_sheets_laid_out_with_other_styles_or_code_are_not_reused(book, tmp_path):
    folder = tmp_path / "folios"
    labels = ["i", "ii"]
    with ExitStack() as stack:
        pdf_sheets.Sheets(book, "old", folder).pages(labels, Counting(), stack)
    pool = Counting()
    with ExitStack() as stack:
        pdf_sheets.Sheets(book, "new", folder).pages(labels, pool, stack)
    assert pool.sheets == [["i", "ii"]]


def test_a_sheet_file_that_is_gone_is_laid_out_again(book, tmp_path):
    folder = tmp_path / "folios"
    with ExitStack() as stack:
        pdf_sheets.Sheets(book, "base", folder).pages(["i"], Counting(), stack)
    for path in folder.glob("*.pdf"):
        path.unlink()
    pool = Counting()
    with ExitStack() as stack:
        pages = pdf_sheets.Sheets(book, "base", folder).pages(["i"], pool, stack)
        assert pages[0] is not None
    assert pool.sheets == [["i"]]
