"""The declared fonts as each edition sets them: every role's stack, its Latin faces and what it can draw."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from casebook import model
from casebook.errors import ToolError
from casebook.render.faces import face, load

# What a role's Latin face sets: Latin (with Latin-1, Extended-A/B, IPA, Extended Additional),
# combining accents, Greek, Cyrillic and super/subscripts. Left to the CJK face: the middle
# dot U+00B7 (人名间隔号), the modifier letters (注音 tone marks), the dashes, quotes and
# every other punctuation of U+2000-206F, which a Chinese text sets full-width.
LATIN = ((0x20, 0x7E), (0xA0, 0xB6), (0xB8, 0x2AF), (0x300, 0x36F), (0x370, 0x3FF),
         (0x400, 0x4FF), (0x1E00, 0x1FFF), (0x2070, 0x209F))
STYLES = (("Regular", 400, "normal"), ("Bold", 700, "normal"), ("Italic", 400, "italic"),
          ("Bold Italic", 700, "italic"))
QUOTES = "Noto Serif CJK SC quotes"  # the 点评's full-width quotes (pdf.css, html.css, epub.css)


@dataclass(frozen=True)
class LatinFace:
    """One @font-face: a style of a role's Latin family, limited to the Latin ranges it has."""

    name: str      # the CSS family, "casebook serif latin"
    family: str    # the installed family, "Noto Serif"
    style: str     # Regular, Bold, Italic, Bold Italic
    ps_name: str   # what local() names
    weight: int
    slant: str     # normal or italic
    ranges: tuple[tuple[int, int], ...]

    @property
    def unicode_range(self) -> str:
        return ", ".join(f"U+{a:04X}" if a == b else f"U+{a:04X}-{b:04X}" for a, b in self.ranges)


def latin_name(role: str) -> str:
    return f"casebook {role} latin"


def stack(spec: model.FontSpec, role: str) -> tuple[str, ...]:
    """The CSS font-family list of a role, first choice first; the PDF uses no other font."""
    first = (QUOTES,) if role == "kai" else ()
    cjk = dict.fromkeys([spec.role(role).cjk, spec.serif.cjk])
    return (*first, latin_name(role), *cjk, *spec.fallbacks)


def css_stack(spec: model.FontSpec, role: str) -> str:
    return ", ".join(f'"{name}"' for name in stack(spec, role))


@functools.lru_cache(maxsize=None)
def latin_faces(family: str, role: str) -> tuple[LatinFace, ...]:
    """The installed styles of ``family`` as @font-face rules; its Regular must be there."""
    found = []
    for style, weight, slant in STYLES:
        try:  # the regular face is the family's default ("Book" for DejaVu)
            font = face(family, style if style != "Regular" else None)
        except ToolError:
            if style == "Regular":
                raise
            continue  # WeasyPrint and browsers synthesise a missing bold or italic
        with load(font, lazy=True) as opened:
            has = ranges(set(opened.getBestCmap()) & _latin_points())
            ps_name = str(opened["name"].getDebugName(6))
        found.append(LatinFace(latin_name(role), family, style, ps_name, weight, slant, has))
    return tuple(found)


def all_latin_faces(spec: model.FontSpec) -> list[LatinFace]:
    return [f for role in spec.ROLES for f in latin_faces(spec.role(role).latin, role)]


@functools.lru_cache(maxsize=None)
def _latin_points() -> frozenset[int]:
    return frozenset(c for a, b in LATIN for c in range(a, b + 1))


def ranges(points) -> tuple[tuple[int, int], ...]:
    """Code points as (first, last) runs."""
    out: list[list[int]] = []
    for code in sorted(points):
        if out and out[-1][1] == code - 1:
            out[-1][1] = code
        else:
            out.append([code, code])
    return tuple((a, b) for a, b in out)


@functools.lru_cache(maxsize=None)
def cmap(family: str) -> frozenset[int]:
    """Every code point the Regular style of an installed family maps."""
    with load(face(family, None), lazy=True) as opened:
        return frozenset(opened.getBestCmap())


@functools.lru_cache(maxsize=64)
def coverage(spec: model.FontSpec, role: str) -> frozenset[int]:
    """What a role's stack draws: its Latin face within its ranges, then each family whole."""
    latin = {c for a, b in latin_faces(spec.role(role).latin, role)[0].ranges
             for c in range(a, b + 1)}
    rest = [cmap(name) for name in stack(spec, role) if name not in (QUOTES, latin_name(role))]
    return frozenset(latin.union(*rest))


@functools.lru_cache(maxsize=16)
def drawable(spec: model.FontSpec) -> frozenset[int]:
    """What every role can draw: a character of the text may be set in any of them."""
    return frozenset.intersection(*(coverage(spec, role) for role in spec.ROLES))


def font_files(spec: model.FontSpec) -> list:
    """The files of every declared face (their size and mtime key the caches)."""
    files = {face(family, None).path for family in spec.families()}
    files.update(face(f.family, f.style if f.style != "Regular" else None).path
                 for f in all_latin_faces(spec))
    return sorted(files)


def css_context(spec: model.FontSpec) -> dict:
    """What the editions' font templates need: the @font-face rules and each role's stack."""
    return {"faces": all_latin_faces(spec),
            "stacks": {role: css_stack(spec, role) for role in spec.ROLES}}
