"""Pages filled to the last line: a page that ends short is set again with a paragraph looser.

A keep rule (a heading with two lines of what follows, widows and orphans at two, the 点评's
signature with its last lines) or a figure that does not fit can move text overleaf and
leave two or more lines empty at the foot of a page. A Chinese composer then sets a
paragraph on the page a little looser, so that it takes one line more (撑行). ``patch``
does the same: when a page's flow ends two or more lines above its foot and its text goes
on overleaf without a forced break, it lays the page out again with one of its paragraphs
1/40, 1/20, then 1/12 em looser per character (lastline.LOOSE), the paragraphs whose last
line is fullest first; then with one set as lastline.SETTINGS tighten (at most 1/20 em, then
its pause marks half width too), a line shorter, so that what the page could not hold (a
heading with the lines it keeps, a paragraph widows and orphans keep whole) fits. A setting is kept when
the page then ends at least half a line lower; at most ``TRIES`` are tried a page.
"""

from __future__ import annotations

import copy
import logging

from weasyprint.formatting_structure import boxes
from weasyprint.layout import page as page_layout

from casebook.editions.pdf.weasy import grid, lastline

log = logging.getLogger(__name__)
LOOSER = (1 / 40, 1 / 20, 1 / 12)  # em added to each full-width character, tried in turn
TRIES = 12
_active = {"on": False}
_installed: dict = {}


def activate(on: bool) -> None:
    """Fill short pages in the layouts that follow (weasy.typesetting sets it)."""
    _active["on"] = on


def patch() -> None:
    """Set short pages again with a looser paragraph (idempotent; weasy.install calls it)."""
    if _installed:
        return
    _installed["make_page"] = page_layout.make_page
    page_layout.make_page = _make_page


def _make_page(context, root_box, page_type, resume_at, page_number, page_state):
    pitch = grid.pitch()
    if not _active["on"] or pitch is None or page_type.blank:
        return _installed["make_page"](context, root_box, page_type, resume_at, page_number,
                                       page_state)
    saved = _save(context, page_state)

    def run():
        _restore(context, page_state, saved)
        result = _installed["make_page"](context, root_box, page_type, resume_at,
                                         page_number, page_state)
        return result, _gap(context, result)

    best, gap = run()
    if gap < 2 * pitch - 0.5 or best[1] is None or best[2]["break"] != "any":
        return best
    last, tried = best, set()
    while gap >= 2 * pitch - 0.5 and len(tried) < TRIES:
        found = [c for c in _candidates(best[0]) + _overleaf(root_box, best[1])
                 if c not in tried and not lastline.LOOSE.get(c[0])]
        if not found:
            break
        element, em = found[0]
        tried.add((element, em))
        lastline.LOOSE[element] = em
        last, after = run()
        if after < gap - pitch / 2:
            best, gap = last, after
        else:
            del lastline.LOOSE[element]
    if last is not best:
        best, gap = run()
    log.debug("page %d: %d setting(s) tried, %.1f line(s) left", page_number, len(tried),
              gap / pitch)
    return best


_LAID = (boxes.LineBox, boxes.ReplacedBox, boxes.TableRowBox)


def _gap(context, result) -> float:
    """How far (px) the page's flow (its lines, images, table rows) ends above the foot of
    its text, which its notes raise."""
    root = result[0].children[0]
    bottoms = [box.position_y + box.margin_height() for box in root.descendants()
               if isinstance(box, _LAID)]
    return context.page_bottom - max(bottoms, default=context.page_bottom)


def _candidates(page):
    """(element, (em, halt)) of the paragraphs ending on the page that a looser setting may
    lengthen by a line (em > 0), the fullest last lines first, then those a tighter one may
    shorten by a line (em < 0, lastline.SETTINGS), letting in what the page could not hold,
    the shortest last lines first."""
    looser, tighter = [], []
    for box in page.children[0].descendants():
        lines = [c for c in getattr(box, "children", ()) if isinstance(c, boxes.LineBox)]
        if (not lines or box.element is None or getattr(lines[-1], "resume_at", 1) is not None
                or box.style["text_align_all"] != "justify" or not box.width):
            continue
        last = lines[-1]
        right = max((c.position_x + c.margin_width() for c in last.children), default=0)
        room = 1 - (right - last.position_x) / box.width   # of the measure, on the last line
        for em in LOOSER:  # a line of n characters grows or shrinks by about n × em
            gain = (len(lines) - 1) * em * 0.9
            if room < gain + em:
                looser.append((room / (gain + em), em, box.element))
                break
        if len(lines) > 1 and 1 - room < (len(lines) - 1) * 0.1:  # a half-width mark or two
            tighter.append((1 - room, box.element))
    return ([(element, (em, False)) for _, em, element in sorted(looser, key=lambda f: f[:2])]
            + [(element, (-em, halt)) for _, element in sorted(tighter, key=lambda f: f[0])
               for em, halt in lastline.SETTINGS])


def _overleaf(root_box, resume_at):
    """(element, setting) of the paragraphs the page could not hold: tighter, they may fit."""
    box, skip, found = root_box, resume_at, []
    while skip:
        (index, skip), = skip.items()
        children = getattr(box, "children", ())
        if index >= len(children):
            return []
        if skip is None:  # the next page starts with this child: it and the two after it
            for child in children[index:index + 3]:
                found += _paragraphs(child)
        box = children[index]
    if isinstance(box, boxes.BlockContainerBox):  # a paragraph split over the pages
        found = _paragraphs(box) + found
    return [(element, (-em, halt)) for element in found[:2] for em, halt in lastline.SETTINGS]


def _paragraphs(box) -> list:
    """The elements of the justified paragraphs at the start of ``box`` (or ``box``'s)."""
    while isinstance(box, boxes.BlockContainerBox) and box.children:
        if isinstance(box.children[0], boxes.LineBox):
            justified = box.style["text_align_all"] == "justify" and box.element is not None
            return [box.element] if justified else []
        box = box.children[0]
    return []


def _save(context, page_state):
    return (list(context.footnotes), list(context.reported_footnotes),
            dict(context.broken_out_of_flow), copy.deepcopy(page_state))


def _restore(context, page_state, saved) -> None:
    footnotes, reported, broken, state = saved
    context.footnotes[:] = footnotes
    context.reported_footnotes = list(reported)
    context.broken_out_of_flow = dict(broken)
    state = copy.deepcopy(state)
    for mine, kept in zip(page_state, state):
        if isinstance(mine, dict):
            mine.clear()
            mine.update(kept)
        else:
            mine[:] = kept
