"""Editorial comments (<!-- … -->) reach no edition nor the search index; lint lists them."""

from __future__ import annotations

import gzip
import subprocess
import zipfile
from pathlib import Path

import pytest
from bookfactory import sample_copy
from conftest import cli

from casebook.build.pipeline import Options, build
from casebook.source import comments

NOTE = "编辑备注：此段待核实"
CASE = "source/cases/01/001-alpha.md"
ADDED = f"""
前文<!-- {NOTE} -->后文，同一段。

<!-- 多行备注
第二行：{NOTE}二 -->

<!-- 未闭合的说明
"""


def test_comments_are_found_outside_code_with_their_lines():
    text = "甲\n<!-- a -->\n`<!-- b -->`\n```\n<!-- c -->\n```\n乙<!-- d\ne -->丙\n"
    found = comments.find(text)
    assert [(c.line, c.note) for c in found] == [(2, "a"), (7, "d e")]
    stripped = comments.strip(text)
    assert stripped == "甲\n\n`<!-- b -->`\n```\n<!-- c -->\n```\n乙\n丙\n"
    assert stripped.count("\n") == text.count("\n")


def test_a_lone_backtick_does_not_hide_a_comment_in_a_later_paragraph():
    text = "甲 ` 乙\n\n<!-- 备注 -->\n\n丙 ` 丁\n"
    assert [c.note for c in comments.find(text)] == ["备注"]
    assert "备注" not in comments.strip(text)


def _visible(out: Path, slug: str = "sample") -> dict[str, str]:
    pdf = subprocess.run(["pdftotext", str(out / f"{slug}.pdf"), "-"], capture_output=True,
                         text=True, check=True).stdout
    with zipfile.ZipFile(out / f"{slug}.epub") as z:
        epub = "".join(z.read(n).decode() for n in z.namelist() if n.endswith(".xhtml"))
    html = "".join(p.read_text(encoding="utf-8") for p in (out / "html").rglob("*.html"))
    index = b"".join(gzip.decompress(p.read_bytes()) for p in (out / "html").rglob("*.pf_*")
                     if p.read_bytes()[:2] == b"\x1f\x8b")
    return {"pdf": pdf, "epub": epub, "html": html,
            "search": index.decode("utf-8", "replace")}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, Path]:
    book = sample_copy(tmp_path_factory.mktemp("comments") / "book")
    case = book / CASE
    case.write_text(case.read_text(encoding="utf-8") + ADDED, encoding="utf-8")
    out = book.parent / "out"
    build(Options(book_dir=book, out_dir=out))
    return book, out


def test_no_edition_and_no_search_index_shows_a_comment(built):
    _, out = built
    texts = _visible(out)
    assert "前文后文" in texts["html"].replace("\n", "")
    assert "同一段" in texts["search"], "the search index was not read"
    for edition, text in texts.items():
        assert NOTE not in text, edition
        assert "多行备注" not in text, edition


def test_an_unclosed_comment_is_text(built):
    """Code keeps its comments (the first test); so does a note never closed, shown as
    text where the editor sees it, rather than everything after it vanishing."""
    _, out = built
    texts = _visible(out)
    for edition in ("pdf", "epub", "html"):
        assert "未闭合的说明" in texts[edition], edition


def test_lint_lists_each_comment_with_its_line(built):
    book, _ = built
    result = cli("lint", "--book", book, book / CASE)
    lines = (book / CASE).read_text(encoding="utf-8").split("\n")
    first = next(i for i, line in enumerate(lines, 1) if NOTE in line)
    assert f"{CASE.split('/')[-1]}:{first}:" in result.stdout
    listed = [line for line in result.stdout.splitlines() if ": comment: " in line]
    assert len(listed) == 2, result.stdout
    assert NOTE in listed[0] and "多行备注" in listed[1]
