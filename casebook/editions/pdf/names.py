"""Name and number trees of merged PDFs: named destinations, links, shared ICC profiles."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator

import pikepdf
from pikepdf import Array, Dictionary, Name, String

from casebook.errors import CheckError

LOG = logging.getLogger(__name__)


def number_tree(node) -> Iterator[tuple[int, object]]:
    """(key, value) pairs of a number tree, leaves in order."""
    return _tree_leaves(node, Name.Nums, int)


def name_tree(node) -> Iterator[tuple[bytes, object]]:
    """(key bytes, value) pairs of a name tree, leaves in order."""
    return _tree_leaves(node, Name.Names, bytes)


def _tree_leaves(node, key: Name, convert) -> Iterator[tuple[object, object]]:
    if node is None:
        return
    pairs = node.get(key, Array())
    for i in range(0, len(pairs) - 1, 2):
        yield convert(pairs[i]), pairs[i + 1]
    for kid in node.get(Name.Kids, Array()):
        yield from _tree_leaves(kid, key, convert)


def named_dests(pdf: pikepdf.Pdf) -> Iterator[tuple[bytes, object]]:
    """A document's named destinations: its Names/Dests tree, then the old Root.Dests."""
    yield from name_tree(pdf.Root.get(Name.Names, Dictionary()).get(Name.Dests))
    for key, value in pdf.Root.get(Name.Dests, Dictionary()).items():
        yield key[1:].encode(), value


def indirect(pdf: pikepdf.Pdf, value):
    """``value`` as an indirect object of ``pdf`` (copy_foreign copies only those)."""
    return value if value.is_indirect else pdf.make_indirect(value)


class Dests:
    """Name-tree entries gathered in order; the first definition of a name wins."""

    def __init__(self, kind: str = "named destination"):
        self.kind = kind
        self.entries: dict[bytes, object] = {}

    def add(self, pairs, index: int) -> None:
        for name, value in pairs:
            if name in self.entries:
                LOG.warning("%s %r of PDF chunk %d is defined earlier; the first is kept",
                            self.kind, name.decode(errors="replace"), index)
            else:
                self.entries[name] = value

    def tree(self, pdf: pikepdf.Pdf) -> Dictionary:
        flat = Array([x for name in sorted(self.entries)
                      for x in (String(name), self.entries[name])])
        return pdf.make_indirect(Dictionary(Names=flat))

    def write(self, pdf: pikepdf.Pdf) -> None:
        if Name.Dests in pdf.Root:
            del pdf.Root[Name.Dests]
        names = pdf.Root.get(Name.Names)
        if not self.entries:
            if names is not None and Name.Dests in names:
                del names[Name.Dests]
            return
        if names is None:
            pdf.Root.Names = names = Dictionary()
        names.Dests = self.tree(pdf)


def destination_names(pdf: pikepdf.Pdf) -> set[bytes]:
    """The names in a document's Names/Dests tree and Root.Dests."""
    return {name for name, _ in named_dests(pdf)}


def link_targets(pdf: pikepdf.Pdf) -> Iterator[tuple[int, bytes]]:
    """(0-based page index, destination name) of every link annotation to a named destination."""
    for number, page in enumerate(pdf.pages):
        for annot in page.obj.get(Name.Annots, Array()):
            if annot.get(Name.Subtype) != Name.Link:
                continue
            dest = annot.get(Name.Dest)
            action = annot.get(Name.A)
            if dest is None and action is not None and action.get(Name.S) == Name.GoTo:
                dest = action.get(Name.D)
            if isinstance(dest, String):
                yield number, bytes(dest)
            elif isinstance(dest, Name):
                yield number, str(dest)[1:].encode()


def check_links(pdf: pikepdf.Pdf) -> None:
    """Raise CheckError naming every link whose named destination is not in the document."""
    names = destination_names(pdf)
    missing = sorted({(name.decode(errors="replace"), number + 1)
                      for number, name in link_targets(pdf) if name not in names})
    if missing:
        shown = ", ".join(f"#{name} (page {page})" for name, page in missing[:10])
        more = f" and {len(missing) - 10} more" if len(missing) > 10 else ""
        raise CheckError(f"merged PDF: {len(missing)} link(s) lead to no anchor: {shown}{more}")


def share_icc_profiles(pdf: pikepdf.Pdf) -> None:
    """Point every ICCBased colour space and output intent at one stream per distinct profile."""
    seen: dict[str, pikepdf.Stream] = {}

    def canonical(stream: pikepdf.Stream) -> pikepdf.Stream:
        digest = hashlib.sha256(stream.read_raw_bytes()).hexdigest()
        key = f"{digest}:{stream.get(Name.Filter)}:{stream.get(Name.N)}"
        return seen.setdefault(key, stream)

    for intent in pdf.Root.get(Name.OutputIntents, Array()):
        if Name.DestOutputProfile in intent:
            intent.DestOutputProfile = canonical(intent.DestOutputProfile)
    visited: set[tuple[int, int]] = set()
    for page in pdf.pages:
        spaces = page.obj.get(Name.Resources, Dictionary()).get(Name.ColorSpace)
        if spaces is None or (spaces.is_indirect and spaces.objgen in visited):
            continue
        visited.add(spaces.objgen)
        for space in spaces.values():
            if isinstance(space, Array) and len(space) == 2 and space[0] == Name.ICCBased:
                space[1] = canonical(space[1])
