"""Tables split over pages, set the Chinese way: each continuation page a table of its own under 续表N.

CSS cannot print a caption on a table's continuation pages only (WeasyPrint repeats a
<thead> as it is), so a document whose tables cross a page is laid out again:

1. the normal layout shows which tables cross a page, and their column widths;
2. a measuring layout sets each of those tables at those widths with its caption moved into
   its <thead>: WeasyPrint repeats it on every page, so every page the table reaches keeps
   room for a caption, and the rows each page starts with are where the table splits;
3. the final layout sets each part as a table of its own at the same widths (the columns
   line up from page to page): the first under its caption 表N, each other one on a new
   page under 续表N, with the header rows again. Each part fits the page it was measured on.

A table that still crosses a page then (text before it moved) goes round again, at most
MAX_ROUNDS times. Only the layout reads the split: the HTML and EPUB editions and the
PageMap's anchors are those of the whole table (a continuation part has no id).
"""

from __future__ import annotations

import copy
import itertools
import logging
import re
from dataclasses import dataclass, field

from lxml import html as lxml_html

from casebook.editions.weasy import pages as weasy_pages

log = logging.getLogger(__name__)
MAX_ROUNDS = 3
CONTINUED = "table-continued"  # the class of a continuation part (pdf.css: a new page)
CAPTION_ROW = "caption-row"    # the caption as a header row, in the measuring layout
_TABLE_OPEN = re.compile(r'<table id="([^"]+)"')
_TABLE_TAG = re.compile(r"<(/?)table\b")


@dataclass
class Split:
    """One table's column widths (CSS px) and the body rows its continuation parts start at."""

    widths: tuple[float, ...]
    starts: set[int] = field(default_factory=set)


def lay_out(render, html: str):
    """``render(html)``'s document, with every table that crosses a page split (see above)."""
    document = render(html)
    if "<table" not in html:
        return document
    splits: dict[str, Split] = {}
    for _ in range(MAX_ROUNDS):
        crossing = crossings(document)
        if not crossing:
            return document
        for table, (widths, _) in crossing.items():
            splits.setdefault(table, Split(widths))
        measured = render(rewrite(html, splits, measure=set(crossing)))
        for table, (_, starts) in crossings(measured).items():
            if table in crossing:
                splits[table].starts |= starts
        log.debug("Tables split over pages: %s", ", ".join(
            f"{t} at rows {sorted(s.starts)}" for t, s in splits.items()))
        document = render(rewrite(html, splits))
    still = crossings(document)
    if still:
        log.warning("table(s) %s still cross a page after %d rounds of layout: a page they "
                    "continue on has no 续表 caption", ", ".join(sorted(still)), MAX_ROUNDS)
    return document


def crossings(document) -> dict[str, tuple[tuple[float, ...], set[int]]]:
    """Each table (by its id) that crosses a page: its column widths, and the body rows
    (counted in the whole table) that a continuation page starts with."""
    found: dict[str, tuple[tuple[float, ...], set[int]]] = {}
    rows: dict[int, dict[int, int]] = {}
    for page in document.pages:
        for piece in weasy_pages.tables(page):
            table = piece.element.get("data-continues") or piece.element.get("id")
            if table is None or piece.first_row is None:
                continue
            first = int(piece.element.get("data-from", "0"))
            index = _row_indexes(piece.element, rows).get(id(piece.first_row), 0) + first
            if index > first:
                widths = found.get(table, (piece.column_widths, set()))[0]
                found.setdefault(table, (widths, set()))[1].add(index)
    return found


def _row_indexes(table, cache: dict[int, dict[int, int]]) -> dict[int, int]:
    """Each body row of a parsed <table> (by id()) and its position among them."""
    key = id(table)
    if key not in cache:
        body = [row for group in table if _local(group.tag) == "tbody"
                for row in group if _local(row.tag) == "tr"]
        cache[key] = {id(row): i for i, row in enumerate(body)}
    return cache[key]


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def rewrite(html: str, splits: dict[str, Split], measure: set[str] = frozenset()) -> str:
    """The HTML with each table in ``splits`` at its widths, cut into its parts; a table in
    ``measure`` has its captions as header rows instead."""
    out, position = [], 0
    for match in _TABLE_OPEN.finditer(html):
        table = match.group(1)
        if table not in splits or match.start() < position:
            continue
        end = _table_end(html, match.start())
        out += [html[position:match.start()],
                parts(html[match.start():end], splits[table], table in measure)]
        position = end
    return "".join(out) + html[position:]


def _table_end(html: str, start: int) -> int:
    """Where the <table> opening at ``start`` closes (tables may nest)."""
    depth = 0
    for match in _TABLE_TAG.finditer(html, start):
        depth += -1 if match.group(1) else 1
        if depth == 0:
            return html.index(">", match.end()) + 1
    return len(html)


def parts(text: str, split: Split, measure: bool = False) -> str:
    """One table's HTML as its parts: at fixed column widths, the first under its caption,
    the others under 续表N, each with the header rows; ``measure`` puts captions in the head."""
    table = lxml_html.fragment_fromstring(text)
    caption = table.find("caption")
    head = table.find("thead")
    foot = table.find("tfoot")
    rows = [row for body in table.findall("tbody") for row in body.findall("tr")]
    label = caption.find_class("table-label") if caption is not None else []
    continued = "续" + (label[0].text_content() if label else "表")
    bounds = [0, *sorted(s for s in split.starts if 0 < s < len(rows)), len(rows)]
    out = []
    for n, (first, end) in enumerate(itertools.pairwise(bounds)):
        part = lxml_html.Element("table", dict(table.attrib) if n == 0 else
                                 {"class": CONTINUED, "data-continues": table.get("id"),
                                  "data-from": str(first)})
        part.set("style", "table-layout: fixed; "
                          f"width: {sum(split.widths) + 0.001 * len(split.widths):.3f}px")
        title = (_continued_caption(continued) if n else
                 copy.deepcopy(caption) if caption is not None else None)
        if not measure and title is not None:
            part.append(title)
        part.append(_columns(split.widths))
        if measure:
            part.append(_head(head, title, len(split.widths), n == 0))
        elif head is not None:
            part.append(_copy(head, n == 0))
        body = lxml_html.Element("tbody")
        body.extend(copy.deepcopy(row) for row in rows[first:end])
        part.append(body)
        if foot is not None and end == len(rows):
            part.append(copy.deepcopy(foot))
        out.append(lxml_html.tostring(part, encoding="unicode"))
    return "\n".join(x for x in out if x)


def _continued_caption(text: str):
    caption = lxml_html.Element("caption")
    label = lxml_html.Element("span", {"class": "table-label"})
    label.text = text
    caption.append(label)
    return caption


def _columns(widths: tuple[float, ...]):
    group = lxml_html.Element("colgroup")
    for width in widths:
        # rounded up: a cell whose text just fits it would wrap at a hair less
        group.append(lxml_html.Element("col", {"style": f"width: {width + 0.001:.3f}px"}))
    return group


def _head(head, caption, columns: int, first: bool):
    """The header rows under a first row that holds the caption (the measuring layout)."""
    new = lxml_html.Element("thead")
    if caption is not None:
        row = lxml_html.Element("tr", {"class": CAPTION_ROW})
        cell = lxml_html.Element("th", {"colspan": str(columns)})
        cell.text = caption.text
        cell.extend(_copy(child, first) for child in caption)
        row.append(cell)
        new.append(row)
    if head is not None:
        new.extend(_copy(child, first) for child in head)
    return new


def _copy(element, first: bool):
    """A copy of ``element``; in a continuation part without ids (the first part has them)."""
    element = copy.deepcopy(element)
    if not first:
        for inner in element.iter():
            inner.attrib.pop("id", None)
    return element
