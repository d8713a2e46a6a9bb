"""Footnotes numbered per case with ①②③: linked notes in the fragment, page-foot notes for print, EPUB pop-ups.

pandoc numbers the notes of each document from 1 and writes them as a ``section.footnotes``
list at its end, each linked both ways. ``mark`` sets the circled numbers; ``for_print``
moves each note into the text where it is called, as a ``span.footnote`` that the PDF style
floats to the foot of the page (``float: footnote``); ``for_epub`` makes each note an
``<aside epub:type="footnote">`` that Apple Books and Kobo show as a pop-up.
"""

from __future__ import annotations

import re

from lxml import etree
from lxml import html as lxml_html

_REF = re.compile(r'(<a href="#([^"]+--fn(\d+))" class="footnote-ref"[^>]*><sup>)(\d+)(</sup></a>)')
_ITEM = re.compile(r'(<li id="[^"]+--fn(\d+)">\s*<p\b[^>]*>)')
_BACK = re.compile(r'(<a href="#[^"]+--fnref(\d+)" class="footnote-back" role="doc-backlink")>')
OPS_NS = "http://www.idpf.org/2007/ops"
XHTML_NS = "http://www.w3.org/1999/xhtml"


def circled(number: int) -> str:
    """①…⑳, ㉑…㊿, then (51): the way Chinese books number notes."""
    if 1 <= number <= 20:
        return chr(0x2460 + number - 1)
    if 21 <= number <= 35:
        return chr(0x3251 + number - 21)
    if 36 <= number <= 50:
        return chr(0x32B1 + number - 36)
    return f"({number})"


def mark(html: str) -> str:
    """Circled note numbers in the text and before each note; a labelled back-link."""
    if "footnote-ref" not in html:
        return html
    html = _REF.sub(lambda m: m.group(1) + circled(int(m.group(4))) + m.group(5), html)
    html = _ITEM.sub(lambda m: f'{m.group(1)}<span class="footnote-mark">'
                               f'{circled(int(m.group(2)))}</span>', html)
    return _BACK.sub(lambda m: f'{m.group(1)} aria-label="返回注{circled(int(m.group(2)))}处">',
                     html)


def for_print(html: str) -> str:
    """Each note as a ``span.footnote`` at its call, for ``float: footnote``; no note list."""
    if "footnote-ref" not in html:
        return html
    root = lxml_html.fragment_fromstring(html, create_parent="div")
    notes = {li.get("id"): li for li in root.iterfind(".//section[@role='doc-endnotes']/ol/li")}
    for ref in list(root.iterfind(".//a[@class='footnote-ref']")):
        li = notes.get((ref.get("href") or "").lstrip("#"))
        if li is not None:
            _replace_call(ref, _print_note(li, ref.text_content()))
    for section in list(root.iterfind(".//section[@role='doc-endnotes']")):
        _drop(section)
    return (root.text or "") + "".join(
        lxml_html.tostring(child, encoding="unicode") for child in root)


def _print_note(li, label: str):
    """The note's paragraphs run together in one span (a float holds inline content here).

    A block other than a paragraph (a list, a quotation) keeps its text, as a line of its own.
    """
    note = etree.Element("span", {"class": "footnote", "data-mark": label})
    paragraphs = list(li) or [li]
    for i, para in enumerate(paragraphs):
        if para.tag != "p":
            parts = list(para) if para.tag in ("ul", "ol") else [para]
            text = "；".join(part.text_content().strip() for part in parts)
            para = etree.fromstring(f"<p>{_escape(text)}</p>")
        for drop in list(para.iterfind(".//a[@class='footnote-back']")):
            _drop(drop)
        for drop in list(para.iterfind(".//span[@class='footnote-mark']")):
            _drop(drop)
        if i:
            note.append(etree.Element("br"))
        _append_content(note, para)
    return note


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _append_content(target, source) -> None:
    if source.text:
        if len(target):
            target[-1].tail = (target[-1].tail or "") + source.text
        else:
            target.text = (target.text or "") + source.text
    for child in list(source):
        target.append(child)


def _replace_call(ref, note) -> None:
    note.tail = ref.tail
    ref.getparent().replace(ref, note)


def _drop(element) -> None:
    """Remove an element and keep its tail text."""
    parent = element.getparent()
    if element.tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)


def for_epub(root) -> None:
    """Replace the note list of an XHTML document with one ``aside epub:type=footnote`` per note."""
    x = f"{{{XHTML_NS}}}"
    for section in list(root.iter(f"{x}section")):
        if section.get("role") != "doc-endnotes":
            continue
        parent, index = section.getparent(), section.getparent().index(section)
        for offset, li in enumerate(list(section.iterfind(f"{x}ol/{x}li"))):
            aside = etree.Element(f"{x}aside", {f"{{{OPS_NS}}}type": "footnote",
                                                "role": "doc-footnote", "class": "footnote",
                                                "id": li.get("id")})
            aside.text, aside.tail = li.text, "\n"
            for child in list(li):
                aside.append(child)
            parent.insert(index + offset, aside)
        _drop(section)
