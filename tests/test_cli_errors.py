"""build.py on bad books: a path:line message on stderr, no traceback, non-zero exit, dist untouched.

Every book here fails while reading the sources, so no edition is rendered and these are fast.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from bookfactory import make_book, md, yaml_line
from conftest import cli

A = "source/cases/01/001-a.md"


def run(*args: str) -> subprocess.CompletedProcess:
    return cli(*args, "-q", timeout=120)


def build(book: Path, out: Path, *extra: str) -> subprocess.CompletedProcess:
    return run(*extra, "--book", str(book), "--out", str(out))


def assert_clean_failure(result: subprocess.CompletedProcess) -> list[str]:
    """Exit 1, nothing on stdout, no traceback; return the stderr lines."""
    assert result.returncode == 1, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines, "no message on stderr"
    return lines


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file and folder under ``folder`` with its bytes (None for folders)."""
    return {p.relative_to(folder).as_posix(): (p.read_bytes() if p.is_file() else None)
            for p in sorted(folder.rglob("*"))}


# One bad book per kind of problem: (cases, book.yaml extra, expected "path:line: message").
BAD_BOOKS = {
    "malformed-front-matter": (
        {A: "---\ntitle: 甲\nunit: 某: 单位\n---\n\n正文。\n"}, "",
        f"{A}:3: malformed YAML: mapping values are not allowed here"),
    "missing-title": (
        {A: "---\nunit: 某\n---\n\n正文。\n"}, "",
        f"{A}:2: 'title' is missing from case front matter"),
    "unknown-key": (
        {A: "---\ntitle: 甲\nuint: 某\n---\n\n正文。\n"}, "",
        f"{A}:3: unknown key 'uint' in case front matter; did you mean 'unit'?"),
    "unclosed-div": (
        {A: md(body="::: note\n注。\n")}, "",
        f"{A}:5: fenced div opened here is never closed"),
    "gbk": (
        {A: "---\ntitle: 甲\n---\n\n正文。\n".encode("gbk")}, "",
        f"{A}:2: file is not UTF-8 but looks GBK/GB18030-encoded"),
    "bad-trim": (
        {A: md()}, "print: {trim: 185mm}\n",
        "book.yaml:8: 'print.trim' must be 2 length(s) in mm"),
}


@pytest.mark.parametrize("name", BAD_BOOKS)
def test_bad_book_reports_path_and_line(tmp_path, name):
    cases, extra, expected = BAD_BOOKS[name]
    book = make_book(tmp_path, cases, yaml_extra=extra)
    lines = assert_clean_failure(build(book, tmp_path / "out"))
    # Outside the working directory the path is shown absolute.
    assert len(lines) == 1 and lines[0].startswith(f"{book}/{expected}"), lines


def test_malformed_book_yaml(tmp_path):
    book = make_book(tmp_path, book_yaml="slug: t\ntitle: 书\nlang: zh-CN\nparts:\n  - [\n")
    lines = assert_clean_failure(build(book, tmp_path / "out"))
    assert len(lines) == 1
    assert lines[0].startswith(f"{book}/book.yaml:")
    assert "malformed YAML" in lines[0]


def test_several_problems_one_per_line(tmp_path):
    cases = {A: md("甲"),
             "source/cases/01/002-b.md": "---\nunit: 某\n---\n\n正文。\n",
             "source/cases/01/003-c.md": md(body=""),
             "source/cases/02/001-a.md": md("重名")}
    book = make_book(tmp_path, cases, slug="Bad")
    lines = assert_clean_failure(build(book, tmp_path / "out"))
    assert lines == [
        f"{book}/book.yaml:1: 'slug' must be lowercase ASCII letters, digits and '-' "
        "(got 'Bad')",
        f"{book}/source/cases/01/002-b.md:2: 'title' is missing from case front matter",
        f"{book}/source/cases/01/003-c.md:4: the body is empty; write the text, or mark the "
        "file 'status: pending'",
        f"{book}/book.yaml:{yaml_line(book, 'source/cases/02/001-a.md')}: two documents map "
        f"to the same output name '001-a' ({book}/{A} and {book}/source/cases/02/001-a.md); "
        "rename one",
    ]


def test_paths_inside_the_working_directory_are_shown_relative(tmp_path):
    book = make_book(tmp_path, {A: "---\nunit: 某\n---\n\n正文。\n"}, slug="Bad")
    result = cli("-q", "--book", "book", "--out", "out", cwd=book.parent, timeout=120)
    assert assert_clean_failure(result) == [
        "book/book.yaml:1: 'slug' must be lowercase ASCII letters, digits and '-' (got 'Bad')",
        f"book/{A}:2: 'title' is missing from case front matter"]


def test_no_book_yaml(tmp_path):
    lines = assert_clean_failure(build(tmp_path / "nothing", tmp_path / "out"))
    assert lines == [f"{tmp_path}/nothing/book.yaml: no book.yaml here; pass --book DIR "
                     "of a book project"]


@pytest.mark.parametrize("target", ["all", "pdf", "epub", "html"])
def test_failed_build_leaves_out_dir_untouched(tmp_path, target):
    book = make_book(tmp_path, {A: "---\ntitle: 甲\nunit: a: b\n---\n\n正文。\n"}, slug="x")
    dist = tmp_path / "dist"
    (dist / "html").mkdir(parents=True)
    (dist / "keep.txt").write_bytes("留着我\n".encode())
    (dist / "x.pdf").write_bytes(b"%PDF-1.7\n% an old edition\n" + bytes(range(256)))
    (dist / "x.epub").write_bytes(b"PK\x03\x04 old epub")
    (dist / "html" / "index.html").write_text("<p>old</p>\n")
    before = snapshot(dist)
    times = {p: p.stat().st_mtime_ns for p in dist.rglob("*")}
    lines = assert_clean_failure(build(book, dist, target))
    assert lines == [f"{book}/{A}:3: malformed YAML: mapping values are not allowed here"]
    assert snapshot(dist) == before  # same names (no staging left behind), same bytes
    assert {p: p.stat().st_mtime_ns for p in dist.rglob("*")} == times


def test_failed_build_does_not_create_out_dir(tmp_path):
    book = make_book(tmp_path, {A: md(body="")})
    assert_clean_failure(build(book, tmp_path / "new-dist"))
    assert not (tmp_path / "new-dist").exists()
    assert not (book / "dist").exists()
    assert not (book / ".casebook-cache").exists()


def test_failed_build_with_default_out_leaves_book_dist_untouched(tmp_path):
    book = make_book(tmp_path, {A: md(body="")})
    (book / "dist").mkdir()
    (book / "dist" / "keep.txt").write_text("keep\n")
    before = snapshot(book / "dist")
    assert_clean_failure(run("--book", str(book)))
    assert snapshot(book / "dist") == before


def test_unhashable_key_has_no_traceback(tmp_path):
    book = make_book(tmp_path, yaml_extra="[a, b]: c\n")
    lines = assert_clean_failure(build(book, tmp_path / "out"))
    assert lines[0].startswith(f"{book}/book.yaml:{yaml_line(book, '[a, b]')}: ")
