"""The laid-out print PDF as the typeset audit reads it: each page's lines, rules, images and ids.

Positions are in points, ``x`` from the TrimBox's left edge and ``down`` from its top edge,
whatever the MediaBox (the bleed) around it. Glyphs come from pdfplumber; a line is the
glyphs whose vertical middles lie within half a glyph of each other (a raised footnote call
stays on its line). Each line belongs to the element whose named destination (WeasyPrint
writes one for every id, blocks carry ``<doc>--b<n>`` ids) is the last at or above it.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf

log = logging.getLogger(__name__)
Box = tuple[float, float, float, float]  # x0, down0, x1, down1


@dataclass(frozen=True)
class Glyph:
    text: str
    x0: float
    x1: float   # x0 + the glyph's advance as the font gives it (a full em for CJK marks)
    size: float


@dataclass
class Line:
    page: int            # 0-based PDF page
    glyphs: tuple[Glyph, ...]
    top: float           # the main glyphs' font boxes, down from the trim's top edge
    bottom: float
    baseline: float
    size: float          # the commonest glyph size on the line
    block: str = ""      # the id of the element it belongs to

    @property
    def text(self) -> str:
        return "".join(g.text for g in self.glyphs)

    @property
    def x0(self) -> float:
        return self.glyphs[0].x0

    @property
    def x1(self) -> float:
        return max(g.x1 for g in self.glyphs)

    @property
    def box(self) -> Box:
        return (self.x0, self.top, self.x1, self.bottom)

    @property
    def document(self) -> str:
        return self.block.split("--")[0]


@dataclass
class Sheet:
    """One page of the PDF as laid out."""

    index: int
    label: str
    lines: list[Line]
    rules: list[Box]                  # vector paintings: rules, borders, backgrounds
    images: list[Box]
    anchors: list[tuple[float, str]]  # (down, id) of each element starting on the page
    off_black: list[tuple[str, str, Box]] = field(default_factory=list)  # what, colour, box

    @property
    def recto(self) -> bool:
        return self.index % 2 == 0

    def starts_document(self) -> bool:
        """Whether a document (a case, a part, front or back matter, the TOC) begins here."""
        return any("--" not in name for _, name in self.anchors)


def read(path: Path) -> list[Sheet]:
    """Every page of the PDF, its lines assigned to the elements they belong to."""
    import pdfplumber
    import pypdf
    anchors = destinations(path)
    labels = list(pypdf.PdfReader(path).page_labels)
    sheets = []
    with pdfplumber.open(path) as pdf:
        for index, page in enumerate(pdf.pages):
            frame = _Frame(page)
            sheets.append(Sheet(index, labels[index], _lines(page.chars, frame, index),
                                [frame.box(o) for o in _paintings(page)],
                                [frame.box(o) for o in page.images],
                                anchors.get(index, []), _off_black(page, frame)))
            page.flush_cache()
    _assign_blocks(sheets)
    log.debug("Read %d pages, %d lines of %s", len(sheets),
              sum(len(s.lines) for s in sheets), path)
    return sheets


def destinations(path: Path) -> dict[int, list[tuple[float, str]]]:
    """Each page's named destinations as (down, id), top to bottom."""
    found: dict[int, list[tuple[float, str]]] = {}
    with pikepdf.open(path) as pdf:
        pages = {page.obj.objgen: i for i, page in enumerate(pdf.pages)}
        tops = {i: _trim(page.obj)[3] for i, page in enumerate(pdf.pages)}
        names = pdf.Root.get("/Names", {}).get("/Dests")
        for name, dest in (pikepdf.NameTree(names).items() if names is not None else ()):
            target = dest if isinstance(dest, pikepdf.Array) else dest.get("/D")
            if target is None or len(target) < 4 or not isinstance(target[0], pikepdf.Dictionary):
                continue
            index = pages.get(target[0].objgen)
            if index is not None and target[1] == pikepdf.Name.XYZ:
                found.setdefault(index, []).append((tops[index] - float(target[3]), str(name)))
    for items in found.values():
        items.sort(key=lambda item: (round(item[0], 1), len(item[1]), item[1]))
    return found


def _trim(page: pikepdf.Dictionary) -> list[float]:
    return [float(v) for v in page.get("/TrimBox", page.MediaBox)]


class _Frame:
    """pdfplumber's coordinates to the trim frame (pdfminer's y is from the MediaBox's bottom)."""

    def __init__(self, page):
        attrs = page.page_obj.attrs
        self.mediabox = _floats(attrs["MediaBox"])
        self.trim = _floats(attrs.get("TrimBox", attrs["MediaBox"]))

    def x(self, x: float) -> float:
        return x - self.trim[0]   # pdfplumber adds the MediaBox's x0 back itself

    def down(self, y: float) -> float:
        return self.trim[3] - (y + self.mediabox[1])

    def box(self, obj: dict) -> Box:
        return (self.x(obj["x0"]), self.down(obj["y1"]), self.x(obj["x1"]), self.down(obj["y0"]))


def _floats(value) -> list[float]:
    """A PDF box read by pdfminer (possibly indirect) as four floats."""
    from pdfminer.pdftypes import resolve1
    return [float(resolve1(v)) for v in resolve1(value)]


def _lines(chars: list[dict], frame: _Frame, index: int) -> list[Line]:
    """Glyphs grouped into lines by their vertical middles, each line left to right."""
    items = sorted((((frame.down(c["y0"]) + frame.down(c["y1"])) / 2, c) for c in chars
                    if c["text"].strip() or c["text"] == "\u3000"), key=lambda item: item[0])
    groups: list[list[tuple[float, dict]]] = []
    for middle, char in items:
        if groups and middle - groups[-1][0][0] <= 0.5 * max(c["size"] for _, c in groups[-1]):
            groups[-1].append((middle, char))
        else:
            groups.append([(middle, char)])
    return [_line([c for _, c in group], frame, index) for group in groups]


def _line(chars: list[dict], frame: _Frame, index: int) -> Line:
    chars.sort(key=lambda c: c["x0"])
    size = Counter(round(c["size"], 2) for c in chars).most_common(1)[0][0]
    main = [c for c in chars if round(c["size"], 2) == size]
    glyphs = tuple(Glyph(c["text"], frame.x(c["x0"]), frame.x(c["x1"]), round(c["size"], 2))
                   for c in chars)
    return Line(index, glyphs, min(frame.down(c["y1"]) for c in main),
                max(frame.down(c["y0"]) for c in main),
                Counter(round(frame.down(c["matrix"][5]), 2) for c in main).most_common(1)[0][0],
                size)


def _paintings(page) -> list[dict]:
    return [*page.rects, *page.lines, *page.curves]


def _off_black(page, frame: _Frame) -> list[tuple[str, str, Box]]:
    """Text and vector paintings in any colour but black ink (gray, or CMYK with K only)."""
    found = []
    for char in page.chars:
        colour = _colour(char.get("ncs"), char.get("non_stroking_color"))
        if colour:
            found.append(("text", colour, frame.box(char)))
    for item in _paintings(page):
        for on, key in (("stroke", "stroking_color"), ("fill", "non_stroking_color")):
            colour = _colour(None, item.get(key)) if item.get(on) else None
            if colour:
                found.append(("rule" if on == "stroke" else "fill", colour, frame.box(item)))
    return found


GRAY_SPACES = ("DeviceGray", "CalGray")


def _colour(space: str | None, value) -> str | None:
    """None for black ink; otherwise a description such as ``DeviceRGB 0 0 0``."""
    values = value if isinstance(value, (tuple, list)) else (value,) if value is not None else ()
    numbers = [v for v in values if isinstance(v, (int, float))]
    if len(numbers) != len(values):
        return f"{space or 'pattern'} {values}"
    if space is None or space.startswith("ICC"):
        space = {1: "DeviceGray", 3: "DeviceRGB", 4: "DeviceCMYK"}.get(len(numbers), space)
    if space in GRAY_SPACES and len(numbers) <= 1:
        return None
    if space == "DeviceCMYK" and len(numbers) == 4 and not any(numbers[:3]):
        return None
    return f"{space} {' '.join(f'{v:g}' for v in numbers)}".strip()


def _assign_blocks(sheets: list[Sheet]) -> None:
    """Give each line the id of the last element starting at or above it, pages running on."""
    block = ""
    for sheet in sheets:
        anchors = list(sheet.anchors)
        for line in sheet.lines:
            while anchors and anchors[0][0] <= line.top + 0.5:
                block = anchors.pop(0)[1]
            line.block = block
        if anchors:
            block = anchors[-1][1]
