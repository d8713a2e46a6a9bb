"""Links across PDF chunks: keep internal links whose anchor lies in another chunk of the book.

WeasyPrint's ``resolve_links`` drops an internal link whose anchor is not in the document it
paints (logging ``No anchor #name for internal URI reference``). When the book is painted in
chunks, a TOC entry or cross-reference often points into another chunk. With this patch, a
link to an anchor the caller declared external is kept and written exactly as WeasyPrint
writes any internal link: a ``/Link`` annotation with ``/Dest (name)`` (and, when tagged,
``/Contents (name)``, a ``/StructParent`` and a ``Link`` structure element), but with no
entry in the chunk's ``/Dests`` name tree. ``editions/pdf/merge.py`` then resolves it.

Usage (``weasy.install()`` puts the patch in place)::

    with links.external({"case-001", "part-2"}):
        document.write_pdf(...)

Any other missing anchor still logs WeasyPrint's error and the link is dropped; with no
external anchors declared, the patch does exactly what WeasyPrint's own function does.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator

import weasyprint.pdf
import weasyprint.pdf.anchors
from weasyprint.logger import LOGGER

#: Anchor names that may be missing from the document being written (they live elsewhere).
external_anchors: set[str] = set()


def _page_anchors(pages) -> tuple[set[str], list[list[tuple[str, float, float]]]]:
    """Every anchor name, and each page's first-seen anchors (as WeasyPrint collects them)."""
    seen: set[str] = set()
    paged = []
    for page in pages:
        paged.append([])
        for name, (x, y, _, _) in page.anchors.items():
            if name not in seen:
                paged[-1].append((name, x, y))
                seen.add(name)
    return seen, paged


def resolve_links(pages):
    """WeasyPrint's ``resolve_links``, keeping links to ``external_anchors``."""
    anchors, paged = _page_anchors(pages)
    allowed = anchors | external_anchors
    for page, page_anchors in zip(pages, paged):
        kept = []
        for link in page.links:
            link_type, name, _, _ = link
            if link_type == "internal" and name not in allowed:
                LOGGER.error("No anchor #%s for internal URI reference", name)
            else:
                kept.append(link)
        yield kept, page_anchors


@contextlib.contextmanager
def external(names: Iterable[str]) -> Iterator[set[str]]:
    """Within the block, links to ``names`` survive even if the document lacks the anchor."""
    added = set(names) - external_anchors
    external_anchors.update(added)
    try:
        yield external_anchors
    finally:
        external_anchors.difference_update(added)


def patch() -> None:
    """Put the keeping ``resolve_links`` where WeasyPrint's PDF writer calls it (idempotent;
    ``weasy.install`` calls it)."""
    weasyprint.pdf.anchors.resolve_links = resolve_links
    weasyprint.pdf.resolve_links = resolve_links
