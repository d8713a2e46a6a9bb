"""The EPUB package metadata: identity, creators, accessibility (EPUB Accessibility 1.1), page source."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import jinja2
from ebooklib import epub as ebook

from casebook import model
from casebook.render import templates

ROLE_CODES = {"主编": "edt", "编": "edt", "编著": "edt", "编辑": "edt", "著": "aut",
              "译": "trl"}
CONFORMS_TO = "EPUB Accessibility 1.1 - WCAG 2.1 Level AA"
HAZARDS = ("none",)


@dataclass(frozen=True)
class Features:
    """What this EPUB holds, as far as its accessibility metadata is concerned."""

    images: int        # <img> elements, the cover's included
    described: int     # images with a non-empty alt text
    pages: int         # print page breaks (entries of the page-list)


def identifier(book: model.Book) -> str:
    if book.meta.isbn:
        return f"urn:isbn:{book.meta.isbn.replace('-', '')}"
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'casebook:' + book.meta.slug)}"


def package(book: model.Book, env: jinja2.Environment, features: Features,
            cover_id: str) -> ebook.EpubBook:
    """An ebooklib book carrying every metadata item of the package document."""
    pub = ebook.EpubBook()
    _identity(pub, book)
    _accessibility(pub, book, env, features)
    pub.add_metadata(None, "meta", "", {"name": "cover", "content": cover_id})
    return pub


def _identity(pub: ebook.EpubBook, book: model.Book) -> None:
    meta = book.meta
    pub.set_identifier(identifier(book))
    pub.set_title(meta.title)
    pub.set_language(meta.lang)
    for i, creator in enumerate(meta.creators):
        pub.add_author(creator.name, role=ROLE_CODES.get(creator.role, "aut"),
                       uid=f"creator{i + 1}")
    if meta.subtitle:
        pub.add_metadata("DC", "title", meta.subtitle, {"id": "subtitle"})
        pub.add_metadata(None, "meta", "subtitle", {"refines": "#subtitle",
                                                    "property": "title-type"})
    for name, value in (("publisher", meta.publisher), ("date", meta.date)):
        if value:
            pub.add_metadata("DC", name, value)


def accessibility(features: Features) -> dict[str, list[str]]:
    """The schema.org accessibility properties this EPUB can honestly claim."""
    described = features.images and features.described == features.images
    feature = ["tableOfContents", "readingOrder", "structuralNavigation",
               "displayTransformability"]
    if features.pages:
        feature += ["pageNavigation", "pageBreakMarkers"]
    if described:
        feature.append("alternativeText")
    modes, sufficient = ["textual"], ["textual"]
    if features.images:
        modes.append("visual")
        sufficient = (["textual"] if described else []) + ["textual,visual"]
    return {
        "schema:accessMode": modes,
        "schema:accessModeSufficient": sufficient,
        "schema:accessibilityFeature": feature,
        "schema:accessibilityHazard": list(HAZARDS),
    }


def _accessibility(pub: ebook.EpubBook, book: model.Book, env: jinja2.Environment,
                   features: Features) -> None:
    for prop, values in accessibility(features).items():
        for value in values:
            pub.add_metadata(None, "meta", value, {"property": prop})
    summary = templates.render_template(env, "epub/accessibility-summary.txt.j2", book=book,
                                     features=features).strip()
    pub.add_metadata(None, "meta", "".join(line.strip() for line in summary.splitlines()),
                     {"property": "schema:accessibilitySummary"})
    pub.add_metadata(None, "meta", CONFORMS_TO, {"property": "dcterms:conformsTo"})
    if features.pages:
        pub.add_metadata(None, "meta", page_source(book), {"property": "pageBreakSource"})


def page_source(book: model.Book) -> str:
    """The print edition the page breaks come from: its ISBN, or its title without one."""
    if book.meta.isbn:
        return f"urn:isbn:{book.meta.isbn.replace('-', '')}"
    return f"{book.meta.title}（印刷版 PDF）"
