"""Tagged-PDF repairs for the screen edition: page furniture as artifacts, links described.

WeasyPrint tags the text of page-margin boxes (running heads, folios) as marked content whose
structure elements hang outside the structure tree. PDF/UA wants page furniture marked as
pagination artifacts instead: the marked content of every MCID that the tree does not reach
becomes ``/Artifact <</Type /Pagination>> BDC`` and its ParentTree entry is cleared.
WeasyPrint's link annotations describe themselves with their raw target (``#case-001``);
``describe_links`` gives them the title or page they lead to.
"""

from __future__ import annotations

import re

import pikepdf
from pikepdf import Array, Dictionary, Name, String

from casebook import pdfstruct
from casebook.errors import CheckError

_MARKED = re.compile(rb"/[A-Za-z0-9]+\s*<<\s*/MCID\s+(\d+)\s*>>\s*BDC")
_ARTIFACT = b"/Artifact <</Type /Pagination>> BDC"


def paginate_artifacts(pdf: pikepdf.Pdf, treed: set[tuple[int, int]] | None = None) -> int:
    """Turn untreed marked content into pagination artifacts; return how many were changed.

    ``treed``: the root's ``reachable`` elements, when the caller has walked them already."""
    root = pdf.Root.get(Name.StructTreeRoot)
    if root is None:
        return 0
    treed = pdfstruct.reachable(root) if treed is None else treed
    pages = {int(p.obj.StructParents): p.obj for p in pdf.pages if Name.StructParents in p.obj}
    changed = 0
    for key, elements in pdfstruct.parent_tree(root).items():
        orphans = {mcid for mcid, element in enumerate(elements)
                   if isinstance(element, Dictionary) and element.objgen not in treed}
        if orphans and key in pages:
            changed += _artifact(pages[key], orphans)
            for mcid in orphans:
                elements[mcid] = None
    return changed


def describe_links(pdf: pikepdf.Pdf, texts: dict[str, str]) -> None:
    """Give every internal link annotation a /Contents naming where it leads."""
    for page in pdf.pages:
        for annot in page.obj.get(Name.Annots, []):
            if annot.get(Name.Subtype) != Name.Link or Name.Dest not in annot:
                continue
            target = "#" + str(annot.Dest)
            if target not in texts:
                raise CheckError(f"a link points to {target}, which is on no page of the PDF")
            annot.Contents = String(texts[target])


def _artifact(page: Dictionary, mcids: set[int]) -> int:
    """Swap the markers of ``mcids`` in the page's content for pagination artifacts."""
    def swap(match: re.Match) -> bytes:
        return _ARTIFACT if int(match.group(1)) in mcids else match.group(0)
    changed = 0
    for stream in (page.Contents if isinstance(page.Contents, Array) else [page.Contents]):
        data = stream.read_bytes()
        count = sum(int(m.group(1)) in mcids for m in _MARKED.finditer(data))
        if count:
            stream.write(_MARKED.sub(swap, data))
            changed += count
    return changed
