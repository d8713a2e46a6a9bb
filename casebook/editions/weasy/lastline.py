"""单字成行 avoided: a paragraph whose last line would hold one character is set tighter.

Chinese composers never end a paragraph with a line of a single character ("性。"). They
tighten the paragraph: the spaces between its characters give up a little, at most 1/20 em,
until the last character joins the line before it. ``patch`` does the same. It lays out a
justified paragraph's lines; if the last one holds one character (punctuation aside), it
lays them out again with every full-width character 1/40 em, then 1/20 em, tighter
(``TIGHTER``), then 1/20 em with its pause marks 、，。；： half width (the font's
``halt``), and keeps the first setting whose last line holds more. A paragraph no
setting fixes keeps its normal setting, and is logged; the typeset audit reports it. A
paragraph ``LOOSE`` names (fill.py) is set that much looser, unless that leaves it 单字成行.
Each paragraph's last layout is kept in ``SEEN`` (fill.py clears it page by page), so that
``measure`` can say how many lines a setting would give it without laying out its page.
"""

from __future__ import annotations

import logging
import unicodedata

from weasyprint.formatting_structure import boxes
from weasyprint.layout import block

from casebook.editions.weasy import hook

log = logging.getLogger(__name__)
TIGHTER = (1 / 40, 1 / 20)  # em taken from each full-width character, tried in turn
# (em tighter, pause marks half width): the settings tried in turn, the last a last resort
SETTINGS = ((1 / 40, False), (1 / 20, False), (1 / 20, True))
PAUSES = frozenset("、，。；：")  # compressed (the font's halt) in a paragraph's last setting
_state = {"em": 0.0, "on": False, "halt": False}
# paragraph element -> (em added to each full-width character, < 0 taken from it; whether
# its pause marks are set half width too): set by fill.py
LOOSE: dict = {}
# paragraph element -> (context, line box, iter_line_boxes' other arguments) of its last layout
SEEN: dict = {}


_installed = hook.Originals()


def activate(on: bool) -> None:
    """Re-set paragraphs in the layouts that follow (weasy.typesetting sets it)."""
    _state["on"] = on


def patch() -> None:
    """Re-set paragraphs whose last line is one character (idempotent; weasy.install calls it)."""
    _installed.replace(block, "iter_line_boxes", _iter_line_boxes)


def tightening(layout) -> float:
    """The letter spacing (px; negative: tighter) this Pango layout's wide characters are set
    with, on top of any justification."""
    if not hasattr(layout, "casebook_tighten"):
        layout.casebook_tighten = -_state["em"] * layout.style["font_size"]
        layout.casebook_halt = _state["halt"]
    return layout.casebook_tighten


def halted(layout) -> bool:
    """Whether this Pango layout sets its pause marks half width (the last resort above)."""
    tightening(layout)
    return layout.casebook_halt


def _iter_line_boxes(context, box, *args):
    if _state["on"]:
        SEEN[box.element] = (context, box, args)
    loose = LOOSE.get(box.element) if _state["on"] else None
    if loose:
        lines = _set(context, box, args, -loose[0], halt=loose[1])
        if lines and not _lonely(lines[-1][0]):
            yield from lines
            return
    lines = list(_installed["iter_line_boxes"](context, box, *args))  # (line, resume_at)
    if _state["on"] and len(lines) >= 2 and _lonely(lines[-1][0]) and _justified(box):
        lines = _tightened(context, box, args, lines)
    yield from lines


def _tightened(context, box, args, lines):
    """The paragraph's lines at the first tighter setting that fixes its last line, or as set."""
    for em, halt in SETTINGS:
        tried = _set(context, box, args, em, halt)
        if tried and not _lonely(tried[-1][0]):
            return tried
    log.info("单字成行 kept: %r (even %.2f em tighter)", _text(lines[-1][0])[:12], TIGHTER[-1])
    return lines


def measure(element, em: float, halt: bool = False) -> int | None:
    """How many lines the paragraph ``element`` (laid out since SEEN was cleared) takes set
    ``em`` looser per full-width character (< 0: tighter; ``halt``: its pause marks half
    width), from where its last layout started; None when its last line would then hold one
    character, a setting ``LOOSE`` does not take. Floats beside it are not seen."""
    context, box, (y, bottom, skip, block, _, _, *styles) = SEEN[element]
    broken = dict(context.broken_out_of_flow)  # a float in a line would add to it
    context.create_block_formatting_context(object())  # the lines ask for excluded shapes
    try:
        lines = _set(context, box, (y, bottom, skip, block, [], [], *styles), -em, halt)
    finally:
        context.finish_block_formatting_context()
        context.broken_out_of_flow = broken
    return len(lines) if lines and not _lonely(lines[-1][0]) else None


def _set(context, box, args, em: float, halt: bool = False) -> list:
    """The paragraph's (line, resume_at) with every full-width character ``em`` tighter
    (and its pause marks half width, with ``halt``)."""
    _state["em"], _state["halt"] = em, halt
    try:
        return list(_installed["iter_line_boxes"](context, box, *args))
    finally:
        _state["em"], _state["halt"] = 0.0, False


def _justified(box) -> bool:
    return box.style["text_align_all"] == "justify" and box.style["white_space"] == "normal"


def _lonely(line) -> bool:
    """Whether a line holds a single character at its own size, punctuation aside."""
    size = line.style["font_size"]
    letters = [c for text in _texts(line, size) for c in text
               if unicodedata.category(c)[0] not in "PZSC"]
    return len(letters) == 1


def _texts(line, size):
    for box in line.descendants():
        if isinstance(box, boxes.TextBox) and box.style["font_size"] >= 0.8 * size:
            yield box.text


def _text(line) -> str:
    return "".join(_texts(line, line.style["font_size"]))
