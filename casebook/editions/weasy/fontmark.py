"""The face-mark patch: inside ``marking()``, WeasyPrint's ``Font.subset`` writes a mark.

A chunk of a long book embeds no font subset, only a mark naming the face (see
``editions/pdf/fontmark.py``, which defines the mark and finds its file again for the
merge). ``patch`` wraps ``Font.subset`` and ``get_hb_object_data`` in WeasyPrint's PDF font
module; outside ``marking()`` both do exactly what WeasyPrint does. While marking, a font's
file is read in place (the face's own blob) instead of being copied for every chunk:
WeasyPrint copies all 20–27 MB of each face it meets, and a marked chunk reads only the
file's name table and size.
"""

from __future__ import annotations

import hashlib
import io
from contextlib import contextmanager

from weasyprint.pdf import fonts
from weasyprint.text.ffi import ffi, harfbuzz

from casebook.editions.pdf.fontmark import Mark, encode

_state = {"active": False}
_faces: dict[tuple, tuple[str, str]] = {}  # (face pointer, size...) -> (sha256, PS name)


def patch() -> None:
    """Wrap WeasyPrint's ``Font.subset`` (idempotent; ``weasy.install`` calls it); it marks
    only inside marking()."""
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


@contextmanager
def marking():
    """Within this block, painted PDFs carry face marks instead of font subsets."""
    _state["active"] = True
    try:
        yield
    finally:
        _state["active"] = False


def _in_place(hb_face):
    """The face's file as a read-only buffer over HarfBuzz's own blob (no copy); the buffer
    holds the blob until it is dropped. Slicing it gives bytes, as WeasyPrint expects."""
    blob = harfbuzz.hb_face_reference_blob(hb_face)
    length = ffi.new("unsigned int *")
    data = harfbuzz.hb_blob_get_data(blob, length)
    if data == ffi.NULL:
        harfbuzz.hb_blob_destroy(blob)
        return None
    return ffi.buffer(ffi.gc(data, lambda _: harfbuzz.hb_blob_destroy(blob)), length[0])


def _plain(font) -> bool:
    """A static outline face: WeasyPrint's clean() does nothing to it beyond subsetting."""
    return not ({"fvar", "CBDT", "COLR", "SVG "} & set(font.tables)
                or font.png or font.svg or font.colr or font.bitmap)


def _mark_bytes(font) -> bytes:
    """The mark of a WeasyPrint font, as the program its PDF embeds."""
    from fontTools.ttLib import TTFont
    data = font.file_content
    # The same face object serves every chunk a worker lays out: read its file once.
    samples = b"".join(data[at:at + 16] for at in range(0, len(data), 1 << 16))
    key = (int(ffi.cast("uintptr_t", font.hb_face)), font.index, len(data), samples)
    if key not in _faces:
        name = TTFont(io.BytesIO(data), fontNumber=font.index, lazy=True)["name"]
        _faces[key] = (hashlib.sha256(data).hexdigest(), str(name.getDebugName(6)))
    sha256, ps_name = _faces[key]
    mark = Mark(ps_name, font.index, len(data), sha256, bool(font.missing))
    return encode(mark, otf=bool({"CFF ", "CFF2"} & set(font.tables)))
