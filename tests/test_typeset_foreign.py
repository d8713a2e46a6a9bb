"""The typeset audit on a PDF casebook did not write: without block ids, and Typst's with them.

A PDF without named destinations ``<doc>--b<n>`` cannot tell the audit where a paragraph or a
document begins, so the kinds that need it are ``n/a``, never 0. Typst's PDF of a test book,
written as bench/typst_peer.py writes it (pandoc -t typst, the bench's preamble and filter),
gets those ids from the positions Typst reports and is then audited like casebook's. typst is
a bench tool, not a casebook dependency: that test runs when it can be imported here or in
the bench's environment (``make bench-env``), and is skipped otherwise.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest
from bookfactory import make_book, md
from conftest import ROOT
from test_typeset_audit import (CASE, DOC, crafted, kinds, measure, page_css, source_line,
                                words)

from casebook.check import typeset
from casebook.check import typeset_layout as layout
from casebook.check import typeset_rules as rules
from casebook.geometry import BODY_PT, LINE_HEIGHT
from casebook.source import loader as source

BENCH = ROOT / "bench"
BENCH_PY = BENCH / ".venv" / "bin" / "python"


def ending_in_one_character(tmp_path: Path, indent: int = 0) -> str:
    """A paragraph one character longer than its first line (``indent`` ems in), and 。."""
    chars = measure(source.load(make_book(tmp_path / "m")).select(False)) - indent + 1
    return words(chars, 4) + "。"


def test_a_pdf_without_block_ids_says_n_a_for_what_needs_them(tmp_path, caplog):
    from weasyprint import HTML
    text = ending_in_one_character(tmp_path)
    book, pdf = crafted(tmp_path / "ids", [words(12, 5) + "。", text])
    assert kinds(typeset.audit(pdf, book)) == ["single-char-line"]  # the ids tell paragraphs
    # the same page without any id: the last line is still one character, but of what?
    bare = tmp_path / "bare.pdf"
    HTML(string=f'<html lang="zh-CN"><head><style>{page_css(book)}</style></head><body>'
                f'<p>{words(12, 5)}。</p><p>{text}</p></body></html>').write_pdf(bare)
    report = typeset.audit(bare, book)
    assert report.not_applicable == typeset.BY_BLOCK
    assert report.findings == () and report.body_lines == 3
    assert report.summary().endswith("n/a without block ids: lonely-lines, short-page, "
                                     "single-char-line, split-mark")
    assert "no block ids" in caplog.text
    caplog.clear()  # the warning was expected


# -- Typst -------------------------------------------------------------------------------------
def _compiler():
    """A function compiling (typ, pdf, marks) with bench/typst_compile.py, or a skip."""
    script = BENCH / "typst_compile.py"
    if importlib.util.find_spec("typst") is not None:
        return lambda *paths: subprocess.run([sys.executable, str(script), *map(str, paths)])
    if BENCH_PY.exists():
        return lambda *paths: subprocess.run([str(BENCH_PY), str(script), *map(str, paths)])
    pytest.skip("typst is not importable: it is a bench tool, not a casebook dependency "
                "(`make bench-env` installs it in bench/.venv)")


@pytest.fixture
def peer(monkeypatch):
    monkeypatch.syspath_prepend(str(BENCH))
    import typst_markup
    import typst_peer
    return typst_markup, typst_peer


def test_typst_pdf_is_read_through_the_ids_typst_placed(tmp_path, peer, caplog):
    typst_markup, typst_peer = peer
    compile_ = _compiler()
    import pypandoc
    text = ending_in_one_character(tmp_path, indent=2)  # the preamble indents paragraphs 2 em
    body = f"{words(12, 5)}。[^1]\n\n{text}\n\n[^1]: 注文。\n"
    root = make_book(tmp_path, {CASE: md("甲", body)})
    book = source.load(root).select(False)
    typ = typst_markup.write(book, tmp_path / "book.typ", pypandoc.get_pandoc_path())
    # Typst avoids a one-character last line by itself (its runt cost): allow it here
    typ.write_text(typ.read_text(encoding="utf-8").replace(
        "#set block(spacing: 0pt)", "#set block(spacing: 0pt)\n#set text(costs: (runt: 0%))"),
        encoding="utf-8")
    pdf, marks = tmp_path / "book.pdf", tmp_path / "marks.json"
    assert compile_(typ, pdf, marks).returncode == 0

    bare = typeset.audit(pdf, book)
    assert bare.not_applicable == typeset.BY_BLOCK and "single-char-line" not in kinds(bare)
    caplog.clear()  # its expected warning: no block ids

    import json
    assert typst_peer.add_destinations(pdf, json.loads(marks.read_text())["marks"]) >= 4
    report = typeset.audit(pdf, book)
    assert report.not_applicable == ()
    (single,) = [f for f in report.findings if f.kind == "single-char-line"]
    assert single.source == f"{root / CASE}:{source_line(root, text)}"
    assert single.text.endswith(f"“{text[-2:]}”")
    # the preamble sets casebook's line pitch: a paragraph's lines are 1.7 × 10.5 pt apart
    block = typeset.text_block(book)
    lines = [line for sheet in layout.read(pdf) for line in rules.Page.of(sheet, block).body
             if line.block.startswith(f"{DOC}--")]
    assert [line.block for line in lines] == [lines[0].block] + [lines[1].block] * 2 \
        and lines[0].block != lines[1].block  # paragraph 1: one line; paragraph 2: two
    pitches = {round(b.baseline - a.baseline, 2) for a, b in zip(lines, lines[1:])
               if a.block == b.block}
    assert pitches == {round(BODY_PT * LINE_HEIGHT, 2)}
    # Typst's footnote separator is a stroke, not WeasyPrint's frame: the note is found below it
    (page,) = [rules.Page.of(sheet, block) for sheet in layout.read(pdf) if sheet.index == 6]
    assert [line.text for line in page.notes] == ["①注文。"]
    assert page.foot < page.notes[0].top
