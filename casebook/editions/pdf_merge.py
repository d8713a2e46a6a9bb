"""Merge separately painted PDF chunks into one book: pages, structure tree and destinations.

Chunk 0's catalog (Lang, MarkInfo, ViewerPreferences, OutputIntents, Metadata...) and docinfo
are kept; every chunk's Outlines and PageLabels are dropped for the caller to rebuild. The
structure trees become one Document element, with one flat ParentTree whose keys are the
chunks' keys shifted past those of the chunks before. Named destinations become one flat,
sorted name tree, and every link annotation's named destination must be in it. A structure
element /ID already used by an earlier chunk is renamed, in its chunk's /Headers and IDTree too.
"""

from __future__ import annotations

import hashlib
import io
import logging
import warnings
from collections.abc import Iterator, Sequence
from contextlib import ExitStack

import pikepdf
from pikepdf import Array, Dictionary, Name, String

from ..errors import CheckError
from . import pdf_tags

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
    if not chunks or len(chunks) != len(blanks_before):
        raise ValueError("merge needs one blanks_before count per chunk, and a chunk")
    if ids is not None and len(ids) != len(chunks):
        raise ValueError("merge needs the structure IDs of every chunk, or of none")
    out = pikepdf.open(io.BytesIO(chunks[0]))
    try:
        return _merge(out, (io.BytesIO(chunk) for chunk in chunks[1:]), blanks_before, ids,
                      hold)
    except BaseException:
        out.close()
        raise


def prepare(chunk: bytes) -> tuple[bytes, frozenset[bytes], tuple]:
    """A painted chunk with its running heads and folios made pagination artifacts (which
    the screen PDF needs, and the merged book then need not look for), its IDs, and the
    glyphs of its marked faces (``pdf_fontshare.marked_glyphs``)."""
    from . import pdf_fontshare
    with pikepdf.open(io.BytesIO(chunk)) as pdf:
        glyphs = pdf_fontshare.marked_glyphs(pdf)
        root = pdf.Root.get(Name.StructTreeRoot)
        if root is None:
            return chunk, frozenset(), glyphs
        treed = pdf_tags.reachable(root)
        ids = frozenset(_element_ids(pdf, root, treed))
        if pdf_tags.paginate_artifacts(pdf, treed):
            out = io.BytesIO()
            pdf.save(out, deterministic_id=True)
            chunk = out.getvalue()
    return chunk, ids, glyphs


def _element_ids(pdf: pikepdf.Pdf, root: Dictionary, treed=None) -> list[bytes]:
    treed = pdf_tags.reachable(root) if treed is None else treed
    elements = [pdf.get_object(objgen) for objgen in treed]
    return [bytes(e.ID) for e in elements if isinstance(e.get(Name.ID), String)]


def _merge(out: pikepdf.Pdf, others: Iterator, blanks_before: Sequence[int],
           ids: Sequence[frozenset[bytes]] | None, hold: ExitStack | None) -> pikepdf.Pdf:
    """Merge the chunks ``others`` opens into ``out``, the first chunk."""
    tree = _Tree(out, ids)
    dests = _Dests()
    blank = _Blanks(out)
    for key in (Name.Outlines, Name.PageLabels):
        if key in out.Root:
            del out.Root[key]
    dests.add(_named_dests(out), 0)
    blank.insert(0, out.pages[0], blanks_before[0])
    tree.add(out, out.pages[blanks_before[0]:], 0)
    for index, data in enumerate(others, start=1):
        with ExitStack() as opened:
            src = (hold or opened).enter_context(pikepdf.open(data))
            blank.insert(len(out.pages), src.pages[0], blanks_before[index])
            first = len(out.pages)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", pikepdf.PageCopyWarning)
                out.pages.extend(src.pages)
            tree.add(src, out.pages[first:], index)
            dests.add(((name, out.copy_foreign(_indirect(src, value)))
                       for name, value in _named_dests(src)), index)
            if hold is None:
                _own_streams(out.pages[first:])
    tree.finish()
    dests.write(out)
    _share_icc_profiles(out)
    check_links(out)
    return out


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
        self.kids = pdf_tags.kids(self.document) if self.document is not None else []
        self.adopted = False
        self.nums: list[tuple[int, object]] = []
        self.ids = _Dests(kind="structure ID")
        self.used: set[bytes] = set()
        self.next_key = 0

    def add(self, src: pikepdf.Pdf, pages, index: int) -> None:
        root = src.Root.get(Name.StructTreeRoot)
        if (root is None) != (self.root is None):
            raise CheckError(f"PDF chunk {index} is {'un' if root is None else ''}tagged, "
                             f"unlike chunk 0: the book cannot be merged")
        if root is None:
            return
        offset = self.next_key
        _renumber(pages, offset)
        if src is not self.pdf:
            root = self.pdf.copy_foreign(root)
            self._adopt(root)
        nums = [(key + offset, value) for key, value in _number_tree(root.get(Name.ParentTree))]
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
        own.update(name for name, _ in _name_tree(root.get(Name.IDTree)))
        renames: dict[bytes, bytes] = {}
        clashes = sorted(own & self.used)
        self.used |= own
        if clashes:
            LOG.debug("PDF chunk %d: structure IDs used before: %s", index, clashes)
        elements = [self.pdf.get_object(objgen)
                    for objgen in (pdf_tags.reachable(root) if clashes else ())]
        for name in clashes:
            new = name
            while new in self.used:
                new = b"%d-%s" % (index, new)
            renames[name] = new
            self.used.add(new)
        for element in elements:
            _rename_ids(element, renames)
        return ((renames.get(name, name), value)
                for name, value in _name_tree(root.get(Name.IDTree)))

    def _adopt(self, root: Dictionary) -> None:
        """Hang a copied chunk's top elements under the Document; union its maps."""
        kids = pdf_tags.kids(_document(root))
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
    kids = pdf_tags.kids(root)
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


def _number_tree(node) -> Iterator[tuple[int, object]]:
    """(key, value) pairs of a number tree, leaves in order."""
    return _tree_leaves(node, Name.Nums, int)


def _name_tree(node) -> Iterator[tuple[bytes, object]]:
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


def _named_dests(pdf: pikepdf.Pdf) -> Iterator[tuple[bytes, object]]:
    """A document's named destinations: its Names/Dests tree, then the old Root.Dests."""
    yield from _name_tree(pdf.Root.get(Name.Names, Dictionary()).get(Name.Dests))
    for key, value in pdf.Root.get(Name.Dests, Dictionary()).items():
        yield key[1:].encode(), value


def _indirect(pdf: pikepdf.Pdf, value):
    """``value`` as an indirect object of ``pdf`` (copy_foreign copies only those)."""
    return value if value.is_indirect else pdf.make_indirect(value)


class _Dests:
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
    return {name for name, _ in _named_dests(pdf)}


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


def _share_icc_profiles(pdf: pikepdf.Pdf) -> None:
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
