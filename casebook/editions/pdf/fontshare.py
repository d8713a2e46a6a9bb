"""Merged PDF chunks: one embedded program per font face, subset once with the union of glyphs."""

from __future__ import annotations

import hashlib
import io
import itertools
import logging
import operator
import re
import struct
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf
from fontTools.ttLib import TTFont

from casebook.editions.pdf import fontmark as pdf_fontmark
from casebook.editions.pdf import subset as pdf_subset
from casebook.editions.pdf.subset import Mismatch
from casebook.errors import RenderError

log = logging.getLogger(__name__)

FONT_FILES = ("/FontFile", "/FontFile2", "/FontFile3")
_TAG = re.compile(r"^[A-Z]{6}\+")
_CID_FONTS = ("/CIDFontType0", "/CIDFontType2")


@dataclass
class Face:
    """The embedded programs of one face, and the fonts that use them."""
    name: str
    key: str
    ps_name: str
    kind: str
    descriptors: list = field(default_factory=list)
    gids: set = field(default_factory=lambda: {0})
    top_gid: dict = field(default_factory=dict)  # program objgen -> highest gid shown
    data: dict = field(default_factory=dict)  # program objgen -> (sha256, its stream)
    notdef_outline: bool = False
    marks: set = field(default_factory=set)  # pdf_fontmark.Mark: chunks embedded no subset

    def notdef(self) -> bool:
        """Whether the face's program must keep the .notdef outline."""
        return self.notdef_outline or any(m.notdef for m in self.marks)


def share(pdf: pikepdf.Pdf, cache_dir: Path | None = None) -> dict:
    """Point every font of one face at one shared program holding the union of their glyphs."""
    stats = {"faces": 0, "shared": 0, "skipped": [], "subset_runs": 0, "cache_hits": 0,
             "prefetched": 0}
    before, after = {}, {}  # encoded size of every program, before and after
    for face in _faces(pdf).values():
        stats["faces"] += 1
        sizes = {objgen: len(stream.read_raw_bytes()) for objgen, (_, stream)
                 in face.data.items()}
        before.update(sizes)
        after.update(sizes)
        if face.marks:  # no fallback: a mark left in the PDF is a font that shows nothing
            _shared(pdf, face, _marked_program(face, cache_dir, stats), stats, after)
            continue
        if len(face.data) < 2:
            continue
        try:
            _shared(pdf, face, _shared_program(face, cache_dir, stats), stats, after)
        except Exception as error:  # noqa: BLE001 - any doubt leaves the face as it was
            log.warning("font face %s left unshared: %s", face.name, error)
            stats["skipped"].append(face.name)
    stats.update(streams_before=len(before), streams_after=len(after),
                 bytes_before=sum(before.values()), bytes_after=sum(after.values()))
    stats["bytes_saved"] = stats["bytes_before"] - stats["bytes_after"]
    stats["prefetch_unused"] = pdf_subset.forget_prefetched()
    log.info("font sharing: %(shared)d of %(faces)d faces shared, %(streams_before)d -> "
             "%(streams_after)d programs of %(bytes_after)d bytes", stats)
    return stats


def marked_glyphs(pdf: pikepdf.Pdf) -> tuple:
    """The marked faces one chunk shows, as ``share`` groups them: (face, sha256, index,
    PS name, size, glyph ids, notdef) each, so that the build can subset them ahead
    (``pdf_subset.prefetch``) while the chunks are merged."""
    return tuple(sorted(
        ("|".join(map(str, ident[:5])), mark.sha256, mark.index, mark.ps_name, mark.size,
         tuple(sorted(face.gids)), face.notdef())
        for ident, face in _faces(pdf).items() if face.marks
        for mark in [next(iter(face.marks))]))


def _shared(pdf: pikepdf.Pdf, face: "Face", program: tuple[bytes, list], stats: dict,
            sizes: dict) -> None:
    """Install the face's one program; its old programs leave ``sizes``, the new one joins."""
    shared = _install(pdf, face, *program)
    for objgen in face.data:
        sizes.pop(objgen, None)
    sizes[shared.objgen] = len(shared.read_raw_bytes())
    stats["shared"] += 1


def _faces(pdf: pikepdf.Pdf) -> dict:
    """Group the CID fonts by face: FontName without tag, FontFile key, Subtype, PS name, kind."""
    faces, programs = {}, {}
    for parent, obj in _cid_fonts(pdf):
        if obj.get("/CIDToGIDMap", pikepdf.Name.Identity) != pikepdf.Name.Identity:
            log.warning("font %s maps CIDs through a stream: it keeps its own program",
                        obj.get("/BaseFont"))
            continue
        descriptor = obj.get("/FontDescriptor")
        key = next((k for k in FONT_FILES if descriptor is not None and k in descriptor), None)
        if key is None:
            continue
        program = descriptor[key]
        if program.objgen not in programs:  # read once here, and again only when shared
            data = program.read_bytes()
            mark = pdf_fontmark.read(data)
            programs[program.objgen] = (hashlib.sha256(data).digest(),
                                        mark.ps_name if mark else _ps_name(data),
                                        pdf_fontmark.kind(data), mark)
        digest, ps_name, kind, mark = programs[program.objgen]
        name = _TAG.sub("", str(descriptor.get("/FontName", "/?"))[1:])
        ident = (name, key, str(program.get("/Subtype", "")), ps_name, kind,
                 mark and (mark.sha256, mark.index))
        face = faces.setdefault(ident, Face(f"{name} ({ps_name})", key, ps_name, kind))
        _add_font(face, obj, parent, descriptor, digest)
        if mark:
            face.marks.add(mark)
    return faces


def _cid_fonts(pdf: pikepdf.Pdf):
    """(Type0 font, its CID font) for every font the pages and their forms use, once each."""
    seen: set = set()
    todo = [page.obj.get("/Resources") for page in pdf.pages]
    while todo:
        resources = todo.pop()
        if not isinstance(resources, pikepdf.Dictionary) or _seen(resources, seen):
            continue
        for font in resources.get("/Font", {}).values():
            if font.get("/Subtype") != "/Type0" or _seen(font, seen):
                continue
            for child in font.get("/DescendantFonts", []):
                if child.get("/Subtype") in _CID_FONTS and not _seen(child, seen):
                    yield font, child
        todo += [xobject.get("/Resources") for xobject in resources.get("/XObject", {}).values()
                 if xobject.get("/Subtype") == "/Form"]


def _seen(obj, seen: set) -> bool:
    """Whether an indirect object was met before (and remember it); direct ones never were."""
    if not obj.is_indirect:
        return False
    if obj.objgen in seen:
        return True
    seen.add(obj.objgen)
    return False


def _add_font(face: Face, cid_font, type0, descriptor, digest: bytes) -> None:
    program = descriptor[face.key].objgen
    used = _used_gids(cid_font, type0) | {0}
    face.descriptors.append(descriptor)
    face.data[program] = (digest, descriptor[face.key])
    face.gids |= used
    face.top_gid[program] = max(face.top_gid.get(program, 0), max(used))
    encoding = type0.get("/Encoding") if type0 is not None else None
    face.notdef_outline |= encoding is not None and encoding != "/Identity-H"


def _ps_name(data: bytes) -> str:
    try:
        return str(TTFont(io.BytesIO(data), lazy=True)["name"].getDebugName(6) or "?")
    except Exception:  # noqa: BLE001 - an unreadable program is reported with its face
        return "?"


def _used_gids(cid_font, type0) -> set:
    """Glyph ids the font shows: its /W widths and ToUnicode CIDs (CIDToGIDMap is Identity)."""
    cids, widths, i = set(), list(cid_font.get("/W", [])), 0
    while i < len(widths):
        first = int(widths[i])
        if isinstance(widths[i + 1], pikepdf.Array):
            cids.update(range(first, first + len(widths[i + 1])))
            i += 2
        else:
            cids.update(range(first, int(widths[i + 1]) + 1))
            i += 3
    if type0 is not None and "/ToUnicode" in type0:
        text = type0.ToUnicode.read_bytes().decode("latin-1")
        for block in re.findall(r"beginbfchar(.*?)endbfchar", text, re.S):
            cids.update(int(c, 16) for c in re.findall(r"^\s*<([0-9a-fA-F]+)>", block, re.M))
    return cids


def _shared_program(face: Face, cache_dir, stats) -> tuple[bytes, list]:
    """The one program for the face (and its glyph ids), checked against every old program.

    The old programs are read one at a time and their glyphs gathered into one map, so a
    book of many chunks never holds all its programs at once.
    """
    olds: dict[bytes, tuple[object, int]] = {}
    for objgen, (digest, stream) in face.data.items():
        top = max(olds.get(digest, (None, 0))[1], face.top_gid[objgen])
        olds[digest] = (stream, top)
    if len(olds) == 1:
        return next(iter(olds.values()))[0].read_bytes(), sorted(face.gids)
    # WeasyPrint's second pass renumbers layout-closure glyphs past the highest used gid:
    # those are never shown, so only the glyphs up to it must survive.
    glyphs: dict[int, object] = {}
    for stream, top in olds.values():
        for gid, outline in _glyph_prints(stream.read_bytes()).items():
            if gid <= top and glyphs.setdefault(gid, outline) != outline:
                raise Mismatch(f"glyph {gid} differs between two embedded programs")
    gids = sorted(face.gids.union(glyphs))
    data = _union_program(face, gids, cache_dir, [glyphs], stats)
    if pdf_fontmark.kind(data) != face.kind:
        raise Mismatch("the shared program is not the same kind as the embedded ones")
    return data, gids


def _marked_program(face: Face, cache_dir, stats) -> tuple[bytes, list]:
    """The subset of the very file the chunks were laid out with, with all their glyphs."""
    mark = next(iter(face.marks))
    gids = sorted(face.gids)
    notdef = face.notdef()
    path, data = (pdf_subset.take(mark, gids, notdef, stats)
                  or _subset_now(face, mark, gids, notdef, cache_dir, stats))
    if pdf_fontmark.kind(data) != face.kind:
        raise RenderError(f"font {face.name}: the subset of {path} is not the kind of program "
                          "the PDF chunks declare")
    return data, gids


def _subset_now(face: Face, mark, gids, notdef, cache_dir, stats) -> tuple[Path, bytes]:
    path = pdf_subset.original(mark, cache_dir)
    if path is None:
        raise RenderError(f"font {face.name}: no installed file has the bytes the PDF chunks "
                          f"were laid out with (sha256 {mark.sha256[:16]}…): remove "
                          ".casebook-cache and build again")
    return path, pdf_subset.cached_subset(path, mark.index, gids, notdef, cache_dir, stats)


def _install(pdf: pikepdf.Pdf, face: Face, data: bytes, gids: list) -> pikepdf.Stream:
    """Embed the shared program once and point every descriptor of the face at it."""
    template = face.descriptors[0][face.key]
    shared = pikepdf.Stream(pdf, zlib.compress(data))
    shared.Filter = pikepdf.Name.FlateDecode
    if "/Subtype" in template:
        shared.Subtype = template.Subtype
    if "/Length1" in template:
        shared.Length1 = len(data)
    shared, cid_set = pdf.make_indirect(shared), _cid_set(pdf, face, gids)
    for descriptor in face.descriptors:
        descriptor[face.key] = shared
        if "/CIDSet" in descriptor:
            descriptor.CIDSet = cid_set
    return shared


def _cid_set(pdf, face: Face, gids: list[int]):
    """A CIDSet for the shared program: every glyph shown, as WeasyPrint writes it."""
    if not any("/CIDSet" in d for d in face.descriptors):
        return None
    bits = bytearray((gids[-1] + 8) // 8)
    for gid in gids:
        bits[gid // 8] |= 0x80 >> (gid % 8)
    return pdf.make_indirect(pikepdf.Stream(pdf, bytes(bits)))


def _union_program(face, gids, cache_dir, prints, stats) -> bytes:
    """The original's subset with the union, from the cache or HarfBuzz, checked glyph by glyph."""
    candidates = _originals(face.ps_name)
    if not candidates:
        raise Mismatch(f"no installed font file has the PostScript name {face.ps_name!r}")
    problems = []
    for path, index in candidates:
        data = pdf_subset.cached_subset(path, index, gids, face.notdef_outline, cache_dir, stats)
        problem = _compare(_glyph_prints(data), prints)
        if problem is None:
            return data
        problems.append(f"{path}#{index}: {problem}")
    raise Mismatch("; ".join(problems))


_originals = pdf_fontmark.installed  # font files by PostScript name (tests stand in for it)


def _glyph_prints(data: bytes) -> dict[int, object]:
    """Every non-empty glyph of a program: gid -> outline bytes (+ CFF private dict)."""
    font = TTFont(io.BytesIO(data), lazy=True)
    if "CFF " in font:
        return _cff_prints(font)
    if "glyf" in font:
        raw, loca = font.reader["glyf"], font["loca"]
        return {gid: raw[loca[gid]:loca[gid + 1]].rstrip(b"\0")
                for gid in range(font["maxp"].numGlyphs) if loca[gid + 1] > loca[gid]}
    raise Mismatch("the embedded program has neither CFF nor glyf outlines")


def _cff_prints(font) -> dict[int, tuple]:
    """Charstrings read straight from the CFF INDEX (fontTools' lazy access is too slow)."""
    raw = font.reader["CFF "]
    top = font["CFF "].cff.topDictIndex[0].rawDict
    count = int.from_bytes(raw[top["CharStrings"]:top["CharStrings"] + 2], "big")
    codes = _cff_index(raw, top["CharStrings"])
    privates, select = [b""], [0] * count
    if "FDArray" in top:
        fds = font["CFF "].cff.topDictIndex[0].FDArray
        privates = [repr(sorted(fd.Private.rawDict.items())).encode() for fd in fds]
        select = _fd_select(raw, top["FDSelect"], count)
    return {gid: (code, privates[select[gid]]) for gid, code in codes.items()}


def _cff_index(raw: bytes, offset: int) -> dict[int, bytes]:
    """Non-empty entries of a CFF INDEX; a 1-byte charstring can only be a bare endchar."""
    count = int.from_bytes(raw[offset:offset + 2], "big")
    if count == 0:
        return {}
    size, table = raw[offset + 2], offset + 3
    cells, wide = raw[table:table + (count + 1) * size], bytearray(4 * (count + 1))
    for byte in range(size):  # widen the offsets to 4 bytes each, in C
        wide[4 - size + byte::4] = cells[byte::size]
    offsets = struct.unpack(f">{count + 1}I", wide)
    lengths = map(operator.sub, offsets[1:], offsets)
    full = itertools.compress(range(count), map(operator.ne, lengths, itertools.repeat(1)))
    base = table + (count + 1) * size - 1
    return {i: raw[base + offsets[i]:base + offsets[i + 1]] for i in full}


def _fd_select(raw: bytes, offset: int, count: int) -> list[int]:
    if raw[offset] == 0:
        return list(raw[offset + 1:offset + 1 + count])
    if raw[offset] != 3:
        raise Mismatch(f"FDSelect format {raw[offset]} is not handled")
    select, ranges = [0] * count, int.from_bytes(raw[offset + 1:offset + 3], "big")
    for at in range(offset + 3, offset + 3 + 3 * ranges, 3):
        first, end = (int.from_bytes(raw[i:i + 2], "big") for i in (at, at + 3))
        select[first:end] = [raw[at + 2]] * (end - first)
    return select


def _compare(new: dict, olds: list[dict]) -> str | None:
    """None if every glyph of every old program is the same in the new one."""
    for number, old in enumerate(olds):
        for gid, outline in old.items():
            if new.get(gid) != outline:
                return f"glyph {gid} of embedded program {number + 1} differs from the original's"
    return None
