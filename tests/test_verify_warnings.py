"""verify fails on every warning the build gave about the book, unless book.yaml accepts it."""

from __future__ import annotations

from pathlib import Path

import pytest
from bookfactory import sample_copy
from conftest import cli

from casebook.check import verify
from casebook.check.registry import CHECKS
from casebook.errors import SourceError

CASE = "source/cases/01/001-alpha.md"
ONLY_WARNINGS = frozenset(name for name, _, _ in CHECKS)  # skip the validators: not tested here


@pytest.fixture
def book(tmp_path) -> Path:
    book = sample_copy(tmp_path / "book")
    case = book / CASE
    case.write_text(case.read_text(encoding="utf-8") + "\n[见上文](#no-such-anchor)。\n",
                    encoding="utf-8")
    return book


def _line(book: Path) -> int:
    lines = (book / CASE).read_text(encoding="utf-8").split("\n")
    return next(i for i, line in enumerate(lines, 1) if "no-such-anchor" in line)


@pytest.fixture
def row(caplog):
    """verify's warnings row; the dangling link's warning is what these tests expect."""
    def get(book: Path, out: Path) -> verify.Row:
        rows = verify.verify(verify.VerifyOptions(book_dir=book, out_dir=out,
                                                  skip=ONLY_WARNINGS))
        caplog.clear()
        return next(r for r in rows if r.check == "warnings")
    return get


def _accept(book: Path, names: str) -> None:
    """book.yaml's ``verify: {accept: [...]}`` line, with ``names`` (the sample has one)."""
    yaml_path = book / "book.yaml"
    text = yaml_path.read_text(encoding="utf-8")
    assert "verify: {accept: [pending]}" in text
    yaml_path.write_text(text.replace("verify: {accept: [pending]}",
                                      f"verify: {{accept: [{names}]}}"), encoding="utf-8")


def test_a_dangling_link_fails_verify_with_its_line(book, tmp_path, row):
    found = row(book, tmp_path / "out")
    assert found.failed
    assert f"001-alpha.md:{_line(book)}: link '#no-such-anchor'" in found.details
    assert "[dangling-link]" in found.details and "[pending]" not in found.details
    assert "1 accepted" not in found.details  # the details list what fails


def test_the_warnings_survive_a_build_that_had_nothing_to_do(book, tmp_path, row):
    out = tmp_path / "out"
    assert row(book, out).failed
    assert row(book, out).failed  # fresh: from the record, not from a new build


def test_accepted_by_name_in_book_yaml_they_pass(book, tmp_path, row):
    _accept(book, "dangling-link, pending")
    found = row(book, tmp_path / "out")
    assert found.result == "pass", found.details
    assert "accepted in book.yaml" in found.details


def test_a_name_not_accepted_fails(book, tmp_path, row):
    _accept(book, "dangling-link")
    found = row(book, tmp_path / "out")
    assert found.failed and "[pending]" in found.details and "[dangling-link]" not in found.details


def test_accepting_one_name_leaves_the_others_failing(book, tmp_path, row):
    _accept(book, "pending")
    found = row(book, tmp_path / "out")
    assert found.failed and "[dangling-link]" in found.details and "[pending]" not in found.details


def test_an_unknown_name_is_an_error_at_its_line(book):
    _accept(book, "dangling-links")
    from casebook.source import loader as source
    with pytest.raises(SourceError, match=r"book.yaml:\d+: verify: accept: unknown warning "
                                          r"'dangling-links'"):
        source.load(book)


def test_verify_from_the_command_line_exits_4_and_names_the_line(book, tmp_path):
    skips = [a for name in sorted(ONLY_WARNINGS) for a in ("--skip", name)]
    result = cli("verify", "--book", book, "--out", tmp_path / "out", "-q", *skips)
    assert result.returncode == 4, result.stdout + result.stderr
    assert f"001-alpha.md:{_line(book)}" in result.stdout
