"""The declared fonts: find them, check the text's glyphs before layout, check what a PDF embedded."""

from __future__ import annotations

import bisect
import functools
import hashlib
import json
import logging
import os
import re
import unicodedata
from pathlib import Path

import pikepdf

from casebook import model
from casebook.errors import CheckError, Collector, SourceError, ToolError
from casebook.fsio import write_file
from casebook.render import fontstack
from casebook.render.faces import APT_PACKAGE, FontFile, best_match, load

log = logging.getLogger(__name__)

SERIF, SANS, KAI = "Noto Serif CJK SC", "Noto Sans CJK SC", "LXGW WenKai"
DECLARED = (SERIF, SANS, KAI)  # the CJK faces of the default roles (the cover sets these)
__all__ = ["APT_PACKAGE", "FontFile"]
_IGNORED = {"\n", "\t"}
GLYPHS_CHECKED = "glyphs-checked.txt"  # in a cache folder: the last character set found covered
COVERAGE_KEPT = "font-coverage.json"  # in a cache folder: what every role can draw
_STYLE_WORDS = {"Regular", "Bold", "Italic", "Oblique", "Light", "Medium", "Semi", "Demi",
                "Extra", "Ultra", "Black", "Heavy", "Thin", "Book", "Condensed", "Expanded",
                "Semi-Bold", "Semi-Light", "Ultra-Light", "Ultra-Bold", "Extra-Bold"}


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
    out = best_match(family)
    out = out[:1] + out[2:]  # family, file, index
    if len(out) < 3 or family not in out[0].split(","):
        raise ToolError(f"font '{family}' is not installed (fontconfig offers "
                        f"'{out[0] if out else '?'}' instead); install it with "
                        f"`apt-get install {APT_PACKAGE.get(family, family)}`")
    return FontFile(family, Path(out[1]), int(out[2] or 0))


@functools.lru_cache(maxsize=None)
def coverage(family: str) -> frozenset[int]:
    """Every code point the declared family can draw."""
    with load(locate(family), lazy=True) as face:
        return frozenset(face.getBestCmap())


def forget_coverage() -> None:
    """Drop the code points read from the fonts in this process: a CJK face's are a set of
    ~50,000 ints (some MB each), which a process whose layout is done never asks again."""
    for cached in (coverage, fontstack.cmap, fontstack.coverage, fontstack.drawable):
        cached.cache_clear()


def invisible(char: str) -> bool:
    """A format character (Unicode Cf: U+200B, ZWJ, ZWNJ, the soft hyphen, U+2060, bidi
    marks…) or a variation selector: it shapes or breaks the text and draws no glyph, so no
    font needs it. The text keeps it (a soft hyphen or U+200B is a break the author put)."""
    return unicodedata.category(char) == "Cf" or 0xFE00 <= ord(char) <= 0xFE0F \
        or 0xE0100 <= ord(char) <= 0xE01EF


def check_glyphs(book: model.Book, cache_dir: Path | None = None) -> None:
    """Every character of every title and body must be in every role's declared stack (a
    character may be set in any of them): no blank box, no undeclared fallback. Runs before
    any layout, at each character's line.

    With a ``cache_dir``, the last set of characters found covered is remembered (with the
    font files' sizes and mtimes), and the same set is not looked up in the fonts again.
    """
    spec = book.meta.fonts
    meta = book.meta
    texts = [(meta.title + meta.subtitle, Path("book.yaml"), 1),
             (meta.editors + meta.publisher + meta.cover.blurb, Path("book.yaml"), 1)]
    for item in book.reading_order():
        texts.append((item.title, item.source, getattr(item, "line", 1)))
    for doc in book.documents():
        texts.append((doc.body, doc.source, doc.body_line))
    checked = Path(cache_dir) / GLYPHS_CHECKED if cache_dir else None
    key = _glyphs_key(texts, spec) if checked else ""
    if checked and checked.is_file() and checked.read_text(encoding="utf-8") == key:
        return
    covered = _kept_coverage(spec, Path(cache_dir)) if cache_dir else fontstack.drawable(spec)
    _check_glyphs(texts, covered, spec)
    check_cover(book.meta, Path(cache_dir) if cache_dir else None)
    if checked:
        write_file(checked, key.encode())


def check_cover(meta: model.Meta, cache_dir: Path | None = None) -> None:
    """Every character on the cover is in the CJK face that sets it there (cover.css names
    no other); anything else is an error, found with the text's before any layout. The
    faces' coverage is kept in ``cache_dir`` (kept_coverage), if given."""
    texts = [(meta.title, SERIF), (meta.subtitle, SANS), (meta.editors, KAI),
             (meta.publisher, SANS), (meta.cover.blurb, KAI)]
    covered = {family: kept_coverage(family, cache_dir) for family in {f for _, f in texts}}
    for text, family in texts:
        missing = sorted({c for c in text if ord(c) not in covered[family]
                          and not c.isspace() and not invisible(c)})
        if missing:
            raise SourceError(f"the cover text {text[:20]!r} has characters the font "
                              f"{family} lacks: {' '.join(missing)}", "book.yaml")


def kept_coverage(family: str, cache_dir: Path | None):
    """One family's code points, kept in ``cache_dir`` as ranges by the font file's path,
    size and mtime: reading a cmap costs ~0.15 s, which an edit would otherwise pay."""
    if cache_dir is None:
        return coverage(family)
    font = locate(family)
    stat = font.path.stat()
    key = [str(font.path), font.index, stat.st_size, stat.st_mtime_ns]
    slug = re.sub(r"\W+", "-", family)
    return _kept(Path(cache_dir) / f"coverage-{slug}.json", key, lambda: coverage(family))


def _files_key(spec: model.FontSpec) -> list:
    return [repr(spec), *([str(p), p.stat().st_size, p.stat().st_mtime_ns]
                          for p in fontstack.font_files(spec))]


def _kept_coverage(spec: model.FontSpec, cache_dir: Path):
    """What every role draws, kept in ``cache_dir`` as ranges by the font files' sizes and
    mtimes: reading the cmaps costs about a second, which an edit that adds a character
    would pay."""
    return _kept(cache_dir / COVERAGE_KEPT, _files_key(spec), lambda: fontstack.drawable(spec))


class Ranges:
    """Code points as sorted, disjoint [first, last] ranges: ``in`` by bisection, without
    the set of the 100,000 code points the ranges hold (building it cost 0.04 s a build)."""

    def __init__(self, ranges: list) -> None:
        self.firsts = [first for first, _ in ranges]
        self.lasts = [last for _, last in ranges]

    def __contains__(self, code: int) -> bool:
        i = bisect.bisect_right(self.firsts, code) - 1
        return i >= 0 and code <= self.lasts[i]

    def __iter__(self):
        return (code for first, last in zip(self.firsts, self.lasts)
                for code in range(first, last + 1))


def _kept(path: Path, key: list, read):
    """Code points kept at ``path`` as ranges for ``key`` (the font files), or ``read()`` and
    kept there: reading cmaps costs up to a second, which an edit would otherwise pay."""
    try:
        kept = json.loads(path.read_text(encoding="utf-8"))
        if kept["fonts"] == key:
            return Ranges(kept["ranges"])
    except (OSError, ValueError, KeyError, TypeError):
        pass  # not kept yet, or for other font files: read the fonts
    covered = read()
    write_file(path, json.dumps({"fonts": key, "ranges": [list(r) for r in
                                                          fontstack.ranges(covered)]}).encode())
    return covered


def _glyphs_key(texts: list, spec: model.FontSpec) -> str:
    """The characters of ``texts`` and the fonts' files: what the glyph check depends on."""
    chars = "".join(sorted(set().union(*(set(text) for text, _, _ in texts)) - _IGNORED))
    return hashlib.sha256(json.dumps([_files_key(spec), chars]).encode()).hexdigest()


def _check_glyphs(texts: list, covered, spec: model.FontSpec) -> None:
    chars = set().union(*(set(text) for text, _, _ in texts)) - _IGNORED
    if all(ord(c) in covered or invisible(c) for c in chars):
        return  # the usual case: no need to find each character's line
    errors = Collector()
    for text, path, first_line in texts:
        for offset, line in enumerate(text.split("\n")):
            for char in sorted(set(line) - _IGNORED):
                if ord(char) not in covered and not invisible(char):
                    errors.add(_missing(char, spec), path, first_line + offset, SourceError)
    errors.raise_if_any()


def _missing(char: str, spec: model.FontSpec) -> str:
    lacking = [r for r in spec.ROLES if ord(char) not in fontstack.coverage(spec, r)]
    families = ", ".join(f for f in fontstack.stack(spec, lacking[0])
                         if f != fontstack.QUOTES and not f.startswith("casebook "))
    return (f"character {char!r} (U+{ord(char):04X}, {unicodedata.name(char, 'unnamed')}) "
            f"is in none of the declared fonts of the {'/'.join(lacking)} text "
            f"({spec.role(lacking[0]).latin}, {families}); replace it, or add a font that "
            f"has it to book.yaml fonts: fallbacks")


def allowed_names(spec: model.FontSpec | None = None) -> set[str]:
    """The PDF font names (spaces as hyphens, no style) of the declared faces."""
    spec = spec or model.FontSpec()
    names = set(spec.families()) | {fontstack.QUOTES}
    names |= {fontstack.latin_name(role) for role in spec.ROLES}
    return {n.replace(" ", "-") for n in names}


def _declared(name: str, allowed: set[str]) -> bool:
    """Whether a PDF BaseFont (subset tag off) is a declared family in some style."""
    for family in allowed:
        if name == family or name.startswith(family + "-"):
            rest = name[len(family) + 1:]
            if not rest or set(rest.split("-")) <= _STYLE_WORDS:
                return True
    return False


def check_embedded(pdf_path: Path, shown: str | None = None,
                   spec: model.FontSpec | None = None) -> list[str]:
    """Every font in the PDF is embedded, subset, and one of the declared families."""
    problems, names, seen = [], set(), set()
    allowed = allowed_names(spec)
    with pikepdf.open(pdf_path) as pdf:
        for page in pdf.pages:
            for font in _fonts(page):
                if font.is_indirect:  # a font many pages use is checked once
                    if font.objgen in seen:
                        continue
                    seen.add(font.objgen)
                name = str(font.get("/BaseFont", "?")).lstrip("/")
                names.add(name)
                if not _declared(name.split("+", 1)[-1], allowed):
                    problems.append(f"font '{name}' is not one of the declared fonts "
                                    f"({', '.join(sorted(allowed))}): a fallback was used")
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
