"""Dot leaders drawn as one run of dots per line: WeasyPrint draws each dot on its own.

WeasyPrint 70 fills a ``leader()`` with copies of its text box, one per dot, each placed
from the line's end leftwards so the dots of every line fall in the same columns. A TOC of
110 entries then draws some 8,000 text boxes: its four pages took 0.95 s to lay out and
paint, about as long as forty pages of text. ``patch`` keeps WeasyPrint's placement and
gives the leader one text box holding the same dots, shaped together: the same glyphs at
the same positions, drawn as one piece of text.
"""

from __future__ import annotations

from weasyprint.layout import inline, leader
from weasyprint.text.line_break import split_first_line

from casebook.editions.weasy import hook

_installed = hook.Originals()


def patch() -> None:
    """Draw each leader as one text box (idempotent; ``weasy.install`` calls it)."""
    _installed.replace(leader, "handle_leader", handle_leader, inline)


def handle_leader(context, line, containing_block):
    """WeasyPrint 70's ``handle_leader`` (BSD licence), with ``_dots`` in place of its loop
    that copies the text box once per dot."""
    index, leader_box = leader.leader_index(line)
    extra_width = 0
    if index is not None and leader_box.children:
        text_box, = leader_box.children
        if text_box.width <= 0:  # the leader text has no width
            return
        extra_width = containing_block.width - sum(
            child.margin_width() for child in line.children if child.is_in_normal_flow())
        for shape in context.excluded_shapes:
            if shape.position_y + shape.height > line.position_y:
                extra_width -= shape.width
        available_width = extra_width + text_box.width
        line.width = containing_block.width
        leader_box.children = _dots(context, line, leader_box, text_box, available_width)
        if line.style["direction"] == "rtl":
            leader_box.translate(dx=-extra_width)
    box = line  # widen the leader's parent boxes and move the boxes after it
    while index is not None:
        for child in box.children[index[0] + 1:]:
            if child.is_in_normal_flow():
                child.translate(dx=extra_width if line.style["direction"] == "ltr"
                                else -extra_width)
        box = box.children[index[0]]
        box.width += extra_width
        index = index[1]


def _dots(context, line, leader_box, text_box, available_width) -> tuple:
    """One text box with the dots WeasyPrint would place, at the leftmost one's position.

    WeasyPrint keeps the copies at ``line end - i × width`` that fit between the text before
    the leader and the text after it: a run of evenly spaced, contiguous positions.
    """
    width, right = text_box.width, line.position_x + line.width
    kept = [right - i * width for i in range(1, int(line.width // width) + 1)]
    kept = [x for x in kept if leader_box.position_x <= x
            and x + width <= leader_box.position_x + available_width]
    if len(kept) < 2:
        return tuple(_at(text_box.copy(), x) for x in kept)
    layout, _, _, run_width, _, _ = split_first_line(
        text_box.text * len(kept), text_box.style, context, None,
        text_box.justification_spacing, is_line_start=False)
    box = _at(text_box.copy_with_text(layout.text), min(kept))
    box.pango_layout, box.width = layout, run_width
    return (box,)


def _at(box, x: float):
    box.position_x = x
    return box
