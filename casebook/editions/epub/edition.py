"""The EPUB 3 edition: XHTML from templates, a print page-list, a cover, packaged with ebooklib."""

from __future__ import annotations

import logging
import zipfile
from pathlib import Path

from ebooklib import epub as ebook
from lxml import etree

from casebook import model
from casebook.clock import build_time
from casebook.editions import Cover, Inputs
from casebook.editions.common import toc_tree
from casebook.editions.epub import docs as epub_docs
from casebook.editions.epub import fonts as epub_fonts
from casebook.editions.epub import images as epub_images
from casebook.editions.epub import meta as epub_meta
from casebook.editions.epub import pagelist
from casebook.editions.epub.docs import Doc
from casebook.errors import RenderError
from casebook.fsio import published
from casebook.pagemap import PageMap
from casebook.render import fontstack, templates
from casebook.render.fragments import Fragments
from casebook.render.images import MEDIA_TYPES

log = logging.getLogger(__name__)
COVER_ID = "cover-image"


def write(book: model.Book, out_dir: Path, inputs: Inputs) -> Path:
    """Write ``<slug>.epub`` into ``out_dir`` and return its path.

    ``inputs.pagemap`` comes from the print layout (when the build lays the PDF out) and
    gives the page-list; ``inputs.cover`` is the screen cover. ``embed_fonts`` in
    ``inputs.options`` (or book.yaml ``epub.embed_fonts``) embeds subset fonts.
    """
    fragments = epub_images.for_epub(inputs.fragments)
    env = templates.environment(book)
    cover = inputs.cover
    docs, pages = _documents(book, fragments, env, cover, inputs.pagemap)
    embed = inputs.options.get("embed_fonts") or book.meta.epub.embed_fonts
    embedded = epub_fonts.embed(docs, book.meta.fonts) if embed else []
    pub = _package(book, env, docs, pages, embedded)
    for item in _binaries(cover, fragments, embedded):
        pub.add_item(item)
    target = Path(out_dir) / f"{book.meta.slug}.epub"
    _Writer(str(target), pub, book.meta.lang).write()
    log.info("EPUB: %s (%d documents, %d print pages in the page-list, %d KB)",
             published(target), len(docs), len(pages), target.stat().st_size // 1024)
    return target


def _documents(book: model.Book, fragments: Fragments, env, cover: Cover,
               pagemap: PageMap | None) -> tuple[list[Doc], list[pagelist.PageTarget]]:
    """The XHTML documents in spine order, with the print page breaks placed in them."""
    hrefs = epub_docs.hrefs(book)
    docs = epub_docs.documents(book, fragments, env, cover, _nav_context(book, hrefs))
    if pagemap is None:
        log.debug("EPUB: no print layout was given, so no page-list")
        return docs, []
    pages = pagelist.place(docs, pagemap)
    _add_page_list(env, book, docs, pages)
    return docs, pages


def _package(book: model.Book, env, docs: list[Doc], pages, embedded) -> ebook.EpubBook:
    """The package: metadata, the documents in the spine, the NCX and the stylesheet."""
    images, described = epub_docs.images_have_text(docs)
    features = epub_meta.Features(images, described, len(pages))
    pub = epub_meta.package(book, env, features, COVER_ID)
    for doc in docs:
        pub.add_item(_item(doc.uid, doc.href, doc.data(), doc.properties))
    pub.add_item(_ncx(env, book, docs, epub_docs.hrefs(book), pages))
    pub.add_item(_stylesheet(env, book, embedded))
    pub.spine = [doc.uid for doc in docs]
    return pub


def _nav_context(book: model.Book, hrefs: dict[str, str]) -> dict:
    first = next(iter(book.parts), None)
    return {"tree": toc_tree(book), "hrefs": hrefs,
            "bodymatter": hrefs[first.id] if first else ""}


def _add_page_list(env, book: model.Book, docs: list[Doc], pages) -> None:
    """Append the page-list nav to nav.xhtml, after the TOC and the landmarks."""
    text = templates.render_template(env, "epub/page-list.xhtml.j2", book=book, pages=pages)
    nav = next(doc for doc in docs if doc.uid == "nav")
    body = nav.root.find(epub_docs.x("body"))
    body.append(epub_docs.parse(text, "templates/epub/page-list.xhtml.j2"))
    body[-1].tail = "\n"
    etree.cleanup_namespaces(nav.root)


def _ncx(env, book: model.Book, docs: list[Doc], hrefs: dict[str, str], pages) -> ebook.EpubItem:
    play = pagelist.play_order([d.href for d in docs], {hrefs[e.target] for e in book.toc()},
                               pages)
    text = templates.render_template(
        env, "epub/toc.ncx.j2", book=book, tree=toc_tree(book), hrefs=hrefs, play=play,
        uid=epub_meta.identifier(book), pages=pages,
        max_page=max((int(p.label) for p in pages if not p.front), default=0))
    return _item("ncx", "toc.ncx", text.encode(), media_type="application/x-dtbncx+xml")


def _stylesheet(env, book: model.Book, embedded) -> ebook.EpubItem:
    css = (templates.style("common.css", book) + templates.style("epub.css", book)
           + templates.style("screen-code.css", book)
           + templates.render_template(env, "shared/screen-fonts.css.j2", edition="epub",
                                       **fontstack.css_context(book.meta.fonts)))
    if embedded:
        css += templates.render_template(env, "epub/fonts.css.j2", book=book, embedded=embedded)
    return _item("css", "styles/epub.css", css.encode(), media_type="text/css")


def _binaries(cover: Cover, fragments: Fragments, embedded) -> list[ebook.EpubItem]:
    if cover.name in fragments.images:
        raise RenderError(f"the book has an image at {cover.name}, where the EPUB keeps its "
                          "cover; move or rename that image")
    items = [_item(COVER_ID, cover.name, cover.data, ("cover-image",), cover.media_type)]
    for rel, path in fragments.images.items():
        items.append(_item(_image_id(rel), rel, epub_images.payload(rel, path),
                           media_type=MEDIA_TYPES[Path(rel).suffix.lower()]))
    for font in embedded:
        items.append(_item(f"font-{font.role.stem}", font.name, font.data,
                           media_type=epub_fonts.MEDIA_TYPE))
    return items


def _item(uid: str, name: str, data: bytes, properties=(),
          media_type: str = "application/xhtml+xml") -> ebook.EpubItem:
    item = ebook.EpubItem(uid=uid, file_name=name, media_type=media_type, content=data)
    item.properties = list(properties)
    return item


def _image_id(rel: str) -> str:
    return "img-" + "".join(c if c.isalnum() else "-" for c in rel)


class _Writer(ebook.EpubWriter):
    """ebooklib's writer with xml:lang on <package> and fixed zip timestamps."""

    def __init__(self, name: str, pub: ebook.EpubBook, lang: str):
        stamp = build_time()
        super().__init__(name, pub, {"mtime": stamp.replace(tzinfo=None),
                                     "epub3_landmark": False, "epub3_pages": False})
        self.lang = lang
        self.stamp = stamp.timetuple()[:6]

    def _write_opf_file(self, root):
        root.set("{http://www.w3.org/XML/1998/namespace}lang", self.lang)
        super()._write_opf_file(root)

    def write(self):
        self.out = _FixedTimeZip(self.file_name, "w", zipfile.ZIP_DEFLATED, compresslevel=9,
                                 stamp=self.stamp)
        self.out.writestr("mimetype", "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        self._write_container()
        self._write_opf()
        self._write_items()
        self.out.close()


class _FixedTimeZip(zipfile.ZipFile):
    """A ZipFile whose entries all carry one timestamp, so builds can be byte-identical."""

    def __init__(self, *args, stamp, **kwargs):
        super().__init__(*args, **kwargs)
        self.stamp = max(stamp, (1980, 1, 1, 0, 0, 0))

    def writestr(self, name, data, compress_type=None, compresslevel=None):
        if isinstance(name, str):
            name = zipfile.ZipInfo(name, date_time=self.stamp)
            name.compress_type = compress_type if compress_type is not None else self.compression
            name.external_attr = 0o644 << 16
        super().writestr(name, data, compress_type, compresslevel)
