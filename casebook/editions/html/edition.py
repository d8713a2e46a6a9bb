"""The HTML edition: a static site with an index, one page per document, prev/next links, search."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

from casebook import model, resources
from casebook.editions import Cover, Inputs
from casebook.editions.common import toc_tree
from casebook.editions.html import search
from casebook.editions.html.kept import Pages
from casebook.fsio import published
from casebook.render import fontstack, templates, xref
from casebook.render.fragments import Fragments, shift_headings
from casebook.render.images import prefix_src

log = logging.getLogger(__name__)
FOLDERS = {"front": "front", "back": "back"}
STATIC_DIR = resources.STATIC / "html"
STATIC_FILES = ("search.js", "favicon.svg")
SEARCH_PAGE = "search.html"
COPYRIGHT_PAGE = "front/copyright.html"


def page_path(item) -> str:
    """The page of an item, relative to the site root: stable, from the source file name."""
    if isinstance(item, model.Part):
        return f"parts/{item.id}.html"
    folder = "cases" if isinstance(item, model.Case) else FOLDERS[item.section]
    if getattr(item, "generated", ""):  # a generated index: back/index-topics.html
        return f"{folder}/index-{item.generated}.html"
    return f"{folder}/{item.source.stem}.html"


def write(book: model.Book, out_dir: Path, inputs: Inputs) -> Path:
    """Write the site into ``out_dir/html``, index it for search (unless ``index`` is False
    in ``inputs.options``: the caller runs ``search.build_index`` later), return its index
    page. ``inputs.cover`` is the front cover its index page shows."""
    fragments, index = inputs.fragments, inputs.options.get("index", True)
    site = Path(out_dir) / "html"
    site.mkdir(parents=True, exist_ok=True)
    writer = _Writer(book, site, fragments, inputs.cover, Pages(book, inputs.cache_dir))
    items = list(book.reading_order())
    for i, item in enumerate(items):
        neighbours = (items[i - 1] if i else None, items[i + 1] if i + 1 < len(items) else None)
        writer.item(item, neighbours)
    writer.index(items[0] if items else None)
    writer.copyright()
    writer.search_page()
    _copy_assets(site, book, fragments)
    writer.kept.forget_unused()
    if index:
        search.build_index(site, expected_pages=sum(1 for _ in book.documents()),
                           book_dir=book.root)
    log.info("HTML: %s (%d pages%s)", published(site), len(items) + 3,
             " and a search index" if index else "; the search index follows")
    return site / "index.html"


class _Writer:
    """Renders the pages of one site: shared context, one method per kind of page."""

    def __init__(self, book: model.Book, site: Path, fragments: Fragments, cover: Cover,
                 kept: Pages):
        self.book, self.site, self.fragments, self.cover = book, site, fragments, cover
        self.kept = kept  # pages rendered by earlier builds
        self.env = templates.environment(book)
        self.paths = {i.id: page_path(i) for i in book.reading_order()}  # once, not per page
        self._hrefs: dict[str, dict[str, str]] = {}

    def hrefs(self, root: str) -> dict[str, str]:
        """Every item's page, relative to a page ``root`` below the site's root."""
        if root not in self._hrefs:
            self._hrefs[root] = {id_: root + path for id_, path in self.paths.items()}
        return dict(self._hrefs[root])

    def render(self, template: str, path: str, **context) -> None:
        root = "../" * path.count("/")
        base = dict(book=self.book, root=root, self_path=path, scripts=False,
                    hrefs=self.hrefs(root),
                    crumbs=[], prev=None, next=None, page_title="",
                    description=_description(self.book))
        context = {**base, **context}
        key = self.kept.key(template, context)
        page = self.kept.get(key)
        if page is None:
            page = templates.render_template(self.env, f"html/{template}", **context).encode()
            self.kept.put(key, page)
        target = self.site / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(page)

    def index(self, first) -> None:
        from casebook.errors import RenderError
        front = self.cover
        if front.name in self.fragments.images:
            raise RenderError(f"the book has an image at {front.name}, where the HTML edition "
                              "keeps its cover; move or rename that image")
        (self.site / front.name).parent.mkdir(parents=True, exist_ok=True)
        (self.site / front.name).write_bytes(front.data)
        self.render("index.html.j2", "index.html", next=_link(first, ""), cover=front,
                    tree=toc_tree(self.book), units={c.id: c.unit for c in self.book.cases()},
                    extra_pages=_extra_pages(self.book))

    def copyright(self) -> None:
        self.render("copyright.html.j2", COPYRIGHT_PAGE, page_title="版权页",
                    crumbs=[(self.book.meta.title, "../index.html"), ("版权页", "")])

    def search_page(self) -> None:
        """The one page with a script: search.js shows Pagefind results for ?q=."""
        self.render("search.html.j2", SEARCH_PAGE, page_title="全文搜索",
                    scripts=True,
                    crumbs=[(self.book.meta.title, "index.html"), ("全文搜索", "")])

    def item(self, item, neighbours) -> None:
        path = page_path(item)
        root = "../"
        context = dict(page_title=item.title, crumbs=_crumbs(self.book, item, root),
                       prev=_link(neighbours[0], root), next=_link(neighbours[1], root),
                       description=_item_description(self.book, item))
        if isinstance(item, model.Part):
            self.render("part.html.j2", path, part=item, **context)
            return
        fragment = xref.localise(prefix_src(self.fragments[item.id], root), item.id,
                                 self.hrefs(root))
        if isinstance(item, model.Case):
            self.render("case.html.j2", path, doc=item, fragment=shift_headings(fragment, -1),
                        **context)
        else:
            self.render("matter.html.j2", path, doc=item, fragment=fragment, **context)


def _copy_assets(site: Path, book: model.Book, fragments: Fragments) -> None:
    """The stylesheet, the search script and every image, at their book-relative paths."""
    for rel, path in fragments.images.items():
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, site / rel)
    css = (templates.style("common.css", book) + templates.style("html.css", book)
           + templates.style("screen-code.css", book)
           + templates.render_template(templates.environment(book), "shared/screen-fonts.css.j2",
                                       edition="html", **fontstack.css_context(book.meta.fonts)))
    (site / "style.css").write_text(css, encoding="utf-8")
    for name in STATIC_FILES:
        shutil.copyfile(STATIC_DIR / name, site / name)


def _crumbs(book: model.Book, item, root: str) -> list[tuple[str, str]]:
    crumbs = [(book.meta.title, root + "index.html")]
    if isinstance(item, model.Case):
        part = book.part_of(item)
        crumbs.append((part.title, root + page_path(part)))
    return crumbs + [(item.title, "")]


def _description(book: model.Book) -> str:
    return "——".join(x for x in (book.meta.title, book.meta.subtitle) if x)


def _link(item, root: str) -> tuple[str, str] | None:
    return (item.title, root + page_path(item)) if item is not None else None


def _extra_pages(book: model.Book) -> list[tuple[str, str]]:
    pages = [(m.title, page_path(m)) for m in book.front if not m.in_toc]
    return pages + [("版权页", COPYRIGHT_PAGE)]


def _item_description(book: model.Book, item) -> str:
    unit = getattr(item, "unit", "")
    return f"{item.title}{'（' + unit + '）' if unit else ''}——{book.meta.title}"
