"""The EPUB 3 edition: XHTML from templates, packaged with ebooklib, nav + NCX from the Book."""

from __future__ import annotations

import logging
import uuid
import zipfile
from pathlib import Path

from ebooklib import epub as ebook

from .. import model, render
from ..images import MEDIA_TYPES, prefix_src
from ..pagemap import PageMap
from ..render import Fragments
from .common import build_time, to_xhtml, toc_tree

log = logging.getLogger(__name__)
XHTML = "application/xhtml+xml"
ROLE_CODES = {"主编": "edt", "编": "edt", "编著": "edt", "编辑": "edt", "著": "aut",
              "译": "trl"}


def write(book: model.Book, out_dir: Path, fragments: Fragments | None = None,
          pagemap: PageMap | None = None) -> Path:
    """Write ``<slug>.epub`` into ``out_dir`` and return its path.

    ``pagemap`` comes from the print layout (the build passes it) and gives the page-list.
    """
    fragments = fragments or render.render_all(book)
    env = render.environment(book)
    pub = _package(book)
    pages = _pages(book, fragments, env)
    for page in pages:
        pub.add_item(page)
    hrefs = _hrefs(book)
    nav = _item("nav", "nav.xhtml", render.render_template(
        env, "epub/nav.xhtml.j2", book=book, tree=toc_tree(book), hrefs=hrefs,
        bodymatter=_first_body_href(book, hrefs)), properties=["nav"])
    ncx = ebook.EpubItem(uid="ncx", file_name="toc.ncx", media_type="application/x-dtbncx+xml",
                         content=render.render_template(env, "epub/toc.ncx.j2", book=book,
                                                        tree=toc_tree(book), hrefs=hrefs,
                                                        uid=_identifier(book)).encode())
    pub.add_item(nav)
    pub.add_item(ncx)
    pub.add_item(ebook.EpubItem(uid="css", file_name="styles/epub.css", media_type="text/css",
                                content=(render.style("common.css") + render.style("epub.css"))
                                .encode()))
    for rel, path in fragments.images.items():
        pub.add_item(ebook.EpubItem(uid=_image_id(rel), file_name=rel,
                                    media_type=MEDIA_TYPES[path.suffix.lower()],
                                    content=path.read_bytes()))
    pub.spine = _spine(book, pages, nav)
    target = Path(out_dir) / f"{book.meta.slug}.epub"
    _Writer(str(target), pub, book.meta.lang).write()
    log.info("EPUB: %s (%d documents)", target, len(pages))
    return target


def _identifier(book: model.Book) -> str:
    if book.meta.isbn:
        return f"urn:isbn:{book.meta.isbn.replace('-', '')}"
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'casebook:' + book.meta.slug)}"


def _package(book: model.Book) -> ebook.EpubBook:
    meta = book.meta
    pub = ebook.EpubBook()
    pub.set_identifier(_identifier(book))
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
    return pub


def _item(uid: str, name: str, text: str, properties: list[str] | None = None) -> ebook.EpubItem:
    item = ebook.EpubItem(uid=uid, file_name=name, media_type=XHTML, content=text.encode())
    item.properties = properties or []
    return item


def _hrefs(book: model.Book) -> dict[str, str]:
    return {item.id: f"text/{item.id}.xhtml" for item in book.reading_order()}


def _first_body_href(book: model.Book, hrefs: dict[str, str]) -> str:
    first = next((p for p in book.parts), None)
    return hrefs[first.id] if first else ""


def _pages(book: model.Book, fragments: Fragments, env) -> list[ebook.EpubItem]:
    def page(template: str, uid: str, title: str, matter: str, **ctx) -> ebook.EpubItem:
        text = render.render_template(env, f"epub/{template}.xhtml.j2", book=book, title=title,
                                      matter=matter, **ctx)
        return _item(uid, f"text/{uid}.xhtml", text)

    pages = [page("titlepage", "titlepage", book.meta.title, "frontmatter"),
             page("copyright", "copyright", "版权页", "frontmatter")]
    for item in book.reading_order():
        if isinstance(item, model.Part):
            pages.append(page("part", item.id, item.title, "bodymatter", part=item))
            continue
        body = to_xhtml(prefix_src(fragments[item.id], "../"))
        if isinstance(item, model.Case):
            pages.append(page("case", item.id, item.title, "bodymatter", doc=item,
                              fragment=body))
        else:
            matter = "frontmatter" if item.section == "front" else "backmatter"
            pages.append(page("matter", item.id, item.title, matter, doc=item, fragment=body))
    return pages


def _image_id(rel: str) -> str:
    return "img-" + "".join(c if c.isalnum() else "-" for c in rel)


def _spine(book: model.Book, pages: list[ebook.EpubItem], nav: ebook.EpubItem) -> list:
    """Title page, copyright, front matter, the TOC, then the body and back matter."""
    front_count = 2 + len(book.front)
    return pages[:front_count] + [nav] + pages[front_count:]


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
