"""Print page geometry from book.yaml `print:`: the measure in whole characters, boxes in points."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

from casebook import model
from casebook.errors import SourceError
from casebook.model import PrintSpec

PT_PER_MM = 72 / 25.4
BODY_PT = 10.5          # 5号: the body size; the measure is a whole number of these
SLUG_MM = 6.0           # mm of slug beyond the bleed on every side of the print MediaBox: marks
LINE_HEIGHT = 1.7


@dataclass(frozen=True)
class Geometry:
    """Everything the page template and the PDF post-processing need, in mm unless named _pt."""

    spec: PrintSpec
    inner: float          # the inner and outer margins, widened so the measure is whole
    outer: float
    chars_per_line: int
    bottom: float = 0.0   # the bottom margin, moved so the text block holds whole lines
    lines_per_page: int = 0

    @classmethod
    def of(cls, spec: PrintSpec) -> "Geometry":
        """Widen inner and outer margins equally until the measure is a whole number of ems, and
        move the bottom margin (by under half a line) until the block is a whole number of lines."""
        top, outer, bottom, inner = spec.margins
        em = BODY_PT / PT_PER_MM
        room = spec.trim_width - inner - outer
        chars = math.floor(room / em + 1e-6)
        if chars < 10:
            raise SourceError(f"the text block is only {room:.1f} mm wide: fewer than ten "
                              f"{BODY_PT}pt characters fit; reduce 'print.margins'", "book.yaml")
        extra = math.floor((room - chars * em) / 2 * 1000) / 1000  # round down: never short
        pitch = BODY_PT * LINE_HEIGHT / PT_PER_MM
        lines = round((spec.trim_height - top - bottom) / pitch)
        # the block a hair taller than its lines (1 µm): the last line fits, whatever the rounding
        foot = spec.trim_height - top - lines * pitch - 0.001
        return cls(spec, round(inner + extra, 3), round(outer + extra, 3), chars,
                   math.floor(foot * 1000) / 1000, lines)

    @property
    def measure(self) -> float:
        return self.chars_per_line * BODY_PT / PT_PER_MM

    def trim_box_pt(self) -> tuple[float, float, float, float]:
        """The TrimBox as WeasyPrint places it: the origin at the trim's lower-left corner."""
        return (0.0, 0.0, self.spec.trim_width * PT_PER_MM, self.spec.trim_height * PT_PER_MM)

    def bleed_box_pt(self) -> tuple[float, float, float, float]:
        b = self.spec.bleed * PT_PER_MM
        x0, y0, x1, y1 = self.trim_box_pt()
        return (x0 - b, y0 - b, x1 + b, y1 + b)

    def media_box_pt(self) -> tuple[float, float, float, float]:
        """The print MediaBox: the BleedBox and a slug of ``SLUG_MM`` round it for the marks."""
        s = SLUG_MM * PT_PER_MM
        x0, y0, x1, y1 = self.bleed_box_pt()
        return (x0 - s, y0 - s, x1 + s, y1 + s)


def spine_width(spec: model.PrintSpec, pages: int) -> float:
    """Pages ÷ 2 leaves × the paper caliper, plus the cover board, in mm."""
    if pages < 1:
        raise ValueError(f"a cover needs the interior's page count, not {pages}")
    return round(pages / 2 * spec.paper_caliper_mm + spec.cover_board_mm, 3)


def cover_geometry(meta: model.Meta, pages: int) -> Geometry:
    """The spread as a page Geometry (trim = back + spine + front), for the preflight checks."""
    spine = spine_width(meta.print, pages)
    spec = dataclasses.replace(meta.print, trim_width=2 * meta.print.trim_width + spine)
    return Geometry.of(spec)
