"""Helpers the editions share: the nested TOC, PDF dates, and XHTML conversion of fragments."""

from __future__ import annotations

import datetime

from lxml import etree
from lxml import html as lxml_html

from casebook import model


def toc_tree(book: model.Book) -> list[tuple[model.TocEntry, list[model.TocEntry]]]:
    """The TOC as level-1 entries, each with its level-2 children."""
    tree: list[tuple[model.TocEntry, list[model.TocEntry]]] = []
    for entry in book.toc():
        if entry.level == 1 or not tree:
            tree.append((entry, []))
        else:
            tree[-1][1].append(entry)
    return tree


PAINTED_AT = "2000-01-01T00:00:00+00:00"  # what cached PDFs are painted with; see set_dates


def set_dates(pdf_file, when: datetime.datetime) -> None:
    """The build's date in a PDF's Info dictionary and XMP, where it was painted with
    PAINTED_AT: a PDF kept in a cache is then dated as a fresh one would be."""
    import pikepdf
    stamp = when.strftime("D:%Y%m%d%H%M%S+00'00'")
    pdf_file.docinfo[pikepdf.Name.CreationDate] = pikepdf.String(stamp)
    pdf_file.docinfo[pikepdf.Name.ModDate] = pikepdf.String(stamp)
    iso = when.isoformat()
    with pdf_file.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
        for key in ("xmp:CreateDate", "xmp:ModifyDate", "xmp:MetadataDate"):
            meta[key] = iso


def to_xhtml(fragment: str) -> str:
    """Serialise an HTML5 fragment from pandoc as well-formed XHTML."""
    if not fragment.strip():
        return ""
    # lxml's HTML parser does not know <wbr> (render/breaks.py) is empty: it would hold the
    # text after it. It passes as a marked <span> and comes back as <wbr/>.
    fragment = fragment.replace("<wbr>", _WBR_SPAN)
    wrapper = lxml_html.fragment_fromstring(fragment, create_parent="div")
    parts = [etree.tostring(child, encoding="unicode", method="xml") for child in wrapper]
    head = wrapper.text or ""
    return (head + "".join(parts)).replace(_WBR_SPAN, "<wbr/>")


_WBR_SPAN = '<span class="casebook-wbr"></span>'
