"""The EPUB page-list: the print edition's page breaks, from its PageMap, where each page begins.

The rule, for each PDF page in order:

- a page on which at least one EPUB block starts gets its break just before the first of
  them (in reading order);
- a page on which no block starts (a paragraph carried over, a blank verso) gets its break
  at the end of the last block that started before it, so it stays in the XHTML file that
  holds that page's text; several such pages stack up in page order;
- pages before the first block (the half title and its verso, which the EPUB has not)
  go just before that first block;
- but a page that starts inside a block carried over (the PageMap's ``split``: the block and
  how many of its characters, white space aside, earlier pages printed) gets its break
  inside that block, before the character the print page starts with.

"Before" and "after" mean as a sibling when the parent holds flow content, and as the first
or last child of a list item or cell when the parent is a list or a table. Blocks inside a
``nav`` never take a break: the nav itself does.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from casebook.editions.epub.docs import EPUB_TYPE, Doc, x
from casebook.errors import RenderError
from casebook.pagemap import PageMap

BLOCKS = frozenset(x(t) for t in (
    "section", "article", "aside", "nav", "header", "footer", "div", "p", "h1", "h2", "h3",
    "h4", "h5", "h6", "li", "table", "blockquote", "figure", "dl", "ol", "ul"))
FLOW = frozenset(x(t) for t in (
    "body", "section", "article", "aside", "header", "footer", "div", "blockquote", "li",
    "dd", "td", "th"))


@dataclass(frozen=True)
class PageTarget:
    """One print page in the EPUB: its printed label and where its break sits."""

    label: str
    file: str

    @property
    def id(self) -> str:
        return f"page-{self.label}"

    @property
    def href(self) -> str:
        return f"{self.file}#{self.id}"

    @property
    def front(self) -> bool:
        """A front-matter page, with a roman folio."""
        return not self.label.isdigit()


@dataclass(frozen=True)
class _Block:
    order: tuple[int, int]
    doc: Doc
    element: etree._Element


def place(docs: list[Doc], pagemap: PageMap) -> list[PageTarget]:
    """Insert one pagebreak span per PDF page into the documents; return the page-list."""
    blocks = _blocks(docs)
    targets: list[PageTarget] = []
    waiting: list[str] = []
    last: _Block | None = None
    tail: etree._Element | None = None  # the last break put after ``last``
    for page in pagemap.pages:
        starts = sorted((blocks[a] for a in page.anchors if a in blocks
                         and (last is None or blocks[a].order > last.order)),
                        key=lambda b: b.order)
        inside = blocks.get(page.split[0]) if page.split and not waiting else None
        if inside is not None and _insert_at(inside.element, page.split[1], _span(page.label)):
            targets.append(PageTarget(page.label, inside.doc.href))
            last, tail = (starts[-1] if starts else last), None
        elif starts:
            for label in [*waiting, page.label]:
                _before(starts[0].element, _span(label))
                targets.append(PageTarget(label, starts[0].doc.href))
            waiting, last, tail = [], starts[-1], None
        elif last is None:
            waiting.append(page.label)
        else:
            tail = _after(tail if tail is not None else last.element, _span(page.label))
            targets.append(PageTarget(page.label, last.doc.href))
    if waiting:
        raise RenderError(f"no EPUB block starts on or after print page(s) "
                          f"{', '.join(waiting)}: the page-list cannot place them")
    return _in_reading_order(targets, docs)


def _insert_at(block: etree._Element, count: int, span: etree._Element) -> bool:
    """Put ``span`` inside ``block`` before its character ``count`` (0-based; white space,
    note references and page breaks aside); False if the block has fewer characters."""
    left = count
    for node, attr in _slots(block):
        text = getattr(node, attr) or ""
        for i, char in enumerate(text):
            if char.isspace():
                continue
            if left == 0:
                span.tail = text[i:]
                setattr(node, attr, text[:i])
                if attr == "text":
                    node.insert(0, span)
                else:
                    node.addnext(span)
                return True
            left -= 1
    return False


def _slots(element: etree._Element):
    """The element's text slots in reading order: (element, "text") and (child, "tail")."""
    yield element, "text"
    for child in element:
        if not (child.get(EPUB_TYPE) or "").startswith(("noteref", "pagebreak")):
            yield from _slots(child)
        yield child, "tail"


def _blocks(docs: list[Doc]) -> dict[str, _Block]:
    """Every block with an id, outside navs (a nav counts as one block), in reading order."""
    found = {}
    for d, doc in enumerate(docs):
        for e, element in enumerate(doc.root.iter(tag=etree.Element)):
            ident = element.get("id")
            if ident and element.tag in BLOCKS and not _in_nav(element):
                found.setdefault(ident, _Block((d, e), doc, element))
    return found


def _in_nav(element: etree._Element) -> bool:
    return any(a.tag == x("nav") for a in element.iterancestors())


def _span(label: str) -> etree._Element:
    span = etree.Element(x("span"), {EPUB_TYPE: "pagebreak", "role": "doc-pagebreak",
                                     "id": f"page-{label}", "aria-label": label})
    span.tail = "\n"
    return span


def _before(element: etree._Element, span: etree._Element) -> None:
    parent = element.getparent()
    if parent.tag in FLOW:
        element.addprevious(span)
    elif element.tag in FLOW:
        _prepend(element, span)
    else:
        _before(parent, span)


def _prepend(container: etree._Element, span: etree._Element) -> None:
    """Put ``span`` at the start of ``container``, after the breaks already there."""
    first = container[0] if len(container) else None
    if container.text is None and first is not None and first.get(EPUB_TYPE) == "pagebreak":
        last = first
        while last.tail is None and _is_break(last.getnext()):
            last = last.getnext()
        span.tail, last.tail = last.tail, None
        last.addnext(span)
    else:
        span.tail, container.text = container.text, None
        container.insert(0, span)


def _is_break(element: etree._Element | None) -> bool:
    return element is not None and element.get(EPUB_TYPE) == "pagebreak"


def _after(element: etree._Element, span: etree._Element) -> etree._Element:
    parent = element.getparent()
    if parent.tag in FLOW or _is_break(element):
        element.addnext(span)
    elif element.tag in FLOW:
        element.append(span)
    else:
        return _after(parent, span)
    return span


def _in_reading_order(targets: list[PageTarget], docs: list[Doc]) -> list[PageTarget]:
    """The targets, checked against the order their spans have in the spine."""
    seen = [s.get("id") for doc in docs for s in doc.root.iter(x("span"))
            if s.get(EPUB_TYPE) == "pagebreak"]
    if seen != [t.id for t in targets]:
        raise RenderError("the page-list breaks are out of reading order (a placement bug)")
    return targets


def play_order(spine: list[str], toc_hrefs: set[str], targets: list[PageTarget]) -> dict[str, int]:
    """NCX playOrder for every navPoint and pageTarget: one sequence in reading order."""
    by_file: dict[str, list[PageTarget]] = {}
    for target in targets:
        by_file.setdefault(target.file, []).append(target)
    order: dict[str, int] = {}
    for href in spine:
        if href in toc_hrefs:
            order[href] = len(order) + 1
        for target in by_file.get(href, []):
            order[target.href] = len(order) + 1
    return order
