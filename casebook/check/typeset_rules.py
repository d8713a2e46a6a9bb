"""The typeset audit's rules: each reads the laid-out pages, yields (kind, line, text, box).

The text block and the baseline grid come from casebook/geometry.py. ``flow`` lines are the
text block's lines above the footnote area; ``body`` lines are the flow lines set at the
body size (headings of that size, the TOC and the 点评 included): the ones the grid is for.
"""

from __future__ import annotations

import itertools
import unicodedata
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from casebook.check.typeset_layout import Box, Line, Sheet
from casebook.geometry import BODY_PT, LINE_HEIGHT, PT_PER_MM, Geometry
from casebook.render.typeset import CLOSING, OPENING, STOPS

GRID_TOLERANCE = 0.5          # pt a baseline may sit off its grid line
EDGE_TOLERANCE = 0.5          # pt between a full line's last glyph and the measure's edge
FOOTNOTE_MARGIN = 2.0           # pt: templates/pdf/page.css.j2: @footnote { margin-top: 2pt }
NOTE_MAX_PT = 8.5             # footnotes are set at 8 pt, below every text size of the flow
DASH, ELLIPSIS = "—", "…"
# GB/T 15834-2011: 点号, the closing halves of quotes and brackets, 连接号 and 间隔号 never
# start a line; the opening halves never end one; 破折号 —— and 省略号 …… are never split.
NO_START = frozenset(STOPS + CLOSING + "·・‧～–" + ",.;:!?)]}")
NO_END = frozenset(OPENING + "([{")
HALF_WIDTH = frozenset(",.;:!?)]}([{")
PAUSE = frozenset("、，。；：")  # ink in the left half: full width, they leave a half-em hole
Hit = tuple[str, Line | None, str, Box]  # kind, the line it is about, text, box


@dataclass(frozen=True)
class TextBlock:
    """The text block of every page and its baseline grid, in points from the trim's corner."""

    top: float
    foot: float
    lefts: tuple[float, float]   # recto, verso
    measure: float
    pitch: float
    baseline: float              # a body line's baseline below its line box's top

    @classmethod
    def of(cls, geometry: Geometry, ascent: float, descent: float) -> TextBlock:
        """The body face's ``ascent`` and ``descent`` (em, positive) place its baseline."""
        # CSS centres the content area in the line box: half-leading, then the ascent
        spec, pitch = geometry.spec, BODY_PT * LINE_HEIGHT
        return cls(spec.margins[0] * PT_PER_MM, (spec.trim_height - geometry.bottom) * PT_PER_MM,
                   (geometry.inner * PT_PER_MM, geometry.outer * PT_PER_MM),
                   geometry.chars_per_line * BODY_PT, pitch,
                   pitch / 2 + (ascent - descent) / 2 * BODY_PT)

    def left(self, sheet: Sheet) -> float:
        return self.lefts[0 if sheet.recto else 1]

    def right(self, sheet: Sheet) -> float:
        return self.left(sheet) + self.measure

    def grid_offset(self, line: Line) -> float:
        """How far a baseline sits below (+) or above (-) the nearest grid line."""
        off = (line.baseline - self.top - self.baseline) % self.pitch
        return off - self.pitch if off > self.pitch / 2 else off

    def line_bottom(self, line: Line) -> float:
        if is_body(line):
            return line.baseline - self.baseline + self.pitch
        return line.bottom


def is_body(line: Line) -> bool:
    return abs(line.size - BODY_PT) < 0.05


def middle(line: Line) -> float:
    return (line.top + line.bottom) / 2


@dataclass
class Page:
    """A sheet as the rules see it: its flow lines, its footnote lines, where its flow ends."""

    sheet: Sheet
    flow: list[Line]
    notes: list[Line]
    foot: float       # the lowest a flow line may reach: the block's foot or the notes' top

    @classmethod
    def of(cls, sheet: Sheet, block: TextBlock) -> Page:
        inside = [line for line in sheet.lines if block.top - 1 <= middle(line) <= block.foot + 1]
        rule = _footnote_rule(sheet, block, inside)
        if rule is None:
            return cls(sheet, inside, [], block.foot)
        return cls(sheet, [line for line in inside if middle(line) < rule],
                   [line for line in inside if middle(line) > rule], rule - FOOTNOTE_MARGIN)

    @property
    def body(self) -> list[Line]:
        return [line for line in self.flow if is_body(line)]


def _footnote_rule(sheet: Sheet, block: TextBlock, inside: list[Line]) -> float | None:
    """The top of the footnote area (its border, painted as a frame down to the foot), or None."""
    # WeasyPrint paints a border as a filled frame: the footnote area's runs from its top
    # down to the block's foot, with only footnote-sized lines (at least one) below its top.
    # Another engine's PDF (Typst's, bench/typst_peer.py) draws a separator stroke instead.
    left = block.left(sheet)
    tops = sorted((box[1] for box in sheet.rules if abs(box[0] - left) <= 1.0
                   and block.top < box[1] < block.foot
                   and (box[3] >= block.foot - 1.0 or box[3] - box[1] <= 1.0)),
                  reverse=True)
    for down in tops:
        below = [line for line in inside if middle(line) > down]
        if below and all(line.size <= NOTE_MAX_PT for line in below):
            return down
    return None


def union(boxes) -> Box:
    boxes = list(boxes)
    return (min(b[0] for b in boxes), min(b[1] for b in boxes),
            max(b[2] for b in boxes), max(b[3] for b in boxes))


def quote(text: str, limit: int = 24) -> str:
    return f"“{text[:limit]}{'…' if len(text) > limit else ''}”"


# -- page rules -------------------------------------------------------------------------------
def lonely_lines(page: Page, block: TextBlock) -> Iterator[Hit]:
    """A page carrying on a document with only one or two lines of text and no image."""
    # title, part-title and blank pages begin their document or hold no line at all
    if page.sheet.starts_document() or not 1 <= len(page.flow) <= 2 or _images(page, block):
        return
    yield ("lonely-lines", page.flow[0],
           f"only {len(page.flow)} line(s) of text on the page: {quote(page.flow[-1].text)}",
           union(line.box for line in page.flow))


def _images(page: Page, block: TextBlock) -> list[Box]:
    return [box for box in page.sheet.images if box[3] > block.top and box[1] < page.foot]


def short_page(page: Page, after: Page | None, block: TextBlock) -> Iterator[Hit]:
    """A page that ends two or more lines above the foot while its text goes on overleaf."""
    if (not page.flow or after is None or not after.flow or after.sheet.starts_document()
            or after.flow[0].document != page.flow[-1].document):
        return
    bottoms = [block.line_bottom(line) for line in page.flow]
    bottoms += [box[3] for box in (*page.sheet.rules, *_images(page, block))
                if block.top <= box[1] and box[3] <= page.foot + 1]
    gap = page.foot - max(bottoms)
    if gap >= 2 * block.pitch - GRID_TOLERANCE:
        left = block.left(page.sheet)
        text = (f"the text stops {gap / block.pitch:.1f} lines above the foot of the text "
                f"block and goes on overleaf: {quote(page.flow[-1].text)}")
        yield ("short-page", page.flow[-1], text,
               (left, max(bottoms), left + block.measure, page.foot))


def off_grid(page: Page, block: TextBlock) -> Iterator[Hit]:
    """Runs of body lines whose baselines sit the same distance off the baseline grid."""
    run: list[Line] = []
    for line in page.body + [None]:
        offset = block.grid_offset(line) if line is not None else 0.0
        if run and (line is None or abs(offset - block.grid_offset(run[0])) > 0.3
                    or abs(offset) <= GRID_TOLERANCE):
            shift = block.grid_offset(run[0])
            where = "below" if shift > 0 else "above"
            text = (f"{len(run)} body line(s) {abs(shift):.1f} pt {where} the baseline grid: "
                    f"{quote(run[0].text)}")
            yield ("off-grid", run[0], text, union(line.box for line in run))
            run = []
        if line is not None and abs(offset) > GRID_TOLERANCE:
            run.append(line)


def colour(page: Page) -> Iterator[Hit]:
    """Text and rules in any colour but black ink: one finding a page, naming each colour."""
    groups: dict[tuple[str, str], list[Box]] = defaultdict(list)
    for what, value, box in page.sheet.off_black:
        groups[value, what].append(box)
    if not groups:
        return
    names = {"text": "glyph(s)", "rule": "stroke(s)", "fill": "filled shape(s)"}
    told = "; ".join(f"{len(boxes)} {names[what]} in {value}"
                     for (value, what), boxes in sorted(groups.items()))
    yield ("colour", page.flow[0] if page.flow else None, f"{told}: not black ink",
           union(box for boxes in groups.values() for box in boxes))


# -- line rules -------------------------------------------------------------------------------
def _letters(line: Line) -> list[str]:
    """The line's characters at its own size (not footnote calls), punctuation aside."""
    return [g.text for g in line.glyphs if g.size >= 0.8 * line.size
            and unicodedata.category(g.text[:1] or " ")[0] not in "PZS"]


def single_char_lines(body: list[Line]) -> Iterator[Hit]:
    """单字成行: a paragraph's last line holding a single character, punctuation aside."""
    for before, line, after in zip([None, *body], body, [*body[1:], None]):
        if (before is not None and before.block == line.block
                and (after is None or after.block != line.block) and len(_letters(line)) == 1):
            text = f"the paragraph's last line is one character: {quote(line.text)}"
            yield ("single-char-line", line, text, line.box)


def marks(lines: list[Line]) -> Iterator[Hit]:
    """避头尾: marks that may not start or end a line, and a split —— or …… (GB/T 15834)."""
    split = set()
    for line, after in itertools.pairwise(lines):
        for mark in (DASH, ELLIPSIS):
            if (line.text.endswith(mark) and after.text.startswith(mark)
                    and line.block == after.block and line.size == after.size):
                split.add(id(after))
                pair = quote(f"{line.text[-8:]} / {after.text}")
                text = f"{mark * 2} split over two lines: {pair}"
                yield ("split-mark", line, text, union([line.box, after.box]))
    for line in lines:
        text = line.text
        start = text[0] in NO_START or (text[0] == DASH and text[1:2] != DASH)
        if start and id(line) not in split:
            width = "half-width " if text[0] in HALF_WIDTH else ""
            said = f"the line starts with {width}‘{text[0]}’: {quote(text)}"
            yield ("line-start-mark", line, said, _glyph_box(line, 0))
        if text[-1] in NO_END:
            width = "half-width " if text[-1] in HALF_WIDTH else ""
            said = f"the line ends with {width}‘{text[-1]}’: {quote(text[-24:])}"
            yield ("line-end-mark", line, said, _glyph_box(line, -1))


def _glyph_box(line: Line, index: int) -> Box:
    glyph = line.glyphs[index]
    return (glyph.x0, line.top, glyph.x1, line.bottom)


def pause_marks(lines: list[Line], right: float) -> Iterator[Hit]:
    """A full line whose last glyph, a full-width pause mark, ends its em box at the edge."""
    for line in lines:
        last = line.glyphs[-1]
        if (last.text in PAUSE and last.size >= 0.8 * line.size
                and abs(last.x1 - right) <= EDGE_TOLERANCE
                and last.x1 - last.x0 >= 0.9 * last.size):
            text = f"a full line ends in a full-width ‘{last.text}’: {quote(line.text[-24:])}"
            yield ("pause-mark", line, text, _glyph_box(line, -1))
