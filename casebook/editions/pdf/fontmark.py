"""Chunks embed a mark naming each font face instead of a subset; the merge subsets it once.

Subsetting the 20–27 MB CJK collections is a large part of painting a chunk, and the merged
PDF throws every chunk's subset away for one program per face (fontshare.py). So while
``weasy.fontmark.marking()`` is active, WeasyPrint's ``Font.subset`` writes a mark instead:
the face's PostScript name, its index in the file, and the size and SHA-256 of the file it
was laid out with. The glyphs a chunk shows stay in its font dictionaries (``/W`` and
ToUnicode), as always. The merge finds the file again by its digest (``original``) and
subsets it with the union of every chunk's glyphs. A mark must never reach a finished PDF:
the merge fails when it cannot resolve one. This module is the mark itself (``encode``,
``read``) and the search for its file; the patch of WeasyPrint that writes marks is
``weasy/fontmark.py``.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path

from casebook.fsio import write_file

MAGIC = b"casebook-face-mark\n"
KNOWN_FILES = "font-files.json"  # in the font cache: files hashed before


@dataclass(frozen=True)
class Mark:
    """Which face of which font file a chunk showed, and whether .notdef needs an outline."""

    ps_name: str
    index: int
    size: int
    sha256: str
    notdef: bool


def encode(mark: Mark, otf: bool) -> bytes:
    """The mark as a font program: the sfnt tag WeasyPrint reads the program's kind from
    (``otf``: CFF outlines), then the mark."""
    kind = b"OTTO" if otf else b"\x00\x01\x00\x00"
    return kind + MAGIC + json.dumps(asdict(mark), sort_keys=True).encode()


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
                known[str(path)] = [size, mtime, _sha256(path)]
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


def _sha256(path: Path) -> str:
    """The file's digest, read piece by piece (a CJK collection is 20–27 MB, read while the
    merged book is in memory)."""
    with open(path, "rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()


def _stat(path: Path) -> tuple[int, int]:
    try:
        stat = path.stat()
    except OSError:
        return (-1, -1)
    return (stat.st_size, stat.st_mtime_ns)
