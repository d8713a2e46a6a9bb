"""One line height for every run of text: a fallback face no longer moves a line off the grid.

WeasyPrint gives a run of text the height and baseline Pango measures for it, and Pango
measures every face the run uses: a line whose quotes come from the serif (the 点评's
unicode-range face) or whose digits come from another face is taller and its baseline
lower, so it and every line after it leave the book's baseline grid. ``patch`` gives each
text box and inline box, whenever the line height is set (not ``normal``), the metrics the
grid face ``configure``d (the body serif) has at its size, as a strut: a line keeps its
pitch whatever faces its glyphs come from, and the 点评's 楷体 sits on the body's baselines.
"""

from __future__ import annotations

from weasyprint.layout import inline
from weasyprint.text import line_break

from casebook.editions.weasy import hook

_installed = hook.Originals()
_grid_face = {"family": None}


def configure(family: str | None) -> None:
    """The face whose metrics place every text box's baseline (None: as upstream does)."""
    _grid_face["family"] = family


def patch() -> None:
    """Give text boxes their strut's height and baseline (idempotent; weasy.install calls it)."""
    _installed.replace(inline, "split_text_box", _split_text_box)
    _installed.replace(inline, "_adjust_line_height", _adjust_line_height)


def _split_text_box(context, box, available_width, skip, is_line_start=True):
    new_box, resume, preserved = _installed["split_text_box"](
        context, box, available_width, skip, is_line_start)
    if (_grid_face["family"] is not None and new_box is not None
            and new_box.style["line_height"] != "normal"):
        _fit_strut(new_box)
    return new_box, resume, preserved


def _adjust_line_height(box) -> None:
    """An inline box (a span) puts its baseline where its text boxes put theirs."""
    _installed["_adjust_line_height"](box)
    if (_grid_face["family"] is not None and box.style["line_height"] != "normal"
            and box.style["font_size"]):
        line_height, _ = line_break.strut(box.style)
        height, ascent = face_metrics(box.style)
        box.baseline = (line_height - height) / 2 + ascent


def _fit_strut(box) -> None:
    """Set the box's content height, half-leading and baseline from the grid (or first) face."""
    line_height, _ = line_break.strut(box.style)
    height, ascent = face_metrics(box.style)
    box.height = height
    box.margin_top = box.margin_bottom = (line_height - height) / 2
    box.baseline = box.margin_top + ascent


_METRICS: dict = {}


def face_metrics(style) -> tuple[float, float]:
    """(content height, baseline from its top) of a space in the grid face at the style's size."""
    family = _grid_face["family"]
    key = (family, line_break._font_style_cache_key(style, include_size=True))
    if key not in _METRICS:
        style = style.copy()
        style["font_family"] = (family,)
        layout = line_break.Layout(style)
        layout.set_text(" ")
        line, _ = layout.get_first_line()
        _, _, _, _, height, ascent = line_break.first_line_metrics(
            line, " ", layout, resume_at=None, space_collapse=False, style=style)
        _METRICS[key] = (height, ascent)
    return _METRICS[key]
