"""The outline written from the TOC is the one pikepdf's OutlineItem writes."""

from __future__ import annotations

import pikepdf
import pytest
from pikepdf import Array, Dictionary, Name, OutlineItem, String

from casebook.editions.pdf import post as pdf_post
from casebook.model import TocEntry

TREE = [(TocEntry(1, "第一部分", "part-1"),
         [TocEntry(2, "案例一", "c1"), TocEntry(2, "案例二", "c2")]),
        (TocEntry(1, "前言", "preface"), []),
        (TocEntry(1, "第二部分", "part-2"), [TocEntry(2, "案例三", "c3")])]


def _pikepdfs(tree) -> pikepdf.Pdf:
    pdf = pikepdf.new()
    with pdf.open_outline() as outline:
        for entry, children in tree:
            item = OutlineItem(entry.title, String(entry.target))
            item.children.extend(OutlineItem(c.title, String(c.target)) for c in children)
            outline.root.append(item)
    return pdf


def _ours(tree) -> pikepdf.Pdf:
    pdf = pikepdf.new()
    pdf.Root.Outlines = pdf_post.outline(pdf, tree)
    return pdf


def _shape(obj, seen=None):
    """An outline dictionary as nested plain values; links to items by their titles."""
    out = {}
    for key, value in obj.items():
        if key in ("/Parent", "/Prev", "/Next", "/First", "/Last"):
            out[key] = str(value.get("/Title", "(root)"))
        elif isinstance(value, (Dictionary, Array)):
            out[key] = repr(value)
        else:
            out[key] = str(value) if isinstance(value, (String, Name)) else int(value)
    return out


def _items(pdf) -> list[dict]:
    found, todo = [], [pdf.Root.Outlines]
    while todo:
        obj = todo.pop()
        found.append(_shape(obj))
        for key in ("/First", "/Next"):
            if key in obj:
                todo.append(obj[key])
    return found


@pytest.mark.parametrize("tree", [TREE, TREE[1:2]], ids=["book", "one"])
def test_the_outline_is_the_one_pikepdf_writes(tree):
    assert _items(_ours(tree)) == _items(_pikepdfs(tree))
    assert int(_ours(tree).Root.Outlines.Count) == sum(1 + len(c) for _, c in tree)


def test_an_empty_toc_is_an_empty_outline():
    assert _items(_ours([])) == [{"/Type": "/Outlines"}]
