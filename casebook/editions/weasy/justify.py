"""Inter-character justification for Chinese lines: WeasyPrint only stretches spaces.

``text-align: justify`` in WeasyPrint spreads a line's spare width over its spaces, and a
line of Chinese has none, so a line that breaks early (before a mark that may not start a
line, after a mark set at half width, around Latin text) stays short. ``patch`` extends
WeasyPrint's justification to the gaps between full-width characters, the way clreq
describes it for Chinese: ``count_expandable_spaces`` also counts those gaps, and the layout
of a justified line gives each full-width character the matching Pango letter spacing.

Pango gives a spaced character half the spacing on each side, except at the start and the
end of its text run, so a run of n full-width characters takes n - (1/2 at each edge that
is full-width) shares of the spare width: exactly one share per gap between them. Latin
words, digits, the ellipsis and the dash are not spread.
"""

from __future__ import annotations

import re

from weasyprint.formatting_structure import boxes
from weasyprint.layout import inline
from weasyprint.text import line_break
from weasyprint.text.ffi import ffi, pango

from casebook.editions.weasy import hook, lastline

_WIDE = re.compile(r"[\u3000-\u3003\u3008-\u3011\u3014-\u301f\u3040-\u30ff\u3400-\u4dbf"
                   r"\u4e00-\u9fff\uf900-\ufaff\uff01-\uff60“”‘’]")
_TO_UNITS = 1024  # Pango units per pixel
_installed = hook.Originals()


def shares(text: str) -> float:
    """How many shares of a line's spare width the full-width characters of ``text`` take."""
    wide = [bool(_WIDE.match(c)) for c in text]
    if not wide:
        return 0
    return sum(wide) - (wide[0] + wide[-1]) / 2


def patch() -> None:
    """Extend WeasyPrint's justification to Chinese text (idempotent; weasy.install calls it)."""
    _installed.replace(inline, "count_expandable_spaces", _count)
    _installed.replace(line_break.Layout, "set_text", _set_text)


def _count(box) -> float:
    total = _installed["count_expandable_spaces"](box)
    if isinstance(box, boxes.TextBox) and _spreadable(box.style):
        total += shares(box.text)
    return total


def _set_text(layout, text: str, justify: bool = False) -> None:
    _installed["set_text"](layout, text, justify)
    if not _spreadable(layout.style):
        return
    # a paragraph set tighter (lastline.py) keeps its tightening when it is justified
    spacing = lastline.tightening(layout) + (layout.justification_spacing if justify else 0)
    if spacing:
        _spread(layout, spacing)
    if lastline.halted(layout):
        _halt_pauses(layout)


def _spreadable(style) -> bool:
    return style["letter_spacing"] in ("normal", 0) and style["white_space"] == "normal"


def _halt_pauses(layout) -> None:
    """Set the layout's pause marks with the font's ``halt`` feature (half width)."""
    attributes = pango.pango_layout_get_attributes(layout.layout)
    if attributes == ffi.NULL:
        attributes = ffi.gc(pango.pango_attr_list_new(), pango.pango_attr_list_unref)
    offset = 0
    for char in layout.text:
        size = len(char.encode())
        if char in lastline.PAUSES:
            attribute = pango.pango_attr_font_features_new(b"halt")
            attribute.start_index, attribute.end_index = offset, offset + size
            pango.pango_attr_list_insert(attributes, attribute)
        offset += size
    pango.pango_layout_set_attributes(layout.layout, attributes)


def _spread(layout, spacing: float) -> None:
    """Give every full-width character of the layout's text ``spacing`` px of letter spacing."""
    attributes = pango.pango_layout_get_attributes(layout.layout)
    if attributes == ffi.NULL:
        attributes = ffi.gc(pango.pango_attr_list_new(), pango.pango_attr_list_unref)
    units, offset = int(spacing * _TO_UNITS), 0
    for char in layout.text:
        size = len(char.encode())
        if _WIDE.match(char):
            attribute = pango.pango_attr_letter_spacing_new(units)
            attribute.start_index, attribute.end_index = offset, offset + size
            pango.pango_attr_list_change(attributes, attribute)
        offset += size
    pango.pango_layout_set_attributes(layout.layout, attributes)
