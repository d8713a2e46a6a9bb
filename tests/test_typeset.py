"""标点挤压: which mark of a pair gets the halt span, and that tags and attributes stay put."""

import dataclasses

import pytest
from conftest import ROOT

from casebook.render import fragments as render
from casebook.render.typeset import mark_halt
from casebook.source import loader as source

H = '<span class="halt">{}</span>'


@pytest.mark.parametrize("text, expected", [
    ("他说：“好。”", f"他说{H.format('：')}“好{H.format('。')}”"),
    ("（见图）。", f"（见图{H.format('）')}。"),
    ("甲，“乙”", f"甲{H.format('，')}“乙”"),
    ("“《书》”", f"“{H.format('《')}书{H.format('》')}”"),   # opening pair: the second
    ("“”", "“”"),                                            # open then close: no blank between
    ("甲。乙，丙", "甲。乙，丙"),                              # no pair, nothing to do
    ("。”）", f"{H.format('。')}{H.format('”')}）"),          # a run: each facing blank
])
def test_the_mark_with_the_facing_blank_is_halted(text, expected):
    assert mark_halt(f"<p>{text}</p>") == f"<p>{expected}</p>"


def test_marks_meet_across_inline_tags_but_not_across_blocks():
    assert mark_halt("<p><strong>“甲”</strong>，乙</p>") == \
        f"<p><strong>“甲{H.format('”')}</strong>，乙</p>"
    assert mark_halt("<p>甲。</p>\n<p>”乙</p>") == "<p>甲。</p>\n<p>”乙</p>"
    assert mark_halt('<p>甲。<a href="#fn1"><sup>1</sup></a>”</p>') == \
        '<p>甲。<a href="#fn1"><sup>1</sup></a>”</p>'


def test_tags_attributes_and_code_are_left_alone():
    html = '<p id="a。”" title="，“">文</p><pre><code>x。”</code></pre><!-- 。” -->'
    assert mark_halt(html) == html


def test_idempotent():
    once = mark_halt("<p>他说：“好。”</p>")
    assert mark_halt(once) == once


def test_fragments_carry_halt_spans_for_every_edition():
    """render_all applies it: the real case 1 has six pairs (。” ”， and the like)."""
    book = source.load(ROOT).select(False)
    part = book.parts[0]
    doc = part.cases[0]
    alone = dataclasses.replace(book, front=(), back=(),
                                parts=(dataclasses.replace(part, cases=(doc,)),))
    html = render.render_all(alone)[doc.id]
    assert html.count('<span class="halt">') == 6
    assert '行动<span class="halt">”</span>，' in html
