"""The HTML edition: a static site with an index, one page per document, prev/next links."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

from .. import model, render
from ..images import prefix_src
from ..render import Fragments, shift_headings
from .common import toc_tree

log = logging.getLogger(__name__)
FOLDERS = {"front": "front", "back": "back"}


def page_path(item) -> str:
    """The page of an item, relative to the site root: stable, from the source file name."""
    if isinstance(item, model.Part):
        return f"parts/{item.id}.html"
    folder = "cases" if isinstance(item, model.Case) else FOLDERS[item.section]
    return f"{folder}/{item.source.stem}.html"


def write(book: model.Book, out_dir: Path, fragments: Fragments | None = None) -> Path:
    """Write the site into ``out_dir/html`` and return the path of its index page."""
    fragments = fragments or render.render_all(book)
    env = render.environment(book)
    site = Path(out_dir) / "html"
    site.mkdir(parents=True, exist_ok=True)
    items = list(book.reading_order())
    top_hrefs = {item.id: page_path(item) for item in items}
    common = dict(book=book, hrefs=top_hrefs)
    for i, item in enumerate(items):
        neighbours = (items[i - 1] if i else None, items[i + 1] if i + 1 < len(items) else None)
        _write(site / page_path(item), _page(env, book, item, fragments, neighbours))
    _write(site / "front/copyright.html", render.render_template(
        env, "html/copyright.html.j2", root="../", page_title="版权页",
        description=book.meta.title, crumbs=[(book.meta.title, "../index.html"), ("版权页", "")],
        prev=None, next=None, **common))
    _write(site / "index.html", render.render_template(
        env, "html/index.html.j2", root="", page_title="", description=_description(book),
        crumbs=[], prev=None, next=_link(items[0], "") if items else None,
        tree=toc_tree(book), units={c.id: c.unit for c in book.cases()},
        extra_pages=_extra_pages(book), **common))
    for rel, path in fragments.images.items():
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, site / rel)
    (site / "style.css").write_text(render.style("common.css") + render.style("html.css"),
                                    encoding="utf-8")
    log.info("HTML: %s (%d pages)", site, len(items) + 2)
    return site / "index.html"


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _description(book: model.Book) -> str:
    return "——".join(x for x in (book.meta.title, book.meta.subtitle) if x)


def _link(item, root: str) -> tuple[str, str] | None:
    return (item.title, root + page_path(item)) if item is not None else None


def _extra_pages(book: model.Book) -> list[tuple[str, str]]:
    pages = [(m.title, page_path(m)) for m in book.front if not m.in_toc]
    return pages + [("版权页", "front/copyright.html")]


def _page(env, book: model.Book, item, fragments: Fragments, neighbours) -> str:
    root = "../"
    hrefs = {i.id: root + page_path(i) for i in book.reading_order()}
    crumbs = [(book.meta.title, root + "index.html")]
    if isinstance(item, model.Case):
        part = book.part_of(item)
        crumbs.append((part.title, hrefs[part.id]))
    crumbs.append((item.title, ""))
    context = dict(book=book, root=root, hrefs=hrefs, crumbs=crumbs,
                   page_title=item.title, prev=_link(neighbours[0], root),
                   next=_link(neighbours[1], root), description=_item_description(book, item))
    if isinstance(item, model.Part):
        return render.render_template(env, "html/part.html.j2", part=item, **context)
    fragment = prefix_src(fragments[item.id], root)
    if isinstance(item, model.Case):
        return render.render_template(env, "html/case.html.j2", doc=item,
                                      fragment=shift_headings(fragment, -1), **context)
    return render.render_template(env, "html/matter.html.j2", doc=item, fragment=fragment,
                                  **context)


def _item_description(book: model.Book, item) -> str:
    unit = getattr(item, "unit", "")
    return f"{item.title}{'（' + unit + '）' if unit else ''}——{book.meta.title}"
