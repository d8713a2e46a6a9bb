"""Several books through one set of workers: each built as on its own, a bad one reported
with its folder while the others are built, and the list file's errors at their lines."""

from __future__ import annotations

import json

import pytest
from bookfactory import sample_copy
from conftest import cli

from casebook.build import many
from casebook.build.pipeline import BUILD_INFO, Options
from casebook.errors import CasebookError, SourceError


def test_books_built_side_by_side_keep_their_own_outputs_and_findings(tmp_path, monkeypatch,
                                                                     caplog):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    one, two = sample_copy(tmp_path / "one", "one"), sample_copy(tmp_path / "two", "two")
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "book.yaml").write_text("slug: bad\ntitle: [unclosed\n", encoding="utf-8")
    outcomes = many.build_many([Options(book_dir=b, out_dir=b / "dist", cache=False)
                                for b in (one, bad, two)], at_once=3)
    assert [o.book_dir for o in outcomes] == [one, bad, two]
    assert isinstance(outcomes[1].error, SourceError)
    assert str(bad / "book.yaml") in str(outcomes[1].error)
    said = [r for r in caplog.records if r.levelname == "ERROR"]
    assert [r.threadName for r in said] == [f"{many.THREAD_PREFIX}{bad}"]  # the CLI names it
    caplog.clear()
    for outcome, slug in ((outcomes[0], "one"), (outcomes[2], "two")):
        assert outcome.error is None
        assert outcome.written["pdf"] == outcome.book_dir / "dist" / f"{slug}.pdf"
        record = json.loads((outcome.book_dir / "dist" / BUILD_INFO).read_text())
        # each book's record holds its own pending warning, not the other book's
        pending = [text for name, text in record["findings"] if name == "pending"]
        assert len(pending) == 1 and str(outcome.book_dir / "book.yaml") in pending[0]


def test_two_books_cannot_share_an_output_folder(tmp_path):
    with pytest.raises(CasebookError, match="own output folder"):
        many.build_many([Options(book_dir=tmp_path / name, out_dir=tmp_path / "dist")
                         for name in ("a", "b")])


def test_a_list_file_names_books_relative_to_itself(tmp_path):
    listed = tmp_path / "books.yaml"
    listed.write_text("books:\n  - one\n  - ../elsewhere/two\n", encoding="utf-8")
    assert many.read_list(listed) == [tmp_path / "one", tmp_path / "../elsewhere/two"]


@pytest.mark.parametrize("text, line", [("books: one\n", 1), ("other: 1\n", 1),
                                        ("# books\nbooks:\n  - one\n  - {a: 1}\n", 4),
                                        ("books: [one\n", 2)])
def test_a_bad_list_file_is_an_error_at_its_line(tmp_path, text, line):
    listed = tmp_path / "books.yaml"
    listed.write_text(text, encoding="utf-8")
    with pytest.raises(SourceError) as caught:
        many.read_list(listed)
    assert caught.value.path == listed and caught.value.line == line


def test_the_command_line_builds_the_books_it_can_and_names_the_one_it_cannot(tmp_path):
    one = sample_copy(tmp_path / "one", "one")
    (tmp_path / "books.yaml").write_text("books:\n  - missing\n", encoding="utf-8")
    done = cli("all", "-q", "--book", one, "--books", tmp_path / "books.yaml")
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert f"[{tmp_path / 'missing'}]" in done.stderr
    assert f"not built: {tmp_path / 'missing'}" in done.stderr
    assert (one / "dist" / "one.pdf").is_file()
    several = cli("all", "--book", one, "--book", tmp_path / "x", "--out", tmp_path / "o")
    assert several.returncode == 1 and "--out names one folder" in several.stderr
