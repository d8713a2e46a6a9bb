"""Dot leaders as one text run per line: WeasyPrint's dots, in its places, drawn at once."""

from __future__ import annotations

import pypdfium2
import pytest
import weasyprint
from weasyprint.layout import inline, leader

from casebook.editions import weasy
from casebook.editions.weasy import leaders as pdf_leaders

HTML = """<html lang="zh"><body style="font-family:'Noto Serif CJK SC'; width: 12cm">
<p><a href="#a">序言</a></p><p><a href="#b">探索党群联动机制　构建和谐劳资关系</a></p>
<p><a href="#c">一个很长很长很长很长很长很长很长很长很长很长很长很长很长的标题</a></p>
<p><a href="#d">短</a></p>
<p id="a">a</p><p id="b">b</p><p id="c">c</p><p id="d">d</p></body></html>"""
STYLE = "a::after { content: leader('.') '123'; } p { margin: 0 }"


@pytest.fixture
def weasyprints_own(monkeypatch):
    """WeasyPrint's leader code, as it is without casebook's patch."""
    weasy.install()
    original = weasy.upstream("leaders")
    monkeypatch.setattr(leader, "handle_leader", original)
    monkeypatch.setattr(inline, "handle_leader", original)


def _painted() -> bytes:
    return weasyprint.HTML(string=HTML).write_pdf(stylesheets=[weasyprint.CSS(string=STYLE)])


def _dots(data: bytes) -> list[tuple[float, float]]:
    page = pypdfium2.PdfDocument(data)[0].get_textpage()
    boxes = (page.get_charbox(i) for i in range(page.count_chars())
             if page.get_text_range(i, 1) == ".")
    return sorted((round(bottom, 1), left) for left, bottom, _, _ in boxes)


def _text_objects(data: bytes) -> int:
    page = pypdfium2.PdfDocument(data)[0]
    return sum(1 for obj in page.get_objects() if obj.type == pypdfium2.raw.FPDF_PAGEOBJ_TEXT)


@pytest.fixture
def own(weasyprints_own) -> bytes:
    return _painted()


def test_the_dots_are_weasyprints_own_in_number_and_place(own, monkeypatch):
    monkeypatch.setattr(inline, "handle_leader", pdf_leaders.handle_leader)
    ours = _painted()
    theirs, mine = _dots(own), _dots(ours)
    assert len(mine) == len(theirs) > 100
    assert [y for y, _ in mine] == [y for y, _ in theirs], "each line keeps its dots"
    assert max(abs(a - b) for (_, a), (_, b) in zip(mine, theirs)) < 0.05  # points
    assert _text_objects(ours) < _text_objects(own) / 10

