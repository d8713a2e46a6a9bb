"""The baseline grid: a block of any height (figure, table, code) ends on a whole line.

Body lines are set on one grid, the line pitch from the top of the text block. Headings,
the 点评 and lists take whole lines by their styles (templates/pdf/page.css.j2); a figure,
a table, a code block or an aside has the height of its content. ``patch`` lengthens each
such block, when it ends on the page it starts on, to the next grid line, so the text after
it goes back on the grid (at least half a line below a figure, table, code block or aside,
which have no bottom margin). Only the blocks of a document's flow are lengthened: the direct
children of ``SNAPPED`` containers (a case, a piece of front or back matter, the 点评).
``configure`` gives the grid of the book being laid out, before its layout.
"""

from __future__ import annotations

from weasyprint.layout import block

from casebook.editions.weasy import hook

SNAPPED = frozenset({"case", "matter", "commentary"})
# blocks of their own height (no bottom margin in page.css.j2): at least half a line after them
SPACED_TAGS = frozenset({"figure", "pre", "hr", "table"})
SPACED_CLASSES = frozenset({"table-wrap", "alert", "sourceCode"})
PX_PER_PT = 4 / 3
_grid = {"top": None, "pitch": None}  # px: the text block's top edge, the line pitch
_installed = hook.Originals()


def configure(top_pt: float | None, pitch_pt: float | None) -> None:
    """The grid of the book about to be laid out: its text block's top and its line pitch
    (None: no grid, as after its layout)."""
    if top_pt is None or pitch_pt is None:
        _grid.update(top=None, pitch=None)
    else:
        _grid.update(top=top_pt * PX_PER_PT, pitch=pitch_pt * PX_PER_PT)


def pitch() -> float | None:
    """The line pitch (px) of the book being laid out, or None outside its layout."""
    return _grid["pitch"]


def patch() -> None:
    """Lengthen flow blocks to the grid (idempotent; weasy.install calls it)."""
    _installed.replace(block, "block_level_layout", _block_level_layout)


def _block_level_layout(context, box, bottom_space, skip_stack, containing_block, *args,
                        **kwargs):
    result = _installed["block_level_layout"](
        context, box, bottom_space, skip_stack, containing_block, *args, **kwargs)
    new_box, resume_at = result[0], result[1]
    if new_box is not None and resume_at is None and _in_flow(containing_block):
        bottom = new_box.border_box_y() + new_box.border_height()
        gap = _grid["pitch"] / 2 if _spaced(new_box) else 0.0
        new_box.height += to_grid(bottom + gap) + gap
    return result


def _spaced(box) -> bool:
    element = getattr(box, "element", None)
    if element is None:
        return False
    return (box.element_tag in SPACED_TAGS
            or not SPACED_CLASSES.isdisjoint((element.get("class") or "").split()))


def _in_flow(container) -> bool:
    element = getattr(container, "element", None)
    if element is None or _grid["pitch"] is None:
        return False
    return not SNAPPED.isdisjoint((element.get("class") or "").split())


def to_grid(bottom: float) -> float:
    """How far ``bottom`` (px) is above the next grid line (0 when it is on one)."""
    pitch = _grid["pitch"]
    off = (bottom - _grid["top"]) % pitch
    return 0.0 if off < 0.01 or pitch - off < 0.01 else pitch - off
