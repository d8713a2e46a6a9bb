"""Manuscript status: received and pending per part, lengths against the original, PDF pages."""

from __future__ import annotations

import json

import pytest
from bookfactory import make_book, md
from conftest import ROOT, cli

from casebook.authoring import status
from casebook.source import loader as source

SYNTHETIC = "合成正文。"  # synthetic filler text, 5 characters


@pytest.fixture
def small(tmp_path):
    cases = {
        # part 1: a normal case (2 original pages), then a pending one
        "source/cases/01/001-a.md": md("甲", SYNTHETIC * 256 + "\n", print_page=1),
        "source/cases/01/002-b.md": md("乙", "", status="pending", print_page=3),
        # part 2: a case far too short for its 4 pages, then one far too long for its 1 page
        "source/cases/02/003-c.md": md("丙", "## 一、小节\n\n" + SYNTHETIC * 40 + "\n", print_page=6),
        "source/cases/02/004-d.md": md("丁", SYNTHETIC * 300 + "\n", print_page=10),
    }
    back = {"source/back/afterword.md": md("后记", "", status="pending", print_page=11)}
    return make_book(tmp_path, cases, back=back)


def test_counts_spans_flags_and_pages(small):
    st = status.status(source.load(small))
    assert [(p.number, p.received, p.pending) for p in st.parts] == [(1, 1, 1), (2, 2, 0)]
    rows = {r.title: r for r in st.cases}
    a, b, c, d = rows["甲"], rows["乙"], rows["丙"], rows["丁"]
    assert (a.chars, a.span, a.ratio, a.flag, a.pdf_pages) == (1280, 2, 1.0, "", 2)
    assert (b.status, b.span, b.span_crosses_part, b.flag, b.pdf_pages) == (
        "pending", 3, True, "", 2)  # 3 pages × 640 / 1000 → 2 PDF pages
    assert (c.chars, c.span, c.flag) == (4 + 200, 4, "short")  # the heading's 一、小节 counts
    assert (d.span, d.flag, d.pdf_pages) == (1, "long", 2)  # up to the back matter's page
    assert st.parts[0].pdf_pages == 2 + 2 + 2 and st.parts[1].pdf_pages == 2 + 1 + 2
    assert st.pdf_pages == 11 + 1  # the pending afterword: no next page, one placeholder page


def test_count_chars_leaves_out_markup_and_whitespace():
    text = ("## 一、标题 {#id}\n\n正文**强调**[链接](https://example.org/x)。[^1]\n\n"
            "::: {.commentary by=\"某人\"}\n点评。\n:::\n\n[^1]: 注释。\n")
    assert status.count_chars(text) == len("一、标题正文强调链接。点评。注释。")


def test_cli_table_and_json(small, tmp_path):
    table = cli("status", "--book", str(small))
    assert table.returncode == 0, table.stderr
    assert "Traceback" not in table.stderr
    assert "4 cases: 3 received, 1 pending, in 2 parts" in table.stdout
    assert any(line.split()[:2] == ["3", "丙"] and "short" in line
               for line in table.stdout.splitlines()), table.stdout
    out = cli("status", "--book", str(small), "--json", "-")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["totals"]["received"] == 3 and data["totals"]["pending"] == 1
    assert [c["flag"] for c in data["cases"]] == ["", "", "short", "long"]
    target = tmp_path / "status.json"
    assert cli("status", "--book", str(small), "--json", str(target)).returncode == 0
    assert json.loads(target.read_text(encoding="utf-8")) == data


def test_cli_reports_a_broken_book_without_traceback(tmp_path):
    root = make_book(tmp_path, {"source/cases/01/001-a.md": "---\ntitel: 甲\n---\n\n正文\n"})
    result = cli("status", "--book", str(root))
    assert result.returncode == 1
    assert "001-a.md:2: unknown key 'titel'" in result.stderr
    assert "Traceback" not in result.stderr


def test_real_book():
    st = status.status(source.load(ROOT))
    assert (st.received, st.pending, len(st.parts)) == (1, 109, 9)
    assert [p.received + p.pending for p in st.parts] == [19, 12, 19, 15, 16, 5, 11, 8, 5]
    case1 = st.cases[0]
    assert (case1.title, case1.status, case1.chars, case1.print_page, case1.span) == (
        "外资银行金融机构党建工作探索", "received", 2560, 3, 4)
    assert case1.ratio == pytest.approx(1.0) and case1.flag == ""
    assert case1.pdf_pages == 3  # as built: PDF pages 15–17
    assert st.cases[-1].span == 354 - 351  # the last case runs up to the afterword
