"""Merge separately painted PDF chunks into one book: pages, structure tree and destinations.

Chunk 0's catalog (Lang, MarkInfo, ViewerPreferences, OutputIntents, Metadata...) and docinfo
are kept; every chunk's Outlines and PageLabels are dropped for the caller to rebuild. The
structure trees become one Document element, with one flat ParentTree whose keys are the
chunks' keys shifted past those of the chunks before. Named destinations become one flat,
sorted name tree, and every link annotation's named destination must be in it. A structure
element /ID already used by an earlier chunk is renamed, in its chunk's /Headers and IDTree too.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass

import pikepdf
from pikepdf import Array, Dictionary, Name, String

from casebook import pdfstruct
from casebook.editions.pdf import tags as pdf_tags
from casebook.editions.pdf.names import (
    Dests,
    check_links,
    indirect,
    name_tree,
    named_dests,
    number_tree,
    share_icc_profiles,
)
from casebook.errors import CheckError

LOG = logging.getLogger(__name__)

_BOXES = (Name.MediaBox, Name.CropBox, Name.BleedBox, Name.TrimBox, Name.ArtBox)


def merge(chunks: Sequence[bytes], blanks_before: Sequence[int],
          ids: Sequence[frozenset[bytes]] | None = None,
          hold: ExitStack | None = None) -> pikepdf.Pdf:
    """One Pdf of ``chunks`` in order, ``blanks_before[i]`` empty pages before chunk ``i``.

    Chunks are opened one at a time: each is closed once its pages are in, so a book of
    many chunks never holds them all (see ``_own_streams``); or, given ``hold``, the chunks
    stay open until it closes, and the merged PDF reads their streams when it is saved
    (quicker, for a book of few chunks). ``ids``, each chunk's IDs from ``prepare``, spares
    walking the structure trees of chunks whose IDs are unique.
    """
    if not chunks:
        raise ValueError("merge needs a chunk")
    merger = Merger(chunks[0], hold)
    try:
        return merger.join(chunks, blanks_before, ids)
    except BaseException:
        merger.out.close()
        raise


@dataclass
class _Taken:
    """A chunk's pages, structure root and destinations, copied into the merged PDF."""
    data: bytes
    pages: list
    root: Dictionary | None
    dests: list


class Merger:
    """A merge in two steps: ``take`` copies the next chunk's pages, structure root and
    named destinations into the merged PDF (chunk 0, opened); ``join`` takes the chunks
    not taken yet and puts them all together. The chunks are taken in order, and joined
    only after the last is taken, so the merged PDF's objects are numbered the same
    whenever each chunk was taken: its bytes do not depend on it."""

    def __init__(self, first: bytes, hold: ExitStack | None = None):
        self.first, self.hold = first, hold
        self.out = pikepdf.open(io.BytesIO(first))
        self.taken: list[_Taken] = []  # chunks 1, 2...

    def fits(self, chunks: Sequence[bytes]) -> bool:
        """Whether ``chunks`` begin with the chunks taken (the very same bytes)."""
        return (chunks[0] is self.first and len(self.taken) < len(chunks)
                and all(t.data is c for t, c in zip(self.taken, chunks[1:])))

    def take(self, data: bytes) -> None:
        """Copy the next chunk in."""
        with ExitStack() as opened:
            src = (self.hold or opened).enter_context(pikepdf.open(io.BytesIO(data)))
            pages = [self.out.copy_foreign(page.obj) for page in src.pages]
            root = src.Root.get(Name.StructTreeRoot)
            root = self.out.copy_foreign(root) if root is not None else None
            dests = [(name, self.out.copy_foreign(indirect(src, value)))
                     for name, value in named_dests(src)]
            if self.hold is None:
                _own_streams(pikepdf.Page(page) for page in pages)
        self.taken.append(_Taken(data, pages, root, dests))

    def join(self, chunks: Sequence[bytes], blanks_before: Sequence[int],
             ids: Sequence[frozenset[bytes]] | None = None) -> pikepdf.Pdf:
        """The merged Pdf of ``chunks``, which must ``fit``."""
        if len(chunks) != len(blanks_before) or not self.fits(chunks):
            raise ValueError("merge needs one blanks_before count per chunk, and the "
                             "chunks taken so far")
        if ids is not None and len(ids) != len(chunks):
            raise ValueError("merge needs the structure IDs of every chunk, or of none")
        for data in chunks[1 + len(self.taken):]:
            self.take(data)
        out = self.out
        tree, dests, blank = _Tree(out, ids), Dests(), _Blanks(out)
        for key in (Name.Outlines, Name.PageLabels):
            if key in out.Root:
                del out.Root[key]
        dests.add(named_dests(out), 0)
        blank.insert(0, out.pages[0], blanks_before[0])
        tree.add(out.Root.get(Name.StructTreeRoot), out.pages[blanks_before[0]:], 0)
        for index, taken in enumerate(self.taken, start=1):
            blank.insert(len(out.pages), pikepdf.Page(taken.pages[0]), blanks_before[index])
            first = len(out.pages)
            for page in taken.pages:
                out.pages.append(pikepdf.Page(page))
            tree.add(taken.root, out.pages[first:], index)
            dests.add(taken.dests, index)
        tree.finish()
        dests.write(out)
        share_icc_profiles(out)
        check_links(out)
        return out


class Ahead:
    """A merge begun while the chunks lay out: ``take`` copies in, in order, the chunks laid
    out from the first up to the first still laying out; ``merge`` takes the rest and
    joins. A chunk laid out again starts the merge over. The chunks stay open until
    ``close``."""

    def __init__(self):
        self.held = ExitStack()
        self.merger: Merger | None = None

    def take(self, laid: dict[int, bytes]) -> None:
        ready = []
        while len(ready) in laid:
            ready.append(laid[len(ready)])
        if not ready:
            return
        if self.merger is None or not self.merger.fits(ready):
            self.merger = Merger(ready[0], self.held)
            self.held.callback(self.merger.out.close)
        for data in ready[1 + len(self.merger.taken):]:
            self.merger.take(data)

    def merge(self, chunks: Sequence[bytes], blanks_before: Sequence[int],
              ids: Sequence[frozenset[bytes]] | None = None) -> pikepdf.Pdf:
        before = len(self.merger.taken) + 1 if self.merger and self.merger.fits(chunks) else 0
        LOG.debug("Merge: %d of %d chunks taken while the layout ran", before, len(chunks))
        self.take(dict(enumerate(chunks)))
        return self.merger.join(chunks, blanks_before, ids)

    def close(self) -> None:
        self.held.close()


def prepare(chunk: bytes) -> tuple[bytes, frozenset[bytes], tuple]:
    """A painted chunk with its running heads and folios made pagination artifacts (which
    the screen PDF needs, and the merged book then need not look for), its IDs, and the
    glyphs of its marked faces (``pdf_fontshare.marked_glyphs``)."""
    from casebook.editions.pdf import fontshare as pdf_fontshare
    with pikepdf.open(io.BytesIO(chunk)) as pdf:
        glyphs = pdf_fontshare.marked_glyphs(pdf)
        root = pdf.Root.get(Name.StructTreeRoot)
        if root is None:
            return chunk, frozenset(), glyphs
        treed = pdfstruct.reachable(root)
        ids = frozenset(_element_ids(pdf, root, treed))
        if pdf_tags.paginate_artifacts(pdf, treed):
            out = io.BytesIO()
            pdf.save(out, deterministic_id=True)
            chunk = out.getvalue()
    return chunk, ids, glyphs


def _element_ids(pdf: pikepdf.Pdf, root: Dictionary, treed=None) -> list[bytes]:
    treed = pdfstruct.reachable(root) if treed is None else treed
    elements = [pdf.get_object(objgen) for objgen in treed]
    return [bytes(e.ID) for e in elements if isinstance(e.get(Name.ID), String)]


def _own_streams(pages) -> None:
    """Give the merged PDF its own copy of the data of every stream the pages use.

    qpdf copies a foreign stream's data only when the copy is written; until then it reads
    it from the chunk, which would have to stay open. Copied now, the chunk can be closed.
    """
    seen: set[tuple[int, int]] = set()
    todo = [page.obj.get(key) for page in pages
            for key in (Name.Contents, Name.Resources, Name.Annots)]
    while todo:
        obj = todo.pop()
        if isinstance(obj, (Dictionary, Array, pikepdf.Stream)) and obj.is_indirect:
            if obj.objgen in seen:
                continue
            seen.add(obj.objgen)
        if isinstance(obj, pikepdf.Stream):
            obj.write(obj.read_raw_bytes(), filter=obj.get(Name.Filter),
                      decode_parms=obj.get(Name.DecodeParms), type_check=False)
        if isinstance(obj, (Dictionary, pikepdf.Stream)):
            todo += [value for key, value in obj.items() if key not in _UP]
        elif isinstance(obj, Array):
            todo += list(obj)


_UP = {"/Parent", "/P", "/Pg", "/Dest", "/A"}  # links back up or across: not resources


class _Blanks:
    """Empty pages (no content, no StructParents) with the boxes of the page that follows."""

    def __init__(self, pdf: pikepdf.Pdf):
        self.pdf = pdf
        self.contents = pdf.make_stream(b"")

    def insert(self, at: int, model: pikepdf.Page, count: int) -> None:
        for _ in range(count):
            page = Dictionary(Type=Name.Page, Resources=Dictionary(), Contents=self.contents)
            for box in _BOXES:
                if box in model.obj:
                    page[box] = Array([float(v) for v in model.obj[box]])
            if Name.Tabs in model.obj:  # tagged pages all say so, blank ones too (PDF/UA)
                page.Tabs = model.obj.Tabs
            self.pdf.pages.insert(at, pikepdf.Page(self.pdf.make_indirect(page)))


class _Tree:
    """The merged structure tree: chunk 0's root and Document, the others' kids appended."""

    def __init__(self, pdf: pikepdf.Pdf, known: Sequence[frozenset[bytes]] | None = None):
        self.pdf, self.known = pdf, known
        self.root = pdf.Root.get(Name.StructTreeRoot)
        self.document = _document(self.root) if self.root is not None else None
        self.kids = pdfstruct.kids(self.document) if self.document is not None else []
        self.adopted = False
        self.nums: list[tuple[int, object]] = []
        self.ids = Dests(kind="structure ID")
        self.used: set[bytes] = set()
        self.next_key = 0

    def add(self, root: Dictionary | None, pages, index: int) -> None:
        """Add chunk ``index``'s structure root, copied into the merged PDF (chunk 0's own)."""
        if (root is None) != (self.root is None):
            raise CheckError(f"PDF chunk {index} is {'un' if root is None else ''}tagged, "
                             f"unlike chunk 0: the book cannot be merged")
        if root is None:
            return
        offset = self.next_key
        _renumber(pages, offset)
        if index:
            self._adopt(root)
        nums = [(key + offset, value) for key, value in number_tree(root.get(Name.ParentTree))]
        self.nums.extend(nums)
        self.next_key = max([self.next_key, *(key + 1 for key, _ in nums),
                             offset + int(root.get(Name.ParentTreeNextKey, 0))])
        self.ids.add(self._unique_ids(root, index), index)

    def _unique_ids(self, root: Dictionary, index: int) -> Iterator[tuple[bytes, object]]:
        """The chunk's IDTree pairs, once its IDs used before are prefixed with ``index-``.

        WeasyPrint makes TH IDs of the table's object number, so chunks alike clash; the
        renaming reaches the chunk's /ID, its /Headers and its IDTree keys. The elements
        are walked only when the chunk's IDs are not known or some clash."""
        own = set(_element_ids(self.pdf, root) if self.known is None else self.known[index])
        own.update(name for name, _ in name_tree(root.get(Name.IDTree)))
        renames: dict[bytes, bytes] = {}
        clashes = sorted(own & self.used)
        self.used |= own
        if clashes:
            LOG.debug("PDF chunk %d: structure IDs used before: %s", index, clashes)
        elements = [self.pdf.get_object(objgen)
                    for objgen in (pdfstruct.reachable(root) if clashes else ())]
        for name in clashes:
            new = name
            while new in self.used:
                new = b"%d-%s" % (index, new)
            renames[name] = new
            self.used.add(new)
        for element in elements:
            _rename_ids(element, renames)
        return ((renames.get(name, name), value)
                for name, value in name_tree(root.get(Name.IDTree)))

    def _adopt(self, root: Dictionary) -> None:
        """Hang a copied chunk's top elements under the Document; union its maps."""
        kids = pdfstruct.kids(_document(root))
        for kid in kids:
            if isinstance(kid, Dictionary):
                kid.P = self.document
        self.kids += kids  # the Document's /K is written once, by finish()
        self.adopted = True
        for key in (Name.RoleMap, Name.ClassMap):
            theirs = root.get(key)
            if theirs is not None:
                mine = self.root.get(key) or Dictionary()
                self.root[key] = Dictionary({**dict(theirs.items()), **dict(mine.items())})
        if Name.Namespaces in root:
            mine = list(self.root.get(Name.Namespaces, Array()))
            self.root.Namespaces = Array([*mine, *root.Namespaces])

    def finish(self) -> None:
        if self.root is None:
            return
        if self.adopted:
            self.document.K = Array(self.kids)
        self.nums.sort(key=lambda item: item[0])
        flat = Array([x for key, value in self.nums for x in (key, value)])
        self.root.ParentTree = self.pdf.make_indirect(Dictionary(Nums=flat))
        self.root.ParentTreeNextKey = self.next_key
        if Name.IDTree in self.root:
            del self.root[Name.IDTree]
        if self.ids.entries:
            self.root.IDTree = self.ids.tree(self.pdf)


def _document(root: Dictionary) -> Dictionary:
    """The single Document element under a structure root, or the root itself."""
    kids = pdfstruct.kids(root)
    if len(kids) == 1 and isinstance(kids[0], Dictionary) and kids[0].get(Name.S) == Name.Document:
        return kids[0]
    return root


def _rename_ids(element: Dictionary, renames: dict[bytes, bytes]) -> None:
    """Apply ``renames`` to an element's /ID and its attribute objects' /Headers."""
    if isinstance(element.get(Name.ID), String) and bytes(element.ID) in renames:
        element.ID = String(renames[bytes(element.ID)])
    attributes = element.get(Name.A)
    for owner in attributes if isinstance(attributes, Array) else [attributes]:
        headers = owner.get(Name.Headers) if isinstance(owner, Dictionary) else None
        if isinstance(headers, Array):
            owner.Headers = Array([String(renames.get(bytes(h), bytes(h)))
                                   if isinstance(h, String) else h for h in headers])


def _renumber(pages, offset: int) -> None:
    """Shift the pages' /StructParents and their annotations' /StructParent by ``offset``."""
    if not offset:
        return
    for page in pages:
        if Name.StructParents in page.obj:
            page.obj.StructParents = int(page.obj.StructParents) + offset
        for annot in page.obj.get(Name.Annots, Array()):
            if Name.StructParent in annot:
                annot.StructParent = int(annot.StructParent) + offset
