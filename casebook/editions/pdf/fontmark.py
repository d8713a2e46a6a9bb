"""Chunks embed a mark naming each font face instead of a subset; the merge subsets it once.

Subsetting the 20–27 MB CJK collections is a large part of painting a chunk, and the merged
PDF throws every chunk's subset away for one program per face (pdf_fontshare.py). So while
``marking()`` is active, WeasyPrint's ``Font.subset`` writes a mark instead: the face's
PostScript name, its index in the file, and the size and SHA-256 of the file it was laid
out with. The glyphs a chunk shows stay in its font dictionaries (``/W`` and ToUnicode), as
always. The merge finds the file again by its digest (``original``) and subsets it with the
union of every chunk's glyphs. A mark must never reach a finished PDF: the merge fails when
it cannot resolve one. While marking, a font's file is read in place (the face's own blob)
instead of being copied for every chunk: WeasyPrint copies all 20–27 MB of each face it
meets, and a marked chunk reads only the file's name table and size.
"""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from casebook.fsio import write_file

MAGIC = b"casebook-face-mark\n"
_state = {"active": False}
_faces: dict[tuple, tuple[str, str]] = {}  # (face pointer, size...) -> (sha256, PS name)
KNOWN_FILES = "font-files.json"  # in the font cache: files hashed before


@dataclass(frozen=True)
class Mark:
    """Which face of which font file a chunk showed, and whether .notdef needs an outline."""

    ps_name: str
    index: int
    size: int
    sha256: str
    notdef: bool


def install() -> None:
    """Wrap WeasyPrint's ``Font.subset`` (once per process); it marks only inside marking()."""
    from weasyprint.pdf import fonts
    if getattr(fonts.Font.subset, "casebook_mark", False):
        return
    original, copy = fonts.Font.subset, fonts.get_hb_object_data

    def subset(font, to_unicode, hinting):
        if not (_state["active"] and to_unicode and _plain(font)):
            if font.file_content is not None and not isinstance(font.file_content, bytes):
                font.file_content = bytes(font.file_content)  # WeasyPrint's own path, as is
            return original(font, to_unicode, hinting)
        font.file_content = _mark_bytes(font)

    def face_data(hb_object, ot_color=None, glyph=None):
        if not _state["active"] or ot_color is not None or glyph is not None:
            return copy(hb_object, ot_color, glyph)
        return _in_place(hb_object)
    subset.casebook_mark = True
    fonts.Font.subset, fonts.get_hb_object_data = subset, face_data


def _in_place(hb_face):
    """The face's file as a read-only buffer over HarfBuzz's own blob (no copy); the buffer
    holds the blob until it is dropped. Slicing it gives bytes, as WeasyPrint expects."""
    from weasyprint.text.ffi import ffi, harfbuzz
    blob = harfbuzz.hb_face_reference_blob(hb_face)
    length = ffi.new("unsigned int *")
    data = harfbuzz.hb_blob_get_data(blob, length)
    if data == ffi.NULL:
        harfbuzz.hb_blob_destroy(blob)
        return None
    return ffi.buffer(ffi.gc(data, lambda _: harfbuzz.hb_blob_destroy(blob)), length[0])


@contextmanager
def marking():
    """Within this block, painted PDFs carry face marks instead of font subsets."""
    _state["active"] = True
    try:
        yield
    finally:
        _state["active"] = False


def _plain(font) -> bool:
    """A static outline face: WeasyPrint's clean() does nothing to it beyond subsetting."""
    return not ({"fvar", "CBDT", "COLR", "SVG "} & set(font.tables)
                or font.png or font.svg or font.colr or font.bitmap)


def _mark_bytes(font) -> bytes:
    """The mark, after the sfnt tag WeasyPrint reads the program's kind from."""
    from fontTools.ttLib import TTFont
    from weasyprint.text.ffi import ffi
    data = font.file_content
    kind = b"OTTO" if {"CFF ", "CFF2"} & set(font.tables) else b"\x00\x01\x00\x00"
    # The same face object serves every chunk a worker lays out: read its file once.
    samples = b"".join(data[at:at + 16] for at in range(0, len(data), 1 << 16))
    key = (int(ffi.cast("uintptr_t", font.hb_face)), font.index, len(data), samples)
    if key not in _faces:
        name = TTFont(io.BytesIO(data), fontNumber=font.index, lazy=True)["name"]
        _faces[key] = (hashlib.sha256(data).hexdigest(), str(name.getDebugName(6)))
    sha256, ps_name = _faces[key]
    mark = {"ps_name": ps_name, "index": font.index, "size": len(data),
            "sha256": sha256, "notdef": bool(font.missing)}
    return kind + MAGIC + json.dumps(mark, sort_keys=True).encode()


def read(data: bytes) -> Mark | None:
    """The mark a program holds, or None for a real font program."""
    if data[4:4 + len(MAGIC)] != MAGIC:
        return None
    return Mark(**json.loads(data[4 + len(MAGIC):]))


def kind(data: bytes) -> str:
    """'otf' or 'ttf', for a mark as for a program (WeasyPrint's own test)."""
    return "otf" if data[:4] == b"OTTO" else "ttf"


def original(mark: Mark, cache_dir: Path | None = None) -> Path | None:
    """The installed font file the mark was laid out with: same PostScript name, same bytes.

    Files already hashed are remembered in ``cache_dir`` by path, size and mtime.
    """
    known = _known(cache_dir)
    for name, (size, mtime, sha) in known.items():
        if sha == mark.sha256 and _stat(Path(name)) == (size, mtime):
            return Path(name)
    found = None
    for path in sorted({path for path, index in installed(mark.ps_name) if index == mark.index}):
        size, mtime = _stat(path)
        if size == mark.size:
            if known.get(str(path), [None, None])[:2] != [size, mtime]:
                known[str(path)] = [size, mtime, hashlib.sha256(path.read_bytes()).hexdigest()]
            if known[str(path)][2] == mark.sha256:
                found = path
                break
    if cache_dir is not None:
        write_file(Path(cache_dir) / KNOWN_FILES, json.dumps(known, sort_keys=True).encode())
    return found


def installed(ps_name: str) -> list[tuple[Path, int]]:
    """Font files (and collection index) fontconfig knows under this PostScript name."""
    out = subprocess.run(["fc-list", f":postscriptname={ps_name}", "-f", "%{file}\t%{index}\n"],
                         capture_output=True, text=True, check=False).stdout
    rows = (line.partition("\t") for line in sorted(set(out.splitlines())))
    return [(Path(path), int(index or 0)) for path, _, index in rows]


def _known(cache_dir: Path | None) -> dict[str, list]:
    """Font files hashed by earlier builds: path -> [size, mtime_ns, sha256]."""
    try:
        return dict(json.loads((Path(cache_dir) / KNOWN_FILES).read_text(encoding="utf-8")))
    except (TypeError, OSError, ValueError):
        return {}


def _stat(path: Path) -> tuple[int, int]:
    try:
        stat = path.stat()
    except OSError:
        return (-1, -1)
    return (stat.st_size, stat.st_mtime_ns)
