"""The print edition's declared fonts: find them, check glyph coverage, check what got embedded."""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pikepdf
from fontTools.ttLib import TTCollection, TTFont

from casebook import model
from casebook.errors import CheckError, Collector, SourceError, ToolError
from casebook.fsio import write_file

log = logging.getLogger(__name__)

SERIF, SANS, KAI = "Noto Serif CJK SC", "Noto Sans CJK SC", "LXGW WenKai"
DECLARED = (SERIF, SANS, KAI)
APT_PACKAGE = {SERIF: "fonts-noto-cjk", SANS: "fonts-noto-cjk", KAI: "fonts-lxgw-wenkai"}
_EMBEDDED_NAMES = re.compile(r"^(?:[A-Z]{6}\+)?(Noto-?Serif-?CJK|Noto-?Sans-?CJK|LXGW-?WenKai)",
                             re.I)
_IGNORED = {"\n", "\t"}
GLYPHS_CHECKED = "glyphs-checked.txt"  # in a cache folder: the last character set found covered
COVERAGE_KEPT = "serif-coverage.json"  # in a cache folder: the body serif's code points


@dataclass(frozen=True)
class FontFile:
    family: str
    path: Path
    index: int


_located: dict[tuple[str, str | None], FontFile] = {}


def locate(family: str) -> FontFile:
    """Find a declared family through fontconfig; a substitute is an error, never a fallback.

    fontconfig is asked once per process (and again if the file it named has gone)."""
    key = (family, os.environ.get("FONTCONFIG_FILE"))
    found = _located.get(key)
    if found is None or not found.path.is_file():
        found = _located[key] = _fc_match(family)
    return found


def _fc_match(family: str) -> FontFile:
    if shutil.which("fc-match") is None:
        raise ToolError("fontconfig (fc-match) is missing; run `make book`")
    out = subprocess.run(["fc-match", "-f", "%{family}\n%{file}\n%{index}", family],
                         capture_output=True, text=True, check=False).stdout.split("\n")
    if len(out) < 3 or family not in out[0].split(","):
        raise ToolError(f"font '{family}' is not installed (fontconfig offers "
                        f"'{out[0] if out else '?'}' instead); install it with "
                        f"`apt-get install {APT_PACKAGE[family]}`")
    return FontFile(family, Path(out[1]), int(out[2] or 0))


@functools.lru_cache(maxsize=None)
def coverage(family: str) -> frozenset[int]:
    """Every code point the declared family can draw."""
    font = locate(family)
    if font.path.suffix.lower() in {".ttc", ".otc"}:
        face = TTCollection(str(font.path), lazy=True).fonts[font.index]
    else:
        face = TTFont(str(font.path), lazy=True, fontNumber=font.index)
    return frozenset(face.getBestCmap())


def check_glyphs(book: model.Book, cache_dir: Path | None = None) -> None:
    """Every character of every title and body must be in the body serif: no tofu, no fallback.

    With a ``cache_dir``, the last set of characters found covered is remembered (with the
    font file's size and mtime), and the same set is not looked up in the font again.
    """
    texts = [(book.meta.title + book.meta.subtitle, Path("book.yaml"), 1)]
    for item in book.reading_order():
        texts.append((item.title, item.source, getattr(item, "line", 1)))
    for doc in book.documents():
        texts.append((doc.body, doc.source, doc.body_line))
    checked = Path(cache_dir) / GLYPHS_CHECKED if cache_dir else None
    key = _glyphs_key(texts) if checked else ""
    if checked and checked.is_file() and checked.read_text(encoding="utf-8") == key:
        return
    _check_glyphs(texts, _kept_coverage(Path(cache_dir)) if cache_dir else coverage(SERIF))
    if checked:
        write_file(checked, key.encode())


def _kept_coverage(cache_dir: Path) -> frozenset[int]:
    return kept_coverage(SERIF, cache_dir)


def kept_coverage(family: str, cache_dir: Path | None) -> frozenset[int]:
    """The family's code points, kept in ``cache_dir`` as ranges by the font file's path,
    size and mtime: reading a cmap costs ~0.15 s, which an edit would otherwise pay."""
    if cache_dir is None:
        return coverage(family)
    font = locate(family)
    stat = font.path.stat()
    key = [str(font.path), font.index, stat.st_size, stat.st_mtime_ns]
    slug = re.sub(r"\W+", "-", family)
    path = Path(cache_dir) / (COVERAGE_KEPT if family == SERIF else f"coverage-{slug}.json")
    try:
        kept = json.loads(path.read_text(encoding="utf-8"))
        if kept["font"] == key:
            return frozenset(c for first, last in kept["ranges"] for c in range(first, last + 1))
    except (OSError, ValueError, KeyError, TypeError):
        pass  # not kept yet, or for another font file: read the font
    covered = coverage(family)
    ranges: list[list[int]] = []
    for code in sorted(covered):
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    write_file(path, json.dumps({"font": key, "ranges": ranges}).encode())
    return covered


def _glyphs_key(texts: list) -> str:
    """The characters of ``texts`` and the serif's file: what the glyph check depends on."""
    font = locate(SERIF)
    chars = "".join(sorted(set().union(*(set(text) for text, _, _ in texts)) - _IGNORED))
    stat = font.path.stat()
    return hashlib.sha256(f"{font.path}\0{font.index}\0{stat.st_size}\0{stat.st_mtime_ns}"
                          f"\0{chars}".encode()).hexdigest()


def _check_glyphs(texts: list, covered: frozenset[int]) -> None:
    errors = Collector()
    for text, path, first_line in texts:
        for offset, line in enumerate(text.split("\n")):
            for char in sorted(set(line) - _IGNORED):
                if ord(char) not in covered:
                    errors.add(f"character {char!r} (U+{ord(char):04X}) is not in the font "
                               f"{SERIF}; replace it or it would print as a blank box",
                               path, first_line + offset, SourceError)
    errors.raise_if_any()


def check_embedded(pdf_path: Path, shown: str | None = None) -> list[str]:
    """Every font in the PDF is embedded, subset, and one of the declared families."""
    problems, names, seen = [], set(), set()
    with pikepdf.open(pdf_path) as pdf:
        for page in pdf.pages:
            for font in _fonts(page):
                if font.is_indirect:  # a font many pages use is checked once
                    if font.objgen in seen:
                        continue
                    seen.add(font.objgen)
                name = str(font.get("/BaseFont", "?")).lstrip("/")
                names.add(name)
                if not _EMBEDDED_NAMES.match(name):
                    problems.append(f"font '{name}' is not one of the declared fonts "
                                    f"({', '.join(DECLARED)}): a fallback was used")
                elif not _is_embedded(font):
                    problems.append(f"font '{name}' is not embedded")
                elif "+" not in name:
                    problems.append(f"font '{name}' is embedded whole, not subset")
    if problems:
        raise CheckError("; ".join(sorted(set(problems))), shown or pdf_path)
    return sorted(names)


def _fonts(page):
    resources = page.obj.get("/Resources", {})
    for font in resources.get("/Font", {}).values():
        yield font
    for xobject in resources.get("/XObject", {}).values():
        for font in xobject.get("/Resources", {}).get("/Font", {}).values():
            yield font


def _is_embedded(font) -> bool:
    fonts = [font] + list(font.get("/DescendantFonts", []))
    for f in fonts:
        descriptor = f.get("/FontDescriptor")
        if descriptor is not None and any(k in descriptor for k in
                                          ("/FontFile", "/FontFile2", "/FontFile3")):
            return True
    return False
