"""HarfBuzz subsets of installed font files, cached on disk and started ahead on threads.

The merge (pdf_fontshare.py) gives each face one program: the subset of the installed file
with every glyph the chunks show. ``prefetch`` starts finding those files and making those
subsets as soon as the layout is done, from the glyphs each chunk's worker recorded, and
``take`` hands one to the merge when a face asks for the same file, face and glyphs.
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import os
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import cffi
from weasyprint.text.ffi import ffi as _wffi
from weasyprint.text.ffi import harfbuzz, harfbuzz_subset
from weasyprint.text.fonts import get_hb_object_data

from casebook.editions.pdf import fontmark as pdf_fontmark
from casebook.fsio import write_file

log = logging.getLogger(__name__)

# Same as weasyprint.pdf.fonts.Font._harfbuzz_subset (WeasyPrint 70).
DROP_TABLES = (b"BASE", b"DSIG", b"EBDT", b"EBLC", b"EBSC", b"GPOS", b"GSUB", b"JSTF",
               b"LTSH", b"PCLT", b"SVG ")
_ffi = cffi.FFI()
_ffi.include(_wffi)
_ffi.cdef("hb_blob_t *hb_blob_create_from_file_or_fail (const char *file_name);"
          "hb_face_t *hb_face_create (hb_blob_t *blob, unsigned int index);"
          "const char *hb_version_string (void);")
_hb = None
_prefetched: dict[tuple, Future] = {}  # (sha256, index, gids, notdef) -> (path, program, stats)
_finding = threading.Lock()  # pdf_fontmark.original rewrites one record file


class Mismatch(Exception):
    """The face cannot be shared safely; it is left as it is."""


def prefetch(chunks: list[tuple], cache_dir: Path | None = None) -> int:
    """Start finding the file of, and subsetting, each marked face on threads, with the union
    of the chunks' glyphs (``marked_glyphs``); ``take`` hands a subset to the merge when its
    face asks for the same. HarfBuzz and hashing run without the GIL, so the merge goes on
    meanwhile. Returns the faces started."""
    _prefetched.clear()
    faces: dict[tuple, tuple[set, bool]] = {}
    for *face, gids, notdef in itertools.chain.from_iterable(chunks):
        seen, need = faces.get(tuple(face), (set(), False))
        faces[tuple(face)] = (seen.union(gids), need or notdef)
    _lib()  # opened once, before the threads
    pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="subset")
    for (_, sha256, index, ps_name, size), (gids, notdef) in faces.items():
        mark = pdf_fontmark.Mark(ps_name, index, size, sha256, notdef)
        key = (sha256, index, tuple(sorted(gids)), notdef)
        _prefetched[key] = pool.submit(_ahead, mark, key[2], notdef, cache_dir)
    pool.shutdown(wait=False)
    return len(_prefetched)


def _ahead(mark, gids: tuple, notdef: bool, cache_dir) -> tuple | None:
    path = original(mark, cache_dir)
    if path is None:  # the merge finds none either, and says so
        return None
    stats = {"cache_hits": 0, "subset_runs": 0}
    return path, cached_subset(path, mark.index, list(gids), notdef, cache_dir, stats), stats


def take(mark, gids: list[int], notdef: bool, stats: dict) -> tuple[Path, bytes] | None:
    """The file and subset ``prefetch`` made for this face and glyphs, or None; the subset's
    counts join ``stats``, and ``stats["prefetched"]`` counts the subsets taken."""
    job = _prefetched.pop((mark.sha256, mark.index, tuple(gids), notdef), None)
    found = job.result() if job is not None else None
    if found is None:
        return None
    path, data, counted = found
    for name, count in counted.items():
        stats[name] += count
    stats["prefetched"] += 1
    return path, data


def original(mark, cache_dir) -> Path | None:
    """``pdf_fontmark.original``, one thread at a time."""
    with _finding:
        return pdf_fontmark.original(mark, cache_dir)


def forget_prefetched() -> int:
    """Drop the subsets no face asked for (their threads finish on their own); how many."""
    unused = len(_prefetched)
    _prefetched.clear()
    return unused


def cached_subset(path, index, gids, notdef, cache_dir, stats) -> bytes:
    """The union subset, from ``cache_dir`` when this file, face and glyph set were seen."""
    stat, version = path.stat(), _ffi.string(_lib().hb_version_string()).decode()
    ident = f"{path}|{stat.st_size}|{stat.st_mtime_ns}|{index}|{notdef}|{version}|{gids}"
    cached = cache_dir and Path(cache_dir) / f"{hashlib.sha256(ident.encode()).hexdigest()}.font"
    if cached and cached.is_file():
        stats["cache_hits"] += 1
        os.utime(cached)  # in use: the build's cache pruning goes by age
        return cached.read_bytes()
    data = hb_subset(path, index, gids, notdef_outline=notdef)
    stats["subset_runs"] += 1
    log.debug("subset %s#%d with %d glyphs", path, index, len(gids))
    if cached:
        write_file(cached, data)
    return data


def _lib():
    global _hb
    if _hb is None:
        _hb = _ffi.dlopen("libharfbuzz.so.0")
    return _hb


def hb_subset(path: Path, index: int, gids: list[int], *, notdef_outline: bool = False) -> bytes:
    """WeasyPrint 70's two-pass HarfBuzz subset (hinting=False, its default) of a font file."""
    blob = _lib().hb_blob_create_from_file_or_fail(str(path).encode())
    if blob == _ffi.NULL:
        raise Mismatch(f"HarfBuzz cannot read {path}")
    face = _ffi.gc(_lib().hb_face_create(blob, index), harfbuzz.hb_face_destroy)
    harfbuzz.hb_blob_destroy(blob)
    sub = _ffi.gc(harfbuzz_subset.hb_subset_input_create_or_fail(),
                  harfbuzz_subset.hb_subset_input_destroy)
    _add(harfbuzz_subset.hb_subset_input_glyph_set(sub), gids)
    drop = harfbuzz_subset.hb_subset_input_set(sub, harfbuzz_subset.HB_SUBSET_SETS_DROP_TABLE_TAG)
    _add(drop, sorted(harfbuzz.hb_tag_from_string(t, -1) for t in DROP_TABLES))
    extra = harfbuzz_subset.HB_SUBSET_FLAGS_NOTDEF_OUTLINE if notdef_outline else 0
    base = (harfbuzz_subset.HB_SUBSET_FLAGS_PASSTHROUGH_UNRECOGNIZED
            | harfbuzz_subset.HB_SUBSET_FLAGS_DESUBROUTINIZE | extra)
    face = _pass(face, sub, base | harfbuzz_subset.HB_SUBSET_FLAGS_RETAIN_GIDS)
    _add(harfbuzz_subset.hb_subset_input_glyph_set(sub), list(range(max(gids) + 1)))
    return get_hb_object_data(_pass(face, sub, base | harfbuzz_subset.HB_SUBSET_FLAGS_NO_HINTING))


def _add(hb_set, values: list[int]) -> None:
    array = _ffi.new(f"hb_codepoint_t[{len(values)}]", values)
    harfbuzz.hb_set_add_sorted_array(hb_set, array, len(values))


def _pass(face, sub, flags: int):
    harfbuzz_subset.hb_subset_input_set_flags(sub, flags)
    result = harfbuzz_subset.hb_subset_or_fail(face, sub)
    if result == _ffi.NULL:
        raise Mismatch("HarfBuzz could not subset the original")
    return _ffi.gc(result, harfbuzz.hb_face_destroy)
