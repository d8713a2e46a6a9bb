"""Line-end pause marks at half width (GB/T 15834, clreq): no half-em hole at the right margin.

A full-width 、，。；： draws its ink in the left half of its em box. At the end of a line
the blank right half leaves the line visibly short of the margin. ``patch`` takes that half
from the line's width once the line is broken, before it is aligned: justification spreads
the half em over the line's gaps, and the mark's blank half falls outside the measure, as a
mark set half width would. A mark already compressed (``.halt``, next to another mark) and
text whose glyphs are not spread (``white-space`` other than normal) are left alone. A
paragraph's last line that was full before its mark was compressed is justified too, so
that its mark's ink, not its blank half, meets the margin.
"""

from __future__ import annotations

from weasyprint.formatting_structure import boxes
from weasyprint.layout import inline

from casebook.editions.weasy import hook

PAUSE = frozenset("、，。；：")
_installed = hook.Originals()
_active = {"on": False}


def activate(on: bool) -> None:
    """Compress line-end marks in the layouts that follow (weasy.typesetting sets it)."""
    _active["on"] = on


def patch() -> None:
    """Compress each line's last pause mark (idempotent; weasy.install calls it)."""
    _installed.replace(inline, "remove_last_whitespace", _remove_last_whitespace)
    _installed.replace(inline, "text_align", _text_align)


def _remove_last_whitespace(context, line) -> None:
    _installed["remove_last_whitespace"](context, line)
    if _active["on"]:
        compress_last_mark(line)


def _text_align(context, line, available_width, last):
    half = getattr(line, "casebook_half", 0.0)
    full = half and line.width + half >= available_width - 0.01
    return _installed["text_align"](context, line, available_width, last and not full)


def compress_last_mark(line) -> float:
    """Take half an em off the line if it ends in a full-width pause mark; the width taken."""
    ancestors, box = [], line
    while isinstance(box, (boxes.LineBox, boxes.InlineBox)) and box.children:
        ancestors.append(box)
        box = box.children[-1]
    if not (isinstance(box, boxes.TextBox) and box.text and box.text[-1] in PAUSE
            and box.style["white_space"] == "normal" and not _halted(box.style)):
        return 0.0
    half = box.style["font_size"] / 2
    for compressed in (box, *ancestors):
        compressed.width -= half
    line.casebook_half = half
    return half


def _halted(style) -> bool:
    features = style["font_feature_settings"]
    return features != "normal" and any(name == "halt" and value for name, value in features)
