"""Helpers the editions share: the nested TOC, timestamps, and XHTML conversion of fragments."""

from __future__ import annotations

import datetime
import os

from lxml import etree, html as lxml_html

from .. import model


def toc_tree(book: model.Book) -> list[tuple[model.TocEntry, list[model.TocEntry]]]:
    """The TOC as level-1 entries, each with its level-2 children."""
    tree: list[tuple[model.TocEntry, list[model.TocEntry]]] = []
    for entry in book.toc():
        if entry.level == 1 or not tree:
            tree.append((entry, []))
        else:
            tree[-1][1].append(entry)
    return tree


def build_time() -> datetime.datetime:
    """SOURCE_DATE_EPOCH when set (reproducible builds), otherwise now, in UTC."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return datetime.datetime.fromtimestamp(int(epoch), tz=datetime.timezone.utc)
    return datetime.datetime.now(tz=datetime.timezone.utc).replace(microsecond=0)


def to_xhtml(fragment: str) -> str:
    """Serialise an HTML5 fragment from pandoc as well-formed XHTML."""
    if not fragment.strip():
        return ""
    wrapper = lxml_html.fragment_fromstring(fragment, create_parent="div")
    parts = [etree.tostring(child, encoding="unicode", method="xml") for child in wrapper]
    head = wrapper.text or ""
    return head + "".join(parts)
