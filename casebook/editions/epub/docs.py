"""The EPUB's XHTML documents in spine order: rendered from templates, parsed, given EPUB semantics."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import jinja2
from lxml import etree

from casebook import model
from casebook.editions import Cover
from casebook.editions.common import to_xhtml
from casebook.errors import RenderError
from casebook.render import notes, templates, xref
from casebook.render.fragments import Fragments
from casebook.render.images import prefix_src

XHTML_NS = "http://www.w3.org/1999/xhtml"
OPS_NS = "http://www.idpf.org/2007/ops"
EPUB_TYPE = f"{{{OPS_NS}}}type"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True)


def x(tag: str) -> str:
    """The qualified name of an XHTML element."""
    return f"{{{XHTML_NS}}}{tag}"


@dataclass
class Doc:
    """One XHTML content document: its manifest id, its href (relative to the OPF), its tree."""

    uid: str
    href: str
    root: etree._Element
    properties: tuple[str, ...] = ()

    def data(self) -> bytes:
        markup = etree.tostring(self.root, encoding="unicode")
        return f'<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html>\n{markup}\n'.encode()


def parse(text: str, where: str) -> etree._Element:
    """Parse generated XHTML; a template that writes bad markup is an error naming it."""
    try:
        return etree.fromstring(text.encode("utf-8"), _PARSER)
    except etree.XMLSyntaxError as exc:
        raise RenderError(f"the EPUB template output is not well-formed XML: {exc}",
                          where) from None


def hrefs(book: model.Book) -> dict[str, str]:
    """Where each document of the reading order lives in the EPUB."""
    return {item.id: f"text/{item.id}.xhtml" for item in book.reading_order()}


def documents(book: model.Book, fragments: Fragments, env: jinja2.Environment,
              cover: Cover, nav_context: dict) -> list[Doc]:
    """Cover, title page, copyright, front matter, the TOC (nav), body, back matter."""
    def page(template: str, uid: str, title: str, matter: str, **ctx) -> Doc:
        text = templates.render_template(env, f"epub/{template}.xhtml.j2", book=book,
                                      title=title, matter=matter, **ctx)
        return Doc(uid, f"text/{uid}.xhtml", parse(text, f"templates/epub/{template}.xhtml.j2"))

    docs = [page("cover", "cover", book.meta.title, "frontmatter", cover=cover),
            page("titlepage", "titlepage", book.meta.title, "frontmatter"),
            page("copyright", "copyright", "版权页", "frontmatter")]
    nav_text = templates.render_template(env, "epub/nav.xhtml.j2", book=book, **nav_context)
    nav = Doc("nav", "nav.xhtml", parse(nav_text, "templates/epub/nav.xhtml.j2"), ("nav",))
    items = list(book.reading_order())
    split = len(book.front)  # reading_order() starts with the front matter
    local = {key: href.removeprefix("text/") for key, href in hrefs(book).items()}
    docs += [_document(item, fragments, page, local) for item in items[:split]]
    docs.append(nav)
    docs += [_document(item, fragments, page, local) for item in items[split:]]
    for doc in docs:
        add_semantics(doc.root)
    return docs


def _document(item, fragments: Fragments, page, local: dict[str, str]) -> Doc:
    if isinstance(item, model.Part):
        return page("part", item.id, item.title, "bodymatter", part=item)
    body = to_xhtml(xref.localise(prefix_src(fragments[item.id], "../"), item.id, local))
    if isinstance(item, model.Case):
        doc = page("case", item.id, item.title, "bodymatter", doc=item, fragment=body)
    else:
        matter = "frontmatter" if item.section == "front" else "backmatter"
        doc = page("matter", item.id, item.title, matter, doc=item, fragment=body)
    # a document with MathML says so in the manifest (EPUB 3: the "mathml" property)
    return dataclasses.replace(doc, properties=("mathml",)) if "<math" in body else doc


def add_semantics(root: etree._Element) -> None:
    """Give pandoc's note references and endnote sections the epub:type their role implies.

    Footnotes become pop-up ``aside epub:type="footnote"`` elements (notes.py).
    """
    notes.for_epub(root)
    for link in root.iter(x("a")):
        if link.get("role") == "doc-noteref":
            link.set(EPUB_TYPE, "noteref")
    for section in root.iter(x("section")):
        if section.get("role") == "doc-endnotes":
            section.set(EPUB_TYPE, "endnotes")


def images_have_text(docs: list[Doc]) -> tuple[int, int]:
    """How many images the documents show, and how many of them carry a text alternative."""
    images = [img for doc in docs for img in doc.root.iter(x("img"))]
    return len(images), sum(1 for img in images if (img.get("alt") or "").strip())
