"""Pages filled to the last line: a short page is set again with paragraphs looser or tighter.

A keep rule (a heading with two lines of what follows, widows and orphans at two, the 点评's
signature with its last lines) or a figure that does not fit can move text overleaf and
leave two or more lines empty at the foot of a page. A Chinese composer then sets
paragraphs on the page a little looser, so that together they take the lines left (撑行),
or tighter, on the page and overleaf, so that what was moved fits after all (缩行).
``patch`` does the same when a page's flow ends two or more lines above its foot and its
text goes on overleaf without a forced break. It first measures (lastline.measure, no page
layout) which paragraphs one setting lengthens or shortens by a line without leaving one
character alone on their last line: each paragraph ending on the page 1/40, 1/20 or 1/12
em looser per character (``LOOSER``), each on the page or of what went overleaf as
lastline.SETTINGS tighten it (at most 1/20 em, then its pause marks half width). Then it
lays the page out again with, in turn: as many looser paragraphs as the page has lines to
fill, the least loosened first; every tighter one at once, and if that lets in what went
overleaf, the fewest that do (what went overleaf first); if neither fills the page, what
looser paragraphs there are. A combination is kept when the page then ends at least half a
line lower. A setting that changes no paragraph's line count changes nothing on the page,
so none is laid out. At most ``TRIES`` layouts a page.
"""

from __future__ import annotations

import copy
import logging
from collections import Counter

from weasyprint.formatting_structure import boxes
from weasyprint.layout import page as page_layout

from casebook.editions.weasy import grid, hook, lastline

log = logging.getLogger(__name__)
LOOSER = (1 / 40, 1 / 20, 1 / 12)  # em added to each full-width character, tried in turn
TRIES = 8  # page layouts a short page may take beyond its first, at most
# px under two lines a gap may be and still count as short: the audit measures from the
# last line's baseline and allows 0.5 pt (check/typeset_rules.py); this from its box
SLACK = 2.0
_active = {"on": False}
_stats = {"pages": 0, "layouts": 0, "measured": 0}  # of the layout under way
_installed = hook.Originals()


def activate(on: bool) -> None:
    """Fill short pages in the layouts that follow (weasy.typesetting sets it); when the
    layout ends, log how many pages were short and what filling them cost."""
    if not on and _stats["pages"]:
        log.debug("%d short page(s) set again: %d more page layout(s), %d paragraph "
                  "setting(s) measured", _stats["pages"], _stats["layouts"],
                  _stats["measured"])
    _active["on"] = on
    _stats.update(pages=0, layouts=0, measured=0)
    lastline.SEEN.clear()


def patch() -> None:
    """Set short pages again with paragraphs looser or tighter (idempotent; weasy.install
    calls it)."""
    _installed.replace(page_layout, "make_page", _make_page)


def _make_page(context, root_box, page_type, resume_at, page_number, page_state):
    args = (context, root_box, page_type, resume_at, page_number, page_state)
    if not _active["on"] or grid.pitch() is None or page_type.blank:
        return _installed["make_page"](*args)
    try:
        return _Filling(args).fill()
    finally:
        lastline.SEEN.clear()  # the boxes of one page at a time


class _Filling:
    """One page, laid out again under combinations of settings until it ends less short."""

    def __init__(self, args):
        self.args, self.pitch = args, grid.pitch()
        self.saved = _save(args[0], args[5])
        self.layouts = self.measured = 0

    def fill(self):
        best, gap = self.run()
        if not self.short(gap) or best[1] is None or best[2]["break"] != "any":
            return best
        first, (looser, overleaf, tighter) = gap, self.moves(best[0])
        need = int((gap - 2 * self.pitch + SLACK) // self.pitch) + 1  # lines to fill
        if len(looser) >= need:
            best, gap = self.attempt(looser[:need], best, gap)
        best, gap = self.pull(overleaf + tighter, best, gap)
        if 0 < len(looser) < need:  # too few to fill it: still, the page ends lower
            best, gap = self.attempt(looser, best, gap)
        if self.last is not best:
            best, gap = self.run()
        _forget_off(best[0], overleaf)
        self.report(first, gap)
        return best

    def short(self, gap: float) -> bool:
        return gap >= 2 * self.pitch - SLACK

    def run(self):
        context, page_state = self.args[0], self.args[5]
        _restore(context, page_state, self.saved)
        lastline.SEEN.clear()
        result = _installed["make_page"](*self.args)
        self.layouts += 1
        self.last = result
        return result, _gap(context, result)

    def attempt(self, plan, best, gap):
        """(page, gap) with ``plan``'s settings too, if the page then ends at least half a
        line lower; else as it was, the settings taken back."""
        if not plan or self.layouts >= TRIES or not self.short(gap):
            return best, gap
        lastline.LOOSE.update(plan)
        result, after = self.run()
        if after < gap - self.pitch / 2:
            return result, after
        for element, _ in plan:
            del lastline.LOOSE[element]
        return best, gap

    def pull(self, pulls, best, gap):
        """Every tighter setting at once: if the page then takes in more of what follows,
        the fewest (the first ``pulls``) that leave it short no more, or as short as all
        do, or all if only they let it end lower."""
        pulls = [move for move in pulls if move[0] not in lastline.LOOSE]
        if not pulls or self.layouts >= TRIES or not self.short(gap):
            return best, gap
        lastline.LOOSE.update(pulls)
        every, low = self.run()
        if every[1] != best[1]:  # something more came in
            for n in range(1, len(pulls)):
                if self.layouts >= TRIES:
                    break
                for element, _ in pulls[n:]:
                    del lastline.LOOSE[element]
                fewer, after = self.run()
                if after < gap - self.pitch / 2 and (
                        not self.short(after) or after < low + self.pitch / 2):
                    return fewer, after
                lastline.LOOSE.update(pulls)
            if low < gap - self.pitch / 2:
                return every, low
        for element, _ in pulls:
            del lastline.LOOSE[element]
        return best, gap

    def moves(self, page) -> tuple[list, list, list]:
        """The settings that change a paragraph by a line: (looser on the page, tighter
        overleaf, tighter on the page), each a list of (element, setting), the least set
        first."""
        looser, tighter, overleaf = [], [], []
        found = list(_paragraphs(page))
        once = Counter(box.element for box, _, _ in found)
        for box, lines, room in found:
            if (getattr(lines[-1], "resume_at", 1) is not None or once[box.element] > 1
                    or box.element in lastline.LOOSE):
                continue  # it goes on overleaf, or it is not one paragraph, or it is set
            looser += self.setting(box.element, len(lines), _loosening(room, len(lines)))
            if len(lines) > 1 and 1 - room < (len(lines) - 1) * 0.15:  # may lose its last line
                tighter += self.setting(box.element, len(lines), _TIGHTER)
        for element in _overleaf(once):
            lines = self.count(element, 0.0, False)
            block = lastline.SEEN[element][2][3]
            if lines and 1 < lines < block.style["orphans"] + block.style["widows"]:
                overleaf += self.setting(element, lines, _TIGHTER)  # kept whole: one less
        return ([m[1:] for m in sorted(looser, key=lambda m: m[0])],
                [m[1:] for m in overleaf], [m[1:] for m in sorted(tighter, key=lambda m: m[0])])

    def setting(self, element, lines: int, settings) -> list:
        """[(rank, element, setting)] for the first of ``settings`` ((em looser, halt), em
        < 0: tighter) that makes the paragraph a line longer (looser) or shorter, or []."""
        for rank, (em, halt) in enumerate(settings):
            found = self.count(element, em, halt)
            if found is not None and (found - lines) * em > 0:
                return [(rank, element, (em, halt))]
        return []

    def count(self, element, em: float, halt: bool) -> int | None:
        self.measured += 1
        return lastline.measure(element, em, halt)

    def report(self, first: float, gap: float) -> None:
        _stats["pages"] += 1
        _stats["layouts"] += self.layouts - 1
        _stats["measured"] += self.measured
        log.debug("page %d: %.1f line(s) short, %d setting(s) measured, %d layout(s) more, "
                  "%.1f line(s) left", self.args[4], first / self.pitch, self.measured,
                  self.layouts - 1, gap / self.pitch)


_TIGHTER = tuple((-em, halt) for em, halt in lastline.SETTINGS)


def _loosening(room: float, lines: int) -> tuple:
    """The looser settings that may push a paragraph's last line over: each of its lines
    grows by about ``em`` of the measure, its last by ``em`` of what it holds."""
    return tuple((em, False) for em in LOOSER if room < (lines - 1) * em + em + 0.03)


def _overleaf(on_page) -> list:
    """The justified paragraphs laid out for the page but left for the next (not its
    notes): what it could not hold, the first three."""
    found = [element for element, (_, _, args) in lastline.SEEN.items()
             if element is not None and element not in on_page
             and element not in lastline.LOOSE and _justified(args[3])
             and args[3].style["float"] != "footnote"]
    return found[:3]


def _forget_off(page, overleaf) -> None:
    """Take back the settings of paragraphs overleaf that the page did not take in."""
    on_page = {box.element for box, _, _ in _paragraphs(page)}
    for element, _ in overleaf:
        if element not in on_page:
            lastline.LOOSE.pop(element, None)


def _paragraphs(page):
    """(block, its lines, the room left on its last line as a fraction of the measure) of
    each justified paragraph on the page."""
    for box in page.children[0].descendants():
        lines = [c for c in getattr(box, "children", ()) if isinstance(c, boxes.LineBox)]
        if (lines and box.element is not None and _justified(box) and box.width
                and "::" not in box.element_tag):  # a list item's marker is not its text
            last = lines[-1]
            right = max((c.position_x + c.margin_width() for c in last.children), default=0)
            yield box, lines, 1 - (right - last.position_x) / box.width


def _justified(box) -> bool:
    return box.style["text_align_all"] == "justify"


_LAID = (boxes.LineBox, boxes.ReplacedBox, boxes.TableRowBox)


def _gap(context, result) -> float:
    """How far (px) the page's flow (its lines, images, table rows) ends above the foot of
    its text, which its notes raise."""
    root = result[0].children[0]
    bottoms = [box.position_y + box.margin_height() for box in root.descendants()
               if isinstance(box, _LAID)]
    return context.page_bottom - max(bottoms, default=context.page_bottom)


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
